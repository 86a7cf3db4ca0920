"""Store credit spent at the till through the till API, both databases: the member look-up by QR shows the
balance; a sale paid partly with it takes it off the balance (the tender on the receipt's sale); returned
whole at the store, the store-credit tender goes back to the store credit and the cash to the drawer. What an
attacker tries: spending a member's credit without their QR (found by phone, or by their customer id), more
than the balance, a huge or negative amount, someone else's credit with a QR of their own: refused, nothing
written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from o2o.inventory import service as inventory
from o2o.orders.models import Order
from o2o.returns import service as returns
from tests.factories import pos as till_factory
from tests.integration.pos.test_store_credit import give_credit

MILK, YOGURT = "6900000000000", "6900000000010"
CREDIT = 2_000


@pytest.fixture
def till(container, auth):  # type: ignore[no-untyped-def]
    t = till_factory.set_up(container, auth)
    give_credit(container, t.chain.customer, CREDIT)
    return t


def _orders(container) -> int:  # type: ignore[no-untyped-def]
    with container.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Order)) or 0)


def test_store_credit_pays_part_of_a_sale_with_the_member_qr_and_a_return_gives_it_back(client, container, till):
    c, h, member = container, till.headers, till.chain.customer
    qr = "O2O-MEMBER:" + customers.member_code(member, c.clock.now())
    found = client.get("/api/v1/pos/members", params={"code": qr}, headers=h).json()
    assert (found["present"], found["store_credit_fen"]) == (True, CREDIT)
    basket = {"lines": [{"barcode": MILK, "quantity": 2}, {"barcode": YOGURT}], "member_code": qr}
    due = client.post("/api/v1/pos/quotes", json=basket, headers=h).json()["due_fen"]
    assert due > CREDIT
    sale = client.post("/api/v1/pos/sales", headers=h, json={
        **basket, "till_sale_id": "T01-SC1", "tenders": [{"kind": "store_credit", "amount_fen": 1500},
                                                         {"kind": "cash", "amount_fen": due - 1500}]})
    assert sale.status_code == 201, sale.text
    assert sorted((t["kind"], t["amount_fen"]) for t in sale.json()["tenders"]) == [("cash", due - 1500),
                                                                                  ("store_credit", 1500)]
    assert returns.store_credit(c.db, member) == CREDIT - 1500
    receipt = client.get(f"/api/v1/pos/sales/{sale.json()['id']}/receipt", headers=h)
    assert receipt.status_code == 200 and 'data-tender="store_credit"' in receipt.text
    again = client.get("/api/v1/pos/members", params={"code": qr}, headers=h).json()
    assert again["store_credit_fen"] == CREDIT - 1500

    number = sale.json()["order_number"]
    lines = client.get("/api/v1/returns/returnable", params={"order": number}, headers=h).json()
    made = client.post("/api/v1/returns", headers=h, json={
        "order_number": number, "reason_code": "changed_mind",
        "lines": [{"order_line_id": ln["order_line_id"], "quantity": ln["bought"]} for ln in lines]}).json()
    assert client.post(f"/api/v1/returns/{made['id']}/receive", headers=h, json={
        "lines": [{"line_id": ln["id"], "resellable": ln["quantity"]} for ln in made["lines"]]}).status_code == 200
    done = client.post(f"/api/v1/returns/{made['id']}/refund", headers=h)
    assert done.status_code == 200, done.text
    assert sorted((x["kind"], x["amount_fen"]) for x in done.json()["refunds"]) == [("cash", due - 1500),
                                                                                  ("store_credit", 1500)]
    assert returns.store_credit(c.db, member) == CREDIT  # the credit spent is back, not paid out in money
    assert inventory.check(c.db).ok


def test_store_credit_is_refused_without_the_members_qr_beyond_the_balance_and_for_someone_else(
        client, container, till):
    c, h, member = container, till.headers, till.chain.customer
    qr = "O2O-MEMBER:" + customers.member_code(member, c.clock.now())
    one = {"lines": [{"barcode": MILK}]}
    due = client.post("/api/v1/pos/quotes", json={**one, "member_code": qr}, headers=h).json()["due_fen"]
    assert due < CREDIT
    credit = [{"kind": "store_credit", "amount_fen": due}]
    # found by phone (no QR): the look-up shows the member is not present, and the sale may not spend it
    by_phone = client.get("/api/v1/pos/members", params={"phone": "13800138000"}, headers=h).json()
    assert by_phone["present"] is False
    r = client.post("/api/v1/pos/sales", headers=h, json={**one, "customer_id": member, "till_sale_id": "A1",
                                                          "tenders": credit})
    assert r.status_code == 422 and "member_code" in r.text
    r = client.post("/api/v1/pos/sales", headers=h, json={**one, "till_sale_id": "A2", "tenders": credit})
    assert r.status_code == 422  # no member at all
    # someone else's QR with the member's id: refused; their own QR spends only their own (empty) credit
    other = customers.create(c.uow(), CustomerIn(name="李四", phone="13900139000")).id
    other_qr = "O2O-MEMBER:" + customers.member_code(other, c.clock.now())
    r = client.post("/api/v1/pos/sales", headers=h, json={**one, "customer_id": member, "member_code": other_qr,
                                                          "till_sale_id": "A3", "tenders": credit})
    assert r.status_code == 422
    r = client.post("/api/v1/pos/sales", headers=h, json={**one, "member_code": other_qr, "till_sale_id": "A4",
                                                          "tenders": credit})
    assert r.status_code == 409 and r.json()["type"].endswith("store-credit-short"), r.text
    # more than the balance: two milks paid all by credit when the balance covers one and a bit
    two = {"lines": [{"barcode": MILK, "quantity": 2}], "member_code": qr}
    due2 = client.post("/api/v1/pos/quotes", json=two, headers=h).json()["due_fen"]
    assert due2 > CREDIT
    r = client.post("/api/v1/pos/sales", headers=h, json={**two, "till_sale_id": "A5",
                                                          "tenders": [{"kind": "store_credit", "amount_fen": due2}]})
    assert r.status_code == 409 and r.json()["balance_fen"] == CREDIT
    for amount in (10**12, -due, 0):  # huge, negative, nothing
        r = client.post("/api/v1/pos/sales", headers=h, json={**one, "member_code": qr, "till_sale_id": "A6",
                                                              "tenders": [{"kind": "store_credit", "amount_fen": amount}]})
        assert r.status_code == 422, amount
    assert _orders(c) == 0 and returns.store_credit(c.db, member) == CREDIT and returns.store_credit(c.db, other) == 0
    ok = client.post("/api/v1/pos/sales", headers=h, json={**one, "member_code": qr, "till_sale_id": "A7",
                                                           "tenders": credit})
    assert ok.status_code == 201 and returns.store_credit(c.db, member) == CREDIT - due
