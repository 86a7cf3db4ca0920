"""SMS: a Protocol, and a dev sender that logs and keeps a dev inbox (no network)."""

from __future__ import annotations

import logging
import re
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from o2o.kernel.pii import mask_phone

log = logging.getLogger("o2o.sms")


@dataclass(frozen=True)
class Sms:
    to: str
    text: str
    dedupe_key: str
    at: datetime


class SmsSender(Protocol):
    def send(self, to: str, text: str, dedupe_key: str) -> None: ...


class DevSms:
    """Writes each message to the log and to an in-memory inbox; a repeated dedupe key is ignored."""

    def __init__(self, keep: int = 500) -> None:
        self.inbox: deque[Sms] = deque(maxlen=keep)
        self._seen: set[str] = set()

    def send(self, to: str, text: str, dedupe_key: str) -> None:
        if dedupe_key in self._seen:
            return
        self._seen.add(dedupe_key)
        self.inbox.appendleft(Sms(to, text, dedupe_key, datetime.now(UTC)))
        log.info("SMS to %s: %s", mask_phone(to), re.sub(r"\d{4,}", "****", text))  # no codes in logs
