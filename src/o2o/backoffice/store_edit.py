"""Stores editable (locations:write): create a store or warehouse, and edit one: opening hours per
weekday (closed days), delivery radius, services, hourly / daily capacity, and pausing its online
orders (a paused store takes no new online order: routing leaves it out; its till goes on).

Every field is checked here first so that each message sits next to its field; the service's own
schema (LocationIn / LocationUpdate) checks again. The audit log records each save (the Uow
dependency), naming the fields changed."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from o2o.backoffice.common import FormDep, field_errors, not_found, page, router, text
from o2o.backoffice.stores import TEXTS as LIST_TEXTS
from o2o.deps import ContainerDep, Uow
from o2o.kernel.catalogs import catalog_texts
from o2o.kernel.errors import Conflict, NotFound
from o2o.kernel.ids import Id
from o2o.locations import service as locations
from o2o.locations.schemas import WEEKDAYS, LocationIn, LocationOut, LocationUpdate
from o2o.web.templating import Texts

Errors = dict[str, tuple[str, dict[str, Any]]]
TEXT_FIELDS = {"name_zh": 120, "name_en": 120, "district": 60, "address": 300, "phone": 32}
NUMBER_FIELDS = {"delivery_radius_m": (0, 5_000, "err.radius"), "hourly_capacity": (0, 100_000, "err.capacity"),
                 "daily_capacity": (0, 1_000_000, "err.capacity")}
FLAGS = ("can_pickup", "can_store_delivery", "can_parcel", "online_paused")
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")
_CODE = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
_PHONE = re.compile(r"^[0-9+() -]*$")

TEXTS: Texts = catalog_texts("backoffice.store_edit")


def values_of(loc: LocationOut) -> dict[str, str]:
    out = {k: str(getattr(loc, k)) for k in (*TEXT_FIELDS, *NUMBER_FIELDS)}
    out |= {"lat": f"{loc.lat:.6f}", "lng": f"{loc.lng:.6f}", "code": loc.code, "kind": loc.kind}
    out |= {k: "1" if getattr(loc, k) else "" for k in FLAGS}
    for day in WEEKDAYS:
        spans = loc.opening_hours.get(day) or []
        out[f"{day}_open"], out[f"{day}_close"] = (spans[0][0], spans[0][1]) if spans else ("", "")
        out[f"{day}_closed"] = "" if spans else "1"
    return out


def blank_values() -> dict[str, str]:
    out = {k: "" for k in (*TEXT_FIELDS, "lat", "lng", "code")} | {"kind": "store"}
    out |= {"delivery_radius_m": "3000", "hourly_capacity": "60", "daily_capacity": "600"}
    out |= {"can_pickup": "1", "can_store_delivery": "1", "can_parcel": "", "online_paused": ""}
    for day in WEEKDAYS:
        out |= {f"{day}_open": "08:00", f"{day}_close": "22:00", f"{day}_closed": ""}
    return out


def _posted(form: Any, creating: bool) -> dict[str, str]:
    names = [*TEXT_FIELDS, *NUMBER_FIELDS, "lat", "lng"] + (["code", "kind"] if creating else [])
    out = {n: text(form, n, 320) for n in names}
    out |= {k: "1" if form.get(k) else "" for k in FLAGS}
    for day in WEEKDAYS:
        out[f"{day}_open"], out[f"{day}_close"] = text(form, f"{day}_open", 8), text(form, f"{day}_close", 8)
        out[f"{day}_closed"] = "1" if form.get(f"{day}_closed") else ""
    return out


def _number(raw: str, low: float, high: float, key: str, name: str, errors: Errors, whole: bool = True) -> float:
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        errors[name] = (key if raw else "err.required", {})
        return 0
    if not low <= value <= high or value != value:  # NaN is not a number in range
        errors[name] = (key, {})
    return value


def parse(values: dict[str, str], creating: bool) -> tuple[dict[str, Any], Errors]:
    """The service's data from the posted texts, and the errors by field name."""
    errors: Errors = {}
    data: dict[str, Any] = {}
    if creating:
        if not values["code"]:
            errors["code"] = ("err.required", {})
        elif not _CODE.match(values["code"]):
            errors["code"] = ("err.code", {})
        if values["kind"] not in ("store", "warehouse"):
            errors["kind"] = ("err.choice", {})
        data |= {"code": values["code"], "kind": values["kind"]}
    for name, limit in TEXT_FIELDS.items():
        if name.startswith("name_") and not values[name]:
            errors[name] = ("err.required", {})
        elif len(values[name]) > limit:
            errors[name] = ("err.too_long", {"max": limit})
        data[name] = values[name]
    if "phone" not in errors and not _PHONE.match(values["phone"]):
        errors["phone"] = ("err.phone", {})
    data["lat"] = _number(values["lat"], -90, 90, "err.lat", "lat", errors, whole=False)
    data["lng"] = _number(values["lng"], -180, 180, "err.lng", "lng", errors, whole=False)
    for name, (low, high, key) in NUMBER_FIELDS.items():
        data[name] = _number(values[name], low, high, key, name, errors)
    if not errors.keys() & {"hourly_capacity", "daily_capacity"} and data["daily_capacity"] < data["hourly_capacity"]:
        errors["daily_capacity"] = ("err.capacity.order", {})
    data |= {k: values[k] == "1" for k in FLAGS}
    if (data["can_store_delivery"] and values.get("kind", "store") == "store" and "delivery_radius_m" not in errors
            and data["delivery_radius_m"] == 0):
        errors["delivery_radius_m"] = ("err.radius.off", {})
    hours: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        opens, closes = values[f"{day}_open"], values[f"{day}_close"]
        if values[f"{day}_closed"]:
            hours[day] = []
        elif not (_HHMM.match(opens) and _HHMM.match(closes)) or opens == "24:00":
            errors[f"{day}_open"] = ("err.hours", {})
        elif opens == closes:
            errors[f"{day}_open"] = ("err.hours.same", {})
        else:
            hours[day] = [[opens, closes]]
    data["opening_hours"] = hours
    return data, errors


