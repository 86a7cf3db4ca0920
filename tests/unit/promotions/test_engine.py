"""Best-price engine: every kind, stacking and exclusivity, required coupons, reasons, whole-fen spread, and
the peers' bugs named in issue 10."""

from __future__ import annotations

import itertools

import pytest

from o2o.promotions.engine import Line, Offer, Result, Scope, best


def ln(sku: int, price: int, qty: int = 1, cat: int = 1) -> Line:
    return Line(sku_id=sku, category_id=cat, unit_price_fen=price, quantity=qty)


def off(key: str, kind: str, **kw) -> Offer:
    return Offer(key=key, kind=kind, label_zh=kw.pop("zh", key), label_en=kw.pop("en", key), **kw)


def keys(r: Result) -> list[str]:
    return [a.key for a in r.applied]


def check(r: Result, lines: list[Line], fee: int = 0) -> None:
    """The bill adds up: line discounts sum to the goods discount and to the applied offers' lines."""
    totals = {ln.sku_id: ln.unit_price_fen * ln.quantity for ln in lines}
    assert set(r.line_discount_fen) == set(totals)
    assert all(0 <= r.line_discount_fen[s] <= totals[s] for s in totals)
    assert r.goods_discount_fen == sum(r.line_discount_fen.values())
    for s in totals:
        assert r.line_discount_fen[s] == sum(a.per_line.get(s, 0) for a in r.applied)
    assert 0 <= r.delivery_discount_fen <= fee
    goods = sum(a.discount_fen for a in r.applied if a.kind != "free_delivery")
    assert goods == r.goods_discount_fen


