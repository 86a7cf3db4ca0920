"""Loyalty API: a member's points, tier and rewards; the till's redemption; the admin's rules.

A customer reaches only their own points. Staff with customers:read read any member's points and tier
(nothing personal is in them: amounts, dates, order numbers; a store-bound caller only for the customers
of its store, others look unknown). A till redeems for its own store (pos:write, store-bound), idempotent
by its client key. Rules and rewards: loyalty:manage, audited with the old and the new values."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header

from o2o.customers import service as customers
from o2o.deps import ContainerDep, IdempotencyKey, PageDep, PrincipalDep, Uow
from o2o.kernel.auth import Principal
from o2o.kernel.errors import Forbidden, InvalidInput, NotFound
from o2o.kernel.i18n import negotiate
from o2o.kernel.ids import Id
from o2o.loyalty import service
from o2o.loyalty.schemas import (
    AdjustIn,
    MemberSummary,
    PointsOut,
    PreviewOut,
    RedemptionOut,
    RewardIn,
    RewardOut,
    RulesIn,
    RulesOut,
    TillRedeemIn,
    TillRedeemOut,
)
from o2o.orders import service as orders

router = APIRouter(prefix="/api/v1", tags=["loyalty"])
Lang = Annotated[str | None, Header(alias="Accept-Language", include_in_schema=False)]


def _reach(c: ContainerDep, p: Principal, customer_id: int) -> None:
    """A customer reaches only themselves; a store-bound caller only the customers of its store."""
    if p.is_customer and p.id != customer_id:
        raise NotFound("customer", customer_id)
    if not service.exists(c.db, customer_id):
        raise NotFound("customer", customer_id)
    if not p.is_customer and p.store_id is not None and not orders.is_customer_of(c.db, customer_id, p.store_id):
        raise NotFound("customer", customer_id)


@router.get("/me/points", response_model=PointsOut)
def my_points(c: ContainerDep, p: PrincipalDep, page: PageDep) -> PointsOut:
    """The balance and the ledger, newest first."""
    return service.history(c.db, p.id, page)


@router.get("/me/tier", response_model=MemberSummary)
def my_tier(c: ContainerDep, p: PrincipalDep, accept_language: Lang = None) -> MemberSummary:
    """Tier, progress to the next one, rolling 12-month spend and orders, points expiring soon, benefits."""
    return service.summary(c.db, p.id, c.clock.now(), negotiate(accept_language))


@router.get("/loyalty/rewards", response_model=list[RewardOut])
def list_rewards(c: ContainerDep, accept_language: Lang = None) -> list[RewardOut]:
    """The points mall: goods and local services for points."""
    return service.rewards(c.db, negotiate(accept_language))


@router.post("/me/rewards/{reward_id}/redeem", response_model=RedemptionOut, status_code=201)
def redeem_reward(uow: Uow, p: PrincipalDep, reward_id: Id, idempotency_key: IdempotencyKey = None,
                  accept_language: Lang = None) -> RedemptionOut:
    """Points for a reward: a voucher code; 409 when out of stock or short of points."""
    return service.redeem_reward(uow, p.id, reward_id, idempotency_key, negotiate(accept_language))


@router.get("/me/redemptions", response_model=list[RedemptionOut])
def my_redemptions(c: ContainerDep, p: PrincipalDep, accept_language: Lang = None) -> list[RedemptionOut]:
    return service.redemptions(c.db, p.id, negotiate(accept_language))


@router.get("/customers/{customer_id}/points", response_model=PointsOut)
def customer_points(c: ContainerDep, p: PrincipalDep, customer_id: Id, page: PageDep) -> PointsOut:
    _reach(c, p, customer_id)
    return service.history(c.db, customer_id, page)


@router.get("/customers/{customer_id}/tier", response_model=MemberSummary)
def customer_tier(c: ContainerDep, p: PrincipalDep, customer_id: Id, accept_language: Lang = None) -> MemberSummary:
    _reach(c, p, customer_id)
    return service.summary(c.db, customer_id, c.clock.now(), negotiate(accept_language))


@router.post("/customers/{customer_id}/points/adjust", response_model=MemberSummary)
def adjust_points(uow: Uow, c: ContainerDep, customer_id: Id, body: AdjustIn) -> MemberSummary:
    """An operator's correction (audited); a debit never takes the balance below zero (409)."""
    service.adjust(uow, customer_id, body.points, body.note)
    return service.summary(c.db, customer_id, c.clock.now())


@router.post("/pos/points/redeem", response_model=TillRedeemOut, status_code=201)
def till_redeem(uow: Uow, c: ContainerDep, p: PrincipalDep, body: TillRedeemIn) -> TillRedeemOut:
    """Points as cash off at the till of the caller's store. The customer shows their member code (or is
    one the store served: an order of theirs completed there). A re-send with the same client_key answers the first result and
    takes nothing more; two tills at once cannot take the balance below zero."""
    if p.store_id is None:
        raise Forbidden("a till redemption is made by a store's staff or a store-bound key")
    if body.member_code is not None:
        if customers.resolve_member_code(body.member_code, c.clock.now()) != body.customer_id:
            raise InvalidInput("member_code", "not this customer's member code, or no longer valid")
    elif not orders.served_at(c.db, body.customer_id, p.store_id):  # not merely named in an order there
        raise NotFound("customer", body.customer_id)
    return service.redeem_at_till(uow, p.store_id, body)


@router.get("/loyalty/rules", response_model=RulesOut)
def get_rules(c: ContainerDep) -> RulesOut:
    return service.get_rules(c.db)


@router.put("/loyalty/rules", response_model=RulesOut)
def put_rules(uow: Uow, body: RulesIn) -> RulesOut:
    """Replace the tier rules and points rates (audited: old and new values)."""
    return service.set_rules(uow, body)


@router.post("/loyalty/rules/preview", response_model=PreviewOut)
def preview_rules(c: ContainerDep, body: RulesIn) -> PreviewOut:
    """Last month's members under the current and the proposed rules; changes nothing."""
    return service.preview(c.db, body, c.clock.now())


@router.post("/loyalty/rewards", response_model=RewardOut, status_code=201)
def add_reward(uow: Uow, body: RewardIn) -> RewardOut:
    return service.add_reward(uow, body)
