"""The payment half of the orders service (service.py passed 500 lines): real providers' notifications,
refunds through the provider, the order query and closing a payment that can no longer be paid.

Like service.py, the only place that commits these use cases. Nothing here calls a provider inside a
request's transaction: notifications are verified before the transaction starts, queries run outside
it, and refunds and closes run in the relay (outbox events), idempotent by out_refund_no / out_trade_no.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select

from o2o.adapters.payments.common import BadSignature, Notification, ProviderError, RefundResult
from o2o.adapters.payments.sandbox import PaymentProvider
from o2o.kernel.db import Database
from o2o.kernel.errors import NotFound
from o2o.kernel.uow import UnitOfWork
from o2o.orders import repository as repo
from o2o.orders import service
from o2o.orders.exceptions import AmountMismatch, InvalidSignature
from o2o.orders.models import Payment, PaymentRefund

REFUND_STATUS = {"SUCCESS": "succeeded", "PROCESSING": "processing", "ABNORMAL": "failed", "CLOSED": "failed"}


def handle_notification(uow: UnitOfWork, provider: PaymentProvider, body: bytes,
                        headers: Mapping[str, str]) -> dict:
    """A provider's notification: verified first (a forged one changes nothing), then recorded once.
    Duplicates are acknowledged again; a refund notification for a refund we have not recorded yet
    (it overtook the relay's commit) is refused, so the provider sends it again later."""
    try:
        note = provider.parse_notification(body, headers)
    except BadSignature as exc:
        raise InvalidSignature(str(exc)) from exc
    if note.kind == "refund":
        return record_refund_notification(uow, note)
    return service.record_payment_result(uow, note.provider, note.out_trade_no, note.amount_fen, note.status,
                                         note.transaction_id)


def record_refund_notification(uow: UnitOfWork, note: Notification) -> dict:
    with uow:
        s, now = uow.session, uow.clock.now()
        refund = s.scalars(select(PaymentRefund).where(PaymentRefund.out_refund_no == note.out_refund_no)
                           .with_for_update()).first()
        if refund is None:
            raise NotFound("refund", note.out_refund_no)
        payment = s.get(Payment, refund.payment_id)
        if payment is None or payment.out_trade_no != note.out_trade_no or payment.provider != note.provider:
            raise InvalidSignature("the refund belongs to another payment")
        if refund.status == "succeeded":
            return {"code": "SUCCESS", "duplicate": True}
        if note.amount_fen != refund.amount_fen:
            raise AmountMismatch(f"refunded {note.amount_fen} but the refund asks {refund.amount_fen}")
        refund.status = REFUND_STATUS.get(note.status, "failed")
        refund.provider_refund_id = note.refund_id or refund.provider_refund_id
        refund.updated_at = now
        uow.describe(f"refund={refund.out_refund_no}", status=refund.status)
        uow.commit()
        return {"code": "SUCCESS"}


def refund(uow: UnitOfWork, providers: Mapping[str, PaymentProvider], out_trade_no: str, amount_fen: int,
           out_refund_no: str) -> RefundResult | None:
    """Joins the relay's unit of work: ask the payment's provider for the refund and record it. A failure
    raises (ProviderError): the relay retries the event with the same out_refund_no, which the provider
    treats as the same refund. Returns None when the refund was recorded as done already."""
    s, now = uow.session, uow.clock.now()
    payment = repo.payment_by_trade_no(s, out_trade_no, lock=True)  # one refund of a payment at a time
    if payment is None:
        raise NotFound("payment", out_trade_no)
    row = s.scalars(select(PaymentRefund).where(PaymentRefund.out_refund_no == out_refund_no)).first()
    if row is not None and row.status == "succeeded":
        return None
    if row is None:  # a new refund: never past what the payment paid, whatever asked for it
        asked = s.scalar(select(func.coalesce(func.sum(PaymentRefund.amount_fen), 0))
                         .where(PaymentRefund.payment_id == payment.id, PaymentRefund.status != "failed")) or 0
        if asked + amount_fen > payment.amount_fen:
            raise ProviderError(f"refund {out_refund_no} of {amount_fen} fen would bring {out_trade_no}'s refunds to "
                                f"{asked + amount_fen}, above the {payment.amount_fen} paid", "REFUND_EXCEEDS",
                                retryable=False)
    provider = providers.get(payment.provider)
    if provider is None:
        raise ProviderError(f"no {payment.provider} provider configured to refund {out_trade_no}")
    result = provider.refund(out_trade_no, amount_fen, out_refund_no, payment.amount_fen)
    status = REFUND_STATUS.get(result.status, "processing")
    if status == "failed":
        raise ProviderError(f"{payment.provider} refused refund {out_refund_no}: {result.status}")
    if row is None:
        s.add(PaymentRefund(payment_id=payment.id, out_refund_no=out_refund_no, amount_fen=amount_fen,
                            provider_refund_id=result.refund_id or None, status=status, created_at=now,
                            updated_at=now))
    elif row.status != "succeeded":  # a notification may have recorded success meanwhile: keep it
        row.status, row.provider_refund_id, row.updated_at = status, result.refund_id or row.provider_refund_id, now
    s.flush()
    return result


def check(uow: UnitOfWork, provider: PaymentProvider, out_trade_no: str) -> dict:
    """Ask the provider about a payment (its notification may be late or lost) and record a success as a
    notification would. The query runs outside any transaction."""
    with uow.db.read() as s:
        payment = repo.payment_by_trade_no(s, out_trade_no)
        if payment is None:
            raise NotFound("payment", out_trade_no)
        if payment.status == "succeeded":
            return {"code": "SUCCESS", "duplicate": True}
        name = payment.provider
    if name != provider.name:
        raise NotFound("payment", out_trade_no)
    state = provider.query(out_trade_no)
    if not state.paid:
        return {"code": state.status}
    return service.record_payment_result(uow, name, out_trade_no, state.amount_fen, "SUCCESS", state.transaction_id)


def close_open(uow: UnitOfWork, providers: Mapping[str, PaymentProvider], order_id: int) -> int:
    """Joins the relay's unit of work (order expired or cancelled): close the order's unpaid payments at
    their providers so no one can pay them any more, and mark them closed. Returns how many."""
    s = uow.session
    n = 0
    for payment in s.scalars(select(Payment).where(Payment.order_id == order_id, Payment.status == "created")
                             .order_by(Payment.id)):
        provider = providers.get(payment.provider)
        if provider is None:
            continue
        try:
            provider.close(payment.out_trade_no)  # closing twice is harmless
        except ProviderError as exc:
            if exc.retryable:
                raise  # the relay tries again later
            continue  # paid meanwhile (the provider refuses to close it): its notification brings a refund
        payment.status = "closed"
        n += 1
    s.flush()
    return n


def open_payments(db: Database, number: str) -> list[tuple[str, str]]:
    """(provider, out_trade_no) of the order's payments still waiting for a result, newest first."""
    with db.read() as s:
        order = repo.by_number(s, number)
        if order is None:
            return []
        return [(p.provider, p.out_trade_no) for p in s.scalars(
            select(Payment).where(Payment.order_id == order.id, Payment.status == "created").order_by(Payment.id.desc()))]
