"""Statement queries. Never commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from o2o.payments.models import Statement, StatementDifference


def recent(session: Session, limit: int) -> list[Statement]:
    return list(session.scalars(select(Statement).order_by(Statement.id.desc()).limit(limit)))


def differences_of(session: Session, statement_id: int) -> list[StatementDifference]:
    return list(session.scalars(select(StatementDifference).where(StatementDifference.statement_id == statement_id)
                                .order_by(StatementDifference.id)))
