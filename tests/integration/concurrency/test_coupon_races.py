"""Coupons under many threads against a real database (a file SQLite and PostgreSQL): 1,000 claims for 100
coupons issue exactly 100; one customer's twin claims never pass their limit; one code redeemed at two tills
at the same moment is redeemed once; online orders racing for one coupon use it once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from o2o.customers.models import Customer
from o2o.kernel.uow import UnitOfWork
from o2o.promotions import checkout, engine, service
from o2o.promotions.exceptions import ClaimLimit, CouponTaken, SoldOut
from o2o.promotions.models import Coupon, CouponClaim, CouponTemplate
from o2o.promotions.schemas import RedeemIn, TemplateIn
from tests.factories.chain import build_chain
from tests.integration.concurrency.test_races import _run


def _customers(container, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    """n customers inserted at once (test-only: no phone, so the per-customer key is the only limit)."""
    now = container.clock.now()
    with container.uow() as uow:
        rows = [Customer(name=f"抢券{i}", created_at=now) for i in range(n)]
        uow.session.add_all(rows)
        uow.session.flush()
        ids = [r.id for r in rows]
        uow.commit()
    return ids


def _template(container, **kw) -> int:  # type: ignore[no-untyped-def]
    now = container.clock.now()
    values = dict(kind="threshold", name_zh="满200减30", name_en="30 off 200", min_fen=20_000, off_fen=3_000,
                  claim_from=now - timedelta(days=1), claim_until=now + timedelta(days=7), valid_days=7)
    values.update(kw)
    return service.create_template(container.uow(), TemplateIn(**values)).id


def test_1000_concurrent_claims_for_100_coupons_issue_exactly_100(container):
    build_chain(container)
    t = _template(container, total_qty=100)
    people = _customers(container, 1000)

    def grab(cid: int) -> str:
        try:
            service.claim(UnitOfWork(container.db, container.clock), cid, t)
            return "claimed"
        except SoldOut:
            return "sold out"

    outcome = Counter(_run(32, people, grab))
    assert outcome == {"claimed": 100, "sold out": 900}
    with container.db.read() as s:
        assert s.get(CouponTemplate, t).issued_qty == 100
        assert s.scalar(select(func.count()).select_from(Coupon).where(Coupon.template_id == t)) == 100
        assert s.scalar(select(func.count(func.distinct(Coupon.customer_id))).where(Coupon.template_id == t)) == 100
        assert s.scalar(select(func.count(func.distinct(Coupon.code)))) == 100


def test_one_customers_twin_claims_never_pass_the_limit(container):
    build_chain(container)
    t = _template(container, per_customer_limit=2)
    (cid,) = _customers(container, 1)

    def grab(_: int) -> str:
        try:
            service.claim(UnitOfWork(container.db, container.clock), cid, t)
            return "claimed"
        except ClaimLimit:
            return "limit"

    outcome = Counter(_run(16, list(range(40)), grab))
    assert outcome["claimed"] == 2 and outcome["limit"] == 38
    with container.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Coupon).where(Coupon.customer_id == cid)) == 2
        assert s.scalar(select(func.count()).select_from(CouponClaim)) == 2
        assert s.get(CouponTemplate, t).issued_qty == 2


def test_one_code_at_two_tills_at_the_same_moment_is_redeemed_once(container):
    chain = build_chain(container)
    store = chain.stores["xujiahui"]
    t = _template(container, kind="gift", gift_sku_id=chain.skus["yogurt"], min_fen=0, off_fen=0, per_customer_limit=20)
    codes = [service.claim(container.uow(), chain.customer, t).code for _ in range(20)]

    def till(job: tuple[str, int]) -> str:
        code, n = job
        try:
            service.redeem_at_till(UnitOfWork(container.db, container.clock), store, RedeemIn(code=code),
                                   f"till-{n}")
            return "redeemed"
        except CouponTaken:
            return "taken"

    jobs = [(code, n) for code in codes for n in range(4)]  # four tills scan each code at once
    outcome = Counter(_run(16, jobs, till))
    assert outcome == {"redeemed": 20, "taken": 60}
    with container.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Coupon).where(Coupon.status == "used")) == 20


def test_orders_racing_for_one_coupon_use_it_once(container):
    chain = build_chain(container)
    store = chain.stores["xujiahui"]
    t = _template(container)
    c = service.claim(container.uow(), chain.customer, t)
    lines = [engine.Line(sku_id=chain.skus["milk"], category_id=1, unit_price_fen=1290, quantity=20)]
    with container.db.read() as s:
        basket = checkout.offers_for(s, customer_id=chain.customer, location_id=store, channel="h5",
                                     now=container.clock.now(), tier="normal", coupon_ids=[c.id])
    result = engine.best(lines, basket.offers, required=basket.required)

    def order(order_id: int) -> str:
        try:
            with UnitOfWork(container.db, container.clock) as uow:
                checkout.redeem(uow.session, result, order_id=order_id, customer_id=chain.customer, location_id=store,
                                now=uow.clock.now())
                uow.commit()
            return "used"
        except CouponTaken:
            return "taken"

    assert Counter(_run(12, list(range(1, 25)), order)) == {"used": 1, "taken": 23}
    with container.db.read() as s:
        assert s.get(CouponTemplate, t).spent_fen == 3_000


def test_a_tills_resends_at_the_same_moment_all_get_the_first_answer(container):
    chain = build_chain(container)
    store = chain.stores["xujiahui"]
    t = _template(container, budget_fen=3_000)
    code = service.claim(container.uow(), chain.customer, t).code

    def send(_: int) -> int:
        return service.redeem_at_till(UnitOfWork(container.db, container.clock), store,
                                      RedeemIn(code=code, bill_fen=20_000), "till-1", key="scan-1").coupon_id

    assert len(set(_run(8, list(range(8)), send))) == 1
    with container.db.read() as s:
        assert s.get(CouponTemplate, t).spent_fen == 3_000


def test_operator_issues_and_claims_racing_for_one_template_never_pass_its_quantity(container):
    from o2o.promotions.schemas import IssueIn

    build_chain(container)
    t = _template(container, total_qty=100)
    people = _customers(container, 300)
    batches = [people[i:i + 25] for i in range(0, 100, 25)]  # 4 operator issues of 25
    claimers = people[100:]

    def work(job: tuple[str, object]) -> int:
        kind, what = job
        try:
            if kind == "issue":
                return service.issue(UnitOfWork(container.db, container.clock), t, IssueIn(customer_ids=what)).issued
            service.claim(UnitOfWork(container.db, container.clock), what, t)  # type: ignore[arg-type]
            return 1
        except (SoldOut, ClaimLimit):
            return 0

    jobs = [("issue", b) for b in batches] + [("claim", c) for c in claimers]
    issued = sum(_run(16, jobs, work))
    with container.db.read() as s:
        qty = s.get(CouponTemplate, t).issued_qty
        rows = s.scalar(select(func.count()).select_from(Coupon).where(Coupon.template_id == t))
    assert issued == qty == rows == 100
