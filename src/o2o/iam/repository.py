"""Accounts queries. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, func, select, text, update
from sqlalchemy.orm import Session

from o2o.iam.models import ApiKey, AuthFailure, AuthSession, OtpCode, StaffUser

_LIVE_SESSION = (select(AuthSession.id, AuthSession.subject_kind, AuthSession.subject_id, AuthSession.via,
                        AuthSession.expires_at)
                 .where(AuthSession.revoked_at.is_(None)))


def live_session(session: Session, token_hash: str, now: datetime) -> Row | None:
    return session.execute(_LIVE_SESSION.where(AuthSession.token_hash == token_hash,
                                               AuthSession.expires_at > now)).first()


def revoke_sessions(session: Session, kind: str, subject_id: int, now: datetime, keep: int | None = None) -> int:
    stmt = update(AuthSession).where(AuthSession.subject_kind == kind, AuthSession.subject_id == subject_id,
                                     AuthSession.revoked_at.is_(None))
    if keep is not None:
        stmt = stmt.where(AuthSession.id != keep)
    return session.execute(stmt.values(revoked_at=now)).rowcount


def serialise_phone(session: Session, phone_hash: str) -> None:
    """Code requests for one phone take turns (PostgreSQL advisory lock for this transaction; SQLite
    writers take turns anyway), so parallel requests cannot all pass the per-phone limits."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": int(phone_hash[:15], 16)})


def codes_since(session: Session, phone_hash: str | None, ip: str | None, since: datetime) -> int:
    stmt = select(func.count()).select_from(OtpCode).where(OtpCode.created_at > since)
    stmt = stmt.where(OtpCode.phone_hash == phone_hash) if phone_hash else stmt.where(OtpCode.ip == ip)
    return session.scalar(stmt) or 0


def last_code_at(session: Session, phone_hash: str) -> datetime | None:
    return session.scalar(select(func.max(OtpCode.created_at)).where(OtpCode.phone_hash == phone_hash))


def open_code(session: Session, phone_hash: str, now: datetime) -> OtpCode | None:
    """The newest unused, unexpired code for the phone (an earlier one dies when a new one is sent)."""
    return session.scalars(select(OtpCode).where(OtpCode.phone_hash == phone_hash)
                           .order_by(OtpCode.created_at.desc(), OtpCode.id.desc()).limit(1)
                           .with_for_update()).first() if phone_hash else None


def failure(session: Session, key: str) -> AuthFailure | None:
    return session.get(AuthFailure, key, with_for_update=True)


def staff_by_login(session: Session, login: str, lock: bool = False) -> StaffUser | None:
    stmt = select(StaffUser).where(StaffUser.login == login)
    return session.scalars(stmt.with_for_update() if lock else stmt).first()


def staff_by_invite(session: Session, invite_hash: str) -> StaffUser | None:
    return session.scalars(select(StaffUser).where(StaffUser.invite_hash == invite_hash).with_for_update()).first()


def staff_page(session: Session, store_id: int | None, offset: int, limit: int) -> tuple[list[StaffUser], int]:
    stmt = select(StaffUser)
    if store_id is not None:
        stmt = stmt.where(StaffUser.store_id == store_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return list(session.scalars(stmt.order_by(StaffUser.id).offset(offset).limit(limit))), total


def key_by_prefix(session: Session, prefix: str) -> ApiKey | None:
    return session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).first()


def keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def full_addresses(session: Session, model: type[AuthSession] | type[OtpCode], before: datetime,
                   limit: int) -> list[Row]:
    """(id, ip) of rows of `model` made before `before` that still hold a client's full address (not
    blank, not yet a network in CIDR form)."""
    return list(session.execute(select(model.id, model.ip)
                                .where(model.created_at < before, model.ip != "", model.ip.not_like("%/%"))
                                .order_by(model.id).limit(limit)))


def set_addresses(session: Session, model: type[AuthSession] | type[OtpCode], ips: dict[int, str]) -> None:
    session.execute(update(model), [{"id": row_id, "ip": ip} for row_id, ip in ips.items()])
