"""Promotions and coupons on orders, through the API, on SQLite and PostgreSQL: a threshold promotion
applied and explained on the bill ("满30减5") with its discount spread over the lines in whole fen; the
quote showing what applies, what does not and why, and the wallet's coupons to pick; a coupon used once;
a coupon the basket does not qualify for refused (409) but explained in the quote; a 3 km coupon refused
at another store; points on top of a coupon (on what is still to pay); a cancelled order giving the
coupon back (restore) or not (forfeit); staff without the customer's member code cannot open the wallet."""

from __future__ import annotations

from o2o import bootstrap
from o2o.customers import service as customers
from tests.e2e.test_console_support import EN, ZH
from tests.factories.chain import build_chain, receive
from tests.integration.loyalty.flow import give
from tests.integration.orders.promo_rows import coupon, coupon_row, promotion, template

V1 = "/api/v1"
MILK, YOGURT = 1290, 890


def _chain(container):  # type: ignore[no-untyped-def]
    chain = build_chain(container)
    for store in ("xujiahui", "jingan"):
        for sku in ("milk", "yogurt", "cheese"):
            receive(container, chain.stores[store], chain.skus[sku], 40)
    return chain


def _body(chain, milk: int = 3, yogurt: int = 0, store: str = "xujiahui", **kw):  # type: ignore[no-untyped-def]
    lines = [{"sku_id": chain.skus["milk"], "quantity": milk}] if milk else []
    lines += [{"sku_id": chain.skus["yogurt"], "quantity": yogurt}] if yogurt else []
    return {"mode": "pickup", "location_id": chain.stores[store], "lines": lines} | kw


def _coupon_kind(container, coupon_id: int) -> str:  # type: ignore[no-untyped-def]
    return coupon_row(container, coupon_id).status


def test_threshold_promotion_applies_and_the_bill_explains_it_when_the_basket_reaches_it(client, container, auth):
    chain = _chain(container)
    pid = promotion(container)  # 满30减5
    me = auth.customer(chain.customer)
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, milk=2, yogurt=1))  # 25.80 + 8.90 = 34.70
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["subtotal_fen"] == 2 * MILK + YOGURT
    assert order["discount_fen"] == 500 and order["total_fen"] == 2 * MILK + YOGURT - 500
    assert order["discounts"] == [{"key": f"P{pid}", "kind": "threshold", "label_zh": "满30减5",
                                   "label_en": "¥5 off over ¥30", "amount_fen": 500}]
    # spread over the lines in proportion to what each pays, in whole fen, summing to the discount
    by_sku = {ln["sku_id"]: ln for ln in order["lines"]}
    assert by_sku[chain.skus["milk"]]["discount_fen"] == 372 and by_sku[chain.skus["yogurt"]]["discount_fen"] == 128
    again = client.get(f"{V1}/orders/{order['number']}", headers=me).json()
    assert again["discounts"] == order["discounts"] and again["discount_fen"] == 500
    assert sorted(ln["discount_fen"] for ln in again["lines"]) == [128, 372]
    # the storefront's order page explains it too, in the shopper's language
    page = client.get(f"/shop/orders/{order['number']}", headers={**me, **ZH}).text
    assert f'data-discount="P{pid}"><dt>满30减5</dt><dd>-¥5.00</dd>' in page
    page = client.get(f"/shop/orders/{order['number']}", headers={**me, **EN}).text
    assert f'data-discount="P{pid}"><dt>¥5 off over ¥30</dt>' in page
    # under the threshold: nothing off, nothing on the bill
    small = client.post(f"{V1}/orders", headers=me, json=_body(chain, milk=2)).json()
    assert small["discount_fen"] == 0 and small["discounts"] == [] and small["total_fen"] == 2 * MILK


def test_quote_shows_what_applies_what_does_not_and_the_coupons_to_pick(client, container, auth):
    chain = _chain(container)
    cheap = promotion(container)  # 满30减5
    far = promotion(container, min_fen=10_000, off_fen=2_000)  # 满100减20: not reached
    tid = template(container)  # 满20减3
    cid = coupon(container, tid, chain.customer)
    me = auth.customer(chain.customer)
    r = client.post(f"{V1}/quotes", headers=me, json=_body(chain, milk=3))  # 38.70
    assert r.status_code == 200, r.text
    q = r.json()
    assert {d["key"]: d["amount_fen"] for d in q["discounts"]} == {f"P{cheap}": 500, f"C{cid}": 300}
    assert q["discount_fen"] == 800 and q["total_fen"] == 3 * MILK - 800 and q["goods_discount_fen"] == 800
    assert {x["key"]: x["reason"] for x in q["rejected"]} == {f"P{far}": "threshold"}
    assert q["coupons"] == [{"coupon_id": cid, "key": f"C{cid}", "label_zh": "满20减3", "label_en": "¥3 off over ¥20",
                             "applied": True, "reason": None}]
    # the shopper takes the coupon off: quoted without it, still offered
    q = client.post(f"{V1}/quotes", headers=me, json=_body(chain, milk=3, coupon_ids=[])).json()
    assert [d["key"] for d in q["discounts"]] == [f"P{cheap}"] and q["total_fen"] == 3 * MILK - 500
    assert q["coupons"][0]["applied"] is False
    # quoting writes nothing: the coupon is still in the wallet
    assert _coupon_kind(container, cid) == "issued"


