"""Returns' reactions (run by the relay, retried on failure, once per event through processed_event)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from o2o.adapters.payments.common import ProviderError
from o2o.adapters.payments.sandbox import PaymentProvider
from o2o.kernel.outbox import Delivery, Handler

TENDER_REFUND = "return.tender_refund_needed"


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
