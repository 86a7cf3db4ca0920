"""The delivery time promised before payment (orders.pricing.eta_minutes): picking plus the ride over
the routed distance, rounded up to 5 minutes, a 15-minute window; a parcel in 1-2 days; pickup none."""

from __future__ import annotations

import pytest

from o2o.orders.pricing import ETA_WINDOW_MINUTES, PICK_MINUTES, eta_minutes


@pytest.mark.parametrize("distance_m, earliest", [(0, 15), (None, 15), (1, 20), (555, 20), (1_250, 20),
                                                  (1_251, 25), (3_000, 30), (5_000, 35)])
def test_store_delivery_is_picking_and_the_ride_rounded_up_to_five_minutes(distance_m, earliest):
    assert eta_minutes("store_delivery", distance_m) == (earliest, earliest + ETA_WINDOW_MINUTES)


def test_farther_is_never_sooner_and_parcels_and_pickup():
    times = [eta_minutes("store_delivery", d)[0] for d in range(0, 10_000, 37)]  # type: ignore[index]
    assert times == sorted(times) and times[0] == PICK_MINUTES
    assert eta_minutes("parcel", 1_045_000) == (24 * 60, 48 * 60)
    assert eta_minutes("pickup", 500) is None
    assert eta_minutes("store_delivery", -5) == (15, 30)  # a nonsense distance is not a negative ride
