"""Sign-in and sessions: phone codes, passwords, tokens and cookies, refresh, sign-out, lock-outs.

Failures are committed before the refusal is raised, so a lock-out holds even though the
request fails; a locked key is refused even with the right code or password until the lock
expires.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from o2o.adapters.miniprogram import LoginRefused, MiniProgramLogin
from o2o.adapters.miniprogram import PlatformUnavailable as MiniProgramDown
from o2o.audit import service as audit
from o2o.config import Settings
from o2o.customers import service as customers
from o2o.iam import repository as repo
from o2o.iam import tokens
from o2o.iam.models import AuthFailure, AuthSession, CustomerPassword, OtpCode, StaffUser
from o2o.iam.permissions import ROLES
from o2o.iam.schemas import CodeSent, Tokens
from o2o.kernel import pii
from o2o.kernel.auth import Principal
from o2o.kernel.db import Database
from o2o.kernel.errors import NotFound, Problem, TooManyRequests
from o2o.kernel.uow import UnitOfWork
from o2o.orders import service as orders

RESEND_AFTER = timedelta(seconds=60)
CODES_PER_PHONE_HOUR = 5
CODES_PER_IP_HOUR = 20


class BadCredentials(Problem):
    status, kind, message_key = 401, "bad-credentials", "bad_credentials"


class ReauthRequired(Problem):
    status, kind, message_key = 403, "reauthentication-required", "reauth"


@dataclass(frozen=True)
class Client:
    """Where a sign-in comes from (kept on the session, used for per-IP limits)."""

    ip: str = ""
    user_agent: str = ""


def secret_key(settings: Settings, label: str) -> bytes:
    return hmac.new(settings.secret_key.encode(), label.encode(), hashlib.sha256).digest()


# --- lock-outs -------------------------------------------------------------------------------

def _check_lock(s: Session, key: str, now: datetime) -> None:
    row = s.get(AuthFailure, key)
    if row is not None and row.locked_until is not None and row.locked_until > now:
        raise TooManyRequests(f"locked after repeated failures until {row.locked_until.isoformat()}",
                              (row.locked_until - now).total_seconds(), kind="locked")


def _fail(s: Session, key: str, now: datetime, settings: Settings) -> None:
    row = repo.failure(s, key)
    if row is None:
        row = AuthFailure(key=key, failures=0, updated_at=now)
        s.add(row)
    if row.locked_until is not None and row.locked_until <= now:
        row.failures, row.locked_until = 0, None
    row.failures += 1
    row.updated_at = now
    if row.failures >= settings.max_failures:
        row.locked_until = now + timedelta(minutes=settings.lock_minutes)


def _refuse(uow: UnitOfWork, key: str, settings: Settings) -> BadCredentials:
    """Count the failure, commit it, and hand back the error to raise."""
    _fail(uow.session, key, uow.clock.now(), settings)
    uow.commit()
    return BadCredentials("wrong phone, login, code or password")


def _clear(s: Session, key: str) -> None:
    row = s.get(AuthFailure, key)
    if row is not None:
        s.delete(row)


# --- sessions --------------------------------------------------------------------------------

def _issue(uow: UnitOfWork, kind: str, subject_id: int, cookie: bool, client: Client,
           settings: Settings) -> tuple[Tokens, int]:
    now = uow.clock.now()
    access = tokens.new_token(tokens.COOKIE if cookie else tokens.ACCESS)
    expires = now + (timedelta(days=settings.cookie_session_days) if cookie
                     else timedelta(minutes=settings.access_token_minutes))
    refresh_expires = None if cookie else now + timedelta(days=settings.refresh_token_days)
    row = AuthSession(subject_kind=kind, subject_id=subject_id, via="cookie" if cookie else "token",
                      token_hash=tokens.digest(access), expires_at=expires, refresh_expires_at=refresh_expires,
                      created_at=now, ip=client.ip[:45], user_agent=client.user_agent[:200])
    uow.session.add(row)
    uow.session.flush()
    refresh = None
    if not cookie:
        refresh = tokens.new_refresh(row.id, secret_key(settings, "refresh"))
        row.refresh_hash = tokens.digest(refresh)
    out = Tokens(access_token=access, expires_at=expires, refresh_token=refresh, refresh_expires_at=refresh_expires,
                 subject=kind, subject_id=subject_id)
    return out, row.id


def sign_in_session(uow: UnitOfWork, kind: str, subject_id: int, cookie: bool, client: Client,
                    settings: Settings) -> Tokens:
    """A new session for someone already verified (tests, the demo, invitations)."""
    with uow:
        out, _ = _issue(uow, kind, subject_id, cookie, client, settings)
        uow.commit()
        return out


def principal_for_token(db: Database, token: str, now: datetime) -> tuple[Principal, datetime] | None:
    """The principal a live session token stands for, and when that session expires."""
    with db.read() as s:
        row = repo.live_session(s, tokens.digest(token), now)
        if row is None:
            return None
        session_id, kind, subject_id, via, expires_at = row
        if kind == "customer":
            return Principal("customer", subject_id, "", session_id=session_id, via_cookie=via == "cookie"), expires_at
        user = s.get(StaffUser, subject_id)
        if user is None or user.disabled_at is not None:
            return None
        return staff_principal(user, session_id, via == "cookie"), expires_at


def staff_principal(user: StaffUser, session_id: int | None = None, via_cookie: bool = False) -> Principal:
    return Principal("staff", user.id, user.login, role=user.role, store_id=user.store_id,
                     supplier_id=user.supplier_id, actions=ROLES[user.role], session_id=session_id,
                     via_cookie=via_cookie)


def refresh(uow: UnitOfWork, refresh_token: str, settings: Settings) -> Tokens:
    """Rotate both tokens. A refresh token names its session: presenting any but the latest one of
    that session (a copy someone kept) ends the session for everyone holding it. Only a token the
    server really issued for that session (its signature checks out) does so: a made-up one naming
    the session (ids are sequential) is refused and changes nothing."""
    key = secret_key(settings, "refresh")
    with uow:
        s, now = uow.session, uow.clock.now()
        session_id = tokens.refresh_session(refresh_token)
        row = s.get(AuthSession, session_id, with_for_update=True) if session_id else None
        if row is None or row.revoked_at is not None or row.refresh_hash is None:
            raise BadCredentials("refresh token unknown, used or expired")
        if not tokens.same(row.refresh_hash, tokens.digest(refresh_token)):
            if tokens.issued_refresh(key, refresh_token):
                row.revoked_at = now  # an old generation came back: the token was copied
                uow.commit()
            raise BadCredentials("refresh token unknown, used or expired")
        if row.refresh_expires_at is None or row.refresh_expires_at <= now:
            raise BadCredentials("refresh token unknown, used or expired")
        access, new_refresh = tokens.new_token(tokens.ACCESS), tokens.new_refresh(row.id, key)
        row.token_hash, row.refresh_hash = tokens.digest(access), tokens.digest(new_refresh)
        row.expires_at = now + timedelta(minutes=settings.access_token_minutes)
        out = Tokens(access_token=access, expires_at=row.expires_at, refresh_token=new_refresh,
                     refresh_expires_at=row.refresh_expires_at, subject=row.subject_kind, subject_id=row.subject_id)
        uow.commit()
        return out


def require_recent_sign_in(db: Database, p: Principal, now: datetime, minutes: int = 15) -> None:
    """Changing a password or erasing the account needs a sign-in of the last `minutes`: a stolen
    token that is hours old cannot do either."""
    with db.read() as s:
        row = s.get(AuthSession, p.session_id) if p.session_id else None
        if row is None or now - row.created_at > timedelta(minutes=minutes):
            raise ReauthRequired(f"sign in again (within {minutes} minutes) to do this")


def sign_out(uow: UnitOfWork, p: Principal, everywhere: bool = False) -> int:
    with uow:
        now = uow.clock.now()
        if everywhere:
            n = repo.revoke_sessions(uow.session, "customer" if p.is_customer else "staff", p.id, now)
        else:
            row = uow.session.get(AuthSession, p.session_id) if p.session_id else None
            n = 0
            if row is not None and row.revoked_at is None:
                row.revoked_at, n = now, 1
        uow.commit()
        return n


# --- customers: phone codes and passwords ----------------------------------------------------

def request_code(uow: UnitOfWork, phone: str, client: Client, settings: Settings) -> CodeSent:
    with uow:
        s, now = uow.session, uow.clock.now()
        ph = pii.lookup_hash(phone)
        repo.serialise_phone(s, ph)
        _check_lock(s, f"otp:{ph}", now)
        last = repo.last_code_at(s, ph)
        if last is not None and now - last < RESEND_AFTER:
            raise TooManyRequests("a code was just sent; wait before asking again",
                                  (RESEND_AFTER - (now - last)).total_seconds())
        hour_ago = now - timedelta(hours=1)
        if repo.codes_since(s, ph, None, hour_ago) >= CODES_PER_PHONE_HOUR:
            raise TooManyRequests("too many codes for this phone in the last hour", 3600)
        if client.ip and repo.codes_since(s, None, client.ip, hour_ago) >= CODES_PER_IP_HOUR:
            raise TooManyRequests("too many codes from this address in the last hour", 3600)
        code = tokens.new_code()
        ttl = timedelta(minutes=settings.otp_minutes)
        s.add(OtpCode(phone_hash=ph, code_hash=tokens.keyed_digest(secret_key(settings, "otp"), f"{ph}:{code}"),
                      ip=client.ip[:45], created_at=now, expires_at=now + ttl))
        s.flush()
        # the SMS goes out through the outbox (whose payloads are encrypted at rest)
        uow.publish("iam.code_requested", {"phone": phone, "code": code, "minutes": settings.otp_minutes})
        uow.commit()
        return CodeSent(expires_in_s=int(ttl.total_seconds()), resend_after_s=int(RESEND_AFTER.total_seconds()))


def sign_in_with_code(uow: UnitOfWork, phone: str, code: str, name: str, cookie: bool, client: Client,
                      settings: Settings) -> Tokens:
    with uow:
        s, now = uow.session, uow.clock.now()
        ph = pii.lookup_hash(phone)
        key = f"otp:{ph}"
        # lock the phone's newest code first: concurrent guesses queue here, and each then sees the
        # failures committed before it (so 20 parallel guesses still get only `max_failures` tries)
        row = repo.open_code(s, ph, now)
        _check_lock(s, key, now)
        want = tokens.keyed_digest(secret_key(settings, "otp"), f"{ph}:{code}")
        if row is None or row.consumed_at is not None or row.expires_at <= now or not tokens.same(row.code_hash, want):
            raise _refuse(uow, key, settings)
        row.consumed_at = now
        _clear(s, key)
        customer_id = customers.find_by_phone(s, phone)
        if customer_id is None:
            customer_id = customers.sign_up(s, phone, name or f"用户{phone[-4:]}", now)
            uow.publish("iam.customer_signed_up", {"customer_id": customer_id})
        out, _ = _issue(uow, "customer", customer_id, cookie, client, settings)
        uow.commit()
        return out


class PlatformCodeRefused(Problem):
    status, kind, message_key = 401, "platform-code-refused", "platform_code_refused"


class PlatformUnavailable(Problem):
    status, kind, message_key = 503, "platform-unavailable", "platform_unavailable"
    headers = {"Retry-After": "5"}


class PlatformNotConfigured(Problem):
    """This deployment has no app id for that platform: its sign-in does not exist here."""

    status, kind, message_key = 404, "platform-not-configured", "platform_not_configured"


def sign_in_with_platform(uow: UnitOfWork, login: MiniProgramLogin | None, platform: str, code: str, cookie: bool,
                          client: Client, settings: Settings) -> Tokens:
    """A mini-program's login code exchanged with its platform (before any transaction: a network call),
    then the customer of that openid signed in, created when new (unverified: no phone yet)."""
    if login is None:
        raise PlatformNotConfigured(f"{platform} sign-in is not configured here (O2O_{platform.upper()}_APP_ID)")
    try:
        who = login.code2session(code)
    except LoginRefused as exc:
        raise PlatformCodeRefused(f"{platform} refused the code ({exc.code}): sign in again in the app",
                                  platform=platform, platform_code=exc.code) from exc
    except MiniProgramDown as exc:
        problem = PlatformUnavailable(f"{platform} did not answer: {exc}", platform=platform)
        problem.headers = {"Retry-After": str(exc.retry_after_s)}
        raise problem from exc
    kind = f"{platform}_openid"
    with uow:
        now = uow.clock.now()
        customer_id, created, merge = customers.platform_sign_in(uow.session, kind, who.openid,
                                                                 who.unionid if platform == "wechat" else None, now)
        if created:
            uow.publish("iam.customer_signed_up", {"customer_id": customer_id, "via": platform})
        if merge is not None:
            uow.publish("customers.merged", {"survivor_id": merge.survivor_id, "merged_id": merge.merged_id})
            uow.before_commit.append(lambda sess: audit.append(sess, audit.Entry(
                actor_kind="system", actor_id=None, actor_name=platform, action="customers.merge",
                target=f"customer={merge.survivor_id},merged={merge.merged_id}", ip=client.ip,
                detail={"reason": merge.reason, "moved": merge.moved}, at=now)))
        out, _ = _issue(uow, "customer", customer_id, cookie, client, settings)
        uow.commit()
        return out


def link_phone(uow: UnitOfWork, p: Principal, phone: str, code: str, cookie: bool, client: Client,
               settings: Settings) -> Tokens:
    """A signed-in customer (a WeChat one, say) proves a phone with its SMS code. The phone becomes
    theirs; if another customer holds it, the two are one person: the signed-in customer is merged into
    the phone's holder (one transaction, audited), and the answer is a session of the survivor."""
    with uow:
        s, now = uow.session, uow.clock.now()
        ph = pii.lookup_hash(phone)
        key = f"otp:{ph}"
        row = repo.open_code(s, ph, now)
        _check_lock(s, key, now)
        want = tokens.keyed_digest(secret_key(settings, "otp"), f"{ph}:{code}")
        if row is None or row.consumed_at is not None or row.expires_at <= now or not tokens.same(row.code_hash, want):
            raise _refuse(uow, key, settings)
        row.consumed_at = now
        _clear(s, key)
        survivor, merge = customers.link_phone(s, p.id, phone, now, f"customer:{p.id} verified phone")
        if merge is not None:
            uow.publish("customers.merged", {"survivor_id": survivor, "merged_id": p.id})
            uow.before_commit.append(lambda sess: audit.append(sess, audit.Entry(
                actor_kind="customer", actor_id=p.id, actor_name="", action="customers.merge",
                target=f"customer={survivor},merged={p.id}", ip=client.ip,
                detail={"reason": merge.reason, "moved": merge.moved}, at=now)))
        out, _ = _issue(uow, "customer", survivor, cookie, client, settings)
        uow.commit()
        return out


