"""Helpers for the audit log tests: entries, committed appends, and an attacker who drops triggers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from o2o.audit import service as audit
from o2o.kernel.db import Database
from o2o.kernel.uow import UnitOfWork

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def entry(i: int = 0, **kw: Any) -> audit.Entry:
    values: dict[str, Any] = {
        "actor_kind": "staff", "actor_id": str(100 + i % 3), "actor_name": f"clerk{i % 3}",
        "action": "POST /api/v1/stock/movements", "target": f"stock:{i}", "role": "store_manager",
        "store_id": 7, "ip": "10.0.0.8", "status": 201, "detail": {"n": i}, "at": T0 + timedelta(minutes=i),
    }
    values.update(kw)
    return audit.Entry(**values)


def record(db: Database, *entries: audit.Entry) -> list[int]:
    """Append in one committed unit of work, through its before_commit hook (as the app does)."""
    ids: list[int] = []
    with UnitOfWork(db) as uow:
        uow.before_commit.append(lambda s: ids.extend(audit.append(s, e) for e in entries))
        uow.commit()
    return ids


def as_attacker(db: Database, sql: str, **params: Any) -> None:
    """Someone with owner rights: drops the append-only triggers, then changes rows behind the app's back."""
    on = "" if db.dialect == "sqlite" else " ON audit_log"
    with db.engine.begin() as conn:
        for trigger in ("audit_log_no_update", "audit_log_no_delete"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}{on}")
        conn.execute(text(sql), params)
