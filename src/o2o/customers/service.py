"""Customers: a minimal profile and addresses (accounts and members come later).

Phone, email and addresses are encrypted at rest; phone and email are found through their keyed
lookup hash. Services return plaintext: masking for callers without pii:read happens at the route.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from o2o.catalog import service as catalog
from o2o.customers import merge as merging
from o2o.customers import repository as repo
from o2o.customers.models import Address, Customer, Favorite, Identity
from o2o.customers.schemas import (
    AddressIn,
    AddressOut,
    BrowsingOut,
    CustomerExport,
    CustomerIn,
    CustomerOut,
    FavoriteOut,
    IdentityOut,
    MergeOut,
)
from o2o.kernel import pii
from o2o.kernel.db import Database
from o2o.kernel.errors import Conflict, NotFound
from o2o.kernel.lookups import get_or_404
from o2o.kernel.uow import UnitOfWork
from o2o.locations import service as locations

ERASED_NAME = "已注销用户{id}"
ERASED_PRECISION = 2  # decimals of latitude/longitude kept after erasure (about 1 km)


def _hash(value: str | None, kind: str) -> str | None:
    return pii.lookup_hash(value, kind) if value else None


def _flush_unique(session: Session) -> None:
    """Flush; a clash on a lookup hash is a 409 naming the field (phone or email)."""
    try:
        session.flush()
    except IntegrityError as exc:
        field = "email" if "email_hash" in str(exc.orig) else "phone"
        raise Conflict(f"{field} already registered", field=field) from exc


def create(uow: UnitOfWork, data: CustomerIn) -> CustomerOut:
    with uow:
        s = uow.session
        if find_by_phone(s, data.phone) is not None:
            raise Conflict("phone already registered", field="phone")
        if data.email and find_by_email(s, data.email) is not None:
            raise Conflict("email already registered", field="email")
        c = Customer(**data.model_dump(), phone_hash=_hash(data.phone, "phone"),
                     email_hash=_hash(data.email, "email"), created_at=uow.clock.now())
        s.add(c)
        _flush_unique(s)  # a concurrent registration of the same phone lands here
        _add_identity(s, c.id, "phone", data.phone, uow.clock.now(), verified=False)
        if data.email:
            _add_identity(s, c.id, "email", data.email, uow.clock.now(), verified=False)
        out = CustomerOut.model_validate(c)
        uow.describe(f"customer={c.id}")
        uow.publish("customers.created", {"customer_id": c.id})
        uow.commit()
        return out


def sign_up(session: Session, phone: str, name: str, now: datetime) -> int:
    """Joins the caller's transaction: the customer with this phone, created when absent. Publishes nothing."""
    found = find_by_phone(session, phone)
    if found is not None:
        return found
    c = Customer(name=name, phone=phone, phone_hash=pii.lookup_hash(phone), created_at=now)
    try:
        with session.begin_nested():  # a concurrent sign-up with the same phone: take the winner's row
            session.add(c)
            session.flush()
            _add_identity(session, c.id, "phone", phone, now, verified=True)
    except IntegrityError:
        found = find_by_phone(session, phone)
        if found is None:
            raise
        return found
    return c.id


def find_by_phone(session: Session, phone: str) -> int | None:
    """The (live) customer with this phone: their own phone, or a phone identity (one moved in by a merge)."""
    try:
        digest = pii.lookup_hash(phone, "phone")
    except ValueError:
        return None
    found = repo.id_by_hash(session, Customer.phone_hash, digest)
    return found if found is not None else repo.identity_owner(session, "phone", digest)


def find_by_email(session: Session, email: str) -> int | None:
    try:
        digest = pii.lookup_hash(email, "email")
    except ValueError:
        return None
    found = repo.id_by_hash(session, Customer.email_hash, digest)
    return found if found is not None else repo.identity_owner(session, "email", digest)


def get(db: Database, customer_id: int) -> CustomerOut:
    with db.read() as s:
        return CustomerOut.model_validate(get_or_404(s, Customer, customer_id, "customer"))


