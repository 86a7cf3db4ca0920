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
from o2o.kernel.pagination import Page
from o2o.locations import service as locations
from o2o.locations.schemas import LocationOut
from o2o.web.templating import Texts, Translator, locale_of

KINDS = ("store", "warehouse")

TEXTS: Texts = {
    "en": {
        "stores.title": "Stores",
        "stores.new": "New store",
        "stores.paused": "online orders paused",
        "stores.lead": "Stores and warehouses of the chain, what each offers, and how far each store delivers.",
        "stores.filters": "Filter stores",
        "stores.kind": "Kind",
        "stores.q": "Search",
        "stores.q.hint": "Code, name or district",
        "stores.map": "Delivery radii",
        "stores.map.summary": "{stores} stores on the map; delivery radii from {min_km} to {max_km} km, drawn to "
                              "scale. Warehouses ({warehouses}) ship parcels anywhere. Every store is listed below.",
        "stores.map.none": "No store matches the filters.",
        "stores.map.key.store": "Store and its delivery radius",
        "stores.map.key.warehouse": "Warehouse",
        "stores.map.key.district": "District of Shanghai (outline)",
        "stores.map.title": "{n}. {name} ({code}): delivers within {km} km",
        "stores.map.title_wh": "{n}. {name} ({code}): warehouse",
        "stores.none": "There are no stores yet.",
        "stores.col.n": "No.",
        "stores.col.store": "Name",
        "stores.col.kind": "Kind",
        "stores.col.district": "District and address",
        "stores.col.services": "Services",
        "stores.col.radius": "Delivery radius",
        "stores.col.capacity": "Capacity (hour / day)",
        "stores.col.coords": "Coordinates",
        "stores.km": "{km} km",
        "svc.pickup": "pickup",
        "svc.delivery": "delivery",
        "svc.parcel": "parcel",
    },
    "zh-CN": {
        "stores.title": "门店",
        "stores.new": "新建门店",
        "stores.paused": "线上订单已暂停",
        "stores.lead": "连锁的门店和仓库、各自提供的服务，以及每家门店的配送范围。",
        "stores.filters": "筛选门店",
        "stores.kind": "类型",
        "stores.q": "搜索",
        "stores.q.hint": "编码、名称或区",
        "stores.map": "配送范围",
        "stores.map.summary": "地图上有 {stores} 家门店；配送半径 {min_km} 到 {max_km} 公里，按比例绘制。仓库（{warehouses} 个）以快递发往各地。"
                              "每家门店都列在下面的表格中。",
        "stores.map.none": "没有符合筛选条件的门店。",
        "stores.map.key.store": "门店及其配送范围",
        "stores.map.key.warehouse": "仓库",
        "stores.map.key.district": "上海市辖区（轮廓）",
        "stores.map.title": "{n}. {name}（{code}）：配送 {km} 公里以内",
        "stores.map.title_wh": "{n}. {name}（{code}）：仓库",
        "stores.none": "还没有门店。",
        "stores.col.n": "序号",
        "stores.col.store": "名称",
        "stores.col.kind": "类型",
        "stores.col.district": "区与地址",
        "stores.col.services": "服务",
        "stores.col.radius": "配送半径",
        "stores.col.capacity": "产能（每小时 / 每天）",
        "stores.col.coords": "坐标",
        "stores.km": "{km} 公里",
        "svc.pickup": "自提",
        "svc.delivery": "配送",
        "svc.parcel": "快递",
    },
}


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
    zh = locale == "zh-CN"
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