def test_a_coupon_is_used_once_and_then_is_not_usable_when_named_again(client, container, auth):
    chain = _chain(container)
    cid = coupon(container, template(container), chain.customer)
    me = auth.customer(chain.customer)
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, milk=2, coupon_ids=[cid]))  # 25.80
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["discounts"] == [{"key": f"C{cid}", "kind": "threshold", "label_zh": "满20减3",
                                   "label_en": "¥3 off over ¥20", "amount_fen": 300}]
    assert first["total_fen"] == 2 * MILK - 300
    used = coupon_row(container, cid)
    assert used.status == "used" and used.discount_fen == 300 and used.location_id == chain.stores["xujiahui"]
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, milk=2, coupon_ids=[cid]))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "coupon_ids", r.text
    # picked automatically: the used coupon is not there any more
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, milk=2))
    assert r.status_code == 201 and r.json()["discount_fen"] == 0


def test_a_named_coupon_the_basket_does_not_qualify_for_refuses_the_order_and_the_quote_says_why(
        client, container, auth):
    chain = _chain(container)
    cid = coupon(container, template(container), chain.customer)  # 满20减3
    me = auth.customer(chain.customer)
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, milk=1, coupon_ids=[cid]))  # 12.90
    assert r.status_code == 409, r.text
    assert r.json()["type"].endswith("/coupon-not-applicable")
    assert r.json()["coupons"] == [{"coupon_id": cid, "reason": "threshold"}]
    assert _coupon_kind(container, cid) == "issued"
    q = client.post(f"{V1}/quotes", headers=me, json=_body(chain, milk=1, coupon_ids=[cid])).json()
    assert q["discounts"] == [] and q["rejected"] == [{"key": f"C{cid}", "label_zh": "满20减3",
                                                       "label_en": "¥3 off over ¥20", "reason": "threshold"}]
    # without naming it, the order is placed and the coupon stays in the wallet
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, milk=1))
    assert r.status_code == 201 and r.json()["discount_fen"] == 0
    assert _coupon_kind(container, cid) == "issued"


def test_a_3_km_coupon_of_one_store_is_refused_at_another_store(client, container, auth):
    chain = _chain(container)
    tid = template(container, store_id=chain.stores["xujiahui"], radius_m=3000)
    cid = coupon(container, tid, chain.customer, store_id=chain.stores["xujiahui"])
    me = auth.customer(chain.customer)
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, milk=3, store="jingan", coupon_ids=[cid]))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "coupon_ids", r.text
    q = client.post(f"{V1}/quotes", headers=me, json=_body(chain, milk=3, store="jingan")).json()
    assert q["coupons"] == [] and q["discounts"] == []
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, milk=3, store="jingan"))
    assert r.status_code == 201 and r.json()["discount_fen"] == 0
    assert _coupon_kind(container, cid) == "issued"
    # at its own store it applies (picked from the wallet)
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, milk=3))
    assert r.status_code == 201 and [d["key"] for d in r.json()["discounts"]] == [f"C{cid}"]
    assert _coupon_kind(container, cid) == "used"


def test_points_pay_part_of_what_is_still_to_pay_after_the_coupon(client, container, auth):
    chain = _chain(container)
    cid = coupon(container, template(container), chain.customer)  # 满20减3
    give(container, chain.customer, 10_000)
    me = auth.customer(chain.customer)
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, milk=3, points=300, coupon_ids=[cid],
                                                                 customer_id=chain.customer))
    assert r.status_code == 201, r.text
    order = r.json()
    kinds = {d["kind"]: d["amount_fen"] for d in order["discounts"]}
    assert kinds["threshold"] == 300 and kinds["points"] > 0
    assert order["discount_fen"] == 300 + kinds["points"] == sum(d["amount_fen"] for d in order["discounts"])
    assert order["total_fen"] == 3 * MILK - order["discount_fen"]
    assert sum(ln["discount_fen"] for ln in order["lines"]) == 300  # points are the bill's, not the lines'