# (case, lines, offers, fee, required, applied keys, line discounts, delivery discount, rejected)
CASES = [
    ("sale price where lower", [ln(1, 1000, 2), ln(2, 500)],
     [off("P1", "sale_price", price_fen=800, scope=Scope(sku_ids=frozenset({1, 2})))], 0, (),
     ["P1"], {1: 400, 2: 0}, 0, []),
    ("sale price not lower", [ln(1, 1000)], [off("P1", "sale_price", price_fen=1200)], 0, (),
     [], {1: 0}, 0, [("P1", "worse")]),
    ("second unit half price", [ln(1, 1000, 3), ln(2, 700, 1)], [off("P1", "nth_discount", nth=2, pct_off=50)], 0, (),
     ["P1"], {1: 500, 2: 0}, 0, []),
    ("second unit half price, 4 units", [ln(1, 1000, 4)], [off("P1", "nth_discount", nth=2, pct_off=50)], 0, (),
     ["P1"], {1: 1000}, 0, []),
    ("nth not reached", [ln(1, 1000, 1)], [off("P1", "nth_discount", nth=2, pct_off=50)], 0, (),
     [], {1: 0}, 0, [("P1", "threshold")]),
    ("buy 4 get 1: the cheapest unit is free", [ln(1, 1000, 3), ln(2, 600, 2)],
     [off("P1", "buy_x_get_y", buy=4, get=1)], 0, (), ["P1"], {1: 0, 2: 600}, 0, []),
    ("buy 2 get 1 twice", [ln(1, 1000, 3), ln(2, 600, 3)],
     [off("P1", "buy_x_get_y", buy=2, get=1)], 0, (), ["P1"], {1: 0, 2: 1200}, 0, []),
    ("buy 2 get 1: too few units", [ln(1, 1000, 2)], [off("P1", "buy_x_get_y", buy=2, get=1)], 0, (),
     [], {1: 0}, 0, [("P1", "threshold")]),
    ("满200减30", [ln(1, 15000), ln(2, 10000)], [off("P1", "threshold", min_fen=20000, off_fen=3000)], 0, (),
     ["P1"], {1: 1800, 2: 1200}, 0, []),
    ("满200减30 not reached", [ln(1, 15000)], [off("P1", "threshold", min_fen=20000, off_fen=3000)], 0, (),
     [], {1: 0}, 0, [("P1", "threshold")]),
    ("每满100减10", [ln(1, 25000)], [off("P1", "threshold", min_fen=10000, off_fen=1000, repeat=True)], 0, (),
     ["P1"], {1: 2000}, 0, []),
    ("amount off never beyond the bill", [ln(1, 500)], [off("P1", "threshold", off_fen=800)], 0, (),
     ["P1"], {1: 500}, 0, []),
    ("percent with a cap", [ln(1, 10000)], [off("P1", "percent", pct_off=20, cap_fen=1000)], 0, (),
     ["P1"], {1: 1000}, 0, []),
    ("percent under its minimum", [ln(1, 10000)], [off("P1", "percent", pct_off=20, min_fen=10001)], 0, (),
     [], {1: 0}, 0, [("P1", "threshold")]),
    ("free delivery", [ln(1, 6000)], [off("P1", "free_delivery", min_fen=5000)], 600, (),
     ["P1"], {1: 0}, 600, []),
    ("free delivery: no fee to waive", [ln(1, 6000)], [off("P1", "free_delivery")], 0, (),
     [], {1: 0}, 0, [("P1", "worse")]),
    ("free delivery: one fee", [ln(1, 6000)], [off("P1", "free_delivery"), off("P2", "free_delivery")], 600, (),
     ["P1"], {1: 0}, 600, [("P2", "worse")]),
    ("free delivery tested on what is still to pay", [ln(1, 6000)],
     [off("P1", "threshold", off_fen=1500), off("P2", "free_delivery", min_fen=5000)], 600, (),
     ["P1"], {1: 1500}, 0, [("P2", "threshold")]),
    ("gift line", [ln(1, 6000)], [off("P1", "gift", gift_sku_id=77, min_fen=5000)], 0, (),
     ["P1"], {1: 0}, 0, []),
    ("out of scope", [ln(1, 6000, cat=1)],
     [off("P1", "percent", pct_off=10, scope=Scope(category_ids=frozenset({2}))),
      off("P2", "threshold", off_fen=10, scope=Scope(sku_ids=frozenset({9})))], 0, (),
     [], {1: 0}, 0, [("P1", "scope"), ("P2", "scope")]),
    ("a sale price that spoils a better threshold", [ln(1, 10500)],
     [off("P1", "sale_price", price_fen=9900), off("C1", "threshold", min_fen=10000, off_fen=3000, source="coupon")],
     0, (), ["C1"], {1: 3000}, 0, [("P1", "worse")]),
    ("exclusive loses to a better stack", [ln(1, 10000)],
     [off("P1", "percent", pct_off=20, exclusive=True), off("P2", "threshold", off_fen=1500),
      off("P3", "threshold", off_fen=1000)], 0, (),
     ["P2", "P3"], {1: 2500}, 0, [("P1", "exclusive")]),
    ("exclusive wins", [ln(1, 10000)],
     [off("P1", "percent", pct_off=30, exclusive=True), off("P2", "threshold", off_fen=1500),
      off("P3", "threshold", off_fen=1000)], 0, (),
     ["P1"], {1: 3000}, 0, [("P2", "exclusive"), ("P3", "exclusive")]),
    ("tie: fewer offers", [ln(1, 10000)],
     [off("P1", "threshold", off_fen=1000, exclusive=True), off("P2", "threshold", off_fen=500),
      off("P3", "threshold", off_fen=500)], 0, (),
     ["P1"], {1: 1000}, 0, [("P2", "exclusive"), ("P3", "exclusive")]),
    ("tie: smaller key", [ln(1, 10000)],
     [off("P2", "threshold", off_fen=1000, group="g"), off("P1", "threshold", off_fen=1000, group="g")], 0, (),
     ["P1"], {1: 1000}, 0, [("P2", "group")]),
    ("one coupon per group", [ln(1, 30000)],
     [off("C1", "threshold", min_fen=10000, off_fen=1000, group="coupon", source="coupon"),
      off("C2", "percent", pct_off=10, group="coupon", source="coupon")], 0, (),
     ["C2"], {1: 3000}, 0, [("C1", "group")]),
    ("required coupon beats a better exclusive promotion", [ln(1, 10000)],
     [off("P1", "percent", pct_off=30, exclusive=True), off("C1", "threshold", off_fen=1000, source="coupon")], 0,
     ("C1",), ["C1"], {1: 1000}, 0, [("P1", "exclusive")]),
    ("required coupon under its minimum is left out", [ln(1, 10000)],
     [off("P1", "percent", pct_off=10), off("C1", "threshold", min_fen=20000, off_fen=5000, source="coupon")], 0,
     ("C1",), ["P1"], {1: 1000}, 0, [("C1", "threshold")]),
    ("two required in one group: the better one", [ln(1, 10000)],
     [off("C1", "threshold", off_fen=1000, group="c"), off("C2", "threshold", off_fen=2000, group="c")], 0,
     ("C1", "C2"), ["C2"], {1: 2000}, 0, [("C1", "group")]),
    ("gift beside money when they combine", [ln(1, 10000)],
     [off("P1", "threshold", off_fen=1000), off("P2", "gift", gift_sku_id=5)], 0, (),
     ["P1", "P2"], {1: 1000}, 0, []),
    ("gift loses to money in its group", [ln(1, 10000)],
     [off("P1", "threshold", off_fen=1000, group="p"), off("P2", "gift", gift_sku_id=5, group="p")], 0, (),
     ["P1"], {1: 1000}, 0, [("P2", "group")]),
    ("order by kind: sale price, threshold on the sale price, then percent", [ln(1, 12000)],
     [off("P3", "percent", pct_off=10), off("P2", "threshold", min_fen=10000, off_fen=1000),
      off("P1", "sale_price", price_fen=11000)], 0, (),
     ["P1", "P2", "P3"], {1: 1000 + 1000 + 1000}, 0, []),   # 10% of the 10,000 still to pay
]


