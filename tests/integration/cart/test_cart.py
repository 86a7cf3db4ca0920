"""The cart on both databases: lines add up (capped), change and go; an anonymous cart joins the
customer's on sign-in; concurrent writers to one cart lose nothing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from o2o.cart import service as cart
from o2o.cart.models import MAX_QUANTITY, Cart, CartLine
from o2o.cart.schemas import Owner
from o2o.catalog.models import Sku
from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from o2o.kernel.clock import FixedClock
from o2o.kernel.errors import InvalidInput
from o2o.kernel.uow import UnitOfWork
from tests.factories.raw import new_sku

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def uow(db, at: datetime = NOW) -> UnitOfWork:  # type: ignore[no-untyped-def]
    return UnitOfWork(db, FixedClock(at))


def customer(db, phone: str = "13800138000") -> int:  # type: ignore[no-untyped-def]
    return customers.create(uow(db), CustomerIn(name="张三", phone=phone)).id


def as_dict(db, owner: Owner) -> dict[int, int]:  # type: ignore[no-untyped-def]
    return {ln.sku_id: ln.quantity for ln in cart.lines(db, owner)}


def test_adding_the_same_sku_sums_and_stops_at_the_line_maximum_when_added_again(db):
    sku, other = new_sku(db), new_sku(db)
    me = Owner(token=cart.new_token())
    cart.add(uow(db), me, sku, 2)
    cart.add(uow(db), me, other, 1)
    cart.add(uow(db), me, sku, 3)
    assert as_dict(db, me) == {sku: 5, other: 1}
    assert [ln.sku_id for ln in cart.lines(db, me)] == [sku, other]  # in the order first added
    cart.add(uow(db), me, sku, MAX_QUANTITY)
    assert as_dict(db, me)[sku] == MAX_QUANTITY


def test_add_refuses_unknown_or_unsellable_skus_and_bad_quantities_when_asked(db):
    sku = new_sku(db)
    me = Owner(token=cart.new_token())
    with pytest.raises(InvalidInput) as unknown:
        cart.add(uow(db), me, 987654, 1)
    assert unknown.value.extra["errors"][0]["field"] == "sku_id"
    for bad in (0, -1, MAX_QUANTITY + 1):
        with pytest.raises(InvalidInput) as qty:
            cart.add(uow(db), me, sku, bad)
        assert qty.value.extra["errors"][0]["field"] == "quantity"
    with db.write_sessions() as s:
        s.execute(update(Sku).where(Sku.id == sku).values(active=False))
        s.commit()
    with pytest.raises(InvalidInput):
        cart.add(uow(db), me, sku, 1)
    assert cart.lines(db, me) == []


def test_update_sets_the_quantity_and_zero_or_remove_deletes_the_line_when_asked(db):
    a, b = new_sku(db), new_sku(db)
    me = Owner(token=cart.new_token())
    cart.add(uow(db), me, a, 2)
    cart.add(uow(db), me, b, 2)
    cart.update(uow(db), me, a, 7)
    cart.update(uow(db), me, b, 0)
    assert as_dict(db, me) == {a: 7}
    cart.remove(uow(db), me, a)
    assert as_dict(db, me) == {}
    cart.update(uow(db), Owner(token=cart.new_token()), a, 3)  # no cart yet: nothing happens
    with pytest.raises(InvalidInput):
        cart.update(uow(db), me, a, MAX_QUANTITY + 1)


def test_carts_are_kept_apart_by_token_and_by_customer_when_several_exist(db):
    sku = new_sku(db)
    one, two = Owner(token=cart.new_token()), Owner(token=cart.new_token())
    mine = Owner(customer_id=customer(db))
    cart.add(uow(db), one, sku, 1)
    cart.add(uow(db), two, sku, 2)
    cart.add(uow(db), mine, sku, 3)
    assert (as_dict(db, one), as_dict(db, two), as_dict(db, mine)) == ({sku: 1}, {sku: 2}, {sku: 3})
    with db.read() as s:  # only the token's hash is stored
        hashes = set(s.scalars(select(Cart.token_hash).where(Cart.token_hash.is_not(None))))
    assert one.token not in hashes and len(hashes) == 2


def test_owner_is_a_customer_or_a_token_never_both():
    with pytest.raises(ValueError):
        Owner()
    with pytest.raises(ValueError):
        Owner(customer_id=1, token="x" * 32)


def test_sign_in_merges_the_anonymous_cart_into_the_customers_summing_quantities_when_both_hold_a_sku(db):
    shared, only_anon, only_mine = new_sku(db), new_sku(db), new_sku(db)
    anon = Owner(token=cart.new_token())
    cid = customer(db)
    mine = Owner(customer_id=cid)
    cart.add(uow(db), mine, shared, 2)
    cart.add(uow(db), mine, only_mine, 1)
    cart.add(uow(db), anon, shared, 3)
    cart.add(uow(db), anon, only_anon, 4)
    assert cart.merge(uow(db), anon.token, cid) == 2
    assert as_dict(db, mine) == {shared: 5, only_mine: 1, only_anon: 4}
    assert cart.lines(db, anon) == []
    assert cart.merge(uow(db), anon.token, cid) == 0  # the anonymous cart is gone: a second merge adds nothing
    assert as_dict(db, mine) == {shared: 5, only_mine: 1, only_anon: 4}
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Cart).where(Cart.token_hash.is_not(None))) == 0


def test_merge_creates_the_customers_cart_and_caps_summed_lines_when_they_pass_the_maximum(db):
    sku = new_sku(db)
    anon = Owner(token=cart.new_token())
    cid = customer(db)
    cart.add(uow(db), anon, sku, MAX_QUANTITY - 1)
    assert cart.merge(uow(db), anon.token, cid) == 1
    assert as_dict(db, Owner(customer_id=cid)) == {sku: MAX_QUANTITY - 1}
    again = Owner(token=cart.new_token())
    cart.add(uow(db), again, sku, 5)
    cart.merge(uow(db), again.token, cid)
    assert as_dict(db, Owner(customer_id=cid)) == {sku: MAX_QUANTITY}
    assert cart.merge(uow(db), cart.new_token(), cid) == 0  # an unknown token merges nothing


def test_clear_in_joins_the_callers_transaction_and_rolls_back_with_it(db):
    a, b = new_sku(db), new_sku(db)
    me = Owner(customer_id=customer(db))
    cart.add(uow(db), me, a, 1)
    cart.add(uow(db), me, b, 1)
    with uow(db) as u:
        assert cart.clear_in(u.session, me, [a]) == 1
        u.rollback()
    assert as_dict(db, me) == {a: 1, b: 1}
    with uow(db) as u:
        cart.clear_in(u.session, me, [a])
        u.commit()
    assert as_dict(db, me) == {b: 1}


def test_purge_deletes_only_anonymous_carts_untouched_since_the_cutoff(db):
    sku = new_sku(db)
    old, fresh = Owner(token=cart.new_token()), Owner(token=cart.new_token())
    mine = Owner(customer_id=customer(db))
    cart.add(uow(db, NOW - timedelta(days=40)), old, sku, 1)
    cart.add(uow(db, NOW - timedelta(days=40)), mine, sku, 1)
    cart.add(uow(db), fresh, sku, 1)
    assert cart.purge_anonymous(uow(db), NOW - timedelta(days=30)) == 1
    assert cart.lines(db, old) == [] and as_dict(db, fresh) == {sku: 1} and as_dict(db, mine) == {sku: 1}


def _together(workers: int, jobs: list, fn) -> list:  # type: ignore[no-untyped-def]
    start = threading.Barrier(workers)

    def run(job):  # type: ignore[no-untyped-def]
        start.wait()
        return fn(job)

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(run, jobs))


def test_concurrent_adds_to_one_cart_lose_nothing_when_they_race(fresh_db):
    skus = [new_sku(fresh_db) for _ in range(3)]
    me = Owner(token=cart.new_token())  # the cart does not exist yet: the first adds race to create it
    jobs = [(skus[i % 3], 1 + i % 2) for i in range(24)]
    _together(12, jobs, lambda job: cart.add(UnitOfWork(fresh_db), me, *job))
    want: dict[int, int] = {}
    for sku, qty in jobs:
        want[sku] = want.get(sku, 0) + qty
    assert as_dict(fresh_db, me) == want
    with fresh_db.read() as s:
        assert s.scalar(select(func.count()).select_from(Cart)) == 1
        assert s.scalar(select(func.count()).select_from(CartLine)) == 3


def test_two_requests_adding_the_same_line_at_once_both_count(fresh_db):
    sku = new_sku(fresh_db)
    cid = customer(fresh_db)
    me = Owner(customer_id=cid)
    for _ in range(5):
        _together(2, [1, 1], lambda q: cart.add(UnitOfWork(fresh_db), me, sku, q))
    assert as_dict(fresh_db, me) == {sku: 10}


def test_concurrent_merges_of_one_anonymous_cart_merge_it_once(fresh_db):
    sku = new_sku(fresh_db)
    cid = customer(fresh_db)
    anon = Owner(token=cart.new_token())
    cart.add(UnitOfWork(fresh_db), anon, sku, 3)
    merged = _together(4, [0, 1, 2, 3], lambda _: cart.merge(UnitOfWork(fresh_db), anon.token, cid))
    assert sorted(merged) == [0, 0, 0, 1]
    assert as_dict(fresh_db, Owner(customer_id=cid)) == {sku: 3}
