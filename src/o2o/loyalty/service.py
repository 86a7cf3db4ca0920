"""Loyalty use cases: tiers, the points ledger, the points mall. The only place that commits.

Functions taking a `Session` join the caller's transaction and never commit (placing an order with
points, a merge of two customers, the relay's handlers); functions taking a `UnitOfWork` are use cases.
Other areas read a member through `summary` and `benefits`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from o2o.customers import service as customers
from o2o.kernel.clock import SystemClock
from o2o.kernel.db import Database
from o2o.kernel.errors import InvalidInput, NotFound
from o2o.kernel.pagination import PageParams
from o2o.kernel.uow import UnitOfWork
from o2o.loyalty import repository as repo
from o2o.loyalty import rules
from o2o.loyalty.exceptions import InsufficientPoints, RewardUnavailable
from o2o.loyalty.models import (
    ADJUST,
    EARN,
    EXPIRE,
    MERGE_IN,
    REDEEM,
    REVERSE_EARN,
    REVERSE_REDEEM,
    TIERS,
    LoyaltyConfig,
    Redemption,
    Reward,
    Tier,
)
from o2o.loyalty.schemas import (
    Benefits,
    EntryOut,
    MemberSummary,
    PointsOut,
    PreviewOut,
    PreviewRow,
    RatesIn,
    RedemptionOut,
    RewardIn,
    RewardOut,
    RulesIn,
    RulesOut,
    TierOut,
    TillRedeemIn,
    TillRedeemOut,
)
from o2o.orders.schemas import OrderFacts

YEAR = timedelta(days=365)  # the tier rules' rolling window
EXPIRING_TOPIC = "loyalty.points_expiring"


@contextmanager
def _reading(source: Database | Session) -> Iterator[Session]:
    if isinstance(source, Session):
        yield source
    else:
        with source.read() as s:
            yield s


# --- reading a member ---------------------------------------------------------------------------

def _tier_of(tiers: list[rules.TierRule], code: str) -> rules.TierRule:
    return next((t for t in tiers if t.code == code), tiers[0])


def _benefits(t: rules.TierRule) -> Benefits:
    return Benefits(tier=t.code, points_multiplier_pct=t.points_multiplier_pct,
                    free_store_delivery=t.free_store_delivery, free_home_service=t.free_home_service,
                    dedicated_service=t.dedicated_service, price_pct=t.price_pct, tier_name_zh=t.name_zh,
                    tier_name_en=t.name_en)


def summary(source: Database | Session, customer_id: int, now: datetime | None = None,
            locale: str = "zh-CN") -> MemberSummary:
    """Tier, balance, points expiring soon, rolling 12-month spend and orders, and what is missing to
    reach the next tier. A customer with no points account yet is a normal member with 0 points."""
    now = now or SystemClock().now()
    with _reading(source) as s:
        tiers, rates = repo.tiers(s), repo.rates(s)
        acct = repo.account(s, customer_id)
        spend, orders = repo.figures(s, customer_id, now - YEAR)
        current = _tier_of(tiers, acct.tier_code if acct else tiers[0].code)
        balance = acct.balance if acct else 0
        soon, soon_at = repo.expiring(s, customer_id, now, now + timedelta(days=rates.expiring_notice_days))
    nxt = rules.next_tier(tiers, current)
    missing_spend = missing_orders = None
    progress = 100
    if nxt is not None:
        shares = []
        if nxt.min_spend_fen > 0:
            missing_spend = max(0, nxt.min_spend_fen - spend)
            shares.append(min(100, spend * 100 // nxt.min_spend_fen))
        if nxt.min_orders > 0:
            missing_orders = max(0, nxt.min_orders - orders)
            shares.append(min(100, orders * 100 // nxt.min_orders))
        progress = max(shares) if shares else 0
    return MemberSummary(
        customer_id=customer_id, tier=current.code, tier_name=current.name(locale),
        tier_since=acct.tier_since if acct else None, review_at=acct.review_at if acct else None,
        balance=balance, points_value_fen=rules.points_value_fen(balance, rates), expiring_points=soon,
        expiring_at=soon_at, spend_12m_fen=spend, orders_12m=orders, next_tier=nxt.code if nxt else None,
        next_tier_name=nxt.name(locale) if nxt else None, missing_spend_fen=missing_spend,
        missing_orders=missing_orders, progress_pct=progress, benefits=_benefits(current))


def benefits(source: Database | Session, customer_id: int | None) -> Benefits:
    """What the member's tier gives (the lowest tier's for no customer): points multiplier, free store
    delivery, free home service, dedicated service, tier price percentage."""
    with _reading(source) as s:
        tiers = repo.tiers(s)
        acct = repo.account(s, customer_id) if customer_id else None
        return _benefits(_tier_of(tiers, acct.tier_code if acct else tiers[0].code))


def members_of_tier(db: Database, tier: str, limit: int = 50_000) -> list[int]:
    """Ids of the members whose account holds `tier` (promotions issue coupons to a tier)."""
    with db.read() as s:
        return repo.members_of_tier(s, tier, limit)


def order_benefits(s: Session, customer_id: int) -> Benefits | None:
    """The benefits an order applies (tier price, free store delivery), read in ONE query: placing and
    quoting an order for a signed-in customer call this once; orders without a customer never do.
    None: there is no such customer (the same query tells)."""
    tier = repo.tier_of_member(s, customer_id)
    return _benefits(tier) if tier is not None else None


@dataclass(frozen=True)
class Offer:
    """What a member may pay with points on a bill: the points and what they take off."""

    balance: int
    points: int
    value_fen: int


def checkout_offer(source: Database | Session, customer_id: int, bill_fen: int, asked: int | None = None) -> Offer:
    """The points a bill of `bill_fen` takes (all the member may use, or at most `asked`)."""
    with _reading(source) as s:
        acct = repo.account(s, customer_id)
        balance = acct.balance if acct else 0
        rates = repo.rates(s)
    n = rules.usable_points(balance if asked is None else min(asked, balance), balance, bill_fen, rates)
    return Offer(balance, n, rules.points_value_fen(n, rates))


def balance_of(source: Database | Session, customer_id: int) -> int:
    with _reading(source) as s:
        acct = repo.account(s, customer_id)
        return acct.balance if acct else 0


def check(source: Database | Session, customer_id: int) -> tuple[int, int, int]:
    """(balance, ledger sum, lots remaining): the three are equal for a consistent member."""
    with _reading(source) as s:
        acct = repo.account(s, customer_id)
        total, remaining = repo.ledger_sum(s, customer_id)
        return (acct.balance if acct else 0), total, remaining


def exists(db: Database, customer_id: int) -> bool:
    with db.read() as s:
        return customers.exists(s, customer_id)


def check_all(db: Database) -> tuple[int, list[tuple[int, int, int, int]]]:
    """(members checked, problems): every member's balance == ledger sum == lots remaining >= 0
    (`o2o check`). A problem is (customer, balance, ledger sum, lots remaining)."""
    with db.read() as s:
        return repo.account_count(s), repo.mismatches(s)


def history(db: Database, customer_id: int, page: PageParams) -> PointsOut:
    with db.read() as s:
        acct = repo.account(s, customer_id)
        rows = repo.history(s, customer_id, page.offset, page.size)
        return PointsOut(balance=acct.balance if acct else 0, entries=[EntryOut.model_validate(e) for e in rows],
                         page=page.page, size=page.size)


# --- the ledger's moves (join the caller's transaction) -----------------------------------------

def credit(s: Session, customer_id: int, kind: str, points: int, now: datetime, *, order_id: int | None = None,
           key: str | None = None, note: str = "", rates: rules.Rates | None = None,
           expires_at: datetime | None = None, locked: bool = False) -> int | None:
    """Add a lot of `points` (expiring at the horizon); once per `key`. Returns the entry id, None when
    the key was used already. `locked`: the caller holds the member's balance row already."""
    rates = rates or repo.rates(s)
    if not locked:
        repo.ensure_account(s, customer_id, now, rates.review_days)
        repo.lock_balance(s, customer_id, now)  # one writer per member from here to COMMIT
    if key is not None and repo.entry_by_key(s, key) is not None:
        return None
    if points > 0:
        repo.add_to_balance(s, customer_id, points, now)
    return repo.insert_entry(s, customer_id=customer_id, kind=kind, points=max(0, points),
                             remaining=max(0, points), order_id=order_id, key=key, note=note[:200],
                             expires_at=expires_at or now + timedelta(days=rates.expiry_days), created_at=now)


