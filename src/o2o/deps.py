"""What routes depend on: the container of shared things, the caller, and common parameters."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from sqlalchemy.orm import Session

from o2o.adapters.couriers import Courier
from o2o.adapters.geocoding import Geocoder
from o2o.adapters.messages.sms import DevSms
from o2o.adapters.miniprogram import MiniProgramLogin
from o2o.adapters.payments.sandbox import PaymentProvider, SandboxPayments
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
    # mini-program sign-in (o2o.adapters.wechat / douyin), chosen by the composition root
    logins: dict[str, MiniProgramLogin] = field(default_factory=dict)
    # payment providers by name (sandbox, wechatpay, alipay); `offered` are those the storefront shows
    providers: dict[str, PaymentProvider] = field(default_factory=dict)
    offered: tuple[str, ...] = ()
    # geocoding of typed addresses (o2o.adapters.geocoding: the offline gazetteer or a web service)
    geocoder: Geocoder | None = None
    # same-city courier platforms by name, in failover order (o2o.adapters.couriers; bootstrap.couriers)
    couriers: dict[str, Courier] = field(default_factory=dict)

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


def _entry(request: Request, p: Principal, action: str, target: str, c: Container, **detail: Any) -> audit.Entry:
    return audit.Entry(actor_kind=p.kind, actor_id=p.id, actor_name=p.name, role=p.role, store_id=p.store_id,
                       action=action, target=target, ip=request.client.host if request.client else "",
                       detail=detail, at=c.clock.now())


def audited_uow(request: Request, c: Annotated[Container, Depends(get_container)]) -> UnitOfWork:
    """The request's unit of work; a staff user's or an integration key's write is audited in it."""
    u = c.uow()
    p = current_principal(request)
    if p is not None and p.is_staff:
        route = request.scope.get("route")
        action = f"{request.method} {getattr(route, 'path', request.url.path)}"
        u.describe(_target(request))

        def record(session: Session) -> None:
            # read at commit: the route and the service name what they touched meanwhile
            audit.append(session, _entry(request, p, action, u.target, c, **u.detail))

        u.before_commit.append(record)
    return u


def audit_event(request: Request, c: Container, p: Principal | None, action: str, target: str) -> None:
    """Record a staff event outside an audited write (a sign-in or sign-out, a read of unmasked
    personal data); without a principal (a failed sign-in) the actor is "system"."""
    actor = p or Principal("staff", 0, "", role=None)
    entry = _entry(request, actor, action, target[:200], c, path=request.url.path)
    if p is None:
        entry = replace(entry, actor_kind="system", actor_id=None, actor_name="sign-in")
    with c.uow() as u:
        audit.append(u.session, entry)
        u.commit()


ContainerDep = Annotated[Container, Depends(get_container)]
PageDep = Annotated[PageParams, Depends(get_page)]
PrincipalDep = Annotated[Principal, Depends(signed_in)]
MaybePrincipal = Annotated[Principal | None, Depends(current_principal)]
Uow = Annotated[UnitOfWork, Depends(audited_uow)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200,
                                              description="a retry with the same key returns the first result")]
