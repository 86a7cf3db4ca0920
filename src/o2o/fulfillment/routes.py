"""Fulfilment API: the store flow. Store roles reach only their own store's fulfilments."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from o2o.deps import ContainerDep, PageDep, PrincipalDep, Uow
from o2o.fulfillment import service, sourcing
from o2o.fulfillment.schemas import (
    DecisionOut,
    FulfillmentOut,
    HandoverIn,
    PreviewIn,
    RejectIn,
    RuleIn,
    RuleOrderIn,
    RuleOut,
    RuleUpdate,
)
from o2o.kernel.auth import Principal, require_location, require_owner
from o2o.kernel.errors import InvalidInput, NotFound
from o2o.kernel.ids import Id
from o2o.kernel.pagination import Page
from o2o.orders import service as orders

router = APIRouter(prefix="/api/v1", tags=["fulfillment"])
Status = Literal["new", "picking", "ready", "handed_over", "shipped", "delivered", "cancelled"]


def _scoped(c: ContainerDep, p: Principal, fulfillment_id: int) -> FulfillmentOut:
    fo = service.get(c.db, fulfillment_id)
    require_location(p, fo.location_id, "fulfillment")
    return fo


def _shown(fo: FulfillmentOut) -> FulfillmentOut:
    """Staff never see the pickup code: the customer shows it at the counter."""
    fo.pickup_code = None
    return fo


@router.get("/fulfillments", response_model=Page[FulfillmentOut])
def queue(c: ContainerDep, p: PrincipalDep, page: PageDep, location_id: Id,
          status: Status | None = None) -> Page[FulfillmentOut]:
    """A location's queue: open fulfilments (new, picking, ready) unless a status is given."""
    require_location(p, location_id)
    out = service.queue(c.db, location_id, status, page)
    out.items = [_shown(fo) for fo in out.items]
    return out


@router.get("/fulfillments/{fulfillment_id}", response_model=FulfillmentOut)
def get_fulfillment(c: ContainerDep, p: PrincipalDep, fulfillment_id: Id) -> FulfillmentOut:
    return _shown(_scoped(c, p, fulfillment_id))


@router.post("/fulfillments/{fulfillment_id}/picking", response_model=FulfillmentOut)
def start_picking(uow: Uow, c: ContainerDep, p: PrincipalDep, fulfillment_id: Id) -> FulfillmentOut:
    _scoped(c, p, fulfillment_id)
    return _shown(service.start_picking(uow, fulfillment_id, p.actor))


@router.post("/fulfillments/{fulfillment_id}/ready", response_model=FulfillmentOut)
def mark_ready(uow: Uow, c: ContainerDep, p: PrincipalDep, fulfillment_id: Id) -> FulfillmentOut:
    """The customer is told by SMS (through the outbox) with their pickup code."""
    _scoped(c, p, fulfillment_id)
    return _shown(service.mark_ready(uow, fulfillment_id, p.actor))


@router.post("/fulfillments/{fulfillment_id}/handover", response_model=FulfillmentOut)
def hand_over(uow: Uow, c: ContainerDep, p: PrincipalDep, fulfillment_id: Id, body: HandoverIn) -> FulfillmentOut:
    """Verify the customer's pickup code; stock leaves the store exactly once."""
    _scoped(c, p, fulfillment_id)
    return _shown(service.hand_over(uow, fulfillment_id, body.code, p.actor))


@router.post("/fulfillments/{fulfillment_id}/reissue-code", response_model=FulfillmentOut)
def reissue_code(uow: Uow, c: ContainerDep, p: PrincipalDep, fulfillment_id: Id) -> FulfillmentOut:
    """Store manager: replace the pickup code (after 5 wrong codes locked the handover, or a lost
    SMS); the customer gets the new code by SMS."""
    _scoped(c, p, fulfillment_id)
    return _shown(service.reissue_code(uow, fulfillment_id, p.actor))


@router.post("/fulfillments/{fulfillment_id}/ship", response_model=FulfillmentOut)
def ship(uow: Uow, c: ContainerDep, p: PrincipalDep, fulfillment_id: Id) -> FulfillmentOut:
    _scoped(c, p, fulfillment_id)
    return _shown(service.ship(uow, fulfillment_id, p.actor))


@router.post("/fulfillments/{fulfillment_id}/reject", response_model=FulfillmentOut)
def reject(uow: Uow, c: ContainerDep, p: PrincipalDep, fulfillment_id: Id, body: RejectIn) -> FulfillmentOut:
    """The store will not fulfil an order it has not started ("new"): it waits as a short pick and the
    rest is re-sourced to other locations through the outbox (409 once picking started)."""
    _scoped(c, p, fulfillment_id)
    return _shown(service.reject(uow, fulfillment_id, body.reason, p.actor))


@router.post("/fulfillments/{fulfillment_id}/delivered", response_model=FulfillmentOut)
def confirm_delivery(uow: Uow, c: ContainerDep, p: PrincipalDep, fulfillment_id: Id) -> FulfillmentOut:
    """A courier or carrier confirms delivery of shipped goods; the order completes."""
    _scoped(c, p, fulfillment_id)
    return _shown(service.confirm_delivery(uow, fulfillment_id, p.actor))