def debit(s: Session, customer_id: int, kind: str, points: int, now: datetime, *, order_id: int | None = None,
          key: str | None = None, note: str = "", partial: bool = False) -> tuple[int | None, int]:
    """Take `points` (oldest lots first). All or nothing unless `partial` (a reversal of points already
    spent: take what is there, record the rest as shortfall). Returns (entry id or None when the key was
    used already, points taken). Never below zero: the conditional UPDATE's row count decides."""
    if key is not None and repo.entry_by_key(s, key) is not None:
        return None, 0
    taken = points
    if points > 0 and not repo.take_from_balance(s, customer_id, points, now):
        if not partial:
            raise InsufficientPoints(f"not enough points for {points}", title_values=None)
        taken = repo.lock_balance(s, customer_id, now) if repo.account(s, customer_id) else 0
        taken = min(taken, points)
        if taken and not repo.take_from_balance(s, customer_id, taken, now):
            raise RuntimeError("balance moved under its row lock")
    if taken:
        repo.consume_lots(s, customer_id, taken, prefer_order_id=order_id if kind == REVERSE_EARN else None)
    entry_id = repo.insert_entry(s, customer_id=customer_id, kind=kind, points=-taken, order_id=order_id,
                                 key=key, note=note[:200], shortfall=points - taken, created_at=now)
    return entry_id, taken


