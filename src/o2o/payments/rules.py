"""Matching a provider's statement against our records: pure rules, no database."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from o2o.adapters.payments.statements import PAYMENT, REFUND, Entry
from o2o.orders.schemas import PaymentRecord
from o2o.payments.models import AMOUNT_MISMATCH, MISSING_OURS, MISSING_THEIRS, STATUS_MISMATCH

# what each of our statuses must be for the provider's SUCCESS to agree
AGREES = {PAYMENT: {"succeeded"}, REFUND: {"succeeded"}}
# our statuses that claim money moved (missing at the provider is a difference)
MOVED = {PAYMENT: {"succeeded"}, REFUND: {"succeeded", "processing"}}


@dataclass(frozen=True)
class Difference:
    kind: str
    record: str
    out_trade_no: str
    out_refund_no: str = ""
    ours_fen: int | None = None
    theirs_fen: int | None = None
    our_status: str | None = None
    their_status: str | None = None


def _key(record: str, out_trade_no: str, out_refund_no: str, by_refund_no: bool) -> tuple[str, str, str]:
    return (record, out_trade_no, out_refund_no if record == REFUND and by_refund_no else "")


def compare(theirs: list[Entry], ours: list[PaymentRecord], refunds_by_number: bool = True) -> list[Difference]:
    """Every difference, in a stable order. Refunds are matched by out_refund_no when the statement
    carries it (WeChat), else summed per trade (Alipay's account log names only the trade)."""
    t_amount: dict[tuple[str, str, str], int] = defaultdict(int)
    t_status: dict[tuple[str, str, str], str] = {}
    for e in theirs:
        k = _key(e.record, e.out_trade_no, e.out_refund_no, refunds_by_number)
        t_amount[k] += e.amount_fen
        t_status[k] = e.status if t_status.get(k, "SUCCESS") == "SUCCESS" else t_status[k]
    o_amount: dict[tuple[str, str, str], int] = defaultdict(int)
    o_status: dict[tuple[str, str, str], str] = {}
    for r in ours:
        k = _key(r.record, r.out_trade_no, r.out_refund_no, refunds_by_number)
        o_amount[k] += r.amount_fen
        o_status[k] = r.status if o_status.get(k, "succeeded") == "succeeded" else o_status[k]
    out: list[Difference] = []
    for k in sorted(set(t_amount) | set(o_amount)):
        record, trade, refund = k
        if k not in o_amount:
            out.append(Difference(MISSING_OURS, record, trade, refund, None, t_amount[k], None, t_status[k]))
        elif k not in t_amount:
            if o_status[k] in MOVED[record]:
                out.append(Difference(MISSING_THEIRS, record, trade, refund, o_amount[k], None, o_status[k], None))
        elif (t_status[k] == "SUCCESS") != (o_status[k] in AGREES[record]):
            out.append(Difference(STATUS_MISMATCH, record, trade, refund, o_amount[k], t_amount[k], o_status[k],
                                  t_status[k]))
        elif t_amount[k] != o_amount[k]:
            out.append(Difference(AMOUNT_MISMATCH, record, trade, refund, o_amount[k], t_amount[k], o_status[k],
                                  t_status[k]))
    return out
