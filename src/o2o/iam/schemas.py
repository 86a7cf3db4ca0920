"""Sign-in, staff user and API key shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from o2o.iam.permissions import ACTIONS, API_SCOPES, ROLES, STORE_ROLES
from o2o.kernel.ids import Id
from o2o.kernel.inputs import Input

PHONE = r"^1[3-9][0-9]{9}$"
Role = Literal["platform_admin", "operator", "store_manager", "clerk", "supplier", "analyst"]
assert set(Role.__args__) == set(ROLES)  # type: ignore[attr-defined]


class CodeRequest(BaseModel):
    phone: str = Field(pattern=PHONE, description="mainland mobile number")


class CodeSent(BaseModel):
    sent: bool = True
    expires_in_s: int
    resend_after_s: int


class CodeSignIn(Input):
    phone: str = Field(pattern=PHONE)
    code: str = Field(pattern=r"^[0-9]{6}$")
    name: str = Field("", max_length=80, description="used when this phone signs up")
    cookie: bool = Field(False, description="set a session cookie (pages) instead of returning tokens")


class PlatformSignIn(Input):
    code: str = Field(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$",
                      description="the one-time code of wx.login / tt.login in the mini-program")
    cookie: bool = Field(False, description="set a session cookie (pages) instead of returning tokens")


class PhoneLink(Input):
    phone: str = Field(pattern=PHONE)
    code: str = Field(pattern=r"^[0-9]{6}$", description="the SMS code sent by POST /auth/otp")
    cookie: bool = False


class PasswordSignIn(Input):
    phone: str = Field(pattern=PHONE)
    password: str = Field(min_length=1, max_length=200)
    cookie: bool = False


class StaffSignIn(Input):
    login: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=200)
    cookie: bool = False


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=10, max_length=200)


class NewPassword(BaseModel):
    password: str = Field(min_length=10, max_length=200,
                          description="at least 10 characters, at least 4 of them different")

    @field_validator("password")
    @classmethod
    def _not_trivial(cls, v: str) -> str:
        if len(set(v)) < 4:
            raise ValueError("password is too simple")
        return v


class InviteAccept(NewPassword):
    token: str = Field(min_length=10, max_length=200)


class Tokens(BaseModel):
    token_type: str = "Bearer"
    access_token: str
    expires_at: datetime
    refresh_token: str | None = None
    refresh_expires_at: datetime | None = None
    subject: str  # customer | staff
    subject_id: int


class Me(BaseModel):
    kind: str
    id: int
    name: str
    role: str | None = None
    store_id: int | None = None
    supplier_id: int | None = None
    actions: list[str] = []


def _given(name: str) -> dict:
    return {"required": [name], "properties": {name: {"type": "integer"}}}


def _absent(name: str) -> dict:
    return {"properties": {name: {"type": "null"}}}


class StaffIn(Input):
    """A store manager or clerk works at one store (store_id); a supplier user belongs to one supplier
    (supplier_id); every other role has neither."""

    model_config = ConfigDict(json_schema_extra={"allOf": [
        {"if": {"required": ["role"], "properties": {"role": {"enum": sorted(STORE_ROLES)}}},
         "then": _given("store_id"), "else": _absent("store_id")},
        {"if": {"required": ["role"], "properties": {"role": {"const": "supplier"}}},
         "then": _given("supplier_id"), "else": _absent("supplier_id")}]})

    login: str = Field(min_length=3, max_length=60, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    name: str = Field(min_length=1, max_length=80)
    role: Role
    store_id: Id | None = None
    supplier_id: Id | None = None


class StaffOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    login: str
    name: str
    role: str
    store_id: int | None
    supplier_id: int | None
    active: bool
    invited: bool
    created_at: datetime


class Invitation(BaseModel):
    user: StaffOut
    invite_token: str = Field(description="shown once; the user sets a password with it")
    expires_at: datetime


class ApiKeyIn(Input):
    name: str = Field(min_length=1, max_length=80)
    scopes: list[str] = Field(min_length=1, max_length=len(ACTIONS),
                              json_schema_extra={"items": {"type": "string", "enum": sorted(API_SCOPES)}})
    store_id: Id | None = Field(None, description="bind the key to one store (a POS terminal)")
    rate_per_minute: int = Field(600, ge=1, le=100_000)

    @field_validator("scopes")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        bad = sorted(set(v) - API_SCOPES)
        if bad:
            raise ValueError(f"unknown or not allowed for keys: {', '.join(bad)}")
        return sorted(set(v))


class RotateIn(Input):
    grace_minutes: int = Field(0, ge=0, le=7 * 24 * 60, description="how long the old key keeps working")


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    prefix: str
    scopes: list[str]
    store_id: int | None
    rate_per_minute: int
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None


class NewApiKey(BaseModel):
    key: ApiKeyOut
    secret: str = Field(description="the whole key; shown once, store it now")
