"""What every storefront page shares: the remembered store and position, the cart's owner, rendering."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.deps import Container
from o2o.kernel import geo
from o2o.kernel.auth import Principal
from o2o.kernel.errors import NotFound
from o2o.kernel.money import format_cny
from o2o.locations import service as locations
from o2o.locations.schemas import LocationOut
from o2o.shop.texts import TEXTS
from o2o.web.templating import Translator, locale_of, render

STORE_COOKIE = "o2o_store"  # "<store id>" or "<store id>:<lat>:<lng>" (the position distances are from)
CART_COOKIE = "o2o_cart"  # an anonymous cart's random token
STORE_DAYS, CART_DAYS = 180, 30
LOW_STOCK = 5  # a store's stock shows "only N left" at or below this many units


@dataclass(frozen=True)
class Chosen:
    """The shopper's store, and the position they located it from (their location or a district)."""

    store: LocationOut
    lat: float | None = None
    lng: float | None = None

    @property
    def distance_m(self) -> int | None:
        if self.lat is None or self.lng is None:
            return None
        return round(geo.haversine_m(self.lat, self.lng, self.store.lat, self.store.lng))


def parse_float(raw: str | None, low: float, high: float) -> float | None:
    try:
        value = float((raw or "").strip())
    except ValueError:
        return None
    return value if low <= value <= high else None


def parse_int(raw: str | None, default: int | None = None, low: int = 1, high: int = 100_000) -> int | None:
    try:
        value = int((raw or "").strip())
    except ValueError:
        return default
    return value if low <= value <= high else default


def store_of(c: Container, store_id: int) -> LocationOut | None:
    """An active store (not a warehouse) by id, else None."""
    try:
        loc = locations.get(c.db, store_id)
    except NotFound:
        return None
    return loc if loc.kind == "store" and loc.active else None


def chosen_store(request: Request, c: Container) -> Chosen | None:
    parts = (request.cookies.get(STORE_COOKIE) or "").split(":")
    store_id = parse_int(parts[0], None, 1, 2**62)
    store = store_of(c, store_id) if store_id else None
    if store is None:
        return None
    lat = parse_float(parts[1], -90, 90) if len(parts) == 3 else None
    lng = parse_float(parts[2], -180, 180) if len(parts) == 3 else None
    return Chosen(store, lat, lng) if lat is not None and lng is not None else Chosen(store)


def remember_store(response: Response, c: Container, store_id: int, lat: float | None, lng: float | None) -> None:
    value = f"{store_id}:{lat:.5f}:{lng:.5f}" if lat is not None and lng is not None else str(store_id)
    response.set_cookie(STORE_COOKIE, value, max_age=STORE_DAYS * 86400, httponly=True, samesite="lax",
                        secure=c.settings.https, path="/")


def owner_of(request: Request, p: Principal | None) -> Owner | None:
    """A customer's own cart when signed in, else the browser's anonymous cart (None before the first add)."""
    if p is not None and p.is_customer:
        return Owner(customer_id=p.id)
    token = request.cookies.get(CART_COOKIE, "")
    return Owner(token=token) if 20 <= len(token) <= 64 else None


def remember_cart(response: Response, c: Container, token: str) -> None:
    response.set_cookie(CART_COOKIE, token, max_age=CART_DAYS * 86400, httponly=True, samesite="lax",
                        secure=c.settings.https, path="/")


def safe_next(raw: str | None, default: str = "/shop") -> str:
    """Only a storefront path on this site: no open redirect."""
    if not raw or not raw.startswith("/shop") or "\\" in raw:
        return default
    parts = urlsplit(raw)
    return raw if not parts.scheme and not parts.netloc else default


def here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def name_in(locale: str):  # type: ignore[no-untyped-def]
    """`name(obj)`: an object's name_zh or name_en for the page's language."""
    def name(obj: Any) -> str:
        return obj.name_zh if locale.startswith("zh") else obj.name_en
    return name


def distance_text(metres: int | float | None) -> str:
    if metres is None:
        return ""
    return f"{round(metres)} m" if metres < 1000 else f"{metres / 1000:.1f} km"


def _lang_urls(request: Request) -> Any:
    """The language switch of a page re-rendered by a POST (a form with errors) links to the page the
    form was on (GET), not to the POST-only address."""
    if request.method in ("GET", "HEAD"):
        return None
    parts = urlsplit(request.headers.get("referer", ""))
    base = parts.path if parts.path.startswith("/shop") and "\\" not in parts.path else "/shop"
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "lang"]
    return lambda code: f"{base}?{urlencode([*query, ('lang', code)])}"


def translator(request: Request) -> Translator:
    return Translator(locale_of(request), [TEXTS])


def page(request: Request, c: Container, template: str, context: Mapping[str, Any], *, status: int = 200,
         chosen: Chosen | None = None, no_store: bool = False) -> HTMLResponse:
    """Render a storefront page with what the shop's layout needs (store bar, cart count, helpers)."""
    locale = locale_of(request)
    p = getattr(request.state, "principal", None)
    owner = owner_of(request, p)
    count = sum(ln.quantity for ln in cart.lines(c.db, owner)) if owner else 0
    if chosen is None and "chosen" not in context:
        chosen = chosen_store(request, c)
    ctx = {"chosen": chosen, "cart_count": count, "money": format_cny, "distance": distance_text,
           "name": name_in(locale), "here": here(request), "is_customer": bool(p and p.is_customer),
           "dev": c.settings.dev, "low_stock": LOW_STOCK, **context}
    if (lang_url := _lang_urls(request)) is not None:
        ctx["lang_url"] = lang_url
    response = render(request, template, ctx, texts=[TEXTS], locale=locale, status_code=status)
    if no_store or p is not None:
        response.headers["Cache-Control"] = "no-store"  # a signed-in shopper's pages are theirs alone
    return response


def not_found(request: Request, c: Container, what: str) -> HTMLResponse:
    return page(request, c, "shop/not_found.html", {"what": what}, status=404)
