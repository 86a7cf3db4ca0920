"""The ledger's invariants on both databases: balance == ledger sum == lots left, never below zero, under
any sequence of moves (hypothesis), under 16 racing redemptions, through expiry and merges; tiers move
up at once and down only at review."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2o.kernel.errors import InvalidInput
from o2o.kernel.pagination import PageParams
from o2o.kernel.uow import JoinedUnitOfWork
from o2o.loyalty import service as loyalty
from o2o.loyalty.exceptions import InsufficientPoints
from o2o.loyalty.schemas import TillRedeemIn
from o2o.orders.schemas import OrderFacts
from tests.integration.loyalty.flow import give, member

RACERS = 16


def _facts(order_id: int, customer_id: int, total_fen: int, at) -> OrderFacts:  # type: ignore[no-untyped-def]
    return OrderFacts(id=order_id, number=f"SO{order_id}", customer_id=customer_id, status="completed",
                      channel="pos", fulfil_location_id=1, subtotal_fen=total_fen, delivery_fee_fen=0,
                      discount_fen=0, total_fen=total_fen, completed_at=at)


def _earn(container, order_id: int, customer_id: int, total_fen: int) -> int:  # type: ignore[no-untyped-def]
    with container.uow() as uow:
        n = loyalty.earn_for_order(uow, _facts(order_id, customer_id, total_fen, container.clock.now()))
        uow.commit()
    return n


def _consistent(container, *customers: int) -> None:  # type: ignore[no-untyped-def]
    for c in customers:
        balance, ledger, lots = loyalty.check(container.db, c)
        assert balance == ledger == lots >= 0, (c, balance, ledger, lots)


def test_sixteen_tills_redeeming_at_once_only_those_that_fit_succeed(container):
    c = member(container, 1)
    give(container, c, 1_000)  # fits 6 redemptions of 150
    start = threading.Barrier(RACERS)

    def redeem(i: int) -> str:
        start.wait()
        try:
            loyalty.redeem_at_till(container.uow(), 7, TillRedeemIn(customer_id=c, points=150, bill_fen=100_000,
                                                                    client_key=f"till-{i}"))
            return "ok"
        except InsufficientPoints:
            return "refused"

    with ThreadPoolExecutor(RACERS) as pool:
        results = list(pool.map(redeem, range(RACERS)))
    assert results.count("ok") == 6 and results.count("refused") == 10
    assert loyalty.balance_of(container.db, c) == 100
    _consistent(container, c)


def test_till_resending_a_redemption_with_its_client_key_takes_the_points_once(container):
    c = member(container, 1)
    give(container, c, 1_000)
    data = TillRedeemIn(customer_id=c, points=300, bill_fen=10_000, client_key="pos-7-0001")
    first = loyalty.redeem_at_till(container.uow(), 7, data)
    for _ in range(4):
        assert loyalty.redeem_at_till(container.uow(), 7, data) == first
    assert loyalty.balance_of(container.db, c) == 700
    assert first.discount_fen == 300


def test_tier_upgrades_on_the_qualifying_order_and_multiplier_applies_to_it(container):
    c = member(container, 1)
    assert _earn(container, 1, c, 99_999) == 999  # one fen under silver: normal, x1
    assert loyalty.summary(container.db, c, container.clock.now()).tier == "normal"
    assert loyalty.summary(container.db, c, container.clock.now()).missing_spend_fen == 1
    assert _earn(container, 2, c, 1) == 0
    s = loyalty.summary(container.db, c, container.clock.now())
    assert s.tier == "silver" and s.spend_12m_fen == 100_000  # at the threshold: upgraded at once
    assert _earn(container, 3, c, 10_000) == 120  # silver x1.2
    assert loyalty.benefits(container.db, c).points_multiplier_pct == 120


def test_tier_goes_down_only_at_the_review_date(container):
    c = member(container, 1)
    _earn(container, 1, c, 600_000)
    assert loyalty.summary(container.db, c, container.clock.now()).tier == "gold"
    container.clock.advance(days=366)  # the spend has left the rolling window ...
    assert loyalty.summary(container.db, c, container.clock.now()).spend_12m_fen == 0
    assert loyalty.summary(container.db, c, container.clock.now()).tier == "gold"  # ... but no review yet
    container.clock.advance(days=-2)
    assert loyalty.review_tiers(container.uow, container.db) == 0  # review date not reached
    container.clock.advance(days=2)
    assert loyalty.review_tiers(container.uow, container.db) == 1
    assert loyalty.summary(container.db, c, container.clock.now()).tier == "normal"


def test_points_expire_oldest_first_with_an_expiring_soon_notice(container):
    c = member(container, 1)
    give(container, c, 100)
    container.clock.advance(days=100)
    give(container, c, 50)
    with container.uow() as uow:
        loyalty.debit(uow.session, c, "redeem", 80, uow.clock.now())  # from the oldest lot
        uow.commit()
    container.clock.advance(days=240)  # the first lot expires in 25 days: within the 30-day notice
    assert loyalty.notify_expiring(container.uow) == 1
    assert loyalty.notify_expiring(container.uow) == 0  # once per lot
    s = loyalty.summary(container.db, c, container.clock.now())
    assert s.expiring_points == 20 and s.balance == 70
    container.clock.advance(days=26)
    assert loyalty.expire_due(container.uow, container.db) == 20
    assert loyalty.balance_of(container.db, c) == 50
    _consistent(container, c)


def test_partial_return_reverses_in_proportion_and_spent_points_leave_a_shortfall(container):
    c = member(container, 1)
    _earn(container, 1, c, 10_000)  # 100 points
    with container.uow() as uow:
        loyalty.debit(uow.session, c, "redeem", 90, uow.clock.now())
        uow.commit()
    with container.uow() as uow:
        assert loyalty.reverse_order(uow, 1, part_fen=2_500, whole_fen=10_000, ref="r1") == (10, 0)
        uow.commit()
    with container.uow() as uow:
        assert loyalty.reverse_order(uow, 1, ref="all") == (0, 0)  # 100 to take back, nothing left
        uow.commit()
    assert loyalty.balance_of(container.db, c) == 0
    entries = loyalty.history(container.db, c, PageParams()).entries
    assert entries[0].kind == "reverse_earn" and entries[0].shortfall == 100
    _consistent(container, c)


def test_merge_moves_points_and_spend_and_settles_the_survivors_tier(container):
    a, b = member(container, 1), member(container, 2)
    _earn(container, 1, a, 60_000)
    _earn(container, 2, b, 50_000)
    give(container, a, 7)
    with container.uow() as uow:
        loyalty.merge_customers(uow.session, a, b, uow.clock.now())
        uow.commit()
    s = loyalty.summary(container.db, b, container.clock.now())
    assert s.balance == 600 + 500 + 7 and s.spend_12m_fen == 110_000 and s.tier == "silver"
    assert loyalty.check(container.db, a) == (0, 0, 0)
    _consistent(container, b)
    with container.uow() as uow, pytest.raises(InvalidInput):
        loyalty.merge_customers(uow.session, b, b, uow.clock.now())


MOVES = st.lists(st.tuples(st.sampled_from(["earn", "redeem", "expire", "reverse", "partial", "merge", "adjust"]),
                           st.integers(0, 1), st.integers(1, 5_000)), min_size=1, max_size=25)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=MOVES)
def test_any_sequence_of_moves_conserves_points_and_never_goes_negative(container, moves):
    base = _seq.next()
    pair = [member(container, base), member(container, base + 1)]
    orders: list[tuple[int, int]] = []
    for kind, who, n in moves:
        c = pair[who]
        with container.uow() as uow:
            s, now = uow.session, uow.clock.now()
            if kind == "earn":
                order_id = base * 1000 + len(orders) + 1
                loyalty.earn_for_order(JoinedUnitOfWork(s, uow.clock), _facts(order_id, c, n * 100, now))
                orders.append((order_id, n * 100))
            elif kind == "redeem":
                try:
                    with s.begin_nested():
                        loyalty.debit(s, c, "redeem", n, now)
                except InsufficientPoints:
                    pass
            elif kind == "adjust":
                loyalty.credit(s, c, "adjust", n, now)
            elif kind == "expire":
                container.clock.advance(days=n % 400)
            elif kind in ("reverse", "partial") and orders:
                order_id, total = orders[n % len(orders)]
                part = (total * (n % 100) // 100) if kind == "partial" else None
                loyalty.reverse_order(JoinedUnitOfWork(s, uow.clock), order_id, part, total, ref=f"{kind}{n}")
            elif kind == "merge":
                loyalty.merge_customers(s, pair[who], pair[1 - who], now)
            uow.commit()
        if kind == "expire":
            loyalty.expire_due(container.uow, container.db)
        _consistent(container, *pair)


class _Seq:
    def __init__(self) -> None:
        self.n = 10_000

    def next(self) -> int:
        self.n += 100
        return self.n


_seq = _Seq()


def test_members_racing_for_the_last_rewards_get_exactly_the_stock(container):
    from o2o.loyalty.exceptions import RewardUnavailable
    from o2o.loyalty.schemas import RewardIn

    racers = [member(container, 100 + i) for i in range(8)]
    for c in racers:
        give(container, c, 500)
    reward = loyalty.add_reward(container.uow(), RewardIn(kind="goods", name_zh="袋", name_en="Bag",
                                                          points_cost=400, stock=3))
    start = threading.Barrier(len(racers))

    def redeem(c: int) -> str:
        start.wait()
        try:
            loyalty.redeem_reward(container.uow(), c, reward.id)
            return "ok"
        except RewardUnavailable:
            return "sold out"

    with ThreadPoolExecutor(len(racers)) as pool:
        results = list(pool.map(redeem, racers))
    assert results.count("ok") == 3 and results.count("sold out") == 5
    assert [r.stock for r in loyalty.rewards(container.db) if r.id == reward.id] == [0]
    assert sorted(loyalty.balance_of(container.db, c) for c in racers) == [100] * 3 + [500] * 5
    _consistent(container, *racers)
