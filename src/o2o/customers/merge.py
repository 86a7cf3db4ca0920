"""Merging two customers who turn out to be one person.

Every row pointing at the merged-away customer moves to the survivor in the caller's transaction:
this area's own tables (identities, addresses, favorites, browsing) here; other areas' tables through
merge steps that the composition root registers (`register_step`: a cart joins the survivor's cart,
a password or a points ledger has rules of its own), so this area imports none of them; and any other
table with a `customer_id` column (orders, or a table added later) by a plain UPDATE, found by walking
the SQLAlchemy metadata. The merged-away row stays as a tombstone (`merged_into_id`), its phone and
email handed to the survivor when the survivor has none; a `customer_merge` row records who, when,
why and how many rows moved per table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.orm import Session, aliased

from o2o.customers.models import Address, BrowsingView, Customer, CustomerMerge, Favorite, Identity
from o2o.kernel.db import Base
from o2o.kernel.errors import Conflict, NotFound

# (session, from_id, into_id, now) -> rows moved (or merged into the survivor's)
MergeStep = Callable[[Session, int, int, datetime], int]


@dataclass(frozen=True)
class _Registered:
    fn: MergeStep
    tables: tuple[str, ...]  # the tables with a customer_id column that this step takes care of


_STEPS: dict[str, _Registered] = {}
OWN_TABLES = ("customer_identity", "address", "customer_favorite", "customer_browsing")


def register_step(name: str, fn: MergeStep, tables: tuple[str, ...]) -> None:
    """Called by the composition root (o2o.bootstrap); registering a name again replaces it."""
    _STEPS[name] = _Registered(fn, tables)


def steps() -> dict[str, tuple[str, ...]]:
    return {name: r.tables for name, r in _STEPS.items()}


def customer_tables() -> list[str]:
    """Every table with a customer_id column (the metadata of every imported model)."""
    return sorted(t.name for t in Base.metadata.sorted_tables if "customer_id" in t.c)


def _lock_pair(s: Session, a: int, b: int) -> dict[int, Customer]:
    """Both rows locked, lower id first (two merges of the same pair cannot deadlock)."""
    found = {c.id: c for c in s.scalars(select(Customer).where(Customer.id.in_(sorted({a, b})))
                                        .order_by(Customer.id).with_for_update())}
    for ident in (a, b):
        if ident not in found:
            raise NotFound("customer", ident)
    return found


class MergeRefused(Conflict):
    kind = "merge-refused"


def merge_in(s: Session, survivor_id: int, merged_id: int, actor: str, reason: str,
             now: datetime) -> tuple[CustomerMerge, bool]:
    """Joins the caller's transaction. Returns the merge record and whether it is new: merging a
    customer already merged into this survivor returns the first record (a retry), anything else that
    is no longer a live pair is refused."""
    if survivor_id == merged_id:
        raise MergeRefused("a customer cannot be merged into itself")
    pair = _lock_pair(s, survivor_id, merged_id)
    survivor, merged = pair[survivor_id], pair[merged_id]
    if merged.merged_into_id is not None:
        if merged.merged_into_id == survivor_id:
            record = s.scalar(select(CustomerMerge).where(CustomerMerge.merged_id == merged_id))
            if record is not None:
                return record, False
        raise MergeRefused(f"customer {merged_id} was already merged into customer {merged.merged_into_id}")
    if survivor.merged_into_id is not None:
        raise MergeRefused(f"customer {survivor_id} was merged into customer {survivor.merged_into_id}: "
                           "merge into that one")
    if survivor.erased_at is not None or merged.erased_at is not None:
        raise MergeRefused("an erased customer cannot be merged")
    moved: dict[str, int] = {}
    _contacts_as_identities(s, merged, now)
    _move_contacts(s, survivor, merged)
    moved.update(_move_own(s, merged_id, survivor_id))
    covered = set(OWN_TABLES)
    for name, step in sorted(_STEPS.items()):
        n = step.fn(s, merged_id, survivor_id, now)
        moved[name] = n
        covered.update(step.tables)
    for table in Base.metadata.sorted_tables:
        if "customer_id" in table.c and table.name not in covered:
            n = s.execute(update(table).where(table.c.customer_id == merged_id)
                          .values(customer_id=survivor_id)).rowcount
            moved[table.name] = n
    merged.merged_into_id = survivor_id
    # tombstones already pointing at the merged customer now point at the survivor (a chain stays one hop)
    s.execute(update(Customer).where(Customer.merged_into_id == merged_id, Customer.id != merged_id)
              .values(merged_into_id=survivor_id))
    record = CustomerMerge(survivor_id=survivor_id, merged_id=merged_id, reason=reason[:200], actor=actor[:120],
                           moved={k: v for k, v in sorted(moved.items())}, created_at=now)
    s.add(record)
    s.flush()
    return record, True


def _contacts_as_identities(s: Session, c: Customer, now: datetime) -> None:
    """The merged row's phone and email (a profile from before identities) become identity rows, so
    that they still find the survivor when the survivor keeps a phone or email of its own."""
    for kind, value, digest in (("phone", c.phone, c.phone_hash), ("email", c.email, c.email_hash)):
        if value and digest and s.scalar(select(Identity.id).where(Identity.kind == kind,
                                                                    Identity.value_hash == digest)) is None:
            s.add(Identity(customer_id=c.id, kind=kind, value_hash=digest, value=value, verified_at=None,
                           created_at=now))
    s.flush()


def _move_contacts(s: Session, survivor: Customer, merged: Customer) -> None:
    """Phone and email are unique: the merged row gives them up; the survivor takes them if it has none."""
    phone, phone_hash, email, email_hash = merged.phone, merged.phone_hash, merged.email, merged.email_hash
    merged.phone = merged.phone_hash = merged.email = merged.email_hash = None
    s.flush()
    if survivor.phone_hash is None and phone_hash is not None:
        survivor.phone, survivor.phone_hash = phone, phone_hash
    if survivor.email_hash is None and email_hash is not None:
        survivor.email, survivor.email_hash = email, email_hash
    if survivor.home_lat is None and merged.home_lat is not None:
        survivor.home_lat, survivor.home_lng = merged.home_lat, merged.home_lng


def _move_own(s: Session, from_id: int, into_id: int) -> dict[str, int]:
    moved = {
        "customer_identity": s.execute(update(Identity).where(Identity.customer_id == from_id)
                                       .values(customer_id=into_id)).rowcount,
        "address": s.execute(update(Address).where(Address.customer_id == from_id)
                             .values(customer_id=into_id)).rowcount,
    }
    # favorites and browsing are one row per (customer, target): move those the survivor lacks, drop the rest
    mine = aliased(Favorite)
    moved["customer_favorite"] = s.execute(
        update(Favorite).where(Favorite.customer_id == from_id, ~exists().where(and_(
            mine.customer_id == into_id, mine.kind == Favorite.kind, mine.target_id == Favorite.target_id)))
        .values(customer_id=into_id).execution_options(synchronize_session=False)).rowcount
    s.execute(delete(Favorite).where(Favorite.customer_id == from_id))
    seen = aliased(BrowsingView)
    moved["customer_browsing"] = s.execute(
        update(BrowsingView).where(BrowsingView.customer_id == from_id, ~exists().where(and_(
            seen.customer_id == into_id, seen.product_id == BrowsingView.product_id)))
        .values(customer_id=into_id).execution_options(synchronize_session=False)).rowcount
    s.execute(delete(BrowsingView).where(BrowsingView.customer_id == from_id))
    return moved


def resolve(s: Session, customer_id: int) -> int:
    """The live customer a (possibly merged-away) id stands for."""
    target = s.scalar(select(Customer.merged_into_id).where(Customer.id == customer_id))
    return target or customer_id


def merges_of(s: Session, customer_id: int) -> list[CustomerMerge]:
    return list(s.scalars(select(CustomerMerge).where(
        (CustomerMerge.survivor_id == customer_id) | (CustomerMerge.merged_id == customer_id))
        .order_by(CustomerMerge.id)))
