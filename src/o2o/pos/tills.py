"""Till sessions and cash (as Odoo POS and Shopify POS keep them): open a till with a float, record cash in
and out with a reason, close it with what was counted per tender, and report the differences.

Rules:
- A terminal has at most one open session, on both databases: the session's `open_terminal_id` equals its
  terminal while open and is NULL once closed, under a UNIQUE constraint. Two clerks opening the same till
  at once: one session, the other 409 till-open.
- Expected per tender at close. Cash: the float + the cash tenders of the session's sales (a cash tender's
  `amount_fen` is what the sale kept, the change handed back already taken off: the customer gave
  amount + change) + cash in - cash out - cash refunds paid from the drawer. Card, WeChat Pay, Alipay: the
  sum of the session's tenders of that kind (compared with the terminal's settlement slip). Store credit
  is no money in the till: shown in the Z-report, never counted.
- Closing is one conditional UPDATE (`status = 'open'`): closing twice, or two clerks at once, closes once
  (the other 409 till-closed). A clerk closes the sessions they opened; a store manager (till:override)
  closes any of their store's (the clerk went home).
- Cash out cannot take more than the drawer should hold (409 not-enough-cash).
- Sales and sessions: an online POS sale needs an open session on its terminal (`require_open_session`:
  409 till-not-open otherwise). A sale rung up offline is kept whatever the session (it was physically
  sold): uploaded naming its terminal's session while that is open, it counts in that session's expected
  cash; otherwise (no session named, or the session closed before the upload: the answer warns
  session-closed) it belongs to no session, so a closed session's Z-report never changes after its close.
Scope: a store's staff reach only their store's terminals and sessions (others' ids answer 404).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from o2o.kernel import idempotency
from o2o.kernel.auth import Principal
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.db import Database
from o2o.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from o2o.kernel.uow import UnitOfWork
from o2o.pos.models import CASH, CLOSED, OPEN, PosSale, PosTender, Terminal, TillCashMove, TillSession
from o2o.pos.till_schemas import (
    COUNTED,
    CashMoveIn,
    CashMoveOut,
    CloseIn,
    DailyDiff,
    DiffRow,
    OpenIn,
    ReportOut,
    SessionOut,
    TenderLine,
    TenderTotal,
    TerminalOut,
    ZReport,
)

MAX_REPORT_DAYS = 92
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
OVERRIDE = "till:override"  # close a session someone else opened


class TillOpen(Conflict):
    kind = "till-open"


class TillClosed(Conflict):
    kind = "till-closed"


class TillNotOpen(Conflict):
    """An online sale on a terminal with no open till session."""

    kind, message_key = "till-not-open", "till_not_open"


class NotEnoughCash(Conflict):
    kind = "not-enough-cash"


class NotYourTill(Forbidden):
    kind = "not-your-till"


# --- the arithmetic (no database) ------------------------------------------------------------------

def expected_of(float_fen: int, tenders: Iterable[tuple[str, int]], moves: Iterable[tuple[str, int]]) -> dict[str, int]:
    """What the till should hold per counted tender. `tenders`: (kind, amount_fen) of the session's sales,
    amount_fen net of the change handed back; `moves`: (kind, amount_fen) of its cash moves (in / out /
    refund)."""
    out = dict.fromkeys(COUNTED, 0)
    out[CASH] = float_fen
    for kind, amount in tenders:
        if kind in out:
            out[kind] += amount
    for kind, amount in moves:
        out[CASH] += amount if kind == "in" else -amount
    return out


def differences(expected: Mapping[str, int], counted: Mapping[str, int]) -> dict[str, int]:
    """counted - expected per counted tender (negative: short; positive: over)."""
    return {k: int(counted.get(k, 0)) - int(expected.get(k, 0)) for k in COUNTED}


# --- reading ----------------------------------------------------------------------------------------

def _terminal(s: Session, p: Principal, terminal_id: int) -> Terminal:
    t = s.get(Terminal, terminal_id)
    if t is None or not p.covers(t.location_id):
        raise NotFound("terminal", terminal_id)
    return t


def _session(s: Session, p: Principal, session_id: int, *, lock: bool = False) -> TillSession:
    row = s.get(TillSession, session_id, with_for_update=lock or None, populate_existing=lock)
    if row is None or not p.covers(row.location_id):
        raise NotFound("till session", session_id)
    return row


def _session_out(row: TillSession, code: str) -> SessionOut:
    return SessionOut(id=row.id, terminal_id=row.terminal_id, terminal_code=code, location_id=row.location_id,
                      status=row.status, opened_by=row.opened_by, opened_at=row.opened_at, float_fen=row.float_fen,
                      closed_by=row.closed_by, closed_at=row.closed_at,
                      cash_difference_fen=None if row.counted is None or row.expected is None
                      else int(row.counted.get(CASH, 0)) - int(row.expected.get(CASH, 0)))


def _code(s: Session, terminal_id: int) -> str:
    return s.scalar(select(Terminal.code).where(Terminal.id == terminal_id)) or ""


def _move_out(m: TillCashMove) -> CashMoveOut:
    return CashMoveOut(id=m.id, session_id=m.session_id, kind=m.kind, amount_fen=m.amount_fen, reason=m.reason,
                       actor=m.actor, at=m.at)


def _tender_sums(s: Session, session_id: int) -> list[tuple[str, int, int, int]]:
    """(kind, count, amount, change) of the session's tenders."""
    rows = s.execute(select(PosTender.kind, func.count(), func.coalesce(func.sum(PosTender.amount_fen), 0),
                            func.coalesce(func.sum(PosTender.change_fen), 0))
                     .where(PosTender.session_id == session_id).group_by(PosTender.kind).order_by(PosTender.kind))
    return [(k, int(n), int(a), int(c)) for k, n, a, c in rows]


