"""Best-price engine (pure: no database, no clock). Types first; `best` follows in the next commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

KINDS = ("sale_price", "nth_discount", "buy_x_get_y", "threshold", "percent", "free_delivery", "gift")


@dataclass(frozen=True)
class Line:
    """One basket line after tier/store prices (orders merges lines by SKU)."""

    sku_id: int
    category_id: int
    unit_price_fen: int
    quantity: int


@dataclass(frozen=True)
class Scope:
    """Empty sets = everything."""

    sku_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Offer:
    key: str
    kind: str
    label_zh: str
    label_en: str
    scope: Scope = field(default_factory=Scope)
    group: str = ""
    exclusive: bool = False
    min_fen: int = 0
    off_fen: int = 0
    repeat: bool = False
    pct_off: int = 0
    cap_fen: int = 0
    nth: int = 0
    buy: int = 0
    get: int = 0
    price_fen: int = 0
    gift_sku_id: int = 0
    source: str = "promotion"


@dataclass(frozen=True)
class Applied:
    key: str
    kind: str
    label_zh: str
    label_en: str
    discount_fen: int
    per_line: dict[int, int]
    gift_sku_id: int = 0


@dataclass(frozen=True)
class Result:
    applied: tuple[Applied, ...]
    line_discount_fen: dict[int, int]
    goods_discount_fen: int
    delivery_discount_fen: int
    rejected: tuple[tuple[str, str], ...]


def best(lines: Sequence[Line], offers: Sequence[Offer], delivery_fee_fen: int = 0,
         required: frozenset[str] = frozenset()) -> Result:
    raise NotImplementedError("best-price search lands in the next commit")
