"""Loyalty queries and the ledger's primitive moves. Never commits: the caller's transaction does.

A debit is one conditional UPDATE of the member's balance row (`balance >= :n`), checked by its row
count, so two tills redeeming at once cannot take the balance below zero; the lots it consumes are
updated while that row lock is held. A credit first takes the row lock (an UPDATE), then inserts its
lot. Several members in one transaction (a merge) are locked in customer-id order.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from o2o.loyalty import rules
from o2o.loyalty.models import (
    LoyaltyConfig,
    PointsAccount,
    PointsEntry,
    Redemption,
    Reward,
    Spend,
    Tier,
)


def tiers(s: Session) -> list[rules.TierRule]:
    rows = list(s.scalars(select(Tier).order_by(Tier.rank)))
    if not rows:
        return rules.default_tiers()
    return [rules.TierRule(t.code, t.rank, t.name_zh, t.name_en, t.min_spend_fen, t.min_orders,
                           t.points_multiplier_pct, t.free_store_delivery, t.free_home_service,
                           t.dedicated_service, t.price_pct) for t in rows]


_TIER_OF_MEMBER = text(
    "SELECT m.code, t.rank, t.name_zh, t.name_en, t.min_spend_fen, t.min_orders, t.points_multiplier_pct,"
    " t.free_store_delivery, t.free_home_service, t.dedicated_service, t.price_pct"
    " FROM (SELECT COALESCE((SELECT tier_code FROM points_account WHERE customer_id = :c), 'normal') AS code"
    " FROM customer WHERE customer.id = :c) m"
    " LEFT JOIN loyalty_tier t ON t.code = m.code")


def tier_of_member(s: Session, customer_id: int) -> rules.TierRule | None:
    """The member's tier rule in ONE query (the account's tier code joined to its rule row; normal
    without an account; the default rule when the tiers were never configured), None when there is no
    such customer (the customer's row is read by id only: placing an order asks no other query to
    know the customer exists)."""
    row = s.connection().execute(_TIER_OF_MEMBER, {"c": customer_id}).first()
    if row is None:
        return None
    if row.rank is None:
        return next((t for t in rules.default_tiers() if t.code == row.code), rules.default_tiers()[0])
    return rules.TierRule(row.code, row.rank, row.name_zh, row.name_en, row.min_spend_fen, row.min_orders,
                          row.points_multiplier_pct, bool(row.free_store_delivery), bool(row.free_home_service),
                          bool(row.dedicated_service), row.price_pct)


def rates(s: Session) -> rules.Rates:
    c = s.get(LoyaltyConfig, 1)
    if c is None:
        return rules.Rates()
    return rules.Rates(c.earn_points_per_yuan, c.redeem_points_per_yuan, c.redeem_cap_pct, c.expiry_days,
                       c.expiring_notice_days, c.review_days)


def ensure_account(s: Session, customer_id: int, now: datetime, review_days: int) -> None:
    """The member's balance row, created at 0 / normal when absent (concurrent creators: one wins)."""
    values = dict(customer_id=customer_id, balance=0, tier_code="normal", tier_since=now,
                  review_at=now + timedelta(days=review_days), updated_at=now)
    dialect = s.get_bind().dialect.name
    if dialect == "postgresql":
        stmt = postgresql.insert(PointsAccount).values(**values).on_conflict_do_nothing()
    else:
        stmt = sqlite.insert(PointsAccount).values(**values).on_conflict_do_nothing()
    s.execute(stmt)


def account(s: Session, customer_id: int, lock: bool = False) -> PointsAccount | None:
    stmt = select(PointsAccount).where(PointsAccount.customer_id == customer_id)
    if lock and s.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return s.scalars(stmt).first()


def entry_by_key(s: Session, key: str) -> PointsEntry | None:
    return s.scalars(select(PointsEntry).where(PointsEntry.key == key)).first()


def add_to_balance(s: Session, customer_id: int, points: int, now: datetime) -> None:
    """Credit (takes the row lock)."""
    s.execute(update(PointsAccount).where(PointsAccount.customer_id == customer_id)
              .values(balance=PointsAccount.balance + points, updated_at=now))


def take_from_balance(s: Session, customer_id: int, points: int, now: datetime) -> bool:
    """Debit, only if it fits: one conditional UPDATE, its row count says whether it did."""
    result = s.execute(update(PointsAccount)
                       .where(PointsAccount.customer_id == customer_id, PointsAccount.balance >= points)
                       .values(balance=PointsAccount.balance - points, updated_at=now))
    return result.rowcount == 1  # type: ignore[attr-defined]


def lock_balance(s: Session, customer_id: int, now: datetime) -> int:
    """Take the row lock (a no-op UPDATE) and read the balance under it."""
    s.execute(update(PointsAccount).where(PointsAccount.customer_id == customer_id).values(updated_at=now))
    return int(s.scalar(select(PointsAccount.balance).where(PointsAccount.customer_id == customer_id)) or 0)


