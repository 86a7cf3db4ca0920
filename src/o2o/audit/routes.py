"""Audit log API: search (permission "audit:read", enforced app-wide)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from o2o.audit import service
from o2o.audit.schemas import AuditFilters, AuditOut
from o2o.deps import ContainerDep, PageDep
from o2o.kernel.ids import Id
from o2o.kernel.inputs import Moment
from o2o.kernel.pagination import Page

router = APIRouter(prefix="/api/v1", tags=["audit"])


def filters(actor: Annotated[str | None, Query(max_length=120, description="actor id, or the start of a name")] = None,
            action: Annotated[str | None, Query(max_length=120, description="part of the action")] = None,
            target: Annotated[str | None, Query(max_length=200, description="part of the target")] = None,
            store_id: Id | None = None,
            since: Annotated[Moment | None, Query(alias="from", description="at or after (no zone: Shanghai)")] = None,
            until: Annotated[Moment | None, Query(alias="to", description="at or before (no zone: Shanghai)")] = None,
            ) -> AuditFilters:
    return AuditFilters(actor=actor, action=action, target=target, store_id=store_id, since=since, until=until)


@router.get("/audit", response_model=Page[AuditOut])
def search_audit(c: ContainerDep, page: PageDep, f: Annotated[AuditFilters, Depends(filters)]) -> Page[AuditOut]:
    """The audit log, newest first: who did what to which target, when, from where."""
    return service.search(c.db, f, page)
