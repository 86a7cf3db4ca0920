"""Storefront browsing: home, finding and choosing a store, the catalog with the store's stock and prices."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, Response

from o2o.catalog import service as catalog
from o2o.deps import ContainerDep, current_principal
from o2o.kernel.errors import NotFound
from o2o.kernel.ids import Id
from o2o.kernel.pagination import PageParams
from o2o.shop import follow, quickbuy
from o2o.shop import stores as finder
from o2o.shop.common import (
    chosen_store,
    not_found,
    owner_of,
    page,
    parse_float,
    parse_int,
    remember_store,
    safe_next,
    see_other,
    store_of,
)
from o2o.shop.offers import offers
from o2o.shop.web import router
from o2o.web.templating import locale_of

STORES_PER_PAGE, PRODUCTS_PER_PAGE, MAX_QUERY = 10, 20, 60
SORTS = ("relevance", "price_asc", "price_desc", "sales")


def _top_categories(c: ContainerDep) -> list:
    return [cat for cat in catalog.categories(c.db) if cat.parent_id is None]


@router.get("/shop", response_class=HTMLResponse)
def home(request: Request, c: ContainerDep) -> HTMLResponse:
    """Pick or locate the store; categories and search."""
    return page(request, c, "shop/home.html", {"categories": _top_categories(c), "q": "", "errors": {}})


def _stores_page(request: Request, c: ContainerDep, errors: dict[str, str], status: int = 200) -> HTMLResponse:
    query = request.query_params
    q = (query.get("q") or "").strip()
    raw_lat, raw_lng = query.get("lat"), query.get("lng")
    n = parse_int(query.get("page"), 1) or 1
    everything = finder.all_stores(c.db)
    place, origin = None, None
    if raw_lat is not None or raw_lng is not None:
        lat, lng = parse_float(raw_lat, -90, 90), parse_float(raw_lng, -180, 180)
        if lat is None:
            errors["lat"] = "stores.err.lat"
        if lng is None:
            errors["lng"] = "stores.err.lng"
        if lat is not None and lng is not None:
            place, origin = finder.Place(lat, lng), "position"
    elif len(q) > MAX_QUERY:
        errors["q"] = "stores.err.long"
    elif q:
        place, origin = finder.locate(everything, q), "search"
    chosen = chosen_store(request, c)
    if place is None and origin is None and not errors and chosen and chosen.lat is not None:
        place, origin = finder.Place(chosen.lat, chosen.lng), "remembered"  # type: ignore[arg-type]
    # from a position only stores within reach, with their distance; a district search ranks the district's
    # stores first, a street or name search lists the stores it names: no distance without a position
    reach = finder.REACH_M if origin == "position" else None
    if place and place.stores:
        found = [finder.Nearby(s, -1) for s in place.stores]
    elif place:
        found = finder.nearest(everything, place.lat, place.lng, reach)
        if origin == "search":
            found = [finder.Nearby(x.store, -1) for x in found]
    else:
        found = [] if origin == "search" or errors else [finder.Nearby(s, -1) for s in everything]
    pages = max(1, math.ceil(len(found) / STORES_PER_PAGE))
    shown = found[(n - 1) * STORES_PER_PAGE: n * STORES_PER_PAGE]
    now = c.clock.now()
    ctx = {"q": q, "place": place, "origin": origin, "searched": origin == "search" and place is None,
           "hours": {x.store.id: finder.hours_of(x.store, now) for x in shown},
           "located": origin in ("position", "remembered"),
           "out_of_reach": origin == "position" and not found, "reach_km": finder.REACH_M // 1000,
           "stores": shown, "total": len(found), "page_no": n, "pages": pages, "errors": errors,
           "district_label": finder.district_label(place.district, locale_of(request)) if place else "",
           "follows": {x.store.id: follow.toggle(request, current_principal(request), c, "store", x.store.id,
                                                 x.store.name_zh if locale_of(request).startswith("zh") else x.store.name_en)
                       for x in shown},
           "next": safe_next(query.get("next"), "/shop/products")}
    return page(request, c, "shop/stores.html", ctx, status=422 if errors else status, chosen=chosen)


@router.get("/shop/stores", response_class=HTMLResponse)
def stores(request: Request, c: ContainerDep) -> HTMLResponse:
    """Stores nearest first from the browser's position (?lat=&lng=) or a district/store search (?q=)."""
    return _stores_page(request, c, {})