def add_address(uow: UnitOfWork, customer_id: int, data: AddressIn) -> AddressOut:
    with uow:
        get_or_404(uow.session, Customer, customer_id, "customer")
        a = Address(customer_id=customer_id, **data.model_dump(), created_at=uow.clock.now())
        uow.session.add(a)
        uow.session.flush()
        out = AddressOut.model_validate(a)
        uow.commit()
        return out


def addresses(db: Database, customer_id: int) -> list[AddressOut]:
    with db.read() as s:
        return [AddressOut.model_validate(a) for a in repo.addresses_of(s, customer_id)]


def exists(session: Session, customer_id: int) -> bool:
    """Is there such a customer (its id only: placing an order asks this, sealed columns stay sealed)."""
    return session.scalar(select(Customer.id).where(Customer.id == customer_id)) is not None


def existing(session: Session, customer_ids: Iterable[int]) -> set[int]:
    """Which of these customer ids exist, in one query (a till's offline upload names many members)."""
    ids = sorted(set(customer_ids))
    return set(session.scalars(select(Customer.id).where(Customer.id.in_(ids)))) if ids else set()


def address_of(session: Session, customer_id: int, address_id: int) -> AddressOut:
    a = session.get(Address, address_id)
    if a is None or a.customer_id != customer_id:
        raise NotFound("address", address_id)
    return AddressOut.model_validate(a)


def newest_address(session: Session, customer_id: int) -> AddressOut | None:
    """Joins the caller's session (couriers: where a return is picked up): the address saved last, if any."""
    found = repo.addresses_of(session, customer_id)
    return AddressOut.model_validate(found[-1]) if found else None


def phone_of(session: Session, customer_id: int) -> str | None:
    c = session.get(Customer, customer_id)
    return c.phone if c else None


def export(db: Database, customer_id: int) -> dict[str, Any]:
    """The customer's own data in plaintext (profile and addresses), as a JSON-ready document."""
    with db.read() as s:
        c = get_or_404(s, Customer, customer_id, "customer")
        out = CustomerExport.model_validate(c)
        out.addresses = [AddressOut.model_validate(a) for a in repo.addresses_of(s, customer_id)]
        doc = out.model_dump(mode="json")
        doc["identities"] = [_identity_out(i).model_dump(mode="json") for i in repo.identities_of(s, customer_id)]
        doc["favorites"] = [FavoriteOut.model_validate(f).model_dump(mode="json")
                            for f in repo.favorites_of(s, customer_id)]
        doc["browsing"] = [BrowsingOut.model_validate(b).model_dump(mode="json")
                           for b in repo.browsing_of(s, customer_id, BROWSING_KEEP)]
    return doc


def erase(uow: UnitOfWork, customer_id: int) -> bool:
    """Pseudonymise: the row stays (orders and ledgers keep pointing at it), the person goes.

    Name becomes 已注销用户{id}; phone, email and their lookup hashes are cleared (the old phone no
    longer finds them, and may register again), every identity (openids, card numbers) is deleted and so
    are follows and recent views; addresses lose recipient, phone and line, and every
    coordinate is rounded to ~1 km. Publishes customers.erased. False (and nothing changes) when the
    customer was already erased. Other areas' copies (an order's ship-to) are erased by the caller
    in the same unit of work (`uow.before_commit`) or by a handler of customers.erased.
    """
    with uow:
        s = uow.session
        c = repo.lock(s, customer_id)
        if c is None:
            raise NotFound("customer", customer_id)
        if c.erased_at is not None:
            return False
        c.name = ERASED_NAME.format(id=c.id)
        c.phone = c.phone_hash = c.email = c.email_hash = None
        c.home_lat, c.home_lng = _coarse(c.home_lat), _coarse(c.home_lng)
        c.erased_at = uow.clock.now()
        for a in repo.addresses_of(s, customer_id):
            a.recipient = a.phone = a.line = ""
            a.door = None
            a.lat, a.lng = round(a.lat, ERASED_PRECISION), round(a.lng, ERASED_PRECISION)
        # identities (phone, openids, card: the old ones may sign up again), follows and views go
        repo.forget_activity(s, customer_id)
        uow.publish("customers.erased", {"customer_id": customer_id})
        uow.commit()
        return True


