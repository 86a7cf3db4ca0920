"""Production mode sends sign-in codes through real-shaped SMS providers (local fakes of Aliyun and
Tencent Cloud at the HTTP boundary), fails over between them, never sends one event twice, and
records the providers' delivery receipts. Both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from o2o import bootstrap
from o2o.adapters.messages.models import SmsSend
from o2o.config import Settings
from o2o.kernel import pii
from o2o.kernel.outbox import OutboxEvent
from o2o.main import create_app
from tests.factories.fake_sms import FakeAliyun, FakeTencent, provider_settings

PHONE = "13912345678"
TOKEN = "receipt-token-1"


@pytest.fixture
def fakes() -> Iterator[tuple[FakeAliyun, FakeTencent]]:
    a, t = FakeAliyun().start(), FakeTencent().start()
    yield a, t
    a.stop()
    t.stop()


def _production(fresh_db, clock, fakes, order=("aliyun", "tencent"), timeout_s=2.0):
    a, t = fakes
    settings = Settings(database_url=fresh_db.url, env="production", secret_key="s" * 40, payment_secret="p" * 40,
                        cheap_password_hashing=True, **provider_settings(a, t, list(order), timeout_s))
    return bootstrap.build(settings, db=fresh_db, clock=clock)


def _sends(c) -> list[SmsSend]:
    with c.db.read() as s:
        return list(s.scalars(select(SmsSend).order_by(SmsSend.id)))


def test_a_customer_signs_in_in_production_with_the_code_aliyun_delivered(fresh_db, clock, fakes):
    aliyun, tencent = fakes
    c = _production(fresh_db, clock, fakes, order=("aliyun",))
    with TestClient(create_app(c)) as client:
        r = client.post("/api/v1/auth/otp", json={"phone": PHONE}, headers={"X-Request-ID": "signin-req-1"})
        assert r.status_code == 202, r.text
        assert bootstrap.relay(c).run_once() == 1
        assert c.sms.inbox == []  # no dev inbox in production: the code went to the provider only
        [sent] = aliyun.sent
        assert (sent["phone"], sent["template"], sent["sign"]) == (PHONE, "SMS_100001", "O2O商城")
        r = client.post("/api/v1/auth/otp/verify", json={"phone": PHONE, "code": sent["params"]["code"]})
        assert r.status_code == 200, r.text
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"}).json()["kind"] \
            == "customer"
    [row] = _sends(c)
    assert (row.provider, row.provider_message_id, row.status, row.kind) == ("aliyun", sent["biz_id"], "sent",
                                                                             "sign_in_code")
    # the phone is sealed at rest, found by its lookup hash; the request id followed the code to the SMS
    assert row.phone_hash == pii.lookup_hash(PHONE) and row.request_id == "signin-req-1"
    with c.db.engine.connect() as conn:
        raw = conn.exec_driver_sql("SELECT phone FROM sms_send").scalar()
    assert PHONE not in raw
    assert tencent.calls == 0 and aliyun.bad_signatures == 0


def test_throttled_first_provider_fails_over_to_the_second_once(fresh_db, clock, fakes):
    aliyun, tencent = fakes
    aliyun.script.append("isv.BUSINESS_LIMIT_CONTROL")
    c = _production(fresh_db, clock, fakes)
    with TestClient(create_app(c)) as client:
        assert client.post("/api/v1/auth/otp", json={"phone": PHONE}).status_code == 202
    relay = bootstrap.relay(c)
    assert relay.run_once() == 1
    assert (aliyun.calls, len(aliyun.sent), len(tencent.sent)) == (1, 0, 1)
    [row] = _sends(c)
    assert (row.provider, row.provider_message_id) == ("tencent", tencent.sent[0]["serial"])
    # a redelivery of the same event (the handler run again, as after a crash before the commit of
    # processed_event would) sends nothing: one event, one SMS
    with c.db.write_sessions() as s:
        event = s.scalars(select(OutboxEvent).where(OutboxEvent.topic == "iam.code_requested")).one()
        event_id = event.id
    from o2o.kernel.outbox import Delivery
    handler = dict(bootstrap.handlers(c)["iam.code_requested"])["messages.sign_in_code_sms"]
    with c.db.write_sessions() as s:
        handler(s, Delivery(event_id, "iam.code_requested", {"phone": PHONE, "code": "000000", "minutes": 5},
                            c.clock))
        s.commit()
    assert (len(aliyun.sent), len(tencent.sent), len(_sends(c))) == (0, 1, 1)


def test_an_illegal_number_is_final_no_other_provider_is_tried(fresh_db, clock, fakes):
    aliyun, tencent = fakes
    aliyun.script.append("isv.MOBILE_NUMBER_ILLEGAL")
    c = _production(fresh_db, clock, fakes)
    with TestClient(create_app(c)) as client:
        assert client.post("/api/v1/auth/otp", json={"phone": PHONE}).status_code == 202
    assert bootstrap.relay(c).run_once() == 1  # done: not retried for ever
    assert tencent.calls == 0
    [row] = _sends(c)
    assert (row.provider, row.status, row.provider_message_id) == ("aliyun", "rejected", None)
    assert row.error.startswith("isv.MOBILE_NUMBER_ILLEGAL")


def test_all_providers_down_the_event_waits_and_goes_out_once_later(fresh_db, clock, fakes):
    aliyun, tencent = fakes
    aliyun.script.append("503")
    tencent.script.append("sleep:1.0")  # longer than our timeout
    c = _production(fresh_db, clock, fakes, timeout_s=0.4)
    with TestClient(create_app(c)) as client:
        assert client.post("/api/v1/auth/otp", json={"phone": PHONE}).status_code == 202
    relay = bootstrap.relay(c)
    assert relay.run_once() == 0
    with c.db.read() as s:
        event = s.scalars(select(OutboxEvent).where(OutboxEvent.topic == "iam.code_requested")).one()
        assert (event.published_at, event.attempts) == (None, 1)
        assert "aliyun: http_503" in event.last_error and "tencent: timeout" in event.last_error
    assert _sends(c) == []
    clock.advance(seconds=3)
    assert relay.run_once() == 1
    assert len(aliyun.sent) + len(tencent.sent) == 1 and len(_sends(c)) == 1
    assert relay.run_once() == 0  # nothing left


def _send_one(c, client) -> SmsSend:
    assert client.post("/api/v1/auth/otp", json={"phone": PHONE}).status_code == 202
    bootstrap.relay(c).run_once()
    return _sends(c)[-1]


def test_delivery_receipts_from_both_providers_are_recorded(fresh_db, clock, fakes):
    aliyun, tencent = fakes
    c = _production(fresh_db, clock, fakes)
    with TestClient(create_app(c)) as client:
        first = _send_one(c, client)
        r = client.post(f"/api/v1/messages/sms/receipts/aliyun/{TOKEN}", json=[{
            "phone_number": PHONE, "send_time": "2026-11-24 10:00:00", "report_time": "2026-11-24 10:00:05",
            "success": True, "err_code": "DELIVERED", "err_msg": "用户接收成功", "sms_size": "1",
            "biz_id": first.provider_message_id, "out_id": first.dedupe_key}])
        assert (r.status_code, r.json()) == (200, {"code": 0, "msg": "成功"})
        clock.advance(minutes=2)
        tencent_sent_before = len(tencent.sent)
        aliyun.script.append("isv.BUSINESS_LIMIT_CONTROL")
        second = _send_one(c, client)
        assert second.provider == "tencent" and len(tencent.sent) == tencent_sent_before + 1
        r = client.post(f"/api/v1/messages/sms/receipts/tencent/{TOKEN}", json=[{
            "user_receive_time": "2026-11-24 10:02:09", "nationcode": "86", "mobile": PHONE,
            "report_status": "FAIL", "errmsg": "MK:0011", "description": "用户手机停机", "sid": second.provider_message_id}])
        assert (r.status_code, r.json()) == (200, {"result": 0, "errmsg": "OK"})
    one, two = _sends(c)
    assert (one.status, one.report) == ("delivered", "DELIVERED 用户接收成功")
    assert one.reported_at.isoformat() == "2026-11-24T02:00:05+00:00"  # Beijing time -> UTC
    assert (two.status, two.report) == ("undelivered", "MK:0011 用户手机停机")


def test_receipts_need_the_token_and_touch_only_the_named_provider_sends(fresh_db, clock, fakes):
    c = _production(fresh_db, clock, fakes)
    with TestClient(create_app(c)) as client:
        sent = _send_one(c, client)
        item = {"biz_id": sent.provider_message_id, "success": False, "err_code": "X"}
        for token in ("wrong-token", TOKEN + "x", "a" * 150):
            r = client.post(f"/api/v1/messages/sms/receipts/aliyun/{token}", json=[item])
            assert r.status_code == 401, r.text
        # a Tencent receipt naming an Aliyun message id changes nothing
        r = client.post(f"/api/v1/messages/sms/receipts/tencent/{TOKEN}",
                        json=[{"sid": sent.provider_message_id, "report_status": "FAIL"}])
        assert r.status_code == 200
        # too many at once, or the wrong shape: 422, nothing recorded
        r = client.post(f"/api/v1/messages/sms/receipts/aliyun/{TOKEN}", json=[item] * 1001)
        assert r.status_code == 422
        r = client.post(f"/api/v1/messages/sms/receipts/aliyun/{TOKEN}", json={"biz_id": "1"})
        assert r.status_code == 422
    assert _sends(c)[0].status == "sent"


def test_without_a_receipt_token_configured_receipts_are_refused(fresh_db, clock, fakes):
    c = _production(fresh_db, clock, fakes)
    c.settings.sms_receipt_token = ""
    with TestClient(create_app(c)) as client:
        r = client.post("/api/v1/messages/sms/receipts/aliyun/x", json=[])
        assert r.status_code == 401


def test_per_phone_limits_still_hold_with_real_providers(fresh_db, clock, fakes):
    aliyun, _ = fakes
    c = _production(fresh_db, clock, fakes)
    with TestClient(create_app(c)) as client:
        assert client.post("/api/v1/auth/otp", json={"phone": PHONE}).status_code == 202
        again = client.post("/api/v1/auth/otp", json={"phone": PHONE})
        assert again.status_code == 429, again.text
    bootstrap.relay(c).run_once()
    assert len(aliyun.sent) == 1
    with c.db.read() as s:
        assert s.scalar(select(func.count()).select_from(SmsSend)) == 1


def test_send_records_are_deleted_after_sms_record_days(fresh_db, clock, fakes):
    from datetime import timedelta

    from o2o.messaging import service as messaging

    c = _production(fresh_db, clock, fakes)
    with TestClient(create_app(c)) as client:
        _send_one(c, client)
    assert messaging.forget_sends(c.uow(), clock.now() - timedelta(days=c.settings.sms_record_days)) == 0
    clock.advance(days=c.settings.sms_record_days, seconds=1)
    assert messaging.forget_sends(c.uow(), clock.now() - timedelta(days=c.settings.sms_record_days)) == 1
    assert _sends(c) == []


def test_a_failing_receipt_push_is_logged_without_its_token(fresh_db, clock, fakes, caplog, monkeypatch):
    """The receipt URL's path carries the shared secret: an error there is logged by the route's
    template, so the token never reaches the logs."""
    from o2o.messaging import service as messaging

    def broken(*a, **kw):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(messaging, "record_receipts", broken)
    c = _production(fresh_db, clock, fakes)
    token = c.settings.sms_receipt_token
    with caplog.at_level("WARNING"), TestClient(create_app(c), raise_server_exceptions=False) as client:
        r = client.post(f"/api/v1/messages/sms/receipts/aliyun/{token}", json=[{"biz_id": "1", "success": True}])
        assert r.status_code == 500
    logged = [r.getMessage() for r in caplog.records]
    assert any("/receipts/aliyun/{token}" in line for line in logged), logged
    assert not any(token in line for line in logged)
