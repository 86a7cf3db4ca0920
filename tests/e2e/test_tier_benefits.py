"""Tier benefits applied to orders, on SQLite and PostgreSQL: the member's tier price on each line
(shown with the list price and the tier), free store delivery for a tier that has it (the waived fee
and its reason), an anonymous order unchanged; tier boundaries (one fen under and at a threshold);
and what placing costs: one loyalty query for a signed-in customer, none without one."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from o2o.loyalty import service as loyalty
from o2o.loyalty.schemas import RulesIn
from o2o.orders import service as orders
from o2o.orders.schemas import OrderFacts, OrderIn
from tests.factories.chain import XUJIAHUI_NEAR, build_chain, receive
from tests.integration.loyalty.flow import member

V1 = "/api/v1"
MILK = 1290  # the test chain's milk, list price


def _rules(container, **tier_changes: dict) -> None:  # type: ignore[no-untyped-def]
    current = loyalty.get_rules(container.db)
    tiers = []
    for t in current.tiers:
        row = {k: v for k, v in t.model_dump().items() if k not in ("rank", "name_zh", "name_en")}
        row.update(tier_changes.get(t.code, {}))
        tiers.append(row)
    loyalty.set_rules(container.uow(), RulesIn(tiers=tiers, rates=current.rates.model_dump()))


_fake_order_ids = iter(range(9_000_000, 9_100_000))


def _spent(container, customer_id: int, amount_fen: int) -> None:  # type: ignore[no-untyped-def]
    """A completed order of `amount_fen` reaches loyalty (as the relay's handler gives it)."""
    oid = next(_fake_order_ids)
    with container.uow() as uow:
        loyalty.earn_for_order(uow, OrderFacts(
            id=oid, number=f"SOTEST{oid}", customer_id=customer_id, status="completed", channel="pos",
            fulfil_location_id=1, subtotal_fen=amount_fen, delivery_fee_fen=0, discount_fen=0,
            total_fen=amount_fen, completed_at=container.clock.now()))
        uow.commit()


def _pickup(chain, customer_id: int | None, qty: int = 2) -> OrderIn:  # type: ignore[no-untyped-def]
    return OrderIn(customer_id=customer_id, mode="pickup", location_id=chain.stores["xujiahui"],
                   lines=[{"sku_id": chain.skus["milk"], "quantity": qty}])


def _delivery(chain, customer_id: int | None) -> OrderIn:  # type: ignore[no-untyped-def]
    return OrderIn(customer_id=customer_id, mode="store_delivery",
                   address={"line": "漕溪北路 1 号", "lat": XUJIAHUI_NEAR[0], "lng": XUJIAHUI_NEAR[1]},
                   lines=[{"sku_id": chain.skus["milk"], "quantity": 1}])


@contextmanager
def _statements(container):  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def log(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    engine = container.db.engine
    event.listen(engine, "before_cursor_execute", log)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", log)


def _loyalty_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if "points_account" in s or "loyalty_tier" in s]


def test_tier_boundary_one_fen_under_pays_list_price_and_at_it_the_silver_price(client, container, auth):
    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 20)
    _rules(container, silver={"min_spend_fen": 10_000, "price_pct": 95})
    under, at = member(container, 1), member(container, 2)
    _spent(container, under, 9_999)
    _spent(container, at, 10_000)
    assert loyalty.summary(container.db, under).tier == "normal"
    assert loyalty.summary(container.db, at).tier == "silver"

    r = client.post(f"{V1}/orders", headers=auth.customer(at), json=_pickup(chain, at).model_dump(mode="json"))
    assert r.status_code == 201, r.text
    silver = r.json()
    line = silver["lines"][0]
    tier_unit = (MILK * 95 + 50) // 100  # 1225.5 -> 1226, half up
    assert (line["unit_price_fen"], line["list_price_fen"], line["price_tier"]) == (tier_unit, MILK, "silver")
    assert line["line_total_fen"] == 2 * tier_unit and silver["subtotal_fen"] == 2 * tier_unit
    assert silver["total_fen"] == 2 * tier_unit and silver["tier_code"] == "silver"
    # what the API gives later is what was stored
    again = client.get(f"{V1}/orders/{silver['number']}", headers=auth.customer(at)).json()
    assert again["lines"][0]["list_price_fen"] == MILK and again["lines"][0]["price_tier"] == "silver"

    normal = orders.place(container.uow(), _pickup(chain, under), orders.OrderPolicy())
    assert normal.lines[0].unit_price_fen == MILK and normal.lines[0].list_price_fen is None
    assert normal.lines[0].price_tier is None and normal.total_fen == 2 * MILK and normal.tier_code == "normal"


