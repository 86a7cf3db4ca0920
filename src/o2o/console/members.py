"""Member look-up at the till: find a customer by phone, POS member card number or the member QR on
their phone (typed, or scanned with the camera as the handover page scans pickup codes), then see the
360 profile (identities, orders of every channel, tier and points, favorites, recent browsing,
addresses), masked as the caller's role requires: a clerk never sees a full phone or name; a store
manager (pii:read) sees them for the customers of their store, and every such read is audited.

The look-up is a POST (a phone number or a member code does not belong in a URL, and so in logs)
that redirects to the profile page of the customer found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from o2o.catalog import service as catalog
from o2o.console.common import page, redirect, router, say, store_in_scope
from o2o.customers import service as customers
from o2o.customers.routes import profile_of
from o2o.customers.schemas import Profile
from o2o.deps import Container, ContainerDep, PrincipalDep
from o2o.kernel.auth import Principal
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.errors import NotFound
from o2o.kernel.ids import Id
from o2o.locations import service as locations
from o2o.web.templating import locale_of

MEMBER_QR_PREFIX = "O2O-MEMBER:"
PHONE = re.compile(r"^1[3-9][0-9]{9}$")
CARD = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
SHOWN = 20


def money(fen: int) -> str:
    return f"¥{fen / 100:.2f}"


def day(value: datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else "—"


@dataclass(frozen=True)
class ProfileView:
    profile: Profile
    products: dict[int, str]  # names of the products favorited or viewed
    stores: dict[int, str]


def _names(c: Container, profile: Profile, locale: str) -> tuple[dict[int, str], dict[int, str]]:
    products: dict[int, str] = {}
    stores: dict[int, str] = {}
    wanted = [f.target_id for f in profile.favorites if f.kind == "product"] + [b.product_id for b in profile.browsing]
    for pid in dict.fromkeys(wanted[:2 * SHOWN]):
        try:
            prod = catalog.get_product(c.db, pid)
            products[pid] = prod.name_zh if locale.startswith("zh") else prod.name_en
        except NotFound:
            products[pid] = f"#{pid}"
    for sid in [f.target_id for f in profile.favorites if f.kind == "store"][:SHOWN]:
        try:
            loc = locations.get(c.db, sid)
            stores[sid] = loc.name_zh if locale.startswith("zh") else loc.name_en
        except NotFound:
            stores[sid] = f"#{sid}"
    return products, stores


def profile_view(request: Request, c: Container, p: Principal, customer_id: int) -> ProfileView:
    """The 360 profile as a page shows it (shared by the console and the back-office)."""
    profile = profile_of(request, c, p, customer_id)
    products, stores = _names(c, profile, locale_of(request))
    return ProfileView(profile, products, stores)


def find(c: Container, text: str) -> int | None:
    """A member from what the clerk typed or scanned: a phone, a member code (with or without the
    QR's prefix) or a POS member card number."""
    text = text.strip().replace(" ", "")
    if not text or len(text) > 80:
        return None
    now = c.clock.now()
    if text.startswith(MEMBER_QR_PREFIX):
        return customers.find_member(c.db, code=text[len(MEMBER_QR_PREFIX):], now=now)
    if PHONE.match(text):
        return customers.find_member(c.db, phone=text, now=now)
    if text.startswith("M") and "-" in text:
        found = customers.find_member(c.db, code=text, now=now)
        if found is not None:
            return found
    return customers.find_member(c.db, card=text, now=now) if CARD.match(text) else None


def _page(request: Request, c: Container, p: Principal, store: Any, view: ProfileView | None = None,
          q: str = "", error: str | None = None, status_code: int = 200) -> HTMLResponse:
    context = {"view": view, "q": q, "errors": {"q": error} if error else {}, "qr_prefix": MEMBER_QR_PREFIX,
               "money": money, "day": day}
    return page(request, p, store, "console/members.html", context, section="members", status_code=status_code)


@router.get("/console/{location_id}/members", response_class=HTMLResponse)
def members_page(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id) -> HTMLResponse:
    return _page(request, c, p, store_in_scope(c, p, location_id))


@router.post("/console/{location_id}/members", response_class=HTMLResponse)
def look_up(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id, q: str = Form(""),
            scan: str = Form("")) -> Response:
    store = store_in_scope(c, p, location_id)
    text = scan or q
    found = find(c, text)
    if found is None:
        key = "members.bad.scan" if scan else "members.bad.unknown"
        return _page(request, c, p, store, q="" if scan else q[:80], error=say(request, key), status_code=422)
    return redirect(f"/console/{store.id}/members/{found}")


@router.get("/console/{location_id}/members/{customer_id}", response_class=HTMLResponse)
def member_profile(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id, customer_id: Id) -> HTMLResponse:
    store = store_in_scope(c, p, location_id)
    return _page(request, c, p, store, view=profile_view(request, c, p, customer_id))