# --- tiers ----------------------------------------------------------------------------------------

def _settle_tier(s: Session, customer_id: int, now: datetime, review: bool,
                 tiers: list[rules.TierRule] | None = None, rates: rules.Rates | None = None) -> str:
    """Upgrade when the 12-month figures reach a higher tier; at a review also downgrade. Takes the
    member's balance row lock (creating the row when absent)."""
    tiers, rates = tiers or repo.tiers(s), rates or repo.rates(s)
    repo.ensure_account(s, customer_id, now, rates.review_days)
    repo.lock_balance(s, customer_id, now)
    acct = repo.account(s, customer_id)
    assert acct is not None
    spend, orders = repo.figures(s, customer_id, now - YEAR)
    reached, current = rules.tier_for(tiers, spend, orders), _tier_of(tiers, acct.tier_code)
    if reached.rank > current.rank or (review and reached.rank != current.rank):
        acct.tier_code, acct.tier_since = reached.code, now
        acct.review_at = now + timedelta(days=rates.review_days)
    elif review:
        acct.review_at = now + timedelta(days=rates.review_days)
    s.flush()
    return acct.tier_code


def earn_for_order(uow: UnitOfWork, order: OrderFacts) -> int:
    """A completed order (online or POS) earns points once, however often its completion is delivered:
    the entry's key is per order; its spend counts toward the tier, upgrading at once. Joins the relay's
    transaction when given a JoinedUnitOfWork. Returns the points earned now (0 on a re-delivery)."""
    if order.customer_id is None or order.status != "completed":
        return 0
    s, now = uow.session, uow.clock.now()
    key = f"earn:order:{order.id}"
    if repo.entry_by_key(s, key) is not None:  # a re-delivery: nothing more
        return 0
    at = order.completed_at or now
    if not repo.record_spend(s, order.id, order.customer_id, order.total_fen, at):
        return 0  # counted already (an order that earned nothing)
    tiers, rates = repo.tiers(s), repo.rates(s)
    tier = _settle_tier(s, order.customer_id, now, False, tiers, rates)  # upgrade first: this order counts
    points = rules.points_for(order.total_fen, rates, _tier_of(tiers, tier).points_multiplier_pct)
    if points <= 0:
        return 0
    entry = credit(s, order.customer_id, EARN, points, now, order_id=order.id, key=key, note=order.number,
                   rates=rates, locked=True)
    if entry is None:
        return 0
    uow.publish("loyalty.points_earned", {"customer_id": order.customer_id, "order_id": order.id,
                                          "points": points, "tier": tier})
    return points


def points_discount(s: Session, customer_id: int, points: int, bill_fen: int) -> tuple[int, int]:
    """How many of the asked points a bill takes (at most the cap's share of it, in whole-fen steps) and
    what they take off, in fen. Raises InsufficientPoints when the balance does not hold the asked
    points. Reads only (the order's checkout and `place` before it writes the order)."""
    acct = repo.account(s, customer_id)
    if acct is None or acct.balance < points:
        raise InsufficientPoints(f"the balance does not hold {points} points")
    rates = repo.rates(s)
    used = rules.usable_points(points, points, bill_fen, rates)
    return used, rules.points_value_fen(used, rates)


