"""Pure rules (no database): which tier a member's 12-month figures reach, points for an amount,
how many points a bill can take. Tier rows and the config are plain values here."""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd

DEFAULT_TIERS = (
    # code, rank, zh, en, min_spend_fen, min_orders, multiplier %, store delivery, home service, dedicated, price %
    ("normal", 0, "普通会员", "Member", 0, 0, 100, False, False, False, 100),
    ("silver", 1, "白银会员", "Silver", 100_000, 0, 120, False, False, False, 100),
    ("gold", 2, "黄金会员", "Gold", 500_000, 0, 150, True, False, False, 98),
    ("diamond", 3, "钻石会员", "Diamond", 2_000_000, 0, 200, True, True, True, 95),
)


@dataclass(frozen=True)
class TierRule:
    code: str
    rank: int
    name_zh: str
    name_en: str
    min_spend_fen: int = 0
    min_orders: int = 0
    points_multiplier_pct: int = 100
    free_store_delivery: bool = False
    free_home_service: bool = False
    dedicated_service: bool = False
    price_pct: int = 100

    def name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") else self.name_zh

    def reached_by(self, spend_fen: int, orders: int) -> bool:
        """A rule of 0 is not set; with both set, either reaches the tier ("and/or": the admin sets the
        one(s) that count). The lowest tier (rank 0) is everyone's."""
        if self.rank == 0:
            return True
        by_spend = self.min_spend_fen > 0 and spend_fen >= self.min_spend_fen
        by_orders = self.min_orders > 0 and orders >= self.min_orders
        return by_spend or by_orders


@dataclass(frozen=True)
class Rates:
    earn_points_per_yuan: int = 1
    redeem_points_per_yuan: int = 100
    redeem_cap_pct: int = 50
    expiry_days: int = 365
    expiring_notice_days: int = 30
    review_days: int = 365


def default_tiers() -> list[TierRule]:
    return [TierRule(*row) for row in DEFAULT_TIERS]


def tier_for(tiers: list[TierRule], spend_fen: int, orders: int) -> TierRule:
    """The highest tier the figures reach."""
    ranked = sorted(tiers, key=lambda t: t.rank)
    best = ranked[0]
    for t in ranked:
        if t.reached_by(spend_fen, orders):
            best = t
    return best


def next_tier(tiers: list[TierRule], current: TierRule) -> TierRule | None:
    above = sorted((t for t in tiers if t.rank > current.rank), key=lambda t: t.rank)
    return above[0] if above else None


def points_for(amount_fen: int, rates: Rates, multiplier_pct: int) -> int:
    """Points earned on money paid: whole yuan x rate x tier multiplier, rounded down."""
    if amount_fen <= 0:
        return 0
    return (amount_fen // 100) * rates.earn_points_per_yuan * multiplier_pct // 100


def redeem_step(rates: Rates) -> int:
    """The smallest number of points worth a whole fen (100 points = 1 yuan: 1 point = 1 fen)."""
    per_yuan = max(1, rates.redeem_points_per_yuan)
    return per_yuan // gcd(per_yuan, 100)


def points_value_fen(points: int, rates: Rates) -> int:
    return points * 100 // max(1, rates.redeem_points_per_yuan)


def usable_points(asked: int, balance: int, bill_fen: int, rates: Rates) -> int:
    """How many of the asked points a bill takes: at most the balance, at most the cap's share of the
    bill, in whole steps (every point used is worth whole fen)."""
    cap_fen = bill_fen * max(0, min(100, rates.redeem_cap_pct)) // 100
    cap_points = cap_fen * max(1, rates.redeem_points_per_yuan) // 100
    n = max(0, min(asked, balance, cap_points))
    return n - n % redeem_step(rates)


def proportion(points: int, part_fen: int, whole_fen: int) -> int:
    """The share of `points` that `part_fen` of `whole_fen` stands for (a partial return), rounded down;
    all of them for the whole."""
    if whole_fen <= 0 or part_fen >= whole_fen:
        return points
    return points * max(0, part_fen) // whole_fen
