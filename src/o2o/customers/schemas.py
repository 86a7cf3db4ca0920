"""Customer shapes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AddressIn(BaseModel):
    label: str = Field("", max_length=40)
    recipient: str = Field("", max_length=80)
    phone: str = Field("", pattern=r"^$|^1[3-9][0-9]{9}$")
    district: str = Field("", max_length=60)
    line: str = Field(min_length=1, max_length=300)
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)


class AddressOut(AddressIn):
    model_config = ConfigDict(from_attributes=True)
    id: int
    customer_id: int


class CustomerIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    phone: str = Field(pattern=r"^1[3-9][0-9]{9}$", description="mainland mobile number")
    home_lat: float | None = Field(None, ge=-90, le=90)
    home_lng: float | None = Field(None, ge=-180, le=180)


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    phone: str
    home_lat: float | None
    home_lng: float | None
