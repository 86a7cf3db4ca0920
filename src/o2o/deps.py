"""What routes depend on: the container of shared things, the caller, and common parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from sqlalchemy.orm import Session

from o2o.adapters.messages.sms import DevSms
from o2o.adapters.payments.sandbox import SandboxPayments
from o2o.audit import service as audit
from o2o.config import Settings
from o2o.iam.tokens import Passwords
from o2o.kernel.auth import Principal
from o2o.kernel.clock import Clock
from o2o.kernel.db import Database
from o2o.kernel.errors import SignInRequired
from o2o.kernel.pagination import MAX_PAGE_SIZE, PageParams
from o2o.kernel.uow import UnitOfWork


@dataclass
class Container:
    settings: Settings
    db: Database
    clock: Clock
    payments: SandboxPayments
    sms: DevSms
    passwords: Passwords

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.db, self.clock)


def get_container(request: Request) -> Container:
    return request.app.state.container


def get_page(page: Annotated[int, Query(ge=1, le=100_000)] = 1,
             size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50) -> PageParams:
    return PageParams(page=page, size=size)


def current_principal(request: Request) -> Principal | None:
    """Set by the app-wide guard (o2o.iam.guard.authorize) before any route dependency runs."""
    return getattr(request.state, "principal", None)


def signed_in(request: Request) -> Principal:
    p = current_principal(request)
    if p is None:
        raise SignInRequired()
    return p


def _target(request: Request) -> str:
    return ",".join(f"{k}={v}" for k, v in request.path_params.items())[:200]


def _entry(request: Request, p: Principal, action: str, target: str, c: Container, **detail: object) -> audit.Entry:
    return audit.Entry(actor_kind=p.kind, actor_id=p.id, actor_name=p.name, role=p.role, store_id=p.store_id,
                       action=action, target=target, ip=request.client.host if request.client else "",
                       detail=detail, at=c.clock.now())


def audited_uow(request: Request, c: Annotated[Container, Depends(get_container)]) -> UnitOfWork:
    """The request's unit of work; a staff user's or an integration key's write is audited in it."""
    u = c.uow()
    p = current_principal(request)
    if p is not None and p.is_staff:
        route = request.scope.get("route")
        entry = _entry(request, p, f"{request.method} {getattr(route, 'path', request.url.path)}",
                       _target(request), c)

        def record(session: Session) -> None:
            audit.append(session, entry)

        u.before_commit.append(record)
    return u


def audit_event(request: Request, c: Container, p: Principal, action: str, target: str) -> None:
    """Record a staff event outside a write (a sign-in, a read of unmasked personal data)."""
    with c.uow() as u:
        audit.append(u.session, _entry(request, p, action, target[:200], c, path=request.url.path))
        u.commit()


ContainerDep = Annotated[Container, Depends(get_container)]
PageDep = Annotated[PageParams, Depends(get_page)]
PrincipalDep = Annotated[Principal, Depends(signed_in)]
MaybePrincipal = Annotated[Principal | None, Depends(current_principal)]
Uow = Annotated[UnitOfWork, Depends(audited_uow)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200,
                                              description="a retry with the same key returns the first result")]
