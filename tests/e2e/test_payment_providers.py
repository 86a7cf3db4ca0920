"""Paying and refunding through WeChat Pay and Alipay, end to end through the app, on both databases.

The providers are local fakes at the HTTP boundary only (tests.factories.fake_payments): they check
our signatures with the merchant's public key, sign their answers and the notifications they produce
with keys generated here, and keep their own view of every trade and refund.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from o2o import bootstrap
from o2o.config import Settings
from o2o.main import create_app
from o2o.orders import payments as order_payments
from o2o.orders import service as orders
from o2o.orders.models import Payment, PaymentRefund
from tests.factories.auth import Auth
from tests.factories.chain import build_chain, receive
from tests.factories.fake_payments import FakeAlipay, FakeWeChatPay, new_key, verifies
from tests.factories.http import order_of, pickup_order

WECHAT_NOTIFY = "/api/v1/payments/wechatpay/notify"
ALIPAY_NOTIFY = "/api/v1/payments/alipay/notify"


@pytest.fixture
def wechat(tmp_path: Path) -> Iterator[FakeWeChatPay]:
    fake = FakeWeChatPay(tmp_path).start()
    yield fake
    fake.stop()


@pytest.fixture
def alipay(tmp_path: Path) -> Iterator[FakeAlipay]:
    fake = FakeAlipay(tmp_path).start()
    yield fake
    fake.stop()


@pytest.fixture
def live(fresh_db, clock, wechat, alipay):  # type: ignore[no-untyped-def]
    settings = Settings(database_url=fresh_db.url, payment_secret="test-secret", cheap_password_hashing=True,
                        **wechat.settings(), **alipay.settings())
    return bootstrap.build(settings, db=fresh_db, clock=clock)


class Shop:
    """A chain with milk in stock, a signed-in customer, an operator, and the app."""

    def __init__(self, c: Any) -> None:
        self.c = c
        chain = build_chain(c)
        self.store, self.milk = chain.stores["xujiahui"], chain.skus["milk"]
        receive(c, self.store, self.milk, 10)
        auth = Auth(c)
        self.customer, self.customer_id = auth.customer(chain.customer), chain.customer
        self.operator = auth.staff("operator")
        self.client = TestClient(create_app(c))

    def order(self, qty: int = 2) -> str:
        return pickup_order(self.client, self.store, self.milk, qty, self.customer)

    def start(self, number: str, provider: str, method: str = "", **extra: str) -> dict:
        params = {"provider": provider, **({"method": method} if method else {}), **extra}
        r = self.client.post(f"/api/v1/orders/{number}/payments", params=params, headers=self.customer)
        assert r.status_code == 201, r.text
        return r.json()

    def status(self, number: str) -> str:
        return order_of(self.client, number, self.customer)["status"]

    def history(self, number: str) -> list[str]:
        return [h["to_status"] for h in order_of(self.client, number, self.customer)["history"]]

    def drain(self) -> None:
        bootstrap.relay(self.c).drain()

    def refunds(self, out_trade_no: str) -> list[tuple[str, str, int, str | None]]:
        with self.c.db.read() as s:
            rows = s.execute(select(PaymentRefund.out_refund_no, PaymentRefund.status, PaymentRefund.amount_fen,
                                    PaymentRefund.provider_refund_id)
                             .join(Payment, Payment.id == PaymentRefund.payment_id)
                             .where(Payment.out_trade_no == out_trade_no).order_by(PaymentRefund.id)).all()
        return [tuple(r) for r in rows]  # type: ignore[misc]

    def payment(self, out_trade_no: str) -> tuple[str, str | None, str | None]:
        with self.c.db.read() as s:
            p = s.scalars(select(Payment).where(Payment.out_trade_no == out_trade_no)).one()
            return p.status, p.provider_txn_id, p.prepay_id


# --- WeChat Pay ------------------------------------------------------------------------------------

def test_wechatpay_native_pay_then_notify_marks_the_order_paid_once(live, wechat):
    shop = Shop(live)
    number = shop.order()
    started = shop.start(number, "wechatpay")
    assert started["provider"] == "wechatpay" and started["code_url"].startswith("weixin://wxpay/bizpayurl?pr=")
    trade = wechat.trades[started["out_trade_no"]]
    assert trade["amount"] == started["amount_fen"] == 2 * 1290 and wechat.bad_signatures == 0
    assert trade["notify_url"].endswith(WECHAT_NOTIFY)
    assert shop.payment(started["out_trade_no"])[2] == started["code_url"]  # the provider's handle is kept
    # a second start (a double tap) hands back the same payment and the same QR
    again = shop.start(number, "wechatpay")
    assert (again["out_trade_no"], again["code_url"]) == (started["out_trade_no"], started["code_url"])
    assert wechat.calls.count("POST /v3/pay/transactions/native") == 2 and len(wechat.trades) == 1

    wechat.pay(started["out_trade_no"])
    body, headers = wechat.notification(started["out_trade_no"])
    r = shop.client.post(WECHAT_NOTIFY, content=body, headers=headers)
    assert r.status_code == 204, r.text
    assert shop.status(number) == "paid"
    txn = wechat.trades[started["out_trade_no"]]["transaction_id"]
    assert shop.payment(started["out_trade_no"])[:2] == ("succeeded", txn)
    # the platform delivers it again (it did not hear our answer): acknowledged, nothing changes twice
    for _ in range(2):
        r = shop.client.post(WECHAT_NOTIFY, content=body, headers=headers)
        assert r.status_code == 204
    assert shop.history(number) == ["pending_payment", "paid"]


def test_wechatpay_jsapi_gives_the_mini_program_signed_request_payment_params(live, wechat):
    shop = Shop(live)
    number = shop.order()
    r = shop.client.post(f"/api/v1/orders/{number}/payments", params={"provider": "wechatpay", "method": "jsapi"},
                         headers=shop.customer)
    assert r.status_code == 422 and "openid" in r.text
    started = shop.start(number, "wechatpay", "jsapi", openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
    params = started["client_params"]
    trade = wechat.trades[started["out_trade_no"]]
    assert params["package"] == f"prepay_id={trade['prepay_id']}" == f"prepay_id={started['prepay_id']}"
    assert params["appId"] == wechat.app_id and params["signType"] == "RSA"
    message = f"{params['appId']}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n".encode()
    assert verifies(wechat.merchant_key.public_key(), message, params["paySign"])


@pytest.mark.parametrize("forgery", ["other_key", "tampered_body", "other_serial", "stale", "wrong_api_v3_key",
                                     "no_headers", "lies_about_amount"])
def test_wechatpay_forged_notifications_change_nothing(live, wechat, forgery):
    shop = Shop(live)
    number = shop.order()
    started = shop.start(number, "wechatpay")
    no = started["out_trade_no"]
    wechat.pay(no)
    if forgery == "other_key":
        body, headers = wechat.notification(no, key=new_key())
    elif forgery == "tampered_body":
        body, headers = wechat.notification(no)
        body = body.replace(b'"summary": "TRANSACTION.SUCCESS"', b'"summary": "TRANSACTION.SUCCESS "')
    elif forgery == "other_serial":
        body, headers = wechat.notification(no, serial="0123ABCD")
    elif forgery == "stale":
        import time

        body, headers = wechat.notification(no, timestamp=int(time.time()) - 3600)
    elif forgery == "wrong_api_v3_key":
        body, headers = wechat.notification(no, api_v3_key="k" * 32)
    elif forgery == "no_headers":
        body, headers = wechat.notification(no)
        headers = {}
    else:  # signed by the platform, but the amount does not match what the order asks
        body, headers = wechat.notification(no, amount=1)
    r = shop.client.post(WECHAT_NOTIFY, content=body, headers=headers)
    assert r.status_code == (422 if forgery == "lies_about_amount" else 401), r.text
    assert r.json()["code"] == "FAIL"
    assert shop.status(number) == "pending_payment" and shop.payment(no)[0] == "created"


def test_wechatpay_late_payment_after_expiry_is_refunded_after_a_failing_attempt(live, wechat, clock):
    """The order expires; the customer had paid just before: refund_needed. The first refund request
    fails at the platform (500 SYSTEM_ERROR); the relay retries with the same out_refund_no; the refund
    notification finishes it. A refund notification that overtakes our record is refused, then accepted."""
    shop = Shop(live)
    number = shop.order()
    started = shop.start(number, "wechatpay")
    no = started["out_trade_no"]
    clock.advance(minutes=31)
    assert orders.expire_unpaid(live.db, live.uow) == 1
    wechat.pay(no)  # paid at the platform a moment before the close reached it
    body, headers = wechat.notification(no)
    assert shop.client.post(WECHAT_NOTIFY, content=body, headers=headers).status_code == 204
    assert shop.status(number) == "expired"
    wechat.fail_refunds = 1
    shop.drain()
    assert shop.refunds(no) == [] and wechat.refunds == {}  # failed: nothing recorded, the event waits
    clock.advance(seconds=5)
    shop.drain()
    ((refund_no, status, amount, refund_id),) = shop.refunds(no)
    assert (status, amount) == ("processing", started["amount_fen"])
    assert wechat.refunds[refund_no]["refund_id"] == refund_id and len(wechat.refunds) == 1
    # the platform finishes the refund and notifies; twice
    wechat.finish_refund(refund_no)
    body, headers = wechat.refund_notification(refund_no)
    for _ in range(2):
        assert shop.client.post(WECHAT_NOTIFY, content=body, headers=headers).status_code == 204
    assert shop.refunds(no)[0][1] == "succeeded"
    # a late payment notification after all that changes nothing
    body, headers = wechat.notification(no)
    assert shop.client.post(WECHAT_NOTIFY, content=body, headers=headers).status_code == 204
    assert len(shop.refunds(no)) == 1 and shop.status(number) == "expired"


def test_wechatpay_refund_notification_before_our_record_is_refused_until_it_exists(live, wechat):
    shop = Shop(live)
    number = shop.order()
    no = shop.start(number, "wechatpay")["out_trade_no"]
    wechat.pay(no)
    body, headers = wechat.notification(no)
    assert shop.client.post(WECHAT_NOTIFY, content=body, headers=headers).status_code == 204
    # a refund the platform knows of but we have not recorded (out of order): FAIL, the platform retries
    wechat.refunds["RF-unknown"] = {"out_refund_no": "RF-unknown", "out_trade_no": no, "refund_id": "503001",
                                    "amount": 100, "total": 2580, "status": "SUCCESS", "transaction_id": "x"}
    body, headers = wechat.refund_notification("RF-unknown")
    r = shop.client.post(WECHAT_NOTIFY, content=body, headers=headers)
    assert r.status_code == 404 and r.json()["code"] == "FAIL"
    assert shop.refunds(no) == []


def test_customer_cancels_a_paid_wechatpay_order_and_is_refunded(live, wechat):
    shop = Shop(live)
    number = shop.order()
    no = shop.start(number, "wechatpay")["out_trade_no"]
    wechat.pay(no)
    body, headers = wechat.notification(no)
    assert shop.client.post(WECHAT_NOTIFY, content=body, headers=headers).status_code == 204
    r = shop.client.post(f"/api/v1/orders/{number}/cancel", headers=shop.customer)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    shop.drain()
    ((refund_no, status, amount, _),) = shop.refunds(no)
    assert (status, amount) == ("processing", 2 * 1290)
    wechat.finish_refund(refund_no)
    body, headers = wechat.refund_notification(refund_no)
    assert shop.client.post(WECHAT_NOTIFY, content=body, headers=headers).status_code == 204
    assert shop.refunds(no)[0][1] == "succeeded"
    assert wechat.trades[no]["trade_state"] == "REFUND"


def test_wechatpay_query_finds_a_payment_whose_notification_was_lost(live, wechat):
    shop = Shop(live)
    number = shop.order()
    no = shop.start(number, "wechatpay")["out_trade_no"]
    provider = live.providers["wechatpay"]
    assert order_payments.check(live.uow(), provider, no) == {"code": "NOTPAY"}
    assert shop.status(number) == "pending_payment"
    wechat.pay(no)  # paid; the notification never arrives
    assert order_payments.check(live.uow(), provider, no) == {"code": "SUCCESS"}
    assert shop.status(number) == "paid"
    assert provider.query("SO-not-ours").status == "NOTEXIST"


def test_wechatpay_unpaid_payment_is_closed_when_the_order_is_cancelled(live, wechat):
    shop = Shop(live)
    number = shop.order()
    no = shop.start(number, "wechatpay")["out_trade_no"]
    assert shop.client.post(f"/api/v1/orders/{number}/cancel", headers=shop.customer).status_code == 200
    shop.drain()
    assert wechat.trades[no]["trade_state"] == "CLOSED" and "POST /v3/pay/transactions/out-trade-no/"\
        f"{no}/close" in wechat.calls
    assert shop.payment(no)[0] == "closed"


def test_wechatpay_answers_not_signed_by_the_platform_are_refused(live, wechat):
    shop = Shop(live)
    number = shop.order()
    real = wechat.platform_key
    wechat.platform_key = new_key()  # a man in the middle answering with his own key
    try:
        r = shop.client.post(f"/api/v1/orders/{number}/payments", params={"provider": "wechatpay"},
                             headers=shop.customer)
    finally:
        wechat.platform_key = real
    assert r.status_code == 502, r.text
    with live.db.read() as s:
        assert s.scalars(select(Payment)).all() == []


# --- Alipay ----------------------------------------------------------------------------------------

def test_alipay_page_pay_url_is_signed_and_notify_marks_the_order_paid_once(live, alipay):
    shop = Shop(live)
    number = shop.order()
    started = shop.start(number, "alipay")
    params = alipay.open_pay_url(started["pay_url"])  # checks our RSA2 signature
    assert params["method"] == "alipay.trade.page.pay" and params["notify_url"].endswith(ALIPAY_NOTIFY)
    assert '"total_amount":"25.80"' in params["biz_content"]
    alipay.pay(started["out_trade_no"])
    body, headers = alipay.notification(started["out_trade_no"])
    for _ in range(3):  # delivered again and again: recorded once
        r = shop.client.post(ALIPAY_NOTIFY, content=body, headers=headers)
        assert (r.status_code, r.text) == (200, "success")
    assert shop.history(number) == ["pending_payment", "paid"]
    assert shop.payment(started["out_trade_no"])[:2] == ("succeeded", alipay.trades[started["out_trade_no"]]["trade_no"])


def test_alipay_wap_and_qr(live, alipay):
    shop = Shop(live)
    wap = shop.start(shop.order(), "alipay", "wap")
    assert alipay.open_pay_url(wap["pay_url"])["method"] == "alipay.trade.wap.pay"
    qr = shop.start(shop.order(1), "alipay", "qr")
    assert qr["code_url"].startswith("https://qr.alipay.com/") and alipay.calls == ["alipay.trade.precreate"]
    assert alipay.trades[qr["out_trade_no"]]["amount"] == 1290 and alipay.bad_signatures == 0


@pytest.mark.parametrize("forgery", ["other_key", "other_app", "tampered", "unsigned", "lies_about_amount"])
def test_alipay_forged_notifications_change_nothing(live, alipay, forgery):
    shop = Shop(live)
    number = shop.order()
    no = shop.start(number, "alipay", "qr")["out_trade_no"]
    alipay.pay(no)
    if forgery == "other_key":
        body, headers = alipay.notification(no, key=new_key())
    elif forgery == "other_app":
        body, headers = alipay.notification(no, app_id="2021000000000999")
    elif forgery == "tampered":
        body, headers = alipay.notification(no)
        body = body.replace(b"total_amount=25.80", b"total_amount=0.01")
    elif forgery == "unsigned":
        body, headers = alipay.notification(no)
        body = b"&".join(p for p in body.split(b"&") if not p.startswith(b"sign="))
    else:
        body, headers = alipay.notification(no, amount=1)
    r = shop.client.post(ALIPAY_NOTIFY, content=body, headers=headers)
    assert r.text == "fail" and r.status_code == (422 if forgery == "lies_about_amount" else 401)
    assert shop.status(number) == "pending_payment" and shop.payment(no)[0] == "created"


def test_alipay_cancel_after_paying_refunds_after_a_failing_attempt(live, alipay, clock):
    shop = Shop(live)
    number = shop.order()
    no = shop.start(number, "alipay", "qr")["out_trade_no"]
    alipay.pay(no)
    body, headers = alipay.notification(no)
    assert shop.client.post(ALIPAY_NOTIFY, content=body, headers=headers).text == "success"
    assert shop.client.post(f"/api/v1/orders/{number}/cancel", headers=shop.customer).status_code == 200
    alipay.fail_refunds = 2
    shop.drain()
    clock.advance(seconds=5)
    shop.drain()
    assert shop.refunds(no) == [] and alipay.refunds == {}
    clock.advance(seconds=10)
    shop.drain()
    ((refund_no, status, amount, _),) = shop.refunds(no)
    assert (status, amount) == ("succeeded", 2 * 1290) and alipay.trades[no]["refunded"] == 2 * 1290
    # Alipay's notification of the refunded trade: acknowledged, nothing changes
    body, headers = alipay.refund_notification(refund_no)
    assert shop.client.post(ALIPAY_NOTIFY, content=body, headers=headers).text == "success"
    assert shop.refunds(no)[0][1] == "succeeded"
    # the refund asked again with the same out_request_no moves no money at Alipay
    provider = live.providers["alipay"]
    assert provider.refund(no, 2 * 1290, refund_no, 2 * 1290).status == "SUCCESS"
    assert alipay.trades[no]["refunded"] == 2 * 1290


def test_alipay_query_and_close(live, alipay):
    shop = Shop(live)
    number = shop.order()
    no = shop.start(number, "alipay", "qr")["out_trade_no"]
    provider = live.providers["alipay"]
    assert provider.query(no).status == "NOTPAY"
    assert provider.query("SO-nobody").status == "NOTEXIST"
    alipay.pay(no)
    assert order_payments.check(live.uow(), provider, no) == {"code": "SUCCESS"}
    assert shop.status(number) == "paid"
    other = shop.order(1)
    no2 = shop.start(other, "alipay", "qr")["out_trade_no"]
    assert shop.client.post(f"/api/v1/orders/{other}/cancel", headers=shop.customer).status_code == 200
    shop.drain()
    assert alipay.trades[no2]["status"] == "TRADE_CLOSED" and shop.payment(no2)[0] == "closed"


# --- both ------------------------------------------------------------------------------------------

def test_provider_not_offered_is_refused_and_someone_elses_order_is_not_found(live):
    shop = Shop(live)
    number = shop.order()
    r = shop.client.post(f"/api/v1/orders/{number}/payments", params={"provider": "paypal"}, headers=shop.customer)
    assert r.status_code == 422 and "provider" in r.text
    stranger = Auth(live).customer(_another_customer(live))
    r = shop.client.post(f"/api/v1/orders/{number}/payments", params={"provider": "wechatpay"}, headers=stranger)
    assert r.status_code == 404


def test_notifications_for_unknown_payments_or_the_other_provider_change_nothing(live, wechat, alipay):
    shop = Shop(live)
    number = shop.order()
    no = shop.start(number, "alipay", "qr")["out_trade_no"]
    alipay.pay(no)
    # WeChat Pay (genuinely signed) claims the Alipay payment: not its payment
    wechat.trades[no] = {"out_trade_no": no, "amount": 2580, "trade_state": "SUCCESS", "transaction_id": "42001",
                         "prepay_id": "", "code_url": "", "notify_url": "", "payer": None}
    body, headers = wechat.notification(no)
    r = shop.client.post(WECHAT_NOTIFY, content=body, headers=headers)
    assert r.status_code == 404 and r.json()["code"] == "FAIL"
    assert shop.status(number) == "pending_payment"
    # huge numbers and junk do not crash the endpoint
    for junk in (b"", b"{}", b"\xff\xfe", b"total_amount=99999999999999999999&out_trade_no=x"):
        assert shop.client.post(ALIPAY_NOTIFY, content=junk).text == "fail"
        assert shop.client.post(WECHAT_NOTIFY, content=junk).status_code == 401


def _another_customer(c: Any) -> int:
    from o2o.customers import service as customers
    from o2o.customers.schemas import CustomerIn

    return customers.create(c.uow(), CustomerIn(name="李四", phone="13900139000")).id  # type: ignore[attr-defined]


def test_alipay_paid_just_before_the_cancel_is_refunded_when_its_notification_comes(live, alipay):
    """The customer pays at Alipay; the order is cancelled before the notification: Alipay refuses to
    close a paid trade (nothing to retry), and the late notification asks for the refund."""
    shop = Shop(live)
    number = shop.order()
    no = shop.start(number, "alipay", "qr")["out_trade_no"]
    alipay.pay(no)
    assert shop.client.post(f"/api/v1/orders/{number}/cancel", headers=shop.customer).status_code == 200
    shop.drain()
    assert alipay.calls.count("alipay.trade.close") == 1 and shop.payment(no)[0] == "created"
    with live.db.read() as s:
        from o2o.kernel.outbox import OutboxEvent

        assert s.scalars(select(OutboxEvent).where(OutboxEvent.published_at.is_(None))).all() == []
    body, headers = alipay.notification(no)
    assert shop.client.post(ALIPAY_NOTIFY, content=body, headers=headers).text == "success"
    shop.drain()
    ((_, status, amount, _),) = shop.refunds(no)
    assert (status, amount) == ("succeeded", 2 * 1290) and shop.status(number) == "cancelled"


def test_an_order_paid_twice_then_cancelled_refunds_the_payment_that_paid_it(live, wechat, alipay, clock):
    """Two payments started (WeChat first), Alipay's went through first and paid the order, WeChat's late
    one is refunded whole. Cancelling then refunds Alipay's payment, the one that paid the order (before,
    the first succeeded payment by id: WeChat's again, a second refund of a refunded payment, while
    Alipay's money was never given back)."""
    shop = Shop(live)
    number = shop.order()
    late = shop.start(number, "wechatpay")["out_trade_no"]
    clock.advance(seconds=1)  # out_trade_no is made of the time
    paying = shop.start(number, "alipay", "qr")["out_trade_no"]
    alipay.pay(paying)
    body, headers = alipay.notification(paying)
    assert shop.client.post(ALIPAY_NOTIFY, content=body, headers=headers).text == "success"
    wechat.pay(late)
    body, headers = wechat.notification(late)
    assert shop.client.post(WECHAT_NOTIFY, content=body, headers=headers).status_code == 204
    shop.drain()
    assert [r[2] for r in shop.refunds(late)] == [2 * 1290]
    assert shop.client.post(f"/api/v1/orders/{number}/cancel", headers=shop.customer).status_code == 200
    shop.drain()
    assert [r[2] for r in shop.refunds(late)] == [2 * 1290]
    assert [(r[1], r[2]) for r in shop.refunds(paying)] == [("succeeded", 2 * 1290)]
    assert alipay.trades[paying]["refunded"] == 2 * 1290


def test_refunds_of_one_payment_never_sum_above_what_it_paid(live):
    """Each refund is idempotent by its own out_refund_no, but two different refunds of one payment (two
    events, a bug upstream) could together return more than was paid: the provider is not asked for a
    refund past the payment's amount (the sandbox, like a lax provider, would have paid it)."""
    shop = Shop(live)
    number = shop.order()
    no = shop.start(number, "sandbox")["out_trade_no"]
    assert shop.client.post(f"/api/v1/sandbox/payments/{no}/complete").status_code == 200

    def ask(refund_no: str, amount: int) -> None:
        with live.uow() as uow:
            order_payments.refund(uow, live.providers, no, amount, refund_no)
            uow.commit()

    ask("RF1", 2000)
    ask("RF1", 2000)  # the same refund again: fine, nothing more
    with pytest.raises(order_payments.ProviderError, match="above"):
        ask("RF2", 2 * 1290 - 2000 + 1)
    ask("RF3", 2 * 1290 - 2000)  # what is left may still be refunded
    assert [(r[0], r[2]) for r in shop.refunds(no)] == [("RF1", 2000), ("RF3", 580)]
    assert [r["refund_no"] for r in live.payments.refunds] == ["RF1", "RF3"]
