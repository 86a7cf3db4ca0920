"""WeChat subscription messages for order status: the mini-program posts the customer's consent,
each consent allows one message, sent through a local fake of the WeChat API (access token from
stable_token, cached, refreshed once when WeChat says it expired). Both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from o2o import bootstrap
from o2o.config import Settings
from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from o2o.kernel.outbox import OutboxEvent
from o2o.messaging.models import WechatConsent
from tests.factories.chain import build_chain, receive
from tests.factories.fake_wechat import FakeWechat
from tests.factories.http import pay, pickup_order

OPENID = "oAbCdEf0123456789_customer"
PAID, READY = "TPL-PAID-0001", "TPL-READY-0002"


@pytest.fixture
def fake() -> Iterator[FakeWechat]:
    f = FakeWechat().start()
    yield f
    f.stop()


@pytest.fixture
def container(fresh_db, clock, fake):  # type: ignore[no-untyped-def]
    settings = Settings(database_url=fresh_db.url, payment_secret="test-secret", cheap_password_hashing=True,
                        wechat_app_id=fake.app_id, wechat_secret=fake.secret, wechat_base_url=fake.url,
                        wechat_templates={"order_paid": PAID, "pickup_ready": READY}, sms_timeout_s=1.0)
    return bootstrap.build(settings, db=fresh_db, clock=clock)


def _consent(client, headers, results, openid=OPENID):
    return client.post("/api/v1/me/wechat/subscriptions", headers=headers, json={"openid": openid, "results": results})


def _consents(c) -> list[WechatConsent]:
    with c.db.read() as s:
        return list(s.scalars(select(WechatConsent).order_by(WechatConsent.id)))


def _paid_order(client, container, chain, customer) -> str:
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    number = pickup_order(client, store, milk, 1, customer)
    pay(client, number, customer)
    return number


def test_one_consent_one_message_token_cached(client, container, auth, fake):
    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 10)
    customer = auth.customer(chain.customer)
    r = _consent(client, customer, {PAID: "accept", READY: "reject", "TPL-UNKNOWN": "accept"})
    assert r.status_code == 201, r.text
    assert r.json() == {"accepted": [PAID], "open": {PAID: 1}}
    relay = bootstrap.relay(container)
    first = _paid_order(client, container, chain, customer)
    relay.drain()
    [msg] = fake.sent
    assert (msg["touser"], msg["template_id"]) == (OPENID, PAID)
    assert msg["data"]["character_string1"] == {"value": first} and msg["data"]["phrase2"] == {"value": "已支付"}
    [used] = _consents(container)
    assert used.used_at is not None and used.msgid == "7001" and used.error is None
    # the consent is used up: the next paid order sends nothing, until the customer consents again
    _paid_order(client, container, chain, customer)
    relay.drain()
    assert len(fake.sent) == 1
    assert _consent(client, customer, {PAID: "accept"}).json()["open"] == {PAID: 1}
    third = _paid_order(client, container, chain, customer)
    relay.drain()
    assert [m["data"]["character_string1"]["value"] for m in fake.sent] == [first, third]
    assert fake.token_calls == 1  # cached between messages
    # the openid is sealed at rest
    with container.db.engine.connect() as conn:
        assert OPENID not in str(conn.exec_driver_sql("SELECT openid FROM wechat_consent").all())


def test_expired_token_is_refreshed_once_and_failures_retry_without_losing_the_consent(client, container, auth, fake):
    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 10)
    customer = auth.customer(chain.customer)
    _consent(client, customer, {PAID: "accept"})
    relay = bootstrap.relay(container)
    fake.tokens.append("token-1")
    fake.script += ["expire"]  # our cached token goes stale: refreshed (force_refresh) and the send retried
    _paid_order(client, container, chain, customer)
    relay.drain()
    assert len(fake.sent) == 1 and fake.token_calls == 2  # the cached one, then one forced refresh
    # WeChat busy, then a 500: the event waits, the consent stays open, then one message
    _consent(client, customer, {PAID: "accept"})
    fake.script += ["busy"]
    _paid_order(client, container, chain, customer)
    relay.drain()
    assert len(fake.sent) == 1 and _consents(container)[-1].used_at is None
    with container.db.read() as s:
        waiting = s.scalars(select(OutboxEvent).where(OutboxEvent.published_at.is_(None))).all()
        assert [e.topic for e in waiting] == ["order.paid"] and "wechat -1" in waiting[0].last_error
    container.clock.advance(seconds=5)
    relay.drain()
    assert len(fake.sent) == 2 and _consents(container)[-1].used_at is not None


def test_a_refused_message_uses_the_consent_and_is_not_retried(client, container, auth, fake):
    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 10)
    customer = auth.customer(chain.customer)
    _consent(client, customer, {PAID: "accept"})
    fake.refused_openids.add(OPENID)
    _paid_order(client, container, chain, customer)
    bootstrap.relay(container).drain()
    [c] = _consents(container)
    assert c.used_at is not None and c.error.startswith("wechat 43101")
    with container.db.read() as s:
        assert s.scalars(select(OutboxEvent).where(OutboxEvent.published_at.is_(None))).all() == []


def test_someone_elses_openid_and_bad_input_are_refused(client, container, auth, fake):
    chain = build_chain(container)
    other = customers.create(container.uow(), CustomerIn(name="李四", phone="13900139000")).id
    customers.add_identity(container.uow(), other, "wechat_openid", "oTheOtherCustomersOpenId")
    me = auth.customer(chain.customer)
    r = _consent(client, me, {PAID: "accept"}, openid="oTheOtherCustomersOpenId")
    assert r.status_code == 403, r.text
    for bad in ({"openid": "o' OR 1=1 --", "results": {PAID: "accept"}},
                {"openid": OPENID, "results": {f"T{i}": "accept" for i in range(21)}},
                {"openid": OPENID, "results": {PAID: "yes"}},
                {"openid": "x" * 65, "results": {}}):
        r = client.post("/api/v1/me/wechat/subscriptions", headers=me, json=bad)
        assert r.status_code == 422, (bad, r.text)
    assert client.post("/api/v1/me/wechat/subscriptions", json={"openid": OPENID, "results": {}}).status_code == 401
    r = _consent(client, auth.staff("operator"), {PAID: "accept"})
    assert r.status_code == 403
    assert _consents(container) == []


def test_erasing_a_customer_forgets_their_consents(client, container, auth, fake):
    chain = build_chain(container)
    _consent(client, auth.customer(chain.customer), {PAID: "accept", READY: "accept"})
    assert len(_consents(container)) == 2
    assert customers.erase(container.uow(), chain.customer)
    bootstrap.relay(container).drain()
    assert _consents(container) == []


def test_two_relays_at_once_spend_one_consent_once(client, container, auth, fake):
    """Two paid orders, one consent, two relays delivering at the same time: one message."""
    import threading

    chain = build_chain(container)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 10)
    customer = auth.customer(chain.customer)
    _consent(client, customer, {PAID: "accept"})
    for _ in range(2):
        _paid_order(client, container, chain, customer)
    relays = [bootstrap.relay(container) for _ in range(2)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(relay) -> None:
        try:
            start.wait()
            relay.drain()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(r,)) for r in relays]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(fake.sent) == 1
    [c] = _consents(container)
    assert c.used_at is not None and c.used_for.startswith("order.paid:")
    with container.db.read() as s:
        assert s.scalars(select(OutboxEvent).where(OutboxEvent.published_at.is_(None))).all() == []
