"""SLA rules (o2o.fulfillment.sla): the promise per mode, the night window in the store's own zone, the
store's opening hours, and which step meets a promise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from o2o.fulfillment import sla
from o2o.fulfillment.sla import SlaSettings

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS = {d: [["00:00", "24:00"]] for d in DAYS}
DAYTIME = {d: [["08:00", "22:00"]] for d in DAYS}
ST = SlaSettings()


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(("mode", "minutes"), [("pickup", 30), ("store_delivery", 120), ("parcel", 1440)])
def test_promise_per_mode_when_the_store_is_open(mode: str, minutes: int) -> None:
    paid = utc(24, 2, 7)  # 10:07 in Shanghai, a Tuesday
    assert sla.promise(mode, paid, "Asia/Shanghai", DAYTIME, ST) == paid + timedelta(minutes=minutes)


def test_no_promise_for_an_unknown_mode() -> None:
    assert sla.promise("drone", utc(24, 2), "Asia/Shanghai", DAYTIME, ST) is None


def test_the_clock_starts_at_the_next_opening_when_paid_while_the_store_is_closed() -> None:
    paid = utc(24, 15, 10, ) + timedelta(seconds=42)  # 23:10:42 in Shanghai: closed until 08:00
    opening = utc(25, 0)  # 08:00 Wednesday in Shanghai
    assert sla.promise("pickup", paid, "Asia/Shanghai", DAYTIME, ST) == opening + timedelta(minutes=30)
    assert sla.promise("store_delivery", paid, "Asia/Shanghai", DAYTIME, ST) == opening + timedelta(minutes=120)


@pytest.mark.parametrize(("local_hour", "local_minute", "urgent"),
                         [(22, 0, True), (23, 30, True), (3, 0, True), (6, 59, True), (7, 0, False),
                          (12, 0, False), (21, 59, False)])
def test_night_urgent_delivery_from_a_24_hour_store(local_hour: int, local_minute: int, urgent: bool) -> None:
    paid = datetime(2026, 11, 24, local_hour, local_minute, tzinfo=sla.schedule._zone("Asia/Shanghai")).astimezone(UTC)
    got = sla.promise("store_delivery", paid, "Asia/Shanghai", ALWAYS, ST)
    assert got == paid + timedelta(minutes=60 if urgent else 120)
    assert sla.night_urgent("store_delivery", paid, "Asia/Shanghai", ALWAYS, ST) is urgent
    # a pickup at night is not "urgent delivery": the usual 30 minutes (the store is open)
    assert sla.promise("pickup", paid, "Asia/Shanghai", ALWAYS, ST) == paid + timedelta(minutes=30)


def test_night_window_is_read_in_the_store_zone() -> None:
    paid = utc(24, 13, 30)  # 21:30 in Shanghai, 22:30 in Tokyo
    assert sla.promise("store_delivery", paid, "Asia/Shanghai", ALWAYS, ST) == paid + timedelta(minutes=120)
    assert sla.promise("store_delivery", paid, "Asia/Tokyo", ALWAYS, ST) == paid + timedelta(minutes=60)


def test_a_store_not_open_around_the_clock_gets_no_night_promise() -> None:
    late_hours = {d: [["07:00", "23:30"]] for d in DAYS}
    paid = utc(24, 14, 40)  # 22:40 in Shanghai: inside the night window, the store still open
    assert sla.promise("store_delivery", paid, "Asia/Shanghai", late_hours, ST) == paid + timedelta(minutes=120)


def test_the_settings_decide_the_figures() -> None:
    st = SlaSettings(pickup_minutes=15, night_minutes=90, night_start="23:00", night_end="06:00")
    paid = utc(24, 14, 30)  # 22:30 in Shanghai: outside this night window
    assert sla.promise("store_delivery", paid, "Asia/Shanghai", ALWAYS, st) == paid + timedelta(minutes=120)
    assert sla.promise("store_delivery", paid + timedelta(hours=1), "Asia/Shanghai", ALWAYS, st) == (
        paid + timedelta(hours=1, minutes=90))
    assert sla.promise("pickup", utc(24, 2), "Asia/Shanghai", DAYTIME, st) == utc(24, 2, 15)


@pytest.mark.parametrize(("mode", "steps", "met_at"), [
    ("pickup", ["picking", "ready", "handed_over"], 1),
    ("store_delivery", ["picking", "ready", "shipped", "delivered"], 3),
    ("parcel", ["picking", "shipped"], 1),
    ("pickup", ["picking", "cancelled"], None),
])
def test_the_promise_is_met_at_the_mode_step_only(mode: str, steps: list[str], met_at: int | None) -> None:
    promised = utc(24, 3)
    fo = SimpleNamespace(mode=mode, promise_met_at=None, due_at=promised)
    for i, step in enumerate(steps):
        sla.reached(fo, step, utc(24, 2, i))
        if met_at is not None and i < met_at:
            assert fo.due_at == promised and fo.promise_met_at is None
    assert fo.due_at is None
    assert fo.promise_met_at == (None if met_at is None else utc(24, 2, met_at))


def test_minutes_left_and_the_on_time_rate() -> None:
    now = utc(24, 2)
    assert sla.minutes_left(now + timedelta(minutes=9, seconds=50), now) == 9
    assert sla.minutes_left(now - timedelta(minutes=3, seconds=10), now) == -3
    assert sla.OnTime(1, 0, 0).rate is None
    assert sla.OnTime(1, 4, 3).rate == 0.75
