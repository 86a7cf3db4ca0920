"""Transfers in the back-office (head office): the list with filters and the stock on the way, the batch
planner (one SKU from one location to many stores, a CSV, or a rebalancing suggestion; previewed line by
line, then created at once with the preview's key, so a second press creates nothing), a batch's progress
per store with "send every waiting transfer", and the discrepancy queue (investigate, resolve).

Reading needs inventory:read, changing inventory:transfer (the permission table); the inventory area's
o2o.inventory.transfers does the work, each change in its own unit of work."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from o2o.backoffice.common import (
    FormDep,
    HeadOffice,
    location_names,
    page,
    page_params,
    pages_of,
    query_int,
    router,
)
from o2o.backoffice.transfer_texts import TEXTS
from o2o.catalog import lookup
from o2o.deps import ContainerDep, Uow
from o2o.inventory import service as inventory
from o2o.inventory import transfers
from o2o.inventory.transfer_schemas import (
    MAX_BATCH_LINES,
    MAX_UNITS,
    BatchIn,
    InvestigateIn,
    PlanLine,
    ResolveIn,
)
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.errors import IllegalTransition, InvalidInput, NotFound, Problem
from o2o.kernel.ids import Id
from o2o.kernel.pagination import PageParams
from o2o.locations import service as locations
from o2o.locations.schemas import LocationOut
from o2o.web.templating import Translator, locale_of

STATUSES = ("requested", "sent", "received", "received_with_difference", "rejected")
D_STATUSES = ("open", "investigated", "resolved")
MODES = ("manual", "csv", "rebalance")
CSV_BYTES = 256 * 1024
Errors = dict[str, tuple[str, dict[str, Any]]]


def _when(value: Any) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else "—"


def _render(request: Request, template: str, ctx: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return page(request, template, {"when": _when, **ctx}, [TEXTS], status_code)


def _skus(c: ContainerDep, request: Request, ids: Iterable[int]) -> dict[int, lookup.SkuBrief]:
    return lookup.describe(c.db, set(ids), locale_of(request))


def _all_locations(c: ContainerDep, request: Request) -> tuple[list[LocationOut], dict[int, str]]:
    locs = locations.list_all(c.db)
    return locs, location_names(locs, locale_of(request))


# --- the list ---

@router.get("/admin/transfers", response_class=HTMLResponse)
def transfers_page(request: Request, c: ContainerDep, p: HeadOffice) -> HTMLResponse:
    q = request.query_params
    form = {"status": q.get("status") or "", "location": q.get("location") or "", "sku": (q.get("sku") or "")[:40],
            "batch": q.get("batch") or ""}
    sku = lookup.by_code(c.db, form["sku"], locale_of(request)) if form["sku"].strip() else None
    found = transfers.search(c.db, page_params(request, 50),
                             statuses=[form["status"]] if form["status"] in STATUSES else [],
                             location_id=query_int(form["location"]),
                             sku_id=(sku.sku_id if sku else -1) if form["sku"].strip() else None,
                             batch_id=query_int(form["batch"]))
    locs, names = _all_locations(c, request)
    transit = transfers.in_transit(c.db)
    todo = transfers.discrepancies(c.db, ["open", "investigated"], None, PageParams(page=1, size=1)).total
    ctx = {"form": form, "found": found, "pages": pages_of(found.total, found.size), "names": names,
           "locations": [(loc.id, f"{names[loc.id]} · {loc.code}") for loc in locs], "statuses": STATUSES,
           "skus": _skus(c, request, [tr.sku_id for tr in found.items]),
           "differences": transfers.discrepancy_of(c.db, [tr.id for tr in found.items]),
           "transit_units": sum(x.quantity for x in transit), "transit_count": len(transit), "todo": todo,
           "batches": transfers.batches(c.db, PageParams(page=1, size=10)).items,
           "filtered": any(form.values()), "can_plan": p.can("inventory:transfer")}
    return _render(request, "backoffice/transfers.html", ctx)


# --- the planner ---

def _plan_ctx(request: Request, c: ContainerDep, mode: str, form: dict[str, Any], errors: Errors,
              lines: list[PlanLine] | None = None) -> dict[str, Any]:
    locs, names = _all_locations(c, request)
    preview = transfers.preview(c.db, lines) if lines else None
    return {"mode": mode, "modes": MODES, "form": form, "errors": errors, "names": names,
            "sources": [(loc.id, f"{names[loc.id]} · {loc.code}") for loc in locs if loc.active],
            "stores": [(loc.id, names[loc.id], loc.code) for loc in locs if loc.kind == "store" and loc.active],
            "preview": preview, "preview_skus": _skus(c, request, {x.sku_id for x in lines or []}),
            "plan": _encode(lines or []), "key": f"plan-{secrets.token_urlsafe(12)}", "max_lines": MAX_BATCH_LINES,
            "csv_problems": [], "previewed": False}


@router.get("/admin/transfers/plan", response_class=HTMLResponse)
def plan_page(request: Request, c: ContainerDep) -> HTMLResponse:
    mode = request.query_params.get("mode") or "manual"
    mode = mode if mode in MODES else "manual"
    form = {"sku": "", "from": "", "each": "", "to": [], "csv": "", "name": ""}
    return _render(request, "backoffice/transfer_plan.html", _plan_ctx(request, c, mode, form, {}))


def _manual(c: ContainerDep, request: Request, form: FormData, errors: Errors) -> list[PlanLine]:
    sku = lookup.by_code(c.db, str(form.get("sku") or ""), locale_of(request))
    source = query_int(str(form.get("from") or ""))
    each = query_int(str(form.get("each") or ""), None, 1, MAX_UNITS)
    to = [n for n in (query_int(str(v)) for v in form.getlist("to")) if n is not None and n != source]
    if sku is None:
        errors["sku"] = ("tr.err.sku", {})
    if source is None:
        errors["from"] = ("tr.err.from", {})
    if each is None:
        errors["each"] = ("tr.err.each", {})
    if not to:
        errors["to"] = ("tr.err.stores", {})
    if errors or sku is None or source is None or each is None:
        return []
    return [PlanLine(from_location_id=source, to_location_id=d, sku_id=sku.sku_id, quantity=each)
            for d in sorted(set(to))]


async def _csv_text(form: FormData) -> str:
    upload = form.get("csv_file")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read(CSV_BYTES + 1)
        return raw[:CSV_BYTES].decode("utf-8-sig", errors="replace")
    return str(form.get("csv") or "")[:CSV_BYTES]


def parse_csv(text: str, codes: dict[str, int], sku_of: Any) -> tuple[list[PlanLine], list[tuple[int, str, dict]]]:
    """Lines "from, to, SKU, quantity" (location codes or ids, a SKU code or barcode); a first line that
    is not a transfer (a header) is skipped. Returns the lines and the problems (line number, text key,
    values)."""
    lines: list[PlanLine] = []
    problems: list[tuple[int, str, dict]] = []
    rows = [r for r in csv.reader(io.StringIO(text.replace("\t", ","))) if any(x.strip() for x in r)]
    for n, row in enumerate(rows, start=1):
        cells = [x.strip() for x in row]
        if len(cells) != 4:
            problems.append((n, "tr.err.csv.columns", {}))
            continue
        qty = query_int(cells[3], None, 1, MAX_UNITS)
        if n == 1 and qty is None and not cells[3].lstrip("-").isdigit():
            continue  # a header
        locs = [codes.get(cells[0].upper()) or codes.get(cells[0]), codes.get(cells[1].upper()) or codes.get(cells[1])]
        sku = sku_of(cells[2])
        bad = next((("tr.err.csv.location", {"code": cells[i][:40]}) for i in (0, 1) if locs[i] is None), None)
        if bad is None and sku is None:
            bad = ("tr.err.csv.sku", {"code": cells[2][:40]})
        if bad is None and qty is None:
            bad = ("tr.err.csv.quantity", {})
        if bad is not None:
            problems.append((n, *bad))
            continue
        assert locs[0] is not None and locs[1] is not None and qty is not None
        lines.append(PlanLine(from_location_id=locs[0], to_location_id=locs[1], sku_id=sku, quantity=qty))
    return lines, problems


def _encode(lines: list[PlanLine]) -> str:
    return ";".join(f"{x.from_location_id}:{x.to_location_id}:{x.sku_id}:{x.quantity}" for x in lines)


def _decode(raw: str) -> list[PlanLine] | None:
    out: list[PlanLine] = []
    try:
        for part in filter(None, raw.split(";")):
            f, t, k, q = (int(x) for x in part.split(":"))
            out.append(PlanLine(from_location_id=f, to_location_id=t, sku_id=k, quantity=q))
    except (ValueError, ValidationError):
        return None
    return out if 0 < len(out) <= MAX_BATCH_LINES else None


@router.post("/admin/transfers/plan", response_class=HTMLResponse)
async def plan_preview(request: Request, c: ContainerDep, form: FormDep) -> HTMLResponse:
    mode = str(form.get("mode") or "manual")
    mode = mode if mode in MODES else "manual"
    errors: Errors = {}
    shown = {"sku": str(form.get("sku") or "")[:40], "from": str(form.get("from") or "")[:12],
             "each": str(form.get("each") or "")[:12], "to": [str(v)[:12] for v in form.getlist("to")][:5000],
             "csv": "", "name": str(form.get("name") or "")[:120]}
    csv_problems: list[tuple[int, str, dict]] = []
    lines: list[PlanLine] = []
    if mode == "manual":
        lines = _manual(c, request, form, errors)
    elif mode == "csv":
        text = await _csv_text(form)
        shown["csv"] = text
        locs = locations.list_all(c.db)
        codes = {loc.code.upper(): loc.id for loc in locs} | {str(loc.id): loc.id for loc in locs}
        cache: dict[str, int | None] = {}

        def sku_of(code: str) -> int | None:
            if code not in cache:
                found = lookup.by_code(c.db, code[:40], locale_of(request))
                cache[code] = found.sku_id if found else None
            return cache[code]

        lines, csv_problems = parse_csv(text, codes, sku_of)
        if not lines and not csv_problems:
            errors["csv"] = ("tr.err.csv.empty", {})
        elif len(lines) > MAX_BATCH_LINES:
            errors["csv"] = ("tr.err.csv.many", {"n": MAX_BATCH_LINES})
            lines = []
    else:
        sku = lookup.by_code(c.db, shown["sku"], locale_of(request))
        if sku is None:
            errors["sku"] = ("tr.err.sku", {})
        else:
            lines = transfers.suggest_rebalance(c.db, sku.sku_id)
    if csv_problems:
        lines = []  # a plan with unreadable lines is not previewed as if they were not there
    ctx = _plan_ctx(request, c, mode, shown, errors, lines)
    ctx["csv_problems"] = csv_problems
    ctx["previewed"] = not errors and not csv_problems
    return _render(request, "backoffice/transfer_plan.html", ctx, 422 if errors or csv_problems else 200)


@router.post("/admin/transfers/batches", response_class=HTMLResponse)
def create_batch(request: Request, c: ContainerDep, uow: Uow, p: HeadOffice, form: FormDep) -> Response:
    lines = _decode(str(form.get("plan") or ""))
    origin = str(form.get("origin") or "manual")
    name = str(form.get("name") or "").strip()[:120]
    try:
        if lines is None:
            raise InvalidInput("plan", "unreadable")
        kind = origin if origin in MODES else "manual"
        body = BatchIn(key=str(form.get("key") or "")[:80],
                       name=name or Translator(locale_of(request), [TEXTS])(f"tr.origin.{kind}"), origin=kind,
                       lines=lines)
        batch = transfers.create_batch(uow, body, p.actor)
    except (ValidationError, InvalidInput):
        ctx = _plan_ctx(request, c, origin if origin in MODES else "manual",
                        {"sku": "", "from": "", "each": "", "to": [], "csv": "", "name": name},
                        {"plan": ("tr.err.plan", {})})
        return _render(request, "backoffice/transfer_plan.html", ctx, 422)
    return RedirectResponse(f"/admin/transfers/batches/{batch.id}?done={'created' if batch.created else 'again'}",
                            status_code=303)


# --- a batch ---

@router.get("/admin/transfers/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(request: Request, c: ContainerDep, p: HeadOffice, batch_id: Id) -> HTMLResponse:
    try:
        progress = transfers.progress(c.db, batch_id)
    except NotFound:
        return page(request, "backoffice/not_found.html", {"what_key": "tr.batch", "back": "/admin/transfers"},
                    [TEXTS], 404)
    _, names = _all_locations(c, request)
    lines = transfers.search(c.db, PageParams(page=1, size=200), batch_id=batch_id)
    q = request.query_params
    ctx = {"progress": progress, "b": progress.batch, "names": names, "lines": lines,
           "skus": _skus(c, request, [tr.sku_id for tr in lines.items]),
           "differences": transfers.discrepancy_of(c.db, [tr.id for tr in lines.items]),
           "done": q.get("done") if q.get("done") in ("created", "again", "sent") else None,
           "sent": query_int(q.get("sent"), 0, 0), "failed": query_int(q.get("failed"), 0, 0),
           "can_send": p.can("inventory:transfer")}
    return _render(request, "backoffice/transfer_batch.html", ctx)


@router.post("/admin/transfers/batches/{batch_id}/send")
def send_batch(c: ContainerDep, uow: Uow, p: HeadOffice, batch_id: Id) -> RedirectResponse:
    """Send each waiting transfer of the batch, each in its own transaction (a source short of one SKU does
    not hold back the others); a transfer someone else sent meanwhile is skipped."""
    transfers.get_batch(c.db, batch_id)
    waiting: list[int] = []
    for n in range(1, MAX_BATCH_LINES // 200 + 2):
        found = transfers.search(c.db, PageParams(page=n, size=200), statuses=["requested"], batch_id=batch_id)
        waiting += [tr.id for tr in found.items]
        if n * 200 >= found.total:
            break
    sent = failed = 0
    for tr_id in sorted(waiting):
        try:
            inventory.send_transfer(uow, tr_id, p.actor, "")
            sent += 1
        except IllegalTransition:
            continue
        except Problem:
            failed += 1
    return RedirectResponse(f"/admin/transfers/batches/{batch_id}?done=sent&sent={sent}&failed={failed}",
                            status_code=303)


# --- the discrepancy queue ---

@router.get("/admin/transfers/discrepancies", response_class=HTMLResponse)
def discrepancies_page(request: Request, c: ContainerDep, p: HeadOffice) -> HTMLResponse:
    q = request.query_params
    status = q.get("status") or ""
    statuses = [status] if status in D_STATUSES else ["open", "investigated"]
    found = transfers.discrepancies(c.db, statuses, query_int(q.get("location")), page_params(request, 50))
    _, names = _all_locations(c, request)
    done, ref = q.get("done"), query_int(q.get("ref"))
    ctx = {"found": found, "pages": pages_of(found.total, found.size), "status": status if status in D_STATUSES
           else "", "names": names, "skus": _skus(c, request, [d.sku_id for d in found.items]),
           "done": done if done in ("investigated", "resolved") else None,
           "error": q.get("error") if q.get("error") in ("moved", "note", "resolution") else None, "ref": ref,
           "can_act": p.can("inventory:transfer"), "d_statuses": D_STATUSES}
    return _render(request, "backoffice/transfer_discrepancies.html", ctx)


def _back(request: Request, **query: object) -> RedirectResponse:
    keep = str(request.query_params.get("status") or "")
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return RedirectResponse(f"/admin/transfers/discrepancies?{params}" + (f"&status={keep}" if keep in D_STATUSES
                                                                          else ""), status_code=303)


@router.post("/admin/transfers/discrepancies/{discrepancy_id}/investigate")
def investigate(request: Request, uow: Uow, p: HeadOffice, form: FormDep, discrepancy_id: Id) -> RedirectResponse:
    try:
        body = InvestigateIn(note=str(form.get("note") or "").strip())
    except ValidationError:
        return _back(request, error="note", ref=discrepancy_id)
    try:
        transfers.investigate(uow, discrepancy_id, body, p.actor)
    except IllegalTransition:
        return _back(request, error="moved", ref=discrepancy_id)
    return _back(request, done="investigated", ref=discrepancy_id)


@router.post("/admin/transfers/discrepancies/{discrepancy_id}/resolve")
def resolve(request: Request, uow: Uow, p: HeadOffice, form: FormDep, discrepancy_id: Id) -> RedirectResponse:
    try:
        body = ResolveIn(resolution=str(form.get("resolution") or ""), note=str(form.get("note") or "").strip())
    except ValidationError as exc:
        kind = "resolution" if any(e["loc"][-1] == "resolution" for e in exc.errors()) else "note"
        return _back(request, error=kind, ref=discrepancy_id)
    try:
        transfers.resolve(uow, discrepancy_id, body, p.actor)
    except IllegalTransition:
        return _back(request, error="moved", ref=discrepancy_id)
    return _back(request, done="resolved", ref=discrepancy_id)
