"""The rule that shows a courier's status as a return's pickup progress: every status a courier delivery can
take is shown as a pickup status or deliberately left as it was, and along the rider's steps the progress
never goes back."""

from __future__ import annotations

from o2o.adapters.couriers import RANK, STATUSES
from o2o.couriers.models import DISPATCHING, FAILED
from o2o.couriers.service import STEPS
from o2o.returns.models import PICKUP_OF_COURIER, PICKUP_STATUSES
from o2o.returns.service import COURIER_LEFT


def test_every_courier_status_is_shown_or_left_to_the_desk() -> None:
    for status in (DISPATCHING, FAILED, *STATUSES):
        shown = PICKUP_OF_COURIER.get(status)
        assert shown in PICKUP_STATUSES or status in ("cancelled", "expired"), status
    # the desk takes over by hand exactly when the courier left the pickup
    assert set(COURIER_LEFT) == {FAILED, "cancelled", "expired"}
    assert PICKUP_OF_COURIER[FAILED] == "failed" and PICKUP_OF_COURIER["delivered"] == "delivered"


def test_the_progress_follows_the_riders_steps_forwards() -> None:
    order = [PICKUP_STATUSES.index(PICKUP_OF_COURIER[s]) for s in (DISPATCHING, *STEPS)]
    assert order == sorted(order) and order[0] == 0 and PICKUP_OF_COURIER[STEPS[-1]] == "delivered"
    ranked = sorted((s for s in STATUSES if s in PICKUP_OF_COURIER), key=lambda s: RANK[s])
    shown = [PICKUP_STATUSES.index(PICKUP_OF_COURIER[s]) for s in ranked]
    assert shown == sorted(shown)