def insert_entry(s: Session, **values: object) -> int:
    values.setdefault("remaining", 0)
    values.setdefault("shortfall", 0)
    values.setdefault("note", "")
    return int(s.execute(insert(PointsEntry).values(**values).returning(PointsEntry.id)).scalar_one())


def consume_lots(s: Session, customer_id: int, points: int, prefer_order_id: int | None = None) -> None:
    """Take `points` from the member's lots: the order's own lot first when given, then oldest-first
    (soonest to expire). The caller holds the balance row's lock and has checked the points are there."""
    stmt = (select(PointsEntry.id, PointsEntry.remaining, PointsEntry.order_id)
            .where(PointsEntry.customer_id == customer_id, PointsEntry.remaining > 0)
            .order_by(PointsEntry.expires_at, PointsEntry.id))
    lots = list(s.execute(stmt))
    if prefer_order_id is not None:
        lots.sort(key=lambda r: r.order_id != prefer_order_id)  # stable: the rest stay oldest-first
    left = points
    for lot in lots:
        if left <= 0:
            break
        take = min(left, lot.remaining)
        s.execute(update(PointsEntry).where(PointsEntry.id == lot.id)
                  .values(remaining=PointsEntry.remaining - take))
        left -= take
    if left > 0:
        raise RuntimeError(f"points lots of customer {customer_id} short by {left}: ledger inconsistent")


def order_entries(s: Session, order_id: int) -> list[PointsEntry]:
    return list(s.scalars(select(PointsEntry).where(PointsEntry.order_id == order_id).order_by(PointsEntry.id)))


def due_lots(s: Session, now: datetime, limit: int) -> list[int]:
    """Members with lots past their expiry that still hold points."""
    stmt = (select(PointsEntry.customer_id).where(PointsEntry.expires_at <= now, PointsEntry.remaining > 0)
            .group_by(PointsEntry.customer_id).order_by(PointsEntry.customer_id).limit(limit))
    return list(s.scalars(stmt))


def expire_lots(s: Session, customer_id: int, now: datetime) -> int:
    stmt = select(PointsEntry.id, PointsEntry.remaining).where(
        PointsEntry.customer_id == customer_id, PointsEntry.expires_at <= now, PointsEntry.remaining > 0)
    total = 0
    for lot in list(s.execute(stmt)):
        s.execute(update(PointsEntry).where(PointsEntry.id == lot.id).values(remaining=0))
        total += lot.remaining
    return total


def expiring(s: Session, customer_id: int, now: datetime, until: datetime) -> tuple[int, datetime | None]:
    row = s.execute(select(func.coalesce(func.sum(PointsEntry.remaining), 0), func.min(PointsEntry.expires_at))
                    .where(PointsEntry.customer_id == customer_id, PointsEntry.remaining > 0,
                           PointsEntry.expires_at > now, PointsEntry.expires_at <= until)).one()
    return int(row[0]), row[1]


def unnotified_expiring(s: Session, now: datetime, until: datetime, limit: int) -> list[tuple[int, int, datetime]]:
    """(customer, points, first date) of lots expiring by `until` whose notice has not gone out."""
    stmt = (select(PointsEntry.customer_id, func.sum(PointsEntry.remaining), func.min(PointsEntry.expires_at))
            .where(PointsEntry.remaining > 0, PointsEntry.expires_at > now, PointsEntry.expires_at <= until,
                   PointsEntry.notified_at.is_(None))
            .group_by(PointsEntry.customer_id).order_by(PointsEntry.customer_id).limit(limit))
    return [(int(c), int(p), d) for c, p, d in s.execute(stmt)]


def mark_notified(s: Session, customer_id: int, now: datetime, until: datetime) -> None:
    s.execute(update(PointsEntry).where(PointsEntry.customer_id == customer_id, PointsEntry.remaining > 0,
                                        PointsEntry.expires_at <= until, PointsEntry.notified_at.is_(None))
              .values(notified_at=now))


def history(s: Session, customer_id: int, offset: int, limit: int) -> list[PointsEntry]:
    return list(s.scalars(select(PointsEntry).where(PointsEntry.customer_id == customer_id)
                          .order_by(PointsEntry.id.desc()).offset(offset).limit(limit)))


def ledger_sum(s: Session, customer_id: int) -> tuple[int, int]:
    """(sum of points, sum of lots' remaining) of a member's entries."""
    row = s.execute(select(func.coalesce(func.sum(PointsEntry.points), 0),
                           func.coalesce(func.sum(PointsEntry.remaining), 0))
                    .where(PointsEntry.customer_id == customer_id)).one()
    return int(row[0]), int(row[1])


