"""Promotions and coupons on an order: what `prepare` asks of promotions (the basket's offers, in one
query) and of its best-price engine, and what the bill keeps of it.

- `deal` (read-only, in `prepare`): the basket's offers for the customer, store, channel, tier and time
  (promotions' `checkout.offers_for`: one query), the engine's best combination, and the gifts it gives
  that the store has in stock. No offers, no engine.
- `refuse_unused` (in `place`, before writing): coupons the customer named that the basket does not
  qualify for refuse the order (409 coupon-not-applicable, each with why); `quote` shows them instead.
- `discount_rows`: one `order_discount` row per applied offer (+ the points), their amounts summing to
  the order's discount_fen: goods discounts (spread over lines, `line_discount_fen`), the delivery
  discount, the points.
The coupon and budget redemption runs in `_write` (`checkout.redeem`, in the order's transaction, before
the reservation); a cancelled or expired order gives them back through promotions' own event handlers.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.orm import Session

from o2o.catalog import service as catalog
from o2o.inventory import service as inventory
from o2o.kernel.errors import InvalidInput
from o2o.orders.exceptions import CouponNotApplicable
from o2o.orders.schemas import CouponChoice, DiscountOut, OrderIn, RejectedOffer
from o2o.promotions import checkout as promotions
from o2o.promotions import engine

GIFT_OUT_OF_STOCK = "gift-out-of-stock"


@dataclass(frozen=True)
class Gift:
    sku_id: int
    name: str
    quantity: int
    key: str  # the offer that gives it


@dataclass(frozen=True)
class Deal:
    """The engine's answer for a basket, with the offers it chose from (their labels for the bill)."""

    result: engine.Result
    offers: Mapping[str, engine.Offer]
    required: frozenset[str] = frozenset()  # keys of the coupons the customer named
    gifts: tuple[Gift, ...] = ()
    wallet: tuple[str, ...] = ()  # keys of every usable coupon in the wallet (quote only)
    extra_rejected: tuple[tuple[str, str], ...] = field(default=())

    @property
    def goods_fen(self) -> int:
        return self.result.goods_discount_fen

    @property
    def delivery_fen(self) -> int:
        return self.result.delivery_discount_fen

    def line_fen(self, sku_id: int) -> int:
        return self.result.line_discount_fen.get(sku_id, 0)

    def rejected(self) -> tuple[tuple[str, str], ...]:
        return self.result.rejected + self.extra_rejected


def deal(s: Session, data: OrderIn, location_id: int, tier: str | None, priced: Mapping, lines: Mapping[int, int],
         fee_fen: int, now: datetime, *, choices: bool = False, locale: str = "zh-CN",
         excluded: Collection[str] = ()) -> Deal | None:
    """The best combination of the basket's promotions and coupons (None: nothing on offer). `choices`
    (quote): the wallet's other usable coupons are read too, to be offered instead. `excluded`: offer
    keys left out (their budget ran out while placing)."""
    asked = data.coupon_ids
    wanted = None if choices else asked  # quote reads the whole wallet: the page offers the others
    basket = promotions.offers_for(s, customer_id=data.customer_id, location_id=location_id, channel=data.channel,
                                   now=now, tier=tier, coupon_ids=wanted if data.customer_id is not None else [])
    offers = [o for o in basket.offers if o.key not in excluded] if excluded else list(basket.offers)
    required = frozenset(promotions.coupon_key(i) for i in asked) if asked else frozenset()
    wallet: tuple[str, ...] = ()
    if choices:
        wallet = tuple(o.key for o in offers if o.source == "coupon")
        if asked is not None:
            missing = required - set(wallet)
            if missing:  # not the customer's, or not usable here: the bridge says why (422 naming coupon_ids)
                promotions.offers_for(s, customer_id=data.customer_id, location_id=location_id,
                                      channel=data.channel, now=now, tier=tier, coupon_ids=list(asked))
                raise InvalidInput("coupon_ids", "not usable here: " + ", ".join(sorted(missing)))
            offers = [o for o in offers if o.source != "coupon" or o.key in required]
    if not offers:
        return None
    basket_lines = [engine.Line(k, priced[k].category_id, priced[k].price_fen, q) for k, q in lines.items()]
    result = engine.best(basket_lines, offers, fee_fen, required)
    found = Deal(result, {o.key: o for o in basket.offers}, required, wallet=wallet)
    return _with_gifts(s, found, location_id, data.channel, lines, locale)


