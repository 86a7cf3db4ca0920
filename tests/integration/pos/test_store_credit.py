"""Store credit spent at the till, on both databases with real commits: ten tills spending one member's
balance at once -> exactly the sales the balance covers go through (one conditional UPDATE each, in the
sale's transaction), the rest 409 store-credit-short with nothing written (no order, no stock out, no
tender); the balance never goes below 0."""

from __future__ import annotations

from sqlalchemy import func, select

from o2o.customers import service as customers
from o2o.inventory import service as inventory
from o2o.kernel.errors import Problem
from o2o.orders import service as orders
from o2o.pos import service as pos
from o2o.pos.models import PosSale, PosTender
from o2o.pos.schemas import BasketIn, SaleIn
from o2o.returns import repository as returns_rows
from o2o.returns import service as returns
from tests.factories.chain import build_chain, receive
from tests.factories.pos import add_till
from tests.integration.concurrency.test_races import _run


def give_credit(container, customer_id: int, fen: int) -> None:  # type: ignore[no-untyped-def]
    """A store-credit balance as a refund to store credit leaves it (returns' own statement)."""
    with container.uow() as uow:
        returns_rows.credit(uow.session, customer_id, fen, uow.clock.now())
        uow.commit()


def test_ten_tills_spending_one_store_credit_balance_at_once_succeed_only_as_far_as_it_goes(container):
    c = container
    chain = build_chain(c)
    store, milk, member = chain.stores["xujiahui"], chain.skus["milk"], chain.customer
    receive(c, store, milk, 20)
    policy = orders.OrderPolicy()
    tills = [pos.Till(add_till(c, store, f"T{i:02d}", open_till=True)[0], store, f"T{i:02d}", f"staff:clerk-{i}",
                      f"clerk {i}") for i in range(10)]
    qr = "O2O-MEMBER:" + customers.member_code(member, c.clock.now())
    due = pos.bill(c.db, policy, tills[0], BasketIn(lines=[{"sku_id": milk}], member_code=qr), c.clock.now()).due_fen
    assert due > 0
    give_credit(c, member, 3 * due + due // 2)  # covers three sales, not four

    def ring(till: pos.Till) -> str:
        sale = SaleIn(till_sale_id=f"{till.code}-1", lines=[{"sku_id": milk}], member_code=qr,
                      tenders=[{"kind": "store_credit", "amount_fen": due}])
        try:
            return pos.sell(c.uow(), c.payments, policy, till, sale).order_number
        except Problem as exc:
            return exc.kind

    results = _run(10, tills, ring)
    assert sorted(r == "store-credit-short" for r in results) == [False] * 3 + [True] * 7, results
    assert returns.store_credit(c.db, member) == due // 2
    with c.db.read() as s:
        assert s.scalar(select(func.count()).select_from(PosSale)) == 3
        spent = s.execute(select(PosTender.kind, PosTender.amount_fen)).all()
    assert sorted(tuple(r) for r in spent) == [("store_credit", due)] * 3
    assert inventory.stock_of(c.db, store, [milk])[milk].on_hand == 17  # only the three sales took milk
    assert inventory.check(c.db).ok
