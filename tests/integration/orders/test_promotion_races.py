"""Orders racing for promotions and coupons under threads, on a file SQLite and PostgreSQL with real
commits: one coupon named by 8 orders at once is used by exactly one (the others are refused, nothing
else changes); a promotion with a budget of 4 orders' discounts gives exactly 4 among 12 orders at once,
the others are placed without it (planned again once the budget is gone), and the budget is never exceeded."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from o2o.kernel.errors import Problem
from o2o.orders import service as orders
from o2o.orders.models import Order, OrderDiscount
from o2o.orders.schemas import OrderIn
from o2o.promotions.models import Promotion
from tests.factories.chain import build_chain, receive
from tests.integration.loyalty.flow import member
from tests.integration.orders.promo_rows import coupon, coupon_row, promotion, spent, template

MILK = 1290


def _all_at_once(n: int, fn) -> list:  # type: ignore[no-untyped-def]
    start = threading.Barrier(n)

    def go(i: int):  # type: ignore[no-untyped-def]
        start.wait()
        try:
            return fn(i)
        except Problem as exc:
            return exc

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(go, range(n)))


def _order(chain, customer_id: int, **kw) -> OrderIn:  # type: ignore[no-untyped-def]
    return OrderIn(customer_id=customer_id, mode="pickup", location_id=chain.stores["xujiahui"],
                   lines=[{"sku_id": chain.skus["milk"], "quantity": 3}], **kw)


def test_one_coupon_named_by_8_orders_at_once_is_used_by_exactly_one(container):
    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 100)
    cid = coupon(container, template(container), chain.customer)  # 满20减3
    results = _all_at_once(8, lambda i: orders.place(container.uow(), _order(chain, chain.customer, coupon_ids=[cid]),
                                                     orders.OrderPolicy()))
    placed = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(placed) == 1, results
    assert placed[0].discount_fen == 300 and placed[0].total_fen == 3 * MILK - 300
    # refused: taken at the write (409 coupon-taken) or already gone when planned (422 naming coupon_ids)
    assert {r.kind for r in refused} <= {"coupon-taken", "invalid-input"} and len(refused) == 7
    used = coupon_row(container, cid)
    assert used.status == "used"
    with container.db.read() as s:
        assert s.scalar(select(Order.id).where(Order.number == placed[0].number)) == used.order_id
        assert s.scalar(select(func.count()).select_from(Order)) == 1  # nothing of the refused ones stayed
        assert s.scalar(select(func.count()).select_from(OrderDiscount)
                        .where(OrderDiscount.key == f"C{cid}")) == 1


def test_a_promotion_budget_of_4_discounts_gives_exactly_4_among_12_orders_at_once(container):
    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 100)
    pid = promotion(container, budget_fen=2_000)  # 满30减5, 4 orders' worth
    buyers = [member(container, i) for i in range(12)]
    results = _all_at_once(12, lambda i: orders.place(container.uow(), _order(chain, buyers[i]), orders.OrderPolicy()))
    assert not [r for r in results if isinstance(r, Exception)], results
    discounted = [r for r in results if r.discount_fen]
    assert len(discounted) == 4 and {r.discount_fen for r in discounted} == {500}
    assert all(r.discounts == [] and r.total_fen == 3 * MILK for r in results if not r.discount_fen)
    assert spent(container, Promotion, pid) == 2_000  # never more than the budget
    # once spent, the promotion is offered no more
    late = orders.place(container.uow(), _order(chain, chain.customer), orders.OrderPolicy())
    assert late.discount_fen == 0 and spent(container, Promotion, pid) == 2_000