def redeem_for_order(s: Session, customer_id: int, points: int, order_id: int, number: str, now: datetime) -> None:
    """Joins the order's transaction: take the points `points_discount` allowed, once per order. Raises
    InsufficientPoints when another till or order took them meanwhile (the order is then not placed)."""
    if points > 0:
        debit(s, customer_id, REDEEM, points, now, order_id=order_id, key=f"redeem:order:{order_id}", note=number)


def reverse_order(uow: UnitOfWork, order_id: int, part_fen: int | None = None, whole_fen: int | None = None,
                  ref: str = "all", before_fen: int = 0) -> tuple[int, int]:
    """A cancelled order, or a return of `part_fen` of `whole_fen` after returns of `before_fen` of it: the
    points it earned are taken back and the points it redeemed given back, in proportion (the share of
    everything returned so far less the share of what was returned before, so returns in any number of
    parts reverse exactly all the points once the whole is back). `ref` names this reversal (once per ref).
    Points already spent are not taken below zero: the entry records the shortfall.
    Returns (earned points taken back, redeemed points given back)."""
    s, now = uow.session, uow.clock.now()
    taken = given = 0

    def share(points: int) -> int:
        if part_fen is None:
            return points
        before = max(0, before_fen)
        return (rules.proportion(points, before + part_fen, whole_fen or 0)
                - (rules.proportion(points, before, whole_fen or 0) if before else 0))

    for e in repo.order_entries(s, order_id):
        if e.kind == EARN and e.points > 0:
            n = share(e.points)
            if n > 0:
                _, got = debit(s, e.customer_id, REVERSE_EARN, n, now, order_id=order_id,
                               key=f"reverse_earn:order:{order_id}:{ref}", note=e.note, partial=True)
                taken += got
        elif e.kind == REDEEM and e.points < 0:
            n = share(-e.points)
            if n > 0 and credit(s, e.customer_id, REVERSE_REDEEM, n, now, order_id=order_id,
                                key=f"reverse_redeem:order:{order_id}:{ref}", note=e.note) is not None:
                given += n
    spend = repo.spend_of(s, order_id)
    if spend is not None:
        back = (part_fen if part_fen is not None else spend.amount_fen)
        spend.returned_fen = min(spend.amount_fen, spend.returned_fen + max(0, back))
        s.flush()
    if taken or given:
        uow.publish("loyalty.points_reversed", {"order_id": order_id, "taken": taken, "given": given})
    return taken, given


# --- merge ----------------------------------------------------------------------------------------

def merge_customers(s: Session, from_id: int, into_id: int, now: datetime) -> int:
    """Joins the caller's merge transaction (never commits): every ledger row, spend row and redemption
    of `from_id` moves to `into_id`, the balances add up, the merged-away account row goes, and the
    survivor's tier is settled on the combined figures (upgrade only: a downgrade waits for the review).
    Returns the number of rows moved."""
    if from_id == into_id:
        raise InvalidInput("from_id", "a customer cannot be merged into itself")
    rates = repo.rates(s)
    for cid in sorted((from_id, into_id)):  # lock both balance rows in a fixed order
        repo.ensure_account(s, cid, now, rates.review_days)
        repo.lock_balance(s, cid, now)
    moved_balance = repo.lock_balance(s, from_id, now)
    moved = repo.move_rows(s, from_id, into_id)
    repo.drop_account(s, from_id)
    if moved_balance:
        repo.add_to_balance(s, into_id, moved_balance, now)
    repo.insert_entry(s, customer_id=into_id, kind=MERGE_IN, points=0, note=f"merged customer {from_id}",
                      created_at=now)
    _settle_tier(s, into_id, now, review=False)
    return moved


# --- use cases (commit) ---------------------------------------------------------------------------

