"""Coupons on both databases: claiming (limits, tiers, LBS radius, quantity), the checkout bridge (offers of
a basket, redemption in the order's transaction, budgets, release on cancel), till redemption, operator
issues, automatic issues on sign-up and first store visit, and the results."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from o2o import bootstrap
from o2o.kernel.errors import InvalidInput, NotFound
from o2o.kernel.outbox import Event, write_events
from o2o.loyalty import service as loyalty
from o2o.promotions import checkout, codes, engine, service
from o2o.promotions.exceptions import (
    BudgetExhausted,
    ClaimLimit,
    CouponTaken,
    NoSuchCoupon,
    NotEligible,
    NotRedeemable,
    SoldOut,
)
from o2o.promotions.models import Coupon, CouponTemplate, PromotionUse
from o2o.promotions.schemas import IssueIn, RedeemIn
from tests.factories.chain import JINGAN, SONGJIANG, XUJIAHUI_NEAR, build_chain
from tests.integration.promotions.flow import customer, promotion, template


def _lines(chain, qty: int = 20) -> list[engine.Line]:  # type: ignore[no-untyped-def]
    return [engine.Line(sku_id=chain.skus["milk"], category_id=1, unit_price_fen=1290, quantity=qty)]


def _offers(container, chain, cust: int | None, loc: int, coupon_ids=None, channel="h5"):  # type: ignore[no-untyped-def]
    with container.db.read() as s:
        return checkout.offers_for(s, customer_id=cust, location_id=loc, channel=channel,
                                   now=container.clock.now(), tier="normal", coupon_ids=coupon_ids)


def _redeem(container, result, order_id: int, cust: int | None, loc: int) -> None:  # type: ignore[no-untyped-def]
    with container.uow() as uow:
        checkout.redeem(uow.session, result, order_id=order_id, customer_id=cust, location_id=loc,
                        now=uow.clock.now(), order_total_fen=25_800)
        uow.commit()


def _coupon(container, coupon_id: int) -> Coupon:  # type: ignore[no-untyped-def]
    with container.db.read() as s:
        c = s.get(Coupon, coupon_id)
        s.expunge(c)
        return c


def test_claim_is_limited_per_customer_and_per_device_and_stops_at_the_quantity(container):
    build_chain(container)
    t = template(container, total_qty=3, per_customer_limit=1)
    a, b, c, d = (customer(container, i) for i in range(1, 5))
    first = service.claim(container.uow(), a, t, device_id="device-aaaa-1")
    assert first.state == "usable" and codes.normalise(first.code) == first.code
    assert first.valid_until == container.clock.now() + timedelta(days=7)
    with pytest.raises(ClaimLimit):
        service.claim(container.uow(), a, t)
    with pytest.raises(ClaimLimit):  # another account on the same phone's device
        service.claim(container.uow(), b, t, device_id="device-aaaa-1")
    service.claim(container.uow(), b, t, device_id="device-bbbb-2")
    service.claim(container.uow(), c, t)
    with pytest.raises(SoldOut):
        service.claim(container.uow(), d, t)
    with container.db.read() as s:
        assert s.get(CouponTemplate, t).issued_qty == 3
        assert s.scalar(select(func.count()).select_from(Coupon)) == 3


def test_claim_allows_n_per_customer_when_the_limit_is_n(container):
    build_chain(container)
    t = template(container, per_customer_limit=2)
    a = customer(container, 1)
    one, two = service.claim(container.uow(), a, t), service.claim(container.uow(), a, t)
    assert one.code != two.code
    with pytest.raises(ClaimLimit):
        service.claim(container.uow(), a, t)
    assert len(service.wallet(container.db, a, container.clock.now()).usable) == 2


def test_tier_only_template_refuses_other_tiers(container):
    build_chain(container)
    t = template(container, tier_codes=["gold", "diamond"])
    a = customer(container, 1)
    with pytest.raises(NotEligible):
        service.claim(container.uow(), a, t)
    assert [i.template_id for i in service.center(container.db, a, container.clock.now())] == []
    loyalty.adjust(container.uow(), a, 0, "account")  # make the account, then make them gold
    with container.uow() as uow:
        from o2o.loyalty.models import PointsAccount  # test-only: set the tier directly
        uow.session.get(PointsAccount, a).tier_code = "gold"
        uow.commit()
    assert service.claim(container.uow(), a, t).template_id == t


def test_lbs_coupon_is_claimed_near_the_store_and_redeemed_only_there(container):
    chain = build_chain(container)
    xjh, jingan = chain.stores["xujiahui"], chain.stores["jingan"]
    t = template(container, store_id=xjh, channel="both")
    near = chain.customer  # home ~550 m from Xujiahui
    far = customer(container, 1, home=SONGJIANG)
    items = service.center(container.db, near, container.clock.now())
    assert [(i.template_id, i.store_id) for i in items] == [(t, xjh)] and 400 < (items[0].distance_m or 0) < 700
    assert service.center(container.db, far, container.clock.now()) == []
    with pytest.raises(NotEligible):
        service.claim(container.uow(), far, t)
    with pytest.raises(NotEligible):  # Jing'an is ~3.2 km away: outside 3 km
        service.claim(container.uow(), far, t, lat=JINGAN[0], lng=JINGAN[1])
    visiting = service.claim(container.uow(), far, t, lat=XUJIAHUI_NEAR[0], lng=XUJIAHUI_NEAR[1])
    mine = service.claim(container.uow(), near, t)
    # online at another store: not offered, and refused when asked for
    basket = _offers(container, chain, near, jingan)
    assert f"C{mine.id}" not in {o.key for o in basket.offers}
    with pytest.raises(InvalidInput):
        _offers(container, chain, near, jingan, coupon_ids=[mine.id])
    assert f"C{mine.id}" in {o.key for o in _offers(container, chain, near, xjh).offers}
    # at the till of another store: no such coupon; at its own store: redeemed
    with pytest.raises(NoSuchCoupon):
        service.redeem_at_till(container.uow(), jingan, RedeemIn(code=visiting.code, bill_fen=30_000), "clerk")
    out = service.redeem_at_till(container.uow(), xjh, RedeemIn(code=visiting.code, bill_fen=30_000), "clerk")
    assert out.discount_fen == 3_000 and out.location_id == xjh


def test_offers_redeem_and_release_restore_the_coupon_and_give_the_budget_back(container):
    chain = build_chain(container)
    xjh = chain.stores["xujiahui"]
    p = promotion(container)  # 满100减10, automatic
    t = template(container, budget_fen=10_000)  # 满200减30
    c = service.claim(container.uow(), chain.customer, t)
    basket = _offers(container, chain, chain.customer, xjh)
    assert {o.key for o in basket.offers} == {f"P{p}", f"C{c.id}"} and basket.required == frozenset()
    assert next(o for o in basket.offers if o.key == f"C{c.id}").label_zh == "满200减30"
    result = engine.best(_lines(chain), basket.offers)  # 20 x 12.90 = 258 yuan
    assert {a.key for a in result.applied} == {f"P{p}", f"C{c.id}"}
    _redeem(container, result, 501, chain.customer, xjh)
    used = _coupon(container, c.id)
    assert (used.status, used.order_id, used.location_id, used.discount_fen) == ("used", 501, xjh, 3_000)
    assert service.template_results(container.db, t).model_dump(include={"issued", "redeemed", "cost_fen", "gmv_fen",
                                                                         "spent_fen"}) == {
        "issued": 1, "redeemed": 1, "cost_fen": 3_000, "gmv_fen": 25_800, "spent_fen": 3_000}
    assert service.promotion_results(container.db, p).cost_fen == 1_000
    # the same coupon on a second order: taken
    with pytest.raises(CouponTaken):
        _redeem(container, result, 502, chain.customer, xjh)
    assert _offers(container, chain, chain.customer, xjh).offers[-1].key == f"P{p}"  # no longer in the wallet
    # the order is cancelled: the relay's handler restores it, gives the budget back; once
    with container.uow() as uow:
        write_events(uow.session, [Event("order.cancelled", {"order_id": 501, "number": "SO1"})] * 2,
                     container.clock.now())
        uow.commit()
    bootstrap.relay(container).drain()
    back = _coupon(container, c.id)
    assert (back.status, back.order_id, back.discount_fen) == ("issued", None, 0)
    r = service.template_results(container.db, t)
    assert (r.redeemed, r.cost_fen, r.spent_fen) == (0, 0, 0)


def test_forfeit_policy_voids_the_coupon_on_cancel(container):
    chain = build_chain(container)
    xjh = chain.stores["xujiahui"]
    t = template(container, on_cancel="forfeit")
    c = service.claim(container.uow(), chain.customer, t)
    basket = _offers(container, chain, chain.customer, xjh, coupon_ids=[c.id])
    assert basket.required == frozenset({f"C{c.id}"})
    _redeem(container, engine.best(_lines(chain), basket.offers, required=basket.required), 600, chain.customer, xjh)
    with container.uow() as uow:
        checkout.release_for_order(uow.session, 600, uow.clock.now())
        checkout.release_for_order(uow.session, 600, uow.clock.now())  # twice: nothing more
        uow.commit()
    assert _coupon(container, c.id).status == "void"
    wallet = service.wallet(container.db, chain.customer, container.clock.now())
    assert [i.id for i in wallet.expired] == [c.id] and wallet.usable == []


def test_budget_is_never_exceeded(container):
    chain = build_chain(container)
    xjh = chain.stores["xujiahui"]
    t = template(container, budget_fen=5_000, per_customer_limit=5)
    ids = [service.claim(container.uow(), chain.customer, t).id for _ in range(2)]
    for i, cid in enumerate(ids):
        basket = _offers(container, chain, chain.customer, xjh, coupon_ids=[cid])
        result = engine.best(_lines(chain), basket.offers, required=basket.required)
        if i == 0:
            _redeem(container, result, 700, chain.customer, xjh)
        else:
            with pytest.raises(BudgetExhausted):
                _redeem(container, result, 701, chain.customer, xjh)
    with container.db.read() as s:
        assert s.get(CouponTemplate, t).spent_fen == 3_000
        assert s.get(Coupon, ids[1]).status == "issued"  # the failed order's redemption rolled back


def test_promotion_budget_stops_the_promotion(container):
    chain = build_chain(container)
    xjh = chain.stores["xujiahui"]
    p = promotion(container, budget_fen=1_500)
    basket = _offers(container, chain, None, xjh)
    result = engine.best(_lines(chain), basket.offers)
    _redeem(container, result, 800, None, xjh)
    with pytest.raises(BudgetExhausted):
        _redeem(container, result, 801, None, xjh)
    assert service.promotion_results(container.db, p).spent_fen == 1_000


def test_offers_for_filters_channel_store_tier_and_window(container):
    chain = build_chain(container)
    xjh, jingan = chain.stores["xujiahui"], chain.stores["jingan"]
    now = container.clock.now()
    online = promotion(container, channel="online")
    till = promotion(container, channel="till")
    here = promotion(container, location_ids=[xjh])
    gold = promotion(container, tier_codes=["gold"])
    promotion(container, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=2))  # not yet
    keys = {o.key for o in _offers(container, chain, None, xjh).offers}
    assert keys == {f"P{online}", f"P{here}"}
    assert {o.key for o in _offers(container, chain, None, jingan, channel="pos").offers} == {f"P{till}"}
    with container.db.read() as s:
        basket = checkout.offers_for(s, customer_id=None, location_id=jingan, channel="h5", now=now, tier="gold",
                                     coupon_ids=None)
    assert {o.key for o in basket.offers} == {f"P{online}", f"P{gold}"}


def test_someone_elses_coupon_is_refused_at_checkout(container):
    chain = build_chain(container)
    other = customer(container, 1)
    t = template(container)
    theirs = service.claim(container.uow(), other, t)
    with pytest.raises(InvalidInput):
        _offers(container, chain, chain.customer, chain.stores["xujiahui"], coupon_ids=[theirs.id])
    result = engine.Result(applied=(engine.Applied(f"C{theirs.id}", "threshold", "x", "x", 3_000, {1: 3_000}),),
                           line_discount_fen={1: 3_000}, goods_discount_fen=3_000, delivery_discount_fen=0,
                           rejected=())
    with pytest.raises(CouponTaken):  # a forged result naming someone else's coupon
        _redeem(container, result, 900, chain.customer, chain.stores["xujiahui"])


def test_till_redemption_single_use_and_bill_rules(container):
    chain = build_chain(container)
    xjh = chain.stores["xujiahui"]
    t = template(container, channel="till", location_ids=[xjh])
    c = service.claim(container.uow(), chain.customer, t)
    assert service.lookup(container.db, c.code_display.lower(), xjh, container.clock.now()).owner == "138****8000"
    with pytest.raises(InvalidInput):
        service.redeem_at_till(container.uow(), xjh, RedeemIn(code=c.code), "clerk")  # bill needed
    with pytest.raises(NotRedeemable):
        service.redeem_at_till(container.uow(), xjh, RedeemIn(code=c.code, bill_fen=10_000), "clerk")  # below 200
    out = service.redeem_at_till(container.uow(), xjh, RedeemIn(code=c.code_display, bill_fen=20_000), "clerk",
                                 key="till-1")
    assert out.discount_fen == 3_000
    again = service.redeem_at_till(container.uow(), xjh, RedeemIn(code=c.code_display, bill_fen=20_000), "clerk",
                                   key="till-1")
    assert again == out  # a re-send answers the first result
    with pytest.raises(CouponTaken):
        service.redeem_at_till(container.uow(), xjh, RedeemIn(code=c.code, bill_fen=20_000), "clerk")
    with pytest.raises(NoSuchCoupon):
        service.redeem_at_till(container.uow(), xjh, RedeemIn(code="ZZZZ-ZZZZ-ZZZZ-ZZ"), "clerk")
    with pytest.raises(NoSuchCoupon):
        service.lookup(container.db, "not a code", xjh, container.clock.now())
    assert service.lookup(container.db, c.code, xjh, container.clock.now()).why_not == "used already"
    with pytest.raises(NoSuchCoupon):  # a store outside the template's scope sees nothing
        service.lookup(container.db, c.code, chain.stores["jingan"], container.clock.now())
    with container.db.read() as s:
        assert s.scalar(select(func.count()).select_from(PromotionUse).where(PromotionUse.order_id.is_(None))) == 1


def test_service_coupon_is_for_the_till_only(container):
    chain = build_chain(container)
    xjh = chain.stores["xujiahui"]
    t = template(container, kind="service", name_zh="免费洗车", name_en="Free car wash", min_fen=0, off_fen=0)
    c = service.claim(container.uow(), chain.customer, t)
    assert f"C{c.id}" not in {o.key for o in _offers(container, chain, chain.customer, xjh).offers}
    out = service.redeem_at_till(container.uow(), xjh, RedeemIn(code=c.code), "clerk")
    assert out.discount_fen == 0 and out.label_zh == "免费洗车"


def test_operator_issue_is_idempotent_and_all_or_nothing_on_quantity(container):
    build_chain(container)
    t = template(container, total_qty=3)
    ids = [customer(container, i) for i in range(1, 5)]
    with pytest.raises(SoldOut):
        service.issue(container.uow(), t, IssueIn(customer_ids=ids), key="k0")
    out = service.issue(container.uow(), t, IssueIn(customer_ids=ids[:2] + [10**12]), key="k1")
    assert (out.issued, out.skipped, out.issued_qty) == (2, [10**12], 2)
    assert service.issue(container.uow(), t, IssueIn(customer_ids=ids[:2] + [10**12]), key="k1") == out
    again = service.issue(container.uow(), t, IssueIn(customer_ids=ids[:3]), key="k2")
    assert (again.issued, again.skipped, again.issued_qty) == (1, ids[:2], 3)
    with container.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Coupon)) == 3


def test_operator_issue_to_a_tier_segment(container):
    build_chain(container)
    t = template(container)
    a, b = customer(container, 1), customer(container, 2)
    for cid in (a, b):
        loyalty.adjust(container.uow(), cid, 0, "account")
    with container.uow() as uow:
        from o2o.loyalty.models import PointsAccount
        uow.session.get(PointsAccount, b).tier_code = "silver"
        uow.commit()
    out = service.issue(container.uow(), t, IssueIn(segment={"tier": "silver"}))
    assert out.issued == 1
    assert len(service.wallet(container.db, b, container.clock.now()).usable) == 1
    assert service.wallet(container.db, a, container.clock.now()).usable == []


def test_signup_campaign_issues_once_per_customer(container):
    build_chain(container)
    t = template(container, auto_issue="signup", claimable=False, total_qty=10)
    a = customer(container, 1)
    relay = bootstrap.relay(container)
    relay.drain()
    with container.uow() as uow:  # the same sign-up delivered again
        write_events(uow.session, [Event("iam.customer_signed_up", {"customer_id": a})], container.clock.now())
        uow.commit()
    relay.drain()
    wallet = service.wallet(container.db, a, container.clock.now())
    assert [(i.template_id, i.via) for i in wallet.usable] == [(t, "signup")]
    with pytest.raises(NotFound):  # not claimable in the centre
        service.claim(container.uow(), a, t)


def test_first_pickup_at_a_store_issues_its_first_visit_coupon(container):
    from tests.integration.loyalty.flow import chain_with_stock, complete, pay, place

    chain = chain_with_stock(container)
    xjh, jingan = chain.stores["xujiahui"], chain.stores["jingan"]
    here = template(container, auto_issue="first_visit", store_id=xjh, claimable=False)
    there = template(container, auto_issue="first_visit", store_id=jingan, claimable=False)
    for _ in range(2):
        number = place(container, chain, quantity=1)
        pay(container, number)
        complete(container, number)
    usable = service.wallet(container.db, chain.customer, container.clock.now()).usable
    assert [(i.template_id, i.via, i.store_id) for i in usable] == [(here, "first_visit", xjh)]
    assert there != here


def test_expired_coupons_are_neither_offered_nor_redeemable(container):
    chain = build_chain(container)
    xjh = chain.stores["xujiahui"]
    t = template(container, valid_days=1)
    c = service.claim(container.uow(), chain.customer, t)
    container.clock.advance(days=2)
    assert f"C{c.id}" not in {o.key for o in _offers(container, chain, chain.customer, xjh).offers}
    with pytest.raises(NotRedeemable):
        service.redeem_at_till(container.uow(), xjh, RedeemIn(code=c.code, bill_fen=50_000), "clerk")
    assert [i.id for i in service.wallet(container.db, chain.customer, container.clock.now()).expired] == [c.id]


def test_two_accounts_at_one_address_share_the_limit(container):
    from o2o.customers import service as customers
    from o2o.customers.schemas import AddressIn

    build_chain(container)
    t = template(container)
    a, b = customer(container, 1), customer(container, 2)
    for cid, spelled in ((a, "漕溪北路 88号"), (b, " 漕溪北路   88号 ")):  # the same address, spaced differently
        customers.add_address(container.uow(), cid, AddressIn(district="徐汇区", line=spelled, door="3-201",
                                                              lat=XUJIAHUI_NEAR[0], lng=XUJIAHUI_NEAR[1]))
    service.claim(container.uow(), a, t)
    with pytest.raises(ClaimLimit):
        service.claim(container.uow(), b, t)


def _place(container, chain, channel: str = "h5") -> tuple[str, int]:  # type: ignore[no-untyped-def]
    from o2o.orders import service as orders
    from o2o.orders.schemas import OrderIn

    data = OrderIn(customer_id=chain.customer, mode="pickup", location_id=chain.stores["xujiahui"], channel=channel,
                   lines=[{"sku_id": chain.skus["milk"], "quantity": 1}], coupon_ids=[])  # none: the test redeems
    out = orders.place(container.uow(), data, orders.OrderPolicy())
    with container.db.read() as s:
        from o2o.orders.models import Order  # test-only: the id behind the number

        return out.number, int(s.scalar(select(Order.id).where(Order.number == out.number)))


def test_an_expired_order_and_a_whole_return_give_the_coupon_back_a_partial_return_does_not(container):
    from tests.integration.loyalty.flow import chain_with_stock

    chain = chain_with_stock(container)
    xjh = chain.stores["xujiahui"]
    t = template(container, per_customer_limit=3, min_fen=0, off_fen=100)
    relay = bootstrap.relay(container)
    outcomes = []
    for topic, refund in (("order.expired", None), ("order.returned", "all"), ("order.returned", 1)):
        c = service.claim(container.uow(), chain.customer, t)
        number, order_id = _place(container, chain)
        basket = _offers(container, chain, chain.customer, xjh, coupon_ids=[c.id])
        _redeem(container, engine.best(_lines(chain, 1), basket.offers, required=basket.required), order_id,
                chain.customer, xjh)
        from o2o.orders import service as orders

        total = orders.get(container.db, number).total_fen
        payload = {"order_id": order_id, "number": number}
        if refund is not None:
            payload |= {"refund_fen": total if refund == "all" else refund, "return_id": f"R{order_id}"}
        with container.uow() as uow:
            write_events(uow.session, [Event(topic, payload)], container.clock.now())
            uow.commit()
        relay.drain()
        outcomes.append(_coupon(container, c.id).status)
    assert outcomes == ["issued", "issued", "used"]


def test_first_till_sale_issues_the_first_visit_coupon_once(container):
    from tests.integration.loyalty.flow import chain_with_stock, complete

    chain = chain_with_stock(container)
    t = template(container, auto_issue="first_visit", claimable=False)
    for _ in range(2):
        number, _ = _place(container, chain, channel="pos")
        from o2o.orders import service as orders

        started = orders.start_payment(container.uow(), container.payments, number)
        orders.sandbox_complete(container.uow(), container.payments, started.out_trade_no)
        complete(container, number)
    usable = service.wallet(container.db, chain.customer, container.clock.now()).usable
    assert [(i.template_id, i.via) for i in usable] == [(t, "first_visit")]


def test_operator_issue_to_the_customers_of_a_store(container):
    from tests.integration.loyalty.flow import chain_with_stock

    chain = chain_with_stock(container)
    other = customer(container, 1)
    _place(container, chain)
    t = template(container)
    out = service.issue(container.uow(), t, IssueIn(segment={"ordered_at": chain.stores["xujiahui"]}))
    assert out.issued == 1
    assert len(service.wallet(container.db, chain.customer, container.clock.now()).usable) == 1
    assert service.wallet(container.db, other, container.clock.now()).usable == []
    assert service.issue(container.uow(), t, IssueIn(segment={"ordered_at": chain.stores["jingan"]})).issued == 0
