"""Money is integer fen (1/100 CNY). Never floats."""

from __future__ import annotations

CURRENCY = "CNY"


def fen_to_yuan_str(amount_fen: int) -> str:
    sign = "-" if amount_fen < 0 else ""
    whole, cents = divmod(abs(amount_fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def format_cny(amount_fen: int) -> str:
    return f"¥{fen_to_yuan_str(amount_fen)}"
