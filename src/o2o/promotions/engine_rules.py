"""Per-kind rules of the best-price engine and the whole-fen allocation (the semantics are in engine.py).

Every rule takes what each line still has to pay (`rem`, fen for the whole line, lines in sku_id order) and
returns (reason, goods, delivery): reason None when the offer applies, else "threshold" (its minimum, or the
number of units it needs, is not reached) or "worse" (it would take nothing off); goods = [(line index, fen)].
Each rule is monotone: with less still to pay it never takes more off (up to the rounding slack `slack`
adds), which is what makes the standalone figure an upper bound for the search.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import lcm
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from o2o.promotions.engine import Offer

THRESHOLD, WORSE = "threshold", "worse"
NONE: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Basket:
    """The lines in sku_id order, as parallel tuples (index i = the i-th smallest sku_id)."""

    skus: tuple[int, ...]
    cats: tuple[int, ...]
    qty: tuple[int, ...]
    rem0: tuple[int, ...]      # line totals before any offer
    fee: int                   # delivery fee in fen


def scoped(o: Offer, b: Basket) -> tuple[int, ...]:
    """Indices of the lines in the offer's scope (a line is in scope if its SKU or its category is named)."""
    s, c = o.scope.sku_ids, o.scope.category_ids
    if not s and not c:
        return tuple(range(len(b.skus)))
    return tuple(i for i in range(len(b.skus)) if b.skus[i] in s or b.cats[i] in c)


def spread(amount: int, idxs: tuple[int, ...], rem: Any, skus: tuple[int, ...]) -> list[tuple[int, int]]:
    """Split `amount` over the lines `idxs` in proportion to what each still has to pay, in whole fen, by
    largest remainder (ties: smaller sku_id first: `idxs` ascend and lines are in sku_id order, `skus`).
    amount <= sum(rem[idxs]) so no line goes below 0."""
    w = 0
    for i in idxs:
        w += rem[i]
    if amount <= 0 or w <= 0:
        return []
    shares, rests = [], []
    for i in idxs:
        q, r = divmod(amount * rem[i], w)
        shares.append(q)
        rests.append(r)
    left = amount - sum(shares)
    if left:        # a stable sort: equal remainders keep the lines' order, the smaller sku_id first
        for k in sorted(range(len(idxs)), key=rests.__getitem__, reverse=True)[:left]:
            shares[k] += 1
    return [(i, d) for i, d in zip(idxs, shares, strict=True) if d]


def _sale_price(o: Offer, idxs: tuple[int, ...], rem: Any, b: Basket) -> tuple[str | None, Any]:
    if o.price_fen <= 0:
        return WORSE, NONE
    goods = [(i, rem[i] - o.price_fen * b.qty[i]) for i in idxs if rem[i] > o.price_fen * b.qty[i]]
    return (None, goods) if goods else (WORSE, NONE)


