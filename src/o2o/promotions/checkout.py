"""The bridge orders calls: the offers of a basket, and their redemption in the order's transaction.

- `offers_for` reads, in TWO queries whatever the basket holds: every live automatic promotion of the
  channel (then filtered by store and tier in Python: there are tens, not thousands), and the customer's
  usable coupons with their templates. The engine (`engine.best`) picks from them.
- `redeem` runs inside the order's transaction, after the engine: each applied coupon goes issued -> used
  by ONE conditional UPDATE checked by its row count (`CouponTaken`, 409 `coupon-taken`: another order or
  till used it meanwhile), then each template's and each budgeted promotion's budget by ONE conditional
  UPDATE `spent_fen + :d <= budget_fen` (`BudgetExhausted`, 409 `budget-exhausted`). Rows are touched in
  a fixed order (coupons, then templates, then promotions, each by id) so two orders cannot deadlock.
  One `promotion_use` row per applied offer records what was given (releases and results read them).
- `release_for_order` (cancelled, expired, returned): each use is released once (a conditional UPDATE on
  its row); a coupon is restored to the wallet or forfeited (void) per its template's policy, and the
  budget is given back.

Channels: an order's channel `pos` is the till; every other channel is online.

Every order reads the automatic promotions, which change rarely: each process keeps the live ones of a
database for `PROMOTIONS_TTL` seconds, as engine Offers built once (`_live`). Their windows, stores and
tiers are checked against each basket's `now`, store and tier on every call; an edit through promotions'
service is seen at once in its process (`forget`) and within the TTL in others; a budget is enforced by
`redeem`'s conditional UPDATE whatever the cache holds (an exhausted promotion leaves the cache with it).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.orm import Session

from o2o.kernel.errors import InvalidInput
from o2o.promotions import engine
from o2o.promotions.exceptions import BudgetExhausted, CouponTaken
from o2o.promotions.models import ISSUED, USED, VOID, Coupon, CouponTemplate, Promotion, PromotionUse

TILL_CHANNELS = frozenset({"pos"})
TILL_ONLY_KINDS = frozenset({"service"})  # a free service is redeemed at the till, never in a basket


def channel_side(channel: str) -> str:
    """'till' for the till's channel (pos), 'online' for the others."""
    return "till" if channel in TILL_CHANNELS else "online"


