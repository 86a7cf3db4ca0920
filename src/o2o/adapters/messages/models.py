"""The dev SMS inbox's table: what the dev SMS adapter 'sent' (O2O_ENV=dev only).

In the database, not in one process's memory: with `o2o serve --workers 2` and `o2o worker` the
relay that sends a code and the process that shows `/dev/inbox` are different processes. The phone
and the text (it carries a sign-in or pickup code) are sealed at rest like any personal data; rows
older than a day are purged by the worker's periodic jobs. The outbox blanks a sign-in event's
payload once delivered: this row is the only, dev-only, copy of the code.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId
from o2o.kernel.pii import Encrypted

DEDUPE_KEY_LEN = 120


class DevMessage(Base):
    __tablename__ = "dev_message"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(DEDUPE_KEY_LEN), unique=True)
    phone: Mapped[str] = mapped_column(Encrypted())
    text: Mapped[str] = mapped_column(Encrypted())
    sent_at: Mapped[datetime] = mapped_column(index=True)


class SmsSend(Base):
    """One SMS handed to a real provider (O2O_SMS_PROVIDERS): which provider took it, its id there
    (Aliyun's BizId, Tencent's SerialNo) and what became of it (`sent`, `rejected` by the provider for
    good, then `delivered` / `undelivered` from the provider's delivery receipt). `dedupe_key` (the
    outbox event) makes a redelivered event a no-op: one event, one SMS, whichever provider sent it.
    The phone is sealed, with a lookup hash; no text is kept (it may carry a code)."""

    __tablename__ = "sms_send"
    __table_args__ = (Index("ix_sms_send_provider_message", "provider", "provider_message_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(DEDUPE_KEY_LEN), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    provider: Mapped[str] = mapped_column(String(20))
    provider_message_id: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(Encrypted())
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20))  # sent | rejected | delivered | undelivered
    error: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime]
    reported_at: Mapped[datetime | None]  # when the provider says it reached the phone (or failed to)
    report: Mapped[str | None] = mapped_column(String(200))  # the receipt's code and text
    request_id: Mapped[str | None] = mapped_column(String(64))  # the HTTP request that caused it