@pytest.mark.parametrize("case,lines,offers,fee,required,applied,line_off,delivery,rejected", CASES,
                         ids=[c[0] for c in CASES])
def test_table(case, lines, offers, fee, required, applied, line_off, delivery, rejected):
    r = best(lines, offers, fee, frozenset(required))
    check(r, lines, fee)
    assert keys(r) == applied
    assert r.line_discount_fen == line_off
    assert r.delivery_discount_fen == delivery
    assert list(r.rejected) == rejected


def test_gift_is_a_zero_fen_entitlement():
    r = best([ln(1, 6000)], [off("P1", "gift", gift_sku_id=77, zh="买满50送杯子")])
    (a,) = r.applied
    assert (a.kind, a.discount_fen, a.per_line, a.gift_sku_id, a.label_zh) == ("gift", 0, {}, 77, "买满50送杯子")


def test_free_delivery_explains_the_fee_waived():
    r = best([ln(1, 6000)], [off("P1", "free_delivery", zh="满50包邮")], delivery_fee_fen=800)
    assert [(a.key, a.discount_fen, a.per_line) for a in r.applied] == [("P1", 800, {})]
    assert (r.goods_discount_fen, r.delivery_discount_fen) == (0, 800)


def test_spread_by_largest_remainder_ties_to_the_smaller_sku():
    lines = [ln(3, 1000), ln(1, 1000), ln(2, 1000)]
    r = best(lines, [off("P1", "threshold", off_fen=100)])
    assert r.line_discount_fen == {1: 34, 2: 33, 3: 33}
    r = best(lines, [off("P1", "threshold", off_fen=200)])
    assert r.line_discount_fen == {1: 67, 2: 67, 3: 66}


def test_spread_in_proportion_to_what_is_still_to_pay():
    # the sale price first: line 1 still pays 600, line 2 400; 100 off is split 60/40
    r = best([ln(1, 1000), ln(2, 400)], [off("P1", "sale_price", price_fen=600, scope=Scope(sku_ids=frozenset({1}))),
                                       off("P2", "threshold", off_fen=100)])
    assert r.applied[1].per_line == {1: 60, 2: 40}


# Saleor #17453: a 70% order voucher on top of a 40% product promotion gave goods away.
# Within one kind offers apply by key (C1 before P1): 70% then 40% of the rest is the same 82% off.
@pytest.mark.parametrize("promotion,each", [
    (off("P1", "percent", pct_off=40, scope=Scope(sku_ids=frozenset({1}))), {"C1": 7000, "P1": 1200}),
    (off("P1", "sale_price", price_fen=6000, scope=Scope(sku_ids=frozenset({1}))), {"P1": 4000, "C1": 4200}),
])
def test_saleor_17453_percent_of_what_is_still_to_pay(promotion, each):
    lines = [ln(1, 10000)]
    r = best(lines, [promotion, off("C1", "percent", pct_off=70, source="coupon")], required=frozenset({"C1"}))
    check(r, lines)
    assert sorted(keys(r)) == ["C1", "P1"]
    assert r.goods_discount_fen == 4000 + 4200          # 70% of the 6,000 still to pay, not of 10,000
    assert {a.key: a.discount_fen for a in r.applied} == each
    assert r.line_discount_fen == {1: 8200}                # 1,800 still to pay: nothing given away


