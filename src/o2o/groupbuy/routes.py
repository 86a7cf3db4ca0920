"""Group buying API (拼团).

Anyone may look at the deals on show, a deal's open groups and a group's progress (no one's name or phone
is in them: how many joined and paid, the deadline). A signed-in customer opens a group or joins one
(an order at the deal's prices to pay as any other: POST /api/v1/orders/{number}/payments), and sees
their own groups. Operators (groupbuy:manage) create, edit and end deals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from o2o.deps import ContainerDep, IdempotencyKey, PrincipalDep, Uow
from o2o.groupbuy import service
from o2o.groupbuy.schemas import DealIn, DealOut, GroupOut, JoinIn, JoinOut, MemberOut
from o2o.kernel.i18n import negotiate
from o2o.kernel.ids import Id
from o2o.orders import service as orders

router = APIRouter(prefix="/api/v1", tags=["groupbuy"])
Lang = Annotated[str | None, Header(alias="Accept-Language", include_in_schema=False)]
JOIN_REFUSALS = {409: {"description": "group-full, group-closed (formed, failed or out of time), already-in-group, "
                                      "deal-unavailable (ended or sold out), or not enough stock"}}


def _policy(c: ContainerDep) -> orders.OrderPolicy:
    return orders.OrderPolicy.from_settings(c.settings)


@router.get("/groupbuy/deals", response_model=list[DealOut])
def list_deals(c: ContainerDep, accept_language: Lang = None) -> list[DealOut]:
    """The deals on show now (active, in their window), ending soonest first."""
    return service.deals(c.db, c.clock.now(), negotiate(accept_language))


@router.get("/groupbuy/deals/{deal_id}", response_model=DealOut)
def get_deal(c: ContainerDep, deal_id: Id, accept_language: Lang = None) -> DealOut:
    return service.deal(c.db, deal_id, c.clock.now(), negotiate(accept_language))


@router.get("/groupbuy/deals/{deal_id}/groups", response_model=list[GroupOut])
def deal_groups(c: ContainerDep, deal_id: Id) -> list[GroupOut]:
    """A deal's groups still taking members, the closest to forming first."""
    return service.open_groups(c.db, deal_id, c.clock.now())


@router.post("/groupbuy/deals/{deal_id}/groups", response_model=JoinOut, status_code=201, responses=JOIN_REFUSALS)
def open_group(uow: Uow, c: ContainerDep, p: PrincipalDep, deal_id: Id, body: JoinIn,
               idempotency_key: IdempotencyKey = None) -> JoinOut:
    """Open a group and take its first slot: an order at the group price, held until the group forms. Pay
    it (POST /api/v1/orders/{number}/payments) before `expires_at` or the slot frees again."""
    return service.open_group(uow, _policy(c), p.id, deal_id, body, idempotency_key)


@router.get("/groupbuy/groups/{group_id}", response_model=GroupOut)
def get_group(c: ContainerDep, group_id: Id) -> GroupOut:
    """A group's progress: slots taken and paid, what is missing, the deadline."""
    return service.group(c.db, group_id, c.clock.now())


@router.post("/groupbuy/groups/{group_id}/join", response_model=JoinOut, status_code=201, responses=JOIN_REFUSALS)
def join_group(uow: Uow, c: ContainerDep, p: PrincipalDep, group_id: Id, body: JoinIn,
               idempotency_key: IdempotencyKey = None) -> JoinOut:
    """Take a slot in an open group (one conditional update: two shoppers after the last slot, one gets it)."""
    return service.join_group(uow, _policy(c), p.id, group_id, body, idempotency_key)


@router.get("/me/groups", response_model=list[MemberOut])
def my_groups(c: ContainerDep, p: PrincipalDep, accept_language: Lang = None) -> list[MemberOut]:
    """The caller's groups, newest first, with their order and where the group stands."""
    return service.my_groups(c.db, p.id, c.clock.now(), negotiate(accept_language))


@router.get("/groupbuy/admin/deals", response_model=list[DealOut])
def admin_deals(c: ContainerDep, accept_language: Lang = None) -> list[DealOut]:
    """Every deal, newest first (also those ended or not started)."""
    return service.deals(c.db, c.clock.now(), negotiate(accept_language), every=True)


@router.post("/groupbuy/admin/deals", response_model=DealOut, status_code=201)
def create_deal(uow: Uow, body: DealIn, accept_language: Lang = None) -> DealOut:
    return service.create_deal(uow, body, negotiate(accept_language))


@router.get("/groupbuy/admin/deals/{deal_id}", response_model=DealOut)
def admin_deal(c: ContainerDep, deal_id: Id, accept_language: Lang = None) -> DealOut:
    return service.deal(c.db, deal_id, c.clock.now(), negotiate(accept_language), every=True)


@router.put("/groupbuy/admin/deals/{deal_id}", response_model=DealOut)
def update_deal(uow: Uow, deal_id: Id, body: DealIn, accept_language: Lang = None) -> DealOut:
    """Groups already open keep their size and deadline, orders their prices."""
    return service.update_deal(uow, deal_id, body, negotiate(accept_language))


@router.delete("/groupbuy/admin/deals/{deal_id}", status_code=204)
def end_deal(uow: Uow, deal_id: Id) -> Response:
    """End a deal: no new groups or members; groups already open run to their end."""
    service.end_deal(uow, deal_id)
    return Response(status_code=204)
