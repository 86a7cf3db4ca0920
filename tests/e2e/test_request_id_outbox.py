"""One request id follows an HTTP call into the outbox events it causes and the relay's handling of
them (and the SMS they send: tests/e2e/test_sms_providers_live.py). Both databases."""

from __future__ import annotations

import logging

from sqlalchemy import select

from o2o import bootstrap
from o2o.kernel.outbox import OutboxEvent

PHONE = "13912345678"


def _events(container) -> list[OutboxEvent]:
    with container.db.read() as s:
        return list(s.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


def test_the_callers_request_id_is_kept_in_the_event_and_logged_by_the_relay(client, container, caplog):
    r = client.post("/api/v1/auth/otp", json={"phone": PHONE}, headers={"X-Request-ID": "edge-7f3a.1"})
    assert r.status_code == 202 and r.headers["x-request-id"] == "edge-7f3a.1"
    [event] = _events(container)
    assert (event.topic, event.request_id) == ("iam.code_requested", "edge-7f3a.1")
    with caplog.at_level(logging.INFO, logger="o2o.kernel.outbox"):
        assert bootstrap.relay(container).run_once() == 1
    assert f"event {event.id} iam.code_requested handled request=edge-7f3a.1" in caplog.messages


def test_an_insane_request_id_is_replaced_and_the_new_one_is_stored(client, container):
    r = client.post("/api/v1/auth/otp", json={"phone": PHONE}, headers={"X-Request-ID": "bad id\twith spaces" + "x" * 80})
    assert r.status_code == 202
    rid = r.headers["x-request-id"]
    assert rid != "" and " " not in rid and len(rid) <= 64
    assert _events(container)[0].request_id == rid


def test_each_request_has_its_own_id_and_none_leaks_into_the_next(client, container):
    client.post("/api/v1/auth/otp", json={"phone": PHONE}, headers={"X-Request-ID": "first"})
    r = client.post("/api/v1/auth/otp", json={"phone": "13900001111"})
    assert r.status_code == 202
    first, second = _events(container)
    assert first.request_id == "first" and second.request_id == r.headers["x-request-id"] != "first"


def test_events_written_outside_a_request_have_no_request_id(container):
    from o2o.kernel.uow import UnitOfWork

    with UnitOfWork(container.db, container.clock) as uow:
        uow.publish("test.event", {})
        uow.commit()
    assert _events(container)[0].request_id is None
