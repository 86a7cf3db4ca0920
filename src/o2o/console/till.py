"""The till in the store console (o2o.pos.tills): open a till with the counted float, record cash in and out with
a reason, close it with the counts per tender, and the shift's Z-report (printable on A4 or an 80 mm roll).
A store manager also sees the store's till differences between two days.

One till at a time (`?terminal=<id>`, the first by default); the console's own till (WEB, POS-lite's) is
listed from the first visit of a clerk who may sell, so it can be opened before POS-lite's first sale. A
form with a mistake comes back with the fields marked (422); a refusal of the till (opened meanwhile, closed already, not enough cash, someone
else's shift) comes back with the reason (409/403). Another store's till or shift answers 404.
"""

from __future__ import annotations

import contextlib
import secrets
from datetime import date, timedelta
from typing import Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from o2o.console.common import int_or_none, page, redirect, say, store_in_scope
from o2o.console.common import router as router
from o2o.console.coupons import yuan_to_fen
from o2o.deps import ContainerDep, PrincipalDep
from o2o.kernel.auth import Principal
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.errors import InvalidInput, NotFound, Problem
from o2o.kernel.ids import Id
from o2o.kernel.money import format_cny
from o2o.locations.schemas import LocationOut
from o2o.pos import service as pos
from o2o.pos import tills
from o2o.pos.till_schemas import COUNTED, MAX_CASH_FEN, MAX_COUNT_FEN, CashMoveIn, CloseIn, OpenIn, ZReport

DONE = ("opened", "moved", "closed")
PAPERS = ("a4", "receipt")


def signed(fen: int | None) -> str:
    """-1000 -> '-¥10.00', 500 -> '+¥5.00', 0 -> '¥0.00'."""
    if fen is None:
        return "—"
    return ("-" if fen < 0 else "+" if fen > 0 else "") + format_cny(abs(fen))


def _amount(raw: str, field: str, errors: dict[str, str], request: Request, *, low: int, high: int) -> int | None:
    fen = yuan_to_fen(raw) if raw.strip() else None
    if fen is None:
        errors[field] = say(request, "till.err.amount")
    elif fen < low:
        errors[field] = say(request, "till.err.amount_pos")
    elif fen > high:
        errors[field] = say(request, "till.err.too_big")
    return fen


def _refusal(request: Request, exc: Problem) -> str:
    key = f"till.err.{exc.kind}"
    if exc.kind == "not-enough-cash":
        return say(request, key, cash=format_cny(int(exc.extra.get("cash_fen", 0))))
    text = say(request, key)
    return text if text != key else say(request, "till.err.conflict")


def _shift(c: ContainerDep, p: Principal, store: LocationOut, session_id: int) -> ZReport:
    """The shift as it stands; another store's answers 404 (HQ too, under this store's pages)."""
    z = tills.z_report(c.db, p, session_id)
    if z.session.location_id != store.id:
        raise NotFound("till session", session_id)
    return z


def _till_page(request: Request, c: ContainerDep, p: Principal, store: LocationOut, *, terminal: int | None = None,
               errors: dict[str, str] | None = None, refusal: str = "", form: dict[str, str] | None = None,
               status_code: int = 200) -> HTMLResponse:
    terms = tills.terminals(c.db, p, store.id)
    chosen = next((t for t in terms if t.id == terminal), terms[0] if terms else None)
    z = tills.z_report(c.db, p, chosen.session.id) if chosen and chosen.session else None
    recent = tills.recent_sessions(c.db, p, store.id)
    did = request.query_params.get("did", "")
    context: dict[str, Any] = {
        "terms": terms, "chosen": chosen, "z": z, "recent": recent, "counted_kinds": COUNTED,
        "errors": errors or {}, "refusal": refusal, "form": form or {}, "money": format_cny, "signed": signed,
        "idem": secrets.token_urlsafe(16), "did": did if did in DONE else "", "did_ref": (request.query_params.get("ref") or "")[:32],
    }
    return page(request, p, store, "console/till.html", context, section="till", status_code=status_code)


@router.get("/console/{location_id}/till", response_class=HTMLResponse)
def till_page(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id) -> HTMLResponse:
    store = store_in_scope(c, p, location_id)
    if p.can("pos:write"):  # the console's own till (POS-lite's WEB) is here to open before its first sale
        with contextlib.suppress(Problem):  # disabled at this store: not listed
            pos.console_till(c.uow(), store.id, p)
    return _till_page(request, c, p, store, terminal=int_or_none(request.query_params.get("terminal")))


@router.post("/console/{location_id}/till/open")
def open_till(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id,
              terminal_id: str = Form("", max_length=20), float_yuan: str = Form("", max_length=20),
              idem: str = Form("", max_length=64)) -> Response:
    store = store_in_scope(c, p, location_id)
    terminal = int_or_none(terminal_id)
    errors: dict[str, str] = {}
    fen = _amount(float_yuan, "float_yuan", errors, request, low=0, high=MAX_CASH_FEN)
    if terminal is None or errors or fen is None:
        return _till_page(request, c, p, store, terminal=terminal, errors=errors, form={"float_yuan": float_yuan[:20]},
                          status_code=422)
    key = f"console:{idem}" if 16 <= len(idem) <= 64 and idem.replace("-", "").replace("_", "").isalnum() else None
    try:
        out = tills.open_till(c.uow(), p, terminal, OpenIn(float_fen=fen), key)
    except Problem as exc:
        if exc.status == 404:
            raise
        return _till_page(request, c, p, store, terminal=terminal, refusal=_refusal(request, exc),
                          status_code=exc.status)
    return redirect(f"/console/{store.id}/till", terminal=terminal, did="opened", ref=out.terminal_code)


