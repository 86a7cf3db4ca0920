"""The demo chain's members: points and tiers consistent with their order history, a points mall."""

from __future__ import annotations

from sqlalchemy import func, select

from o2o.demo.generator import DemoSize, generate
from o2o.kernel.db import Database
from o2o.loyalty import repository as repo
from o2o.loyalty import rules
from o2o.loyalty import service as loyalty
from o2o.loyalty.models import PointsAccount, PointsEntry, Reward, Spend
from o2o.orders.models import Order
from tests.conftest import new_database_url
from tests.integration.demo.test_generator import ANCHOR

SIZE = DemoSize(stores=4, warehouses=1, skus=60, customers=60, days=20)


def test_demo_members_have_points_and_tiers_that_follow_their_completed_orders(request, db_kind):
    db = Database.from_url(new_database_url(request, db_kind))
    try:
        generate(db, SIZE, seed=3, anchor=ANCHOR)
        with db.read() as s:
            completed = s.scalar(select(func.count()).select_from(Order).where(
                Order.status == "completed", Order.customer_id.is_not(None)))
            assert completed and s.scalar(select(func.count()).select_from(Spend)) == completed
            earns = s.scalar(select(func.count()).select_from(PointsEntry).where(PointsEntry.kind == "earn"))
            assert earns == completed  # every completed order earned once
            assert s.scalar(select(func.count()).select_from(PointsEntry).where(PointsEntry.kind == "redeem"))
            assert s.scalar(select(func.count()).select_from(Reward)) >= 3
            accounts = list(s.scalars(select(PointsAccount)))
            tiers = repo.tiers(s)
            assert {a.tier_code for a in accounts} - {"normal"}, "some members reached a tier"
        for a in accounts:
            balance, ledger, lots = loyalty.check(db, a.customer_id)
            assert balance == ledger == lots >= 0
            s = loyalty.summary(db, a.customer_id, ANCHOR)
            assert a.tier_code == rules.tier_for(tiers, s.spend_12m_fen, s.orders_12m).code
    finally:
        db.dispose()
