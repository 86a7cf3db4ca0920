"""Group buying pages (拼团): the deals, a deal with its open groups ("还差 2 人", a countdown, join), a
group's progress, and the forms that open or join one (each an order to pay, then the pay page).

Everything comes from the groupbuy area's service; the forms carry a one-time key, so a double tap or a
re-sent POST joins once."""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from o2o.cart import service as cart
from o2o.deps import ContainerDep, MaybePrincipal, PrincipalDep
from o2o.groupbuy import service as groupbuy
from o2o.groupbuy.schemas import JoinIn
from o2o.kernel.errors import NotFound, Problem
from o2o.kernel.ids import Id
from o2o.kernel.money import format_cny
from o2o.locations import service as locations
from o2o.orders import service as orders
from o2o.shop import texts
from o2o.shop.common import chosen_store, distance_text, here, name_in, owner_of, see_other
from o2o.shop.groupbuy_texts import TEXTS as GB_TEXTS
from o2o.shop.web import router
from o2o.web.templating import locale_of, render

IDEM = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
ERRORS = {"group-full": "gb.err.full", "group-closed": "gb.err.closed", "already-in-group": "gb.err.already",
          "deal-unavailable": "gb.err.unavailable", "insufficient-stock": "gb.err.stock",
          "invalid-input": "gb.err.invalid", "not-found": "gb.err.gone"}


def _render(request: Request, c: ContainerDep, p: Any, template: str, ctx: dict, status: int = 200) -> HTMLResponse:
    locale = locale_of(request)
    owner = owner_of(request, p)
    count = sum(ln.quantity for ln in cart.lines(c.db, owner)) if owner else 0
    base = {"chosen": chosen_store(request, c), "cart_count": count, "money": format_cny, "distance": distance_text,
            "name": name_in(locale), "here": here(request), "is_customer": bool(p and p.is_customer),
            "dev": c.settings.dev, "idem": secrets.token_urlsafe(16)}
    response = render(request, template, base | ctx, texts=[GB_TEXTS, texts.TEXTS], locale=locale,
                      status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _stores(c: ContainerDep, ids: list[int], locale: str) -> list[dict]:
    out = []
    for sid in ids[:30]:
        try:
            loc = locations.get(c.db, sid)
        except NotFound:
            continue
        out.append({"id": sid, "name": loc.name_zh if locale.startswith("zh") else loc.name_en})
    return out


@router.get("/shop/groupbuy", response_class=HTMLResponse)
def deals_page(request: Request, c: ContainerDep, p: MaybePrincipal) -> HTMLResponse:
    deals = groupbuy.deals(c.db, c.clock.now(), locale_of(request))
    return _render(request, c, p, "shop/groupbuy_deals.html", {"deals": deals})


def _deal_page(request: Request, c: ContainerDep, p: Any, deal_id: int, error: str | None = None,
               status: int = 200) -> HTMLResponse:
    locale, now = locale_of(request), c.clock.now()
    try:
        deal = groupbuy.deal(c.db, deal_id, now, locale)
        groups = groupbuy.open_groups(c.db, deal_id, now)
    except NotFound:
        return _render(request, c, p, "shop/not_found.html", {"what": "deal"}, status=404)
    chosen = chosen_store(request, c)
    store_ids = deal.location_ids or ([chosen.store.id] if chosen else [])
    return _render(request, c, p, "shop/groupbuy_deal.html",
                   {"deal": deal, "groups": groups, "stores": _stores(c, store_ids, locale),
                    "pickup": "pickup" in deal.modes, "error": error}, status)


@router.get("/shop/groupbuy/{deal_id}", response_class=HTMLResponse)
def deal_page(request: Request, c: ContainerDep, p: MaybePrincipal, deal_id: Id) -> HTMLResponse:
    return _deal_page(request, c, p, deal_id)


@router.get("/shop/groupbuy/groups/{group_id}", response_class=HTMLResponse)
def group_page(request: Request, c: ContainerDep, p: MaybePrincipal, group_id: Id) -> HTMLResponse:
    locale, now = locale_of(request), c.clock.now()
    try:
        group = groupbuy.group(c.db, group_id, now)
        deal = groupbuy.deal(c.db, group.deal_id, now, locale, every=True)
    except NotFound:
        return _render(request, c, p, "shop/not_found.html", {"what": "group"}, status=404)
    mine = groupbuy.membership(c.db, p.id, group_id) if p is not None and p.is_customer else None
    order = orders.get(c.db, mine) if mine else None
    store_ids = deal.location_ids or ([ch.store.id] if (ch := chosen_store(request, c)) else [])
    error = ERRORS.get(request.query_params.get("error", ""))
    return _render(request, c, p, "shop/groupbuy_group.html",
                   {"deal": deal, "group": group, "mine": mine, "order": order, "error": error,
                    "stores": _stores(c, store_ids, locale), "pickup": "pickup" in deal.modes})


def _joined(go: Any, back: str) -> Response:
    try:
        out = go()
    except Problem as exc:
        return see_other(f"{back}?error={exc.kind}")
    return see_other(f"/shop/groupbuy/groups/{out.group.id}")


@router.post("/shop/groupbuy/{deal_id}/open")
def open_form(request: Request, c: ContainerDep, p: PrincipalDep, deal_id: Id,
              location_id: Annotated[int, Form(ge=1, le=2**63 - 1)], idem: Annotated[str, Form(max_length=64)] = "",
              ) -> Response:
    key = f"page:{idem}" if IDEM.match(idem) else None
    data = JoinIn(mode="pickup", location_id=location_id)
    policy = orders.OrderPolicy.from_settings(c.settings)
    try:
        out = groupbuy.open_group(c.uow(), policy, p.id, deal_id, data, key)
    except Problem as exc:
        return _deal_page(request, c, p, deal_id, error=ERRORS.get(exc.kind, "gb.err.unavailable"),
                          status=exc.status)
    return see_other(f"/shop/groupbuy/groups/{out.group.id}")


@router.post("/shop/groupbuy/groups/{group_id}/join")
def join_form(request: Request, c: ContainerDep, p: PrincipalDep, group_id: Id,
              location_id: Annotated[int, Form(ge=1, le=2**63 - 1)], idem: Annotated[str, Form(max_length=64)] = "",
              ) -> Response:
    key = f"page:{idem}" if IDEM.match(idem) else None
    data = JoinIn(mode="pickup", location_id=location_id)
    policy = orders.OrderPolicy.from_settings(c.settings)
    return _joined(lambda: groupbuy.join_group(c.uow(), policy, p.id, group_id, data, key),
                   f"/shop/groupbuy/groups/{group_id}")