def test_staff_without_the_customers_member_code_cannot_use_their_coupons(client, container, auth):
    chain = _chain(container)
    cid = coupon(container, template(container), chain.customer)
    clerk = auth.staff("store_manager", store_id=chain.stores["xujiahui"])
    body = _body(chain, milk=3, customer_id=chain.customer)
    r = client.post(f"{V1}/orders", headers=clerk, json=body | {"coupon_ids": [cid]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "member_code", r.text
    r = client.post(f"{V1}/orders", headers=clerk, json=body)  # the wallet stays shut
    assert r.status_code == 201 and r.json()["discount_fen"] == 0
    assert _coupon_kind(container, cid) == "issued"
    shown = customers.member_code(chain.customer, container.clock.now())
    r = client.post(f"{V1}/orders", headers=clerk, json=body | {"member_code": shown})
    assert r.status_code == 201 and [d["key"] for d in r.json()["discounts"]] == [f"C{cid}"]


def test_a_cancelled_order_gives_a_restore_coupon_back_and_voids_a_forfeit_one(client, container, auth):
    chain = _chain(container)
    kept = coupon(container, template(container, on_cancel="restore"), chain.customer)
    lost = coupon(container, template(container, on_cancel="forfeit", min_fen=1000, off_fen=100), chain.customer)
    me = auth.customer(chain.customer)
    relay = bootstrap.relay(container)
    numbers = []
    for cid in (kept, lost):
        r = client.post(f"{V1}/orders", headers=me, json=_body(chain, milk=2, coupon_ids=[cid]))
        assert r.status_code == 201, r.text
        numbers.append(r.json()["number"])
    assert {_coupon_kind(container, kept), _coupon_kind(container, lost)} == {"used"}
    for number in numbers:
        assert client.post(f"{V1}/orders/{number}/cancel", headers=me, json={"reason_code": "changed_mind"}
                           ).status_code == 200
    relay.drain()
    assert _coupon_kind(container, kept) == "issued" and coupon_row(container, kept).order_id is None
    assert _coupon_kind(container, lost) == "void"
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, milk=2, coupon_ids=[kept]))
    assert r.status_code == 201 and r.json()["discount_fen"] == 300



def test_placing_with_50_live_promotions_costs_one_wallet_read_and_two_inserts(container):
    import re

    from sqlalchemy import event

    from o2o.orders import service as orders
    from o2o.orders.schemas import OrderIn

    chain = _chain(container)
    for i in range(49):  # limited-time prices of other SKUs, and thresholds the basket does not reach
        promotion(container, kind="sale_price", sku_ids=[10_000 + i], price_fen=100) if i % 2 else promotion(
            container, min_fen=100_000 + i, off_fen=1_000, group_code="manjian")
    pid = promotion(container, group_code="manjian")  # 满30减5: applies
    data = OrderIn(customer_id=chain.customer, mode="pickup", location_id=chain.stores["xujiahui"],
                   lines=[{"sku_id": chain.skus["milk"], "quantity": 3}])
    orders.place(container.uow(), data, orders.OrderPolicy())  # warms the process's live promotions
    seen: list[str] = []

    def log(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()))

    event.listen(container.db.engine, "before_cursor_execute", log)
    try:
        out = orders.place(container.uow(), data, orders.OrderPolicy())
    finally:
        event.remove(container.db.engine, "before_cursor_execute", log)
    assert [d.key for d in out.discounts] == [f"P{pid}"]

    def count(pattern: str) -> int:
        return sum(1 for st in seen if re.search(pattern, st))

    assert count(r"FROM promotion\b(?!_)") == 0  # cached for the process (5 s)
    assert count(r"FROM coupon\b(?!_)") == 1  # the wallet: its ids, nothing more when it is empty
    assert count(r"^INSERT INTO order_discount") == 1 and count(r"^INSERT INTO promotion_use") == 1
    assert count(r"^UPDATE (promotion|coupon)") == 0  # no budget, no coupon: nothing to spend


def test_a_short_pick_refunds_what_the_missing_units_paid_after_the_discount(client, container, auth):
    from tests.e2e.test_console_support import paid_pickup, post_form, relay, shop

    s = shop(container, auth)
    promotion(container)  # 满30减5
    number, fid = paid_pickup(client, s, quantity=3)  # 3 x 12.90 = 38.70, 5.00 off: 33.70 paid
    placed = client.get(f"{V1}/orders/{number}", headers=s.customer).json()
    assert placed["total_fen"] == 3 * MILK - 500 and placed["lines"][0]["discount_fen"] == 500
    post_form(client, f"/console/{s.store}/fulfillments/{fid}/lines/{s.milk}/short", s.clerk, found=1)
    relay(container)
    assert post_form(client, f"/console/{s.store}/fulfillments/{fid}/accept-partial", s.manager).status_code == 303
    order = client.get(f"{V1}/orders/{number}", headers=s.customer).json()
    # 33.70 over 3 units: 11.24 + 11.23 + 11.23; the 2 missing units give back 22.47, the one kept paid 11.23
    line = order["lines"][0]
    assert (line["quantity"], line["line_total_fen"], line["discount_fen"]) == (1, MILK, MILK - 1123)
    assert (order["subtotal_fen"], order["discount_fen"], order["total_fen"]) == (MILK, MILK - 1123, 1123)
    bootstrap.relay(container).drain()
    assert [r["amount_fen"] for r in container.payments.refunds] == [3 * MILK - 500 - 1123]
