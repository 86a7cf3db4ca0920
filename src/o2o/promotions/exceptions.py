"""Promotion and coupon failures (problem+json)."""

from __future__ import annotations

from o2o.kernel.errors import Conflict, NotFound, Problem


class CouponTaken(Conflict):
    """An order's coupon was used meanwhile (another order, another till): the order is not placed."""

    kind = "coupon-taken"


class BudgetExhausted(Conflict):
    kind = "budget-exhausted"


class SoldOut(Conflict):
    """Every coupon of the template has been claimed or issued (`code` "gone")."""

    kind = "coupons-sold-out"

    def __init__(self, detail: str | None = None, **extra: object) -> None:
        super().__init__(detail, **({"code": "gone"} | extra))


class ClaimLimit(Conflict):
    """The per-customer (phone, device, address) limit is reached, or a twin claim ran at the same moment
    (`code` "limit-reached")."""

    kind = "claim-limit"

    def __init__(self, detail: str | None = None, **extra: object) -> None:
        super().__init__(detail, **({"code": "limit-reached"} | extra))


# why a customer may not claim (NotEligible's `code`, stable for pages and apps; the detail is English prose)
NOT_YOUR_TIER, TOO_FAR, NO_LOCATION, STORE_CLOSED = "not-your-tier", "too-far", "no-location", "store-closed"


class NotEligible(Problem):
    """Not this customer's to claim: `code` not-your-tier, too-far (from the store of an LBS exclusive),
    no-location (neither a home nor a location given) or store-closed."""

    status, kind, message_key = 403, "not-eligible", "forbidden"

    def __init__(self, detail: str, code: str) -> None:
        super().__init__(detail, code=code)


class NoSuchCoupon(NotFound):
    """Whatever was wrong (no such code, someone else's, not for this store): the same answer."""

    def __init__(self) -> None:
        super().__init__("coupon", "-")


class NotRedeemable(Conflict):
    """A known coupon that cannot be used now (used already, expired, void, outside its window)."""

    kind = "coupon-not-redeemable"


class StoreStaffOnly(Problem):
    """Redeeming and looking up codes is for a store's staff (or a store-bound key): a head-office caller
    is at no till."""

    status, kind, message_key = 403, "store-staff-only", "forbidden"