@router.post("/shop/store")
def choose_store(request: Request, c: ContainerDep, store_id: Annotated[str, Form(max_length=20)] = "",
                 lat: Annotated[str, Form(max_length=30)] = "", lng: Annotated[str, Form(max_length=30)] = "",
                 next: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Remember the store (and the position distances are measured from) in a cookie."""
    sid = parse_int(store_id, None, 1, 2**62)
    store = store_of(c, sid) if sid else None
    if store is None:
        return _stores_page(request, c, {"store_id": "stores.err.store"})
    response = see_other(safe_next(next, "/shop/products"))
    remember_store(response, c, store.id, parse_float(lat, -90, 90), parse_float(lng, -180, 180))
    return response


@router.get("/shop/products", response_class=HTMLResponse)
def products(request: Request, c: ContainerDep) -> HTMLResponse:
    """Search and browse, with the chosen store's price and availability."""
    query = request.query_params
    q = (query.get("q") or "").strip()
    raw_category = (query.get("category") or "").strip()
    n = parse_int(query.get("page"), 1) or 1
    categories = _top_categories(c)
    errors: dict[str, str] = {}
    category = parse_int(raw_category, None, 1, 2**62) if raw_category else None
    if raw_category and category is None:
        errors["category"] = "products.err.category"
    if len(q) > MAX_QUERY:
        errors["q"] = "products.err.long"
    sort = query.get("sort") or "relevance"
    if sort not in SORTS:
        errors["sort"] = "products.err.sort"
    chosen = chosen_store(request, c)
    only_in_stock = query.get("in_stock") == "1" and chosen is not None
    items, total, best, corrected = [], 0, {}, None
    if not errors:
        found = catalog.search(c.db, q or None, category, PageParams(page=n, size=PRODUCTS_PER_PAGE),
                               store_id=chosen.store.id if chosen else None, only_in_stock=only_in_stock, sort=sort)
        items, total, corrected = found.items, found.total, found.corrected
        store_id = chosen.store.id if chosen else None
        offer = offers(c.db, store_id, [k.id for p in items for k in p.skus if k.active], locale_of(request))
        for p in items:  # the product's cheapest SKU in stock, else its cheapest
            mine = sorted((o for k in p.skus if (o := offer.get(k.id)) and o.active),
                          key=lambda o: (not o.in_stock, o.price_fen))
            best[p.id] = mine[0] if mine else None
    ctx = {"q": q, "category": raw_category, "categories": categories, "items": items, "total": total,
           "best": best, "page_no": n, "pages": max(1, math.ceil(total / PRODUCTS_PER_PAGE)), "errors": errors,
           "filtered": bool(q or raw_category or only_in_stock), "sort": sort, "sorts": SORTS,
           "in_stock": only_in_stock, "corrected": corrected,
           "cart_bar": quickbuy.bar(request, c, owner_of(request, current_principal(request)), chosen)}
    return page(request, c, "shop/products.html", ctx, status=422 if errors else 200, chosen=chosen, no_store=True)


def product_page(request: Request, c: ContainerDep, product_id: int, errors: dict[str, str] | None = None,
                 values: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    try:
        product = catalog.get_product(c.db, product_id)
    except NotFound:
        return not_found(request, c, "product")
    if not product.active:
        return not_found(request, c, "product")
    chosen = chosen_store(request, c)
    skus = [k for k in product.skus if k.active]
    offer = offers(c.db, chosen.store.id if chosen else None, [k.id for k in skus], locale_of(request))
    values = values or {}
    first = next((k.id for k in skus if offer.get(k.id) and offer[k.id].in_stock), skus[0].id if skus else None)
    ctx = {"product": product, "skus": skus, "offer": offer, "errors": errors or {},
           "selected": parse_int(values.get("sku_id"), first, 1, 2**62), "quantity": values.get("quantity", "1"),
           "added": request.query_params.get("added") == "1",
           "follow": follow.toggle(request, current_principal(request), c, "product", product.id,
                                   product.name_zh if locale_of(request).startswith("zh") else product.name_en)}
    return page(request, c, "shop/product.html", ctx, status=status, chosen=chosen)


@router.get("/shop/products/{product_id}", response_class=HTMLResponse)
def product(request: Request, c: ContainerDep, product_id: Id, tasks: BackgroundTasks) -> HTMLResponse:
    """One product: its SKUs with price and availability at the store, quantity, add to cart. A signed-in
    shopper's view is recorded (recently viewed) after the page is sent."""
    response = product_page(request, c, product_id)
    if response.status_code == 200:
        tasks.add_task(follow.record_view, c, current_principal(request), product_id)
    return response