def test_gold_member_pays_no_store_delivery_fee_and_the_order_says_why(client, container, auth):
    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 20)
    gold, plain = member(container, 1), member(container, 2)
    _spent(container, gold, 500_000)  # the default gold threshold
    assert loyalty.benefits(container.db, gold).free_store_delivery

    quoted = orders.quote(container.db, _delivery(chain, gold), orders.OrderPolicy())
    assert quoted.delivery_fee_fen == 0 and quoted.delivery_fee_waived_fen == 600 and quoted.tier == "gold"
    r = client.post(f"{V1}/orders", headers=auth.customer(gold), json=_delivery(chain, gold).model_dump(mode="json"))
    assert r.status_code == 201, r.text
    body = r.json()
    gold_unit = (MILK * 98 + 50) // 100
    assert body["mode"] == "store_delivery" and body["delivery_fee_fen"] == 0
    assert body["delivery_fee_waived_fen"] == 600 and body["delivery_fee_waived_reason"] == "tier:gold"
    assert body["lines"][0]["unit_price_fen"] == gold_unit and body["total_fen"] == gold_unit == quoted.total_fen
    stored = client.get(f"{V1}/orders/{body['number']}", headers=auth.customer(gold)).json()
    assert stored["delivery_fee_fen"] == 0 and stored["delivery_fee_waived_reason"] == "tier:gold"

    other = orders.place(container.uow(), _delivery(chain, plain), orders.OrderPolicy())
    assert other.delivery_fee_fen == 600 and other.delivery_fee_waived_fen == 0
    assert other.delivery_fee_waived_reason is None and other.total_fen == MILK + 600


def test_anonymous_order_is_unchanged_and_reads_no_loyalty(container):
    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 20)
    _rules(container, normal={"price_pct": 90})  # even a tier price for everyone is a member's, not a guest's
    with _statements(container) as seen:
        anon = orders.place(container.uow(), _delivery(chain, None), orders.OrderPolicy())
    assert _loyalty_reads(seen) == []
    assert anon.customer_id is None and anon.tier_code is None and anon.delivery_fee_fen == 600
    assert anon.lines[0].unit_price_fen == MILK and anon.lines[0].list_price_fen is None
    assert anon.total_fen == MILK + 600

    c = member(container, 1)  # no points account yet: the normal tier's terms, read in one query
    with _statements(container) as seen:
        mine = orders.place(container.uow(), _pickup(chain, c, 1), orders.OrderPolicy())
    assert len(_loyalty_reads(seen)) == 1, _loyalty_reads(seen)
    assert mine.lines[0].unit_price_fen == (MILK * 90 + 50) // 100 and mine.lines[0].price_tier == "normal"


def test_someone_elses_tier_price_cannot_be_borrowed(client, container, auth):
    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 20)
    gold, plain = member(container, 1), member(container, 2)
    _spent(container, gold, 500_000)
    r = client.post(f"{V1}/orders", headers=auth.customer(plain), json=_pickup(chain, gold).model_dump(mode="json"))
    assert r.status_code in (403, 404, 422), r.text  # ordering as the gold member is refused
    r = client.post(f"{V1}/orders", headers=auth.customer(plain), json=_pickup(chain, plain).model_dump(mode="json"))
    assert r.status_code == 201 and r.json()["lines"][0]["unit_price_fen"] == MILK