def sign_in_with_password(uow: UnitOfWork, passwords: tokens.Passwords, phone: str, password: str,
                          cookie: bool, client: Client, settings: Settings) -> Tokens:
    with uow:
        s, now = uow.session, uow.clock.now()
        key = f"pw:c:{pii.lookup_hash(phone)}"
        customer_id = customers.find_by_phone(s, phone)
        row = s.get(CustomerPassword, customer_id, with_for_update=True) if customer_id else None
        _check_lock(s, key, now)  # after the row lock: concurrent guesses see each other's failures
        if not passwords.verify(row.password_hash if row else None, password) or customer_id is None:
            raise _refuse(uow, key, settings)
        _clear(s, key)
        out, _ = _issue(uow, "customer", customer_id, cookie, client, settings)
        uow.commit()
        return out


def set_customer_password(uow: UnitOfWork, passwords: tokens.Passwords, p: Principal, password: str) -> None:
    """Set or change the password (after a recent sign-in); every other session of the account ends."""
    require_recent_sign_in(uow.db, p, uow.clock.now())
    customer_id = p.id
    with uow:
        repo.revoke_sessions(uow.session, "customer", customer_id, uow.clock.now(), keep=p.session_id)
        row = uow.session.get(CustomerPassword, customer_id)
        if row is None:
            uow.session.add(CustomerPassword(customer_id=customer_id, password_hash=passwords.hash(password),
                                             updated_at=uow.clock.now()))
        else:
            row.password_hash, row.updated_at = passwords.hash(password), uow.clock.now()
        uow.commit()


