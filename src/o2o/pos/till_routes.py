"""Till sessions and cash API (o2o.pos.tills): open a till with a float, cash in and out, close with the counts,
the Z-report, and the differences report.

A store's clerks open and close their store's tills (till:operate; a clerk closes the sessions they opened,
a store manager any of the store's: till:override); store managers see their store's report, head office
every store's (till:report). Another store's terminal or session answers 404.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from o2o.deps import ContainerDep, IdempotencyKey, PrincipalDep, Uow
from o2o.kernel.ids import Id
from o2o.pos import tills
from o2o.pos.till_schemas import (
    CashMoveIn,
    CashMoveOut,
    CloseIn,
    OpenIn,
    ReportOut,
    SessionOut,
    TerminalOut,
    ZReport,
)

router = APIRouter(prefix="/api/v1/pos", tags=["pos tills"])
OPEN_REFUSALS = {409: {"description": "till-open: the till has an open session already (or is disabled)"}}
MOVE_REFUSALS = {409: {"description": "till-closed: the session is closed; not-enough-cash: more out than the drawer "
                                      "should hold"}}
CLOSE_REFUSALS = {409: {"description": "till-closed: closed already (closing twice closes once)"},
                  403: {"description": "not-your-till: a clerk closes only the sessions they opened"}}


@router.get("/tills", response_model=list[TerminalOut])
def list_tills(c: ContainerDep, p: PrincipalDep,
               location_id: Annotated[Id | None, Query(description="the store (a store's staff: theirs)")] = None,
               ) -> list[TerminalOut]:
    """A store's tills and the session open on each (head office without a store: every store's)."""
    return tills.terminals(c.db, p, location_id)


@router.post("/tills/{terminal_id}/open", response_model=SessionOut, status_code=201, responses=OPEN_REFUSALS)
def open_till(uow: Uow, p: PrincipalDep, terminal_id: Id, body: OpenIn,
              idempotency_key: IdempotencyKey = None) -> SessionOut:
    """Open a till session with the counted float. One open session per till: two clerks opening the
    same till at once get one session (the other 409 till-open)."""
    return tills.open_till(uow, p, terminal_id, body, idempotency_key)


@router.get("/till-sessions/{session_id}", response_model=ZReport)
def z_report(c: ContainerDep, p: PrincipalDep, session_id: Id) -> ZReport:
    """The session's Z-report: sales, totals per tender, refunds, cash moves, expected against counted."""
    return tills.z_report(c.db, p, session_id)


@router.post("/till-sessions/{session_id}/cash-moves", response_model=CashMoveOut, status_code=201,
             responses=MOVE_REFUSALS)
def cash_move(uow: Uow, p: PrincipalDep, session_id: Id, body: CashMoveIn,
              idempotency_key: IdempotencyKey = None) -> CashMoveOut:
    """Cash in (a float top-up) or out (a bank drop, a petty expense) with the reason, by the caller."""
    return tills.cash_move(uow, p, session_id, body, idempotency_key)


@router.post("/till-sessions/{session_id}/close", response_model=ZReport, responses=CLOSE_REFUSALS)
def close(uow: Uow, p: PrincipalDep, session_id: Id, body: CloseIn) -> ZReport:
    """Close with the counts per tender (cash counted; card, WeChat Pay, Alipay from the settlement slip):
    expected, counted and their difference are stored; the answer is the Z-report."""
    return tills.close(uow, p, session_id, body)


@router.get("/till-reports", response_model=ReportOut)
def report(c: ContainerDep, p: PrincipalDep, date_from: date, date_to: date,
           location_id: Annotated[Id | None, Query()] = None) -> ReportOut:
    """Differences of the sessions closed between two days (Shanghai dates, both included, at most 92 days)
    per tender, per clerk and per store, and the daily cash difference per store."""
    return tills.report(c.db, p, date_from, date_to, location_id)
