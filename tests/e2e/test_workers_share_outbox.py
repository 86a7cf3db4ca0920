"""Three `o2o worker` processes share one outbox under load: every event is delivered exactly once
per handler. The handler sends an SMS through a local fake Aliyun server, which counts what it
receives: a second delivery of an event would be a second HTTP call with the same OutId, whatever
the database's constraints then did. Events keep being published while the workers run; the
workers log in JSON, and each handled event's line names the request id that caused it."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from o2o.adapters.messages.models import SmsSend
from o2o.kernel.logs import request_id
from o2o.kernel.outbox import OutboxEvent, ProcessedEvent
from o2o.kernel.uow import UnitOfWork
from tests.e2e.test_cli_commands import _env, _start, _stop
from tests.factories.fake_sms import ALIYUN_TEMPLATES, FakeAliyun

WORKERS = 3
BATCHES, PER_BATCH = 30, 10
HANDLER = "messages.sign_in_code_sms"


def _publish(db, batch: int) -> None:
    token = request_id.set(f"load-{batch}")  # as the ASGI guard does for a request
    try:
        with UnitOfWork(db) as uow:
            for i in range(PER_BATCH):
                uow.publish("iam.code_requested", {"phone": f"139{batch:04d}{i:04d}", "code": f"{batch:03d}{i:03d}",
                                                   "minutes": 5})
            uow.commit()
    finally:
        request_id.reset(token)


def test_three_workers_deliver_every_event_once_per_handler(fresh_db, tmp_path: Path):
    fake = FakeAliyun().start()
    env = _env(tmp_path, O2O_DATABASE_URL=fresh_db.url, O2O_ENV="dev", O2O_LOG_FORMAT="json",
               O2O_RELAY_POLL_S="0.05", O2O_RELAY_BATCH="20", O2O_SMS_PROVIDERS='["aliyun"]',
               O2O_ALIYUN_SMS_ACCESS_KEY_ID=fake.key_id, O2O_ALIYUN_SMS_ACCESS_KEY_SECRET=fake.secret,
               O2O_ALIYUN_SMS_SIGN_NAME="O2O", O2O_ALIYUN_SMS_TEMPLATES=json.dumps(ALIYUN_TEMPLATES),
               O2O_ALIYUN_SMS_ENDPOINT=fake.url)
    workers = [_start(env, tmp_path, "worker") for _ in range(WORKERS)]
    outputs: list[str] = []
    try:
        for batch in range(BATCHES):  # published while the workers run
            _publish(fresh_db, batch)
            time.sleep(0.05)
        total = BATCHES * PER_BATCH
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            with fresh_db.read() as s:
                left = s.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.published_at.is_(None)))
            if left == 0:
                break
            assert all(w.poll() is None for w in workers), "a worker died"
            time.sleep(0.2)
        assert left == 0, f"{left} events still pending"
    finally:
        for w in workers:
            outputs.append(_stop(w)[1])
        fake.stop()

    with fresh_db.read() as s:
        ids = list(s.scalars(select(OutboxEvent.id).where(OutboxEvent.topic == "iam.code_requested")))
        processed = list(s.scalars(select(ProcessedEvent.event_id).where(ProcessedEvent.handler == HANDLER)))
        sends = s.scalar(select(func.count()).select_from(SmsSend))
        failed = s.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.attempts > 0))
    assert len(ids) == total and sorted(processed) == sorted(ids) and sends == total and failed == 0
    # the provider saw each event exactly once
    calls = Counter(m["out_id"] for m in fake.sent)
    assert fake.calls == total and set(calls) == {f"code:{i}" for i in ids} and set(calls.values()) == {1}
    assert fake.bad_signatures == 0

    # JSON logs: one "handled" line per event over all workers, naming the request that published it
    handled: dict[int, list[str]] = {}
    for pid_out in outputs:
        for line in pid_out.splitlines():
            if not line.startswith("{"):
                continue
            rec = json.loads(line)
            if rec["logger"] == "o2o.kernel.outbox" and rec["message"].endswith(f"request={rec.get('request_id')}") \
                    and " handled " in rec["message"]:
                handled.setdefault(rec["pid"], []).append(rec["message"])
    lines = [m for ms in handled.values() for m in ms]
    assert len(lines) == total
    assert {m.split()[1] for m in lines} == {str(i) for i in ids}
    assert {m.rsplit("request=", 1)[1] for m in lines} == {f"load-{b}" for b in range(BATCHES)}
    assert len(handled) >= 2, f"only one worker did anything: {[len(v) for v in handled.values()]}"
