"""Redeem a coupon at the store (核销): scan the coupon QR on the customer's phone (the console's scan block,
as the member look-up uses it) or type the code, see the coupon (owner masked, what it gives, where and
until when it is valid), then redeem it once.

The look-up is a POST (a coupon code does not belong in a URL, and so in logs) that shows the coupon with a
redeem form carrying the code; a threshold or percent coupon asks for the bill it comes off. Redeeming is
the promotions area's one conditional update, so two tills redeeming the same code at the same moment
cannot both succeed. A wrong code, or a coupon of another store's, says only "no such coupon", and counts
against the same guessing budget as the till's API (10 misses a minute, then 429).
"""

from __future__ import annotations

import contextlib
import secrets
import time
from typing import Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response
from limits import RateLimitItemPerMinute

from o2o.console.common import page, redirect, router, say, store_in_scope
from o2o.deps import ContainerDep, PrincipalDep
from o2o.kernel.auth import Principal
from o2o.kernel.errors import InvalidInput, NotFound, Problem, TooManyRequests
from o2o.kernel.ids import Id
from o2o.kernel.money import format_cny
from o2o.promotions import service as promotions
from o2o.promotions.schemas import MAX_FEN, LookupOut, RedeemIn
from o2o.web.templating import locale_of

QR_PREFIX = "O2O-COUPON:"  # what the storefront's coupon QR holds before the code (o2o.shop.coupons)
# the same budgets (and keys) as the till's API (o2o.promotions.routes): a clerk guesses no faster here
MISSES_PER_MINUTE = RateLimitItemPerMinute(10)
LOOKUPS_PER_MINUTE = RateLimitItemPerMinute(120)
NEEDS_BILL = ("threshold", "percent")

# why a known coupon cannot be redeemed here (the promotions area's words) -> the console's text
WHY = {"used already": "cp.err.used", "void": "cp.err.void", "expired": "cp.err.expired",
       "not valid yet": "cp.err.not_yet", "the campaign has ended": "cp.err.ended",
       "valid online only": "cp.err.online", "not valid at this store": "cp.err.store"}


def yuan_to_fen(raw: str) -> int | None:
    """'128.5' -> 12850; None when it is not an amount in yuan with at most two decimals."""
    raw = raw.strip().replace(",", "").lstrip("¥")
    whole, dot, cents = raw.partition(".")
    if not (whole.isascii() and whole.isdigit() and len(whole) <= 9) or (dot and not (
            cents.isascii() and cents.isdigit() and len(cents) <= 2)):
        return None
    return int(whole) * 100 + int((cents + "00")[:2])


def _budget(request: Request, p: Principal) -> None:
    limits = request.app.state.guardian.limits
    who = f"{p.kind}:{p.id}"
    if not limits.limiter.test(MISSES_PER_MINUTE, "coupon-miss", who):
        reset = limits.limiter.get_window_stats(MISSES_PER_MINUTE, "coupon-miss", who).reset_time
        raise TooManyRequests("too many wrong coupon codes", max(1, int(reset - time.time())))
    limits.hit(LOOKUPS_PER_MINUTE, "coupon-till", who)


def _missed(request: Request, p: Principal) -> None:
    request.app.state.guardian.limits.limiter.hit(MISSES_PER_MINUTE, "coupon-miss", f"{p.kind}:{p.id}")


def _code_of(text: str) -> str:
    """What the clerk typed or scanned, as a code (the QR's prefix dropped; case, spaces, dashes ignored
    by the promotions area)."""
    text = text.strip()
    return text[len(QR_PREFIX):] if text.startswith(QR_PREFIX) else text[:40]


def _why_key(why: str | None) -> str:
    if not why:
        return "cp.err.failed"
    if why.startswith("the bill must reach"):
        return "cp.err.bill_low"
    return WHY.get(why, "cp.err.failed")


def _view(coupon: LookupOut, store_id: int, store_name: str, locale: str) -> dict[str, Any]:
    return {"code": coupon.code_display, "label": coupon.label_zh if locale.startswith("zh") else coupon.label_en,
            "name": coupon.name, "owner": coupon.owner,
            "where": store_name if coupon.store_id == store_id else "",
            "valid_from": coupon.valid_from, "valid_until": coupon.valid_until,
            "status": {"usable": "issued"}.get(coupon.state, coupon.state), "kind": coupon.kind,
            "needs_bill": coupon.kind in NEEDS_BILL, "min_fen": coupon.min_fen,
            "redeemable": coupon.redeemable_here}


def _page(request: Request, p: Principal, store: Any, *, coupon: LookupOut | None = None, typed: str = "",
          error: str | None = None, error_key: str = "", redeemed: dict | None = None, bill: str = "",
          bill_error: str | None = None, status_code: int = 200) -> HTMLResponse:
    locale = locale_of(request)
    name = store.name_zh if locale.startswith("zh") else store.name_en
    errors = {"code": error} if error else {}
    if bill_error:
        errors["bill"] = bill_error
    context = {"coupon": _view(coupon, store.id, name, locale) if coupon is not None else None, "typed": typed,
               "errors": errors, "error_key": error_key, "qr_prefix": QR_PREFIX, "redeemed": redeemed,
               "bill": bill, "idem": secrets.token_urlsafe(16), "money": format_cny}
    return page(request, p, store, "console/coupons.html", context, section="coupons", status_code=status_code)