def _coarse(x: float | None) -> float | None:
    return None if x is None else round(x, ERASED_PRECISION)


# --- identities ------------------------------------------------------------------------------

PLATFORM_NAMES = {"wechat_openid": "微信用户", "douyin_openid": "抖音用户"}


def _add_identity(s: Session, customer_id: int, kind: str, value: str, now: datetime,
                  verified: bool) -> int:
    """Attach (kind, value) to the customer unless someone holds it already; returns the holder's id
    (this customer's, or the other one's: the caller decides whether that proves a merge)."""
    digest = pii.lookup_hash(value, kind)
    row = repo.identity(s, kind, digest, lock=True)
    if row is None:
        try:
            with s.begin_nested():  # a concurrent attach of the same identity: the winner holds it
                s.add(Identity(customer_id=customer_id, kind=kind, value_hash=digest, value=value,
                               verified_at=now if verified else None, created_at=now))
                s.flush()
            return customer_id
        except IntegrityError:
            row = repo.identity(s, kind, digest, lock=True)
            if row is None:
                raise
    if row.customer_id == customer_id and verified and row.verified_at is None:
        row.verified_at = now
    return merging.resolve(s, row.customer_id)


def find_by_identity(session: Session, kind: str, value: str) -> int | None:
    """The live customer recognised by this identity (phone and email also by the profile's own columns)."""
    if kind == "phone":
        return find_by_phone(session, value)
    if kind == "email":
        return find_by_email(session, value)
    try:
        return repo.identity_owner(session, kind, pii.lookup_hash(value, kind))
    except ValueError:
        return None


def platform_sign_in(session: Session, kind: str, openid: str, unionid: str | None,
                     now: datetime) -> tuple[int, bool, MergeOut | None]:
    """Joins the caller's transaction: the customer a platform's openid (or, failing it, its unionid)
    stands for, created when new (an unverified customer: no phone yet). When the openid and the unionid
    the platform vouches for belong to two customers, they are one person: the newer is merged into the
    older. Returns (id, created, the merge if one happened)."""
    for k, v in ((kind, openid), ("wechat_unionid", unionid)):
        if v:
            found = find_by_identity(session, k, v)
            if found is not None:
                merge = None
                holder = _add_identity(session, found, kind, openid, now, verified=True)
                if unionid:
                    other = _add_identity(session, found, "wechat_unionid", unionid, now, verified=True)
                    holder = other if other != found else holder
                if holder != found:
                    survivor, merged = min(found, holder), max(found, holder)
                    record, _ = merging.merge_in(session, survivor, merged, f"system: {kind} and unionid",
                                                 "the platform's openid and unionid belong to one person", now)
                    merge, found = MergeOut.model_validate(record), survivor
                repo.touch_identity(session, kind, pii.lookup_hash(openid, kind), now)
                return found, False, merge
    try:
        with session.begin_nested():  # the same openid signing in twice at once: one customer
            c = Customer(name=PLATFORM_NAMES.get(kind, "用户"), created_at=now)
            session.add(c)
            session.flush()
            session.add(Identity(customer_id=c.id, kind=kind, value_hash=pii.lookup_hash(openid, kind), value=openid,
                                 verified_at=now, created_at=now, last_used_at=now))
            session.flush()
    except IntegrityError:
        found = find_by_identity(session, kind, openid)
        if found is None:
            raise
        return found, False, None
    if unionid:
        _add_identity(session, c.id, "wechat_unionid", unionid, now, verified=True)
    return c.id, True, None