def _with_gifts(s: Session, found: Deal, location_id: int, channel: str, lines: Mapping[int, int],
                locale: str) -> Deal:
    """Gifts the store has in stock (beyond the basket's own units of that SKU) become 0-fen lines; a gift
    it has not got is dropped (rejected gift-out-of-stock). Reads only when a gift applies."""
    giving = [a for a in found.result.applied if a.gift_sku_id]
    if not giving:
        return found
    skus = sorted({a.gift_sku_id for a in giving})
    stock = inventory.available(s, [location_id], skus)
    names = catalog.PriceStrategy(s, location_id, channel, locale).price(skus)
    left = {k: stock.get((location_id, k), 0) - lines.get(k, 0) for k in skus}
    gifts, dropped = [], []
    for a in giving:
        p = names.get(a.gift_sku_id)
        if p is not None and p.active and left[a.gift_sku_id] >= 1:
            left[a.gift_sku_id] -= 1
            gifts.append(Gift(a.gift_sku_id, p.name, 1, a.key))
        else:
            dropped.append(a.key)
    if not dropped:
        return replace(found, gifts=tuple(gifts))
    kept = tuple(a for a in found.result.applied if a.key not in dropped)
    return replace(found, result=replace(found.result, applied=kept), gifts=tuple(gifts),
                   extra_rejected=tuple((k, GIFT_OUT_OF_STOCK) for k in dropped))


def refuse_unused(found: Deal | None) -> None:
    """The coupons the customer named must all apply, or the order is not placed (409, each with why)."""
    if found is None or not found.required:
        return
    why = dict(found.rejected())
    unused = sorted(k for k in found.required if k in why or k not in {a.key for a in found.result.applied})
    if unused:
        raise CouponNotApplicable(
            "the basket does not qualify for " + ", ".join(unused),
            coupons=[{"coupon_id": promotions.coupon_id(k), "reason": why.get(k, "worse")} for k in unused])


def applied_out(found: Deal | None) -> list[DiscountOut]:
    """The bill's lines for the applied offers (a gift: 0 fen; free delivery: the fee waived)."""
    if found is None:
        return []
    return [DiscountOut(key=a.key, kind=a.kind, label_zh=a.label_zh, label_en=a.label_en, amount_fen=a.discount_fen)
            for a in found.result.applied]


def points_out(points: int, points_off: int) -> list[DiscountOut]:
    if not points_off:
        return []
    return [DiscountOut(key="points", kind="points", label_zh=f"积分抵扣（{points} 积分）",
                        label_en=f"{points} points", amount_fen=points_off)]


def discount_rows(found: Deal | None, order_id: int, points: int, points_off: int) -> list[dict]:
    return [d.model_dump() | {"order_id": order_id} for d in applied_out(found) + points_out(points, points_off)]


def rejected_out(found: Deal | None) -> list[RejectedOffer]:
    if found is None:
        return []
    out = []
    for key, reason in found.rejected():
        o = found.offers.get(key)
        out.append(RejectedOffer(key=key, label_zh=o.label_zh if o else key, label_en=o.label_en if o else key,
                                 reason=reason))
    return out


def coupon_choices(found: Deal | None) -> list[CouponChoice]:
    """Every usable coupon of the wallet, whether this quote uses it, and why not."""
    if found is None:
        return []
    used = {a.key for a in found.result.applied}
    why = dict(found.rejected())
    out = []
    for key in found.wallet:
        o, cid = found.offers[key], promotions.coupon_id(key)
        if cid is None:
            continue
        out.append(CouponChoice(coupon_id=cid, key=key, label_zh=o.label_zh, label_en=o.label_en,
                                applied=key in used,
                                reason=None if key in used else why.get(key, "not-chosen")))
    return out


def gift_rows(found: Deal | None) -> Sequence[Gift]:
    return found.gifts if found is not None else ()
