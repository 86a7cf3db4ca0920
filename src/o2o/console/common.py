"""What every console page shares: the location in scope, rendering, after-action messages, SKU names."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from o2o.catalog import lookup
from o2o.console.texts import TEXTS
from o2o.deps import Container
from o2o.kernel.auth import Principal, require_location
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.errors import Problem
from o2o.locations import service as locations
from o2o.locations.schemas import LocationOut
from o2o.web.templating import COMMON, Translator, locale_of, render

# every console page and action, on one router (FastAPI 0.165 keeps an included router nested, and the
# permission table's test walks each mounted router's own routes)
router = APIRouter(include_in_schema=False)

# the messages a redirect may ask a page to show: ?done=<key>&ref=... or ?error=<kind>&ref=...
DONE = frozenset({"picking", "ready", "shipped", "reissued", "handed_over", "moved", "requested", "sent", "rejected",
                  "received", "counted", "ticked", "short", "accepted", "cancelled"})
ERRORS = frozenset({"illegal-transition", "not-found", "below-reserved", "handover-locked", "conflict", "short-picked",
                    "nothing-found", "invalid-input"})


def store_in_scope(c: Container, p: Principal, location_id: int) -> LocationOut:
    """The location whose console this is. A store role reaches only its own store: any other id,
    existing or not, is 404 before anything is read."""
    require_location(p, location_id)
    return locations.get(c.db, location_id)


def name_of(location: LocationOut, locale: str) -> str:
    return location.name_zh if locale.startswith("zh") else location.name_en


def zone_of(location: LocationOut) -> ZoneInfo:
    try:
        return ZoneInfo(location.timezone)
    except (KeyError, ValueError):
        return SHANGHAI


def link_to(request: Request, path: str, **changes: object) -> str:
    """`path` with this request's query, some parameters changed (None drops one), messages dropped."""
    params = {k: v for k, v in request.query_params.multi_items() if k not in ("done", "error", "ref", "order")}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return f"{path}?{urlencode(params)}" if params else path


def page(request: Request, p: Principal, store: LocationOut, template: str, context: Mapping[str, Any], *,
         section: str, status_code: int = 200, path: str | None = None) -> HTMLResponse:
    """Render a console page (or a part of one, then `path` is the whole page's) for `store`; never
    cached (stock and orders change)."""
    locale = locale_of(request)
    zone = zone_of(store)
    here = path or request.url.path

    def at(value: datetime | None, fmt: str = "%H:%M") -> str:
        return value.astimezone(zone).strftime(fmt) if value else "—"

    done, error = request.query_params.get("done"), request.query_params.get("error")
    ctx = {
        "store": store,
        "store_name": name_of(store, locale),
        "base": f"/console/{store.id}",
        "section": section,
        "can": p.can,
        "hq": p.store_id is None,
        "at": at,
        "link": lambda **changes: link_to(request, here, **changes),
        "done": done if done in DONE else None,
        "error": error if error in ERRORS else None,
        "ref": (request.query_params.get("ref") or "")[:40],
        **context,
    }
    response = render(request, template, ctx, texts=[TEXTS], locale=locale, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def redirect(path: str, **query: object) -> RedirectResponse:
    """303 to a page of this site (after a form post), with a message for it to show."""
    params = {k: str(v) for k, v in query.items() if v is not None and v != ""}
    return RedirectResponse(path + (f"?{urlencode(params)}" if params else ""), status_code=303)


def say(request: Request, key: str, **values: object) -> str:
    """A console text in the reader's language (for messages built before rendering)."""
    return Translator(locale_of(request), [TEXTS, COMMON])(key, **values)


def error_kind(exc: Problem) -> str:
    return exc.kind if exc.kind in ERRORS else "conflict"


def sku_names(c: Container, request: Request, sku_ids: Iterable[int]) -> dict[int, lookup.SkuBrief]:
    return lookup.describe(c.db, sku_ids, locale_of(request))


def pages(total: int, size: int) -> int:
    return max(1, math.ceil(total / size))


def int_or_none(raw: str | None, low: int = 1, high: int = 10**12) -> int | None:
    """A whole number within [low, high] from a form or query field, else None."""
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 13:  # isdigit() takes "²" too
        return None
    value = int(raw)
    return value if low <= value <= high else None


def page_number(request: Request, name: str = "page") -> int:
    return int_or_none(request.query_params.get(name), 1, 100_000) or 1