def _look_up(request: Request, c: ContainerDep, p: Principal, store_id: int, code: str) -> LookupOut:
    """The coupon, or NotFound (a miss, counted) / TooManyRequests (past the guessing budget)."""
    _budget(request, p)
    try:
        return promotions.lookup(c.db, code, store_id, c.clock.now(), locale_of(request))
    except NotFound:
        _missed(request, p)
        raise


@router.get("/console/{location_id}/coupons", response_class=HTMLResponse)
def coupons_page(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id) -> HTMLResponse:
    store = store_in_scope(c, p, location_id)
    q = request.query_params
    redeemed = None
    if (code := q.get("redeemed", "")) and code.replace("-", "").isascii() and code.replace("-", "").isalnum():
        off = q.get("off", "")
        redeemed = {"code": code[:24], "label": q.get("label", "")[:60],
                    "off": int(off[:12]) if off.isascii() and off.isdigit() else 0}
    return _page(request, p, store, redeemed=redeemed)


@router.post("/console/{location_id}/coupons", response_class=HTMLResponse)
def look_up(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id,
            code: str = Form("", max_length=200), scan: str = Form("", max_length=200)) -> HTMLResponse:
    store = store_in_scope(c, p, location_id)
    typed = "" if scan else code.strip()[:40]
    unknown = "cp.err.scan" if scan else "cp.err.unknown"
    if scan and not scan.strip().startswith(QR_PREFIX):
        return _page(request, p, store, error=say(request, unknown), error_key=unknown, status_code=404)
    try:
        coupon = _look_up(request, c, p, store.id, _code_of(scan or code))
    except NotFound:
        return _page(request, p, store, typed=typed, error=say(request, unknown), error_key=unknown, status_code=404)
    except TooManyRequests:
        return _page(request, p, store, typed=typed, error=say(request, "cp.err.busy"), error_key="cp.err.busy",
                     status_code=429)
    if not coupon.redeemable_here:
        key = _why_key(coupon.why_not)
        return _page(request, p, store, coupon=coupon, typed=typed, error=say(request, key), error_key=key,
                     status_code=409)
    return _page(request, p, store, coupon=coupon, typed=typed)


@router.post("/console/{location_id}/coupons/redeem")
def redeem(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id,
           code: str = Form("", max_length=200), bill: str = Form("", max_length=20),
           idem: str = Form("", max_length=64)) -> Response:
    """Redeem the coupon shown (one conditional update; the same form sent twice redeems once)."""
    store = store_in_scope(c, p, location_id)
    code = _code_of(code)
    try:
        coupon = _look_up(request, c, p, store.id, code)
    except NotFound:
        return _page(request, p, store, error=say(request, "cp.err.unknown"), error_key="cp.err.unknown",
                     status_code=404)
    except TooManyRequests:
        return _page(request, p, store, error=say(request, "cp.err.busy"), error_key="cp.err.busy", status_code=429)
    bill_fen = None
    if coupon.kind in NEEDS_BILL:
        bill_fen = yuan_to_fen(bill) if bill.strip() else None
        if bill_fen is None or bill_fen > MAX_FEN:  # beyond any bill (RedeemIn refuses it): asked again
            return _page(request, p, store, coupon=coupon, bill=bill[:20], bill_error=say(request, "cp.err.bill"),
                         error_key="cp.err.bill", status_code=422)
    key = f"console:{idem}" if 16 <= len(idem) <= 64 and idem.replace("-", "").replace("_", "").isalnum() else None
    try:
        out = promotions.redeem_at_till(c.uow(), store.id, RedeemIn(code=code, bill_fen=bill_fen), p.actor, key=key,
                                        locale=locale_of(request))
    except NotFound:
        return _page(request, p, store, error=say(request, "cp.err.unknown"), error_key="cp.err.unknown",
                     status_code=404)
    except InvalidInput:
        return _page(request, p, store, coupon=coupon, bill=bill[:20], bill_error=say(request, "cp.err.bill"),
                     error_key="cp.err.bill", status_code=422)
    except Problem as exc:
        key_ = "cp.err.used" if exc.kind == "coupon-taken" else "cp.err.budget" if exc.kind == "budget-exhausted" \
            else _why_key(exc.detail)
        fresh = None
        with contextlib.suppress(NotFound):
            fresh = promotions.lookup(c.db, code, store.id, c.clock.now(), locale_of(request))
        return _page(request, p, store, coupon=fresh, bill=bill[:20], error=say(request, key_), error_key=key_,
                     status_code=409)
    label = out.label_zh if locale_of(request).startswith("zh") else out.label_en
    return redirect(f"/console/{store.id}/coupons", redeemed=out.code_display, label=label, off=out.discount_fen)