def _nth_discount(o: Offer, idxs: tuple[int, ...], rem: Any, b: Basket) -> tuple[str | None, Any]:
    if o.nth < 1 or o.pct_off <= 0:
        return WORSE, NONE
    pct = min(o.pct_off, 100)
    goods, reached = [], False
    for i in idxs:
        q = b.qty[i]
        if q >= o.nth:
            reached = True
            d = rem[i] * (q // o.nth) * pct // (100 * q)
            if d:
                goods.append((i, d))
    if not reached:
        return THRESHOLD, NONE
    return (None, goods) if goods else (WORSE, NONE)


def _buy_x_get_y(o: Offer, idxs: tuple[int, ...], rem: Any, b: Basket) -> tuple[str | None, Any]:
    if o.buy < 1 or o.get < 1:
        return WORSE, NONE
    units = sum(b.qty[i] for i in idxs)
    if units < o.buy + o.get:
        return THRESHOLD, NONE
    free = units // (o.buy + o.get) * o.get
    goods = []
    per = lcm(*[b.qty[i] for i in idxs])          # rem[i] * (per // qty[i]) orders lines by unit price exactly
    for i in sorted(idxs, key=lambda i: (rem[i] * (per // b.qty[i]), b.skus[i])):
        f = min(free, b.qty[i])
        d = rem[i] * f // b.qty[i]
        if d:
            goods.append((i, d))
        free -= f
        if not free:
            break
    return (None, goods) if goods else (WORSE, NONE)


def _still_to_pay(idxs: tuple[int, ...], rem: Any) -> int:
    s = 0
    for i in idxs:
        s += rem[i]
    return s


def _threshold(o: Offer, idxs: tuple[int, ...], rem: Any, b: Basket) -> tuple[str | None, Any]:
    s = _still_to_pay(idxs, rem)
    if s < o.min_fen:
        return THRESHOLD, NONE
    off = min(o.off_fen * (s // o.min_fen if o.repeat and o.min_fen > 0 else 1), s)
    return (None, spread(off, idxs, rem, b.skus)) if off > 0 else (WORSE, NONE)


def _percent(o: Offer, idxs: tuple[int, ...], rem: Any, b: Basket) -> tuple[str | None, Any]:
    s = _still_to_pay(idxs, rem)
    if s < o.min_fen:
        return THRESHOLD, NONE
    off = s * min(max(o.pct_off, 0), 100) // 100
    if o.cap_fen > 0:
        off = min(off, o.cap_fen)
    return (None, spread(off, idxs, rem, b.skus)) if off > 0 else (WORSE, NONE)


def _min_only(o: Offer, idxs: tuple[int, ...], rem: Any, b: Basket) -> tuple[str | None, Any]:
    return (THRESHOLD, NONE) if _still_to_pay(idxs, rem) < o.min_fen else (None, NONE)


RULES = {"sale_price": _sale_price, "nth_discount": _nth_discount, "buy_x_get_y": _buy_x_get_y,
         "threshold": _threshold, "percent": _percent, "free_delivery": _min_only, "gift": _min_only}


def apply(o: Offer, idxs: tuple[int, ...], rem: Any, b: Basket, waived: bool) -> tuple[str | None, Any, int]:
    """(reason, goods, delivery fen waived) of offer `o` on what is still to pay."""
    reason, goods = RULES[o.kind](o, idxs, rem, b)
    if reason is not None:
        return reason, NONE, 0
    if o.kind == "free_delivery":
        return (WORSE, NONE, 0) if waived or b.fee <= 0 else (None, NONE, b.fee)
    if o.kind == "gift" and o.gift_sku_id <= 0:
        return WORSE, NONE, 0
    return None, goods, 0


def slack(o: Offer, idxs: tuple[int, ...]) -> int:
    """Fen a rule can round in its favour beyond its standalone figure (buy_x_get_y floors per line)."""
    return len(idxs) if o.kind == "buy_x_get_y" else 0


def upper(o: Offer, idxs: tuple[int, ...], rem: Any, b: Basket, waived: bool, ub0: int) -> int:
    """The most offer `o` can take off from now on, whatever is applied before it: its standalone figure on
    what is still to pay (the rules are monotone); for buy_x_get_y, which floors per line, that figure plus
    its rounding slack, at most `ub0` (its figure on the undiscounted basket, with the slack). 0 once its
    minimum is out of reach."""
    k = o.kind
    if k == "sale_price":
        p = o.price_fen
        s = 0
        for i in idxs:
            d = rem[i] - p * b.qty[i]
            if d > 0:
                s += d
        return s
    if k == "nth_discount":
        s = 0
        for i in idxs:
            q = b.qty[i]
            if q >= o.nth:
                s += rem[i] * (q // o.nth) * min(o.pct_off, 100) // (100 * q)
        return s
    if k == "buy_x_get_y":           # the `free` cheapest units: fewer fen each never makes them dearer
        _, goods = _buy_x_get_y(o, idxs, rem, b)
        return min(ub0, sum(d for _, d in goods) + len(idxs))
    s = _still_to_pay(idxs, rem)
    if s < o.min_fen:
        return 0
    if k == "threshold":
        return min(o.off_fen * (s // o.min_fen if o.repeat and o.min_fen > 0 else 1), s)
    if k == "percent":
        off = s * min(max(o.pct_off, 0), 100) // 100
        return min(off, o.cap_fen) if o.cap_fen > 0 else off
    if k == "free_delivery":
        return 0 if waived else b.fee
    return 0
