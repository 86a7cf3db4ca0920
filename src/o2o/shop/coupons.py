"""The coupon centre (领券中心) and the wallet (我的优惠券).

- `/shop/coupons`: the coupons the shopper may claim now, an LBS exclusive with its store and how far the
  shopper is from it (from the position they located their store with, else their home); a claim says
  what happened: claimed, gone, limit reached, not for your tier, too far.
- `/shop/coupons/mine`: usable / used / expired, each with its code; `/shop/coupons/mine/{id}` shows the
  code as a QR for the till to scan (drawn as the member QR is: segno, inline SVG).

Everything comes from the promotions area's service; the claim is its conditional update, so a double
tap or a twin request claims at most what the limit allows.
"""

from __future__ import annotations

from typing import Any

import segno
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from o2o.deps import ContainerDep, PrincipalDep
from o2o.kernel.auth import Principal
from o2o.kernel.errors import NotFound, Problem
from o2o.kernel.ids import Id
from o2o.locations import service as locations
from o2o.loyalty import service as loyalty
from o2o.promotions import service as promotions
from o2o.shop.common import chosen_store, page, see_other
from o2o.shop.web import router
from o2o.web.templating import locale_of

COUPON_QR_PREFIX = "O2O-COUPON:"  # what the console's scanner looks for (o2o.console.coupons)
TABS = ("usable", "used", "expired")


def _tier_names(c: ContainerDep, codes: list[str], locale: str) -> str:
    names = {t.code: (t.name_zh if locale.startswith("zh") else t.name_en) for t in loyalty.get_rules(c.db).tiers}
    return ("、" if locale.startswith("zh") else ", ").join(names.get(code, code) for code in codes)


def _store_names(c: ContainerDep, ids: set[int], locale: str) -> dict[int, str]:
    names = {}
    for sid in sorted(ids)[:50]:
        try:
            loc = locations.get(c.db, sid)
        except NotFound:
            continue
        names[sid] = loc.name_zh if locale.startswith("zh") else loc.name_en
    return names


def _position(request: Request, c: ContainerDep) -> tuple[float | None, float | None]:
    """Where the shopper is: the position they located their store from (use my location / a district)."""
    chosen = chosen_store(request, c)
    if chosen is None or chosen.lat is None or chosen.lng is None:
        return None, None
    return chosen.lat, chosen.lng


def _centre(request: Request, c: ContainerDep, p: Principal, notice: dict | None = None,
            error: dict | None = None, status: int = 200) -> HTMLResponse:
    locale = locale_of(request)
    lat, lng = _position(request, c)
    items = promotions.center(c.db, p.id, c.clock.now(), lat, lng, locale)
    offers = []
    for i in items:
        rule = promotions.template(c.db, i.template_id)  # tiers and radius (a few templates, not thousands)
        offers.append({
            "id": i.template_id, "label": i.label_zh if locale.startswith("zh") else i.label_en, "name": i.name,
            "channel": i.channel, "valid_days": i.valid_days, "valid_until": i.valid_until,
            "left": i.remaining, "limit": i.limit, "have": i.claimed, "can_claim": i.can_claim,
            "tiers": _tier_names(c, list(rule.tier_codes), locale) if rule.tier_codes else "",
            "lbs": {"store_id": i.store_id, "store": i.store_name or "", "distance_m": i.distance_m,
                    "radius_m": rule.radius_m} if i.store_id else None})
    ctx = {"offers": offers, "notice": notice, "error": error}
    return page(request, c, "shop/coupons.html", ctx, status=status, no_store=True)


@router.get("/shop/coupons", response_class=HTMLResponse)
def coupon_centre(request: Request, c: ContainerDep, p: PrincipalDep) -> HTMLResponse:
    notice = None
    if (tid := request.query_params.get("claimed", "")).isascii() and tid.isdigit() and len(tid) < 19:
        locale = locale_of(request)
        try:
            found = promotions.template(c.db, int(tid))
            zh, en = found.label_zh, found.label_en
            label = next((i for i in promotions.wallet(c.db, p.id, c.clock.now(), locale).usable
                          if i.template_id == found.id), None)
            if label is not None:
                zh, en = label.label_zh, label.label_en
            notice = {"id": found.id, "name": zh if locale.startswith("zh") else en}
        except NotFound:
            notice = None
    return _centre(request, c, p, notice)


