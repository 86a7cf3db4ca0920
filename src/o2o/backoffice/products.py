"""Product pages (catalog:write): the searchable list, and creating a product with its first SKU.
Editing one (details, SKUs, pictures, stock) is in product_edit."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from o2o.backoffice import product_forms as forms
from o2o.backoffice.common import FormDep, page, page_params, pages_of, query_int, router
from o2o.backoffice.product_texts import TEXTS
from o2o.catalog import admin as catalog_admin
from o2o.catalog import service as catalog
from o2o.catalog.schemas import ProductIn
from o2o.deps import ContainerDep, Uow
from o2o.kernel.errors import Conflict, InvalidInput
from o2o.web.templating import locale_of

STATUSES = ("active", "inactive")


def choices(c: ContainerDep, locale: str) -> dict:
    """The categories and suppliers a product form offers."""
    zh = locale.startswith("zh")
    return {"categories": [(k.id, k.name_zh if zh else k.name_en) for k in catalog.categories(c.db)],
            "suppliers": [(s.id, s.name) for s in catalog.suppliers(c.db)]}


@router.get("/admin/products", response_class=HTMLResponse)
def product_list(request: Request, c: ContainerDep) -> HTMLResponse:
    locale = locale_of(request)
    q = request.query_params
    form = {"q": (q.get("q") or "").strip()[:100], "category": q.get("category") or "", "status": q.get("status") or ""}
    category_id = query_int(form["category"])
    status = form["status"] if form["status"] in STATUSES else ""
    params = page_params(request)
    found = catalog_admin.search(c.db, form["q"] or None, category_id, {"active": True, "inactive": False}.get(status),
                                 params)
    ctx = {"form": form, "page": found, "pages": pages_of(found.total, found.size), **choices(c, locale),
           "filtered": bool(form["q"] or category_id or status), "statuses": STATUSES}
    ctx["category_names"] = dict(ctx["categories"])
    return page(request, "backoffice/products.html", ctx, [TEXTS])


def _new_page(request: Request, c: ContainerDep, values: dict, errors: forms.Errors, status: int = 200) -> HTMLResponse:
    ctx = {"values": values, "errors": errors, **choices(c, locale_of(request))}
    return page(request, "backoffice/product_new.html", ctx, [TEXTS], status)


@router.get("/admin/products/new", response_class=HTMLResponse)
def new_product(request: Request, c: ContainerDep) -> HTMLResponse:
    values = {name: "" for name in forms.PRODUCT_FIELDS} | {f"sku_{n}": "" for n in forms.SKU_FIELDS}
    return _new_page(request, c, values | {"sku_unit": "件"}, {})


@router.post("/admin/products", response_class=HTMLResponse)
def create_product(request: Request, c: ContainerDep, uow: Uow, form: FormDep) -> Response:
    values = forms.product_values(form)
    sku = forms.sku_values(form, "sku_")
    values |= {f"sku_{k}": v for k, v in sku.items()}
    errors: forms.Errors = {}
    data = forms.product_data(values, errors) | {"skus": [forms.sku_data(sku, errors, "sku_")]}
    product = forms.validate(ProductIn, data, errors, forms.sku_renames("sku_", "skus."), "sku_")
    if product is None:
        return _new_page(request, c, values, errors, 422)
    try:
        out = catalog_admin.create_product(uow, product)  # type: ignore[arg-type]
    except (Conflict, InvalidInput) as exc:
        return _new_page(request, c, values, forms.problem_errors(exc, "sku_"), exc.status)
    return RedirectResponse(f"/admin/products/{out.id}?done=created", status_code=303)