def link_phone(session: Session, customer_id: int, phone: str, now: datetime, actor: str) -> tuple[int, MergeOut | None]:
    """Joins the caller's transaction, after the caller verified the phone (an SMS code). The phone
    becomes the customer's; when another customer holds it already, that proves they are one person:
    the signed-in customer is merged into the phone's holder, who survives. Returns (survivor, merge)."""
    owner = find_by_phone(session, phone)
    if owner is not None and owner != customer_id:
        record, _ = merging.merge_in(session, owner, customer_id, actor, "verified phone held by the survivor", now)
        _add_identity(session, owner, "phone", phone, now, verified=True)
        return owner, MergeOut.model_validate(record)
    c = session.get(Customer, customer_id)
    if c is None:
        raise NotFound("customer", customer_id)
    if c.phone_hash is None:
        c.phone, c.phone_hash = phone, pii.lookup_hash(phone, "phone")
        session.flush()
    _add_identity(session, customer_id, "phone", phone, now, verified=True)
    return customer_id, None


def add_identity(uow: UnitOfWork, customer_id: int, kind: str, value: str) -> IdentityOut:
    """Staff attach an identity (a POS member card handed over at the till); one someone else holds is a 409."""
    with uow:
        s, now = uow.session, uow.clock.now()
        c = get_or_404(s, Customer, customer_id, "customer")
        if c.merged_into_id is not None:
            raise Conflict(f"customer {customer_id} was merged into customer {c.merged_into_id}", field="customer")
        holder = _add_identity(s, customer_id, kind, value, now, verified=False)
        if holder != customer_id:
            raise Conflict(f"this {kind} belongs to another customer", field="value")
        row = repo.identity(s, kind, pii.lookup_hash(value, kind))
        assert row is not None
        out = _identity_out(row)
        uow.describe(f"customer={customer_id}", kind=kind)
        uow.commit()
        return out


def _identity_out(row: Identity) -> IdentityOut:
    return IdentityOut(kind=row.kind, value=row.value, verified=row.verified_at is not None,
                       created_at=row.created_at, last_used_at=row.last_used_at)


def identities(db: Database, customer_id: int) -> list[IdentityOut]:
    """Every identity, the profile's phone and email included (customers from before identities existed)."""
    with db.read() as s:
        rows = [_identity_out(r) for r in repo.identities_of(s, customer_id)]
        c = s.get(Customer, customer_id)
        have = {(r.kind, r.value) for r in rows}
        if c is not None:
            for kind, value in (("phone", c.phone), ("email", c.email)):
                if value and (kind, value) not in have:
                    rows.insert(0, IdentityOut(kind=kind, value=value, verified=False, created_at=c.created_at,
                                               last_used_at=None))
        return rows


def pos_card_of(db: Database, customer_id: int) -> str | None:
    with db.read() as s:
        return next((r.value for r in repo.identities_of(s, customer_id) if r.kind == "pos_card"), None)


def resolve(db: Database, customer_id: int) -> int:
    with db.read() as s:
        return merging.resolve(s, customer_id)


# --- merging ---------------------------------------------------------------------------------

register_merge_step = merging.register_step
customer_tables = merging.customer_tables


def merge(uow: UnitOfWork, survivor_id: int, merged_id: int, actor: str, reason: str) -> MergeOut:
    """An operator merges `merged_id` into `survivor_id` (one transaction; a retry returns the first merge)."""
    with uow:
        record, new = merging.merge_in(uow.session, survivor_id, merged_id, actor, reason or "operator merge",
                                       uow.clock.now())
        out = MergeOut.model_validate(record)
        if new:
            uow.describe(f"customer={survivor_id},merged={merged_id}", moved=out.moved, reason=out.reason)
            uow.publish("customers.merged", {"survivor_id": survivor_id, "merged_id": merged_id})
            uow.commit()
        return out


def merges(db: Database, customer_id: int) -> list[MergeOut]:
    with db.read() as s:
        get_or_404(s, Customer, customer_id, "customer")
        return [MergeOut.model_validate(m) for m in merging.merges_of(s, customer_id)]


# --- member code: a QR that changes every minute ----------------------------------------------

