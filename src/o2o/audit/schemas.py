"""Shapes of the audit log at the edges: search filters in, entries out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from o2o.kernel.clock import SHANGHAI
from o2o.kernel.ids import Id


class AuditFilters(BaseModel):
    """Search filters; all optional, combined with AND. Times without a zone are Shanghai time."""

    actor: str | None = Field(None, max_length=120, description="actor id (exact) or name (prefix)")
    action: str | None = Field(None, max_length=120, description="part of the action, e.g. `stock` or `pii.read`")
    target: str | None = Field(None, max_length=200, description="part of the target")
    store_id: Id | None = None
    since: datetime | None = Field(None, description="at or after this time")
    until: datetime | None = Field(None, description="at or before this time")

    @field_validator("actor", "action", "target")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        value = value.strip() if value else value
        return value or None

    @field_validator("since", "until")
    @classmethod
    def _aware_utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        return (value if value.tzinfo else value.replace(tzinfo=SHANGHAI)).astimezone(UTC)


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_kind: str
    actor_id: str | None
    actor_name: str
    role: str | None
    store_id: int | None
    action: str
    target: str
    ip: str
    status: int | None
    detail: dict[str, Any]
    hash: str