def erase_customer(uow: UnitOfWork, customer_id: int) -> None:
    """Erasure, in one transaction: pseudonymise the profile and addresses, blank the ship-to of
    their orders (amounts, lines and ledgers stay), drop the password, end every session."""
    def along(s: Session) -> None:
        orders.erase_customer(s, customer_id)
        row = s.get(CustomerPassword, customer_id)
        if row is not None:
            s.delete(row)
        repo.revoke_sessions(s, "customer", customer_id, uow.clock.now())

    uow.before_commit.append(along)
    customers.erase(uow, customer_id)


def merge_customers(s: Session, from_id: int, into_id: int, now: datetime) -> int:
    """A customer merge step (joins the merge's transaction): the merged-away customer's password moves
    to the survivor when the survivor has none (else it goes), and every session of theirs ends (their
    identities now sign in to the survivor). Returns the rows moved or removed."""
    n = repo.revoke_sessions(s, "customer", from_id, now)
    theirs = s.get(CustomerPassword, from_id)
    if theirs is not None:
        if s.get(CustomerPassword, into_id) is None:
            s.add(CustomerPassword(customer_id=into_id, password_hash=theirs.password_hash, updated_at=now))
        s.delete(theirs)
        s.flush()
        n += 1
    return n


# --- staff -----------------------------------------------------------------------------------

