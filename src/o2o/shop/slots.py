"""Pickup slots: the next hourly slots today and tomorrow within a store's opening hours, in its zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from o2o.kernel.clock import SHANGHAI

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOUR = timedelta(hours=1)
LEAD = timedelta(minutes=30)  # the store needs this long to pick an order


@dataclass(frozen=True)
class Slot:
    value: str  # what the order stores: "2026-11-24 14:00-15:00" (the store's local time)
    day: str  # "today" or "tomorrow"
    label: str  # "14:00-15:00"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return SHANGHAI


def _at(day: date, hhmm: str) -> datetime | None:
    try:
        h, m = (int(x) for x in hhmm.split(":"))
    except ValueError:
        return None
    if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m):
        return None
    return datetime(day.year, day.month, day.day) + timedelta(hours=h, minutes=m)


def pickup_slots(opening_hours: dict[str, Any], timezone: str, now: datetime, lead: timedelta = LEAD) -> list[Slot]:
    local_now = now.astimezone(_zone(timezone)).replace(tzinfo=None)
    earliest = local_now + lead
    out: list[Slot] = []
    for offset, day_name in ((0, "today"), (1, "tomorrow")):
        day = (local_now + timedelta(days=offset)).date()
        for interval in opening_hours.get(WEEKDAYS[day.weekday()], []) or []:
            if not isinstance(interval, list | tuple) or len(interval) != 2:
                continue
            start, end = _at(day, str(interval[0])), _at(day, str(interval[1]))
            if start is None or end is None:
                continue
            t = start
            while t + HOUR <= end:
                if t >= earliest:
                    label = f"{t:%H:%M}-{t + HOUR:%H:%M}"
                    out.append(Slot(f"{day:%Y-%m-%d} {label}", day_name, label))
                t += HOUR
    return out
