"""What a shopper sees for each SKU at their store: the strategy's price and the units available there."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from o2o.catalog import service as catalog
from o2o.inventory import service as inventory
from o2o.kernel.db import Database


@dataclass(frozen=True)
class Offer:
    sku_id: int
    name: str
    price_fen: int
    active: bool
    available: int | None  # on hand - reserved - safety stock at the store; None when no store is chosen

    @property
    def in_stock(self) -> bool:
        return self.active and bool(self.available)


def offers(db: Database, store_id: int | None, sku_ids: Iterable[int], locale: str) -> dict[int, Offer]:
    """Price (catalog PriceStrategy, the store's own price if it has one) and availability per SKU."""
    ids = sorted(set(sku_ids))
    if not ids:
        return {}
    with db.read() as s:
        priced = catalog.PriceStrategy(s, store_id, "h5", locale).price(ids)
        stock = inventory.available(s, [store_id], ids) if store_id else {}
    return {k: Offer(k, p.name, p.price_fen, p.active, stock.get((store_id, k), 0) if store_id else None)
            for k, p in priced.items()}
