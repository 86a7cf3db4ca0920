"""Tier and points rules without a database."""

from __future__ import annotations

from o2o.loyalty import rules

TIERS = rules.default_tiers()


def test_tier_is_reached_at_the_threshold_and_not_one_fen_under():
    silver = next(t for t in TIERS if t.code == "silver")
    assert rules.tier_for(TIERS, silver.min_spend_fen - 1, 50).code == "normal"
    assert rules.tier_for(TIERS, silver.min_spend_fen, 0).code == "silver"
    gold = next(t for t in TIERS if t.code == "gold")
    assert rules.tier_for(TIERS, gold.min_spend_fen - 1, 0).code == "silver"
    assert rules.tier_for(TIERS, gold.min_spend_fen, 0).code == "gold"


def test_order_count_rule_reaches_a_tier_when_set():
    tiers = [rules.TierRule("normal", 0, "n", "n"), rules.TierRule("silver", 1, "s", "s", 0, 5),
             rules.TierRule("gold", 2, "g", "g", 500_000, 20)]
    assert rules.tier_for(tiers, 0, 4).code == "normal"
    assert rules.tier_for(tiers, 0, 5).code == "silver"
    assert rules.tier_for(tiers, 499_999, 19).code == "silver"
    assert rules.tier_for(tiers, 0, 20).code == "gold"  # either rule reaches it
    assert rules.tier_for(tiers, 500_000, 0).code == "gold"


def test_points_are_whole_yuan_times_rate_times_multiplier():
    r = rules.Rates(earn_points_per_yuan=2)
    assert rules.points_for(12_999, r, 100) == 258
    assert rules.points_for(12_999, r, 150) == 387
    assert rules.points_for(99, r, 200) == 0
    assert rules.points_for(-500, r, 100) == 0


def test_usable_points_respect_balance_cap_and_step():
    r = rules.Rates(redeem_points_per_yuan=100, redeem_cap_pct=50)
    assert rules.usable_points(10_000, 10_000, 2_000, r) == 1_000  # half of 20 yuan
    assert rules.usable_points(300, 300, 2_000, r) == 300
    assert rules.usable_points(300, 200, 2_000, r) == 200
    odd = rules.Rates(redeem_points_per_yuan=250, redeem_cap_pct=100)  # 2.5 points a fen: steps of 5 points
    assert rules.redeem_step(odd) == 5
    assert rules.usable_points(17, 17, 10_000, odd) == 15
    assert rules.points_value_fen(15, odd) == 6


def test_proportional_share_of_a_partial_return():
    assert rules.proportion(100, 2_500, 10_000) == 25
    assert rules.proportion(100, 10_000, 10_000) == 100
    assert rules.proportion(100, 0, 10_000) == 0
    assert rules.proportion(7, 1, 3) == 2
