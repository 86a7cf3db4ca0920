"""关注 (following products and stores), recently viewed products and the member code, for a signed-in
shopper. A product page viewed by a signed-in shopper is recorded after the page is sent (a background
task: one upsert, not on the page's critical path)."""

from __future__ import annotations

from typing import Annotated, Any

import segno
from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.catalog import service as catalog
from o2o.customers import service as customers
from o2o.deps import Container, ContainerDep, PrincipalDep
from o2o.kernel.auth import Principal
from o2o.kernel.errors import NotFound
from o2o.kernel.money import format_cny
from o2o.locations import service as locations
from o2o.shop import texts
from o2o.shop.common import chosen_store, distance_text, here, name_in, parse_int, safe_next, see_other
from o2o.shop.follow_texts import TEXTS
from o2o.shop.web import router
from o2o.web.templating import Translator, locale_of, render

MEMBER_QR_PREFIX = "O2O-MEMBER:"  # what the console's scanner looks for (o2o.console.members)
SHOWN = 20


def _render(request: Request, c: Container, p: Principal, template: str, context: dict[str, Any]) -> HTMLResponse:
    locale = locale_of(request)
    ctx = {"chosen": chosen_store(request, c), "money": format_cny, "distance": distance_text,
           "cart_count": sum(ln.quantity for ln in cart.lines(c.db, Owner(customer_id=p.id))),
           "name": name_in(locale), "here": here(request), "is_customer": True, "dev": c.settings.dev, **context}
    response = render(request, template, ctx, texts=[TEXTS, texts.TEXTS], locale=locale)
    response.headers["Cache-Control"] = "no-store"
    return response


def toggle(request: Request, p: Principal | None, c: Container, kind: str, target_id: int, name: str) -> dict[str, Any]:
    """What a product or store page needs for its 关注 button (labels already in the reader's language)."""
    say = Translator(locale_of(request), [TEXTS])
    on = bool(p and p.is_customer and customers.is_favorite(c.db, p.id, kind, target_id))
    return {"kind": kind, "target_id": target_id, "on": on, "signed_in": bool(p and p.is_customer),
            "label": say("follow.off" if on else "follow.on"),
            "aria": say("follow.off_named" if on else "follow.on_named", name=name),
            "signin": say("follow.signin")}


def record_view(c: Container, p: Principal | None, product_id: int) -> None:
    """Run after the product page went out (BackgroundTasks)."""
    if p is not None and p.is_customer:
        customers.record_view(c.uow(), p.id, product_id)


@router.post("/shop/favorites")
def set_favorite(c: ContainerDep, p: PrincipalDep, kind: Annotated[str, Form(max_length=10)] = "",
                 target_id: Annotated[str, Form(max_length=20)] = "", on: Annotated[str, Form(max_length=1)] = "1",
                 next: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Follow or stop following a product or store, then back to the page the button was on."""
    target = parse_int(target_id, None, 1, 2**62)
    if kind not in ("product", "store") or target is None:
        raise NotFound(kind or "target", target_id)
    if on == "1":
        customers.check_target(c.db, kind, target)
    customers.set_favorite(c.uow(), p.id, kind, target, on == "1")
    return see_other(safe_next(next, "/shop/favorites"))


@router.get("/shop/favorites", response_class=HTMLResponse)
def favorites_page(request: Request, c: ContainerDep, p: PrincipalDep) -> HTMLResponse:
    """What the shopper follows, and what they looked at lately."""
    favs = customers.favorites(c.db, p.id)
    products, stores = [], []
    for f in favs[:2 * SHOWN]:
        try:
            if f.kind == "product":
                products.append(catalog.get_product(c.db, f.target_id))
            else:
                stores.append(locations.get(c.db, f.target_id))
        except NotFound:
            continue
    viewed = []
    for b in customers.browsing(c.db, p.id, SHOWN):
        try:
            viewed.append((catalog.get_product(c.db, b.product_id), b.viewed_at))
        except NotFound:
            continue
    return _render(request, c, p, "shop/favorites.html", {"products": products, "stores": stores, "viewed": viewed})


@router.get("/shop/member/code", response_class=HTMLResponse)
def member_code_page(request: Request, c: ContainerDep, p: PrincipalDep) -> HTMLResponse:
    """The dynamic member QR (changes every minute; member_code.js swaps in the new one in place) and the card."""
    now = c.clock.now()
    code = customers.member_code(p.id, now)
    svg = segno.make(MEMBER_QR_PREFIX + code, error="m").svg_inline(scale=6, border=2, omitsize=True)
    refresh_s = customers.MEMBER_CODE_STEP_S - int(now.timestamp()) % customers.MEMBER_CODE_STEP_S + 1
    return _render(request, c, p, "shop/member_code.html", {
        "code": code, "qr": Markup(svg), "refresh_s": refresh_s, "card": customers.pos_card_of(c.db, p.id)})
