"""Customer shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from o2o.kernel.ids import Id
from o2o.kernel.inputs import Input

# no spaces or control characters, spelled out so that JSON Schema (ECMA) regexes agree with ours
_CHAR = r"[^@\s\x00-\x1f\x7f-\x9f\ufeff]"
EMAIL = rf"^{_CHAR}{{1,64}}@{_CHAR}+\.{_CHAR}+$"


class AddressIn(Input):
    label: str = Field("", max_length=40)
    recipient: str = Field("", max_length=80)
    phone: str = Field("", pattern=r"^$|^1[3-9][0-9]{9}$")
    district: str = Field("", max_length=60)
    line: str = Field(min_length=1, max_length=300)
    door: str = Field("", max_length=60, description="门牌号: building, unit and room (sealed at rest)")
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)


class AddressOut(BaseModel):
    """No input patterns here: staff without pii:read get masked values (138****5678)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    customer_id: int
    label: str
    recipient: str
    phone: str
    district: str
    line: str
    door: str | None = None
    lat: float
    lng: float


class PlaceOut(BaseModel):
    """A geocoded place (WGS-84): a suggestion for what was typed, or what stands at a point."""

    model_config = ConfigDict(from_attributes=True)
    name: str
    address: str
    district: str
    lat: float
    lng: float
    kind: str


class CustomerIn(Input):
    name: str = Field(min_length=1, max_length=80)
    phone: str = Field(pattern=r"^1[3-9][0-9]{9}$", description="mainland mobile number")
    email: str | None = Field(None, max_length=254, pattern=EMAIL)
    home_lat: float | None = Field(None, ge=-90, le=90)
    home_lng: float | None = Field(None, ge=-180, le=180)


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    phone: str | None = Field(description="plaintext here: the route masks it for callers without pii:read;"
                                          " null once the customer is erased")
    email: str | None = None
    home_lat: float | None
    home_lng: float | None


class CustomerExport(CustomerOut):
    """Everything we hold about a customer, for the customer (plaintext: it is their own data)."""

    created_at: datetime
    erased_at: datetime | None
    addresses: list[AddressOut] = []


IdentityKind = Literal["phone", "email", "wechat_openid", "wechat_unionid", "douyin_openid", "pos_card", "device"]


class IdentityOut(BaseModel):
    """`value` is plaintext here: the route masks it for callers without pii:read."""

    kind: str
    value: str
    verified: bool
    created_at: datetime
    last_used_at: datetime | None


class MergeIn(Input):
    merged_id: Id = Field(description="the customer merged away into the one in the path")
    reason: str = Field("", max_length=200)


class MergeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    survivor_id: int
    merged_id: int
    reason: str
    actor: str
    moved: dict[str, int] = Field(description="rows moved to the survivor, per table or merge step")
    created_at: datetime


class FavoriteIn(Input):
    kind: Literal["product", "store"]
    target_id: Id


class FavoriteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    kind: str
    target_id: int
    created_at: datetime


class Favorited(BaseModel):
    kind: str
    target_id: int
    favorite: bool


class BrowsingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    product_id: int
    viewed_at: datetime


class MemberCodeOut(BaseModel):
    code: str
    valid_for_s: int
    pos_card: str | None = None


class IdentityIn(Input):
    kind: Literal["pos_card", "device"] = Field(description="what staff may attach; phones are proved by SMS")
    value: str = Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_-]+$")


class MemberFound(BaseModel):
    customer_id: int


class OrderBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    number: str
    status: str
    channel: str
    mode: str
    fulfil_location_id: int
    total_fen: int
    created_at: datetime


class Profile(BaseModel):
    """The 360 view of one customer."""

    customer: CustomerOut
    masked: bool
    merged_into_id: int | None
    identities: list[IdentityOut]
    orders: list[OrderBrief]
    member: Any = Field(description="tier and points (o2o.loyalty MemberSummary)")
    favorites: list[FavoriteOut]
    browsing: list[BrowsingOut]
    addresses: list[AddressOut]
    merges: list[MergeOut]
