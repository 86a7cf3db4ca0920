"""A hot SKU's stock row is locked by its reserving UPDATE until COMMIT: nothing else may run in between,
so a crowd buying the same three products waits on that lock for the least time."""

from __future__ import annotations

import re

from sqlalchemy import event

from tests.factories.chain import XUJIAHUI_NEAR, build_chain, receive

RESERVING = re.compile(r"^\s*UPDATE\s+stock\b", re.I)


def test_reserving_updates_are_the_last_statements_before_commit_when_an_order_is_placed(client, container, auth):
    chain = build_chain(container)
    near = chain.stores["xujiahui"]
    milk, other = chain.skus["milk"], next(v for k, v in chain.skus.items() if k != "milk")
    receive(container, near, milk, 10)
    receive(container, near, other, 10)
    statements: list[str] = []
    engine = container.db.engine

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    def committed(conn) -> None:  # type: ignore[no-untyped-def]
        statements.append("COMMIT")

    event.listen(engine, "before_cursor_execute", record)
    event.listen(engine, "commit", committed)
    try:
        r = client.post("/api/v1/orders", headers={**auth.customer(chain.customer), "Idempotency-Key": "hot-1"},
                        json={"customer_id": chain.customer, "mode": "auto", "channel": "h5",
                              "address": {"line": "漕溪北路 88 号", "lat": XUJIAHUI_NEAR[0], "lng": XUJIAHUI_NEAR[1]},
                              "lines": [{"sku_id": milk, "quantity": 2}, {"sku_id": other, "quantity": 1}]})
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(engine, "commit", committed)
    assert r.status_code == 201, r.text
    first = next(i for i, st in enumerate(statements) if RESERVING.match(st))
    commit = statements.index("COMMIT", first)
    between = statements[first:commit]
    assert len(between) == 2 and all(RESERVING.match(st) for st in between), between
