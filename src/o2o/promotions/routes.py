"""Promotions and coupons API.

Customers: the coupon centre (`GET /coupons/center`: what I may claim, with the LBS store and distance),
`POST /coupons/claim`, the wallet (`GET /me/coupons`: usable / used / expired). A customer reaches only
their own coupons.
Store staff (pos:write, store-bound: a store's staff or a store-bound key): `GET /coupons/lookup/{code}` (the
till's look-up, owner masked) and `POST /coupons/redeem` (single use). A wrong code, someone else's store's
coupon, or a string that cannot be a code answer only 404 "no such coupon"; each such miss counts against
the caller's guessing budget (10 a minute, then 429 + Retry-After), on top of 120 look-ups a minute.
Operators (promotions:manage): promotions and coupon templates (list, create, read, replace, end), issue
to customers or a segment (Idempotency-Key), results (issued, redeemed, GMV driven, cost). Audited.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from limits import RateLimitItemPerMinute

from o2o.deps import ContainerDep, IdempotencyKey, PageDep, PrincipalDep, Uow
from o2o.kernel.auth import Principal
from o2o.kernel.errors import TooManyRequests
from o2o.kernel.i18n import negotiate
from o2o.kernel.ids import Id
from o2o.promotions import service
from o2o.promotions.exceptions import NoSuchCoupon, StoreStaffOnly
from o2o.promotions.schemas import (
    CenterItem,
    ClaimIn,
    CouponOut,
    IssueIn,
    IssueOut,
    LookupOut,
    PromotionIn,
    PromotionOut,
    RedeemIn,
    RedeemOut,
    ResultsOut,
    TemplateIn,
    TemplateOut,
    WalletOut,
)

router = APIRouter(prefix="/api/v1", tags=["promotions"])
Lang = Annotated[str | None, Header(alias="Accept-Language", include_in_schema=False)]
MISSES_PER_MINUTE = RateLimitItemPerMinute(10)
LOOKUPS_PER_MINUTE = RateLimitItemPerMinute(120)


# --- customers ---------------------------------------------------------------------------------------

@router.get("/coupons/center", response_model=list[CenterItem])
def coupon_center(c: ContainerDep, p: PrincipalDep,
                  lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
                  lng: Annotated[float | None, Query(ge=-180, le=180)] = None,
                  accept_language: Lang = None) -> list[CenterItem]:
    """Templates I may claim now: tier-only ones of my tier, LBS exclusives whose store is within their radius
    of my home or of `lat`,`lng` (my location now), with the store and the distance in metres."""
    return service.center(c.db, p.id, c.clock.now(), lat if lng is not None else None,
                          lng if lat is not None else None, negotiate(accept_language))


@router.post("/coupons/claim", response_model=CouponOut, status_code=201)
def claim_coupon(uow: Uow, p: PrincipalDep, body: ClaimIn, accept_language: Lang = None) -> CouponOut:
    """One coupon of a template: 403 not-eligible (tier, distance), 409 coupons-sold-out, 409 claim-limit (the
    per-customer limit, also per phone, device and address)."""
    out = service.claim(uow, p.id, body.template_id, lat=body.lat, lng=body.lng, device_id=body.device_id)
    if negotiate(accept_language).startswith("en"):
        out.name = service.template(uow.db, out.template_id).name_en
    return out


@router.get("/me/coupons", response_model=WalletOut)
def my_coupons(c: ContainerDep, p: PrincipalDep, accept_language: Lang = None) -> WalletOut:
    """My wallet: usable (soonest to expire first; `code` is what the QR shows), used, expired and void."""
    return service.wallet(c.db, p.id, c.clock.now(), negotiate(accept_language))


# --- store staff (till, console) ---------------------------------------------------------------------

def _till(request: Request, p: Principal) -> int:
    if p.store_id is None:
        raise StoreStaffOnly("coupons are redeemed by a store's staff or a store-bound key")
    limits = request.app.state.guardian.limits
    who = f"{p.kind}:{p.id}"
    if not limits.limiter.test(MISSES_PER_MINUTE, "coupon-miss", who):
        reset = limits.limiter.get_window_stats(MISSES_PER_MINUTE, "coupon-miss", who).reset_time
        raise TooManyRequests("too many wrong coupon codes", max(1, int(reset - time.time())))
    limits.hit(LOOKUPS_PER_MINUTE, "coupon-till", who)
    return p.store_id


def _missed(request: Request, p: Principal) -> None:
    request.app.state.guardian.limits.limiter.hit(MISSES_PER_MINUTE, "coupon-miss", f"{p.kind}:{p.id}")


@router.post("/coupons/redeem", response_model=RedeemOut, status_code=201)
def redeem_coupon(request: Request, uow: Uow, p: PrincipalDep, body: RedeemIn,
                  idempotency_key: IdempotencyKey = None, accept_language: Lang = None) -> RedeemOut:
    """Redeem (核销) a coupon at the caller's store: a gift, a free service, or a discount on the till's bill
    (`bill_fen`; the answer says how much to take off). Single use: a second till gets 409 coupon-taken."""
    store_id = _till(request, p)
    try:
        return service.redeem_at_till(uow, store_id, body, p.actor, key=idempotency_key,
                                      locale=negotiate(accept_language))
    except NoSuchCoupon:
        _missed(request, p)
        raise


@router.get("/coupons/lookup/{code}", response_model=LookupOut)
def look_up_coupon(request: Request, c: ContainerDep, p: PrincipalDep, code: str,
                   accept_language: Lang = None) -> LookupOut:
    """The till's look-up of a scanned or typed code: what it gives, whether it can be redeemed here (and why
    not), the owner's phone masked."""
    store_id = _till(request, p)
    try:
        return service.lookup(c.db, code[:40], store_id, c.clock.now(), negotiate(accept_language))
    except NoSuchCoupon:
        _missed(request, p)
        raise