def staff_sign_in(uow: UnitOfWork, passwords: tokens.Passwords, login: str, password: str, cookie: bool,
                  client: Client, settings: Settings) -> tuple[Tokens, Principal]:
    with uow:
        s, now = uow.session, uow.clock.now()
        key = f"pw:s:{login.lower()[:80]}"
        user = repo.staff_by_login(s, login.lower(), lock=True)
        _check_lock(s, key, now)  # after the row lock: concurrent guesses see each other's failures
        ok = passwords.verify(user.password_hash if user else None, password)
        if not ok or user is None or user.disabled_at is not None:
            raise _refuse(uow, key, settings)
        _clear(s, key)
        out, session_id = _issue(uow, "staff", user.id, cookie, client, settings)
        principal = staff_principal(user, session_id, cookie)
        uow.commit()
        return out, principal


def me(db: Database, p: Principal) -> dict:
    if p.is_customer:
        c = customers.get(db, p.id)
        return {"kind": "customer", "id": p.id, "name": c.name}
    with db.read() as s:
        user = s.get(StaffUser, p.id)
        if user is None:
            raise NotFound("staff user", p.id)
        return {"kind": p.kind, "id": p.id, "name": user.name, "role": p.role, "store_id": p.store_id,
                "supplier_id": p.supplier_id, "actions": sorted(p.actions)}


# --- retention -------------------------------------------------------------------------------

ADDRESS_BATCH = 1000


def forget_addresses(new_uow: Callable[[], UnitOfWork], before: datetime, batch: int = ADDRESS_BATCH) -> int:
    """Sign-in sessions and one-time codes made before `before` keep only the client's network
    (203.0.113.0/24, 2001:db8:1::/48; text that is no address is cleared): the worker's periodic job,
    `ip_retention_days` after sign-in. One transaction per batch; returns how many rows changed."""
    changed = 0
    for model in (AuthSession, OtpCode):
        while True:
            with new_uow() as uow:
                rows = repo.full_addresses(uow.session, model, before, batch)
                if rows:
                    repo.set_addresses(uow.session, model, {r.id: pii.coarse_ip(r.ip) or "" for r in rows})
                    uow.commit()
            changed += len(rows)
            if len(rows) < batch:
                break
    return changed