# the promotions area's refusal of a claim (its problem's `code`) -> the shopper's text
def _claim_error(c: ContainerDep, exc: Problem, template_id: int, locale: str) -> tuple[dict, int]:
    """A refusal of the claim as the shopper reads it: gone, limit reached, not for your tier, too far."""
    code = exc.extra.get("code")
    if code == "gone" or exc.kind == "budget-exhausted":
        return {"key": "coupons.err.gone", "args": {}}, 409
    if code == "limit-reached":
        return {"key": "coupons.err.limit", "args": {}}, 409
    if isinstance(exc, NotFound):
        return {"key": "coupons.err.ended", "args": {}}, 404
    if exc.kind != "not-eligible":
        return {"key": "coupons.err.failed", "args": {}}, 422
    rule = promotions.template(c.db, template_id)
    store = _store_names(c, {rule.store_id}, locale).get(rule.store_id, "") if rule.store_id else ""
    if code == "not-your-tier":
        return {"key": "coupons.err.tier", "args": {"tiers": _tier_names(c, list(rule.tier_codes), locale)}}, 403
    if code == "too-far":
        return {"key": "coupons.err.far", "args": {"store": store}}, 403
    if code == "no-location":
        return {"key": "coupons.err.where", "args": {"store": store}}, 403
    return {"key": "coupons.err.ended", "args": {}}, 403


@router.post("/shop/coupons/{template_id}/claim")
def claim(request: Request, c: ContainerDep, p: PrincipalDep, template_id: Id) -> Response:
    """Claim one coupon of a template for the signed-in shopper, from where they are (LBS). The limit is the
    promotions area's unique claim slots: a double tap claims once when the limit is one."""
    lat, lng = _position(request, c)
    try:
        promotions.claim(c.uow(), p.id, template_id, lat=lat, lng=lng)
    except Problem as exc:
        error, status = _claim_error(c, exc, template_id, locale_of(request))
        return _centre(request, c, p, error=error, status=status)
    return see_other(f"/shop/coupons?claimed={template_id}")


def _coupon_view(coupon: Any, stores: dict[int, str], locale: str) -> dict[str, Any]:
    return {"id": coupon.id, "label": coupon.label_zh if locale.startswith("zh") else coupon.label_en,
            "name": coupon.name, "status": {"usable": "issued"}.get(coupon.state, coupon.state),
            "channel": coupon.channel, "valid_until": coupon.valid_until, "used_at": coupon.used_at,
            "code": coupon.code, "code_shown": coupon.code_display,
            "store": stores.get(coupon.store_id, "") if coupon.store_id else "", "order": None}


@router.get("/shop/coupons/mine", response_class=HTMLResponse)
def wallet(request: Request, c: ContainerDep, p: PrincipalDep) -> HTMLResponse:
    locale = locale_of(request)
    tab = request.query_params.get("tab", "usable")
    tab = tab if tab in TABS else "usable"
    mine = promotions.wallet(c.db, p.id, c.clock.now(), locale)
    lists = {"usable": mine.usable, "used": mine.used, "expired": mine.expired}
    stores = _store_names(c, {x.store_id for x in lists[tab] if x.store_id}, locale)
    ctx = {"tab": tab, "tabs": TABS, "counts": {k: len(v) for k, v in lists.items()},
           "coupons": [_coupon_view(x, stores, locale) for x in lists[tab]]}
    return page(request, c, "shop/coupons_mine.html", ctx, no_store=True)


@router.get("/shop/coupons/mine/{coupon_id}", response_class=HTMLResponse)
def coupon_code(request: Request, c: ContainerDep, p: PrincipalDep, coupon_id: Id) -> HTMLResponse:
    """One of the shopper's coupons as a QR for the till (someone else's coupon id: 404)."""
    locale = locale_of(request)
    mine = promotions.wallet(c.db, p.id, c.clock.now(), locale)
    found = next((x for x in [*mine.usable, *mine.used, *mine.expired] if x.id == coupon_id), None)
    if found is None:
        raise NotFound("coupon", coupon_id)
    stores = _store_names(c, {found.store_id} if found.store_id else set(), locale)
    svg = segno.make(COUPON_QR_PREFIX + found.code, error="m").svg_inline(scale=6, border=2, omitsize=True)
    return page(request, c, "shop/coupon_code.html", {"c": _coupon_view(found, stores, locale), "qr": Markup(svg)},
                no_store=True)
