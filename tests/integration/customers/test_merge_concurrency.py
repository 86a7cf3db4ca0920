"""Merges and identities under concurrency (both databases, real transactions): two operators merging
the same pair in opposite directions at once end with exactly one merge and no deadlock; the same new
openid signing in from many requests at once makes one customer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from o2o.customers import service as customers
from o2o.customers.models import Customer, CustomerMerge, Identity
from o2o.customers.schemas import CustomerIn
from o2o.kernel.errors import Problem

WORKERS = 8


def test_opposite_merges_of_one_pair_at_once_leave_one_merge(container):
    for round_ in range(4):
        a = customers.create(container.uow(), CustomerIn(name="甲", phone=f"1350000{round_:02d}01")).id
        b = customers.create(container.uow(), CustomerIn(name="乙", phone=f"1350000{round_:02d}02")).id

        def attempt(i: int, a: int = a, b: int = b) -> str:
            survivor, merged = (a, b) if i % 2 == 0 else (b, a)
            try:
                out = customers.merge(container.uow(), survivor, merged, f"test:{i}", "race")
                return f"{out.survivor_id}<-{out.merged_id}"
            except Problem as exc:
                assert exc.status == 409, exc
                return "refused"

        with ThreadPoolExecutor(WORKERS) as pool:
            results = list(pool.map(attempt, range(WORKERS)))
        won = {r for r in results if r != "refused"}
        assert len(won) == 1, results  # one direction won; its retries answered the same merge
        with container.db.read() as s:
            assert s.scalar(select(func.count()).select_from(CustomerMerge)
                            .where(CustomerMerge.merged_id.in_([a, b]))) == 1
            rows = {c.id: c.merged_into_id for c in s.scalars(select(Customer).where(Customer.id.in_([a, b])))}
        assert sorted(rows.values(), key=lambda v: v is None) in ([a, None], [b, None])


def test_one_new_openid_signing_in_at_once_makes_one_customer(container):
    def sign_in(_: int) -> int:
        with container.uow() as uow:
            cid, _created, _merge = customers.platform_sign_in(uow.session, "wechat_openid", "o-race-1", "u-race-1",
                                                              uow.clock.now())
            uow.commit()
            return cid

    with ThreadPoolExecutor(WORKERS) as pool:
        ids = set(pool.map(sign_in, range(WORKERS)))
    assert len(ids) == 1
    with container.db.read() as s:
        kinds = s.execute(select(Identity.kind, func.count()).group_by(Identity.kind)).all()
    assert dict(kinds) == {"wechat_openid": 1, "wechat_unionid": 1}
