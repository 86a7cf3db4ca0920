"""A store card's hours: today's spans and open/closed now, in the store's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime

from o2o.locations.schemas import LocationOut
from o2o.shop.stores import hours_of


def store(hours: dict, tz: str = "Asia/Shanghai") -> LocationOut:
    return LocationOut(id=1, code="S", kind="store", name_zh="店", name_en="Store", district="", address="", lat=31.2,
                       lng=121.4, h3_cell="x", timezone=tz, opening_hours=hours, can_pickup=True,
                       can_store_delivery=True, can_parcel=False, delivery_radius_m=3000, hourly_capacity=60,
                       daily_capacity=600, active=True)


EVERY_DAY = {d: [["08:00", "22:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def test_open_in_the_day_closed_at_night_in_shanghai_time():
    s = store(EVERY_DAY)
    assert hours_of(s, datetime(2026, 11, 24, 2, 0, tzinfo=UTC)).open_now  # 10:00 in Shanghai
    late = hours_of(s, datetime(2026, 11, 24, 14, 30, tzinfo=UTC))  # 22:30 in Shanghai
    assert not late.open_now and late.today == (("08:00", "22:00"),) and not late.all_day
    assert not hours_of(s, datetime(2026, 11, 23, 23, 59, tzinfo=UTC)).open_now  # 07:59


def test_the_store_zone_decides_not_the_server_or_utc():
    s = store(EVERY_DAY, "Europe/London")
    assert not hours_of(s, datetime(2026, 11, 24, 2, 0, tzinfo=UTC)).open_now  # 02:00 in London
    assert hours_of(s, datetime(2026, 11, 24, 12, 0, tzinfo=UTC)).open_now


def test_all_day_closed_days_and_spans_past_midnight():
    always = hours_of(store({d: [["00:00", "24:00"]] for d in EVERY_DAY}), datetime(2026, 11, 24, 19, tzinfo=UTC))
    assert always.open_now and always.all_day
    closed = hours_of(store({**EVERY_DAY, "tue": []}), datetime(2026, 11, 24, 2, tzinfo=UTC))  # a Tuesday
    assert not closed.open_now and closed.today == ()
    night = store({**EVERY_DAY, "mon": [["18:00", "02:00"]]})
    assert hours_of(night, datetime(2026, 11, 23, 17, 0, tzinfo=UTC)).open_now  # Tuesday 01:00, Monday's span
    assert not hours_of(night, datetime(2026, 11, 23, 19, 0, tzinfo=UTC)).open_now  # Tuesday 03:00
