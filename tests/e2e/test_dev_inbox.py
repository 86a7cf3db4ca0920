"""The dev SMS inbox lives in the database: `/dev/inbox` shows what any process sent (the API under
`o2o serve --workers 2`, the relay under `o2o worker`), phones masked and sealed at rest; a day later
the worker's periodic jobs purge it."""

from __future__ import annotations

import re

from sqlalchemy import text

from o2o import bootstrap
from o2o.kernel.db import Database

PHONE = "13912345678"
OTHER = "13700001111"


def _relay_of_another_process(container):  # type: ignore[no-untyped-def]
    """What `o2o worker` is: its own Database (own engine and pool) and container, on the same database."""
    db = Database.from_url(container.db.url, pool_size=2)
    return db, bootstrap.build(container.settings, db=db, clock=container.clock)


def test_a_code_the_worker_sent_shows_on_the_inbox_of_another_process(client, container):
    worker_db, worker = _relay_of_another_process(container)
    try:
        assert client.post("/api/v1/auth/otp", json={"phone": PHONE}).status_code == 202
        assert bootstrap.relay(worker).run_once() == 1
    finally:
        worker_db.dispose()
    page = client.get("/dev/inbox", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "139****5678" in page.text and PHONE not in page.text  # masked, as the log does
    code = re.search(r"验证码 (\d{6})", page.text).group(1)
    assert [m["to"] for m in client.get("/api/v1/dev/sms").json()] == ["139****5678"]
    # the code read off the page signs the customer in
    ok = client.post("/api/v1/auth/otp/verify", json={"phone": PHONE, "code": code})
    assert ok.status_code == 200, ok.text
    # sealed at rest: neither the phone nor the code is in the stored row
    with container.db.engine.connect() as conn:
        phone, body = conn.execute(text("SELECT phone, text FROM dev_message")).one()
    assert PHONE not in phone and code not in body and PHONE not in body


def test_dev_messages_older_than_a_day_are_purged_by_the_worker_jobs(client, container):
    def jobs() -> None:  # one round of the worker's periodic jobs (a new worker: nothing throttled yet)
        for job in bootstrap.relay_thread(container).periodic:
            job()

    assert client.post("/api/v1/auth/otp", json={"phone": PHONE}).status_code == 202
    bootstrap.relay(container).run_once()
    container.clock.advance(hours=23)
    assert client.post("/api/v1/auth/otp", json={"phone": OTHER}).status_code == 202
    bootstrap.relay(container).run_once()
    jobs()
    assert [m.to for m in container.sms.inbox] == [OTHER, PHONE]  # newest first; neither a day old
    container.clock.advance(hours=2)
    jobs()
    assert [m.to for m in container.sms.inbox] == [OTHER]
    assert "139****5678" not in client.get("/dev/inbox").text and "137****1111" in client.get("/dev/inbox").text


def test_outside_dev_no_message_is_kept(client, container):
    container.sms.keep = False  # what bootstrap.build sets outside O2O_ENV=dev (the inbox page is gone there)
    assert client.post("/api/v1/auth/otp", json={"phone": PHONE}).status_code == 202
    assert bootstrap.relay(container).run_once() == 1
    with container.db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM dev_message")).scalar() == 0
