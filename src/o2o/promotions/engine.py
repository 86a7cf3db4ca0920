"""Best-price engine: the best valid combination of promotions and coupons for one basket (pure: no DB, no clock).

Rules
- Offers apply in a fixed order by kind: sale_price, nth_discount, buy_x_get_y, threshold, percent,
  free_delivery, gift; within a kind by key. Each offer sees what is STILL TO PAY after the earlier ones: a
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
  smaller sorted keys. An offer that takes nothing off (and is no gift) is never part of it. Every offer not
  applied is in `rejected` with a reason: "scope" (no line in scope), "threshold" (minimum or units not
  reached), "exclusive", "group" (conflicts with an applied offer), "worse" (it would take nothing off, or
  the combination without it is better).
- Lines and offers are sorted first (by sku_id; by kind and key): permuting them changes nothing.
- The search is exact, never truncated: offers that can never apply are dropped (and of the same coupon
  twice in one group only the smaller key is searched), then a depth-first search over subsets in
  application order (so a prefix's state is final), branch and bound: a bound walks the remaining offers in
  order at their figures on what is still to pay (a minimum on the whole basket caps what can come before
  it; a percentage takes from what is left; sale prices and nth-unit discounts line by line; one offer per
  group); a state reached again by a worse prefix is not searched again. Every rule is monotone (less
  still to pay never takes more off), which is what makes these bounds hold. Cost: see bench/promotions.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from o2o.promotions import engine_rules as rules

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
Objective = tuple[int, int, int, int, tuple[str, ...]]   # required applied, fen off, gifts, -offers, sorted keys


@dataclass(frozen=True)
class _Cand:
    """An offer that can apply to this basket: its place in the application order, scoped lines and the most
    it can ever take off (standalone on the undiscounted basket, + rounding slack)."""

    o: Offer
    pos: int
    idxs: tuple[int, ...]
    ub: int
    req: bool


PARAMS = ("kind", "group", "min_fen", "off_fen", "repeat", "pct_off", "cap_fen", "nth", "buy", "get", "price_fen",
          "gift_sku_id")


def _twins(a: _Cand, c: _Cand) -> bool:
    """Two offers of one group that do exactly the same, next to each other in the application order (the
    same coupon twice in the wallet): only the smaller key is searched; at most one of them could apply and
    the smaller key wins the tie."""
    return (bool(a.o.group) and a.idxs == c.idxs and a.req == c.req
            and all(getattr(a.o, f) == getattr(c.o, f) for f in PARAMS))


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


def _better(a: Objective, b: Objective) -> bool:
    if a[:4] != b[:4]:
        return a[:4] > b[:4]
    return a[4] < b[4]


Step = tuple[_Cand, Sequence[tuple[int, int]], int]     # an applied offer: goods [(line index, fen)], delivery


def _group_sum(items: Sequence[tuple[str, int]]) -> int:
    """Sum of the figures, counting only the largest one of each non-empty group."""
    total, top = 0, {}
    for g, ub in items:
        if not g:
            total += ub
        elif ub > top.get(g, 0):
            total += ub - top.get(g, 0)
            top[g] = ub
    return total


@dataclass(frozen=True)
class _Meta:
    """What the bound needs of a candidate, worked out once per search."""

    group: str          # "" for none; every free delivery counts in one pseudo-group (one fee)
    real_group: str
    goods: bool         # takes goods off (not free_delivery, not gift)
    whole: bool         # a threshold or percentage on the whole basket
    min_fen: int
    pct: int            # percent, nth_discount: 0..100, else 0
    cap_fen: int
    closes: bool        # the last candidate of its group
    per_line: int       # 1 sale_price, 2 nth_discount, else 0
    on_sum: int         # 1 threshold, 2 percent, 3 free_delivery, 4 gift, else 0
    all_lines: bool     # its scope covers every line


DELIVERY = "\x00delivery"
MAX_STATES = 32


def _metas(cands: list[_Cand], everything: int) -> list[_Meta]:
    last = {c.o.group: j for j, c in enumerate(cands) if c.o.group}
    out = []
    for j, c in enumerate(cands):
        o = c.o
        out.append(_Meta(DELIVERY if o.kind == "free_delivery" else o.group, o.group,
                         o.kind not in ("free_delivery", "gift"),
                         len(c.idxs) == everything and o.kind in ("threshold", "percent"), o.min_fen,
                         min(max(o.pct_off, 0), 100) if o.kind in ("percent", "nth_discount") else 0, o.cap_fen,
                         bool(o.group) and last[o.group] == j,
                         {"sale_price": 1, "nth_discount": 2}.get(o.kind, 0),
                         {"threshold": 1, "percent": 2, "free_delivery": 3, "gift": 4}.get(o.kind, 0),
                         len(c.idxs) == everything))
    return out


def _bounds(cands: list[_Cand], meta: list[_Meta], alive: list[int], rem: list[int], b: rules.Basket,
            waived: bool, used: set[str]) -> tuple[list[int], list[tuple[int, int, int]], int]:
    """Upper bounds on what the offers `alive` (candidate indices, in order) can still take off from this
    state. Returns the ones still alive here (not in a used group, able to take something off or give a
    gift: the rules are monotone, so a dead offer stays dead below), suffix figures for each position p
    (more, required, gifts: the offers p.. at their figures on what is still to pay now, the largest per group
    as one offer per group applies, all free deliveries as one fee), and cap, a bound on any completion
    (goods + delivery), walking the offers in application order with D, a bound on the goods taken off so
    far (each step is non-decreasing in D):
    - an offer on the whole basket with a minimum applies only if what was taken before it is at most
      (still to pay now - minimum): D is clamped to that before its figure is added;
    - a percentage on the whole basket takes pct of (still to pay now - D) at most;
    - sale prices and nth-unit discounts line by line: a sale price leaves a line at most its price, an
      nth-unit discount takes its share of what the line still pays after the others;
    - any other offer adds its figure on what is still to pay now.
    One offer per group: D is kept per set of groups already used among those still open (merged into one,
    which only loosens the bound, past MAX_STATES)."""
    s_now = sum(rem)
    live: list[tuple[int, int]] = []        # (candidate index, figure), backwards
    suffix: list[tuple[int, int, int]] = [(0, 0, 0)]
    top: dict[str, int] = {}
    total = req = gifts = fee = 0
    closing: set[int] = set()
    for j in reversed(alive):
        m = meta[j]
        if m.real_group and m.real_group in used:
            continue
        c = cands[j]
        gift = False
        if m.on_sum:                     # threshold, percent, free delivery, gift: on the scoped amount
            o = c.o
            t = s_now if m.all_lines else sum([rem[i] for i in c.idxs])
            if t < o.min_fen:
                ub = 0
            elif m.on_sum == 1:
                ub = min(o.off_fen * (t // o.min_fen if o.repeat and o.min_fen > 0 else 1), t)
            elif m.on_sum == 2:
                ub = t * m.pct // 100
                if m.cap_fen > 0 and ub > m.cap_fen:
                    ub = m.cap_fen
            elif m.on_sum == 3:
                ub = 0 if waived else b.fee
            else:
                ub, gift = 0, True
        else:
            ub = rules.upper(c.o, c.idxs, rem, b, waived, c.ub)
        if ub <= 0 and not gift:
            continue
        g = m.group
        if m.real_group and m.real_group not in top and g is not DELIVERY:
            closing.add(j)
        if not g:
            total += ub
        elif ub > top.get(g, -1):
            total += ub - max(top.get(g, 0), 0)
            top[g] = ub
            if g is DELIVERY:
                fee = ub
        elif g not in top:
            top[g] = ub
        req += c.req
        gifts += gift
        live.append((j, ub))
        suffix.append((total, req, gifts))
    live.reverse()
    suffix.reverse()
    taken = [0] * len(rem)
    for j, _ub in live:
        m = meta[j]
        if m.per_line and not m.real_group:
            o = cands[j].o
            for i in cands[j].idxs:
                q = b.qty[i]
                if m.per_line == 1:
                    taken[i] = max(taken[i], rem[i] - o.price_fen * q)
                elif q >= o.nth:
                    t = taken[i]
                    taken[i] = t + (rem[i] - t) * (q // o.nth) * m.pct // (100 * q)
    states: dict[frozenset[str], int] = {frozenset(): sum(taken)}
    for j, ub in live:
        m = meta[j]
        g = m.real_group
        if m.per_line and not g:
            continue
        if m.goods and ub > 0:
            if g:
                nxt = dict(states)
                for u, d in states.items():
                    if g in u:
                        continue
                    v = _step(m, d, ub, s_now)
                    key = u | {g}
                    if v > nxt.get(key, -1):
                        nxt[key] = v
                states = nxt
            else:
                for u, d in states.items():
                    v = _step(m, d, ub, s_now)
                    if v > d:
                        states[u] = v
        if j in closing and len(states) > 1:               # the group closes: one state with or without it
            merged: dict[frozenset[str], int] = {}
            for u, d in states.items():
                key = u - {g}
                if d > merged.get(key, -1):
                    merged[key] = d
            states = merged
        if len(states) > MAX_STATES:
            states = {frozenset(): max(states.values())}
    return [j for j, _ in live], suffix, max(states.values()) + fee


def _step(m: _Meta, d: int, ub: int, s_now: int) -> int:
    if m.whole:
        base = d if m.min_fen <= 0 else min(d, s_now - m.min_fen)
        if m.pct:
            off = (s_now - base) * m.pct // 100
            v = base + (min(off, m.cap_fen) if m.cap_fen > 0 else off)
        else:
            v = base + ub
    else:
        v = d + ub
    return min(v, s_now)


def _search(b: rules.Basket, cands: list[_Cand], excl: list[_Cand]) -> list[Step]:
    """Exact best combination: depth-first over subsets of `cands` in application order (so the state of a
    prefix is final), branch and bound; each exclusive offer is a combination of its own."""
    meta = _metas(cands, len(b.skus))
    rem = list(b.rem0)
    stack: list[Step] = []
    used: set[str] = set()
    best_obj: Objective = (0, 0, 0, 0, ())
    best_steps: list[Step] = []
    seen: dict[tuple[Any, ...], tuple[tuple[int, int, int, int], frozenset[str]]] = {}

    def record(head: tuple[int, int, int, int]) -> None:
        nonlocal best_obj, best_steps
        if head >= best_obj[:4]:
            obj = (*head, tuple(sorted(s[0].o.key for s in stack)))
            if _better(obj, best_obj):
                best_obj, best_steps = obj, list(stack)

    def visit(alive: list[int], fen: int, req: int, gifts: int, waived: bool) -> None:
        """Search the completions of the current prefix (already recorded as a solution) by the offers
        `alive` (candidate indices after the prefix's last one)."""
        head = (req, fen, gifts, -len(stack))
        # the same state reached by another prefix: the same completions; the better prefix wins for all of
        # them (the objective is lexicographic, and between two key sets of one size the one holding the
        # smallest key of their difference is smaller, whatever is added to both)
        here = (alive[0], tuple(rem), frozenset(used), waived)
        keys = frozenset(s[0].o.key for s in stack)
        if here in seen:
            h, k = seen[here]
            if h > head or (h == head and min(k ^ keys) in k):
                return
        seen[here] = (head, keys)
        live, suffix, cap = _bounds(cands, meta, alive, rem, b, waived, used)
        left = min(sum(rem) + (0 if waived else b.fee), cap)
        depth = len(stack)
        for p, j in enumerate(live):
            more, sreq, sgift = suffix[p]
            if (req + sreq, fen + min(more, left), gifts + sgift, -depth - 1) < best_obj[:4]:
                break                       # every later offer has a bound no larger
            c = cands[j]
            g = c.o.group
            if g and g in used:
                continue
            reason, goods, dl = rules.apply(c.o, c.idxs, rem, b, waived)
            if reason is not None:
                continue
            off = dl
            for i, d in goods:
                rem[i] -= d
                off += d
            stack.append((c, goods, dl))
            if g:
                used.add(g)
            gift = c.o.kind == "gift"
            record((req + c.req, fen + off, gifts + gift, -depth - 1))
            # its completions: the offers after it take at most their figures, and with it at most `left`
            more, sreq, sgift = suffix[p + 1]
            if p + 1 < len(live) and (req + c.req + sreq, fen + off + max(min(more, left - off), 0),
                                      gifts + gift + sgift, -depth - 2) >= best_obj[:4]:
                visit(live[p + 1:], fen + off, req + c.req, gifts + gift, waived or dl > 0)
            if g:
                used.discard(g)
            stack.pop()
            for i, d in goods:
                rem[i] += d

    for c in excl:                          # first: a good incumbent prunes more
        reason, goods, dl = rules.apply(c.o, c.idxs, b.rem0, b, False)
        if reason is None:
            obj = (int(c.req), dl + sum(d for _, d in goods), int(c.o.kind == "gift"), -1, (c.o.key,))
            if _better(obj, best_obj):
                best_obj, best_steps = obj, [(c, goods, dl)]
    if cands:
        visit(list(range(len(cands))), 0, 0, 0, False)
    return best_steps


def _why(c: _Cand, steps: list[Step], states: list[tuple[list[int], bool]], b: rules.Basket) -> str:
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
    cands: list[_Cand] = []
    excl: list[_Cand] = []
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
        c = _Cand(o, pos, idxs, dl + sum(d for _, d in goods) + rules.slack(o, idxs), o.key in required)
        if not o.exclusive and cands and _twins(cands[-1], c):
            twin[o.key] = twin.get(cands[-1].o.key, cands[-1].o.key)
            continue
        (excl if o.exclusive else cands).append(c)
    steps = _search(b, cands, excl)

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
