"""Sourcing in the back-office (issue 13): the rules editor (list, add, turn on/off, move up/down) and
"why these locations" for an order (every decision with its candidates ranked and their costs)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from o2o.backoffice import common
from o2o.backoffice.common import FormDep, location_names, page, router, text
from o2o.backoffice.sourcing_texts import TEXTS
from o2o.deps import ContainerDep, PrincipalDep
from o2o.fulfillment import service as fulfillment
from o2o.fulfillment.schemas import RuleIn, RuleUpdate
from o2o.kernel.errors import Conflict, NotFound
from o2o.kernel.ids import Id
from o2o.locations import service as locations
from o2o.web.templating import locale_of

for _lang, _texts in TEXTS.items():  # the page's name in the navigation (common.NAV)
    common.TEXTS[_lang].setdefault("nav.sourcing", _texts["nav.sourcing"])  # type: ignore[index]

KINDS = ("exclude_locations", "keep_chosen_pickup_store", "night_only_24h_stores", "parcel_only_from_warehouses",
         "max_split")
MODES = ("pickup", "store_delivery", "parcel")
RULES = "/admin/sourcing/rules"


def _back(**query: str) -> RedirectResponse:
    return RedirectResponse(f"{RULES}?{urlencode(query)}", status_code=303)


def _words(raw: str) -> list[str]:
    return [w.strip() for w in raw.replace("，", ",").split(",") if w.strip()]


@router.get(RULES, response_class=HTMLResponse)
def rules_page(request: Request, c: ContainerDep) -> HTMLResponse:
    q = request.query_params
    done, error = q.get("done", ""), q.get("error", "")
    ctx = {"rules": fulfillment.rules(c.db), "kinds": KINDS, "modes": MODES,
           "names": location_names(locations.list_all(c.db), locale_of(request)),
           "done_key": f"sr.done.{done}" if f"sr.done.{done}" in TEXTS["en"] else "",
           "error_key": error if error in ("sr.err.invalid", "sr.err.duplicate") else "",
           "error_field": q.get("field", "")[:60], "error_message": q.get("message", "")[:200]}
    return page(request, "backoffice/sourcing_rules.html", ctx, [TEXTS])


@router.post(RULES)
def add_rule(c: ContainerDep, p: PrincipalDep, form: FormDep) -> Response:
    kind = text(form, "kind", 40)
    spec: dict[str, Any] = {"kind": kind}
    when: dict[str, Any] = {"channels": _words(text(form, "channels")), "regions": _words(text(form, "regions")),
                            "modes": [m for m in MODES if form.get(f"mode_{m}")]}
    spec["when"] = when
    try:
        if kind == "exclude_locations":
            spec["location_ids"] = [int(w) for w in _words(text(form, "location_ids"))]
        elif kind == "max_split":
            spec["value"] = int(text(form, "value", 4) or "0")
        elif kind == "night_only_24h_stores":
            spec["start"], spec["end"] = text(form, "start", 5) or "22:00", text(form, "end", 5) or "07:00"
    except ValueError:
        return _back(error="sr.err.invalid", field="spec", message="whole numbers only")
    try:
        body = RuleIn.model_validate({"name": text(form, "name", 80), "spec": spec})
    except ValidationError as exc:
        err = exc.errors()[0]
        return _back(error="sr.err.invalid", field=".".join(str(x) for x in err["loc"])[:60], message=err["msg"][:200])
    try:
        fulfillment.create_rule(c.uow(), body, p.actor)
    except Conflict:
        return _back(error="sr.err.duplicate")
    return _back(done="created")


@router.post(RULES + "/{rule_id}/toggle")
def toggle_rule(c: ContainerDep, p: PrincipalDep, rule_id: Id, form: FormDep) -> Response:
    try:
        fulfillment.update_rule(c.uow(), rule_id, RuleUpdate(enabled=text(form, "enabled") == "true"), p.actor)
    except NotFound:
        return _back()
    return _back(done="changed")


@router.post(RULES + "/{rule_id}/move")
def move_rule(c: ContainerDep, p: PrincipalDep, rule_id: Id, form: FormDep) -> Response:
    ids = [r.id for r in fulfillment.rules(c.db)]
    if rule_id not in ids:
        return _back()
    i = ids.index(rule_id)
    j = i - 1 if text(form, "to") == "up" else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
        fulfillment.reorder_rules(c.uow(), ids, p.actor)
    return _back(done="moved")


@router.get("/admin/orders/{number}/sourcing", response_class=HTMLResponse)
def why_page(request: Request, c: ContainerDep, number: str) -> HTMLResponse:
    number = number[:24]
    found = fulfillment.decisions(c.db, number)
    names = location_names(locations.list_all(c.db), locale_of(request))
    return page(request, "backoffice/sourcing_why.html", {"number": number, "decisions": found, "names": names},
                [TEXTS])
