"""The refund queue (退款队列): return requests to approve or refuse (with a reason), returns received at a
store waiting for their refund, and the time from request to refund per store against the target."""

from __future__ import annotations

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from o2o.backoffice import common
from o2o.backoffice.common import location_names, page, router
from o2o.backoffice.returns_texts import TEXTS
from o2o.couriers import view as courier_view
from o2o.deps import ContainerDep, PrincipalDep
from o2o.kernel.errors import Conflict, IllegalTransition, InvalidInput
from o2o.kernel.ids import Id
from o2o.locations import service as locations
from o2o.returns import service as returns
from o2o.web.templating import locale_of

for _lang, _texts in TEXTS.items():  # the queue's name in the navigation (common.NAV) on every page
    common.TEXTS[_lang].setdefault("nav.returns", _texts["nav.returns"])  # type: ignore[index]

FILTERS = {"todo": ("requested", "received"), "requested": ("requested",), "approved": ("approved",),
           "received": ("received",), "refunded": ("refunded",), "refused": ("refused",)}


def _back(show: str, **query: str) -> RedirectResponse:
    from urllib.parse import urlencode
    params = {"show": show, **query}
    return RedirectResponse(f"/admin/returns?{urlencode(params)}", status_code=303)


@router.get("/admin/returns", response_class=HTMLResponse)
def queue(request: Request, c: ContainerDep) -> HTMLResponse:
    show = request.query_params.get("show", "todo")
    show = show if show in FILTERS else "todo"
    total, items = returns.find(c.db, statuses=FILTERS[show], limit=100, now=c.clock.now())
    names = location_names(locations.list_all(c.db), locale_of(request))
    done = request.query_params.get("done", "")
    error = request.query_params.get("error", "")
    ctx = {"items": items, "total": total, "show": show, "filters": list(FILTERS), "names": names,
           **courier_view.for_returns(c.db, [r.id for r in items if r.method == "courier"], locale_of(request)),
           "times": returns.time_to_refund(c.db, c.clock.now()), "target": returns.target_hours(),
           "done_key": f"rq.done.{done}" if f"rq.done.{done}" in TEXTS["en"] else "",
           "error_key": error if error in TEXTS["en"] else "", "ref": request.query_params.get("ref", "")[:24]}
    return page(request, "backoffice/returns.html", ctx, [TEXTS])


@router.post("/admin/returns/{return_id}/approve")
def approve(c: ContainerDep, p: PrincipalDep, return_id: Id, show: str = Form("todo")) -> Response:
    try:
        r = returns.approve(c.uow(), return_id, p.actor)
    except IllegalTransition:
        return _back(show, error="rq.err.state")
    return _back(show, done="approved", ref=r.number)


@router.post("/admin/returns/{return_id}/refuse")
def refuse(c: ContainerDep, p: PrincipalDep, return_id: Id, note: str = Form(""), show: str = Form("todo")) -> Response:
    try:
        r = returns.refuse(c.uow(), return_id, p.actor, note[:300])
    except InvalidInput:
        return _back(show, error="rq.err.why")
    except IllegalTransition:
        return _back(show, error="rq.err.state")
    return _back(show, done="refused", ref=r.number)


@router.post("/admin/returns/{return_id}/refund")
def refund(c: ContainerDep, p: PrincipalDep, return_id: Id, show: str = Form("todo")) -> Response:
    try:
        r = returns.refund(c.uow(), return_id, p.actor)
    except (IllegalTransition, Conflict, InvalidInput):
        return _back(show, error="rq.err.state")
    return _back(show, done="refunded", ref=r.number)
