"""Group buying reviewed from the outside, over HTTP on both databases: prices and totals in a join's body
are ignored (the deal's price is charged); a deal that ends before a group's hours are up closes the group
at the deal's end, and the worker then fails it, refunds and frees the stock; a deal the operator ends
takes no new member while its open group runs to its end; a crowd joining one group at once never takes
more slots than it has, nor more portions than the deal's cap, and never answers 500."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from o2o import bootstrap
from o2o.groupbuy import service as groupbuy
from o2o.inventory import service as inventory
from tests.e2e.test_groupbuy import MILK_GROUP_FEN, V1, chain, join, make_deal, open_group, pickup, shopper  # noqa: F401
from tests.factories.http import order_of, pay, stock_row


def test_prices_and_totals_in_a_join_body_are_ignored(client, container, auth, chain):  # noqa: F811
    deal = make_deal(client, container, auth, chain)
    a, b = shopper(container, auth, 1), shopper(container, auth, 2)
    forged = pickup(chain) | {"price_fen": 1, "total_fen": 1, "unit_price_fen": 1, "discount_fen": 10_000,
                              "items": [{"sku_id": chain.skus["milk"], "quantity": 1, "price_fen": 1}],
                              "group_size": 1, "coupon_ids": [], "prices": {str(chain.skus["milk"]): 1}}
    r = client.post(f"{V1}/deals/{deal['id']}/groups", headers=a[1], json=forged)
    assert r.status_code == 201, r.text
    assert r.json()["total_fen"] == MILK_GROUP_FEN and r.json()["group"]["size"] == 3
    r = client.post(f"{V1}/groups/{r.json()['group']['id']}/join", headers=b[1], json=forged)
    assert r.status_code == 201, r.text
    o = order_of(client, r.json()["order_number"], b[1])
    assert o["total_fen"] == MILK_GROUP_FEN and o["discount_fen"] == 0 and len(o["lines"]) == 1
    assert o["lines"][0]["quantity"] == 1


def test_a_deal_ending_before_the_groups_hours_closes_the_group_at_its_end(client, container, auth, chain):  # noqa: F811
    now = container.clock.now()
    deal = make_deal(client, container, auth, chain, hours=24, ends_at=(now + timedelta(hours=2)).isoformat())
    a, b, c = (shopper(container, auth, i) for i in range(3))
    first = open_group(client, deal["id"], a[1], chain).json()
    group_id = first["group"]["id"]
    assert first["group"]["seconds_left"] <= 2 * 3600
    second = join(client, group_id, b[1], chain).json()
    pay(client, first["order_number"], a[1])
    pay(client, second["order_number"], b[1])
    bootstrap.relay(container).drain()
    container.clock.advance(hours=2, seconds=1)
    c = (c[0], auth.customer(c[0]))
    r = join(client, group_id, c[1], chain)
    assert r.status_code in (404, 409) and r.status_code != 500, r.text
    assert client.get("/api/v1/orders", headers=c[1]).json() == []
    assert groupbuy.close_due(container.db, container.uow) == 1
    bootstrap.relay(container).drain()
    assert client.get(f"{V1}/groups/{group_id}").json()["status"] == "failed"
    assert sorted(x["amount_fen"] for x in container.payments.refunds) == [MILK_GROUP_FEN, MILK_GROUP_FEN]
    row = stock_row(client, chain.stores["xujiahui"], chain.skus["milk"], auth.staff("operator"))
    assert row["reserved"] == 0
    assert inventory.check(container.db).ok


def test_a_deal_the_operator_ends_takes_no_one_new_and_its_group_runs_to_its_end(client, container, auth, chain):  # noqa: F811
    deal = make_deal(client, container, auth, chain, group_size=2)
    a, b = shopper(container, auth, 1), shopper(container, auth, 2)
    first = open_group(client, deal["id"], a[1], chain).json()
    group_id = first["group"]["id"]
    pay(client, first["order_number"], a[1])
    assert client.delete(f"{V1}/admin/deals/{deal['id']}", headers=auth.staff("operator")).status_code in (200, 204)
    r = join(client, group_id, b[1], chain)
    assert r.status_code in (404, 409), r.text
    assert open_group(client, deal["id"], b[1], chain).status_code in (404, 409)
    container.clock.advance(hours=24, seconds=1)
    assert groupbuy.close_due(container.db, container.uow) == 1
    bootstrap.relay(container).drain()
    assert [x["amount_fen"] for x in container.payments.refunds] == [MILK_GROUP_FEN]
    assert inventory.check(container.db).ok


def test_a_crowd_joining_one_group_takes_its_slots_once_and_never_fails(client, container, auth, chain):  # noqa: F811
    deal = make_deal(client, container, auth, chain, group_size=4, stock_cap=5)
    leader = shopper(container, auth, 0)
    group_id = open_group(client, deal["id"], leader[1], chain).json()["group"]["id"]
    crowd = [shopper(container, auth, i) for i in range(1, 13)]

    def go(h):  # type: ignore[no-untyped-def]
        return join(client, group_id, h, chain)

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(go, [h for _, h in crowd]))
    codes = sorted(r.status_code for r in answers)
    assert 500 not in codes, [r.text for r in answers if r.status_code >= 500]
    assert codes.count(201) == 3 and set(codes) <= {201, 409}, codes
    g = client.get(f"{V1}/groups/{group_id}").json()
    assert (g["joined"], g["missing"]) == (4, 0)
    assert client.get(f"{V1}/deals/{deal['id']}").json()["sold"] == 4
    assert stock_row(client, chain.stores["xujiahui"], chain.skus["milk"], auth.staff("operator"))["reserved"] == 4
    assert inventory.check(container.db).ok


def test_the_failure_job_dying_after_one_member_is_finished_by_the_next_run(
        client, container, auth, chain, monkeypatch):  # noqa: F811
    from o2o.orders import service as orders

    deal = make_deal(client, container, auth, chain, group_size=4)
    buyers = [shopper(container, auth, i) for i in range(3)]
    first = open_group(client, deal["id"], buyers[0][1], chain).json()
    group_id, numbers = first["group"]["id"], [first["order_number"]]
    for _, h in buyers[1:]:
        numbers.append(join(client, group_id, h, chain).json()["order_number"])
    for (_, h), number in zip(buyers, numbers, strict=True):
        pay(client, number, h)
    bootstrap.relay(container).drain()
    container.clock.advance(hours=24, seconds=1)
    real, calls = orders.cancel, []

    def dies_on_the_second(*args, **kw):  # type: ignore[no-untyped-def]
        calls.append(args[1])
        if len(calls) == 2:
            raise RuntimeError("the worker was killed")
        return real(*args, **kw)

    monkeypatch.setattr(orders, "cancel", dies_on_the_second)
    assert groupbuy.close_due(container.db, container.uow) == 0  # logged; the group stays failing
    assert client.get(f"{V1}/groups/{group_id}").json()["status"] == "failing"
    monkeypatch.setattr(orders, "cancel", real)
    assert groupbuy.close_due(container.db, container.uow) == 1
    assert groupbuy.close_due(container.db, container.uow) == 0
    bootstrap.relay(container).drain()
    assert client.get(f"{V1}/groups/{group_id}").json()["status"] == "failed"
    assert sorted(x["amount_fen"] for x in container.payments.refunds) == [MILK_GROUP_FEN] * 3
    assert client.get(f"{V1}/deals/{deal['id']}").json()["sold"] == 0
    row = stock_row(client, chain.stores["xujiahui"], chain.skus["milk"], auth.staff("operator"))
    assert row["reserved"] == 0
    assert inventory.check(container.db).ok
