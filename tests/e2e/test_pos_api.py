"""The till API end to end on both databases: a sale with the member's QR, a coupon and several tenders
is an order at the till's store (stock falls there, points are earned, the coupon is used once, no
fulfilment waits in the console's queue), its receipt prints as HTML and PDF; and what an attacker tries."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from o2o import bootstrap
from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from o2o.fulfillment import service as fulfillment
from o2o.inventory import service as inventory
from o2o.inventory.models import StockMovement
from o2o.loyalty import service as loyalty
from o2o.orders.models import Order
from o2o.pos import service as pos
from o2o.promotions.models import Coupon
from tests.factories import pos as till_factory
from tests.factories.auth import bearer

MILK = "6900000000000"  # the chain's barcodes: 69000000000{i}0
YOGURT = "6900000000010"


@pytest.fixture
def till(container, auth):  # type: ignore[no-untyped-def]
    return till_factory.set_up(container, auth)


def _sale(till, **kw):  # type: ignore[no-untyped-def]
    body = {"till_sale_id": "T01-0001", "lines": [{"barcode": MILK, "quantity": 2}, {"barcode": YOGURT}],
            "tenders": [{"kind": "cash", "amount_fen": 3470, "given_fen": 5000}]}
    body.update(kw)
    return body


def test_a_sale_with_the_member_qr_a_coupon_and_tenders_is_a_completed_pos_order(client, container, till):
    h, store, milk = till.headers, till.store, till.chain.skus["milk"]
    now = container.clock.now()
    qr = "O2O-MEMBER:" + customers.member_code(till.chain.customer, now)
    found = client.get("/api/v1/pos/members", params={"code": qr}, headers=h)
    assert found.status_code == 200 and found.json()["present"] is True
    assert found.json()["phone"] != "13800138000"  # masked
    item = client.get(f"/api/v1/pos/items/{MILK}", headers=h).json()
    assert item["sku_id"] == milk and item["price_fen"] == 1290 and item["available"] == 10
    basket = {"lines": [{"barcode": MILK, "quantity": 2}, {"barcode": YOGURT}], "member_code": qr,
              "coupon_codes": [till.coupon_code]}
    bill = client.post("/api/v1/pos/quotes", json=basket, headers=h).json()
    labels = [d["label_zh"] for d in bill["discounts"]]
    assert bill["subtotal_fen"] == 2 * 1290 + 890 and "满20减3" in labels
    due = bill["due_fen"]
    assert due == 3470 - 300
    # cash 20 yuan given for 10.00 of it, the rest by WeChat Pay through the sandbox adapter
    sale_body = {**basket, "till_sale_id": "T01-0001",
                 "tenders": [{"kind": "cash", "amount_fen": 1000, "given_fen": 2000},
                             {"kind": "wechat", "amount_fen": due - 1000}]}
    r = client.post("/api/v1/pos/sales", json=sale_body, headers={**h, "Idempotency-Key": "k-1"})
    assert r.status_code == 201, r.text
    sale = r.json()
    assert sale["total_fen"] == due and sale["change_fen"] == 1000 and sale["customer_id"] == till.chain.customer
    assert [t["kind"] for t in sale["tenders"]] == ["cash", "wechat"]
    assert sale["tenders"][1]["reference"].startswith("SBX")  # the adapter's transaction id
    # the order: channel pos, pickup at the till's store, completed; no fulfilment waits for it
    with container.db.read() as s:
        order = s.scalars(select(Order).where(Order.number == sale["order_number"])).one()
        assert (order.channel, order.mode, order.fulfil_location_id, order.status) == ("pos", "pickup", store,
                                                                                        "completed")
        moved = s.scalar(select(func.sum(StockMovement.quantity)).where(StockMovement.ref == order.number,
                                                                        StockMovement.kind == "pos_sale"))
        assert moved == -3
        coupon = s.scalars(select(Coupon).where(Coupon.code == till.coupon_code)).one()
        assert coupon.status == "used"
        order_id = order.id
    assert fulfillment.for_order(container.db, order_id) == []
    stock = inventory.stock_of(container.db, store, [milk])[milk]
    assert (stock.on_hand, stock.reserved) == (8, 0)
    with container.db.read() as s:
        assert [t.amount_fen for t in pos.tenders_of(s, order_id)] == [1000, due - 1000]
    # the relay: loyalty earns on order.completed
    bootstrap.relay(container).drain()
    assert loyalty.balance_of(container.db, till.chain.customer) > 0
    # a re-send (lost reply) answers the same sale; the same key with another body is refused
    again = client.post("/api/v1/pos/sales", json=sale_body, headers={**h, "Idempotency-Key": "k-1"})
    assert again.status_code == 201 and again.json()["id"] == sale["id"]
    same_till_id = client.post("/api/v1/pos/sales", json=sale_body, headers={**h, "Idempotency-Key": "k-2"})
    assert same_till_id.json()["id"] == sale["id"]
    other = client.post("/api/v1/pos/sales", json={**sale_body, "till_sale_id": "T01-0002"},
                        headers={**h, "Idempotency-Key": "k-1"})
    assert other.status_code == 422 and other.json()["type"].endswith("idempotency-conflict")
    # the coupon was used once: a second sale with it is refused
    second = client.post("/api/v1/pos/sales", json={**sale_body, "till_sale_id": "T01-0003",
                                                    "member_code": qr}, headers=h)
    assert second.status_code in (409, 422)
    with container.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Order).where(Order.channel == "pos")) == 1
    # the receipt: store, till, clerk, time, lines, the engine's discount labels, tenders, change, points, number
    html = client.get(f"/api/v1/pos/sales/{sale['id']}/receipt", headers=h)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    text = html.text
    for wanted in ("满20减3", sale["order_number"], "T01", "¥10.00", "XJH店", "微信支付"):
        assert wanted in text, wanted
    assert "data-points" in text
    pdf = client.get(f"/api/v1/pos/sales/{sale['id']}/receipt", params={"format": "pdf"}, headers=h)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and b"STSong-Light" in pdf.content


def test_tenders_that_do_not_add_up_or_huge_numbers_are_refused_and_nothing_is_sold(client, container, till):
    h = till.headers
    short = client.post("/api/v1/pos/sales", json=_sale(till, tenders=[{"kind": "cash", "amount_fen": 3000}]),
                        headers=h)
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "tenders"
    over = client.post("/api/v1/pos/sales", json=_sale(till, tenders=[{"kind": "card", "amount_fen": 3170},
                                                                       {"kind": "cash", "amount_fen": 1}]), headers=h)
    assert over.status_code == 422 and "tenders" in over.text
    for bad in ({"lines": [{"barcode": MILK, "quantity": 10**9}]},
                {"tenders": [{"kind": "cash", "amount_fen": 10**15}]},
                {"tenders": [{"kind": "cash", "amount_fen": 3470, "given_fen": 100}]},
                {"points": 10**30}, {"till_sale_id": "x" * 65}, {"tenders": [{"kind": "gold", "amount_fen": 3170}]}):
        assert client.post("/api/v1/pos/sales", json=_sale(till, **bad), headers=h).status_code == 422, bad
    with container.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 0
    ok = client.post("/api/v1/pos/sales", json=_sale(till), headers=h)
    assert ok.status_code == 201 and ok.json()["change_fen"] == 5000 - 3470


def test_the_till_refuses_forged_keys_other_stores_customers_and_someone_elses_member(client, container, auth, till):
    h, body = till.headers, _sale(till)
    clerk = {k: v for k, v in h.items() if k != "X-Api-Key"}
    cases = {
        "no key": (clerk, 401),
        "forged key": ({**clerk, "X-Api-Key": till.key[:-4] + "AAAA"}, 401),
        "key alone": (bearer(till.key), 401),
        "another store's clerk": ({**auth.staff("clerk", store_id=till.chain.stores["jingan"]),
                                   "X-Api-Key": till.key}, 403),
        "a customer": ({**auth.customer(till.chain.customer), "X-Api-Key": till.key}, 403),
        "a key without a till": ({**clerk, "X-Api-Key": auth.key(["pos:write"], store_id=till.store)[
            "Authorization"].split()[1]}, 403),
    }
    for name, (headers, status) in cases.items():
        r = client.post("/api/v1/pos/sales", json=body, headers=headers)
        assert r.status_code == status, (name, r.text)
    # someone else's member: their points need their QR; their coupon is not this member's
    other = customers.create(container.uow(), CustomerIn(name="李四", phone="13900139000")).id
    no_qr = client.post("/api/v1/pos/sales", json={**body, "customer_id": till.chain.customer, "points": 100},
                        headers=h)
    assert no_qr.status_code == 422 and no_qr.json()["errors"][0]["field"] == "member_code"
    theirs = client.post("/api/v1/pos/sales", json={**body, "customer_id": other, "coupon_codes": [till.coupon_code]},
                         headers=h)
    assert theirs.status_code == 422 and theirs.json()["errors"][0]["field"] == "coupon_codes[0]"
    stale_qr = client.post("/api/v1/pos/sales", json={**body, "member_code": f"M{other}-0000000000000000"},
                           headers=h)
    assert stale_qr.status_code == 422
    # another store's sale is not found through this till; a disabled till signs in no more
    sold = client.post("/api/v1/pos/sales", json=body, headers=h).json()
    jingan_id, jingan_key = till_factory.add_till(container, till.chain.stores["jingan"], "T01")
    jingan = {**auth.staff("clerk", store_id=till.chain.stores["jingan"]), "X-Api-Key": jingan_key}
    assert client.get(f"/api/v1/pos/sales/{sold['id']}/receipt", headers=jingan).status_code == 404
    assert client.get(f"/api/v1/pos/sales/{sold['id']}", headers=jingan).status_code == 404
    pos.set_terminal_disabled(container.uow(), till.terminal_id, True)
    assert client.post("/api/v1/pos/sales", json={**body, "till_sale_id": "T01-9"}, headers=h).status_code == 403
    with container.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 1
