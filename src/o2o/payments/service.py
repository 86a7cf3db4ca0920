"""Reconciliation: import a provider's daily statement, match it against our payments and refunds,
keep every difference (missing on our side, missing on theirs, amount mismatch, status mismatch)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from o2o.adapters.payments.statements import Statement as ParsedStatement
from o2o.adapters.payments.statements import StatementError, parse
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.db import Database
from o2o.kernel.errors import InvalidInput, NotFound
from o2o.kernel.uow import UnitOfWork
from o2o.orders import service as orders
from o2o.payments import repository as repo
from o2o.payments.models import Statement, StatementDifference
from o2o.payments.rules import Difference, compare
from o2o.payments.schemas import DifferenceOut, StatementOut

PROVIDERS = ("wechatpay", "alipay")
MAX_BYTES = 20 * 1024 * 1024  # a busy merchant's day fits many times over


def read(provider: str, data: bytes) -> ParsedStatement:
    if provider not in PROVIDERS:
        raise InvalidInput("provider", f"one of {', '.join(PROVIDERS)}")
    if len(data) > MAX_BYTES:
        raise InvalidInput("file", f"larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        return parse(provider, data)
    except StatementError as exc:
        raise InvalidInput("file", str(exc)) from exc


def window(bill_date: date) -> tuple[datetime, datetime]:
    """The providers' statements cover a day in Beijing time."""
    start = datetime.combine(bill_date, time(0), tzinfo=SHANGHAI)
    return start, start + timedelta(days=1)


def match(db: Database, statement: ParsedStatement, bill_date: date) -> list[Difference]:
    since, until = window(bill_date)
    ours = orders.payment_records(db, statement.provider, since, until, {e.out_trade_no for e in statement.entries})
    return compare(statement.entries, ours, refunds_by_number=statement.provider == "wechatpay")


def reconcile(uow: UnitOfWork, provider: str, data: bytes, file_name: str, actor: str,
              bill_date: date | None = None) -> StatementOut:
    statement = read(provider, data)
    day = bill_date or statement.bill_date
    if day is None:
        raise InvalidInput("date", "the statement names no day: give the date")
    diffs = match(uow.db, statement, day)
    with uow:
        s, now = uow.session, uow.clock.now()
        row = Statement(provider=provider, bill_date=day, file_name=file_name[:200], rows=len(statement.entries),
                        differences=len(diffs), imported_by=actor[:80], imported_at=now)
        s.add(row)
        s.flush()
        s.add_all([StatementDifference(statement_id=row.id, kind=d.kind, record=d.record,
                                       out_trade_no=d.out_trade_no[:64], out_refund_no=d.out_refund_no[:64] or None,
                                       ours_fen=d.ours_fen,
                                       theirs_fen=d.theirs_fen, our_status=d.our_status,
                                       their_status=(d.their_status or None) and d.their_status[:32])
                   for d in diffs])
        uow.describe(f"statement={row.id}", provider=provider, bill_date=day.isoformat(), differences=len(diffs))
        uow.commit()
        statement_id = row.id
    return get(uow.db, statement_id)


def get(db: Database, statement_id: int) -> StatementOut:
    with db.read() as s:
        row = s.get(Statement, statement_id)
        if row is None:
            raise NotFound("statement", statement_id)
        out = StatementOut.model_validate(row)
        out.items = [DifferenceOut.model_validate(d) for d in repo.differences_of(s, statement_id)]
        return out


def recent(db: Database, limit: int = 20) -> list[StatementOut]:
    with db.read() as s:
        return [StatementOut.model_validate(r) for r in repo.recent(s, limit)]
