"""Till sales at the edges, on both databases: the member found by phone, member card or member QR (only
the QR marks them present, which lets their points be spent; the phone masked; someone unknown is 404; an
expired clerk token 401); the chain's automatic promotions apply at the till as online (an online-only one
does not); a gold member pays the gold price at the till as online (the bill and the sale's
lines name it); a bill the coupon takes to nothing is rung up with no tender (the API and POS-lite; before,
the API asked for a tender of more than 0 fen and POS-lite answered 500), a tender is still needed whenever
something is due, and POS-lite's form with a tampered till sale id is told so (422), never a 500; a till
sale id sent again with another sale (other tenders) is a 409 naming the first sale's order, not that
first sale answered as if the new one were recorded; in POS-lite, a member card number shaped like a member
code (M...-...) finds the member but does not mark them present (only their QR lets points be spent)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from o2o.customers import service as customers
from o2o.orders.models import Order
from o2o.pos.models import PosSale, Terminal
from o2o.promotions import service as promotions
from o2o.promotions.models import Coupon
from o2o.promotions.schemas import IssueIn
from tests.e2e.test_console_support import EN, post_form
from tests.e2e.test_tier_benefits import MILK as MILK_FEN
from tests.e2e.test_tier_benefits import _spent
from tests.factories import pos as till_factory
from tests.integration.promotions import flow

MILK, YOGURT = "6900000000000", "6900000000010"


def _free_coupon(container, customer_id: int) -> str:  # type: ignore[no-untyped-def]
    """A 免单 coupon: 50 yuan off any bill (it takes off at most the bill)."""
    t = flow.template(container, min_fen=0, off_fen=5000, name_zh="免单券", name_en="free")
    promotions.issue(container.uow(), t, IssueIn(customer_ids=[customer_id]))
    with container.db.read() as s:
        return str(s.scalar(select(Coupon.code).where(Coupon.template_id == t, Coupon.customer_id == customer_id)))


def _orders(container) -> int:  # type: ignore[no-untyped-def]
    with container.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Order)) or 0)


@pytest.fixture
def till(container, auth):  # type: ignore[no-untyped-def]
    return till_factory.set_up(container, auth)


def test_the_till_finds_a_member_by_phone_card_or_qr_and_only_the_qr_lets_points_be_spent(client, container, till):
    member, h = till.chain.customer, till.headers
    customers.add_identity(container.uow(), member, "pos_card", "88001234567")
    qr = "O2O-MEMBER:" + customers.member_code(member, container.clock.now())
    found = {how: client.get("/api/v1/pos/members", params=q, headers=h)
             for how, q in (("phone", {"phone": "13800138000"}), ("card", {"card": "88001234567"}), ("qr", {"code": qr}))}
    assert {how: r.status_code for how, r in found.items()} == {"phone": 200, "card": 200, "qr": 200}
    assert {how: r.json()["customer_id"] for how, r in found.items()} == dict.fromkeys(found, member)
    assert {how: r.json()["present"] for how, r in found.items()} == {"phone": False, "card": False, "qr": True}
    assert all(r.json()["phone"] == "138****8000" for r in found.values())
    for unknown in ({"phone": "13900000000"}, {"card": "00000000"}, {"code": "O2O-MEMBER:M1-0000000000000000"}):
        assert client.get("/api/v1/pos/members", params=unknown, headers=h).status_code == 404, unknown
    assert client.get("/api/v1/pos/members", params={"phone": "13800138000"},
                      headers={k: v for k, v in h.items() if k != "X-Api-Key"}).status_code == 401  # no till key
    container.clock.advance(minutes=container.settings.access_token_minutes + 1)  # the clerk's token expired
    late = client.get("/api/v1/pos/members", params={"phone": "13800138000"}, headers=h)
    assert late.status_code == 401 and late.headers["content-type"].startswith("application/problem+json")


def test_the_automatic_promotions_apply_at_the_till_and_an_online_only_one_does_not(client, container, till):
    flow.promotion(container, channel="online", name_zh="线上满50减20", name_en="online 20 off 50", min_fen=5_000,
                   off_fen=2_000)
    flow.promotion(container)  # 满100减10 on both channels
    basket = {"lines": [{"barcode": MILK, "quantity": 8}]}  # 103.20
    bill = client.post("/api/v1/pos/quotes", json=basket, headers=till.headers).json()
    assert [d["label_zh"] for d in bill["discounts"]] == ["满100减10"]
    assert (bill["subtotal_fen"], bill["due_fen"]) == (8 * MILK_FEN, 8 * MILK_FEN - 1_000)
    sale = client.post("/api/v1/pos/sales", headers=till.headers, json={
        **basket, "till_sale_id": "P-1", "tenders": [{"kind": "alipay", "amount_fen": bill["due_fen"]}]})
    assert sale.status_code == 201, sale.text
    assert sale.json()["total_fen"] == bill["due_fen"] and sale.json()["tenders"][0]["reference"].startswith("SBX")
    assert sum(ln["discount_fen"] for ln in sale.json()["lines"]) == 1_000  # spread on the line: what returns refund


def test_a_gold_member_pays_the_gold_price_at_the_till(client, container, till):
    _spent(container, till.chain.customer, 500_000)  # gold: 98% of list prices
    gold = (MILK_FEN * 98 + 50) // 100
    anyone = client.post("/api/v1/pos/quotes", json={"lines": [{"barcode": MILK}]}, headers=till.headers).json()
    assert anyone["lines"][0]["unit_price_fen"] == MILK_FEN and anyone["lines"][0]["price_tier"] is None
    basket = {"lines": [{"barcode": MILK, "quantity": 2}], "customer_id": till.chain.customer}
    bill = client.post("/api/v1/pos/quotes", json=basket, headers=till.headers).json()
    assert (bill["lines"][0]["unit_price_fen"], bill["lines"][0]["list_price_fen"]) == (gold, MILK_FEN)
    assert bill["lines"][0]["price_tier"] == "gold" and bill["due_fen"] == 2 * gold
    sale = client.post("/api/v1/pos/sales", headers=till.headers, json={
        **basket, "till_sale_id": "G-1", "tenders": [{"kind": "card", "amount_fen": 2 * gold}]})
    assert sale.status_code == 201, sale.text
    assert sale.json()["lines"][0]["unit_price_fen"] == gold and sale.json()["total_fen"] == 2 * gold


def test_a_bill_the_coupon_takes_to_nothing_is_rung_up_with_no_tender(client, container, till):
    basket = {"lines": [{"barcode": YOGURT}], "customer_id": till.chain.customer,
              "coupon_codes": [_free_coupon(container, till.chain.customer)]}
    bill = client.post("/api/v1/pos/quotes", json=basket, headers=till.headers).json()
    assert (bill["subtotal_fen"], bill["due_fen"]) == (890, 0)
    nothing_due = client.post("/api/v1/pos/sales", json={**basket, "till_sale_id": "F-1"}, headers=till.headers)
    assert nothing_due.status_code == 201, nothing_due.text
    sale = nothing_due.json()
    assert (sale["total_fen"], sale["tenders"], sale["change_fen"]) == (0, [], 0)
    receipt = client.get(f"/api/v1/pos/sales/{sale['id']}/receipt", headers=till.headers)
    assert receipt.status_code == 200 and sale["order_number"] in receipt.text
    # something due: a sale with no tender is refused naming the tenders, and nothing is sold
    due = client.post("/api/v1/pos/sales", json={"till_sale_id": "F-2", "lines": [{"barcode": MILK}]},
                      headers=till.headers)
    assert due.status_code == 422 and due.json()["errors"][0]["field"] == "tenders"
    assert _orders(container) == 1


def test_pos_lite_sells_a_bill_of_nothing_and_tells_a_tampered_sale_id(client, container, auth):
    till = till_factory.set_up(container, auth, open_till=False)
    base, clerk = f"/console/{till.store}", {**auth.staff("clerk", store_id=till.store), **EN}
    client.get(f"{base}/till", headers=clerk)  # the console's WEB till exists from the till page on
    with container.db.read() as s:
        web = s.scalar(select(Terminal.id).where(Terminal.location_id == till.store, Terminal.code == "WEB"))
    assert post_form(client, f"{base}/till/open", clerk, terminal_id=web, float_yuan="100").status_code == 303
    assert post_form(client, f"{base}/pos/add", clerk, barcode=YOGURT).status_code == 303
    tampered = post_form(client, f"{base}/pos/finish", clerk, till_sale_id="<script>", cash="8.90")
    assert tampered.status_code == 422 and 'data-line="' in tampered.text  # told, the basket kept
    assert _orders(container) == 0
    code = _free_coupon(container, till.chain.customer)
    assert post_form(client, f"{base}/pos/coupon", clerk, code=code).status_code == 303
    done = post_form(client, f"{base}/pos/finish", clerk, till_sale_id="WEB-free-1")
    assert done.status_code == 303, done.text
    with container.db.read() as s:
        sale = s.scalars(select(PosSale).where(PosSale.till_sale_id == "WEB-free-1")).one()
        order = s.get(Order, sale.order_id)
        assert (order.total_fen, order.customer_id, order.status) == (0, till.chain.customer, "completed")


def test_a_till_sale_id_used_again_for_another_sale_is_refused_not_answered_with_the_first(client, container, till):
    first = {"till_sale_id": "T01-0042", "lines": [{"barcode": MILK}], "tenders": [{"kind": "cash", "amount_fen": 1290}]}
    made = client.post("/api/v1/pos/sales", json=first, headers=till.headers)
    assert made.status_code == 201
    assert client.post("/api/v1/pos/sales", json=first, headers=till.headers).json()["id"] == made.json()["id"]
    other = {"till_sale_id": "T01-0042", "lines": [{"barcode": YOGURT}, {"barcode": MILK}],
             "tenders": [{"kind": "wechat", "amount_fen": 2180}]}  # the till's counter went back
    again = client.post("/api/v1/pos/sales", json=other, headers=till.headers)
    assert again.status_code == 409, again.text
    assert again.json()["type"].endswith("/till-sale-id-taken") and made.json()["order_number"] in again.text
    assert _orders(container) == 1 and container.payments.refunds == []


def test_pos_lite_marks_present_only_a_member_code_never_a_card_number_shaped_like_one(client, container, auth):
    till = till_factory.set_up(container, auth)
    base, clerk = f"/console/{till.store}", {**auth.staff("clerk", store_id=till.store), **EN}
    member = till.chain.customer
    customers.add_identity(container.uow(), member, "pos_card", "M-1001")
    assert post_form(client, f"{base}/pos/add", clerk, barcode=MILK).status_code == 303
    assert post_form(client, f"{base}/pos/member", clerk, q="M-1001").status_code == 303
    page = client.get(f"{base}/pos", headers=clerk).text
    assert f'data-member="{member}"' in page and "data-present" not in page  # the card found them, no more
    spend = post_form(client, f"{base}/pos/member", clerk, points="100")
    assert spend.status_code == 303
    refused = client.get(f"{base}/pos", headers=clerk)
    assert refused.status_code == 422 and "data-due" not in refused.text  # points need the member's QR
    code = "O2O-MEMBER:" + customers.member_code(member, container.clock.now())
    assert post_form(client, f"{base}/pos/member", clerk, scan=code).status_code == 303
    assert "data-present" in client.get(f"{base}/pos", headers=clerk).text
