"""Order failures."""

from __future__ import annotations

from o2o.kernel.errors import Conflict, Problem, Unauthorized


class AmountMismatch(Problem):
    status, kind, message_key = 422, "amount-mismatch", "amount_mismatch"


class InvalidSignature(Unauthorized):
    message_key = "bad_signature"


class CancelTooLate(Conflict):
    """A shopper cancels only before the store starts picking (unpaid, or paid and not picked yet)."""

    kind, message_key = "cancel-too-late", "cancel_too_late"


class NoLocation(Conflict):
    kind, message_key = "no-location", "no_location"


class PlanUnavailable(Conflict):
    """The plan the customer confirmed (this location, this mode) cannot serve the order any more; the
    order is not placed elsewhere. `why`: short, out-of-range, mode, no-address or unknown-location;
    `lines`: the lines the location is short of, with what it has."""

    kind, message_key = "plan-unavailable", "plan_unavailable"


class PaymentProviderFailed(Problem):
    """The provider refused to start the payment or could not be reached (a bad gateway, for the caller)."""

    status, kind, message_key = 502, "payment-provider-failed", "payment_provider_failed"


class CouponNotApplicable(Conflict):
    """A coupon the customer named does not apply to this basket (threshold not reached, no line in its
    scope, excluded by a better or exclusive offer): `coupons` lists each with its reason."""

    kind = "coupon-not-applicable"
