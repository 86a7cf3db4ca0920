"""Managing staff users (invite, disable, enable, reset) and integration API keys.

Who may manage whom comes from `permissions.MANAGES`; a store manager manages only the clerks of
its own store. Invitation tokens and key secrets are returned once and stored only as digests.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from o2o.catalog import service as catalog
from o2o.iam import repository as repo
from o2o.iam import tokens
from o2o.iam.models import ApiKey, StaffUser
from o2o.iam.permissions import MANAGES, STORE_ROLES
from o2o.iam.schemas import ApiKeyIn, ApiKeyOut, Invitation, NewApiKey, StaffIn, StaffOut
from o2o.kernel.auth import Principal
from o2o.kernel.db import Database
from o2o.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from o2o.kernel.lookups import flush_unique
from o2o.kernel.pagination import Page, PageParams
from o2o.kernel.uow import UnitOfWork
from o2o.locations import service as locations

INVITE_DAYS = 7


def staff_out(u: StaffUser) -> StaffOut:
    return StaffOut(id=u.id, login=u.login, name=u.name, role=u.role, store_id=u.store_id, supplier_id=u.supplier_id,
                    active=u.disabled_at is None and u.password_hash is not None,
                    invited=u.password_hash is None and u.invite_hash is not None, created_at=u.created_at)


def _check_placement(s: Session, role: str, store_id: int | None, supplier_id: int | None) -> None:
    if role in STORE_ROLES:
        if store_id is None:
            raise InvalidInput("store_id", f"a {role} needs the store they work at")
        if locations.kind_of(s, store_id) != "store":
            raise InvalidInput("store_id", f"location {store_id} is not a store")
    elif store_id is not None:
        raise InvalidInput("store_id", f"a {role} is not bound to a store")
    if role == "supplier":
        if supplier_id is None or not catalog.supplier_exists(s, supplier_id):
            raise InvalidInput("supplier_id", "a supplier user needs an existing supplier")
    elif supplier_id is not None:
        raise InvalidInput("supplier_id", f"a {role} is not bound to a supplier")


def _may_manage(actor: Principal, role: str, store_id: int | None) -> None:
    if role not in MANAGES.get(actor.role or "", frozenset()) or not actor.covers(store_id):
        raise Forbidden(f"a {actor.role} cannot manage a {role}" + (f" of store {store_id}" if store_id else ""))


def _target(s: Session, actor: Principal, user_id: int) -> StaffUser:
    user = s.get(StaffUser, user_id, with_for_update=True)
    if user is None or not actor.covers(user.store_id):
        raise NotFound("staff user", user_id)
    _may_manage(actor, user.role, user.store_id)
    if user.id == actor.id and actor.kind == "staff":
        raise Conflict("you cannot change your own account this way")
    return user


def _new_invite(user: StaffUser, now: datetime) -> str:
    token = tokens.new_token(tokens.INVITE)
    user.invite_hash, user.invite_expires_at = tokens.digest(token), now + timedelta(days=INVITE_DAYS)
    return token


def create_user(s: Session, data: StaffIn, now: datetime, created_by: str, password_hash: str | None = None) -> StaffUser:
    """Add a staff user (inside the caller's transaction); without a password they are invited."""
    _check_placement(s, data.role, data.store_id, data.supplier_id)
    user = StaffUser(login=data.login.lower(), name=data.name, role=data.role, store_id=data.store_id,
                     supplier_id=data.supplier_id, password_hash=password_hash, created_at=now, created_by=created_by)
    s.add(user)
    flush_unique(s, f"login {data.login!r} is taken", "login")
    return user


def invite(uow: UnitOfWork, actor: Principal, data: StaffIn) -> Invitation:
    _may_manage(actor, data.role, data.store_id)
    with uow:
        now = uow.clock.now()
        user = create_user(uow.session, data, now, actor.actor)
        token = _new_invite(user, now)
        out = Invitation(user=staff_out(user), invite_token=token, expires_at=user.invite_expires_at)
        uow.describe(f"staff={user.id}", role=user.role, store_id=user.store_id)
        uow.publish("iam.staff_invited", {"user_id": user.id, "role": user.role, "store_id": user.store_id})
        uow.commit()
        return out


def accept_invite(uow: UnitOfWork, passwords: tokens.Passwords, token: str, password: str) -> StaffOut:
    with uow:
        now = uow.clock.now()
        user = repo.staff_by_invite(uow.session, tokens.digest(token))
        if user is None or user.invite_expires_at is None or user.invite_expires_at <= now:
            raise NotFound("invitation", "token")
        user.password_hash, user.invite_hash, user.invite_expires_at = passwords.hash(password), None, None
        out = staff_out(user)
        uow.commit()
        return out


def set_disabled(uow: UnitOfWork, actor: Principal, user_id: int, disabled: bool) -> StaffOut:
    with uow:
        now = uow.clock.now()
        user = _target(uow.session, actor, user_id)
        user.disabled_at = now if disabled else None
        if disabled:
            repo.revoke_sessions(uow.session, "staff", user.id, now)
        out = staff_out(user)
        uow.commit()
        return out


def reset(uow: UnitOfWork, actor: Principal, user_id: int) -> Invitation:
    """Forget the password, end their sessions, and issue a new invitation to set one."""
    with uow:
        now = uow.clock.now()
        user = _target(uow.session, actor, user_id)
        user.password_hash = None
        token = _new_invite(user, now)
        repo.revoke_sessions(uow.session, "staff", user.id, now)
        out = Invitation(user=staff_out(user), invite_token=token, expires_at=user.invite_expires_at)
        uow.commit()
        return out


def list_staff(db: Database, actor: Principal, page: PageParams) -> Page[StaffOut]:
    with db.read() as s:
        rows, total = repo.staff_page(s, actor.store_id, page.offset, page.size)
        return Page[StaffOut](items=[staff_out(u) for u in rows], page=page.page, size=page.size, total=total)


# --- API keys --------------------------------------------------------------------------------

def _issue_key(s: Session, name: str, scopes: list[str], store_id: int | None, rate: int, now: datetime,
               by: str) -> tuple[ApiKey, str]:
    secret, prefix, secret_hash = tokens.new_api_key()
    key = ApiKey(name=name, prefix=prefix, secret_hash=secret_hash, scopes=scopes, store_id=store_id,
                 rate_per_minute=rate, created_at=now, created_by=by)
    s.add(key)
    s.flush()
    return key, secret


def create_key(uow: UnitOfWork, actor: Principal, data: ApiKeyIn) -> NewApiKey:
    with uow:
        if data.store_id is not None and locations.kind_of(uow.session, data.store_id) is None:
            raise InvalidInput("store_id", f"location {data.store_id} does not exist")
        key, secret = _issue_key(uow.session, data.name, data.scopes, data.store_id, data.rate_per_minute,
                                 uow.clock.now(), actor.actor)
        out = NewApiKey(key=ApiKeyOut.model_validate(key), secret=secret)
        uow.describe(f"api_key={key.id}", scopes=key.scopes, store_id=key.store_id)
        uow.commit()
        return out


def rotate_key(uow: UnitOfWork, actor: Principal, key_id: int, grace_minutes: int) -> NewApiKey:
    """A new secret with the same scopes; the old key works for `grace_minutes` more (0: stops now)."""
    with uow:
        now = uow.clock.now()
        old = uow.session.get(ApiKey, key_id, with_for_update=True)
        if old is None or old.revoked_at is not None or (old.expires_at is not None and old.expires_at <= now):
            raise NotFound("api key", key_id)
        if old.rotated_to_id is not None:
            raise Conflict("this key was already rotated; rotate its successor")
        key, secret = _issue_key(uow.session, old.name, list(old.scopes), old.store_id, old.rate_per_minute, now,
                                 actor.actor)
        old.rotated_to_id = key.id
        uow.describe(f"api_key={old.id}", new_key=key.id, grace_minutes=grace_minutes)
        if grace_minutes:
            old.expires_at = now + timedelta(minutes=grace_minutes)
        else:
            old.revoked_at = now
        out = NewApiKey(key=ApiKeyOut.model_validate(key), secret=secret)
        uow.commit()
        return out


def revoke_key(uow: UnitOfWork, key_id: int) -> ApiKeyOut:
    with uow:
        key = uow.session.get(ApiKey, key_id, with_for_update=True)
        if key is None:
            raise NotFound("api key", key_id)
        key.revoked_at = key.revoked_at or uow.clock.now()
        out = ApiKeyOut.model_validate(key)
        uow.commit()
        return out


def list_keys(db: Database) -> list[ApiKeyOut]:
    with db.read() as s:
        return [ApiKeyOut.model_validate(k) for k in repo.keys(s)]


def principal_for_key(db: Database, key: str, now: datetime) -> tuple[Principal, int, datetime | None] | None:
    """The key's principal, its rate per minute and when it expires (None: never), or None for an
    unknown, revoked or expired key."""
    parts = tokens.split_api_key(key)
    if parts is None:
        return None
    with db.read() as s:
        row = repo.key_by_prefix(s, parts[0])
        if row is None or not tokens.same(row.secret_hash, tokens.digest(parts[1])):
            return None
        if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
            return None
        p = Principal("api_key", row.id, row.name, role="api_key", store_id=row.store_id,
                      actions=frozenset(row.scopes))
        return p, row.rate_per_minute, row.expires_at
