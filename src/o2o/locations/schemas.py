"""Location shapes at the API edge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from o2o.kernel.inputs import Input


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
