"""Opening hours and cut-offs in the location's own zone: when work on an order can start there.

Hours are weekday -> [[open, close], ...] ("HH:MM"; close "24:00", or earlier than open for a span past
midnight; a missing or empty day is closed). Adjacent spans are merged (a 24-hour store's days join
into one span), so a cut-off only bites before a real closing time. Minutes are wall-clock minutes
in the zone (no special handling of a daylight-saving jump; Chinese zones have none).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY = 1440


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


@functools.lru_cache(maxsize=4096)
def _week(key: bytes) -> tuple[tuple[tuple[int, int], ...], bool]:
    """Per weekday its spans as (open, close) minutes from that day's midnight (close may pass 1440);
    and whether the location is open around the clock."""
    hours = orjson.loads(key)
    days = []
    for day in WEEKDAYS:
        spans = []
        for o, c in hours.get(day) or []:
            om, cm = _minutes(o), _minutes(c)
            spans.append((om, cm if cm > om else cm + DAY))
        days.append(tuple(sorted(spans)))
    week = _merged([(d * DAY + o, d * DAY + c) for d, spans in enumerate(days) for o, c in spans])
    always = len(week) == 1 and week[0][0] <= 0 and week[0][1] >= 7 * DAY
    return tuple(days), always


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for o, c in sorted(spans):
        if out and o <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], c))
        else:
            out.append((o, c))
    return out


def _key(hours: Mapping[str, Any]) -> bytes:
    return orjson.dumps(hours, option=orjson.OPT_SORT_KEYS)


def always_open(hours: Mapping[str, Any] | None) -> bool:
    return True if hours is None else _week(_key(hours))[1]


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_minute(now: datetime, timezone: str) -> tuple[int, int]:
    """(weekday 0=Monday, minutes since local midnight) of `now` in the zone."""
    local = now.astimezone(_zone(timezone))
    return local.weekday(), local.hour * 60 + local.minute


def start_delay(hours: Mapping[str, Any] | None, weekday: int, minute: int, cutoff: int,
                horizon_min: int) -> int | None:
    """Minutes from now until the location can start on a new order: 0 when it is open and before its
    cut-off (`cutoff` minutes before it closes), else until its next opening; None when it does not
    open within `horizon_min`."""
    if hours is None:
        return 0
    key = _key(hours)
    if _week(key)[1]:
        return 0
    for o, c in _timeline(key, weekday, horizon_min // DAY + 3):
        if o <= minute and c - cutoff <= minute:
            continue  # gone, or open but past its cut-off
        delay = max(o, minute) - minute
        return delay if delay <= horizon_min else None
    return None


@functools.lru_cache(maxsize=8192)
def _timeline(key: bytes, weekday: int, days: int) -> tuple[tuple[int, int], ...]:
    """The merged spans from yesterday (its spans past midnight count too) for `days` days, in minutes
    from today's midnight."""
    week = _week(key)[0]
    return tuple(_merged([((d - 1) * DAY + o, (d - 1) * DAY + c)
                          for d in range(0, days) for o, c in week[(weekday + d - 1) % 7]]))


def in_window(minute: int, start: str, end: str) -> bool:
    """Whether a local minute of the day lies in [start, end) (a window may pass midnight)."""
    s, e = _bounds(start, end)
    return s <= minute < e if s < e else (minute >= s or minute < e)


@functools.lru_cache(maxsize=64)
def _bounds(start: str, end: str) -> tuple[int, int]:
    return _minutes(start), _minutes(end) % DAY
