"""The simulated platform on its own: the steps and their order, reassignment, refusals, idempotent creation,
lost callbacks, and the signatures of what it sends (verified as our endpoint verifies them)."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from o2o.adapters.couriers import BadSignature, Parcel, Refused
from o2o.adapters.couriers.signing import verify_callback
from o2o.adapters.couriers.sim import Profile, SimCourier
from o2o.kernel.clock import FixedClock

PARCEL = Parcel(origin_id="SO1-1-1", store_code="s", from_lat=31.1955, from_lng=121.4374, to_lat=31.2003,
                to_lng=121.4390, address="a", receiver_name="n", receiver_phone="13800138000", value_fen=100)


def _sim(**profile: object) -> tuple[SimCourier, FixedClock, list[bytes]]:
    clock = FixedClock(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    sent: list[bytes] = []
    sim = SimCourier("sim-a", "s3cret", lambda: "http://127.0.0.1:9", clock, Profile(seed=1, **profile))  # type: ignore[arg-type]
    sim._post = lambda body: sent.append(body) or True  # type: ignore[method-assign]  (the HTTP side: e2e tests)
    return sim, clock, sent


def _statuses(sent: list[bytes], now: int) -> list[int]:
    return [verify_callback("s3cret", body, now, tolerance_s=86_400)["order_status"] for body in sent]


def test_an_order_goes_through_every_step_at_realistic_times():
    sim, clock, sent = _sim()
    placed = sim.create(PARCEL)
    assert sim.create(PARCEL) == placed  # the same origin id again: the same delivery
    sim.advance()
    assert sent == []  # no rider within the first minute
    for _ in range(8):
        clock.advance(minutes=10)
        sim.advance()
    now = int(clock.now().timestamp())
    assert _statuses(sent, now) == [2, 100, 3, 4]  # assigned, at store, delivering, delivered
    times = [orjson.loads(b)["update_time"] for b in sent]
    assert times == sorted(times) and len(set(times)) == len(times)
    rider = orjson.loads(sent[0])
    assert rider["dm_name"].endswith("师傅") and len(rider["dm_mobile"]) == 11
    with pytest.raises(BadSignature):
        verify_callback("another-secret", sent[0], now)


def test_a_rider_giving_up_is_a_reassignment_and_refusals_and_lost_callbacks_happen():
    sim, clock, sent = _sim(reassign=1.0, rider_s=(0, 0), to_store_s=(0, 0), at_store_s=(0, 0), per_km_s=0)
    sim.create(PARCEL)
    for _ in range(6):
        sim.advance()
    bodies = [orjson.loads(b) for b in sent]
    assert [b["order_status"] for b in bodies] == [2, 2, 100, 3, 4]
    assert bodies[0]["dm_id"] != bodies[1]["dm_id"]
    refusing, _, _ = _sim(refuse=1.0)
    with pytest.raises(Refused):
        refusing.create(PARCEL)
    losing, _, lost = _sim(lose=1.0, rider_s=(0, 0), to_store_s=(0, 0))
    losing.create(PARCEL)
    losing.advance()
    assert lost == [] and losing.query(PARCEL.origin_id).status == "assigned"  # the query still knows


def test_a_merchant_cancel_is_confirmed_once_and_a_tip_brings_a_rider_sooner():
    sim, clock, sent = _sim()
    sim.create(PARCEL)
    due = sim.orders[PARCEL.origin_id].due
    sim.add_tip(PARCEL.origin_id, 300, 300)
    assert sim.orders[PARCEL.origin_id].due <= due and sim.orders[PARCEL.origin_id].tip_fen == 300
    sim.cancel(PARCEL.origin_id, "no rider")
    sim.cancel(PARCEL.origin_id, "no rider")
    sim.advance()
    assert _statuses(sent, int(clock.now().timestamp())) == [5]
    with pytest.raises(Refused):
        sim.cancel("unknown", "x")
