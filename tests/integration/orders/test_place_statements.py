"""What placing an order costs in statements (issue 13: the sourcing engine on the hot path), on both
databases: the engine reads the candidates' stock and the capacity used of the stores holding stock (one
statement each, never one per candidate); the candidates with their profiles and the enabled rules come
from per-process caches (read again after a change); the decision is one INSERT. `python -m pytest tests/integration/orders/test_place_statements.py -s` prints them."""

from __future__ import annotations

import re

from sqlalchemy import event

from o2o.locations import table
from o2o.orders import service as orders
from o2o.orders.schemas import OrderIn
from tests.factories.chain import XUJIAHUI_NEAR, build_chain, receive, store

NEAR = {"line": "漕溪北路 88 号", "lat": XUJIAHUI_NEAR[0], "lng": XUJIAHUI_NEAR[1]}


def _kind(sql: str) -> str:
    """A statement in a few words: its verb and first table."""
    s = " ".join(sql.split())
    m = re.match(r"(?i)^(select|insert into|update|delete from)\b.*?\b(?:from\s+)?\"?(\w+)\"?", s)
    if re.match(r"(?i)^select", s):
        t = re.search(r"(?i)\bfrom\s+\"?(\w+)\"?", s)
        return f"SELECT {t[1] if t else '?'}"
    return f"{m[1].upper()} {m[2]}" if m else s.split(" ")[0].upper()


def _placed(container, lines: dict[int, int]) -> list[str]:  # type: ignore[no-untyped-def]
    statements: list[str] = []
    engine = container.db.engine

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(_kind(statement))

    event.listen(engine, "before_cursor_execute", record)
    try:
        orders.place(container.uow(), OrderIn(customer_id=None, mode="store_delivery", address=NEAR,
                                              lines=[{"sku_id": k, "quantity": q} for k, q in lines.items()]),
                     orders.OrderPolicy())
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return statements


def test_placing_reads_the_engine_inputs_in_a_fixed_number_of_statements_whatever_the_candidates(container,
                                                                                              monkeypatch):
    monkeypatch.setattr(table, "TTL_S", 3600.0)  # only a change reads the locations again, not a slow machine
    chain = build_chain(container)
    milk, yogurt = chain.skus["milk"], chain.skus["yogurt"]
    receive(container, chain.stores["xujiahui"], milk, 5)
    receive(container, chain.stores["jingan"], yogurt, 5)
    _placed(container, {milk: 1})  # the first order of the day makes its number counter; promotions cached
    one = _placed(container, {milk: 1, yogurt: 1})  # a split over two stores
    for i in range(6):  # more candidates holding stock: the same statements
        extra = store(container, f"X{i}", (XUJIAHUI_NEAR[0] + 0.002 * i, XUJIAHUI_NEAR[1] - 0.002))
        receive(container, extra, milk, 1)
    after_change = _placed(container, {milk: 1, yogurt: 1})  # new stores: the locations are read again, once
    more = _placed(container, {milk: 1, yogurt: 1})
    print(f"\n{container.db.dialect}: {len(one)} statements placing a split order:\n  " + "\n  ".join(one))
    assert one == more
    assert after_change.count("SELECT location") == 1, after_change
    assert [st for st in after_change if st != "SELECT location"] == one
    # the candidates with their profiles come from the per-process table of locations (locations.table);
    # their stock (as routing v1) and the capacity used of the stores holding stock: two reads; the
    # enabled rules come from a cache too (a rule write forgets it)
    reads = [st for st in one if st.startswith("SELECT")]
    assert reads[:2] == ["SELECT stock", "SELECT fulfillment_order"], reads
    assert "SELECT location" not in one and "SELECT sourcing_rule" not in one
    assert one.count("INSERT INTO sourcing_decision") == 1