@router.post("/console/{location_id}/till/sessions/{session_id}/move")
def cash_move(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id, session_id: Id,
              kind: str = Form("", max_length=8), amount: str = Form("", max_length=20),
              reason: str = Form("", max_length=400), idem: str = Form("", max_length=64)) -> Response:
    store = store_in_scope(c, p, location_id)
    z = _shift(c, p, store, session_id)
    errors: dict[str, str] = {}
    if kind not in ("in", "out"):
        errors["kind"] = say(request, "till.err.kind")
    fen = _amount(amount, "amount", errors, request, low=1, high=MAX_CASH_FEN)
    if not reason.strip():
        errors["reason"] = say(request, "till.err.reason")
    form = {"kind": kind[:8], "amount": amount[:20], "reason": reason[:200]}
    if errors or fen is None:
        return _till_page(request, c, p, store, terminal=z.session.terminal_id, errors=errors, form=form,
                          status_code=422)
    key = f"console:{idem}" if 16 <= len(idem) <= 64 and idem.replace("-", "").replace("_", "").isalnum() else None
    try:
        tills.cash_move(c.uow(), p, session_id, CashMoveIn(kind=kind, amount_fen=fen, reason=reason[:200]), key)  # type: ignore[arg-type]
    except Problem as exc:
        if exc.status == 404:
            raise
        return _till_page(request, c, p, store, terminal=z.session.terminal_id, refusal=_refusal(request, exc),
                          form=form, status_code=exc.status)
    return redirect(f"/console/{store.id}/till", terminal=z.session.terminal_id, did="moved")


@router.post("/console/{location_id}/till/sessions/{session_id}/close")
def close(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id, session_id: Id,
          count_cash: str = Form("", max_length=20), count_card: str = Form("", max_length=20),
          count_wechat: str = Form("", max_length=20), count_alipay: str = Form("", max_length=20)) -> Response:
    store = store_in_scope(c, p, location_id)
    z = _shift(c, p, store, session_id)
    raw = {"cash": count_cash, "card": count_card, "wechat": count_wechat, "alipay": count_alipay}
    errors: dict[str, str] = {}
    counted: dict[str, int] = {}
    for kind, value in raw.items():
        if kind != "cash" and not value.strip():
            counted[kind] = 0  # nothing on the slip for this tender
            continue
        fen = _amount(value, f"count_{kind}", errors, request, low=0, high=MAX_COUNT_FEN)
        if fen is not None and f"count_{kind}" not in errors:
            counted[kind] = fen
    form = {f"count_{k}": v[:20] for k, v in raw.items()}
    if errors:
        return _till_page(request, c, p, store, terminal=z.session.terminal_id, errors=errors, form=form,
                          status_code=422)
    try:
        tills.close(c.uow(), p, session_id, CloseIn(counted=counted))  # type: ignore[arg-type]
    except Problem as exc:
        if exc.status == 404 or isinstance(exc, InvalidInput):
            raise
        return _till_page(request, c, p, store, terminal=z.session.terminal_id, refusal=_refusal(request, exc),
                          form=form, status_code=exc.status)
    return redirect(f"/console/{store.id}/till/sessions/{session_id}", did="closed")


@router.get("/console/{location_id}/till/sessions/{session_id}", response_class=HTMLResponse)
def z_report(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id, session_id: Id) -> HTMLResponse:
    """The Z-report of a closed shift (an X-report of the shift so far while open), printable."""
    store = store_in_scope(c, p, location_id)
    z = _shift(c, p, store, session_id)
    paper = request.query_params.get("paper", "receipt")
    did = request.query_params.get("did", "")
    return page(request, p, store, "console/till_z.html",
                {"z": z, "money": format_cny, "signed": signed, "paper": paper if paper in PAPERS else "receipt",
                 "did": did if did in DONE else ""}, section="till")


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        return None


@router.get("/console/{location_id}/till/report", response_class=HTMLResponse)
def till_report(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id) -> HTMLResponse:
    """The store's till differences between two days (a store manager's; head office sees all in /admin/tills)."""
    store = store_in_scope(c, p, location_id)
    today = c.clock.now().astimezone(SHANGHAI).date()
    q = request.query_params
    start, end = _day(q.get("from")) or today - timedelta(days=6), _day(q.get("to")) or today
    error = ""
    try:
        report = tills.report(c.db, p, start, end, store.id)
    except InvalidInput:
        error = say(request, "tr.err.dates")
        start, end = today - timedelta(days=6), today
        report = tills.report(c.db, p, start, end, store.id)
    return page(request, p, store, "console/till_report.html",
                {"report": report, "start": start, "end": end, "date_error": error, "signed": signed,
                 "money": format_cny}, section="till", status_code=422 if error else 200)