@router.get("/fulfillments/{fulfillment_id}/qr.svg", response_class=Response, responses={
    200: {"description": "the pickup QR code", "content": {"image/svg+xml": {"schema": {"type": "string"}}}}})
def pickup_qr(c: ContainerDep, p: PrincipalDep, fulfillment_id: Id) -> Response:
    """The customer's pickup QR, for their own order only (staff scan it; they never see the code)."""
    fo = service.get(c.db, fulfillment_id)
    customer_id, _ = orders.scope_of(c.db, fo.order_number)
    require_owner(p, customer_id, "fulfillment", fulfillment_id)
    return Response(service.qr_svg(c.db, fulfillment_id), media_type="image/svg+xml",
                    headers={"Cache-Control": "no-store"})


@router.get("/sourcing/rules", response_model=list[RuleOut])
def sourcing_rules(c: ContainerDep) -> list[RuleOut]:
    """Head office: the sourcing rules in the order they apply (disabled ones too)."""
    return service.rules(c.db)


@router.post("/sourcing/rules", response_model=RuleOut, status_code=201)
def create_sourcing_rule(uow: Uow, p: PrincipalDep, body: RuleIn) -> RuleOut:
    """A new rule (a unique name; last unless `position` is given). Kinds: keep_chosen_pickup_store,
    exclude_locations, night_only_24h_stores, parcel_only_from_warehouses, max_split; each with an optional
    `when` {channels, regions, modes}."""
    return service.create_rule(uow, body, p.actor)


@router.patch("/sourcing/rules/{rule_id}", response_model=RuleOut)
def update_sourcing_rule(uow: Uow, p: PrincipalDep, rule_id: Id, body: RuleUpdate) -> RuleOut:
    """Rename, change, enable or disable a rule."""
    return service.update_rule(uow, rule_id, body, p.actor)


@router.put("/sourcing/rule-order", response_model=list[RuleOut])
def reorder_sourcing_rules(uow: Uow, p: PrincipalDep, body: RuleOrderIn) -> list[RuleOut]:
    """Every rule id in the new order (first applies first)."""
    return service.reorder_rules(uow, body.ids, p.actor)


@router.get("/sourcing/decisions/{order_number}", response_model=list[DecisionOut])
def sourcing_decisions(c: ContainerDep, p: PrincipalDep, order_number: str) -> list[DecisionOut]:
    """Why an order went where it went: each decision with every candidate ranked and its costs. A store
    sees the decisions that allocated something to it only."""
    found = service.decisions(c.db, order_number[:24])
    if p.store_id is not None:
        found = [d for d in found if any(p.covers(a["location_id"]) for a in d.record.get("allocations", []))]
    if not found:
        raise NotFound("sourcing decision", order_number[:24])
    return found


@router.post("/sourcing/preview")
def sourcing_preview(c: ContainerDep, body: PreviewIn) -> dict:
    """Head office: what the engine would decide for these lines, here, now (the enabled rules, the
    stock and capacity as they are): the whole decision, nothing recorded or reserved."""
    lines: dict[int, int] = {}
    for ln in body.lines:
        lines[ln.sku_id] = lines.get(ln.sku_id, 0) + ln.quantity
    if max(lines.values()) > 10_000:
        raise InvalidInput("lines", "at most 10000 units of a SKU")
    now = c.clock.now()
    req = sourcing.Request(lines=lines, mode=body.mode, now=now, has_address=body.mode != "pickup",
                           promised_by=None if body.promised_minutes is None else now + timedelta(minutes=body.promised_minutes),
                           chosen_location_id=body.chosen_location_id, tier=body.tier, channel=body.channel,
                           region=body.region, lat=body.lat, lng=body.lng)
    with c.db.read() as s:
        decision = service.source(s, req, service.sourcing_settings(c.settings), c.settings.max_delivery_radius_m)
    return decision.to_json()


# --- SLA (issue 13) ----------------------------------------------------------------------------------

@router.get("/fulfilments/at-risk", response_model=list[service.AtRiskOut], tags=["sla"])
def at_risk(c: ContainerDep, p: PrincipalDep, location_id: Id | None = None) -> list[service.AtRiskOut]:
    """Fulfilments whose promise is within the warning lead (O2O_SLA_WARNING_MINUTES) or past, still
    waiting for their promised step (pickup ready, store delivery delivered, parcel shipped), the most
    overdue first; `minutes_left` < 0 is minutes late. A store role sees its own store only (its store
    when no location is given; another store's id is 404)."""
    if location_id is None:
        location_id = p.store_id
    require_location(p, location_id)
    return service.at_risk(c.db, c.clock.now(), location_id)


@router.get("/reports/on-time", response_model=list[service.OnTimeOut], tags=["sla"])
def on_time(c: ContainerDep, p: PrincipalDep, days: int = Query(7, ge=1, le=366)) -> list[service.OnTimeOut]:
    """On-time rate per store over the last `days` days: the promises that fell due (cancelled
    fulfilments left out) and how many were kept (the promised step reached by the promise). A store
    role gets its own store's row only."""
    only = None if p.store_id is None else [p.store_id]
    return service.on_time(c.db, c.clock.now(), days, only)
