"""Reading the product and SKU forms: raw values back into the form, clean values into the catalog's
shapes, and every failure (ours, Pydantic's, the catalog's 409/422) as a text next to its field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from o2o.backoffice.common import field_errors, text, yuan, yuan_to_fen
from o2o.catalog.admin import ImageRefused
from o2o.kernel.errors import Conflict, InvalidInput, Problem

Errors = dict[str, tuple[str, dict[str, Any]]]
PRODUCT_FIELDS = ("name_zh", "name_en", "category_id", "supplier_id", "brand", "description")
SKU_FIELDS = ("code", "barcode", "spec", "unit", "price")


def product_values(form: Mapping[str, Any]) -> dict[str, str]:
    return {name: text(form, name, 6000 if name == "description" else 300) for name in PRODUCT_FIELDS}


def sku_values(form: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    return {name: text(form, prefix + name, 100) for name in SKU_FIELDS}


def product_values_of(p: Any) -> dict[str, str]:
    return {"name_zh": p.name_zh, "name_en": p.name_en, "category_id": str(p.category_id),
            "supplier_id": str(p.supplier_id or ""), "brand": p.brand or "", "description": p.description or ""}


def sku_values_of(k: Any) -> dict[str, str]:
    return {"code": k.code, "barcode": k.barcode, "spec": k.spec, "unit": k.unit,
            "price": yuan(k.base_price_fen).lstrip("¥").replace(",", "")}


def _int(raw: str, name: str, errors: Errors, required: bool = True) -> int | None:
    if not raw:
        if required:
            errors[name] = ("err.required", {})
        return None
    try:
        value = int(raw)
    except ValueError:
        errors[name] = ("err.choice" if name.endswith("_id") else "err.number", {})
        return None
    if value < 1:
        errors[name] = ("err.positive", {})
    return value


def product_data(values: Mapping[str, str], errors: Errors) -> dict[str, Any]:
    return {"category_id": _int(values["category_id"], "category_id", errors) or 0,
            "supplier_id": _int(values["supplier_id"], "supplier_id", errors, required=False),
            "name_zh": values["name_zh"], "name_en": values["name_en"], "brand": values["brand"] or None,
            "description": values["description"] or None}


def sku_data(values: Mapping[str, str], errors: Errors, prefix: str = "") -> dict[str, Any]:
    price = yuan_to_fen(values["price"]) if values["price"] else None
    if not values["price"]:
        errors[prefix + "price"] = ("err.required", {})
    elif price is None:
        errors[prefix + "price"] = ("err.price", {})
    return {"code": values["code"], "barcode": values["barcode"], "spec": values["spec"],
            "unit": values["unit"] or "件", "base_price_fen": price or 0}


def sku_renames(prefix: str, inside: str = "") -> dict[str, str]:
    names = {f"{inside}{n}": prefix + n for n in ("code", "barcode", "spec", "unit")}
    return names | {f"{inside}base_price_fen": prefix + "price"}


def validate(model: type[BaseModel], data: dict[str, Any], errors: Errors, renames: Mapping[str, str],
             prefix: str = "") -> BaseModel | None:
    """The model, or None with its failures added to `errors` (ours, met first, win)."""
    try:
        out = model(**data)
    except ValidationError as exc:
        special = {prefix + "barcode": "err.barcode"}
        for name, err in field_errors(exc, renames, special).items():
            errors.setdefault(name, err)
        return None
    return None if errors else out


def problem_errors(exc: Problem, prefix: str = "") -> Errors:
    """A catalog failure on its field: a clash (409), an unknown reference or a refused picture (422)."""
    if isinstance(exc, ImageRefused):
        return {"image": (f"err.image.{exc.reason}", {})}
    if isinstance(exc, Conflict):
        field = str(exc.extra.get("field", ""))
        if field == "image":
            return {"image": ("err.image.duplicate", {})}
        return {prefix + ("barcode" if field.endswith("barcode") else "code"): ("err.taken", {})}
    if isinstance(exc, InvalidInput):
        out: Errors = {}
        for e in exc.extra.get("errors", []):
            out[str(e.get("field"))] = ("err.unknown", {})
        return out
    raise exc
