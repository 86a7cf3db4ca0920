"""Lookups every area needs: fetch-or-404, and flush-or-409 for unique fields."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from o2o.kernel.errors import Conflict, NotFound

T = TypeVar("T")


def get_or_404(session: Session, model: type[T], ident: Any, what: str) -> T:
    obj = session.get(model, ident)
    if obj is None:
        raise NotFound(what, ident)
    return obj


def flush_unique(session: Session, message: str, field: str) -> None:
    """Flush new rows; a unique-constraint clash becomes a 409 naming the field."""
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(message, field=field) from exc
