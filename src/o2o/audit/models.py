"""The audit log: one append-only, hash-chained row per audited act, and the head that serialises appends.

Rows are never updated or deleted: triggers created by the migration refuse it on both databases.
Each row carries the hash of the row before it (`prev_hash`) and its own hash over its contents and
`prev_hash`, so `o2o audit verify` detects an altered, deleted, inserted or reordered row. Ids are
dense (1, 2, 3, ...): each append takes `audit_head.last_id + 1` while holding the head row's lock.
`ip` holds the client's network (IPv4 /24, IPv6 /48), never its full address: rows are kept for ever.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId

ACTOR_KINDS = ("staff", "api_key", "customer", "system")
GENESIS_HASH = "0" * 64  # prev_hash of the first row
HEAD_ID = 1

# column widths, also used to cut values down before they are hashed
ACTION_LEN, TARGET_LEN, IP_LEN, ACTOR_ID_LEN, ACTOR_NAME_LEN, ROLE_LEN = 120, 200, 45, 64, 120, 40


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint("actor_kind IN ('staff', 'api_key', 'customer', 'system')", name="actor_kind"),
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_actor_id", "actor_id", "id"),
        Index("ix_audit_log_actor_name", "actor_name", "id"),
        Index("ix_audit_log_action", "action", "id"),
        Index("ix_audit_log_store", "store_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str | None] = mapped_column(String(ACTOR_ID_LEN))
    actor_name: Mapped[str] = mapped_column(String(ACTOR_NAME_LEN))
    role: Mapped[str | None] = mapped_column(String(ROLE_LEN))
    store_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(ACTION_LEN))
    target: Mapped[str] = mapped_column(String(TARGET_LEN))
    ip: Mapped[str] = mapped_column(String(IP_LEN))
    status: Mapped[int | None]
    detail: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row (id=1): the last appended id and hash. Appends lock it, so they form one chain."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(BigId)
    last_hash: Mapped[str] = mapped_column(String(64))