def _yuan(fen: int) -> str:
    return f"{fen / 100:g}" if fen % 100 else str(fen // 100)


def label(rule: Promotion | CouponTemplate) -> tuple[str, str]:
    """The bill's line for a rule: its own label when set, else one made from the rule ("满200减30")."""
    if rule.label_zh and rule.label_en:
        return rule.label_zh, rule.label_en
    k = rule.kind
    if k == "threshold":
        zh = f"{'每满' if rule.repeat else '满'}{_yuan(rule.min_fen)}减{_yuan(rule.off_fen)}"
        en = f"¥{_yuan(rule.off_fen)} off {'every' if rule.repeat else 'over'} ¥{_yuan(rule.min_fen)}"
    elif k == "percent":
        zh = f"{(100 - rule.pct_off) / 10:g}折" + (f"(最多减{_yuan(rule.cap_fen)})" if rule.cap_fen else "")
        en = f"{rule.pct_off}% off" + (f" (up to ¥{_yuan(rule.cap_fen)})" if rule.cap_fen else "")
        if rule.min_fen:
            zh, en = f"满{_yuan(rule.min_fen)}{zh}", f"{en} over ¥{_yuan(rule.min_fen)}"
    elif k == "nth_discount":
        zh, en = f"第{rule.nth}件{(100 - rule.pct_off) / 10:g}折", f"item {rule.nth} at {rule.pct_off}% off"
        if rule.nth == 2 and rule.pct_off == 50:
            zh, en = "第二件半价", "second item half price"
    elif k == "buy_x_get_y":
        zh, en = f"买{rule.buy}送{rule.get}", f"buy {rule.buy} get {rule.get} free"
    elif k == "sale_price":
        zh, en = f"限时价¥{_yuan(rule.price_fen)}", f"sale price ¥{_yuan(rule.price_fen)}"
    elif k == "free_delivery":
        zh = f"满{_yuan(rule.min_fen)}免运费" if rule.min_fen else "免运费"
        en = f"free delivery over ¥{_yuan(rule.min_fen)}" if rule.min_fen else "free delivery"
    elif k == "gift":
        zh = f"满{_yuan(rule.min_fen)}赠品" if rule.min_fen else "赠品"
        en = f"free gift over ¥{_yuan(rule.min_fen)}" if rule.min_fen else "free gift"
    else:
        zh, en = rule.name_zh, rule.name_en
    return rule.label_zh or zh, rule.label_en or en


def to_offer(rule: Promotion | CouponTemplate, key: str, group: str, source: str) -> engine.Offer:
    zh, en = label(rule)
    return engine.Offer(
        key=key, kind=rule.kind, label_zh=zh, label_en=en,
        scope=engine.Scope(frozenset(int(x) for x in rule.sku_ids or ()),
                           frozenset(int(x) for x in rule.category_ids or ())),
        group=group, exclusive=rule.exclusive, min_fen=rule.min_fen, off_fen=rule.off_fen, repeat=rule.repeat,
        pct_off=rule.pct_off, cap_fen=rule.cap_fen, nth=rule.nth, buy=rule.buy, get=rule.get,
        price_fen=rule.price_fen, gift_sku_id=rule.gift_sku_id, source=source)


def coupon_group(t: CouponTemplate) -> str:
    """Coupons of one template never combine (nor coupons of templates sharing a group)."""
    return t.group_code or f"T{t.id}"


def in_scope(rule: Promotion | CouponTemplate, location_id: int | None, tier: str | None) -> bool:
    if rule.location_ids and (location_id is None or location_id not in {int(x) for x in rule.location_ids}):
        return False
    return not rule.tier_codes or (tier or "normal") in rule.tier_codes


@dataclass(frozen=True)
class Basket:
    offers: list[engine.Offer] = field(default_factory=list)
    required: frozenset[str] = frozenset()


PROMOTIONS_TTL = 5.0  # seconds a process keeps a database's live automatic promotions


@dataclass(frozen=True)
class _Live:
    """A live automatic promotion as the cache keeps it: its Offer and what decides where and when."""

    id: int
    offer: engine.Offer
    starts_at: datetime
    ends_at: datetime
    location_ids: frozenset[int]
    tier_codes: frozenset[str]
    budgeted: bool

    def applies(self, now: datetime, location_id: int | None, tier: str | None) -> bool:
        if not self.starts_at <= now < self.ends_at:
            return False
        if self.location_ids and location_id not in self.location_ids:
            return False
        return not self.tier_codes or (tier or "normal") in self.tier_codes


# engine's pool -> side -> (monotonic deadline, the side's live promotions by id)
_cache: weakref.WeakKeyDictionary[object, dict[str, tuple[float, dict[int, _Live]]]] = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def forget() -> None:
    """Drop the cached automatic promotions (promotions' service calls it after changing one)."""
    with _cache_lock:
        _cache.clear()


def _engine_of(s: Session) -> object:
    """The database a session reads: its engine's pool (the read-only engine shares the writers' pool)."""
    bind = s.get_bind()
    return getattr(bind, "engine", bind).pool


def _live(s: Session, channel: str, now: datetime) -> dict[int, _Live]:
    """The side's live automatic promotions by id, from the cache or ONE query (see the module's doc)."""
    side, eng = channel_side(channel), _engine_of(s)
    with _cache_lock:
        hit = _cache.get(eng, {}).get(side)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    stmt = (select(Promotion).where(Promotion.active.is_(True), Promotion.ends_at > now,
                                    Promotion.channel.in_((side, "both")),
                                    or_(Promotion.budget_fen.is_(None), Promotion.spent_fen < Promotion.budget_fen))
            .order_by(Promotion.id))
    found = {p.id: _Live(p.id, to_offer(p, promotion_key(p.id), p.group_code, "promotion"), p.starts_at, p.ends_at,
                         frozenset(int(x) for x in p.location_ids or ()), frozenset(p.tier_codes or ()),
                         p.budget_fen is not None)
             for p in s.scalars(stmt)}
    with _cache_lock:
        _cache.setdefault(eng, {})[side] = (time.monotonic() + PROMOTIONS_TTL, found)
    return found


def _forget_exhausted(s: Session, promotion_id: int) -> None:
    with _cache_lock:
        for entry in _cache.get(_engine_of(s), {}).values():
            entry[1].pop(promotion_id, None)


def live_promotions(s: Session, channel: str, now: datetime) -> list[Promotion]:
    """ONE query: the active automatic promotions of the channel's side whose window covers `now`."""
    stmt = (select(Promotion).where(Promotion.active.is_(True), Promotion.starts_at <= now, Promotion.ends_at > now,
                                    Promotion.channel.in_((channel_side(channel), "both")),
                                    or_(Promotion.budget_fen.is_(None), Promotion.spent_fen < Promotion.budget_fen))
            .order_by(Promotion.id))
    return list(s.scalars(stmt))


# built once (the hot path only binds parameters): the ids of a customer's coupons usable at :now (a
# campaign whose budget is spent gives nothing more: its coupons are not offered)
_WALLET = (select(Coupon.id).join(CouponTemplate, CouponTemplate.id == Coupon.template_id)
           .where(Coupon.customer_id == bindparam("customer_id"), Coupon.status == ISSUED,
                  Coupon.valid_from <= bindparam("now"), Coupon.valid_until > bindparam("now"),
                  CouponTemplate.active.is_(True),
                  or_(CouponTemplate.budget_fen.is_(None), CouponTemplate.spent_fen < CouponTemplate.budget_fen)))


_INSERT_USE = PromotionUse.__table__.insert()  # Core, built once: one executemany per order


def usable_coupons(s: Session, customer_id: int, channel: str | None, now: datetime,
                   ids: Sequence[int] | None = None) -> list[tuple[Coupon, CouponTemplate]]:
    """The customer's issued coupons valid now (of the channel's side when given), with their templates;
    only `ids` when given. Every order asks, and most wallets hold none: ONE light query (ids only, no ORM)
    finds them, and only when there are some a second loads them with their templates."""
    joined = _WALLET
    if channel is not None:
        joined = joined.where(CouponTemplate.channel.in_((channel_side(channel), "both")))
    if ids is not None:
        joined = joined.where(Coupon.id.in_(list(ids)))
    found = [row[0] for row in s.connection().execute(joined, {"customer_id": customer_id, "now": now})]
    if not found:
        return []
    stmt = (select(Coupon, CouponTemplate).join(CouponTemplate, CouponTemplate.id == Coupon.template_id)
            .where(Coupon.id.in_(found)).order_by(Coupon.valid_until, Coupon.id))
    return [(c, t) for c, t in s.execute(stmt)]


def offers_for(s: Session, *, customer_id: int | None, location_id: int | None, channel: str,
               now: datetime, tier: str | None, coupon_ids: Sequence[int] | None) -> Basket:
    """The offers of a basket: live automatic promotions in scope of channel, store, tier and time, plus the
    customer's usable coupons (`coupon_ids` None: every usable coupon in the wallet, the engine picks; []:
    none; [ids]: those, required, and each must be the customer's and usable here, else
    InvalidInput("coupon_ids", why))."""
    offers = [p.offer for p in _live(s, channel, now).values() if p.applies(now, location_id, tier)]
    required: set[str] = set()
    if coupon_ids is not None and len(coupon_ids) == 0:
        return Basket(offers, frozenset())
    if customer_id is None:
        if coupon_ids:
            raise InvalidInput("coupon_ids", "coupons need a signed-in customer")
        return Basket(offers, frozenset())
    asked = None if coupon_ids is None else sorted(set(int(i) for i in coupon_ids))
    found = usable_coupons(s, customer_id, None, now, asked)
    by_id = {c.id: (c, t) for c, t in found}
    for cid in asked or ():
        if cid not in by_id:
            raise InvalidInput("coupon_ids", f"coupon {cid} is not one of your usable coupons")
    for c, t in found:
        why = _unusable(c, t, channel, location_id, tier)
        if why:
            if asked is not None:
                raise InvalidInput("coupon_ids", f"coupon {c.id}: {why}")
            continue
        offers.append(to_offer(t, coupon_key(c.id), coupon_group(t), "coupon"))
        if asked is not None:
            required.add(coupon_key(c.id))
    return Basket(offers, frozenset(required))


def _unusable(c: Coupon, t: CouponTemplate, channel: str, location_id: int | None, tier: str | None) -> str:
    if t.kind in TILL_ONLY_KINDS:
        return "redeemed at a store's till, not in an order"
    if t.channel not in (channel_side(channel), "both"):
        return f"not valid {'at the till' if channel_side(channel) == 'till' else 'online'}"
    if c.store_id is not None and c.store_id != location_id:
        return "valid only at its own store"
    if not in_scope(t, location_id, tier):
        return "not valid at this store or for this tier"
    return ""


def coupon_key(coupon_id: int) -> str:
    """An offer's key for the engine: "C<coupon id>" (a coupon), "P<promotion id>" (a promotion)."""
    return f"C{coupon_id}"


def promotion_key(promotion_id: int) -> str:
    return f"P{promotion_id}"


def coupon_id(key: str) -> int | None:
    return int(key[1:]) if key.startswith("C") and key[1:].isdigit() else None


def promotion_id(key: str) -> int | None:
    return int(key[1:]) if key.startswith("P") and key[1:].isdigit() else None


def redeem(s: Session, result: engine.Result, *, order_id: int, customer_id: int | None, location_id: int,
           now: datetime, order_total_fen: int | None = None) -> None:
    """In the order's transaction (never commits): applied coupons issued -> used, budgets spent, each use
    recorded. Raises CouponTaken / BudgetExhausted (409): the caller rolls the order back.
    `order_total_fen` (optional): the order's total, kept as the GMV the offers drove (results page)."""
    coupons = sorted((cid, a) for a in result.applied if (cid := coupon_id(a.key)) is not None)
    promos = sorted((pid, a) for a in result.applied if (pid := promotion_id(a.key)) is not None)
    uses: list[dict] = []
    spend_t: dict[int, int] = defaultdict(int)
    key_t: dict[int, str] = {}  # template -> the key of (the first of) its coupons on this order
    for cid, a in coupons:
        if customer_id is None:
            raise CouponTaken(f"coupon {cid} needs its customer")
        row = s.execute(update(Coupon).where(
            Coupon.id == cid, Coupon.status == ISSUED, Coupon.customer_id == customer_id, Coupon.valid_from <= now,
            Coupon.valid_until > now, or_(Coupon.store_id.is_(None), Coupon.store_id == location_id))
            .values(status=USED, order_id=order_id, location_id=location_id, used_at=now, discount_fen=a.discount_fen)
            .returning(Coupon.template_id)).first()
        if row is None:
            raise CouponTaken(f"coupon {cid} is no longer usable (used, expired or not valid here)")
        spend_t[int(row[0])] += a.discount_fen
        key_t.setdefault(int(row[0]), a.key)
        uses.append(dict(order_id=order_id, key=a.key, kind=a.kind, promotion_id=None, template_id=int(row[0]),
                         coupon_id=cid, customer_id=customer_id, location_id=location_id, amount_fen=a.discount_fen,
                         order_total_fen=order_total_fen, at=now, released_at=None))
    for tid in sorted(spend_t):
        d = spend_t[tid]
        if d > 0 and s.execute(update(CouponTemplate).where(
                CouponTemplate.id == tid,
                or_(CouponTemplate.budget_fen.is_(None), CouponTemplate.spent_fen + d <= CouponTemplate.budget_fen))
                .values(spent_fen=CouponTemplate.spent_fen + d)).rowcount != 1:  # type: ignore[attr-defined]
            raise BudgetExhausted(f"the coupon's budget cannot cover {d} fen more", key=key_t[tid])
    if promos:
        spend_p = {pid: a.discount_fen for pid, a in promos if a.discount_fen > 0}
        budgeted = _budgeted(s, spend_p)
        for pid in sorted(budgeted):
            d = spend_p[pid]
            if s.execute(update(Promotion).where(Promotion.id == pid, Promotion.spent_fen + d <= Promotion.budget_fen)
                         .values(spent_fen=Promotion.spent_fen + d)).rowcount != 1:  # type: ignore[attr-defined]
                _forget_exhausted(s, pid)
                raise BudgetExhausted(f"the promotion's budget cannot cover {d} fen more", key=promotion_key(pid))
        uses += [dict(order_id=order_id, key=a.key, kind=a.kind, promotion_id=pid, template_id=None, coupon_id=None,
                      customer_id=customer_id, location_id=location_id, amount_fen=a.discount_fen,
                      order_total_fen=order_total_fen, at=now, released_at=None) for pid, a in promos]
    if uses:
        s.connection().execute(_INSERT_USE, uses)  # Core: no ORM execution layer


def _budgeted(s: Session, spend: dict[int, int]) -> set[int]:
    """Which of these promotions have a budget: from the cache when it holds them all, else ONE query."""
    if not spend:
        return set()
    with _cache_lock:
        known: dict[int, _Live] = {}
        for _, entries in _cache.get(_engine_of(s), {}).values():
            known |= entries
    if all(pid in known for pid in spend):
        return {pid for pid in spend if known[pid].budgeted}
    return set(s.scalars(select(Promotion.id).where(Promotion.id.in_(list(spend)), Promotion.budget_fen.is_not(None))))


def release_for_order(s: Session, order_id: int, now: datetime) -> None:
    """A cancelled, expired or (wholly) returned order: each of its uses released once; coupons restored to
    the wallet or void per their template's `on_cancel`; budgets given back. Joins the caller's transaction."""
    rows = list(s.scalars(select(PromotionUse).where(PromotionUse.order_id == order_id,
                                                     PromotionUse.released_at.is_(None)).order_by(PromotionUse.id)))
    back_t: dict[int, int] = defaultdict(int)
    back_p: dict[int, int] = defaultdict(int)
    coupon_ids: list[int] = []
    for u in rows:
        if s.execute(update(PromotionUse).where(PromotionUse.id == u.id, PromotionUse.released_at.is_(None))
                     .values(released_at=now)).rowcount != 1:  # type: ignore[attr-defined]
            continue  # released by a twin delivery meanwhile
        if u.coupon_id is not None:
            coupon_ids.append(u.coupon_id)
            if u.template_id is not None:
                back_t[u.template_id] += u.amount_fen
        elif u.promotion_id is not None:
            back_p[u.promotion_id] += u.amount_fen
    if coupon_ids:
        policy = dict(s.execute(select(Coupon.id, CouponTemplate.on_cancel)
                                .join(CouponTemplate, CouponTemplate.id == Coupon.template_id)
                                .where(Coupon.id.in_(coupon_ids))).all())
        for cid in sorted(coupon_ids):
            values = (dict(status=ISSUED, order_id=None, location_id=None, used_at=None, discount_fen=0)
                      if policy.get(cid) == "restore" else dict(status=VOID))
            s.execute(update(Coupon).where(Coupon.id == cid, Coupon.status == USED, Coupon.order_id == order_id)
                      .values(**values))
    for tid in sorted(back_t):
        d = back_t[tid]
        if d > 0:
            s.execute(update(CouponTemplate).where(CouponTemplate.id == tid, CouponTemplate.spent_fen >= d)
                      .values(spent_fen=CouponTemplate.spent_fen - d))
    for pid in sorted(back_p):
        d = back_p[pid]
        if d > 0:
            s.execute(update(Promotion).where(and_(Promotion.id == pid, Promotion.budget_fen.is_not(None),
                                                   Promotion.spent_fen >= d))
                      .values(spent_fen=Promotion.spent_fen - d))
