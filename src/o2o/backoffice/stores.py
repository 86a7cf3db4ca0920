"""GET /admin/stores (locations:write, the action that manages stores): every store and warehouse,
and a map of the stores' delivery radii drawn as SVG from their coordinates over the outlines of
Shanghai's districts (Apache ECharts' map data, vendored and read on the server: no map tiles, nothing
from the network). The map is a picture with a text summary; each store is also a row of the list,
whose name opens its form (o2o.backoffice.store_edit)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from o2o.backoffice import charts
from o2o.backoffice.common import page, page_params, pages_of, router
from o2o.deps import ContainerDep
from o2o.kernel.catalogs import catalog_texts
from o2o.kernel.pagination import Page
from o2o.locations import service as locations
from o2o.locations.schemas import LocationOut
from o2o.web.templating import Texts, Translator, locale_of

KINDS = ("store", "warehouse")

TEXTS: Texts = catalog_texts("backoffice.stores")


def _km(metres: int) -> str:
    return f"{metres / 1000:g}"


def _match(loc: LocationOut, kind: str, q: str) -> bool:
    if kind and loc.kind != kind:
        return False
    text = f"{loc.code} {loc.name_zh} {loc.name_en} {loc.district}".lower()
    return not q or q.lower() in text


@router.get("/admin/stores", response_class=HTMLResponse)
def store_list(request: Request, c: ContainerDep) -> HTMLResponse:
    locale = locale_of(request)
    zh = locale.startswith("zh")
    query = request.query_params
    form = {"kind": query.get("kind") or "", "q": (query.get("q") or "").strip()[:60]}
    kind = form["kind"] if form["kind"] in KINDS else ""
    every = locations.list_all(c.db)
    shown = [loc for loc in every if _match(loc, kind, form["q"])]
    numbers = {loc.id: n for n, loc in enumerate(shown, start=1)}  # the map's labels = the list's numbers
    params = page_params(request)
    found = Page[LocationOut](items=shown[params.offset:params.offset + params.size], page=params.page,
                              size=params.size, total=len(shown))

    tr = Translator(locale, [TEXTS])

    def title(loc: LocationOut) -> str:
        name = loc.name_zh if zh else loc.name_en
        if loc.kind == "warehouse":
            return tr("stores.map.title_wh", n=numbers[loc.id], name=name, code=loc.code)
        return tr("stores.map.title", n=numbers[loc.id], name=name, code=loc.code, km=_km(loc.delivery_radius_m))

    stores = [loc for loc in shown if loc.kind == "store"]
    points = [{"id": loc.id, "lat": loc.lat, "lng": loc.lng, "kind": loc.kind, "title": title(loc),
               "radius_m": loc.delivery_radius_m if loc.kind == "store" and loc.can_store_delivery else 0}
              for loc in shown]
    radii = [loc.delivery_radius_m for loc in stores if loc.can_store_delivery]
    ctx = {"form": form, "page": found, "pages": pages_of(found.total, found.size), "numbers": numbers,
           "map": charts.radius_map(points), "filtered": bool(kind or form["q"]), "km": _km,
           "summary": {"stores": len(stores), "warehouses": len(shown) - len(stores),
                       "min_km": _km(min(radii, default=0)), "max_km": _km(max(radii, default=0))}}
    return page(request, "backoffice/stores.html", ctx, [TEXTS])
