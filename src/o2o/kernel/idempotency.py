"""Idempotency-Key support: a retried POST returns the first result and creates nothing new.

The stored response is written in the same transaction as what the request created, so a
crash can never leave one without the other.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from o2o.kernel.db import Base
from o2o.kernel.errors import Problem
from o2o.kernel.pii import EncryptedJSON


class IdempotencyConflict(Problem):
    status, kind, message_key = 422, "idempotency-conflict", "idempotency_conflict"


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_key"

    scope: Mapped[str] = mapped_column(String(80), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    body: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON())  # a response may hold personal data
    created_at: Mapped[datetime]


def request_hash(payload: Any) -> str:
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


def find(session: Session, scope: str, key: str) -> IdempotencyRecord | None:
    return session.scalars(select(IdempotencyRecord).where(
        IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)).first()


def lookup(session: Session, scope: str, key: str, req_hash: str) -> IdempotencyRecord | None:
    rec = find(session, scope, key)
    if rec is not None and rec.request_hash != req_hash:
        raise IdempotencyConflict(f"key {key!r} was first used with a different request")
    return rec


def remember(session: Session, scope: str, key: str, req_hash: str, status_code: int,
             body: dict[str, Any], now: datetime) -> None:
    session.add(IdempotencyRecord(scope=scope, key=key, request_hash=req_hash, status_code=status_code,
                                  body=body, created_at=now))
