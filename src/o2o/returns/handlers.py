"""Returns' reactions (run by the relay, retried on failure, once per event through processed_event)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from o2o.adapters.payments.common import ProviderError
from o2o.adapters.payments.sandbox import PaymentProvider
from o2o.couriers import service as couriers
from o2o.kernel.outbox import Delivery, Handler
from o2o.kernel.uow import JoinedUnitOfWork
from o2o.returns import service

TENDER_REFUND = "return.tender_refund_needed"
PICKUP_MOVED = "courier.pickup_moved"


def pickup_moved(session: Session, delivery: Delivery) -> None:
    """A return's courier pickup changed: the return shows its status as it is now (read here, not taken
    from the event, so events handled late or out of order still leave the newest status)."""
    return_id = delivery.payload["return_id"]
    found = couriers.pickup_of(session, return_id)
    if found is None:
        return
    uow = JoinedUnitOfWork(session, delivery.clock)
    service.pickup_moved(uow, return_id, *found)
    uow.commit()


def refund_tender_with(provider: PaymentProvider) -> Handler:
    """A till tender paid by card, WeChat Pay or Alipay is refunded at the provider (the sandbox adapter for
    the tills). The refund number is the event's id, so a retry after a lost answer asks for the same refund,
    never a second one; a refusal raises, and the relay tries again later."""
    def refund(session: Session, delivery: Delivery) -> None:
        p = delivery.payload
        result = provider.refund(str(p["reference"]), int(p["amount_fen"]), f"RT{delivery.id}", int(p["paid_fen"]))
        if result.status not in ("SUCCESS", "PROCESSING"):
            raise ProviderError(f"refund of tender {p['tender_id']} refused: {result.status}")
    return refund
