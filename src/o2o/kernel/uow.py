"""Unit of work: one use case, one transaction; events go to the outbox in that transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

from sqlalchemy.orm import Session

from o2o.kernel.clock import Clock, SystemClock
from o2o.kernel.db import Database
from o2o.kernel.outbox import Event, write_events


class UnitOfWork:
    session: Session

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db = db
        self.clock = clock or SystemClock()
        self._events: list[Event] = []
        # run inside the transaction just before it commits (the audit log hooks in here)
        self.before_commit: list[Callable[[Session], None]] = []
        self.target = ""  # what this use case changed, for the audit log (ids, never personal data)
        self.detail: dict[str, Any] = {}

    def describe(self, target: str | None = None, **detail: Any) -> None:
        """Name what this unit of work changes (e.g. "order=SO..."), for the audit log."""
        if target:
            self.target = target[:200]
        self.detail.update(detail)

    def __enter__(self) -> Self:
        self.db.write_lock.__enter__()
        self.session = self.db.write_sessions()
        self._events = []
        return self

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        self._events.append(Event(topic, payload))

    def commit(self, last: Callable[[Session], None] | None = None) -> None:
        """`last` runs after every other write, just before COMMIT: the place for statements that take
        contended row locks (reserving a hot SKU), so those locks are held for the least time."""
        for hook in self.before_commit:
            hook(self.session)
        write_events(self.session, self._events, self.clock.now())
        self._events = []
        if last is not None:
            self.session.flush()  # pending ORM writes go first, not at COMMIT after `last`
            last(self.session)
        self.session.commit()

    def rollback(self) -> None:
        self._events = []
        self.session.rollback()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if self.session.in_transaction():
                self.session.rollback()
        finally:
            self.session.close()
            self.db.write_lock.__exit__(None, None, None)


class JoinedUnitOfWork(UnitOfWork):
    """Rides on a session someone else commits (the relay): `commit` only writes the events."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self.session = session
        self.clock = clock
        self._events = []
        self.before_commit = []
        self.target, self.detail = "", {}

    def __enter__(self) -> Self:
        return self

    def commit(self, last: Callable[[Session], None] | None = None) -> None:
        for hook in self.before_commit:
            hook(self.session)
        write_events(self.session, self._events, self.clock.now())
        self._events = []
        if last is not None:
            last(self.session)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self._events = []
