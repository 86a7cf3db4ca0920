"""Customer queries. Never commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from o2o.customers.models import Address, BrowsingView, Customer, Favorite, Identity


def addresses_of(session: Session, customer_id: int) -> list[Address]:
    return list(session.scalars(select(Address).where(Address.customer_id == customer_id).order_by(Address.id)))


def id_by_hash(session: Session, column: Any, digest: str) -> int | None:
    """The customer whose lookup hash (Customer.phone_hash or Customer.email_hash) is digest."""
    return session.scalar(select(Customer.id).where(column == digest))


def lock(session: Session, customer_id: int) -> Customer | None:
    return session.scalars(select(Customer).where(Customer.id == customer_id).with_for_update()).first()


def identity(session: Session, kind: str, digest: str, lock: bool = False) -> Identity | None:
    stmt = select(Identity).where(Identity.kind == kind, Identity.value_hash == digest)
    return session.scalars(stmt.with_for_update() if lock else stmt).first()


def identity_owner(session: Session, kind: str, digest: str) -> int | None:
    """The live customer holding this identity (identities move with a merge; a tombstone is followed anyway)."""
    row = session.execute(select(Identity.customer_id, Customer.merged_into_id)
                          .join(Customer, Customer.id == Identity.customer_id)
                          .where(Identity.kind == kind, Identity.value_hash == digest)).first()
    return None if row is None else (row[1] or row[0])


def identities_of(session: Session, customer_id: int) -> list[Identity]:
    return list(session.scalars(select(Identity).where(Identity.customer_id == customer_id)
                                .order_by(Identity.kind, Identity.id)))


def favorites_of(session: Session, customer_id: int) -> list[Favorite]:
    return list(session.scalars(select(Favorite).where(Favorite.customer_id == customer_id)
                                .order_by(Favorite.created_at.desc(), Favorite.id.desc())))


def favorite(session: Session, customer_id: int, kind: str, target_id: int) -> Favorite | None:
    return session.scalars(select(Favorite).where(Favorite.customer_id == customer_id, Favorite.kind == kind,
                                                  Favorite.target_id == target_id)).first()


def browsing_of(session: Session, customer_id: int, limit: int) -> list[BrowsingView]:
    return list(session.scalars(select(BrowsingView).where(BrowsingView.customer_id == customer_id)
                                .order_by(BrowsingView.viewed_at.desc(), BrowsingView.id.desc()).limit(limit)))


def record_view(session: Session, customer_id: int, product_id: int, now: datetime, keep: int) -> None:
    """One upsert (the latest view per product), then the views past the newest `keep` go."""
    insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(BrowsingView)
    stmt = insert.values(customer_id=customer_id, product_id=product_id, viewed_at=now)
    session.execute(stmt.on_conflict_do_update(index_elements=["customer_id", "product_id"],
                                               set_={"viewed_at": stmt.excluded.viewed_at}))
    cutoff = (select(BrowsingView.viewed_at).where(BrowsingView.customer_id == customer_id)
              .order_by(BrowsingView.viewed_at.desc()).offset(keep - 1).limit(1).scalar_subquery())
    session.execute(delete(BrowsingView).where(BrowsingView.customer_id == customer_id,
                                               BrowsingView.viewed_at < cutoff))


def touch_identity(session: Session, kind: str, digest: str, now: datetime) -> None:
    session.execute(update(Identity).where(Identity.kind == kind, Identity.value_hash == digest)
                    .values(last_used_at=now))


def forget_activity(session: Session, customer_id: int) -> None:
    """Erasure: the customer's identities, follows and recent views are deleted."""
    for model in (Identity, Favorite, BrowsingView):
        session.execute(delete(model).where(model.customer_id == customer_id))