# Saleor #12107: "apply once per order" landed on the cheapest line, not the cheapest line it covers.
def test_saleor_12107_the_cheapest_line_the_offer_covers():
    lines = [ln(1, 500, cat=1), ln(2, 3000, cat=2), ln(3, 2000, cat=2)]
    once = off("C1", "buy_x_get_y", buy=1, get=1, scope=Scope(category_ids=frozenset({2})))
    r = best(lines, [once])
    assert r.line_discount_fen == {1: 0, 2: 0, 3: 2000}
    pct = off("C2", "percent", pct_off=10, scope=Scope(category_ids=frozenset({2})))
    r = best(lines, [pct])
    assert r.line_discount_fen == {1: 0, 2: 300, 3: 200}


# Medusa #13431: buy-4-get-1 failed depending on the order the lines were added in.
def test_medusa_13431_buy_4_get_1_whatever_the_line_order():
    lines = [ln(1, 1200, 1), ln(2, 900, 2), ln(3, 1500, 1), ln(4, 900, 1)]
    offer = off("P1", "buy_x_get_y", buy=4, get=1)
    results = {repr(best(list(p), [offer])) for p in itertools.permutations(lines)}
    assert len(results) == 1
    r = best(lines, [offer])
    assert r.line_discount_fen == {1: 0, 2: 900, 3: 0, 4: 0}    # 900 each on sku 2 and 4: the smaller sku


# Saleor #14920: rules within one promotion stacked by accident. Same group: never together.
def test_saleor_14920_rules_of_one_promotion_do_not_stack():
    lines = [ln(1, 25000)]
    rules = [off("P7a", "threshold", min_fen=10000, off_fen=1000, group="P7"),
             off("P7b", "threshold", min_fen=20000, off_fen=3000, group="P7")]
    r = best(lines, rules)
    assert keys(r) == ["P7b"] and r.goods_discount_fen == 3000
    assert r.rejected == (("P7a", "group"),)
    # without a group they would stack: stacking is explicit
    r = best(lines, [off(o.key, o.kind, min_fen=o.min_fen, off_fen=o.off_fen) for o in rules])
    assert r.goods_discount_fen == 4000


def test_order_of_offers_and_lines_does_not_matter():
    lines = [ln(1, 1000, 3), ln(2, 2500, 1, cat=2), ln(3, 300, 5)]
    offers = [off("P1", "nth_discount", nth=2, pct_off=50), off("P2", "threshold", min_fen=3000, off_fen=500),
              off("C1", "percent", pct_off=15, cap_fen=700, group="c"), off("C2", "threshold", off_fen=600, group="c"),
              off("P3", "buy_x_get_y", buy=3, get=1, scope=Scope(sku_ids=frozenset({1, 3})))]
    want = best(lines, offers, 600)
    assert best(lines[::-1], offers[::-1], 600) == want
    assert best(lines[1:] + lines[:1], offers[2:] + offers[:2], 600) == want


def test_no_offers_no_lines():
    assert best([], []) == Result((), {}, 0, 0, ())
    r = best([ln(1, 100)], [])
    assert (r.applied, r.line_discount_fen, r.goods_discount_fen) == ((), {1: 0}, 0)


@pytest.mark.parametrize("lines,offers", [
    ([ln(1, 100), ln(1, 200)], []),
    ([ln(1, 100, 0)], []),
    ([ln(1, 100)], [off("P1", "bogus")]),
    ([ln(1, 100)], [off("P1", "gift"), off("P1", "gift")]),
])
def test_bad_input_is_refused(lines, offers):
    with pytest.raises(ValueError):
        best(lines, offers)


