"""The dev SMS inbox's table: what the dev SMS adapter 'sent' (O2O_ENV=dev only).

In the database, not in one process's memory: with `o2o serve --workers 2` and `o2o worker` the
relay that sends a code and the process that shows `/dev/inbox` are different processes. The phone
and the text (it carries a sign-in or pickup code) are sealed at rest like any personal data; rows
older than a day are purged by the worker's periodic jobs. The outbox blanks a sign-in event's
payload once delivered: this row is the only, dev-only, copy of the code.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
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
