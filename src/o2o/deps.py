"""What routes depend on: the container of shared things, and the common request parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query, Request

from o2o.adapters.messages.sms import DevSms
from o2o.adapters.payments.sandbox import SandboxPayments
from o2o.config import Settings
from o2o.kernel.clock import Clock
from o2o.kernel.db import Database
from o2o.kernel.pagination import MAX_PAGE_SIZE, PageParams
from o2o.kernel.uow import UnitOfWork


@dataclass
class Container:
    settings: Settings
    db: Database
    clock: Clock
    payments: SandboxPayments
    sms: DevSms

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.db, self.clock)


def get_container(request: Request) -> Container:
    return request.app.state.container


def get_page(page: Annotated[int, Query(ge=1, le=100_000)] = 1,
             size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50) -> PageParams:
    return PageParams(page=page, size=size)


ContainerDep = Annotated[Container, Depends(get_container)]
PageDep = Annotated[PageParams, Depends(get_page)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200,
                                              description="a retry with the same key returns the first result")]