def _moves(s: Session, session_id: int) -> list[TillCashMove]:
    return list(s.scalars(select(TillCashMove).where(TillCashMove.session_id == session_id)
                          .order_by(TillCashMove.at, TillCashMove.id)))


def _expected_now(s: Session, row: TillSession) -> dict[str, int]:
    sums = _tender_sums(s, row.id)
    return expected_of(row.float_fen, [(k, a) for k, _, a, _ in sums],
                       [(m.kind, m.amount_fen) for m in _moves(s, row.id)])


def _z(s: Session, row: TillSession) -> ZReport:
    sums = _tender_sums(s, row.id)
    moves = _moves(s, row.id)
    if row.status == CLOSED and row.expected is not None:
        expected = {k: int(v) for k, v in row.expected.items()}
    else:
        expected = expected_of(row.float_fen, [(k, a) for k, _, a, _ in sums], [(m.kind, m.amount_fen) for m in moves])
    counted = {k: int(v) for k, v in (row.counted or {}).items()} if row.counted is not None else None
    lines = [TenderLine(kind=k, expected_fen=expected.get(k, 0),
                        counted_fen=None if counted is None else counted.get(k, 0),
                        difference_fen=None if counted is None else counted.get(k, 0) - expected.get(k, 0))
             for k in COUNTED]
    total = {kind: 0 for kind in ("in", "out", "refund")}
    for m in moves:
        total[m.kind] = total.get(m.kind, 0) + m.amount_fen
    sales = int(s.scalar(select(func.count()).select_from(PosSale).where(PosSale.session_id == row.id)) or 0)
    return ZReport(session=_session_out(row, _code(s, row.terminal_id)), sales_count=sales,
                   sales_fen=sum(a for _, _, a, _ in sums),
                   tenders=[TenderTotal(kind=k, count=n, amount_fen=a, change_fen=c) for k, n, a, c in sums],
                   cash_in_fen=total["in"], cash_out_fen=total["out"], cash_refund_fen=total["refund"],
                   refunds_count=sum(1 for m in moves if m.kind == "refund"),
                   moves=[_move_out(m) for m in moves], lines=lines)


