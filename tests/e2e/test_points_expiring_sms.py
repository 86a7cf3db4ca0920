"""`loyalty.points_expiring` reaches the member by SMS, on both databases: the dev sender's inbox has
one message per notice (a second round and a redelivered event send nothing more), and in production
the template kind `points_expiring` goes to a real-shaped provider (a local fake of Aliyun's HTTP API)
with the points and the date, and not at all without its template."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from o2o import bootstrap
from o2o.adapters.messages.models import SmsSend
from o2o.config import Settings
from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from o2o.kernel.outbox import Delivery, OutboxEvent
from o2o.loyalty import service as loyalty
from tests.factories.fake_sms import ALIYUN_TEMPLATES, FakeAliyun, provider_settings

PHONE = "13912345678"
EXPIRING = loyalty.EXPIRING_TOPIC


def _member_with_points(c, phone: str | None = PHONE, points: int = 800) -> int:  # type: ignore[no-untyped-def]
    cid = customers.create(c.uow(), CustomerIn(name="积分会员", phone=phone)).id
    loyalty.adjust(c.uow(), cid, points, "test credit")  # a lot expiring at the horizon (365 days)
    return cid


def _to_notice_window(c) -> None:  # type: ignore[no-untyped-def]
    c.clock.advance(days=340)  # 25 days before the horizon, inside the 30-day notice


def _expiring_events(c) -> list[OutboxEvent]:  # type: ignore[no-untyped-def]
    with c.db.read() as s:
        return list(s.scalars(select(OutboxEvent).where(OutboxEvent.topic == EXPIRING).order_by(OutboxEvent.id)))


def test_expiring_points_send_one_sms_per_notice_with_the_dev_sender(container):
    c = container
    cid = _member_with_points(c)
    relay = bootstrap.relay(c)
    relay.drain()
    _to_notice_window(c)
    assert loyalty.notify_expiring(c.uow) == 1
    relay.drain()
    mine = [m for m in c.sms.inbox if m.to == PHONE and "积分" in m.text]
    assert len(mine) == 1
    assert "800 积分将于 2027-11-24 到期" in mine[0].text and "800 of your points expire on 2027-11-24" in mine[0].text
    # the next round finds the lot notified already: no event, no SMS
    c.clock.advance(days=1)
    assert loyalty.notify_expiring(c.uow) == 0
    relay.drain()
    assert len([m for m in c.sms.inbox if "积分" in m.text]) == 1
    # the same event delivered again (a crash before processed_event committed): nothing more
    [event] = _expiring_events(c)
    handler = dict(bootstrap.handlers(c)[EXPIRING])["messages.points_expiring_sms"]
    with c.db.write_sessions() as s:
        handler(s, Delivery(event.id, EXPIRING, event.payload, c.clock))
        s.commit()
    assert len([m for m in c.sms.inbox if "积分" in m.text]) == 1
    assert loyalty.balance_of(c.db, cid) == 800  # a notice changes no points


@pytest.fixture
def aliyun() -> Iterator[FakeAliyun]:
    a = FakeAliyun().start()
    yield a
    a.stop()


def test_in_production_the_points_expiring_template_goes_to_the_provider_once(fresh_db, clock, aliyun):
    cfg = provider_settings(aliyun, None, ["aliyun"])
    cfg["aliyun_sms_templates"] = {**ALIYUN_TEMPLATES, "points_expiring": "SMS_100077"}
    settings = Settings(database_url=fresh_db.url, env="production", secret_key="s" * 40, payment_secret="p" * 40,
                        cheap_password_hashing=True, **cfg)
    c = bootstrap.build(settings, db=fresh_db, clock=clock)
    _member_with_points(c, points=1_250)
    relay = bootstrap.relay(c)
    relay.drain()
    _to_notice_window(c)
    assert loyalty.notify_expiring(c.uow) == 1
    relay.drain()
    [sent] = aliyun.sent
    assert (sent["phone"], sent["template"]) == (PHONE, "SMS_100077")
    assert sent["params"] == {"points": "1250", "date": "2027-11-24"}
    assert aliyun.bad_signatures == 0
    with c.db.read() as s:
        [row] = s.scalars(select(SmsSend).where(SmsSend.kind == "points_expiring")).all()
    assert (row.provider, row.status) == ("aliyun", "sent")
    relay.drain()
    assert loyalty.notify_expiring(c.uow) == 0 and len(aliyun.sent) == 1


def test_without_its_template_configured_the_notice_is_not_sent_as_another_kind(fresh_db, clock, aliyun):
    settings = Settings(database_url=fresh_db.url, env="production", secret_key="s" * 40, payment_secret="p" * 40,
                        cheap_password_hashing=True, **provider_settings(aliyun, None, ["aliyun"]))
    c = bootstrap.build(settings, db=fresh_db, clock=clock)
    _member_with_points(c)
    bootstrap.relay(c).drain()
    _to_notice_window(c)
    loyalty.notify_expiring(c.uow)
    bootstrap.relay(c).drain()
    assert aliyun.sent == []  # no template for the kind: the provider is never asked to send something else
