"""Transactional outbox: events are rows written in the same transaction as the change.

The relay (`o2o worker`, in-process under `o2o demo`) delivers each event to its handlers,
one savepoint per handler, each recorded in `processed_event` so a redelivery is a no-op.
A failing handler is retried with exponential backoff; nothing is lost if the process dies.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from o2o.kernel.bulk import insert_rows
from o2o.kernel.clock import Clock, SystemClock
from o2o.kernel.db import Base, BigId, Database, database_unavailable, first_line
from o2o.kernel.logs import current_request_id
from o2o.kernel.logs import request_id as request_id_var
from o2o.kernel.pii import EncryptedJSON

log = logging.getLogger(__name__)


class OutboxEvent(Base):
    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_pending", "published_at", "available_at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(80))
    # encrypted whole: a payload may carry personal data (a phone to text, an address to deliver to)
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON())
    created_at: Mapped[datetime]
    available_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # the HTTP request that caused the event (X-Request-ID), logged again when the relay handles it
    request_id: Mapped[str | None] = mapped_column(String(64))


class ProcessedEvent(Base):
    __tablename__ = "processed_event"

    handler: Mapped[str] = mapped_column(String(120), primary_key=True)
    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("outbox_event.id"), primary_key=True)
    processed_at: Mapped[datetime]


@dataclass(frozen=True)
class Event:
    topic: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Delivery:
    """What a handler receives: the event, its id (a natural dedupe key for adapters) and the clock."""

    id: int
    topic: str
    payload: dict[str, Any]
    clock: Clock
    request_id: str = ""


Handler = Callable[[Session, Delivery], None]


_INSERT_EVENT = OutboxEvent.__table__.insert()  # built once; run on the session's connection (no ORM layer)


BULK_EVENTS = 64  # from this many events in one transaction (a till's offline upload), one statement on PostgreSQL


def write_events(session: Session, events: list[Event], now: datetime) -> None:
    if events:
        rid = current_request_id() or None  # the request being served, or the event being handled
        conn = session.connection()
        rows = [{"topic": e.topic, "payload": e.payload, "created_at": now, "available_at": now, "attempts": 0,
                 "request_id": rid} for e in events]
        if len(rows) >= BULK_EVENTS and conn.dialect.name == "postgresql":
            sealed = OutboxEvent.__table__.c.payload.type  # sealed here: kernel.bulk runs no bind processing
            for r in rows:
                r["payload"] = sealed.process_bind_param(r["payload"], conn.dialect)
            insert_rows(conn, OutboxEvent.__table__, rows)
        else:
            conn.execute(_INSERT_EVENT, rows)


@dataclass
class Relay:
    db: Database
    handlers: dict[str, list[tuple[str, Handler]]]
    clock: Clock = field(default_factory=SystemClock)
    batch: int = 100
    max_backoff_s: float = 300.0
    # topics whose payload is blanked once delivered (a phone and a sign-in code need not outlive the SMS)
    redact_topics: frozenset[str] = frozenset()

    def run_once(self) -> int:
        """Deliver what is due; return how many events were completed."""
        done = 0
        for event_id in self._due_ids():
            if self._deliver(event_id):
                done += 1
        return done

    def drain(self, rounds: int = 20) -> int:
        total = 0
        for _ in range(rounds):
            n = self.run_once()
            total += n
            if n == 0:
                break
        return total

    def _due_ids(self) -> list[int]:
        with self.db.read() as s:
            stmt = (select(OutboxEvent.id)
                    .where(OutboxEvent.published_at.is_(None), OutboxEvent.available_at <= self.clock.now())
                    .order_by(OutboxEvent.id).limit(self.batch))
            return list(s.scalars(stmt))

    def _deliver(self, event_id: int) -> bool:
        """Claim the event and run its handlers in one transaction. Several relays (`o2o worker`
        processes) share the outbox: on PostgreSQL the event row is locked FOR UPDATE SKIP LOCKED (a
        relay skips an event another one holds), on SQLite the transaction is BEGIN IMMEDIATE behind
        the write lock (one writer at a time across processes); either way the event is read again
        inside the transaction, so an event another relay finished (or postponed) meanwhile is left."""
        with self.db.write_lock, self.db.write_sessions() as s:
            stmt = select(OutboxEvent).where(OutboxEvent.id == event_id, OutboxEvent.published_at.is_(None),
                                             OutboxEvent.available_at <= self.clock.now())
            if s.get_bind().dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            event = s.scalars(stmt).first()
            if event is None:  # another relay took it
                s.rollback()
                return False
            token = request_id_var.set(event.request_id or "")
            try:
                return self._handle(s, event)
            finally:
                request_id_var.reset(token)

    def _handle(self, s: Session, event: OutboxEvent) -> bool:
        delivery = Delivery(event.id, event.topic, dict(event.payload), self.clock, event.request_id or "")
        failures: list[str] = []
        for name, handler in self.handlers.get(event.topic, []):
            if s.get(ProcessedEvent, (name, event.id)) is not None:
                continue
            try:
                with s.begin_nested():
                    handler(s, delivery)
                    s.add(ProcessedEvent(handler=name, event_id=event.id, processed_at=self.clock.now()))
            except Exception as exc:  # one handler failing must not lose the others' work
                log.warning("handler %s failed on event %s: %s", name, event.id, exc)
                failures.append(f"{name}: {exc!r}"[:500])
        now = self.clock.now()
        if failures:
            event.attempts += 1
            event.last_error = "\n".join(failures)
            event.available_at = now + timedelta(seconds=min(self.max_backoff_s, 2.0 ** event.attempts))
        else:
            event.published_at = now
            if event.topic in self.redact_topics:
                event.payload = {"redacted": True}
        s.commit()
        if event.topic in self.handlers:  # one line per event something reacted to, naming its request
            log.info("event %s %s %s request=%s", event.id, event.topic,
                     f"failed (attempt {event.attempts})" if failures else "handled", event.request_id or "-")
        return not failures


class RelayThread(threading.Thread):
    """The relay in a background thread, for `o2o demo` and `o2o worker`."""

    def __init__(self, relay: Relay, interval_s: float, periodic: list[Callable[[], Any]] | None = None) -> None:
        super().__init__(name="o2o-relay", daemon=True)
        self.relay = relay
        self.interval_s = interval_s
        self.periodic = periodic or []
        self.stopping = threading.Event()

    max_pause_s = 30.0

    def run(self) -> None:
        failures = 0
        while not self.stopping.is_set():
            try:
                for job in self.periodic:
                    job()
                self.relay.drain()
                if failures:
                    log.warning("relay recovered after %d failed rounds", failures)
                failures = 0
            except Exception as exc:  # keep the relay alive; the next round retries, backing off
                failures += 1
                if failures == 1 and not database_unavailable(exc):
                    log.exception("relay round failed")  # the first time, with its traceback
                elif failures == 1 or failures.bit_count() == 1:  # then on the 2nd, 4th, 8th ... in a row
                    log.warning("relay round failed (%d in a row): %s", failures, first_line(exc))
            pause = self.interval_s if not failures else min(self.max_pause_s, self.interval_s * 2 ** failures)
            self.stopping.wait(pause)

    def stop(self) -> None:
        self.stopping.set()