def terminals(db: Database, p: Principal, location_id: int | None) -> list[TerminalOut]:
    """A store's tills (enabled ones) and the session open on each; every store's (head office) without one."""
    if location_id is not None and not p.covers(location_id):
        raise NotFound("location", location_id)
    where = location_id if location_id is not None else p.store_id
    q = select(Terminal).where(Terminal.disabled_at.is_(None)).order_by(Terminal.location_id, Terminal.code)
    with db.read() as s:
        terms = list(s.scalars(q if where is None else q.where(Terminal.location_id == where)))
        open_rows = {r.terminal_id: r for r in s.scalars(select(TillSession).where(
            TillSession.open_terminal_id.in_([t.id for t in terms])))} if terms else {}
        return [TerminalOut(id=t.id, code=t.code, name=t.name, location_id=t.location_id,
                            session=_session_out(open_rows[t.id], t.code) if t.id in open_rows else None)
                for t in terms]


def recent_sessions(db: Database, p: Principal, location_id: int, limit: int = 20) -> list[SessionOut]:
    """A store's latest till sessions, newest first."""
    if not p.covers(location_id):
        raise NotFound("location", location_id)
    with db.read() as s:
        rows = s.execute(select(TillSession, Terminal.code).join(Terminal, Terminal.id == TillSession.terminal_id)
                         .where(TillSession.location_id == location_id)
                         .order_by(TillSession.opened_at.desc(), TillSession.id.desc()).limit(limit))
        return [_session_out(r, code) for r, code in rows]


def z_report(db: Database, p: Principal, session_id: int) -> ZReport:
    """The session's shift summary (while open: expected so far, nothing counted)."""
    with db.read() as s:
        return _z(s, _session(s, p, session_id))


def open_session_of(db: Database, p: Principal, terminal_id: int) -> SessionOut | None:
    with db.read() as s:
        t = _terminal(s, p, terminal_id)
        row = s.scalar(select(TillSession).where(TillSession.open_terminal_id == t.id))
        return _session_out(row, t.code) if row is not None else None


def require_open_session(session: Session, terminal_id: int, *, lock: bool = False) -> int:
    """For an online POS sale: the terminal's open session id, else 409 till-not-open. `lock` (in the sale's
    write transaction): the session row is held FOR SHARE until the sale commits, so a close waits for the
    sale (its expected cash counts it) or the sale, after the close, finds no open session."""
    q = select(TillSession.id).where(TillSession.open_terminal_id == terminal_id)
    sid = session.scalar(q.with_for_update(read=True) if lock else q)
    if sid is None:
        raise TillNotOpen(f"till {terminal_id} has no open session: open the till first")
    return int(sid)


# --- writing ----------------------------------------------------------------------------------------

def open_till(uow: UnitOfWork, p: Principal, terminal_id: int, data: OpenIn,
              idempotency_key: str | None = None) -> SessionOut:
    """Open a session on the terminal with the counted float; 409 till-open if one is open (also when
    two clerks open the same till at once: the UNIQUE open_terminal_id lets one in)."""
    scope, req = f"till-open:{terminal_id}", idempotency.request_hash(data.model_dump(mode="json"))
    with uow:
        s, now = uow.session, uow.clock.now()
        t = _terminal(s, p, terminal_id)
        if idempotency_key and (rec := idempotency.lookup(s, scope, idempotency_key, req)) is not None:
            return SessionOut.model_validate(rec.body)
        if t.disabled_at is not None:
            raise Conflict(f"till {t.code} is disabled")
        if (sid := s.scalar(select(TillSession.id).where(TillSession.open_terminal_id == t.id))) is not None:
            raise TillOpen(f"till {t.code} is already open (session {sid})", session_id=sid)
        row = TillSession(terminal_id=t.id, location_id=t.location_id, opened_by=p.actor[:80], opened_at=now,
                          float_fen=data.float_fen, status=OPEN, open_terminal_id=t.id)
        s.add(row)
        code = t.code  # read before the flush: a twin's INSERT rolls the session back (objects expire)
        try:
            s.flush()
        except IntegrityError:
            raise TillOpen(f"till {code} is already open") from None
        out = _session_out(row, code)
        if idempotency_key:
            idempotency.remember(s, scope, idempotency_key, req, 201, out.model_dump(mode="json"), now)
        uow.describe(f"till_session={row.id}", terminal=t.id, float_fen=data.float_fen)
        uow.publish("till.opened", {"session_id": row.id, "terminal_id": t.id, "location_id": t.location_id,
                                    "float_fen": data.float_fen, "by": row.opened_by})
        uow.commit()
    return out