MEMBER_CODE_STEP_S = 60
_MEMBER_CODE = re.compile(r"^M([1-9][0-9]{0,18})-([0-9a-f]{16})$")


def _minute(now: datetime) -> int:
    return int(now.timestamp()) // MEMBER_CODE_STEP_S


def _member_mac(customer_id: int, minute: int) -> str:
    return pii.lookup_hash(f"{customer_id}:{minute}", "member-code")[:16]  # 64 bits of a keyed HMAC


def member_code(customer_id: int, now: datetime) -> str:
    """M<customer id>-<16 hex of an HMAC over id and minute>: valid this minute and the next."""
    return f"M{customer_id}-{_member_mac(customer_id, _minute(now))}"


def resolve_member_code(code: str, now: datetime) -> int | None:
    """The customer id a member code names, if it was made this minute or the one before; else None."""
    m = _MEMBER_CODE.match(code.strip()) if isinstance(code, str) and len(code) <= 48 else None
    if m is None:
        return None
    customer_id = int(m.group(1))
    if customer_id > 2**63 - 1:
        return None
    minute = _minute(now)
    ok = [hmac.compare_digest(m.group(2), _member_mac(customer_id, k)) for k in (minute, minute - 1)]
    return customer_id if any(ok) else None


def find_member(db: Database, *, phone: str | None = None, card: str | None = None, code: str | None = None,
                now: datetime) -> int | None:
    """A live customer found by phone, POS member card number or member code (the console look-up)."""
    with db.read() as s:
        found: int | None = None
        if code:
            cid = resolve_member_code(code, now)
            found = merging.resolve(s, cid) if cid is not None and s.get(Customer, cid) is not None else None
        elif phone:
            found = find_by_phone(s, phone)
        elif card:
            found = find_by_identity(s, "pos_card", card)
        return found


# --- favorites (关注) and recent browsing -----------------------------------------------------

BROWSING_KEEP = 50


def set_favorite(uow: UnitOfWork, customer_id: int, kind: str, target_id: int, on: bool) -> bool:
    """Follow or unfollow a product or store; returns whether it is followed now (repeats change nothing)."""
    with uow:
        s = uow.session
        row = repo.favorite(s, customer_id, kind, target_id)
        if on and row is None:
            try:
                with s.begin_nested():
                    s.add(Favorite(customer_id=customer_id, kind=kind, target_id=target_id,
                                   created_at=uow.clock.now()))
                    s.flush()
            except IntegrityError:
                pass  # a concurrent follow of the same target: already there
        elif not on and row is not None:
            s.delete(row)
        uow.commit()
        return on


def is_favorite(db: Database, customer_id: int, kind: str, target_id: int) -> bool:
    with db.read() as s:
        return repo.favorite(s, customer_id, kind, target_id) is not None


def favorites(db: Database, customer_id: int) -> list[FavoriteOut]:
    with db.read() as s:
        return [FavoriteOut.model_validate(f) for f in repo.favorites_of(s, customer_id)]


def record_view(uow: UnitOfWork, customer_id: int, product_id: int) -> None:
    """A signed-in customer looked at a product (one short upsert; the oldest views past BROWSING_KEEP go)."""
    with uow:
        repo.record_view(uow.session, customer_id, product_id, uow.clock.now(), BROWSING_KEEP)
        uow.commit()


def browsing(db: Database, customer_id: int, limit: int = BROWSING_KEEP) -> list[BrowsingOut]:
    with db.read() as s:
        return [BrowsingOut.model_validate(b) for b in repo.browsing_of(s, customer_id, min(limit, BROWSING_KEEP))]


def merged_into(db: Database, customer_id: int) -> int | None:
    with db.read() as s:
        c = get_or_404(s, Customer, customer_id, "customer")
        return c.merged_into_id


def check_target(db: Database, kind: str, target_id: int) -> None:
    """404 unless the product or store to follow exists."""
    if kind == "product":
        catalog.get_product(db, target_id)
    else:
        locations.get(db, target_id)
