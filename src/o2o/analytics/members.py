"""The member list of the back-office: customers with their tier, orders and channels, filtered.

Like the rest of analytics it reads other areas' tables as lightweight Core tables (no model imports):
customer, sales_order and points_account. A customer without a points account is a `normal` member;
merged-away and erased customers are not listed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, column, func, select, table
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from o2o.kernel.db import UTCDateTime
from o2o.kernel.pii import Encrypted

customers = table("customer", column("id", BigInteger), column("name", Encrypted()), column("phone", Encrypted()),
                  column("created_at", UTCDateTime()), column("merged_into_id", BigInteger),
                  column("erased_at", UTCDateTime()))
orders = table("sales_order", column("customer_id", BigInteger), column("channel", String),
               column("created_at", UTCDateTime()))
accounts = table("points_account", column("customer_id", BigInteger), column("tier_code", String),
                 column("balance", Integer))
DEFAULT_TIER = "normal"
BATCH = 1000


@dataclass(frozen=True, slots=True)
class MemberFilter:
    tier: str | None = None
    since: datetime | None = None  # joined at or after (UTC)
    until: datetime | None = None  # joined before (UTC)
    has_orders: bool | None = None
    channel: str | None = None  # has ordered through this channel


@dataclass(frozen=True, slots=True)
class MemberRow:
    id: int
    name: str
    phone: str | None  # plaintext: the page masks it
    joined_at: datetime
    tier: str
    points: int
    orders: int
    last_order_at: datetime | None
    channels: tuple[str, ...]


def _query(f: MemberFilter) -> Select:
    per = select(orders.c.customer_id, func.count().label("n"), func.max(orders.c.created_at).label("last")) \
        .where(orders.c.customer_id.is_not(None))
    if f.channel:
        per = per.where(orders.c.channel == f.channel)
    agg = per.group_by(orders.c.customer_id).subquery()
    tier = func.coalesce(accounts.c.tier_code, DEFAULT_TIER)
    q = (select(customers.c.id, customers.c.name, customers.c.phone, customers.c.created_at, tier.label("tier"),
                func.coalesce(accounts.c.balance, 0).label("points"), func.coalesce(agg.c.n, 0).label("n"),
                agg.c.last)
         .select_from(customers.outerjoin(accounts, accounts.c.customer_id == customers.c.id)
                      .outerjoin(agg, agg.c.customer_id == customers.c.id))
         .where(customers.c.merged_into_id.is_(None), customers.c.erased_at.is_(None)))
    if f.tier:
        q = q.where(tier == f.tier)
    if f.since:
        q = q.where(customers.c.created_at >= f.since)
    if f.until:
        q = q.where(customers.c.created_at < f.until)
    if f.has_orders is True or f.channel:
        q = q.where(agg.c.n.is_not(None))
    elif f.has_orders is False:
        q = q.where(agg.c.n.is_(None))
    return q


def _rows(s: Session, found: list) -> list[MemberRow]:
    ids = [r.id for r in found]
    channels: dict[int, list[str]] = {}
    if ids:
        for cid, channel in s.execute(select(orders.c.customer_id, orders.c.channel).distinct()
                                      .where(orders.c.customer_id.in_(ids)).order_by(orders.c.channel)):
            channels.setdefault(cid, []).append(channel)
    return [MemberRow(id=r.id, name=r.name, phone=r.phone, joined_at=r.created_at, tier=r.tier, points=r.points,
                      orders=r.n, last_order_at=r.last, channels=tuple(channels.get(r.id, ())))
            for r in found]


def search(s: Session, f: MemberFilter, offset: int, limit: int) -> tuple[list[MemberRow], int]:
    q = _query(f)
    total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
    found = list(s.execute(q.order_by(customers.c.id.desc()).offset(offset).limit(limit)))
    return _rows(s, found), total


def lines(s: Session, f: MemberFilter) -> Iterator[MemberRow]:
    """Every matching member, in batches (for the CSV export)."""
    last = None
    while True:
        q = _query(f)
        if last is not None:
            q = q.where(customers.c.id < last)
        found = list(s.execute(q.order_by(customers.c.id.desc()).limit(BATCH)))
        if not found:
            return
        yield from _rows(s, found)
        last = found[-1].id
