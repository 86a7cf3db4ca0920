"""The demo members' points and tiers, consistent with their order history: every completed order
(online and at the till) is qualifying spend and earns a lot at the tier reached with it (upgrades as soon
as an order qualifies, like loyalty.service.earn_for_order); some members have used points since (oldest
lots first); each member's balance row holds the sum. And a few rewards in the points mall."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from o2o.loyalty import rules

REWARDS = (  # kind, zh, en, points, stock
    ("goods", "环保帆布购物袋", "Canvas tote bag", 1_500, 300),
    ("goods", "精品挂耳咖啡（10 包）", "Drip coffee (10 bags)", 2_500, 120),
    ("goods", "有机鸡蛋 12 枚", "Organic eggs, 12", 1_800, 200),
    ("service", "门店配送免运费券", "Free store delivery voucher", 600, 1_000),
    ("service", "上门家电清洗（空调一台）", "Home appliance cleaning (one air conditioner)", 20_000, 25),
)


def reward_rows(created: datetime) -> list[dict[str, Any]]:
    return [dict(kind=k, name_zh=zh, name_en=en, points_cost=p, stock=n, active=True, created_at=created)
            for k, zh, en, p, n in REWARDS]


def member_rows(rnd: random.Random, orders: list[dict[str, Any]], tiers: list[rules.TierRule], rates: rules.Rates,
                anchor: datetime) -> dict[str, list[dict[str, Any]]]:
    """`orders`: the history's sales_order rows. Returns rows for loyalty_spend, points_entry, points_account."""
    by_customer: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for o in orders:
        if o["customer_id"] and o["status"] == "completed" and o["completed_at"] is not None:
            by_customer[o["customer_id"]].append(o)
    ranked = sorted(tiers, key=lambda t: t.rank)
    spend_rows: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    accounts: list[dict[str, Any]] = []
    for customer_id in sorted(by_customer):
        mine = sorted(by_customer[customer_id], key=lambda o: (o["completed_at"], o["id"]))
        tier, since = ranked[0], mine[0]["completed_at"]
        spend = count = balance = 0
        lots: list[dict[str, Any]] = []
        for o in mine:
            at = o["completed_at"]
            spend_rows.append(dict(order_id=o["id"], customer_id=customer_id, amount_fen=o["total_fen"],
                                   returned_fen=0, at=at))
            spend, count = spend + o["total_fen"], count + 1
            reached = rules.tier_for(tiers, spend, count)
            if reached.rank > tier.rank:
                tier, since = reached, at
            points = rules.points_for(o["total_fen"], rates, tier.points_multiplier_pct)
            if points > 0:
                lot = dict(customer_id=customer_id, kind="earn", points=points, remaining=points, shortfall=0,
                           expires_at=at + timedelta(days=rates.expiry_days), notified_at=None, order_id=o["id"],
                           key=f"earn:order:{o['id']}", note=o["number"], created_at=at)
                entries.append(lot)
                lots.append(lot)
                balance += points
        if balance >= 200 and rnd.random() < 0.3:  # some members have spent points since (at a till)
            used = rnd.randint(100, balance // 2)
            left = used
            for lot in lots:
                take = min(left, lot["remaining"])
                lot["remaining"] -= take
                left -= take
                if not left:
                    break
            at = min(anchor, mine[-1]["completed_at"] + timedelta(hours=rnd.uniform(2, 72)))
            entries.append(dict(customer_id=customer_id, kind="redeem", points=-used, remaining=0, shortfall=0,
                                expires_at=None, notified_at=None, order_id=None, key=None, note="till", created_at=at))
            balance -= used
        accounts.append(dict(customer_id=customer_id, balance=balance, tier_code=tier.code, tier_since=since,
                             review_at=since + timedelta(days=rates.review_days), updated_at=anchor))
    return {"loyalty_spend": spend_rows, "points_entry": entries, "points_account": accounts}
