"""Location shapes at the API edge."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from o2o.kernel.inputs import Input

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")
MAX_SPANS = 3  # opening spans per day (e.g. a lunch break)


def check_hours(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Opening hours: weekday -> list of [open, close] ("HH:MM", close may be "24:00", or earlier than
    open for a span past midnight); an empty list is a closed day, a missing weekday too."""
    if value is None:
        return None
    for day, spans in value.items():
        if day not in WEEKDAYS:
            raise ValueError(f"unknown weekday {day!r}: one of {', '.join(WEEKDAYS)}")
        if not isinstance(spans, list) or len(spans) > MAX_SPANS:
            raise ValueError(f"{day}: a list of at most {MAX_SPANS} [open, close] spans")
        for span in spans:
            if (not isinstance(span, list | tuple) or len(span) != 2
                    or not all(isinstance(t, str) and _HHMM.match(t) for t in span)):
                raise ValueError(f"{day}: each span is [\"HH:MM\", \"HH:MM\"]")
            if span[0] == span[1] or span[0] == "24:00":
                raise ValueError(f"{day}: a span opens before it closes")
    return {day: [list(span) for span in value.get(day, [])] for day in WEEKDAYS}


class LocationIn(Input):
    code: str = Field(min_length=1, max_length=40)
    kind: Literal["store", "warehouse"]
    name_zh: str = Field(min_length=1, max_length=120)
    name_en: str = Field(min_length=1, max_length=120)
    district: str = Field("", max_length=60)
    address: str = Field("", max_length=300)
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    timezone: str = "Asia/Shanghai"
    opening_hours: dict[str, Any] | None = None
    can_pickup: bool = True
    can_store_delivery: bool = True
    can_parcel: bool = False
    delivery_radius_m: int = Field(3000, ge=0, le=5_000)
    hourly_capacity: int = Field(60, ge=0, le=100_000)
    daily_capacity: int = Field(600, ge=0, le=1_000_000)
    phone: str = Field("", max_length=32, pattern=r"^[0-9+() -]*$")

    @field_validator("opening_hours")
    @classmethod
    def _hours(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return check_hours(value)


class LocationUpdate(Input):
    """What head office edits of a store or warehouse (its code and kind stay)."""

    name_zh: str = Field(min_length=1, max_length=120)
    name_en: str = Field(min_length=1, max_length=120)
    district: str = Field("", max_length=60)
    address: str = Field("", max_length=300)
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    opening_hours: dict[str, Any]
    can_pickup: bool = True
    can_store_delivery: bool = True
    can_parcel: bool = False
    delivery_radius_m: int = Field(ge=0, le=5_000)
    hourly_capacity: int = Field(ge=0, le=100_000)
    daily_capacity: int = Field(ge=0, le=1_000_000)
    phone: str = Field("", max_length=32, pattern=r"^[0-9+() -]*$")
    online_paused: bool = False

    @field_validator("opening_hours")
    @classmethod
    def _hours(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return check_hours(value)


class LocationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    kind: str
    name_zh: str
    name_en: str
    district: str
    address: str
    lat: float
    lng: float
    h3_cell: str
    timezone: str
    opening_hours: dict[str, Any]
    can_pickup: bool
    can_store_delivery: bool
    can_parcel: bool
    delivery_radius_m: int
    hourly_capacity: int
    daily_capacity: int
    phone: str = ""
    active: bool
    online_paused: bool = False
    distance_m: int | None = None


@dataclass(slots=True)
class Candidate:
    """A location as routing sees it (a dataclass: built in the hot path)."""

    id: int
    kind: str
    name: str
    lat: float
    lng: float
    radius_m: int
    can_pickup: bool
    can_store_delivery: bool
    can_parcel: bool
    distance_m: float | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    """What the sourcing engine needs of a location beyond `Candidate`: its zone, hours and capacity."""

    id: int
    timezone: str
    opening_hours: dict[str, Any]
    hourly_capacity: int
    daily_capacity: int
    district: str
