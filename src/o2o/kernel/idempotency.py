"""Idempotency-Key support: a retried POST returns the first result and creates nothing new.

The stored response is written in the same transaction as what the request created, so a
crash can never leave one without the other.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Row, String, bindparam, select
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


# Core statements built once (every order asks and answers), run on the session's connection: no ORM
# execution layer, identity map, flush or statement building on the hot path; the body column's type still seals and opens the stored JSON
_TABLE = IdempotencyRecord.__table__
_FIND = select(_TABLE).where(_TABLE.c.scope == bindparam("scope"), _TABLE.c.key == bindparam("key"))
_INSERT = _TABLE.insert()


def find(session: Session, scope: str, key: str) -> Row[Any] | None:
    """The stored answer (a row: scope, key, request_hash, status_code, body, created_at), if any."""
    return session.connection().execute(_FIND, {"scope": scope, "key": key}).first()


def lookup(session: Session, scope: str, key: str, req_hash: str) -> Row[Any] | None:
    rec = find(session, scope, key)
    if rec is not None and rec.request_hash != req_hash:
        raise IdempotencyConflict(f"key {key!r} was first used with a different request")
    return rec


def remember(session: Session, scope: str, key: str, req_hash: str, status_code: int,
             body: dict[str, Any], now: datetime) -> None:
    """Written at once in the caller's transaction (a twin key raises IntegrityError here, not at commit)."""
    session.connection().execute(_INSERT, {"scope": scope, "key": key, "request_hash": req_hash, "status_code": status_code,
                              "body": body, "created_at": now})
