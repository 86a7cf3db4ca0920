"""Best-price engine, the search: exact depth-first search with branch and bound over the offers that can
apply to a basket (the rules and the objective are in engine.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from o2o.promotions import engine_rules as rules

if TYPE_CHECKING:
    from o2o.promotions.engine import Offer

# required applied, fen off, gifts, -offers, -coupons, sorted keys
Objective = tuple[int, int, int, int, int, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Cand:
    """An offer that can apply to this basket: its place in the application order, scoped lines and the most
    it can ever take off (standalone on the undiscounted basket, + rounding slack)."""

    o: Offer
    pos: int
    idxs: tuple[int, ...]
    ub: int
    req: bool


def _better(a: Objective, b: Objective) -> bool:
    if a[:5] != b[:5]:
        return a[:5] > b[:5]
    return a[5] < b[5]


def _coupons(steps: Sequence[Step]) -> int:
    """How many of the applied offers are coupons: between two equally good combinations the one that keeps
    more of the customer's coupons for another day wins."""
    return sum(s[0].o.source == "coupon" for s in steps)


Step = tuple[Cand, Sequence[tuple[int, int]], int]     # an applied offer: goods [(line index, fen)], delivery


@dataclass(frozen=True, slots=True)
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
    per_line: int       # 1 sale_price, 2 nth_discount, 3 buy_x_get_y, else 0
    on_sum: int         # 1 threshold, 2 percent, 3 free_delivery, 4 gift, else 0
    all_lines: bool     # its scope covers every line
    bit: int            # its group's bit in the bound's sets of groups used (0: no group, or an additive one)
    additive: bool      # its group has no offer on the whole basket: _cap adds the group's largest figure


DELIVERY = "\x00delivery"
MAX_STATES = 32


def _metas(cands: list[Cand], everything: int) -> list[_Meta]:
    last = {c.o.group: j for j, c in enumerate(cands) if c.o.group}
    whole = {c.o.group for c in cands if c.o.group and len(c.idxs) == everything and c.o.kind in ("threshold", "percent")}
    bits = {g: 1 << n for n, g in enumerate(sorted(whole))}
    out = []
    for j, c in enumerate(cands):
        o = c.o
        out.append(_Meta(DELIVERY if o.kind == "free_delivery" else o.group, o.group,
                         o.kind not in ("free_delivery", "gift"),
                         len(c.idxs) == everything and o.kind in ("threshold", "percent"), o.min_fen,
                         min(max(o.pct_off, 0), 100) if o.kind in ("percent", "nth_discount") else 0, o.cap_fen,
                         bool(o.group) and last[o.group] == j,
                         {"sale_price": 1, "nth_discount": 2, "buy_x_get_y": 3}.get(o.kind, 0),
                         {"threshold": 1, "percent": 2, "free_delivery": 3, "gift": 4}.get(o.kind, 0),
                         len(c.idxs) == everything, bits.get(o.group, 0),
                         bool(o.group) and o.group not in whole))
    return out


