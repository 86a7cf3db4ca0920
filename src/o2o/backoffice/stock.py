"""GET /admin/stock (inventory:read): the stock grid per location with filters, and its CSV export
(GET /admin/stock.csv, the same filters, streamed: the whole chain's grid is ~60k rows in the demo)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from fastapi import Request
from fastapi.responses import HTMLResponse, StreamingResponse

from o2o.analytics import service as analytics
from o2o.analytics.schemas import LOW_STOCK, StockFilter, StockLine
from o2o.backoffice.common import location_names, page, page_params, pages_of, query_int, router
from o2o.catalog import service as catalog
from o2o.deps import ContainerDep
from o2o.kernel.catalogs import catalog_texts
from o2o.kernel.clock import SHANGHAI
from o2o.locations import service as locations
from o2o.web.templating import Texts, Translator, locale_of

LEVELS = ("low", "zero")
CSV_BATCH = 500

TEXTS: Texts = catalog_texts("backoffice.stock")
CSV_COLUMNS = ("location", "sku", "barcode", "product", "category", "on_hand", "reserved", "safety", "available")


def _filters(request: Request) -> tuple[StockFilter, dict[str, str]]:
    q = request.query_params
    form = {"location": q.get("location") or "", "category": q.get("category") or "",
            "q": (q.get("q") or "").strip()[:100], "level": q.get("level") or ""}
    level = form["level"] if form["level"] in LEVELS else None
    return StockFilter(location_id=query_int(form["location"]), category_id=query_int(form["category"]),
                       q=form["q"] or None, level=level), form


@router.get("/admin/stock", response_class=HTMLResponse)
def stock_grid(request: Request, c: ContainerDep) -> HTMLResponse:
    locale = locale_of(request)
    zh = locale.startswith("zh")
    f, form = _filters(request)
    found = analytics.stock_page(c.db, f, page_params(request))
    locs = locations.list_all(c.db)
    names = location_names(locs, locale)
    ctx = {"form": form, "page": found, "pages": pages_of(found.total, found.size), "low": LOW_STOCK,
           "locations": [(loc.id, f"{names[loc.id]} · {loc.code}") for loc in locs],
           "categories": [(k.id, k.name_zh if zh else k.name_en) for k in catalog.categories(c.db)],
           "filtered": any(form.values()), "levels": LEVELS,
           "export_url": "/admin/stock.csv" + (f"?{request.url.query}" if request.url.query else "")}
    return page(request, "backoffice/stock.html", ctx, [TEXTS])


def _cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula is quoted (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_chunks(lines: Iterator[StockLine], header: list[str], zh: bool) -> Iterator[str]:
    """A UTF-8 BOM (spreadsheets then read Chinese right), the header, then rows in batches."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(header)
    yield "\ufeff" + buf.getvalue()
    buf.seek(0)
    buf.truncate()
    for n, r in enumerate(lines, start=1):
        out.writerow([_cell(x) for x in (
            f"{r.location_code} {r.location_name_zh if zh else r.location_name_en}", r.sku_code, r.barcode,
            f"{r.name_zh if zh else r.name_en} {r.spec}".strip(), r.category_zh if zh else r.category_en,
            r.on_hand, r.reserved, r.safety_stock, r.available)])
        if n % CSV_BATCH == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    if buf.tell():
        yield buf.getvalue()


@router.get("/admin/stock.csv")
def stock_csv(request: Request, c: ContainerDep) -> StreamingResponse:
    locale = locale_of(request)
    t = Translator(locale, [TEXTS])
    f, _ = _filters(request)
    stamp = c.clock.now().astimezone(SHANGHAI).strftime("%Y%m%d-%H%M")
    header = [t(f"stock.col.{name}") for name in CSV_COLUMNS]
    body = csv_chunks(analytics.stock_lines(c.db, f), header, locale.startswith("zh"))
    return StreamingResponse(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="stock-{stamp}.csv"', "Cache-Control": "no-store"})