def test_the_same_coupon_twice_in_one_group():
    lines = [ln(1, 30000)]
    twins = [off(f"C{i}", "threshold", min_fen=10000, off_fen=1000, group="platform", source="coupon")
             for i in (3, 1, 2)]
    r = best(lines, [*twins, off("C9", "percent", pct_off=5, group="platform")])
    assert keys(r) == ["C9"] and r.goods_discount_fen == 1500
    assert r.rejected == (("C1", "group"), ("C2", "group"), ("C3", "group"))
    r = best(lines, twins)
    assert keys(r) == ["C1"] and r.rejected == (("C2", "group"), ("C3", "group"))
    r = best(lines, twins, required=frozenset({"C2"}))
    assert keys(r) == ["C2"]


@pytest.mark.parametrize("offers,fee,required,applied,line_off,rejected", [
    # 100% off leaves nothing to pay and nothing below 0; a later amount off has nothing left to take
    ([off("P1", "percent", pct_off=100), off("P2", "threshold", off_fen=500)], 0, (), ["P1"], {1: 3000, 2: 1000},
     [("P2", "worse")]),
    # 每满 with no minimum: once
    ([off("P1", "threshold", off_fen=300, repeat=True)], 0, (), ["P1"], {1: 225, 2: 75}, []),
    # a gift without a gift SKU gives nothing
    ([off("P1", "gift")], 0, (), [], {1: 0, 2: 0}, [("P1", "worse")]),
    # a required exclusive coupon wins over a better stack
    ([off("C1", "threshold", off_fen=100, exclusive=True), off("P1", "percent", pct_off=10),
      off("P2", "threshold", off_fen=200)], 0, ("C1",), ["C1"], {1: 75, 2: 25}, [("P1", "exclusive"), ("P2", "exclusive")]),
    # a required key that is not among the offers is ignored
    ([off("P1", "threshold", off_fen=400)], 0, ("C404",), ["P1"], {1: 300, 2: 100}, []),
    # thresholds before percentages whatever the keys: 每满1000减100 on 4,000 = 400, then 10% of the 3,600 left
    ([off("P1", "percent", pct_off=10, cap_fen=400), off("P0", "threshold", min_fen=1000, off_fen=100, repeat=True)],
     0, (), ["P0", "P1"], {1: 300 + 270, 2: 100 + 90}, []),
])
def test_edges(offers, fee, required, applied, line_off, rejected):
    lines = [ln(1, 1000, 3), ln(2, 1000, 1, cat=2)]
    r = best(lines, offers, fee, frozenset(required))
    check(r, lines, fee)
    assert sorted(keys(r)) == applied
    assert r.line_discount_fen == line_off
    assert list(r.rejected) == rejected


def test_free_deliveries_and_gifts_after_the_goods():
    """The last free deliveries and gifts are picked directly: one fee, every gift that applies (one per
    group), the customer's pick first, then the smaller key."""
    lines = [ln(1, 1000, 3), ln(2, 1000, 1, cat=2)]
    offers = [off("P1", "threshold", off_fen=500),
              off("C5", "free_delivery", group="g"), off("P2", "free_delivery"),
              off("P3", "gift", gift_sku_id=71, group="g"), off("P4", "gift", gift_sku_id=72, group="h"),
              off("P5", "gift", gift_sku_id=73, group="h"), off("P6", "gift", gift_sku_id=74, min_fen=3600)]
    r = best(lines, offers, 600)
    check(r, lines, 600)
    # the fee from P2 (no group) leaves group g to the gift P3; P4 before P5; P6's minimum is out of reach
    assert keys(r) == ["P1", "P2", "P3", "P4"] and r.delivery_discount_fen == 600
    assert dict(r.rejected) == {"C5": "group", "P5": "group", "P6": "threshold"}
    # the customer's picks: the fee from C5 (so no gift from group g), P5 in group h
    r = best(lines, offers, 600, required=frozenset({"C5", "P5"}))
    assert keys(r) == ["P1", "C5", "P5"] and r.delivery_discount_fen == 600
    assert dict(r.rejected) == {"P2": "worse", "P3": "group", "P4": "group", "P6": "threshold"}


def test_a_ladder_whose_top_rung_is_not_the_best():
    """满100减10 / 满300减50 in one promotion, then 满250减60 on the same lines: the top rung leaves 2,500 + 450
    and misses the next one; the lower rung keeps it (the greedy first guess is wrong, the search is not)."""
    lines = [ln(1, 10000, 3)]
    ladder = [off("P1", "threshold", min_fen=10000, off_fen=1000, group="L"),
              off("P2", "threshold", min_fen=30000, off_fen=5000, group="L"),
              off("P3", "threshold", min_fen=28000, off_fen=6000)]
    r = best(lines, ladder)
    check(r, lines)
    assert keys(r) == ["P1", "P3"] and r.goods_discount_fen == 7000


