"""A sale rung up through the till API with the member's QR, a coupon and points, paid in cash and WeChat
Pay, comes back whole at another store (both databases): that store's stock goes up, the money refunded is
what the tenders paid (WeChat Pay at the provider, cash out of that store's open till), the points spent
come back as points and the points earned are taken back, the coupon comes back as its template says; and
returned one unit at a time, the refunds never pass what was paid and add up to it, and the points come back
to the last one (before, each partial return's points were rounded down on their own: one point was lost)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from o2o import bootstrap
from o2o.customers import service as customers
from o2o.inventory import service as inventory
from o2o.loyalty import service as loyalty
from o2o.pos.models import TillCashMove
from o2o.promotions.models import Coupon
from tests.factories import pos as till_factory
from tests.factories import tills
from tests.factories.chain import receive

MILK, YOGURT = "6900000000000", "6900000000010"


@pytest.fixture
def till(container, auth):  # type: ignore[no-untyped-def]
    t = till_factory.set_up(container, auth)
    loyalty.adjust(container.uow(), t.chain.customer, 1000, "welcome points")
    return t


def _sell(client, container, till, coupon_code: str, points: int, sale_id: str = "T01-1"):  # type: ignore[no-untyped-def]
    qr = "O2O-MEMBER:" + customers.member_code(till.chain.customer, container.clock.now())
    basket = {"lines": [{"barcode": MILK, "quantity": 2}, {"barcode": YOGURT}], "member_code": qr,
              "coupon_codes": [coupon_code], "points": points}
    bill = client.post("/api/v1/pos/quotes", json=basket, headers=till.headers)
    assert bill.status_code == 200, bill.text
    bill = bill.json()
    assert bill["points"] == points and bill["points_fen"] > 0
    due = bill["due_fen"]
    sale = client.post("/api/v1/pos/sales", headers=till.headers, json={
        **basket, "till_sale_id": sale_id, "tenders": [{"kind": "cash", "amount_fen": 1000, "given_fen": 1000},
                                                      {"kind": "wechat", "amount_fen": due - 1000}]})
    assert sale.status_code == 201, sale.text
    return bill, sale.json()


def _coupon_status(container, code: str) -> str:  # type: ignore[no-untyped-def]
    with container.db.read() as s:
        return s.scalars(select(Coupon.status).where(Coupon.code == code)).one()


def test_a_till_sale_with_a_coupon_and_points_returned_whole_at_another_store_reverses_all_of_it(
        client, container, auth, till):
    c, customer = container, till.chain.customer
    ja, milk = till.chain.stores["jingan"], till.chain.skus["milk"]
    code = till.coupon_code  # its template restores it when the whole order comes back (the default)
    bill, sale = _sell(client, c, till, code, 200)
    assert _coupon_status(c, code) == "used"
    bootstrap.relay(c).drain()
    after_sale = loyalty.balance_of(c.db, customer)
    earned = after_sale - (1000 - 200)
    assert earned > 0  # the sale earned points on top of the 200 spent
    ja_terminal, _ = till_factory.add_till(c, ja, "T02")
    ja_session = tills.open_session(c, ja_terminal, float_fen=5000)
    receive(c, ja, milk, 1)
    before_ja = inventory.stock_of(c.db, ja, [milk])[milk].on_hand

    clerk_ja = auth.staff("clerk", store_id=ja)
    lines = client.get("/api/v1/returns/returnable", params={"order": sale["order_number"]}, headers=clerk_ja).json()
    assert sum(ln["paid_fen"] for ln in lines) == bill["subtotal_fen"] - (bill["discount_fen"] - bill["points_fen"])
    made = client.post("/api/v1/returns", headers=clerk_ja, json={
        "order_number": sale["order_number"], "reason_code": "changed_mind", "location_id": ja,
        "lines": [{"order_line_id": ln["order_line_id"], "quantity": ln["bought"]} for ln in lines]})
    assert made.status_code == 201, made.text
    rid = made.json()["id"]
    got = client.post(f"/api/v1/returns/{rid}/receive", headers=clerk_ja, json={
        "lines": [{"line_id": ln["id"], "resellable": ln["quantity"]} for ln in made.json()["lines"]]})
    assert got.status_code == 200, got.text
    assert inventory.stock_of(c.db, ja, [milk])[milk].on_hand == before_ja + 2
    done = client.post(f"/api/v1/returns/{rid}/refund", headers=clerk_ja)
    assert done.status_code == 200, done.text
    r = done.json()
    # the money back is what the tenders paid: the points' share comes back as points, not money
    assert r["refund_fen"] == bill["due_fen"] == sum(t["amount_fen"] for t in sale["tenders"])
    assert sorted((x["kind"], x["amount_fen"]) for x in r["refunds"]) == [("cash", 1000),
                                                                        ("wechat", bill["due_fen"] - 1000)]
    with c.db.read() as s:
        moves = s.scalars(select(TillCashMove).where(TillCashMove.session_id == ja_session)).all()
        assert [(m.kind, m.amount_fen) for m in moves] == [("refund", 1000)]
    bootstrap.relay(c).drain()
    assert [x["amount_fen"] for x in c.payments.refunds] == [bill["due_fen"] - 1000]
    # the points spent come back, the points earned go: the member has the 1000 they started with
    assert loyalty.balance_of(c.db, customer) == 1000
    assert _coupon_status(c, code) == "issued"  # the template restores the coupon on a whole return
    assert inventory.check(c.db).ok


def test_a_till_sale_with_points_returned_unit_by_unit_refunds_what_the_tenders_paid_and_every_point(
        client, container, auth, till):
    c = container
    _, sale = _sell(client, c, till, till.coupon_code, 300, "T01-2")
    paid = sum(t["amount_fen"] for t in sale["tenders"])
    clerk = till.headers
    lines = client.get("/api/v1/returns/returnable", params={"order": sale["order_number"]}, headers=clerk).json()
    refunded = 0
    for ln in lines:  # one unit at a time, each its own return
        for _ in range(ln["bought"]):
            made = client.post("/api/v1/returns", headers=clerk, json={
                "order_number": sale["order_number"], "reason_code": "quality",
                "lines": [{"order_line_id": ln["order_line_id"], "quantity": 1}]}).json()
            line_id = made["lines"][0]["id"]
            assert client.post(f"/api/v1/returns/{made['id']}/receive", headers=clerk,
                               json={"lines": [{"line_id": line_id, "damaged": 1}]}).status_code == 200
            r = client.post(f"/api/v1/returns/{made['id']}/refund", headers=clerk).json()
            refunded += r["refund_fen"]
            assert refunded <= paid
    assert refunded == paid
    bootstrap.relay(c).drain()  # every unit back: all the points spent come back, all the points earned go
    assert loyalty.balance_of(c.db, till.chain.customer) == 1000
    again = client.post("/api/v1/returns", headers=clerk, json={
        "order_number": sale["order_number"], "reason_code": "quality",
        "lines": [{"order_line_id": lines[0]["order_line_id"], "quantity": 1}]})
    assert again.status_code == 409
    assert inventory.check(c.db).ok