def cash_move(uow: UnitOfWork, p: Principal, session_id: int, data: CashMoveIn,
              idempotency_key: str | None = None) -> CashMoveOut:
    """Cash in (a float top-up) or out (a bank drop, a petty expense) of an open session, by the caller."""
    scope, req = f"till-move:{session_id}", idempotency.request_hash(data.model_dump(mode="json"))
    with uow:
        s, now = uow.session, uow.clock.now()
        row = _session(s, p, session_id, lock=True)  # closing waits for this move, or this for the close
        if idempotency_key and (rec := idempotency.lookup(s, scope, idempotency_key, req)) is not None:
            return CashMoveOut.model_validate(rec.body)
        if row.status != OPEN:
            raise TillClosed(f"till session {session_id} is closed")
        if data.kind == "out":
            cash = _expected_now(s, row)[CASH]
            if data.amount_fen > cash:
                raise NotEnoughCash(f"the drawer should hold {cash} fen: {data.amount_fen} cannot come out",
                                    cash_fen=cash)
        m = TillCashMove(session_id=row.id, kind=data.kind, amount_fen=data.amount_fen, reason=data.reason,
                         actor=p.actor[:80], at=now)
        s.add(m)
        s.flush()
        out = _move_out(m)
        if idempotency_key:
            idempotency.remember(s, scope, idempotency_key, req, 201, out.model_dump(mode="json"), now)
        uow.describe(f"till_session={row.id}", move=data.kind, amount_fen=data.amount_fen)
        uow.commit()
    return out


def record_refund(session: Session, session_id: int, amount_fen: int, reason: str, actor: str, at: datetime) -> None:
    """For a return refunded in cash from a till's drawer, in the return's transaction: a `refund` cash move
    of the open session (409 till-not-open if it is not open)."""
    if amount_fen <= 0:
        raise InvalidInput("amount_fen", "a refund is more than 0")
    row = session.get(TillSession, session_id, with_for_update=True, populate_existing=True)
    if row is None or row.status != OPEN:
        raise TillNotOpen(f"till session {session_id} is not open")
    session.add(TillCashMove(session_id=session_id, kind="refund", amount_fen=amount_fen, reason=reason[:200],
                             actor=actor[:80], at=at))
    session.flush()


def close(uow: UnitOfWork, p: Principal, session_id: int, data: CloseIn) -> ZReport:
    """Close with the counts; the expected and the counted per tender are stored with the session (their
    difference is counted - expected). Closing twice closes once: the second answers 409 till-closed."""
    with uow:
        s, now = uow.session, uow.clock.now()
        row = _session(s, p, session_id)
        if row.status != OPEN:
            raise TillClosed(f"till session {session_id} is already closed")
        if row.opened_by != p.actor and not p.can(OVERRIDE):
            raise NotYourTill(f"till session {session_id} was opened by someone else: their manager closes it")
        done = s.execute(update(TillSession).where(TillSession.id == row.id, TillSession.status == OPEN)
                         .values(status=CLOSED, open_terminal_id=None, closed_by=p.actor[:80], closed_at=now)
                         .execution_options(synchronize_session=False))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise TillClosed(f"till session {session_id} is already closed")
        row = _session(s, p, session_id, lock=True)  # as now stored
        expected = _expected_now(s, row)
        counted = {k: int(getattr(data.counted, k)) for k in COUNTED}
        row.expected, row.counted = expected, counted
        s.flush()
        diff = differences(expected, counted)
        uow.describe(f"till_session={row.id}", difference=diff)
        uow.publish("till.closed", {"session_id": row.id, "terminal_id": row.terminal_id,
                                    "location_id": row.location_id, "by": p.actor, "expected": expected,
                                    "counted": counted, "difference": diff})
        out = _z(s, row)
        uow.commit()
    return out


