"""Issue 10 reviewed from the outside, over HTTP on both databases: as an attacker (absurd campaign bodies,
someone else's coupons, coupons of another store, the same coupon named twice, cancelling twice), as a crash
(a placing that dies after the coupon's UPDATE, the relay's release delivered twice) and as an accountant
(the bill adds up, the results page equals what the orders say); and the claim refusals' stable codes."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fastapi.testclient import TestClient

from o2o import bootstrap
from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from o2o.kernel.outbox import Delivery
from o2o.main import create_app
from o2o.promotions import checkout, codes, handlers
from o2o.promotions.models import CouponTemplate, Promotion
from tests.e2e.test_coupon_checkout import _total
from tests.e2e.test_coupons_api import _promotion_body, _template_body
from tests.e2e.test_shop_pages import choose_store, shop_chain, sign_in, text
from tests.factories.chain import SONGJIANG, XUJIAHUI_NEAR, build_chain, receive
from tests.integration.orders.promo_rows import coupon, coupon_row, promotion, spent, template

V1 = "/api/v1"
MILK, YOGURT = 1290, 890


def _chain(container):  # type: ignore[no-untyped-def]
    chain = build_chain(container)
    for store in ("xujiahui", "jingan"):
        for sku in ("milk", "yogurt"):
            receive(container, chain.stores[store], chain.skus[sku], 40)
    return chain


def _body(chain, milk: int = 3, yogurt: int = 0, store: str = "xujiahui", **kw):  # type: ignore[no-untyped-def]
    lines = [{"sku_id": chain.skus["milk"], "quantity": milk}] if milk else []
    lines += [{"sku_id": chain.skus["yogurt"], "quantity": yogurt}] if yogurt else []
    return {"mode": "pickup", "location_id": chain.stores[store], "lines": lines} | kw


def test_absurd_campaign_bodies_are_refused(client, container, auth):
    build_chain(container)
    op = auth.staff("operator")
    now = container.clock.now()
    bad_templates = [
        {"kind": "percent", "pct_off": 200, "min_fen": 0, "off_fen": 0},
        {"kind": "percent", "pct_off": 0, "min_fen": 0, "off_fen": 0},
        {"kind": "percent", "pct_off": -5, "min_fen": 0, "off_fen": 0},
        {"off_fen": 30_000},  # more off than the threshold
        {"off_fen": -1},
        {"min_fen": 10**13},
        {"budget_fen": 0},
        {"per_customer_limit": 0},
        {"total_qty": 0},
        {"valid_days": 0},
        {"radius_m": 0},
        {"claim_from": now.isoformat(), "claim_until": (now - timedelta(days=1)).isoformat()},
        {"valid_days": None, "valid_from": now.isoformat(), "valid_until": (now - timedelta(hours=1)).isoformat()},
        {"kind": "buy_x_get_y", "buy": 2, "get": 1},  # for automatic promotions only
        {"store_id": 2**63 - 1},
    ]
    for over in bad_templates:
        r = client.post(f"{V1}/coupon-templates", headers=op, json=_template_body(container, **over))
        assert r.status_code == 422, (over, r.text)
    bad_promotions = [
        {"kind": "percent", "pct_off": 101},
        {"kind": "nth_discount", "nth": 1, "pct_off": 50},
        {"kind": "sale_price", "price_fen": 100},  # no SKUs
        {"off_fen": 20_000},
        {"budget_fen": 0},
        {"starts_at": now.isoformat(), "ends_at": now.isoformat()},
        {"starts_at": "2026-11-24T10:00:00"},  # no zone
    ]
    for over in bad_promotions:
        r = client.post(f"{V1}/promotions", headers=op, json=_promotion_body(container, **over))
        assert r.status_code == 422, (over, r.text)
    assert client.get(f"{V1}/coupon-templates", headers=op).json() == []
    assert client.get(f"{V1}/promotions", headers=op).json() == []


def test_claim_refusals_carry_a_stable_code(client, container, auth):
    chain = build_chain(container)
    op = auth.staff("operator")
    xjh = chain.stores["xujiahui"]

    def make(**kw):  # type: ignore[no-untyped-def]
        r = client.post(f"{V1}/coupon-templates", headers=op, json=_template_body(container, **kw))
        assert r.status_code == 201, r.text
        return r.json()["id"]

    gold = make(tier_codes=["gold", "diamond"])
    lbs = make(store_id=xjh)
    one = make(total_qty=1, per_customer_limit=1)
    two = make(total_qty=2, per_customer_limit=1)
    far = customers.create(container.uow(), CustomerIn(name="远方", phone="13900000001", home_lat=SONGJIANG[0],
                                                       home_lng=SONGJIANG[1])).id
    nowhere = customers.create(container.uow(), CustomerIn(name="无家", phone="13900000003")).id
    me = auth.customer(chain.customer)

    def refused(headers, template_id: int) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
        r = client.post(f"{V1}/coupons/claim", headers=headers, json={"template_id": template_id})
        return r.status_code, r.json()["type"].rsplit("/", 1)[1], r.json().get("code")

    assert refused(me, gold) == (403, "not-eligible", "not-your-tier")
    assert refused(auth.customer(far), lbs) == (403, "not-eligible", "too-far")
    assert refused(auth.customer(nowhere), lbs) == (403, "not-eligible", "no-location")
    assert client.post(f"{V1}/coupons/claim", headers=me, json={"template_id": one}).status_code == 201
    assert client.post(f"{V1}/coupons/claim", headers=me, json={"template_id": two}).status_code == 201
    assert refused(me, two) == (409, "claim-limit", "limit-reached")
    assert refused(auth.customer(far), one) == (409, "coupons-sold-out", "gone")
    # (the coupon centre's page reads these codes: tests/e2e/test_coupon_pages.py shows its texts)


def test_the_storefront_quotes_at_the_containers_clock(client, container, auth):
    """A promotion live only around the app's clock (not the machine's) is on the checkout page's bill, as
    it is on the order placed."""
    chain = shop_chain(container)
    store = chain.stores["xujiahui"]
    receive(container, store, chain.skus["milk"], 20)
    now = container.clock.now()
    promotion(container, starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(minutes=30),
              label_zh="限时满30减5", label_en="5 off 30 now")
    choose_store(client, store, XUJIAHUI_NEAR)
    sign_in(client, container, chain.customer)
    cart.add(container.uow(), Owner(customer_id=chain.customer), chain.skus["milk"], 3)
    r = client.get("/shop/checkout")
    assert r.status_code == 200
    assert "限时满30减5" in text(r.text) and _total(r.text) == 3 * MILK - 500


def test_the_same_coupon_twice_in_one_order_is_refused_and_stays_unused(client, container, auth):
    chain = _chain(container)
    cid = coupon(container, template(container), chain.customer)  # 满20减3
    me = auth.customer(chain.customer)
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, milk=3, coupon_ids=[cid, cid, cid]))
    assert r.status_code == 422, r.text
    assert coupon_row(container, cid).status == "issued"
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, milk=3, coupon_ids=[cid]))
    assert r.status_code == 201 and [d["amount_fen"] for d in r.json()["discounts"]] == [300]


def test_a_coupon_of_another_customer_or_an_unknown_or_huge_id_in_an_order_is_refused(client, container, auth):
    chain = _chain(container)
    other = customers.create(container.uow(), CustomerIn(name="别人", phone="13900000002")).id
    theirs = coupon(container, template(container), other)
    me = auth.customer(chain.customer)
    for ids in ([theirs], [theirs + 1000], [2**63 - 1]):
        r = client.post(f"{V1}/orders", headers=me, json=_body(chain, coupon_ids=ids))
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "coupon_ids", (ids, r.text)
    for ids in ([2**63], [-1], [0], ["x"]):
        assert client.post(f"{V1}/orders", headers=me, json=_body(chain, coupon_ids=ids)).status_code == 422
    assert coupon_row(container, theirs).status == "issued"


def test_a_clerk_cannot_redeem_a_coupon_scoped_to_another_store_nor_an_online_one(client, container, auth):
    chain = _chain(container)
    xjh, jingan = chain.stores["xujiahui"], chain.stores["jingan"]
    scoped = coupon(container, template(container, location_ids=[jingan], kind="gift", gift_sku_id=chain.skus["milk"],
                                        min_fen=0, off_fen=0), chain.customer, code=codes.new_code())
    online = coupon(container, template(container, channel="online", kind="gift", gift_sku_id=chain.skus["milk"],
                                        min_fen=0, off_fen=0), chain.customer, code=codes.new_code())
    clerk = auth.staff("clerk", store_id=xjh)
    code = coupon_row(container, scoped).code
    assert client.get(f"{V1}/coupons/lookup/{code}", headers=clerk).status_code == 404
    assert client.post(f"{V1}/coupons/redeem", headers=clerk, json={"code": code}).status_code == 404
    r = client.post(f"{V1}/coupons/redeem", headers=clerk, json={"code": coupon_row(container, online).code})
    assert r.status_code == 409 and r.json()["type"].endswith("/coupon-not-redeemable")
    assert {coupon_row(container, scoped).status, coupon_row(container, online).status} == {"issued"}
    there = auth.staff("clerk", store_id=jingan)
    assert client.post(f"{V1}/coupons/redeem", headers=there, json={"code": code}).status_code == 201


def test_a_placing_that_dies_after_the_coupon_update_leaves_the_coupon_and_budget_untouched(
        container, auth, monkeypatch):
    chain = _chain(container)
    tid = template(container, budget_fen=10_000)
    cid = coupon(container, tid, chain.customer)
    me = auth.customer(chain.customer)
    real = checkout.redeem

    def dies(*args, **kw):  # type: ignore[no-untyped-def]
        real(*args, **kw)
        raise RuntimeError("the process died before COMMIT")

    monkeypatch.setattr(checkout, "redeem", dies)
    with TestClient(create_app(container), raise_server_exceptions=False) as crashing:
        r = crashing.post(f"{V1}/orders", headers=me, json=_body(chain, coupon_ids=[cid]))
    assert r.status_code == 500
    assert coupon_row(container, cid).status == "issued" and coupon_row(container, cid).order_id is None
    assert spent(container, CouponTemplate, tid) == 0
    monkeypatch.setattr(checkout, "redeem", real)
    with TestClient(create_app(container)) as ok:
        r = ok.post(f"{V1}/orders", headers=me, json=_body(chain, coupon_ids=[cid]))
    assert r.status_code == 201 and r.json()["discount_fen"] == 300
    assert spent(container, CouponTemplate, tid) == 300


def test_cancelling_twice_and_the_release_delivered_twice_give_back_once(client, container, auth):
    chain = _chain(container)
    tid = template(container, budget_fen=1_000)
    cid = coupon(container, tid, chain.customer)
    pid = promotion(container, budget_fen=5_000)  # 满30减5
    me = auth.customer(chain.customer)
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, coupon_ids=[cid]))
    assert r.status_code == 201, r.text
    first = r.json()
    first_id = coupon_row(container, cid).order_id
    assert spent(container, CouponTemplate, tid) == 300
    assert spent(container, Promotion, pid) == 500
    assert client.post(f"{V1}/orders/{first['number']}/cancel", headers=me).status_code == 200
    assert client.post(f"{V1}/orders/{first['number']}/cancel", headers=me).status_code == 409
    relay = bootstrap.relay(container)
    relay.drain()
    relay.drain()
    assert coupon_row(container, cid).status == "issued"
    assert spent(container, CouponTemplate, tid) == 0 and spent(container, Promotion, pid) == 0
    # the coupon is used again by a second order; the first order's release delivered again (a crashed relay
    # re-sending it) gives nothing back: not the coupon of the second order, not its budget
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, coupon_ids=[cid]))
    assert r.status_code == 201, r.text
    second_id = coupon_row(container, cid).order_id
    again = Delivery(id=10**9, topic="order.cancelled", payload={"order_id": first_id}, clock=container.clock)
    for _ in range(2):
        with container.uow() as uow:
            handlers.release(uow.session, again)
            uow.commit()
    row = coupon_row(container, cid)
    assert row.status == "used" and row.order_id == second_id
    assert spent(container, CouponTemplate, tid) == 300 and spent(container, Promotion, pid) == 500
    # results: only the live uses count
    op = auth.staff("operator")
    res = client.get(f"{V1}/coupon-templates/{tid}/results", headers=op).json()
    assert (res["issued"], res["redeemed"], res["orders"], res["cost_fen"], res["gmv_fen"]) == (
        1, 1, 1, 300, r.json()["total_fen"])


def test_the_bill_adds_up_and_the_results_equal_what_the_orders_say(client, container, auth):
    chain = _chain(container)
    yogurt = chain.skus["yogurt"]
    p_half = promotion(container, kind="nth_discount", nth=2, pct_off=50, min_fen=0, off_fen=0,
                       sku_ids=[yogurt], label_zh="", label_en="")
    p_pct = promotion(container, kind="percent", pct_off=15, cap_fen=700, min_fen=0, off_fen=0, group_code="pct")
    p_thr = promotion(container, min_fen=3000, off_fen=500, repeat=True)  # 每满30减5
    tid = template(container, kind="percent", pct_off=10, min_fen=1000, off_fen=0, cap_fen=0)
    op = auth.staff("operator")
    me = auth.customer(chain.customer)
    orders_seen = []
    for n, (m, y) in enumerate([(1, 0), (3, 2), (7, 5), (2, 9), (11, 1)]):
        cid = coupon(container, tid, chain.customer)
        r = client.post(f"{V1}/orders", headers=me, json=_body(chain, milk=m, yogurt=y, coupon_ids=[cid] if n % 2 else None))
        assert r.status_code == 201, r.text
        o = r.json()
        orders_seen.append(o)
        subtotal = m * MILK + y * YOGURT
        assert o["subtotal_fen"] == subtotal
        goods = sum(ln["discount_fen"] for ln in o["lines"])
        assert goods == sum(d["amount_fen"] for d in o["discounts"] if d["kind"] not in ("points", "free_delivery"))
        assert o["discount_fen"] == sum(d["amount_fen"] for d in o["discounts"])
        assert o["total_fen"] == subtotal + o.get("delivery_fee_fen", 0) - o["discount_fen"] >= 0
        for ln in o["lines"]:
            assert 0 <= ln["discount_fen"] <= ln["quantity"] * ln["unit_price_fen"], ln
    assert max(len(o["discounts"]) for o in orders_seen) >= 3  # rules stacked on one bill
    # the results of each rule equal the sums over the orders' bills
    for key, url in ((f"P{p_half}", f"promotions/{p_half}"), (f"P{p_pct}", f"promotions/{p_pct}"),
                     (f"P{p_thr}", f"promotions/{p_thr}"), (f"T{tid}", f"coupon-templates/{tid}")):
        if key.startswith("T"):
            mine = [(o, d) for o in orders_seen for d in o["discounts"] if d["key"].startswith("C")]
        else:
            mine = [(o, d) for o in orders_seen for d in o["discounts"] if d["key"] == key]
        res = client.get(f"{V1}/{url}/results", headers=op).json()
        assert res["cost_fen"] == sum(d["amount_fen"] for _, d in mine), key
        assert res["orders"] == len({o["number"] for o, _ in mine}), key
        assert res["gmv_fen"] == sum({o["number"]: o["total_fen"] for o, _ in mine}.values()), key


def test_a_crowd_at_the_tills_and_in_the_centre_never_passes_a_budget_or_a_quantity_and_never_fails(
        client, container, auth):
    chain = _chain(container)
    xjh = chain.stores["xujiahui"]
    op = auth.staff("operator")
    # 20 coupons of a 满200减30 campaign with a budget for 5 discounts, redeemed at 4 tills at once
    tid = client.post(f"{V1}/coupon-templates", headers=op,
                      json=_template_body(container, budget_fen=15_000, per_customer_limit=20)).json()["id"]
    issued = [codes.new_code() for _ in range(20)]
    for code in issued:
        coupon(container, tid, chain.customer, code=code)
    tills = [auth.staff("clerk", store_id=xjh) for _ in range(4)]

    def redeem(n: int):  # type: ignore[no-untyped-def]
        return client.post(f"{V1}/coupons/redeem", headers=tills[n % 4], json={"code": issued[n], "bill_fen": 25_000})

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(redeem, range(20)))
    outcome = Counter((r.status_code, r.json().get("type", "").rsplit("/", 1)[-1]) for r in answers)
    assert outcome == {(201, ""): 5, (409, "budget-exhausted"): 15}, [r.text for r in answers if r.status_code >= 500]
    assert spent(container, CouponTemplate, tid) == 15_000
    wallet = client.get(f"{V1}/me/coupons", headers=auth.customer(chain.customer)).json()
    assert (len(wallet["used"]), len(wallet["usable"])) == (5, 15)
    # 40 shoppers claim the last 7 of a campaign at once: 7 claimed, the rest told it is gone
    last = client.post(f"{V1}/coupon-templates", headers=op, json=_template_body(container, total_qty=7)).json()["id"]
    crowd = [customers.create(container.uow(), CustomerIn(name=f"抢{i}", phone=f"1391111{i:04d}")).id
             for i in range(40)]

    def grab(cid: int):  # type: ignore[no-untyped-def]
        return client.post(f"{V1}/coupons/claim", headers=auth.customer(cid), json={"template_id": last})

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(grab, crowd))
    outcome = Counter((r.status_code, None if r.status_code == 201 else r.json().get("code")) for r in answers)
    assert outcome == {(201, None): 7, (409, "gone"): 33}, outcome
    assert client.get(f"{V1}/coupon-templates/{last}", headers=op).json()["issued_qty"] == 7


def test_one_order_cancelled_from_many_places_at_once_gives_the_coupon_back_once(client, container, auth):
    chain = _chain(container)
    tid = template(container, budget_fen=900)
    cid = coupon(container, tid, chain.customer)
    me = auth.customer(chain.customer)
    number = client.post(f"{V1}/orders", headers=me, json=_body(chain, coupon_ids=[cid])).json()["number"]
    staff = auth.staff("store_manager", store_id=chain.stores["xujiahui"])

    def cancel(n: int):  # type: ignore[no-untyped-def]
        return client.post(f"{V1}/orders/{number}/cancel", headers=me if n % 2 else staff, json={"reason": "x"})

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(cancel, range(6)))
    assert sorted(r.status_code for r in answers) == [200] + [409] * 5, [r.text for r in answers]
    relay = bootstrap.relay(container)

    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(lambda _: relay.drain(), range(3)))
    assert coupon_row(container, cid).status == "issued" and spent(container, CouponTemplate, tid) == 0
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, coupon_ids=[cid]))
    assert r.status_code == 201 and spent(container, CouponTemplate, tid) == 300


def test_a_coupon_whose_campaign_budget_is_spent_does_not_block_the_shoppers_orders(client, container, auth):
    """The wallet still holds coupons of a campaign whose budget ran out: placing without naming coupons (the
    engine picks) is placed without them, never refused 409 budget-exhausted; naming one is refused."""
    chain = _chain(container)
    spent_out = template(container, budget_fen=300, per_customer_limit=3)
    partly = template(container, budget_fen=500, min_fen=1000, off_fen=400, per_customer_limit=3,
                      group_code="other")  # 满10减4, 500 budget: one use leaves 100
    a, b, c = (coupon(container, spent_out, chain.customer) for _ in range(3))
    d, e = (coupon(container, partly, chain.customer) for _ in range(2))
    me = auth.customer(chain.customer)
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, coupon_ids=[a, d]))
    assert r.status_code == 201 and r.json()["discount_fen"] == 700, r.text
    assert spent(container, CouponTemplate, spent_out) == 300 and spent(container, CouponTemplate, partly) == 400
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain))
    assert r.status_code == 201, r.text
    assert r.json()["discount_fen"] == 0
    with container.db.read() as s:  # the spent campaign's coupons are not offered any more
        offered = checkout.usable_coupons(s, chain.customer, "h5", container.clock.now())
    assert {c.id for c, _ in offered} == {e}
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, coupon_ids=[b]))
    assert r.status_code in (409, 422), r.text
    assert {coupon_row(container, x).status for x in (b, c, e)} == {"issued"}
    assert spent(container, CouponTemplate, spent_out) == 300 and spent(container, CouponTemplate, partly) == 400


def test_an_order_that_expires_and_is_paid_late_refunds_and_the_coupon_is_back_once(client, container, clock, auth):
    from o2o.orders import service as orders

    chain = _chain(container)
    tid = template(container, budget_fen=1_000)
    cid = coupon(container, tid, chain.customer)
    me = auth.customer(chain.customer)
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, coupon_ids=[cid]))
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    payment = client.post(f"{V1}/orders/{number}/payments", headers=me).json()
    clock.advance(minutes=31)
    assert orders.expire_unpaid(container.db, container.uow) == 1
    relay = bootstrap.relay(container)
    relay.drain()
    assert coupon_row(container, cid).status == "issued" and spent(container, CouponTemplate, tid) == 0
    r = client.post(f"{V1}/sandbox/payments/{payment['out_trade_no']}/complete")
    assert r.status_code == 200 and r.json().get("refund") is True
    relay.drain()
    me = auth.customer(chain.customer)
    assert client.get(f"{V1}/orders/{number}", headers=me).json()["status"] == "expired"
    assert [x["out_trade_no"] for x in container.payments.refunds] == [payment["out_trade_no"]]
    assert coupon_row(container, cid).status == "issued" and spent(container, CouponTemplate, tid) == 0
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, coupon_ids=[cid]))
    assert r.status_code == 201 and r.json()["discount_fen"] == 300
    assert spent(container, CouponTemplate, tid) == 300


def test_forged_or_missing_tokens_reach_no_coupon(client, container, auth):
    chain = _chain(container)
    code = codes.new_code()
    coupon(container, template(container), chain.customer, code=code)
    good = auth.customer(chain.customer)["Authorization"]
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    for headers in ({}, {"Authorization": forged}, {"Authorization": "Bearer x.y.z"}):
        assert client.get(f"{V1}/me/coupons", headers=headers).status_code == 401
        assert client.post(f"{V1}/coupons/claim", headers=headers, json={"template_id": 1}).status_code == 401
        assert client.get(f"{V1}/coupons/lookup/{code}", headers=headers).status_code == 401
        assert client.post(f"{V1}/coupons/redeem", headers=headers, json={"code": code}).status_code == 401
    assert coupon_row(container, 1).status == "issued"


def test_an_absurd_bill_typed_in_the_console_is_asked_again_not_a_server_error(client, container, auth):
    from tests.e2e.test_console_support import post_form

    chain = _chain(container)
    store = chain.stores["xujiahui"]
    code = codes.new_code()
    cid = coupon(container, template(container), chain.customer, code=code)  # 满20减3
    clerk = auth.staff("clerk", store_id=store)
    with TestClient(create_app(container), raise_server_exceptions=False) as safe:
        for bill in ("999999999", "999999999.99", "100000001"):
            r = post_form(safe, f"/console/{store}/coupons/redeem", clerk, code=code, bill=bill, idem="q" * 20)
            assert r.status_code == 422, (bill, r.status_code)
    assert coupon_row(container, cid).status == "issued"
    r = post_form(client, f"/console/{store}/coupons/redeem", clerk, code=code, bill="25", idem="r" * 20)
    assert r.status_code == 303 and "off=300" in r.headers["location"]


def test_a_crowd_of_orders_auto_picking_coupons_of_one_budget_never_passes_it_and_all_are_placed(
        client, container, auth):
    chain = _chain(container)
    tid = template(container, budget_fen=1_500)  # 满20减3: five discounts
    people = [customers.create(container.uow(), CustomerIn(name=f"买{i}", phone=f"1392222{i:04d}")).id
              for i in range(12)]
    for cid in people:
        coupon(container, tid, cid)
    heads = {cid: auth.customer(cid) for cid in people}

    def place(cid: int):  # type: ignore[no-untyped-def]
        return client.post(f"{V1}/orders", headers=heads[cid], json=_body(chain, milk=2))

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(place, people))
    assert [r.status_code for r in answers] == [201] * 12, [r.text for r in answers if r.status_code != 201]
    discounted = [r.json() for r in answers if r.json()["discount_fen"]]
    assert len(discounted) == 5 and {o["discount_fen"] for o in discounted} == {300}
    assert spent(container, CouponTemplate, tid) == 1_500
    for r in answers:
        o = r.json()
        assert o["total_fen"] == 2 * MILK - o["discount_fen"]


def test_a_campaign_whose_budget_is_spent_hands_out_no_more_coupons(client, container, auth):
    chain = _chain(container)
    op = auth.staff("operator")
    tid = client.post(f"{V1}/coupon-templates", headers=op,
                      json=_template_body(container, budget_fen=3_000, total_qty=10)).json()["id"]
    me = auth.customer(chain.customer)
    code = client.post(f"{V1}/coupons/claim", headers=me, json={"template_id": tid}).json()["code"]
    clerk = auth.staff("clerk", store_id=chain.stores["xujiahui"])
    assert client.post(f"{V1}/coupons/redeem", headers=clerk, json={"code": code, "bill_fen": 25_000}).status_code == 201
    other = customers.create(container.uow(), CustomerIn(name="后来", phone="13900000009")).id
    them = auth.customer(other)
    centre = client.get(f"{V1}/coupons/center", headers=them).json()
    assert [(i["template_id"], i["remaining"], i["can_claim"]) for i in centre] == [(tid, 0, False)]
    r = client.post(f"{V1}/coupons/claim", headers=them, json={"template_id": tid})
    assert (r.status_code, r.json().get("code")) == (409, "gone"), r.text
    assert client.get(f"{V1}/me/coupons", headers=them).json()["usable"] == []


def test_a_100_percent_promotion_with_points_and_a_coupon_never_makes_a_bill_negative(client, container, auth):
    from tests.integration.loyalty.flow import give

    chain = _chain(container)
    promotion(container, kind="percent", pct_off=100, min_fen=0, off_fen=0, label_zh="全免", label_en="all free")
    coupon(container, template(container, min_fen=0, off_fen=5_000), chain.customer)  # 无门槛减50
    give(container, chain.customer, 100_000)
    me = auth.customer(chain.customer)
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, milk=2, yogurt=1, points=10_000,
                                                             customer_id=chain.customer))
    assert r.status_code == 201, r.text
    o = r.json()
    assert o["total_fen"] == 0 and o["discount_fen"] == o["subtotal_fen"] == 2 * MILK + YOGURT
    assert all(ln["discount_fen"] == ln["quantity"] * ln["unit_price_fen"] for ln in o["lines"])
    assert "points" not in {d["kind"] for d in o["discounts"]}  # nothing left for the points to pay
    assert sum(d["amount_fen"] for d in o["discounts"]) == o["discount_fen"]