def mismatches(s: Session, limit: int = 100) -> list[tuple[int, int, int, int]]:
    """(customer, balance, ledger sum, lots remaining) of members where the three differ or any is
    below zero; members with entries but no balance row count with balance 0."""
    sums = (select(PointsEntry.customer_id.label("cid"), func.sum(PointsEntry.points).label("total"),
                   func.sum(PointsEntry.remaining).label("lots"))
            .group_by(PointsEntry.customer_id).subquery())
    bal = func.coalesce(PointsAccount.balance, 0)
    total, lots = func.coalesce(sums.c.total, 0), func.coalesce(sums.c.lots, 0)
    rows = []
    for stmt in (select(PointsAccount.customer_id, bal, total, lots)
                 .select_from(PointsAccount).outerjoin(sums, sums.c.cid == PointsAccount.customer_id),
                 select(sums.c.cid, bal, total, lots).select_from(sums)
                 .outerjoin(PointsAccount, PointsAccount.customer_id == sums.c.cid)
                 .where(PointsAccount.customer_id.is_(None))):
        for c, b, t_, l_ in s.execute(stmt):
            if not (int(b) == int(t_) == int(l_) >= 0):
                rows.append((int(c), int(b), int(t_), int(l_)))
    return rows[:limit]


def account_count(s: Session) -> int:
    return int(s.scalar(select(func.count()).select_from(PointsAccount)) or 0)


# --- spend, for the tier rules ------------------------------------------------------------------

def record_spend(s: Session, order_id: int, customer_id: int, amount_fen: int, at: datetime) -> bool:
    if s.get(Spend, order_id) is not None:
        return False
    s.add(Spend(order_id=order_id, customer_id=customer_id, amount_fen=amount_fen, returned_fen=0, at=at))
    s.flush()
    return True


def spend_of(s: Session, order_id: int) -> Spend | None:
    return s.get(Spend, order_id)


def figures(s: Session, customer_id: int, since: datetime) -> tuple[int, int]:
    """(spend in fen, orders) of the member since `since` (returns taken off)."""
    net = Spend.amount_fen - Spend.returned_fen
    row = s.execute(select(func.coalesce(func.sum(net), 0), func.count())
                    .where(Spend.customer_id == customer_id, Spend.at >= since, net > 0)).one()
    return int(row[0]), int(row[1])


def all_figures(s: Session, since: datetime, until: datetime) -> list[tuple[int, int, int]]:
    """(customer, spend, orders) of every member with spend in [since, until]."""
    net = Spend.amount_fen - Spend.returned_fen
    stmt = (select(Spend.customer_id, func.sum(net), func.count())
            .where(Spend.at >= since, Spend.at <= until, net > 0).group_by(Spend.customer_id))
    return [(int(c), int(a), int(n)) for c, a, n in s.execute(stmt)]


def due_reviews(s: Session, now: datetime, limit: int) -> list[int]:
    return list(s.scalars(select(PointsAccount.customer_id).where(PointsAccount.review_at <= now)
                          .order_by(PointsAccount.customer_id).limit(limit)))


# --- points mall --------------------------------------------------------------------------------

def take_stock(s: Session, reward_id: int) -> bool:
    result = s.execute(update(Reward).where(Reward.id == reward_id, Reward.active.is_(True), Reward.stock >= 1)
                       .values(stock=Reward.stock - 1))
    return result.rowcount == 1  # type: ignore[attr-defined]


def rewards(s: Session, active_only: bool = True) -> list[Reward]:
    stmt = select(Reward).order_by(Reward.points_cost, Reward.id)
    if active_only:
        stmt = stmt.where(Reward.active.is_(True))
    return list(s.scalars(stmt))


def redemption_by_key(s: Session, key: str) -> Redemption | None:
    return s.scalars(select(Redemption).where(Redemption.key == key)).first()


def redemptions_of(s: Session, customer_id: int, limit: int = 20) -> list[Redemption]:
    return list(s.scalars(select(Redemption).where(Redemption.customer_id == customer_id)
                          .order_by(Redemption.id.desc()).limit(limit)))


# --- merge --------------------------------------------------------------------------------------

def move_rows(s: Session, from_id: int, into_id: int) -> int:
    n = 0
    for model in (PointsEntry, Spend, Redemption):
        n += s.execute(update(model).where(model.customer_id == from_id).values(customer_id=into_id)).rowcount  # type: ignore[attr-defined]
    return n


def drop_account(s: Session, customer_id: int) -> None:
    s.execute(delete(PointsAccount).where(PointsAccount.customer_id == customer_id))


def members_of_tier(s: Session, tier: str, limit: int) -> list[int]:
    """Customers whose account holds `tier` (the normal tier: also customers with no account yet are
    normal, but are not listed here)."""
    return list(s.scalars(select(PointsAccount.customer_id).where(PointsAccount.tier_code == tier)
                          .order_by(PointsAccount.customer_id).limit(limit)))
