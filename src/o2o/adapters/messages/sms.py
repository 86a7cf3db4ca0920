"""SMS: a Protocol, and a dev sender that logs and keeps a dev inbox in the database (no network)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from o2o.adapters.messages.models import DevMessage
from o2o.kernel.clock import Clock
from o2o.kernel.db import Database
from o2o.kernel.pii import mask_phone

log = logging.getLogger("o2o.sms")


@dataclass(frozen=True)
class Sms:
    to: str
    text: str
    dedupe_key: str
    at: datetime


class SmsSender(Protocol):
    def send(self, to: str, text: str, dedupe_key: str, *, session: Session, kind: str = "",
             params: Mapping[str, str] | None = None) -> None:
        """`session`: the relay's transaction delivering the event (a sender that records what it sent
        writes there, so the record commits with the delivery or not at all). `kind` and `params`:
        the template and its values, for the real providers (which send only approved templates);
        `text` is what the dev sender shows."""

    def purge(self, before: datetime) -> int: ...


class DevSms:
    """Writes each message to the log (phone masked, no digits of a code) and, when `keep` (O2O_ENV=dev),
    to the `dev_message` table that `/dev/inbox` shows, whichever process sent it. A repeated dedupe
    key is ignored."""

    def __init__(self, db: Database, clock: Clock, keep: bool = True, show: int = 500) -> None:
        self.db = db
        self.clock = clock
        self.keep = keep
        self.show = show

    def send(self, to: str, text: str, dedupe_key: str, *, session: Session, kind: str = "",
             params: Mapping[str, str] | None = None) -> None:
        if self.keep:
            if session.scalar(select(DevMessage.id).where(DevMessage.dedupe_key == dedupe_key)) is not None:
                return
            session.add(DevMessage(dedupe_key=dedupe_key, phone=to, text=text, sent_at=self.clock.now()))
            session.flush()
        log.info("SMS to %s: %s", mask_phone(to), re.sub(r"\d{4,}", "****", text))  # no codes in logs

    @property
    def inbox(self) -> list[Sms]:
        """The newest messages first (at most `show`), from the database."""
        with self.db.read() as s:
            rows = s.scalars(select(DevMessage).order_by(DevMessage.id.desc()).limit(self.show))
            return [Sms(m.phone, m.text, m.dedupe_key, m.sent_at) for m in rows]

    def masked_inbox(self) -> list[Sms]:
        """The inbox as `/dev/inbox` shows it: phones masked (138****5678), as in the log."""
        return [replace(m, to=mask_phone(m.to) or "") for m in self.inbox]

    def purge(self, before: datetime) -> int:
        """Delete the messages sent before `before` (the worker's periodic jobs: a day's worth is kept)."""
        if not self.keep:
            return 0
        with self.db.write_lock, self.db.write_sessions() as s:
            n = s.execute(delete(DevMessage).where(DevMessage.sent_at < before)).rowcount
            s.commit()
            return n
