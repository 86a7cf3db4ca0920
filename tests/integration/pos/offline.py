"""Shared steps of the offline-till tests: a store with stock, a terminal, members, batches of sales."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from o2o.inventory import service as inventory
from o2o.inventory.schemas import MovementIn
from o2o.kernel.db import Database
from o2o.pos.models import Terminal
from o2o.pos.service import Till
from o2o.pos.sync_schemas import BatchIn
from tests.factories.raw import NOW, new_location, new_sku

_n = itertools.count(1)


@dataclass
class Shop:
    location_id: int
    skus: list[int]
    till: Till
    members: list[int]


def terminal(db: Database, location_id: int, api_key_id: int | None = None, code: str | None = None) -> Till:
    code = code or f"T{next(_n):02d}"
    with db.write_sessions() as s:
        t = Terminal(location_id=location_id, code=code, name=f"Till {code}", api_key_id=api_key_id, created_at=NOW)
        s.add(t)
        s.commit()
        return Till(t.id, location_id, code, "staff:clerk", "Clerk")


def shop(container, stock: list[int], members: int = 0, location_id: int | None = None) -> Shop:  # type: ignore[no-untyped-def]
    """A store with one SKU per entry of `stock` (that many units on hand, received through the ledger)."""
    db = container.db
    loc = location_id or new_location(db, "P")
    skus = []
    for qty in stock:
        sku = new_sku(db)
        if qty:
            inventory.record_movement(container.uow(), MovementIn(location_id=loc, sku_id=sku, kind="receipt",
                                                                  quantity=qty, reason="seed"))
        skus.append(sku)
    people = [customers.create(container.uow(), CustomerIn(name=f"会员{i}", phone=f"137{next(_n):08d}")).id
              for i in range(members)]
    return Shop(loc, skus, terminal(db, loc), people)


def sale(n: int, sold_at: datetime, lines: list[tuple[int, int, int]], *, discount: int = 0,
         customer_id: int | None = None, tenders: list[dict] | None = None, prefix: str = "S") -> dict:
    """An offline sale as a till sends it: lines of (sku, units, unit price)."""
    total = sum(q * p for _, q, p in lines) - discount
    body: dict = {"till_sale_id": f"{prefix}{n:04d}", "sold_at": sold_at.isoformat(),
                  "lines": [{"sku_id": k, "quantity": q, "unit_price_fen": p} for k, q, p in lines],
                  "total_fen": total,
                  "tenders": tenders if tenders is not None else ([{"kind": "cash", "amount_fen": total}] if total else [])}
    if discount:
        body["discounts"] = [{"key": "P1", "label": "满减", "amount_fen": discount}]
    if customer_id is not None:
        body["customer_id"] = customer_id
    return body


def many(sh: Shop, count: int, start: datetime, prefix: str = "S") -> list[dict]:
    """`count` sales a minute apart, cycling over the shop's SKUs and members (every 3rd sale a member's)."""
    out = []
    for i in range(count):
        sku = sh.skus[i % len(sh.skus)]
        member = sh.members[i % len(sh.members)] if sh.members and i % 3 == 0 else None
        out.append(sale(i, start + timedelta(minutes=i), [(sku, 1 + i % 2, 350)], discount=50 if i % 5 == 0 else 0,
                        customer_id=member, prefix=prefix,
                        tenders=None if i % 4 else [{"kind": "wechat", "amount_fen": 100, "reference": f"W{i}"},
                                                    {"kind": "cash", "amount_fen": (1 + i % 2) * 350
                                                     - (50 if i % 5 == 0 else 0) - 100, "change_fen": 20}]))
    return out


def batch(sales: list[dict]) -> BatchIn:
    return BatchIn.model_validate({"sales": sales})
