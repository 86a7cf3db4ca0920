"""SLA rules (issue 13): what a fulfilment promises and by when. Pure: no database, no clock.

Each mode promises one step: pickup "ready" (30 min after payment), store delivery "delivered" (2 h),
parcel "shipped" (24 h). The clock starts when the location can start on the order: at payment while
it is open, else at its next opening (its own opening hours, in its own zone). Night urgent delivery:
a store delivery paid between 22:00 and 07:00 (the store's local time) at a store open around the
clock promises 1 h (the seeds' 夜间急送 22:00-7:00). Every figure is a setting (O2O_SLA_*).

A fulfilment's columns (o2o.fulfillment.models): `promised_at` the promise; `promise_met_at` when the
promised step was reached; `due_at` = promised_at while the fulfilment still waits for that step, NULL
once reached or cancelled (the watch and the at-risk lists read its index, so they never walk the
history); `at_risk_at` / `late_at` when the watch announced it (once each, by conditional UPDATE).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from o2o.fulfillment.models import CANCELLED, DELIVERED, READY, SHIPPED
from o2o.fulfillment.routing import PARCEL, PICKUP, STORE_DELIVERY
from o2o.fulfillment.sourcing import schedule

# the step each mode promises
STEP: dict[str, str] = {PICKUP: READY, STORE_DELIVERY: DELIVERED, PARCEL: SHIPPED}
HORIZON_MIN = 8 * 1440  # a location that does not open within 8 days: the clock starts at payment


@dataclass(frozen=True, slots=True)
class SlaSettings:
    pickup_minutes: int = 30
    store_delivery_minutes: int = 120
    parcel_minutes: int = 1440
    night_minutes: int = 60  # store delivery from a 24-hour store inside the night window
    night_start: str = "22:00"
    night_end: str = "07:00"
    warning_minutes: int = 10  # at risk this long before the promise

    def minutes(self, mode: str) -> int | None:
        return {PICKUP: self.pickup_minutes, STORE_DELIVERY: self.store_delivery_minutes,
                PARCEL: self.parcel_minutes}.get(mode)


def promise(mode: str, paid_at: datetime, timezone: str, hours: Mapping[str, Any] | None,
            settings: SlaSettings) -> datetime | None:
    """When the fulfilment must reach its mode's step; None for a mode without a promise."""
    minutes = settings.minutes(mode)
    if minutes is None:
        return None
    weekday, minute = schedule.local_minute(paid_at, timezone)
    if (mode == STORE_DELIVERY and schedule.always_open(hours)
            and schedule.in_window(minute, settings.night_start, settings.night_end)):
        return paid_at + timedelta(minutes=settings.night_minutes)
    delay = schedule.start_delay(hours, weekday, minute, 0, HORIZON_MIN) or 0
    start = paid_at.replace(second=0, microsecond=0) + timedelta(minutes=delay) if delay else paid_at
    return start + timedelta(minutes=minutes)


def night_urgent(mode: str, paid_at: datetime, timezone: str, hours: Mapping[str, Any] | None,
                 settings: SlaSettings) -> bool:
    _, minute = schedule.local_minute(paid_at, timezone)
    return (mode == STORE_DELIVERY and schedule.always_open(hours)
            and schedule.in_window(minute, settings.night_start, settings.night_end))


def reached(fo: Any, dst: str, now: datetime) -> None:
    """A fulfilment moved to `dst`: its promise is met when that is its mode's step (it leaves the
    watch); a cancelled one leaves the watch unmet (it counts in no on-time rate)."""
    if dst == STEP.get(fo.mode):
        if fo.promise_met_at is None:
            fo.promise_met_at = now
        fo.due_at = None
    elif dst == CANCELLED:
        fo.due_at = None


def minutes_left(promised_at: datetime, now: datetime) -> int:
    """Whole minutes until the promise (negative: minutes late), truncated towards zero."""
    return int((promised_at - now).total_seconds() / 60)


@dataclass(frozen=True, slots=True)
class OnTime:
    """A store's promises that fell due in a period: how many were kept."""

    location_id: int
    due: int  # promises that fell due (cancelled fulfilments do not count)
    kept: int  # of those, the step was reached by the promise

    @property
    def rate(self) -> float | None:
        return None if self.due == 0 else self.kept / self.due
