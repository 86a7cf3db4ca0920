"""Audit log statements. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from o2o.audit.models import GENESIS_HASH, HEAD_ID, AuditEntry, AuditHead
from o2o.audit.schemas import AuditFilters
from o2o.kernel.db import BigId

_LOG = AuditEntry.__table__
_HEAD = AuditHead.__table__
_INSERT = _LOG.insert()
# every column, in table order: what verify recomputes the hash from
CHAIN_COLUMNS = tuple(_LOG.c)


def lock_head(session: Session) -> tuple[int, str]:
    """The head row, locked until the transaction ends (SELECT ... FOR UPDATE; SQLite's writer lock)."""
    stmt = select(_HEAD.c.last_id, _HEAD.c.last_hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
    row = session.execute(stmt).first()
    if row is None:  # a database built without the migration's seed row
        values = {"id": HEAD_ID, "last_id": 0, "last_hash": GENESIS_HASH}
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(dialect.insert(_HEAD).values(values).on_conflict_do_nothing())
        row = session.execute(stmt).one()
    return int(row.last_id), str(row.last_hash)


def insert(session: Session, values: dict[str, Any]) -> None:
    session.execute(_INSERT, values)


def move_head(session: Session, last_id: int, last_hash: str) -> None:
    session.execute(update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(last_id=last_id, last_hash=last_hash))


def head(session: Session) -> tuple[int, str] | None:
    row = session.execute(select(_HEAD.c.last_id, _HEAD.c.last_hash).where(_HEAD.c.id == HEAD_ID)).first()
    return (int(row.last_id), str(row.last_hash)) if row else None


def batch_after(session: Session, after_id: int, limit: int) -> Sequence[Row[Any]]:
    """The next `limit` rows with id > after_id, in id order (keyset: no OFFSET scans)."""
    return session.execute(select(*CHAIN_COLUMNS).where(_LOG.c.id > after_id).order_by(_LOG.c.id).limit(limit)).all()


def _conditions(f: AuditFilters) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if f.actor:
        out.append(or_(_LOG.c.actor_id == f.actor, _LOG.c.actor_name.istartswith(f.actor, autoescape=True)))
    if f.action:
        out.append(_LOG.c.action.icontains(f.action, autoescape=True))
    if f.target:
        out.append(_LOG.c.target.icontains(f.target, autoescape=True))
    if f.store_id is not None:
        # the column is a 32-bit integer on PostgreSQL, store ids are 64-bit: compare as BIGINT (int4 = int8
        # uses the index), or a store id past 2^31 fails with "integer out of range"
        out.append(_LOG.c.store_id == bindparam("store_id", f.store_id, type_=BigId))
    if f.since is not None:
        out.append(_LOG.c.at >= f.since)
    if f.until is not None:
        out.append(_LOG.c.at <= f.until)
    return out


def search(session: Session, filters: AuditFilters, offset: int, limit: int) -> tuple[list[AuditEntry], int]:
    """Newest first (by id: ids follow the order of appends)."""
    where = _conditions(filters)
    total = session.scalar(select(func.count()).select_from(_LOG).where(*where)) or 0
    rows = session.scalars(select(AuditEntry).where(*where).order_by(AuditEntry.id.desc())
                           .offset(offset).limit(limit))
    return list(rows), int(total)
