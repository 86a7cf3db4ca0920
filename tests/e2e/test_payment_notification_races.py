"""One notification delivered several times at once (the platform retries while we are still answering),
and a payment notification racing its order's expiry: the order is paid once or refunded once, never
both, never twice. Both databases, real threads, the platforms' fakes at the HTTP boundary."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from o2o.kernel.outbox import OutboxEvent
from o2o.orders import payments as order_payments
from o2o.orders import service as orders
from o2o.orders.models import OrderHistory
from tests.e2e.test_payment_providers import Shop, alipay, live, wechat  # noqa: F401  (the fixtures)

THREADS = 6


def _at_once(fns):  # type: ignore[no-untyped-def]
    start = threading.Barrier(len(fns))

    def go(fn):  # type: ignore[no-untyped-def]
        start.wait()
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001  (a refused twin is an answer too)
            return exc

    with ThreadPoolExecutor(len(fns)) as pool:
        return list(pool.map(go, fns))


def _count(c, model, **where) -> int:  # type: ignore[no-untyped-def]
    with c.db.read() as s:
        stmt = select(func.count()).select_from(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return int(s.scalar(stmt))


def test_the_same_wechat_notification_at_once_pays_the_order_once(live, wechat):  # noqa: F811
    shop = Shop(live)
    number = shop.order()
    no = shop.start(number, "wechatpay")["out_trade_no"]
    wechat.pay(no)
    body, headers = wechat.notification(no)
    provider = live.providers["wechatpay"]
    answers = _at_once([lambda: order_payments.handle_notification(live.uow(), provider, body, headers)] * THREADS)
    assert all(isinstance(a, dict) and a["code"] == "SUCCESS" for a in answers), answers
    assert sum(1 for a in answers if not a.get("duplicate")) == 1
    assert shop.history(number) == ["pending_payment", "paid"]
    assert _count(live, OutboxEvent, topic="order.paid") == 1


def test_alipay_notification_racing_the_expiry_pays_or_refunds_exactly_once(live, alipay, clock):  # noqa: F811
    shop = Shop(live)
    number = shop.order()
    no = shop.start(number, "alipay", "qr")["out_trade_no"]
    alipay.pay(no)
    body, headers = alipay.notification(no)
    provider = live.providers["alipay"]
    clock.advance(minutes=31)  # due to expire just as the payment arrives
    fns = [lambda: order_payments.handle_notification(live.uow(), provider, body, headers)] * (THREADS - 1)
    answers = _at_once([*fns, lambda: orders.expire_unpaid(live.db, live.uow)])
    assert not [a for a in answers if isinstance(a, Exception)], answers
    final = orders.get(live.db, number).status
    paid = _count(live, OutboxEvent, topic="order.paid")
    refunds = _count(live, OutboxEvent, topic="order.refund_needed")
    assert (final, paid, refunds) in {("paid", 1, 0), ("expired", 0, 1)}, (final, paid, refunds)
    assert _count(live, OrderHistory) == 2  # placed, then paid or expired: one step
