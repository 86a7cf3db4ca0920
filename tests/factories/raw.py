"""Minimal rows straight into the tables, for inventory tests that need no chain."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from o2o.catalog.models import Category, Product, Sku
from o2o.inventory.models import RECEIPT, Stock, StockMovement
from o2o.kernel.db import Database
from o2o.locations.models import DEFAULT_HOURS, Location

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
_n = itertools.count(1)


def new_sku(db: Database) -> int:
    n = next(_n)
    with db.write_sessions() as s:
        cat = Category(code=f"c{n}", name_zh="类", name_en="cat")
        s.add(cat)
        s.flush()
        p = Product(category_id=cat.id, name_zh=f"品{n}", name_en=f"p{n}", created_at=NOW)
        s.add(p)
        s.flush()
        sku = Sku(product_id=p.id, code=f"S{n}", barcode=f"{690000000000 + n}", base_price_fen=100)
        s.add(sku)
        s.commit()
        return sku.id


def new_location(db: Database, code: str = "A", lat: float = 31.2, lng: float = 121.4) -> int:
    with db.write_sessions() as s:
        loc = Location(code=f"{code}{next(_n)}", kind="store", name_zh=code, name_en=code, lat=lat, lng=lng,
                       h3_cell="872830828ffffff", opening_hours=DEFAULT_HOURS, created_at=NOW)
        s.add(loc)
        s.commit()
        return loc.id


def seed_stock(db: Database, on_hand: int, safety: int = 0, sku_id: int | None = None,
               code: str = "A") -> tuple[int, int]:
    """A location and a SKU with `on_hand` units received through the ledger."""
    loc = new_location(db, code)
    sku = sku_id or new_sku(db)
    with db.write_sessions() as s:
        s.add(Stock(location_id=loc, sku_id=sku, on_hand=on_hand, reserved=0, safety_stock=safety))
        if on_hand:
            s.add(StockMovement(location_id=loc, sku_id=sku, kind=RECEIPT, quantity=on_hand, ref="seed", at=NOW))
        s.commit()
    return loc, sku
