"""Hand over a pickup: scan the customer's QR (`O2O-PICKUP:<fulfilment id>:<code>`, read by the
camera in the browser) or type the 6-digit code the customer shows.

A typed code alone finds the READY pickup with that code at this location; with an order chosen, a
wrong code counts against that order (MAX_CODE_ATTEMPTS lock it until a store manager re-issues the
code). The page never shows a code, not even the one just typed or scanned.
"""

from __future__ import annotations

import re

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from o2o.console.common import int_or_none, page, redirect, router, say, store_in_scope
from o2o.console.queue import cards_of
from o2o.deps import Container, ContainerDep, PrincipalDep, Uow
from o2o.fulfillment import service as fulfillment
from o2o.fulfillment.exceptions import HandoverLocked, WrongCode
from o2o.kernel.auth import Principal
from o2o.kernel.errors import IllegalTransition, NotFound
from o2o.kernel.ids import Id
from o2o.kernel.pagination import PageParams
from o2o.locations.schemas import LocationOut

PAYLOAD = re.compile(r"^O2O-PICKUP:([0-9]{1,12}):([0-9]{6})$")
CODE = re.compile(r"^[0-9]{6}$")
READY_SHOWN = 50


def _page(request: Request, c: Container, p: Principal, store: LocationOut, errors: dict[str, str] | None = None,
          order: int | None = None, status_code: int = 200) -> HTMLResponse:
    attempts = fulfillment.failed_attempts(c.db, store.id)
    ready = [fo for fo in fulfillment.queue(c.db, store.id, "ready", PageParams(size=READY_SHOWN)).items
             if fo.mode == "pickup"]
    handed = None
    done_id = int_or_none(request.query_params.get("order"))
    if request.query_params.get("done") == "handed_over" and done_id:
        try:
            fo = fulfillment.get(c.db, done_id)
        except NotFound:
            fo = None
        if fo is not None and fo.location_id == store.id and fo.status == "handed_over":
            handed = cards_of(c, request, [fo], {}, with_slot=False)[0]  # what to give the customer
    if order is None and not errors:
        order = done_id  # "Hand over" on a queue card comes with ?order=<id>: that order is chosen
    context = {"ready": cards_of(c, request, ready, attempts), "errors": errors or {}, "order": order,
               "handed": handed}
    return page(request, p, store, "console/handover.html", context, section="handover", status_code=status_code)


@router.get("/console/{location_id}/handover", response_class=HTMLResponse)
def handover_page(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id) -> HTMLResponse:
    return _page(request, c, p, store_in_scope(c, p, location_id))


@router.post("/console/{location_id}/handover", response_class=HTMLResponse)
def hand_over(request: Request, c: ContainerDep, p: PrincipalDep, uow: Uow, location_id: Id,
              code: str = Form(""), order: str = Form(""), scan: str = Form("")) -> Response:
    store = store_in_scope(c, p, location_id)
    chosen = int_or_none(order)

    def refuse(field: str, key: str, **values: object) -> HTMLResponse:
        return _page(request, c, p, store, {field: say(request, key, **values)}, order=chosen, status_code=422)

    if scan.strip():
        found = PAYLOAD.match(scan.strip())
        if not found:
            return refuse("scan", "handover.bad.scan")
        field, fid, code = "scan", int(found.group(1)), found.group(2)
    else:
        field, code = "code", code.strip().replace(" ", "")
        if not CODE.match(code):
            return refuse("code", "handover.bad.code")
        fid = chosen if chosen else fulfillment.ready_pickup_by_code(c.db, store.id, code)
        if fid is None:
            return refuse("code", "handover.bad.unknown")
    picked = "order" if field == "code" and chosen else field  # where a wrong order is shown
    try:
        fo = fulfillment.get(c.db, fid)
        if fo.location_id != store.id or fo.mode != "pickup":
            raise NotFound("fulfillment", fid)
        fulfillment.hand_over(uow, fid, code, p.actor)
    except NotFound:
        return refuse(picked, "handover.bad.order" if picked == "order" else "handover.bad.unknown")
    except WrongCode as exc:
        left = int(exc.extra.get("attempts_left", 0))
        return refuse(field, "handover.bad.wrong", left=left) if left > 0 else refuse(field, "handover.bad.locked")
    except HandoverLocked:
        return refuse(field, "handover.bad.locked")
    except IllegalTransition as exc:
        status = say(request, f"status.{exc.extra.get('current_status', '')}")
        return refuse(picked, "handover.bad.not_ready", status=status)
    return redirect(f"/console/{store.id}/handover", done="handed_over", ref=fo.order_number, order=fid)
