"""Opening hours and cut-offs (pure): minutes until a location can start on an order."""

from __future__ import annotations

import pytest

from o2o.fulfillment.sourcing import schedule

pytestmark = pytest.mark.unit
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAYTIME = {d: [["08:00", "22:00"]] for d in WEEK}
LUNCH = {d: [["09:00", "12:00"], ["13:00", "18:00"]] for d in WEEK}
NIGHT = {d: [["20:00", "02:00"]] for d in WEEK}  # past midnight
WEEKDAYS_ONLY = {d: [["09:00", "17:00"]] for d in WEEK[:5]}


@pytest.mark.parametrize(("hours", "weekday", "hhmm", "expect"), [
    (DAYTIME, 0, "12:00", 0),
    (DAYTIME, 0, "21:29", 0),
    (DAYTIME, 0, "21:30", 630),  # cut-off: tomorrow 08:00
    (DAYTIME, 0, "07:00", 60),
    (LUNCH, 0, "11:45", 75),  # the morning span's cut-off passed: 13:00
    (LUNCH, 0, "12:30", 30),
    (NIGHT, 1, "01:00", 0),  # yesterday's span closes at 02:00: before its 01:30 cut-off
    (NIGHT, 1, "01:31", 18 * 60 + 29),
    (NIGHT, 1, "23:00", 0),
    (WEEKDAYS_ONLY, 4, "17:00", 2 * 1440 + 16 * 60),  # Friday evening -> Monday 09:00
    ({d: [] for d in WEEK}, 0, "12:00", None),
    (None, 0, "03:00", 0),
])
def test_start_delay_when_hours_and_time_vary(hours, weekday, hhmm, expect):
    h, m = map(int, hhmm.split(":"))
    assert schedule.start_delay(hours, weekday, h * 60 + m, 30, 96 * 60) == expect


def test_beyond_the_horizon_counts_as_closed():
    assert schedule.start_delay(WEEKDAYS_ONLY, 4, 17 * 60, 30, 24 * 60) is None


def test_always_open_only_when_every_day_is_covered():
    assert schedule.always_open({d: [["00:00", "24:00"]] for d in WEEK})
    assert schedule.always_open(None)
    assert not schedule.always_open(DAYTIME)
    assert not schedule.always_open({d: [["00:00", "24:00"]] for d in WEEK[:6]})


@pytest.mark.parametrize(("minute", "inside"), [(21 * 60 + 59, False), (22 * 60, True), (0, True), (6 * 60 + 59, True),
                                                (7 * 60, False)])
def test_night_window_passes_midnight(minute, inside):
    assert schedule.in_window(minute, "22:00", "07:00") is inside