def _bounds(cands: list[Cand], meta: list[_Meta], alive: list[int], rem: list[int], b: rules.Basket,
            waived: bool, used: set[str], forced: set[str]) -> tuple[list[tuple[int, int]], list[tuple[int, int, int, int]],
                                                    set[int], int]:
    """Upper bounds on what the offers `alive` (candidate indices, in order) can still take off from this
    state. Returns the ones still alive here (not in a used group, able to take something off or give a
    gift: the rules are monotone, so a dead offer stays dead below) with their figures, suffix figures for
    each position p (more, required, gifts: the offers p.. at their figures on what is still to pay now, the
    largest per group as one offer per group applies, all free deliveries as one fee; and the figure of p's
    group in the suffix after p), the last live offer of each group and the fee that may still be waived:
    what _cap needs (only when the suffix figures do not settle the node) to work out cap, a bound on any
    completion (goods + delivery), walking the offers in application order with D, a bound on the goods
    taken off so far (each step is non-decreasing in D):
    - an offer on the whole basket with a minimum applies only if what was taken before it is at most
      (still to pay now - minimum): D is clamped to that before its figure is added;
    - a percentage on the whole basket takes pct of (still to pay now - D) at most;
    - sale prices and nth-unit discounts line by line: a sale price leaves a line at most its price, an
      nth-unit discount takes its share of what the line still pays after the others;
    - any other offer adds its figure on what is still to pay now.
    One offer per group: D is kept per set of groups already used among those still open (merged into one,
    which only loosens the bound, past MAX_STATES).
    `forced`: groups whose required offer any completion that can still tie the best must take (all the
    required offers left are needed): the other offers of those groups count as dead."""
    s_now = sum(rem)
    live: list[tuple[int, int]] = []        # (candidate index, figure), backwards
    suffix: list[tuple[int, int, int, int]] = [(0, 0, 0, 0)]
    top: dict[str, int] = {}
    total = req = gifts = fee = 0
    closing: set[int] = set()
    scoped: dict[tuple[int, ...], int] = {}     # what the lines of a scope still pay (scopes repeat)
    qty = b.qty
    for j in reversed(alive):
        m = meta[j]
        if m.real_group and (m.real_group in used or (m.real_group in forced and not cands[j].req)):
            continue
        c = cands[j]
        gift = False
        if m.on_sum:                     # threshold, percent, free delivery, gift: on the scoped amount
            o = c.o
            if m.all_lines:
                t = s_now
            elif (t := scoped.get(c.idxs, -1)) < 0:
                t = scoped[c.idxs] = sum([rem[i] for i in c.idxs])
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
        elif m.per_line == 1:            # sale price, as rules.upper works it out (inlined: the hot loop)
            p = c.o.price_fen
            ub = 0
            for i in c.idxs:
                if (d := rem[i] - p * qty[i]) > 0:
                    ub += d
        elif m.per_line == 2:            # nth-unit discount, likewise
            o = c.o
            nth, ub = o.nth, 0
            for i in c.idxs:
                if (q := qty[i]) >= nth:
                    ub += rem[i] * (q // nth) * m.pct // (100 * q)
        else:
            ub = rules.upper(c.o, c.idxs, rem, b, waived, c.ub)
        if ub <= 0 and not gift:
            continue
        g = m.group
        if m.real_group and m.real_group not in top and g is not DELIVERY:
            closing.add(j)
        mates = max(top.get(g, 0), 0) if g else 0       # its group's figure in the suffix after it
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
        suffix.append((total, req, gifts, mates))
    live.reverse()
    suffix.reverse()
    return live, suffix, closing, fee


def _cap(cands: list[Cand], meta: list[_Meta], live: list[tuple[int, int]], rem: list[int], b: rules.Basket,
         closing: set[int], fee: int) -> int:
    """The cap of _bounds (see there), from the figures of the offers still alive."""
    s_now = sum(rem)
    taken = [0] * len(rem)
    extra = 0
    pooled: set[int] = set()            # lines a buy_x_get_y has counted
    for j, ub in live:
        m = meta[j]
        if m.per_line and not m.real_group:
            o = cands[j].o
            if m.per_line == 3:
                if pooled.isdisjoint(cands[j].idxs):
                    # what the lines give up to it and to the offers before it, sum(taken) + its figure on
                    # rem - taken, only grows with taken (a free unit is worth at most what its line gives up)
                    after = [r - t for r, t in zip(rem, taken, strict=True)]
                    _, goods = rules.RULES["buy_x_get_y"](o, cands[j].idxs, after, b)
                    extra += sum(d for _, d in goods) + len(cands[j].idxs)
                    pooled.update(cands[j].idxs)
                else:
                    extra += ub
                continue
            for i in cands[j].idxs:
                q = b.qty[i]
                if m.per_line == 1:
                    taken[i] = max(taken[i], rem[i] - o.price_fen * q)
                elif q >= o.nth:
                    t = taken[i]
                    taken[i] = t + (rem[i] - t) * (q // o.nth) * m.pct // (100 * q)
    # D per set of groups used (a bit per group with an offer on the whole basket, see _Meta.bit); each step
    # keeps D non-decreasing. Every step f also has f(D + a) <= f(D) + a, so an amount added later bounds the
    # same amount added earlier: an additive group (no offer on the whole basket, each member adds its
    # figure) adds its largest figure once, at its last live offer, with no bit.
    states: dict[int, int] = {0: sum(taken) + extra}
    pending: dict[str, int] = {}
    for j, ub in live:
        m = meta[j]
        bit = m.bit
        if m.additive:
            if m.goods and ub > pending.get(m.real_group, 0):
                pending[m.real_group] = ub
            if j in closing and (a := pending.pop(m.real_group, 0)):
                for u, d in states.items():
                    states[u] = d + a if d + a < s_now else s_now
            continue
        if m.per_line and not bit:
            continue
        if m.goods and ub > 0:
            whole, low, pct, cap_fen = m.whole, s_now - m.min_fen, m.pct, m.cap_fen
            if bit:
                nxt = dict(states)
                for u, d in states.items():
                    if u & bit:
                        continue
                    if whole:                # a minimum on the whole basket caps D before it
                        if m.min_fen > 0 and d > low:
                            d = low
                        if pct:
                            off = (s_now - d) * pct // 100
                            v = d + (off if cap_fen <= 0 or off < cap_fen else cap_fen)
                        else:
                            v = d + ub
                    else:
                        v = d + ub
                    if v > s_now:
                        v = s_now
                    if v > nxt.get(u | bit, -1):
                        nxt[u | bit] = v
                states = nxt
            else:
                for u, d in states.items():
                    v = _step(m, d, ub, s_now)
                    if v > d:
                        states[u] = v
        if j in closing and len(states) > 1:               # the group closes: one state with or without it
            merged: dict[int, int] = {}
            for u, d in states.items():
                key = u & ~bit
                if d > merged.get(key, -1):
                    merged[key] = d
            states = merged
        if len(states) > MAX_STATES:
            states = {0: max(states.values())}
    top = max(states.values())
    if pending:                         # (a group closes at its last live offer: nothing should be left)
        top = min(top + sum(pending.values()), s_now)
    return top + fee


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


TAIL = ("free_delivery", "gift")


def _greedy(b: rules.Basket, cands: list[Cand]) -> list[Step]:
    """One valid combination, found fast: every offer in application order that applies, except one of a
    group that a later offer of its group would beat (required first, then its figure on what is still to
    pay at this point). Only a starting incumbent for the search, which stays exact whatever it is."""
    rem, used, waived, steps = list(b.rem0), set(), False, []
    members: dict[str, list[Cand]] = {}
    for c in cands:
        if c.o.group:
            members.setdefault(c.o.group, []).append(c)
    for c in cands:
        g = c.o.group
        if g and g in used:
            continue
        reason, goods, dl = rules.apply(c.o, c.idxs, rem, b, waived)
        if reason is not None:
            continue
        if g:
            mine = (c.req, dl + sum(d for _, d in goods))
            if any(o.pos > c.pos and (o.req, rules.upper(o.o, o.idxs, rem, b, waived, o.ub)) > mine
                   for o in members[g]):
                continue
            used.add(g)
        for i, d in goods:
            rem[i] -= d
        waived = waived or dl > 0
        steps.append((c, goods, dl))
    return steps


def _rank(s: Step) -> tuple[bool, bool, str]:
    """Of two gifts of one group, the one the objective prefers: required, then not a coupon, then the key."""
    return (not s[0].req, s[0].o.source == "coupon", s[0].o.key)


def _tail(tail: list[Cand], rem: list[int], b: rules.Basket, waived: bool, used: set[str]) -> list[Step]:
    """The best set of free deliveries and gifts (`tail`, in application order) to add to a prefix that
    leaves `rem` to pay, `waived`, and `used` groups. They leave `rem` as it is, so each one applies or not
    on its own: at most one free delivery (a second takes nothing), and every gift that applies, one per
    group: a gift always improves the objective (required, fen, gifts, -offers) and, within a group, the
    required one first, then the smaller key. Tried for each choice of free delivery (or none), the best
    by the objective and then the smaller sorted keys: the same choice whatever the prefix (the prefix's
    keys are all smaller or larger in application order but never shared, and between two sets of one size
    the one holding the smallest key of their difference sorts first)."""
    fds: list[Step] = []
    gifts: list[Step] = []
    for c in tail:
        if c.o.group and c.o.group in used:
            continue
        reason, _, dl = rules.apply(c.o, c.idxs, rem, b, waived)
        if reason is None:
            (fds if c.o.kind == "free_delivery" else gifts).append((c, rules.NONE, dl))
    if not gifts and not fds:
        return []
    top: tuple[Any, ...] | None = None
    for fd in [None, *fds]:
        taken = {fd[0].o.group} if fd and fd[0].o.group else set()
        pick: dict[str, Step] = {}
        steps = [fd] if fd else []
        for s in gifts:
            g = s[0].o.group
            if not g:
                steps.append(s)
            elif g not in taken and (g not in pick or _rank(s) < _rank(pick[g])):
                pick[g] = s
        steps += pick.values()
        obj = (sum(s[0].req for s in steps), sum(s[2] for s in steps), sum(s[0].o.kind == "gift" for s in steps),
               -len(steps), -_coupons(steps))
        keys = sorted(s[0].o.key for s in steps)
        if top is None or obj > top[0] or (obj == top[0] and keys < top[1]):
            top = (obj, keys, steps)
    assert top is not None
    return sorted(top[2], key=lambda s: s[0].pos)


def search(b: rules.Basket, cands: list[Cand], excl: list[Cand]) -> list[Step]:
    """Exact best combination: depth-first over subsets of `cands` in application order (so the state of a
    prefix is final), branch and bound; each exclusive offer is a combination of its own."""
    meta = _metas(cands, len(b.skus))
    required = [j for j, c in enumerate(cands) if c.req]
    tail_start = next((j for j, c in enumerate(cands) if c.o.kind in TAIL), len(cands))
    rem = list(b.rem0)
    stack: list[Step] = []
    used: set[str] = set()
    best_obj: Objective = (0, 0, 0, 0, 0, ())
    best_steps: list[Step] = []
    bar = best_obj[:4]                      # the best's first four figures, what the bounds are held against
    seen: dict[tuple[Any, ...], tuple[tuple[int, int, int, int, int], frozenset[str]]] = {}

    def record(head: tuple[int, int, int, int]) -> None:
        nonlocal best_obj, best_steps, bar
        if head >= bar:
            obj = (*head, -_coupons(stack), tuple(sorted(s[0].o.key for s in stack)))
            if _better(obj, best_obj):
                best_obj, best_steps, bar = obj, list(stack), obj[:4]

    def finish(tail: list[int], fen: int, req: int, gifts: int, waived: bool) -> None:
        """The best completion of the current prefix by free deliveries and gifts only (`tail`: candidate
        indices, all of those kinds), worked out directly: they take nothing off the goods, so what is still
        to pay stays as it is and the choices do not interact beyond groups and the one fee (see _tail)."""
        steps = _tail([cands[j] for j in tail], rem, b, waived, used)
        if steps:
            depth = len(stack)
            stack.extend(steps)
            record((req + sum(s[0].req for s in steps), fen + sum(s[2] for s in steps),
                    gifts + sum(s[0].o.kind == "gift" for s in steps), -depth - len(steps)))
            del stack[depth:]

    def visit(alive: list[int], fen: int, req: int, gifts: int, waived: bool) -> None:
        """Search the completions of the current prefix (already recorded as a solution) by the offers
        `alive` (candidate indices after the prefix's last one)."""
        if alive[0] >= tail_start:
            finish(alive, fen, req, gifts, waived)
            return
        head = (req, fen, gifts, -len(stack), -_coupons(stack))
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
        # the best has best_obj[0] required offers: if exactly that many are left to reach it, a completion
        # that can tie takes every one of them, so none of the others of their groups
        need = best_obj[0] - req
        forced: set[str] = set()
        if need > 0:
            left_req = [j for j in required if j >= alive[0] and cands[j].o.group not in used]
            if len(left_req) <= need:
                forced = {cands[j].o.group for j in left_req if cands[j].o.group}
        figures, suffix, closing, fee = _bounds(cands, meta, alive, rem, b, waived, used, forced)
        left = sum(rem) + (0 if waived else b.fee)
        depth = len(stack)
        if not figures or (req + suffix[0][1], fen + min(suffix[0][0], left), gifts + suffix[0][2],
                           -depth - 1) < bar:
            return                          # no completion can beat the best (the loop below would stop at once)
        left = min(left, _cap(cands, meta, figures, rem, b, closing, fee))
        live = [j for j, _ in figures]
        for p, j in enumerate(live):
            more, sreq, sgift, mates = suffix[p]
            if (req + sreq, fen + min(more, left), gifts + sgift, -depth - 1) < bar:
                break                       # every later offer has a bound no larger
            if j >= tail_start:
                finish(live[p:], fen, req, gifts, waived)
                break
            c = cands[j]
            g = c.o.group
            if g and g in used:
                continue
            # neither it (at most its figure) nor its completions can beat the best: not worth applying
            gift = c.o.kind == "gift"
            after, areq, agift, _ = suffix[p + 1]
            if (req + c.req + areq, fen + min(figures[p][1] + after - mates, left), gifts + gift + agift,
                    -depth - 1) < bar:
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
            record((req + c.req, fen + off, gifts + gift, -depth - 1))
            # its completions: the offers after it take at most their figures, and with it at most `left`
            more, sreq, sgift, _ = suffix[p + 1]
            more -= mates                   # the offers of its group after it no longer apply
            if p + 1 < len(live) and (req + c.req + sreq, fen + off + max(min(more, left - off), 0),
                                      gifts + gift + sgift, -depth - 2) >= bar:
                visit(live[p + 1:], fen + off, req + c.req, gifts + gift, waived or dl > 0)
            if g:
                used.discard(g)
            stack.pop()
            for i, d in goods:
                rem[i] += d

    for c in excl:                          # first: a good incumbent prunes more
        reason, goods, dl = rules.apply(c.o, c.idxs, b.rem0, b, False)
        if reason is None:
            obj = (int(c.req), dl + sum(d for _, d in goods), int(c.o.kind == "gift"), -1,
                   -int(c.o.source == "coupon"), (c.o.key,))
            if _better(obj, best_obj):
                best_obj, best_steps = obj, [(c, goods, dl)]
    if cands:
        steps = _greedy(b, cands)            # a good incumbent before the search prunes more
        head = (sum(s[0].req for s in steps), sum(s[2] + sum(d for _, d in s[1]) for s in steps),
                sum(s[0].o.kind == "gift" for s in steps), -len(steps), -_coupons(steps))
        obj = (*head, tuple(sorted(s[0].o.key for s in steps)))
        if _better(obj, best_obj):
            best_obj, best_steps = obj, steps
        bar = best_obj[:4]
        visit(list(range(len(cands))), 0, 0, 0, False)
    # visit refers to itself through its closure: without this the search's state (`seen` and all) would
    # wait for the cyclic garbage collector, whose passes over the whole heap then land on some calls
    visit = None
    return best_steps
