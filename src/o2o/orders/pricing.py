"""Order totals: subtotal from the strategy's prices, plus the delivery fee of the mode. Pure."""

from __future__ import annotations

# (fee, free from subtotal) in fen per mode
DELIVERY_FEES: dict[str, tuple[int, int]] = {
    "pickup": (0, 0),
    "store_delivery": (600, 5_900),
    "parcel": (1_000, 9_900),
}


def delivery_fee(mode: str, subtotal_fen: int) -> int:
    fee, free_from = DELIVERY_FEES[mode]
    return 0 if subtotal_fen >= free_from else fee


def totals(lines: list[tuple[int, int]], mode: str, discount_fen: int = 0) -> tuple[int, int, int]:
    """lines: (unit price, quantity). Returns (subtotal, delivery fee, total), never negative."""
    subtotal = sum(price * qty for price, qty in lines)
    fee = delivery_fee(mode, subtotal)
    return subtotal, fee, max(0, subtotal + fee - discount_fen)
