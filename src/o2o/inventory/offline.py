"""Goods sold at a till while it was offline leave the store's stock, a whole upload at a time.

They were physically sold: nothing is refused for want of stock. Where a store's count held fewer units
than the till sold, the sale is kept and the stock line is FLAGGED for reconciliation instead:

- on hand falls by what was sold but stops at what online orders hold reserved (never below it: the
  `on_hand >= 0` and `reserved <= on_hand` checks keep holding, and those orders keep their units);
- the difference (units sold that the count did not have) goes into the ledger as an `adjustment` row
  with reason `offline-oversold`, next to the sale's own `pos_sale` row, so `sum(ledger) == on_hand`
  stays true (`o2o check`);
- `stock.oversold` adds those units and `stock.flagged_at` keeps when the line was first flagged, until
  the next count of the line (`record_count`) clears both: the count is the reconciliation.

Statements per call, whatever the number of sales: the missing stock rows inserted (one multi-row
INSERT, only when some are missing), the rows read and locked in SKU order (one SELECT ... FOR UPDATE;
SQLite's write transaction holds the database lock already), one executemany UPDATE and one ledger
INSERT (o2o.kernel.bulk). Joins the caller's transaction; run it last before the commit (`UnitOfWork.commit(last=)`)
so the hot rows' locks are held the least time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from o2o.inventory.models import ADJUSTMENT, POS_SALE, Stock, StockMovement
from o2o.kernel.bulk import insert_rows

OVERSOLD_REASON = "offline-oversold"

_LOCKED = (select(Stock.sku_id, Stock.on_hand, Stock.reserved, Stock.oversold, Stock.flagged_at)
           .where(Stock.location_id == bindparam("l"), Stock.sku_id.in_(bindparam("skus", expanding=True)))
           .order_by(Stock.sku_id))
_SET = (update(Stock.__table__)
        .where(Stock.__table__.c.location_id == bindparam("l"), Stock.__table__.c.sku_id == bindparam("s"))
        .values(on_hand=bindparam("n"), oversold=bindparam("o"), flagged_at=bindparam("f")))


def _insert_missing(session: Session, location_id: int, sku_ids: Iterable[int]) -> None:
    rows = [{"location_id": location_id, "sku_id": k, "on_hand": 0, "reserved": 0, "safety_stock": 0,
             "oversold": 0} for k in sorted(sku_ids)]
    conn = session.connection()
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(insert(Stock.__table__).values(rows).on_conflict_do_nothing())


def sell_offline(session: Session, location_id: int, sales: Sequence[tuple[str, Mapping[int, int]]],
                 now: datetime) -> dict[str, dict[int, int]]:
    """`sales`: (ref, {sku id: units}) in the order they happened (the order's number as ref). Takes the
    units off `location_id`'s stock as described above; returns, per ref, the units of each SKU that
    sale sold beyond the count (only sales that went beyond it). Rows locked in (location, SKU) order."""
    totals: dict[int, int] = defaultdict(int)
    for _, lines in sales:
        for sku, qty in lines.items():
            if qty <= 0:
                raise ValueError("units sold must be positive")
            totals[sku] += qty
    if not totals:
        return {}
    conn = session.connection()
    skus = sorted(totals)
    stmt = _LOCKED.with_for_update() if conn.dialect.name == "postgresql" else _LOCKED
    rows = {r.sku_id: r for r in conn.execute(stmt, {"l": location_id, "skus": skus})}
    if len(rows) < len(skus):  # SKUs never stocked here: a row at 0, all they sold is beyond the count
        _insert_missing(session, location_id, set(skus) - set(rows))
        rows = {r.sku_id: r for r in conn.execute(stmt, {"l": location_id, "skus": skus})}
    # walk the sales in their order: the sale that takes a line below the count carries the difference
    on_hand = {k: rows[k].on_hand for k in skus}
    floor = {k: rows[k].reserved for k in skus}
    over: dict[int, int] = defaultdict(int)
    short: dict[str, dict[int, int]] = {}
    ledger: list[dict] = []
    for ref, lines in sales:
        for sku in sorted(lines):
            qty = lines[sku]
            ledger.append({"location_id": location_id, "sku_id": sku, "kind": POS_SALE, "quantity": -qty,
                           "ref": ref[:64], "reason": "offline", "at": now})
            left = on_hand[sku] - qty
            if left < floor[sku]:
                beyond = floor[sku] - left
                left = floor[sku]
                over[sku] += beyond
                short.setdefault(ref, {})[sku] = beyond
                ledger.append({"location_id": location_id, "sku_id": sku, "kind": ADJUSTMENT, "quantity": beyond,
                               "ref": ref[:64], "reason": OVERSOLD_REASON, "at": now})
            on_hand[sku] = left
    conn.execute(_SET, [{"l": location_id, "s": k, "n": on_hand[k], "o": rows[k].oversold + over[k],
                         "f": (rows[k].flagged_at or now) if over[k] else rows[k].flagged_at}
                        for k in skus])
    insert_rows(conn, StockMovement.__table__, ledger)
    return short


_FLAGGED = (select(Stock.location_id, Stock.sku_id, Stock.on_hand, Stock.reserved, Stock.oversold, Stock.flagged_at)
            .where(Stock.flagged_at.is_not(None)))


def flagged(session: Session, location_id: int | None = None, limit: int = 500) -> list[dict]:
    """Stock lines flagged for reconciliation (oldest flag first), at one location or everywhere."""
    stmt = _FLAGGED if location_id is None else _FLAGGED.where(Stock.location_id == location_id)
    stmt = stmt.order_by(Stock.flagged_at, Stock.location_id, Stock.sku_id).limit(limit)
    return [{"location_id": r.location_id, "sku_id": r.sku_id, "on_hand": r.on_hand, "reserved": r.reserved,
             "oversold": r.oversold, "flagged_at": r.flagged_at} for r in session.execute(stmt)]
