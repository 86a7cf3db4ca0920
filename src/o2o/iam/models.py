"""Staff users, sign-in sessions, one-time codes, lock-outs and integration API keys.

Secrets are never stored: session and refresh tokens, API key secrets, one-time codes and
invitation tokens are kept as keyed or plain SHA-256 digests; passwords as argon2 hashes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId, JSONDoc


class StaffUser(Base):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    invite_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invite_expires_at: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(80), default="system")


class CustomerPassword(Base):
    """A customer's optional password (argon2id); signing in by phone code needs none."""

    __tablename__ = "customer_password"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class AuthSession(Base):
    """One signed-in device: a short-lived access token (or a cookie) plus a rotating refresh token
    (`rt_<session id>.<secret>.<server signature>`: presenting an older one than the latest ends the
    session; one the server never signed changes nothing)."""

    __tablename__ = "auth_session"
    __table_args__ = (Index("ix_auth_session_subject", "subject_kind", "subject_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject_kind: Mapped[str] = mapped_column(String(10))  # customer | staff
    subject_id: Mapped[int]
    via: Mapped[str] = mapped_column(String(10))  # token | cookie
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    refresh_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    refresh_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class OtpCode(Base):
    __tablename__ = "otp_code"
    __table_args__ = (Index("ix_otp_code_phone_created", "phone_hash", "created_at"),
                      Index("ix_otp_code_ip_created", "ip", "created_at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    phone_hash: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(45), default="")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    consumed_at: Mapped[datetime | None]


class AuthFailure(Base):
    """Failed sign-in attempts per key (a phone's hash, a staff login); a lock once there are too many."""

    __tablename__ = "auth_failure"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class ApiKey(Base):
    """An integration app's key: `o2o_<prefix>_<secret>`; only the secret's SHA-256 is kept."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSONDoc)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    rate_per_minute: Mapped[int] = mapped_column(default=600)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime | None]  # set when rotated with a grace period
    revoked_at: Mapped[datetime | None]
    rotated_to_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"))
