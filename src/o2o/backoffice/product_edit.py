"""One product's page (catalog:write): its details, its SKUs (each its own form, plus one to add),
its pictures (upload, main, delete) and its stock (receiving goods needs inventory:write).

Every form posts to its own route; success redirects back (?done=... says what happened), a failure
renders the page again with the errors next to that form's fields (422 invalid, 409 a clash)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from o2o.analytics import service as analytics
from o2o.analytics.schemas import StockFilter
from o2o.backoffice import product_forms as forms
from o2o.backoffice.common import FormDep, HeadOffice, not_found, page, router, text
from o2o.backoffice.product_texts import TEXTS
from o2o.backoffice.products import choices
from o2o.catalog import admin as catalog_admin
from o2o.catalog import images
from o2o.catalog.schemas import ProductUpdate, SkuIn, SkuUpdate
from o2o.deps import ContainerDep, Uow
from o2o.inventory import service as inventory
from o2o.inventory.schemas import MovementIn
from o2o.kernel.errors import Conflict, InvalidInput, NotFound, Problem
from o2o.kernel.ids import Id
from o2o.kernel.pagination import PageParams
from o2o.locations import service as locations
from o2o.web.templating import locale_of

DONE = ("created", "saved", "sku_added", "sku_saved", "image_added", "image_main", "image_deleted", "received")
STOCK_FIELDS = ("sku_id", "location_id", "quantity", "reason")


@dataclass
class Failed:
    """What one form of the page sent back, when it failed."""

    form: str  # product | sku:<id> | new_sku | image | stock
    values: dict[str, str] = field(default_factory=dict)
    errors: forms.Errors = field(default_factory=dict)


def _product_page(request: Request, c: ContainerDep, product_id: int, failed: Failed | None = None,
                  status: int = 200) -> HTMLResponse:
    try:
        product = catalog_admin.get(c.db, product_id)
    except NotFound:
        return not_found(request, "product.what", "/admin/products", [TEXTS])
    locale = locale_of(request)
    failed = failed or Failed("")
    stock = analytics.stock_page(c.db, StockFilter(product_id=product_id), PageParams(page=1, size=200))
    p = request.state.principal
    ctx = {
        "product": product, "failed": failed, **choices(c, locale),
        "values": failed.values if failed.form == "product" else forms.product_values_of(product),
        "sku_values": {k.id: (failed.values if failed.form == f"sku:{k.id}" else forms.sku_values_of(k))
                       for k in product.skus},
        "new_sku": failed.values if failed.form == "new_sku" else {f"new_{n}": "" for n in forms.SKU_FIELDS}
        | {"new_unit": "件"},
        "stock_values": failed.values if failed.form == "stock" else {n: "" for n in STOCK_FIELDS},
        "stock": stock, "locations": locations.list_all(c.db), "can_receive": p.can("inventory:write"),
        "done": request.query_params.get("done") if request.query_params.get("done") in DONE else None,
        "max_image_bytes": images.MAX_BYTES,
    }
    return page(request, "backoffice/product.html", ctx, [TEXTS], status)


@router.get("/admin/products/{product_id}", response_class=HTMLResponse)
def product_page(request: Request, c: ContainerDep, product_id: Id) -> HTMLResponse:
    return _product_page(request, c, product_id)


def _back(product_id: int, done: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/admin/products/{product_id}?done={done}{anchor}", status_code=303)


def _failed(request: Request, c: ContainerDep, product_id: int, failed: Failed, exc: Problem | None = None,
            prefix: str = "") -> HTMLResponse:
    if exc is not None:
        if isinstance(exc, NotFound):
            raise exc
        failed.errors = forms.problem_errors(exc, prefix)
    return _product_page(request, c, product_id, failed, exc.status if exc else 422)


@router.post("/admin/products/{product_id}", response_class=HTMLResponse)
def update_product(request: Request, c: ContainerDep, uow: Uow, form: FormDep, product_id: Id) -> Response:
    values = forms.product_values(form)
    failed = Failed("product", values | {"active": "1" if form.get("active") else ""})
    data = forms.product_data(values, failed.errors) | {"active": bool(form.get("active"))}
    update = forms.validate(ProductUpdate, data, failed.errors, {})
    if update is None:
        return _failed(request, c, product_id, failed)
    try:
        catalog_admin.update_product(uow, product_id, update)  # type: ignore[arg-type]
    except (Conflict, InvalidInput, NotFound) as exc:
        return _failed(request, c, product_id, failed, exc)
    return _back(product_id, "saved")


@router.post("/admin/products/{product_id}/skus", response_class=HTMLResponse)
def add_sku(request: Request, c: ContainerDep, uow: Uow, form: FormDep, product_id: Id) -> Response:
    raw = forms.sku_values(form, "new_")
    failed = Failed("new_sku", {f"new_{k}": v for k, v in raw.items()})
    sku = forms.validate(SkuIn, forms.sku_data(raw, failed.errors, "new_"), failed.errors,
                         forms.sku_renames("new_"), "new_")
    if sku is None:
        return _failed(request, c, product_id, failed)
    try:
        catalog_admin.add_sku(uow, product_id, sku)  # type: ignore[arg-type]
    except (Conflict, InvalidInput, NotFound) as exc:
        return _failed(request, c, product_id, failed, exc, "new_")
    return _back(product_id, "sku_added", "#skus")


@router.post("/admin/products/{product_id}/skus/{sku_id}", response_class=HTMLResponse)
def update_sku(request: Request, c: ContainerDep, uow: Uow, form: FormDep, product_id: Id, sku_id: Id) -> Response:
    raw = forms.sku_values(form)
    failed = Failed(f"sku:{sku_id}", raw | {"active": "1" if form.get("active") else ""})
    data = forms.sku_data(raw, failed.errors) | {"active": bool(form.get("active"))}
    sku = forms.validate(SkuUpdate, data, failed.errors, forms.sku_renames(""))
    if sku is None:
        return _failed(request, c, product_id, failed)
    try:
        catalog_admin.update_sku(uow, product_id, sku_id, sku)  # type: ignore[arg-type]
    except (Conflict, InvalidInput, NotFound) as exc:
        return _failed(request, c, product_id, failed, exc)
    return _back(product_id, "sku_saved", f"#sku-{sku_id}")


@router.post("/admin/products/{product_id}/images", response_class=HTMLResponse)
def upload_image(request: Request, c: ContainerDep, uow: Uow, form: FormDep, product_id: Id) -> Response:
    upload = form.get("image")
    data = upload.file.read(images.MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    try:
        catalog_admin.add_image(uow, c.settings.media_dir, product_id, data)
    except (Conflict, InvalidInput, NotFound) as exc:
        return _failed(request, c, product_id, Failed("image"), exc)
    return _back(product_id, "image_added", "#images")


@router.post("/admin/products/{product_id}/images/{image_id}/main")
def main_image(uow: Uow, product_id: Id, image_id: Id) -> Response:
    catalog_admin.make_main_image(uow, product_id, image_id)
    return _back(product_id, "image_main", "#images")


@router.post("/admin/products/{product_id}/images/{image_id}/delete")
def delete_image(c: ContainerDep, uow: Uow, product_id: Id, image_id: Id) -> Response:
    catalog_admin.remove_image(uow, c.settings.media_dir, product_id, image_id)
    return _back(product_id, "image_deleted", "#images")


def _whole(raw: str, name: str, errors: forms.Errors, high: int, choice: bool = False) -> int:
    if not raw:
        errors[name] = ("err.choice" if choice else "err.required", {})
        return 0
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= high:
        errors[name] = ("err.choice" if choice else "err.positive" if value < 1 else "err.range", {})
    return value


@router.post("/admin/products/{product_id}/stock", response_class=HTMLResponse)
def receive_stock(request: Request, c: ContainerDep, uow: Uow, p: HeadOffice, form: FormDep,
                  product_id: Id) -> Response:
    """Goods received at a location: a receipt in the stock ledger (inventory:write)."""
    values = {name: text(form, name, 300) for name in STOCK_FIELDS}
    failed = Failed("stock", values)
    try:
        product = catalog_admin.get(c.db, product_id)
    except NotFound:
        return not_found(request, "product.what", "/admin/products", [TEXTS])
    errors = failed.errors
    sku_id = _whole(values["sku_id"], "sku_id", errors, 10**12, choice=True)
    location_id = _whole(values["location_id"], "location_id", errors, 10**12, choice=True)
    quantity = _whole(values["quantity"], "quantity", errors, 1_000_000)
    if "sku_id" not in errors and sku_id not in {k.id for k in product.skus}:
        errors["sku_id"] = ("err.choice", {})
    if len(values["reason"]) > 200:
        errors["reason"] = ("err.too_long", {"max": 200})
    if errors:
        return _product_page(request, c, product_id, failed, 422)
    movement = MovementIn(location_id=location_id, sku_id=sku_id, kind="receipt", quantity=quantity,
                          reason=values["reason"])
    uow.describe(f"location={location_id},sku={sku_id}", kind="receipt", quantity=quantity)
    try:
        inventory.record_movement(uow, movement, p.actor)
    except NotFound:
        errors["location_id"] = ("err.unknown", {})
        return _product_page(request, c, product_id, failed, 422)
    return _back(product_id, "received", "#stock")