def test_the_same_coupon_twice_with_another_of_its_group_between():
    lines = [ln(1, 30000)]
    wallet = [off("C1", "threshold", min_fen=10000, off_fen=1000, group="platform"),
              off("C2", "threshold", min_fen=20000, off_fen=1500, group="platform"),
              off("C3", "threshold", min_fen=10000, off_fen=1000, group="platform"),
              off("C4", "threshold", min_fen=40000, off_fen=4000, group="platform")]
    r = best(lines, wallet)
    assert keys(r) == ["C2"] and r.rejected == (("C1", "group"), ("C3", "group"), ("C4", "threshold"))
    r = best(lines, wallet, required=frozenset({"C3"}))
    assert keys(r) == ["C3"] and r.rejected == (("C1", "group"), ("C2", "group"), ("C4", "threshold"))
    r = best(lines, [wallet[0], wallet[2], off("P1", "percent", pct_off=50)])
    assert keys(r) == ["C1", "P1"] and r.rejected == (("C3", "group"),)


def test_best_leaves_nothing_for_the_cycle_collector():
    """Every order calls best(): what its search builds goes when it returns, not at the next full pass of
    the garbage collector (which then lands on one unlucky request).

    Everything alive before (the worker's earlier tests: a million objects and more late in a full run) is
    frozen first, so the collection after the search walks only what the search built: two full passes over
    the whole heap took this test 21 s in a full run. Nothing the search builds can be frozen."""
    import gc
    lines = [ln(1, 10000, 3), ln(2, 2000, 2, cat=2)]
    offers = [off("P1", "nth_discount", nth=2, pct_off=50), off("P2", "threshold", min_fen=10000, off_fen=1000),
              off("P3", "percent", pct_off=10, group="g"), off("P4", "threshold", off_fen=500, group="g")]
    gc.disable()
    gc.freeze()
    try:
        for _ in range(3):
            best(lines, offers, 600)
        assert gc.collect() == 0
    finally:
        gc.unfreeze()
        gc.enable()


def test_a_promotion_that_gives_as_much_as_a_coupon_keeps_the_coupon():
    """Equal discounts: the automatic promotion is applied and the wallet's coupon stays for another day
    (keys alone would pick "C.." before "P.."); a coupon the customer picked still wins."""
    lines = [ln(1, 25000)]
    coupon = off("C1", "threshold", min_fen=20000, off_fen=3000, group="x", source="coupon")
    promo = off("P7", "threshold", min_fen=20000, off_fen=3000, group="x")
    r = best(lines, [coupon, promo])
    assert keys(r) == ["P7"] and r.rejected == (("C1", "group"),)
    r = best(lines, [coupon, promo], required=frozenset({"C1"}))
    assert keys(r) == ["C1"]
    # gifts of one group: the promotion's, not the coupon's
    gifts = [off("C2", "gift", gift_sku_id=50, group="g", source="coupon"), off("P4", "gift", gift_sku_id=51, group="g")]
    assert keys(best(lines, gifts)) == ["P4"]


def test_a_group_whose_last_offer_is_a_gift_still_counts_its_discounts_in_the_bound():
    """The search's bound adds a group without whole-basket offers once, at its last live offer; here that
    is a gift (gifts apply last), and the nth-unit discount before it must still be counted: bounded too
    low, the branch without the sale price would be cut and the worse P0 + P2 (one fen more offers) kept.
    Found by 5,000 brute-force examples."""
    lines = [ln(1, 1, qty=2), ln(2, 2), ln(3, 0), ln(4, 0)]
    offers = [off("P0", "sale_price", price_fen=1), off("C1", "gift", gift_sku_id=50, group="a", source="coupon"),
              off("P2", "nth_discount", nth=1, pct_off=50, group="a")]
    r = best(lines, offers)
    assert keys(r) == ["P2"] and r.goods_discount_fen == 2
    assert dict(r.rejected) == {"C1": "group", "P0": "worse"}