def adjust(uow: UnitOfWork, customer_id: int, points: int, note: str) -> int:
    """An operator's correction (audited by the route's unit of work); a debit never goes below zero."""
    with uow:
        s, now = uow.session, uow.clock.now()
        if not customers.exists(s, customer_id):
            raise NotFound("customer", customer_id)
        if points >= 0:
            credit(s, customer_id, ADJUST, points, now, note=note)
        else:
            repo.ensure_account(s, customer_id, now, repo.rates(s).review_days)
            debit(s, customer_id, ADJUST, -points, now, note=note)
        uow.describe(f"customer={customer_id}", points=points)
        uow.commit()
    return balance_of(uow.db, customer_id)


def redeem_at_till(uow: UnitOfWork, store_id: int | None, data: TillRedeemIn) -> TillRedeemOut:
    """Points as cash off at a till, idempotent by the till's client key (a re-send returns the first
    answer). Two tills at once: the conditional UPDATE lets only what fits through."""
    key = f"till:{store_id or 0}:{data.client_key}"
    for _ in range(2):
        with uow:
            s, now = uow.session, uow.clock.now()
            if not customers.exists(s, data.customer_id):
                raise InvalidInput("customer_id", f"no customer {data.customer_id}")
            rates = repo.rates(s)
            done = repo.entry_by_key(s, key)
            if done is None:
                used = rules.usable_points(data.points, data.points, data.bill_fen, rates)
                if used <= 0:
                    raise InvalidInput("points", "no points usable on this bill (cap or step)")
                try:
                    entry_id, _ = debit(s, data.customer_id, REDEEM, used, now, key=key,
                                        note=f"till store {store_id or '-'}")
                    uow.describe(f"customer={data.customer_id}", points=used)
                    uow.commit()
                except IntegrityError:
                    uow.rollback()
                    continue  # the same key, at the same moment, from a re-send: read the first answer
                return TillRedeemOut(customer_id=data.customer_id, points=used,
                                     discount_fen=rules.points_value_fen(used, rates),
                                     balance=balance_of(uow.db, data.customer_id), entry_id=entry_id or 0)
            if done.customer_id != data.customer_id:
                raise InvalidInput("client_key", "this key was used for another customer")
            return TillRedeemOut(customer_id=done.customer_id, points=-done.points,
                                 discount_fen=rules.points_value_fen(-done.points, rates),
                                 balance=balance_of(s, done.customer_id), entry_id=done.id)
    raise InsufficientPoints("the redemption could not be recorded; retry with the same key")


def _reward_out(r: Reward, locale: str) -> RewardOut:
    return RewardOut(id=r.id, kind=r.kind, name=r.name_en if locale.startswith("en") else r.name_zh,
                     name_zh=r.name_zh, name_en=r.name_en, points_cost=r.points_cost, stock=r.stock, active=r.active)


def rewards(db: Database, locale: str = "zh-CN", active_only: bool = True) -> list[RewardOut]:
    with db.read() as s:
        return [_reward_out(r, locale) for r in repo.rewards(s, active_only)]


def add_reward(uow: UnitOfWork, data: RewardIn) -> RewardOut:
    with uow:
        r = Reward(**data.model_dump(), created_at=uow.clock.now())
        uow.session.add(r)
        uow.session.flush()
        uow.describe(f"reward={r.id}")
        out = _reward_out(r, "zh-CN")
        uow.commit()
        return out


def redeem_reward(uow: UnitOfWork, customer_id: int, reward_id: int, key: str | None = None,
                  locale: str = "zh-CN") -> RedemptionOut:
    """Points for a reward: one unit of stock (conditional UPDATE) and the points (conditional UPDATE),
    both or neither; a voucher code for the member. Idempotent by `key` when given."""
    scoped = f"reward:{customer_id}:{key}" if key else None
    with uow:
        s, now = uow.session, uow.clock.now()
        if scoped and (done := repo.redemption_by_key(s, scoped)) is not None:
            return _redemption_out(s, done, locale)
        reward = s.get(Reward, reward_id)
        if reward is None or not reward.active:
            raise NotFound("reward", reward_id)
        cost, name = reward.points_cost, reward.name_en if locale.startswith("en") else reward.name_zh
        if not repo.take_stock(s, reward_id):
            raise RewardUnavailable("this reward is out of stock")
        acct = repo.account(s, customer_id)
        if acct is None or acct.balance < cost:
            raise InsufficientPoints(f"{cost} points needed")
        entry_id, _ = debit(s, customer_id, REDEEM, cost, now, note=f"reward {reward_id}")
        red = Redemption(reward_id=reward_id, customer_id=customer_id, points=cost,
                         code=secrets.token_hex(5).upper(), key=scoped, created_at=now)
        s.add(red)
        s.flush()
        uow.publish("loyalty.reward_redeemed", {"customer_id": customer_id, "reward_id": reward_id,
                                                "redemption_id": red.id, "entry_id": entry_id})
        out = RedemptionOut(id=red.id, reward_id=reward_id, reward_name=name, points=cost, code=red.code,
                            balance=int(repo.account(s, customer_id).balance), created_at=now)  # type: ignore[union-attr]
        uow.commit()
        return out


