"""What every back-office page shares: who may use it, the layout's navigation, texts, form helpers.

Scope: the back-office is head office's. The permission table decides the action each page needs;
on top of it a caller bound to one store (store manager, clerk, a store-bound key) is out of scope:
a page (GET) sends them to /staff, which lands them in their own store's console, and any other
method answers 404, as out-of-scope ids do everywhere (o2o.kernel.auth).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from o2o.backoffice.till_texts import TEXTS as TILL_TEXTS
from o2o.backoffice.transfer_texts import TEXTS as TRANSFER_TEXTS
from o2o.deps import PrincipalDep
from o2o.kernel.auth import Principal
from o2o.kernel.catalogs import catalog_texts
from o2o.kernel.errors import NotFound
from o2o.kernel.pagination import MAX_PAGE_SIZE, PageParams
from o2o.web.templating import Texts, render, requested_locale

# (key, path, the action that opens it): the navigation shows what the caller may open
NAV = (("dashboard", "/admin", "analytics:read"), ("products", "/admin/products", "catalog:write"),
       ("stores", "/admin/stores", "locations:write"), ("stock", "/admin/stock", "inventory:read"),
       ("orders", "/admin/orders", "orders:read"), ("users", "/admin/users", "staff:read"),
       ("members", "/admin/members", "customers:read"), ("loyalty", "/admin/loyalty", "loyalty:manage"),
       ("campaigns", "/admin/campaigns", "promotions:manage"), ("tills", "/admin/tills", "till:report"),
       ("transfers", "/admin/transfers", "inventory:read"),
       ("audit", "/admin/audit", "audit:read"),
       ("reconcile", "/admin/payments/reconcile", "payments:reconcile"), ("returns", "/admin/returns", "orders:read"),
       ("sourcing", "/admin/sourcing/rules", "sourcing:manage"),
       ("at_risk", "/admin/fulfilment/at-risk", "fulfillment:read"))

TEXTS: Texts = catalog_texts("backoffice.common")
for _lang, _texts in TILL_TEXTS.items():  # the till page's name in the navigation (o2o.backoffice.tills)
    TEXTS[_lang].setdefault("nav.tills", _texts["nav.tills"])  # type: ignore[index]
for _lang, _texts in TRANSFER_TEXTS.items():  # the transfers page's name in the navigation (o2o.backoffice.transfers)
    TEXTS[_lang].setdefault("nav.transfers", _texts["nav.transfers"])  # type: ignore[index]


def head_office(request: Request, p: PrincipalDep) -> Principal:
    """Router dependency of every back-office page (after the app-wide guard): HQ callers only."""
    if p.store_id is not None:
        if request.method in ("GET", "HEAD"):
            raise HTTPException(303, "the back-office is for head office", headers={"Location": "/staff"})
        raise NotFound("page", request.url.path)
    return p


HeadOffice = Annotated[Principal, Depends(head_office)]
# the one router of the back-office: each page module adds its routes to it (o2o.backoffice.pages)
router = APIRouter(include_in_schema=False, dependencies=[Depends(head_office)])


async def read_form(request: Request) -> FormData:
    """The posted form (already parsed by the guard for its CSRF check; parsed once per request)."""
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]


def text(form: Mapping[str, Any], name: str, limit: int = 500) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def query_int(raw: str | None, default: int | None = None, low: int = 1, high: int = 10**12) -> int | None:
    """A whole number from the query string, or `default` when absent or not a number in range."""
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        return default
    return value if low <= value <= high else default


def page_params(request: Request, size: int = 50) -> PageParams:
    q = request.query_params
    return PageParams(page=query_int(q.get("page"), 1, 1, 100_000) or 1,
                      size=query_int(q.get("size"), size, 1, MAX_PAGE_SIZE) or size)


def pages_of(total: int, size: int) -> int:
    return max(1, math.ceil(total / size))


_PRICE = re.compile(r"^\d{1,7}(\.\d{1,2})?$")


def yuan_to_fen(raw: str) -> int | None:
    """'12.9' -> 1290; None when it is not a price in yuan with at most two decimals."""
    raw = raw.strip().replace(",", "").lstrip("¥")
    if not _PRICE.match(raw):
        return None
    whole, _, cents = raw.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


def yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def error_key(err: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """A Pydantic error as one of the texts above (with its values)."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind == "missing" or (kind in ("string_too_short", "too_short") and ctx.get("min_length", 1) <= 1):
        return "err.required", {}
    if kind == "string_too_short":
        return "err.too_short", {"min": ctx.get("min_length", "")}
    if kind == "string_too_long":
        return "err.too_long", {"max": ctx.get("max_length", "")}
    if kind.startswith("int_"):
        return "err.number", {}
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return "err.range", {}
    if kind in ("literal_error", "enum"):
        return "err.choice", {}
    return "err.invalid", {}


def field_errors(exc: ValidationError, rename: Mapping[str, str] | None = None,
                 special: Mapping[str, str] | None = None) -> dict[str, tuple[str, dict[str, Any]]]:
    """field name in the form -> (text key, values); `special` names the one text that explains a
    field's rule (e.g. barcode -> err.barcode), shown for any failure but a missing value."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for err in exc.errors():
        loc = ".".join(str(x) for x in err.get("loc", ()) if not isinstance(x, int)) or "form"
        name = (rename or {}).get(loc, loc)
        key = error_key(err)
        if special and name in special and key[0] != "err.required":
            key = (special[name], {})
        out.setdefault(name, key)
    return out


def nav_for(p: Principal | None, path: str) -> list[dict[str, Any]]:
    items = []
    for key, href, action in NAV:
        if p is not None and p.can(action):
            current = path == href if href == "/admin" else path == href or path.startswith(href + "/")
            items.append({"key": key, "href": href, "current": current})
    return items


def page(request: Request, template: str, context: Mapping[str, Any], texts: Sequence[Texts] = (),
         status_code: int = 200) -> HTMLResponse:
    """Render a back-office page: shared texts and navigation, money formatting, never cached."""
    p = getattr(request.state, "principal", None)
    ctx = {"nav": nav_for(p, request.url.path), "yuan": yuan, "keep_lang": requested_locale(request) is not None,
           "errors": {}, **context}
    response = render(request, template, ctx, texts=[*texts, TEXTS], status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def not_found(request: Request, what_key: str, back: str, texts: Sequence[Texts] = ()) -> HTMLResponse:
    return page(request, "backoffice/not_found.html", {"what_key": what_key, "back": back}, texts, 404)


def location_names(locations: Sequence[Any], locale: str) -> dict[int, str]:
    return {loc.id: (loc.name_zh if locale.startswith("zh") else loc.name_en) for loc in locations}
