"""Group buying (拼团) end to end, on both databases: a group that fills in time fulfils every order; one
that runs out of time cancels them all, refunds the payments in the sandbox and frees the stock (also when
the worker stopped half-way); two shoppers after the last slot at once, one gets it; refusals."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from o2o import bootstrap
from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from o2o.groupbuy import repository as gb_repo
from o2o.groupbuy import service as groupbuy
from o2o.groupbuy.exceptions import AlreadyInGroup, GroupFull
from o2o.groupbuy.schemas import JoinIn
from o2o.inventory import service as inventory
from o2o.orders import service as orders
from tests.factories.chain import build_chain, receive
from tests.factories.http import order_of, pay, stock_row

V1 = "/api/v1/groupbuy"
MILK_GROUP_FEN = 990  # milk's base price is 1290


@pytest.fixture
def chain(container):  # type: ignore[no-untyped-def]
    ch = build_chain(container)
    receive(container, ch.stores["xujiahui"], ch.skus["milk"], 20)
    return ch


def shopper(container, auth, n: int) -> tuple[int, dict[str, str]]:  # type: ignore[no-untyped-def]
    cid = customers.create(container.uow(), CustomerIn(name=f"买家{n}", phone=f"1390000{n:04d}")).id
    return cid, auth.customer(cid)


def make_deal(client, container, auth, chain, **over):  # type: ignore[no-untyped-def]
    now = container.clock.now()
    body = {"title_zh": "牛奶三人团", "title_en": "Milk for three", "group_size": 3, "hours": 24,
            "items": [{"sku_id": chain.skus["milk"], "quantity": 1, "price_fen": MILK_GROUP_FEN}],
            "modes": ["pickup"], "location_ids": [chain.stores["xujiahui"]],
            "starts_at": (now - timedelta(hours=1)).isoformat(), "ends_at": (now + timedelta(days=7)).isoformat(),
            "stock_cap": 10} | over
    r = client.post(f"{V1}/admin/deals", headers=auth.staff("operator"), json=body)
    assert r.status_code == 201, r.text
    return r.json()


def pickup(chain) -> dict:  # type: ignore[no-untyped-def]
    return {"mode": "pickup", "location_id": chain.stores["xujiahui"]}


def open_group(client, deal_id: int, headers, chain, key: str | None = None):  # type: ignore[no-untyped-def]
    extra = {"Idempotency-Key": key} if key else {}
    return client.post(f"{V1}/deals/{deal_id}/groups", headers=headers | extra, json=pickup(chain))


def join(client, group_id: int, headers, chain, key: str | None = None):  # type: ignore[no-untyped-def]
    extra = {"Idempotency-Key": key} if key else {}
    return client.post(f"{V1}/groups/{group_id}/join", headers=headers | extra, json=pickup(chain))


def test_a_group_that_fills_in_time_sends_every_order_to_fulfilment(client, container, auth, chain):
    deal = make_deal(client, container, auth, chain)
    assert (deal["price_fen"], deal["list_price_fen"], deal["on"]) == (990, 1290, True)
    buyers = [shopper(container, auth, i) for i in range(3)]
    r = open_group(client, deal["id"], buyers[0][1], chain)
    assert r.status_code == 201, r.text
    first = r.json()
    group_id = first["group"]["id"]
    assert (first["group"]["missing"], first["total_fen"], first["group"]["status"]) == (2, 990, "open")
    numbers = [first["order_number"]]
    for _, h in buyers[1:]:
        r = join(client, group_id, h, chain)
        assert r.status_code == 201, r.text
        numbers.append(r.json()["order_number"])
    assert client.get(f"{V1}/groups/{group_id}").json()["missing"] == 0

    for (_, h), number in zip(buyers[:2], numbers[:2], strict=True):
        pay(client, number, h)
    bootstrap.relay(container).drain()
    held = order_of(client, numbers[0], buyers[0][1])
    # paid, at the group price, but held: no fulfilment until the group forms
    assert (held["status"], held["total_fen"], held["fulfillment_ids"]) == ("paid", 990, [])
    assert held["held_for"] and held["lines"][0]["list_price_fen"] == 1290
    assert client.get(f"{V1}/groups/{group_id}").json()["status"] == "open"

    pay(client, numbers[2], buyers[2][1])
    bootstrap.relay(container).drain()
    g = client.get(f"{V1}/groups/{group_id}").json()
    assert (g["status"], g["joined"], g["paid"], g["missing"]) == ("succeeded", 3, 3, 0)
    for (_, h), number in zip(buyers, numbers, strict=True):
        o = order_of(client, number, h)
        assert o["status"] == "paid" and o["held_for"] is None and len(o["fulfillment_ids"]) == 1, o
    operator = auth.staff("operator")
    assert stock_row(client, chain.stores["xujiahui"], chain.skus["milk"], operator)["reserved"] == 3
    mine = client.get("/api/v1/me/groups", headers=buyers[0][1]).json()
    assert [(m["group"]["id"], m["status"], m["order_number"]) for m in mine] == [(group_id, "paid", numbers[0])]
    # a formed group is closed to anyone else, and the worker leaves it alone
    late = shopper(container, auth, 9)
    r = join(client, group_id, late[1], chain)
    assert r.status_code == 409 and r.json()["type"].endswith("/group-closed")
    container.clock.advance(hours=30)
    assert groupbuy.close_due(container.db, container.uow) == 0
    assert container.payments.refunds == []
    assert inventory.check(container.db).ok


def test_a_group_out_of_time_refunds_everyone_and_frees_the_stock(client, container, auth, chain):
    deal = make_deal(client, container, auth, chain)
    buyers = [shopper(container, auth, i) for i in range(3)]
    first = open_group(client, deal["id"], buyers[0][1], chain).json()
    group_id, numbers = first["group"]["id"], [first["order_number"]]
    for _, h in buyers[1:]:
        numbers.append(join(client, group_id, h, chain).json()["order_number"])
    pay(client, numbers[0], buyers[0][1])
    pay(client, numbers[1], buyers[1][1])  # the third never pays
    bootstrap.relay(container).drain()
    operator = auth.staff("operator")
    loc, milk = chain.stores["xujiahui"], chain.skus["milk"]
    assert stock_row(client, loc, milk, operator)["reserved"] == 3
    assert groupbuy.close_due(container.db, container.uow) == 0  # not yet due

    container.clock.advance(hours=24, seconds=1)
    assert groupbuy.close_due(container.db, container.uow) == 1
    bootstrap.relay(container).drain()
    buyers = [(cid, auth.customer(cid)) for cid, _ in buyers]  # signed in afresh a day later
    operator = auth.staff("operator")
    g = client.get(f"{V1}/groups/{group_id}").json()
    assert (g["status"], g["missing"]) == ("failed", 0)
    for (_, h), number in zip(buyers, numbers, strict=True):
        o = order_of(client, number, h)
        assert (o["status"], o["history"][-1]["actor"]) == ("cancelled", "groupbuy"), o
    refunds = sorted((r["out_trade_no"][:len(numbers[0])], r["amount_fen"]) for r in container.payments.refunds)
    assert refunds == sorted([(numbers[0], 990), (numbers[1], 990)])
    row = stock_row(client, loc, milk, operator)
    assert (row["on_hand"], row["reserved"]) == (20, 0)
    assert client.get(f"{V1}/deals/{deal['id']}").json()["sold"] == 0  # the portions are back
    assert {m["status"] for m in client.get("/api/v1/me/groups", headers=buyers[0][1]).json()} == {"failed"}
    # running again changes nothing: no second cancel, no second refund
    assert groupbuy.close_due(container.db, container.uow) == 0
    bootstrap.relay(container).drain()
    assert len(container.payments.refunds) == 2
    assert inventory.check(container.db).ok


def test_a_worker_stopped_half_way_through_a_failing_group_is_finished_by_the_next_run(
        client, container, auth, chain):
    deal = make_deal(client, container, auth, chain, group_size=3)
    buyers = [shopper(container, auth, i) for i in range(2)]
    first = open_group(client, deal["id"], buyers[0][1], chain).json()
    group_id = first["group"]["id"]
    second = join(client, group_id, buyers[1][1], chain).json()
    for (_, h), number in zip(buyers, (first["order_number"], second["order_number"]), strict=True):
        pay(client, number, h)
    bootstrap.relay(container).drain()
    container.clock.advance(hours=25)
    # what a worker got through before it died: the group marked failing, the first order cancelled
    with container.uow() as u:
        assert gb_repo.start_failing(u.session, group_id, u.clock.now())
        u.commit()
    orders.cancel(container.uow(), first["order_number"], "groupbuy", "group did not form")
    assert client.get(f"{V1}/groups/{group_id}").json()["status"] == "failing"

    worker = bootstrap.relay_thread(container)  # the next round of `o2o worker` finishes it
    for job in worker.periodic:
        job()
    worker.relay.drain()
    assert client.get(f"{V1}/groups/{group_id}").json()["status"] == "failed"
    buyers = [(cid, auth.customer(cid)) for cid, _ in buyers]
    assert order_of(client, second["order_number"], buyers[1][1])["status"] == "cancelled"
    assert len(container.payments.refunds) == 2  # one each, the first not refunded twice
    assert stock_row(client, chain.stores["xujiahui"], chain.skus["milk"], auth.staff("operator"))["reserved"] == 0
    assert client.get(f"{V1}/deals/{deal['id']}").json()["sold"] == 0
    assert inventory.check(container.db).ok


def test_two_shoppers_after_the_last_slot_at_once_one_gets_it(client, container, auth, chain):
    deal = make_deal(client, container, auth, chain, group_size=2, stock_cap=100)
    policy = orders.OrderPolicy()
    for round_ in range(3):
        leader = shopper(container, auth, 10 + round_ * 3)
        group_id = open_group(client, deal["id"], leader[1], chain).json()["group"]["id"]
        rivals = [shopper(container, auth, 11 + round_ * 3 + i)[0] for i in range(2)]
        barrier = threading.Barrier(2)

        def go(cid: int, group_id: int = group_id, barrier: threading.Barrier = barrier) -> str:
            barrier.wait()
            try:
                return groupbuy.join_group(container.uow(), policy, cid, group_id,
                                           JoinIn(mode="pickup", location_id=chain.stores["xujiahui"])).order_number
            except GroupFull:
                return "full"

        with ThreadPoolExecutor(2) as pool:
            results = sorted(pool.map(go, rivals))
        assert results[1] == "full" and results[0].startswith("SO"), results
        g = client.get(f"{V1}/groups/{group_id}").json()
        assert (g["joined"], g["missing"]) == (2, 0)
    row = stock_row(client, chain.stores["xujiahui"], chain.skus["milk"], auth.staff("operator"))
    assert row["reserved"] == 6  # 3 groups of 2: the losers reserved nothing
    assert client.get(f"{V1}/deals/{deal['id']}").json()["sold"] == 6
    assert inventory.check(container.db).ok


def test_a_member_who_does_not_pay_frees_the_slot_for_someone_else(client, container, auth, chain):
    deal = make_deal(client, container, auth, chain, group_size=2)
    a, b, c = (shopper(container, auth, i) for i in range(3))
    group_id = open_group(client, deal["id"], a[1], chain).json()["group"]["id"]
    assert join(client, group_id, b[1], chain).status_code == 201
    assert join(client, group_id, c[1], chain).json()["type"].endswith("/group-full")
    container.clock.advance(minutes=31)  # b's order was never paid; a's neither
    orders.expire_unpaid(container.db, container.uow)
    bootstrap.relay(container).drain()
    g = client.get(f"{V1}/groups/{group_id}").json()
    assert (g["joined"], g["missing"], g["status"]) == (0, 2, "open")
    r = join(client, group_id, c[1], chain)
    assert r.status_code == 201, r.text
    assert [m["status"] for m in client.get("/api/v1/me/groups", headers=b[1]).json()] == ["left"]


def test_a_retry_with_the_same_idempotency_key_joins_once(client, container, auth, chain):
    deal = make_deal(client, container, auth, chain)
    a, b = shopper(container, auth, 1), shopper(container, auth, 2)
    r1 = open_group(client, deal["id"], a[1], chain, key="open-1")
    r2 = open_group(client, deal["id"], a[1], chain, key="open-1")
    assert r1.status_code == r2.status_code == 201
    assert r1.json()["order_number"] == r2.json()["order_number"]
    group_id = r1.json()["group"]["id"]
    j1, j2 = join(client, group_id, b[1], chain, key="j"), join(client, group_id, b[1], chain, key="j")
    assert j1.status_code == j2.status_code == 201 and j1.json()["order_number"] == j2.json()["order_number"]
    assert client.get(f"{V1}/groups/{group_id}").json()["joined"] == 2
    assert len(client.get("/api/v1/orders", headers=b[1]).json()) == 1
    # without a key, the same shopper cannot take a second slot
    assert join(client, group_id, b[1], chain).json()["type"].endswith("/already-in-group")


def test_refusals_full_closed_sold_out_wrong_store_and_unknown_or_huge_ids(client, container, auth, chain):
    deal = make_deal(client, container, auth, chain, group_size=2, stock_cap=3)
    a, b, c, d = (shopper(container, auth, i) for i in range(4))
    group_id = open_group(client, deal["id"], a[1], chain).json()["group"]["id"]
    # a store the deal is not served by, a mode it does not offer: nothing is placed
    r = client.post(f"{V1}/groups/{group_id}/join", headers=b[1],
                    json={"mode": "pickup", "location_id": chain.stores["jingan"]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "location_id"
    r = client.post(f"{V1}/groups/{group_id}/join", headers=b[1], json={"mode": "parcel", "address_id": 1})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "mode"
    assert client.get("/api/v1/orders", headers=b[1]).json() == []
    assert join(client, group_id, b[1], chain).status_code == 201
    r = join(client, group_id, c[1], chain)
    assert (r.status_code, r.json()["type"].rsplit("/", 1)[1]) == (409, "group-full")
    # the third portion opens a group; the cap of 3 is then reached
    other = open_group(client, deal["id"], c[1], chain).json()["group"]["id"]
    r = join(client, other, d[1], chain)
    assert (r.status_code, r.json()["type"].rsplit("/", 1)[1]) == (409, "deal-unavailable")
    assert stock_row(client, chain.stores["xujiahui"], chain.skus["milk"], auth.staff("operator"))["reserved"] == 3
    # out of time
    container.clock.advance(hours=25)
    d = (d[0], auth.customer(d[0]))
    r = join(client, other, d[1], chain)
    assert (r.status_code, r.json()["type"].rsplit("/", 1)[1]) == (409, "group-closed")
    # unknown and huge ids name nothing
    for path in (f"{V1}/groups/999999/join", f"{V1}/groups/9223372036854775808/join",
                 f"{V1}/groups/99999999999999999999999/join", f"{V1}/deals/9223372036854775807/groups"):
        r = client.post(path, headers=d[1], json=pickup(chain))
        assert r.status_code == 404, (path, r.text)
    for path in (f"{V1}/groups/9223372036854775808", f"{V1}/deals/-1", f"{V1}/deals/0/groups"):
        assert client.get(path).status_code == 404, path
    r = client.post(f"{V1}/groups/{other}/join", headers=d[1], json={"mode": "pickup", "location_id": 2**63})
    assert r.status_code == 422
    # only a signed-in customer joins, for themselves; a group shows no one's name, phone or order
    assert join(client, other, {}, chain).status_code == 401
    assert join(client, other, auth.staff("operator"), chain).status_code == 403
    shown = client.get(f"{V1}/groups/{group_id}").json()
    assert not {"order_number", "customer_id", "leader_id", "members"} & set(shown)
    assert client.get("/api/v1/me/groups", headers=d[1]).json() == []
    assert inventory.check(container.db).ok


def test_operators_manage_deals_and_others_cannot(client, container, auth, chain):
    deal = make_deal(client, container, auth, chain)
    operator = auth.staff("operator")
    body = {k: deal[k] for k in ("title_zh", "title_en", "group_size", "hours", "modes", "location_ids",
                                 "starts_at", "ends_at", "stock_cap")}
    body["items"] = [{"sku_id": chain.skus["yogurt"], "quantity": 2, "price_fen": 700}]
    r = client.put(f"{V1}/admin/deals/{deal['id']}", headers=operator, json=body | {"group_size": 4})
    assert r.status_code == 200, r.text
    assert (r.json()["group_size"], r.json()["price_fen"], r.json()["list_price_fen"]) == (4, 1400, 1780)
    assert [d["id"] for d in client.get(f"{V1}/deals").json()] == [deal["id"]]
    bad = [body | {"ends_at": body["starts_at"]}, body | {"items": [{"sku_id": 999999, "price_fen": 1}]},
           body | {"group_size": 1}, body | {"modes": ["teleport"]}, body | {"stock_cap": True},
           body | {"location_ids": [999999]}, body | {"items": [{"sku_id": chain.skus["milk"], "price_fen": 0}]}]
    for b in bad:
        assert client.post(f"{V1}/admin/deals", headers=operator, json=b).status_code == 422, b
    for who in (auth.staff("clerk", store_id=chain.stores["xujiahui"]), auth.customer(chain.customer)):
        assert client.post(f"{V1}/admin/deals", headers=who, json=body).status_code == 403
        assert client.get(f"{V1}/admin/deals", headers=who).status_code == 403
    assert client.delete(f"{V1}/admin/deals/{deal['id']}", headers=operator).status_code == 204
    assert client.get(f"{V1}/deals").json() == []
    assert client.get(f"{V1}/deals/{deal['id']}").status_code == 404  # ended: not on show
    assert client.get(f"{V1}/admin/deals/{deal['id']}", headers=operator).json()["active"] is False
    r = open_group(client, deal["id"], auth.customer(chain.customer), chain)
    assert r.status_code == 404


def test_a_member_may_have_it_delivered_to_a_saved_address_where_the_deal_allows(client, container, auth, chain):
    from o2o.customers.schemas import AddressIn
    from tests.factories.chain import XUJIAHUI_NEAR

    receive(container, chain.warehouse, chain.skus["milk"], 5)
    deal = make_deal(client, container, auth, chain, group_size=2, modes=["pickup", "parcel"], location_ids=[])
    a, b = shopper(container, auth, 1), shopper(container, auth, 2)
    address = customers.add_address(container.uow(), b[0], AddressIn(line="徐汇区某路 1 号", lat=XUJIAHUI_NEAR[0],
                                                                    lng=XUJIAHUI_NEAR[1]))
    group_id = open_group(client, deal["id"], a[1], chain).json()["group"]["id"]
    r = client.post(f"{V1}/groups/{group_id}/join", headers=b[1], json={"mode": "parcel", "address_id": address.id})
    assert r.status_code == 201, r.text
    o = order_of(client, r.json()["order_number"], b[1])
    assert (o["mode"], o["lines"][0]["unit_price_fen"]) == ("parcel", MILK_GROUP_FEN)
    # someone else's saved address is not theirs to use
    c = shopper(container, auth, 3)
    other = open_group(client, deal["id"], c[1], chain).json()["group"]["id"]
    d = shopper(container, auth, 4)
    r = client.post(f"{V1}/groups/{other}/join", headers=d[1], json={"mode": "parcel", "address_id": address.id})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "address_id"
    assert client.get(f"{V1}/groups/{other}").json()["joined"] == 1
    # and a week is the longest a group may take
    over = client.post(f"{V1}/admin/deals", headers=auth.staff("operator"), json={
        "title_zh": "x", "title_en": "x", "group_size": 2, "hours": 24 * 7 + 1, "modes": ["pickup"],
        "items": [{"sku_id": chain.skus["milk"], "price_fen": 1}], "stock_cap": 1,
        "starts_at": "2026-11-24T00:00:00Z", "ends_at": "2026-12-24T00:00:00Z"})
    assert over.status_code == 422


def test_one_shopper_joining_the_same_group_twice_at_once_takes_one_slot(client, container, auth, chain):
    deal = make_deal(client, container, auth, chain, group_size=4)
    leader = shopper(container, auth, 1)
    group_id = open_group(client, deal["id"], leader[1], chain).json()["group"]["id"]
    twin = shopper(container, auth, 2)[0]
    barrier = threading.Barrier(2)

    def go(key: str) -> str:
        barrier.wait()
        try:
            return groupbuy.join_group(container.uow(), orders.OrderPolicy(), twin, group_id,
                                       JoinIn(mode="pickup", location_id=chain.stores["xujiahui"]), key).order_number
        except AlreadyInGroup:
            return "already"

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(go, ["tap-1", "tap-2"]))
    assert results[1] == "already" and results[0].startswith("SO"), results
    assert client.get(f"{V1}/groups/{group_id}").json()["joined"] == 2
    row = stock_row(client, chain.stores["xujiahui"], chain.skus["milk"], auth.staff("operator"))
    assert row["reserved"] == 2
    assert inventory.check(container.db).ok


def test_merging_two_customers_in_the_same_group_keeps_both_places(client, container, auth, chain):
    deal = make_deal(client, container, auth, chain, group_size=4)
    a, b, c = (shopper(container, auth, i) for i in range(3))
    group_id = open_group(client, deal["id"], a[1], chain).json()["group"]["id"]
    join(client, group_id, b[1], chain)
    other = open_group(client, deal["id"], c[1], chain).json()["group"]["id"]
    join(client, other, b[1], chain)
    # a (in both the first group and, as its leader, none other) and b turn out to be one person
    r = client.post(f"/api/v1/customers/{a[0]}/merge", headers=auth.staff("operator"),
                    json={"merged_id": b[0], "reason": "same person"})
    assert r.status_code in (200, 201), r.text
    mine = client.get("/api/v1/me/groups", headers=auth.customer(a[0])).json()
    # the place in the other group moved; the second place in the shared group stays with the tombstone
    assert sorted(m["group"]["id"] for m in mine) == sorted([group_id, other])
    assert client.get(f"{V1}/groups/{group_id}").json()["joined"] == 2


def test_opening_a_group_survives_the_order_planned_again_after_a_lost_stock_race(client, container, auth, chain,
                                                                                 monkeypatch):
    """The orders area plans an order again when its reserving UPDATE finds the units gone (another order
    took them between the read and the write): the retry opens a group of its own, the first one having
    been rolled back with the first attempt."""
    from o2o.inventory import service as inventory_service
    from o2o.inventory.exceptions import ReservationFailed

    real, calls = inventory_service.reserve, []

    def lost_once(session, number, holds, *args, **kw):  # type: ignore[no-untyped-def]
        calls.append(number)
        if len(calls) == 1:  # as if a till sold the last units this very moment
            raise ReservationFailed(holds[0].location_id, holds[0].sku_id, holds[0].quantity)
        return real(session, number, holds, *args, **kw)

    monkeypatch.setattr(inventory_service, "reserve", lost_once)
    deal = make_deal(client, container, auth, chain)
    r = open_group(client, deal["id"], shopper(container, auth, 1)[1], chain)
    assert r.status_code == 201, r.text
    assert len(calls) == 2
    g = client.get(f"{V1}/groups/{r.json()['group']['id']}").json()
    assert (g["joined"], g["status"]) == (1, "open")
    assert client.get(f"{V1}/deals/{deal['id']}").json()["sold"] == 1
    assert stock_row(client, chain.stores["xujiahui"], chain.skus["milk"], auth.staff("operator"))["reserved"] == 1