def _redemption_out(s: Session, r: Redemption, locale: str) -> RedemptionOut:
    reward = s.get(Reward, r.reward_id)
    name = (reward.name_en if locale.startswith("en") else reward.name_zh) if reward else ""
    return RedemptionOut(id=r.id, reward_id=r.reward_id, reward_name=name, points=r.points, code=r.code,
                         balance=balance_of(s, r.customer_id), created_at=r.created_at)


def redemptions(db: Database, customer_id: int, locale: str = "zh-CN") -> list[RedemptionOut]:
    with db.read() as s:
        return [_redemption_out(s, r, locale) for r in repo.redemptions_of(s, customer_id)]


# --- periodic jobs (the worker) -------------------------------------------------------------------

def expire_due(uow_factory: Callable[[], UnitOfWork], db: Database, limit: int = 200) -> int:
    """Lots past their horizon lose what is left of them: one `expire` entry per member, one
    transaction each. Returns the points expired."""
    first = uow_factory()
    with db.read() as s:
        due = repo.due_lots(s, first.clock.now(), limit)
    total = 0
    for customer_id in due:
        uow = uow_factory()
        with uow:
            s, now = uow.session, uow.clock.now()
            repo.lock_balance(s, customer_id, now)
            n = repo.expire_lots(s, customer_id, now)
            if n:
                if not repo.take_from_balance(s, customer_id, n, now):
                    raise RuntimeError(f"customer {customer_id}: lots hold more than the balance")
                repo.insert_entry(s, customer_id=customer_id, kind=EXPIRE, points=-n, note="expired",
                                  created_at=now)
                uow.publish("loyalty.points_expired", {"customer_id": customer_id, "points": n})
            uow.commit()
            total += n
    return total


def notify_expiring(uow_factory: Callable[[], UnitOfWork], limit: int = 500) -> int:
    """`loyalty.points_expiring` once per lot, `expiring_notice_days` ahead: one event per member with
    the points and the first date."""
    uow = uow_factory()
    with uow:
        s, now = uow.session, uow.clock.now()
        until = now + timedelta(days=repo.rates(s).expiring_notice_days)
        rows = repo.unnotified_expiring(s, now, until, limit)
        for customer_id, points, first in rows:
            repo.mark_notified(s, customer_id, now, until)
            uow.publish(EXPIRING_TOPIC, {"customer_id": customer_id, "points": points,
                                         "expires_at": first.isoformat()})
        uow.commit()
    return len(rows)


def review_tiers(uow_factory: Callable[[], UnitOfWork], db: Database, limit: int = 500) -> int:
    """Members whose review date has come get the tier their 12-month figures reach (down too), and a
    new review date. Returns how many changed tier."""
    first = uow_factory()
    with db.read() as s:
        due = repo.due_reviews(s, first.clock.now(), limit)
    changed = 0
    for customer_id in due:
        uow = uow_factory()
        with uow:
            acct = repo.account(uow.session, customer_id)
            before = acct.tier_code if acct else None
            after = _settle_tier(uow.session, customer_id, uow.clock.now(), review=True)
            if before != after:
                uow.publish("loyalty.tier_changed", {"customer_id": customer_id, "from": before, "to": after})
                changed += 1
            uow.commit()
    return changed


def periodic(uow_factory: Callable[[], UnitOfWork], db: Database) -> None:
    """The worker's round: expiry, the expiring-soon notices, tier reviews."""
    expire_due(uow_factory, db)
    notify_expiring(uow_factory)
    review_tiers(uow_factory, db)


# --- rules (admin) --------------------------------------------------------------------------------