# --- operators -----------------------------------------------------------------------------------------

@router.get("/promotions", response_model=list[PromotionOut])
def list_promotions(c: ContainerDep, page: PageDep) -> list[PromotionOut]:
    return service.promotions(c.db, page)


@router.post("/promotions", response_model=PromotionOut, status_code=201)
def add_promotion(uow: Uow, body: PromotionIn) -> PromotionOut:
    """An automatic promotion (no coupon): kind and parameters as the engine's Offer, scope, channel, tiers,
    group (rules sharing a group never combine), exclusive, window, budget."""
    return service.create_promotion(uow, body)


@router.get("/promotions/{promotion_id}", response_model=PromotionOut)
def get_promotion(c: ContainerDep, promotion_id: Id) -> PromotionOut:
    return service.promotion(c.db, promotion_id)


@router.put("/promotions/{promotion_id}", response_model=PromotionOut)
def put_promotion(uow: Uow, promotion_id: Id, body: PromotionIn) -> PromotionOut:
    return service.update_promotion(uow, promotion_id, body)


@router.delete("/promotions/{promotion_id}", response_model=PromotionOut)
def end_promotion(uow: Uow, promotion_id: Id) -> PromotionOut:
    """Ends it (active = false); its results stay."""
    return service.end_promotion(uow, promotion_id)


@router.get("/promotions/{promotion_id}/results", response_model=ResultsOut)
def promotion_results(c: ContainerDep, promotion_id: Id) -> ResultsOut:
    return service.promotion_results(c.db, promotion_id)


@router.get("/coupon-templates", response_model=list[TemplateOut])
def list_templates(c: ContainerDep, page: PageDep) -> list[TemplateOut]:
    return service.templates(c.db, page)


@router.post("/coupon-templates", response_model=TemplateOut, status_code=201)
def add_template(uow: Uow, body: TemplateIn) -> TemplateOut:
    """A coupon template: rule, scope, channel, claim window, validity (fixed or N days), quantity, budget,
    per-customer limit, tiers, LBS store and radius, restore or forfeit on cancel, automatic issue."""
    return service.create_template(uow, body)


@router.get("/coupon-templates/{template_id}", response_model=TemplateOut)
def get_template(c: ContainerDep, template_id: Id) -> TemplateOut:
    return service.template(c.db, template_id)


@router.put("/coupon-templates/{template_id}", response_model=TemplateOut)
def put_template(uow: Uow, template_id: Id, body: TemplateIn) -> TemplateOut:
    return service.update_template(uow, template_id, body)


@router.delete("/coupon-templates/{template_id}", response_model=TemplateOut)
def end_template(uow: Uow, template_id: Id) -> TemplateOut:
    """Ends it (active = false): no more claims or issues, and its coupons are no longer usable."""
    return service.end_template(uow, template_id)


@router.post("/coupon-templates/{template_id}/issue", response_model=IssueOut, status_code=201)
def issue_coupons(uow: Uow, p: PrincipalDep, template_id: Id, body: IssueIn,
                  idempotency_key: IdempotencyKey = None) -> IssueOut:
    """One coupon to each customer of `customer_ids` or of a `segment` (tier, or customers who ordered at a
    store). Idempotent by Idempotency-Key; quantity all or nothing (409 coupons-sold-out)."""
    return service.issue(uow, template_id, body, key=idempotency_key, scope=f"{p.kind}:{p.id}")


@router.get("/coupon-templates/{template_id}/results", response_model=ResultsOut)
def template_results(c: ContainerDep, template_id: Id) -> ResultsOut:
    """Issued, redeemed, orders and GMV driven (their totals), cost (discounts given, released ones not)."""
    return service.template_results(c.db, template_id)