def _labels() -> dict[str, str]:
    names = {n: f"store.{n}" for n in (*TEXT_FIELDS, *NUMBER_FIELDS, "lat", "lng", "code", "kind")}
    return names | {f"{d}_open": f"day.{d}" for d in WEEKDAYS}


def _form_page(request: Request, values: dict[str, str], errors: Errors, loc: LocationOut | None,
               status: int = 200) -> HTMLResponse:
    done = request.query_params.get("done")
    ctx = {"values": values, "errors": errors, "loc": loc, "weekdays": WEEKDAYS, "labels": _labels(),
           "done": done if done in ("saved", "created") else None}
    return page(request, "backoffice/store.html", ctx, [TEXTS, LIST_TEXTS], status)


def _validated(model: type[LocationIn] | type[LocationUpdate], data: dict[str, Any],
               errors: Errors) -> LocationIn | LocationUpdate | None:
    if errors:
        return None
    try:
        return model(**data)
    except ValidationError as exc:  # the schema's own rules (our checks above should have caught them)
        errors.update(field_errors(exc, {"opening_hours": "mon_open"}))
        return None


@router.get("/admin/stores/new", response_class=HTMLResponse)
def new_store(request: Request) -> HTMLResponse:
    return _form_page(request, blank_values(), {}, None)


@router.post("/admin/stores", response_class=HTMLResponse)
def create_store(request: Request, uow: Uow, form: FormDep) -> Response:
    values = _posted(form, creating=True)
    data, errors = parse(values, creating=True)
    body = _validated(LocationIn, data, errors)
    if body is None:
        return _form_page(request, values, errors, None, 422)
    try:
        loc = locations.create(uow, body)  # type: ignore[arg-type]
    except Conflict:
        errors["code"] = ("err.taken", {})
        return _form_page(request, values, errors, None, 409)
    return RedirectResponse(f"/admin/stores/{loc.id}?done=created", status_code=303)


@router.get("/admin/stores/{location_id}", response_class=HTMLResponse)
def store_page(request: Request, c: ContainerDep, location_id: Id) -> HTMLResponse:
    try:
        loc = locations.get(c.db, location_id)
    except NotFound:
        return not_found(request, "store.what", "/admin/stores", [TEXTS, LIST_TEXTS])
    return _form_page(request, values_of(loc), {}, loc)


@router.post("/admin/stores/{location_id}", response_class=HTMLResponse)
def update_store(request: Request, c: ContainerDep, uow: Uow, form: FormDep, location_id: Id) -> Response:
    try:
        loc = locations.get(c.db, location_id)
    except NotFound:
        return not_found(request, "store.what", "/admin/stores", [TEXTS, LIST_TEXTS])
    values = _posted(form, creating=False) | {"code": loc.code, "kind": loc.kind}
    data, errors = parse(values, creating=False)
    body = _validated(LocationUpdate, data, errors)
    if body is None:
        return _form_page(request, values, errors, loc, 422)
    locations.update(uow, location_id, body)  # type: ignore[arg-type]
    return RedirectResponse(f"/admin/stores/{location_id}?done=saved", status_code=303)