def _tier_out(t: rules.TierRule) -> TierOut:
    return TierOut(**t.__dict__)


def get_rules(db: Database) -> RulesOut:
    with db.read() as s:
        r = repo.rates(s)
        return RulesOut(tiers=[_tier_out(t) for t in repo.tiers(s)], rates=RatesIn(**r.__dict__))


def _proposed(s: Session, data: RulesIn) -> tuple[list[rules.TierRule], rules.Rates]:
    names = {t.code: t for t in repo.tiers(s)}
    defaults = {t.code: t for t in rules.default_tiers()}
    out = []
    for t in data.tiers:
        base = names.get(t.code) or defaults[t.code]
        out.append(rules.TierRule(t.code, base.rank, base.name_zh, base.name_en, **t.model_dump(exclude={"code"})))
    codes = [t.code for t in out]
    if sorted(codes) != sorted(TIERS):
        raise InvalidInput("tiers", "give each of normal, silver, gold and diamond once")
    ranked = sorted(out, key=lambda t: t.rank)
    for lower, higher in zip(ranked[1:], ranked[2:], strict=False):
        if (higher.min_spend_fen and lower.min_spend_fen > higher.min_spend_fen) or \
                (higher.min_orders and lower.min_orders > higher.min_orders):
            raise InvalidInput("tiers", f"{higher.code} must not be easier to reach than {lower.code}")
    return out, rules.Rates(**data.rates.model_dump())


def set_rules(uow: UnitOfWork, data: RulesIn) -> RulesOut:
    """Replace the tier rules and the points rates (the route's unit of work audits it, old and new)."""
    with uow:
        s, now = uow.session, uow.clock.now()
        before = get_rules_in(s)
        tiers, rates = _proposed(s, data)
        for t in tiers:
            row = s.get(Tier, t.code) or Tier(code=t.code)
            for k, v in t.__dict__.items():
                setattr(row, k, v)
            row.updated_at = now
            s.add(row)
        cfg = s.get(LoyaltyConfig, 1) or LoyaltyConfig(id=1)
        for k, v in rates.__dict__.items():
            setattr(cfg, k, v)
        cfg.updated_at = now
        s.add(cfg)
        uow.describe("loyalty_rules", before=before, after=data.model_dump(mode="json"))
        uow.publish("loyalty.rules_changed", {"at": now.isoformat()})
        uow.commit()
    return get_rules(uow.db)


def get_rules_in(s: Session) -> dict:
    r = repo.rates(s)
    return {"tiers": [{k: v for k, v in t.__dict__.items() if k not in ("rank", "name_zh", "name_en")}
                      for t in repo.tiers(s)], "rates": r.__dict__}


def preview(db: Database, data: RulesIn, now: datetime) -> PreviewOut:
    """Last month's members (who had qualifying spend in the last 30 days), tiered by their 12-month
    figures under the current and the proposed rules, and the points last month's spend earned under
    each (at each rule's multiplier)."""
    until, since = now, now - timedelta(days=30)
    with db.read() as s:
        cur_tiers, cur_rates = repo.tiers(s), repo.rates(s)
        new_tiers, new_rates = _proposed(s, data)
        month = {c: amount for c, amount, _ in repo.all_figures(s, since, until)}
        year = {c: (a, n) for c, a, n in repo.all_figures(s, now - YEAR, until) if c in month}
    counts_now = {t.code: 0 for t in cur_tiers}
    counts_new = {t.code: 0 for t in new_tiers}
    pts_now = pts_new = 0
    for c, (spend, n) in year.items():
        a, b = rules.tier_for(cur_tiers, spend, n), rules.tier_for(new_tiers, spend, n)
        counts_now[a.code] = counts_now.get(a.code, 0) + 1
        counts_new[b.code] = counts_new.get(b.code, 0) + 1
        pts_now += rules.points_for(month[c], cur_rates, a.points_multiplier_pct)
        pts_new += rules.points_for(month[c], new_rates, b.points_multiplier_pct)
    return PreviewOut(since=since, until=until, members=len(year),
                      tiers=[PreviewRow(tier=t.code, members_now=counts_now.get(t.code, 0),
                                        members_new=counts_new.get(t.code, 0)) for t in cur_tiers],
                      points_now=pts_now, points_new=pts_new)
