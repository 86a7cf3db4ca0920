"""Best-price engine: the best valid combination of promotions and coupons for one basket (pure: no DB, no clock).

Rules
- Offers apply in a fixed order by kind: sale_price, nth_discount, buy_x_get_y, threshold, percent,
  free_delivery, gift; within a kind by key, in plain string order ("C.." before "P..", "P10" before "P9").
  Each offer sees what is STILL TO PAY after the earlier ones: a
  percentage is a percentage of the already discounted amount (Saleor #17453), and a minimum (min_fen) is
  tested against the scoped amount still to pay.
- A line is in an offer's scope if its SKU or its category is named; an empty scope covers every line.
- sale_price: scoped lines pay price_fen a unit where that is lower than what they still pay a unit.
  nth_discount: on each scoped line, every nth unit is pct_off % off (rounded down per line).
  buy_x_get_y: the scoped units are pooled; for every buy+get of them the `get` cheapest (by what they still
  pay, ties by smaller sku_id) are free: the free units land on the cheapest line the offer COVERS (Saleor
  #12107), whatever the order of the lines (Medusa #13431). Units of a line count at the line's average.
  threshold: off_fen once the scoped amount still to pay reaches min_fen (repeat: per each min_fen, 每满).
  percent: pct_off % of the scoped amount still to pay (rounded down), at most cap_fen if set, once it
  reaches min_fen. free_delivery: waives the delivery fee once the scoped amount reaches min_fen (one fee:
  a second one takes nothing). gift: a 0-fen gift line (gift_sku_id) once the scoped amount reaches min_fen.
- An amount off the scoped lines as a whole (threshold, percent) is spread over them in proportion to what
  each still has to pay, in whole fen, by largest remainder, ties by smaller sku_id. No line goes below 0;
  the line discounts add up to the goods discount.
- Stacking is explicit: offers with the same non-empty group never combine (the rules of one promotion,
  Saleor #14920; one coupon per group); an exclusive offer combines with nothing.
- `best` returns the valid combination with, in this order: the most `required` offers applied (the coupons
  the customer picked), the largest goods + delivery discount, the most gifts, the fewest offers, the
  fewest coupons (an automatic promotion that gives as much keeps the customer's coupon for another day), the
  smaller sorted keys. An offer that takes nothing off (and is no gift) is never part of it. Every offer not
  applied is in `rejected` with a reason: "scope" (no line in scope), "threshold" (minimum or units not
  reached), "exclusive", "group" (conflicts with an applied offer), "worse" (it would take nothing off, or
  the combination without it is better).
- Lines and offers are sorted first (by sku_id; by kind and key): permuting them changes nothing.
- The search (engine_search.py) is exact, never truncated: offers that can never apply are dropped (and of
  the same coupon twice in one group only the smaller key is searched), a greedy pass gives a first best,
  then a depth-first search over subsets in application order (so a prefix's state is final), branch and
  bound: a bound walks the remaining offers in order at their figures on what is still to pay (a minimum
  on the whole basket caps what can come before it; a percentage takes from what is left; sale prices,
  nth-unit discounts and buy X get Y line by line; one offer per group, none of a group once one is taken;
  when every required offer left is needed to tie the best, the rest of their groups count for nothing);
  a state reached again by a worse prefix is not searched again; the free deliveries and gifts after the
  last goods offer are picked directly. Every rule is monotone (less still to pay never takes more off),
  which is what makes these bounds hold. Cost: see bench/promotions.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from o2o.promotions import engine_rules as rules
from o2o.promotions.engine_search import Cand, Step, search

KINDS = ("sale_price", "nth_discount", "buy_x_get_y", "threshold", "percent", "free_delivery", "gift")


@dataclass(frozen=True)
class Line:
    """One basket line after tier/store prices (orders merges lines by SKU)."""

    sku_id: int
    category_id: int
    unit_price_fen: int
    quantity: int


@dataclass(frozen=True)
class Scope:
    """Empty sets = everything."""

    sku_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Offer:
    key: str
    kind: str
    label_zh: str
    label_en: str
    scope: Scope = field(default_factory=Scope)
    group: str = ""
    exclusive: bool = False
    min_fen: int = 0
    off_fen: int = 0
    repeat: bool = False
    pct_off: int = 0
    cap_fen: int = 0
    nth: int = 0
    buy: int = 0
    get: int = 0
    price_fen: int = 0
    gift_sku_id: int = 0
    source: str = "promotion"


@dataclass(frozen=True)
class Applied:
    key: str
    kind: str
    label_zh: str
    label_en: str
    discount_fen: int
    per_line: dict[int, int]
    gift_sku_id: int = 0


@dataclass(frozen=True)
class Result:
    applied: tuple[Applied, ...]
    line_discount_fen: dict[int, int]
    goods_discount_fen: int
    delivery_discount_fen: int
    rejected: tuple[tuple[str, str], ...]




ORDER = {k: n for n, k in enumerate(KINDS)}
PARAMS = ("kind", "group", "min_fen", "off_fen", "repeat", "pct_off", "cap_fen", "nth", "buy", "get", "price_fen",
          "gift_sku_id")


def _twins(a: Cand, c: Cand) -> bool:
    """Two offers of one group that do exactly the same (the same coupon twice in the wallet), with only
    offers of their group between them in the application order: only the smaller key is searched; at most
    one of them could apply and the smaller key wins the tie (a coupon and a promotion are never twins: the
    promotion wins their tie)."""
    return (bool(a.o.group) and a.idxs == c.idxs and a.req == c.req and a.o.source == c.o.source
            and all(getattr(a.o, f) == getattr(c.o, f) for f in PARAMS))


def _twin_of(cands: list[Cand], c: Cand) -> Cand | None:
    """An earlier candidate that does exactly what `c` does with only offers of their group between them:
    whichever of the two is chosen, the others of the group are not, so both see the same state."""
    k = len(cands) - 1
    while k >= 0 and c.o.group and cands[k].o.group == c.o.group:
        if _twins(cands[k], c):
            return cands[k]
        k -= 1
    return None


def _basket(lines: Sequence[Line], fee: int) -> rules.Basket:
    ls = sorted(lines, key=lambda ln: ln.sku_id)
    for a, z in zip(ls, ls[1:], strict=False):
        if a.sku_id == z.sku_id:
            raise ValueError(f"two lines for sku {a.sku_id}: merge them first")
    for ln in ls:
        if ln.quantity < 1 or ln.unit_price_fen < 0:
            raise ValueError(f"line {ln.sku_id}: quantity must be >= 1 and the price >= 0")
    return rules.Basket(tuple(ln.sku_id for ln in ls), tuple(ln.category_id for ln in ls),
                        tuple(ln.quantity for ln in ls), tuple(ln.unit_price_fen * ln.quantity for ln in ls),
                        max(fee, 0))


def _sorted_offers(offers: Sequence[Offer]) -> list[Offer]:
    keys = set()
    for o in offers:
        if o.kind not in ORDER:
            raise ValueError(f"offer {o.key}: unknown kind {o.kind!r}")
        if o.key in keys:
            raise ValueError(f"offer key {o.key} twice")
        keys.add(o.key)
    return sorted(offers, key=lambda o: (ORDER[o.kind], o.key))


def _why(c: Cand, steps: list[Step], states: list[tuple[list[int], bool]], b: rules.Basket) -> str:
    """Why an offer that could apply to the basket is not in the chosen combination."""
    if steps and (c.o.exclusive or any(s[0].o.exclusive for s in steps)):
        return "exclusive"
    if c.o.group and any(s[0].o.group == c.o.group for s in steps):
        return "group"
    k = sum(1 for s in steps if s[0].pos < c.pos)        # the chosen offers applied before it
    rem, waived = states[k]
    reason, _, _ = rules.apply(c.o, c.idxs, rem, b, waived)
    return reason or "worse"


def best(lines: Sequence[Line], offers: Sequence[Offer], delivery_fee_fen: int = 0,
         required: frozenset[str] = frozenset()) -> Result:
    """The best valid combination of `offers` for the basket (see the module docstring for the rules)."""
    b = _basket(lines, delivery_fee_fen)
    rejected: dict[str, str] = {}
    cands: list[Cand] = []
    excl: list[Cand] = []
    twin: dict[str, str] = {}       # key -> the same offer with a smaller key, next to it in the same group
    for pos, o in enumerate(_sorted_offers(offers)):
        idxs = rules.scoped(o, b)
        if not idxs:
            rejected[o.key] = "scope"
            continue
        reason, goods, dl = rules.apply(o, idxs, b.rem0, b, False)
        # a rule that cannot apply to the undiscounted basket never applies (rules are monotone), except
        # buy_x_get_y's "nothing off", which per-line rounding could still turn into a fen
        if reason is not None and not (reason == rules.WORSE and o.kind == "buy_x_get_y"):
            rejected[o.key] = reason
            continue
        c = Cand(o, pos, idxs, dl + sum(d for _, d in goods) + rules.slack(o, idxs), o.key in required)
        if not o.exclusive and (first := _twin_of(cands, c)) is not None:
            twin[o.key] = twin.get(first.o.key, first.o.key)
            continue
        (excl if o.exclusive else cands).append(c)
    steps = search(b, cands, excl)

    rem, waived = list(b.rem0), False
    states = [(list(rem), waived)]
    applied = []
    for c, goods, dl in steps:
        for i, d in goods:
            rem[i] -= d
        waived = waived or dl > 0
        states.append((list(rem), waived))
        o = c.o
        applied.append(Applied(o.key, o.kind, o.label_zh, o.label_en, dl + sum(d for _, d in goods),
                               {b.skus[i]: d for i, d in goods},
                               o.gift_sku_id if o.kind == "gift" else 0))
    chosen = {s[0].o.key for s in steps}
    for c in cands + excl:
        if c.o.key not in chosen:
            rejected[c.o.key] = _why(c, steps, states, b)
    for key, first in twin.items():
        rejected[key] = "group" if first in chosen else rejected[first]
    line = {sku: b.rem0[i] - rem[i] for i, sku in enumerate(b.skus)}
    return Result(tuple(applied), line, sum(line.values()), sum(s[2] for s in steps),
                  tuple(sorted(rejected.items())))


def evaluate(lines: Sequence[Line], combination: Sequence[Offer], delivery_fee_fen: int = 0,
             ) -> tuple[tuple[str, ...], dict[int, int], int]:
    """Apply every offer of `combination` in application order, without search or checks of group and
    exclusivity: (keys of the offers that applied, sku_id -> goods discount, delivery discount). For tests
    and the brute force that checks `best`."""
    b = _basket(lines, delivery_fee_fen)
    rem, waived, keys, dlv = list(b.rem0), False, [], 0
    for o in _sorted_offers(combination):
        idxs = rules.scoped(o, b)
        reason, goods, dl = rules.apply(o, idxs, rem, b, waived) if idxs else ("scope", (), 0)
        if reason is None:
            keys.append(o.key)
            for i, d in goods:
                rem[i] -= d
            waived, dlv = waived or dl > 0, dlv + dl
    return tuple(keys), {sku: b.rem0[i] - rem[i] for i, sku in enumerate(b.skus)}, dlv