# --- the report -------------------------------------------------------------------------------------

def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time(0), SHANGHAI).astimezone(UTC)


def report(db: Database, p: Principal, date_from: date, date_to: date, location_id: int | None = None) -> ReportOut:
    """Differences of the sessions closed between two days (Shanghai dates, both included): per tender, per
    clerk (who opened the session), per store, and the cash difference per store and day. A store's staff
    see their store's only."""
    for name, day in (("date_from", date_from), ("date_to", date_to)):
        if not FIRST_DAY <= day <= LAST_DAY:
            raise InvalidInput(name, f"a day from {FIRST_DAY} to {LAST_DAY}")
    if date_to < date_from:
        raise InvalidInput("date_to", "on or after date_from")
    if (date_to - date_from).days >= MAX_REPORT_DAYS:
        raise InvalidInput("date_to", f"at most {MAX_REPORT_DAYS} days")
    if p.store_id is not None:
        if location_id is not None and location_id != p.store_id:
            raise NotFound("location", location_id)
        location_id = p.store_id
    q = (select(TillSession).where(TillSession.status == CLOSED, TillSession.closed_at >= _utc_start(date_from),
                                   TillSession.closed_at < _utc_start(date_to + timedelta(days=1)))
         .order_by(TillSession.closed_at, TillSession.id))
    if location_id is not None:
        q = q.where(TillSession.location_id == location_id)
    with db.read() as s:
        rows = list(s.scalars(q))
    return summarize(rows, date_from, date_to, location_id)


def summarize(rows: Iterable[Any], date_from: date, date_to: date, location_id: int | None) -> ReportOut:
    """The report's sums over closed sessions (objects with expected, counted, opened_by, location_id, closed_at)."""
    def add(acc: dict[Any, list[int]], key: Any, expected: int, counted: int) -> None:
        a = acc.setdefault(key, [0, 0, 0])
        a[1] += expected
        a[2] += counted

    tender: dict[Any, list[int]] = {}
    clerk: dict[Any, list[int]] = {}
    store: dict[Any, list[int]] = {}
    daily: dict[tuple[date, int], int] = defaultdict(int)
    n = 0
    for r in rows:
        n += 1
        expected, counted = dict(r.expected or {}), dict(r.counted or {})
        e_all, c_all = sum(int(expected.get(k, 0)) for k in COUNTED), sum(int(counted.get(k, 0)) for k in COUNTED)
        for k in COUNTED:
            add(tender, k, int(expected.get(k, 0)), int(counted.get(k, 0)))
            tender[k][0] += 1
        for acc, key in ((clerk, r.opened_by), (store, str(r.location_id))):
            add(acc, key, e_all, c_all)
            acc[key][0] += 1
        day = r.closed_at.astimezone(SHANGHAI).date()
        daily[(day, r.location_id)] += int(counted.get(CASH, 0)) - int(expected.get(CASH, 0))

    def rows_of(acc: dict[Any, list[int]], order: Iterable[Any] | None = None) -> list[DiffRow]:
        keys = list(order) if order is not None else sorted(acc)
        return [DiffRow(key=str(k), sessions=acc[k][0], expected_fen=acc[k][1], counted_fen=acc[k][2],
                        difference_fen=acc[k][2] - acc[k][1]) for k in keys if k in acc]

    return ReportOut(date_from=date_from, date_to=date_to, location_id=location_id, sessions=n,
                     by_tender=rows_of(tender, COUNTED), by_clerk=rows_of(clerk), by_store=rows_of(store),
                     daily=[DailyDiff(day=d, location_id=loc, cash_difference_fen=v)
                            for (d, loc), v in sorted(daily.items())])
