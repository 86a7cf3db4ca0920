"""A return picked up by a courier (issue 11 through the couriers of issue 13), on SQLite and PostgreSQL: once
approved, the courier area dispatches a pickup from the customer's address to the store; the simulator calls
back over HTTP until the goods are at the store, where the desk receives and refunds them as any return;
duplicate, out-of-order and forged callbacks change nothing; a refusal fails over; a return withdrawn before
the pickup takes its courier back once; other stores' clerks, customers and foreign ids are refused."""

from __future__ import annotations

import random
from typing import Any

import pytest
from fastapi.testclient import TestClient

from o2o import bootstrap
from o2o.adapters.couriers import Update
from o2o.couriers import service as couriers
from o2o.couriers.models import CourierDelivery
from o2o.customers import service as customers
from o2o.customers.schemas import AddressIn, CustomerIn
from o2o.inventory import service as inventory
from o2o.main import create_app
from o2o.returns import service as returns
from tests.factories.auth import Auth
from tests.factories.chain import XUJIAHUI_NEAR, build_chain, receive
from tests.factories.couriers import callback, courier_container, served
from tests.factories.returns import completed_online
from tests.factories.threads import each_in_a_thread

RIDER = ("2001", "赵师傅", "13900000009")


def pickup_row(c: Any, return_id: int) -> CourierDelivery | None:
    with c.db.read() as s:
        d = s.query(CourierDelivery).filter_by(return_id=return_id).one_or_none()
        if d is not None:
            s.expunge(d)
        return d


def _post(client: TestClient, provider: str, body: bytes):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/couriers/{provider}/callback", content=body,
                       headers={"Content-Type": "application/json"})


def _setup(cc: Any, client: TestClient, approve: bool = True) -> dict[str, Any]:
    """A pickup order handed over at Xujiahui, the customer's saved address ~550 m away, a courier return asked
    for (no store chosen: it goes back to Xujiahui) and, unless `approve` is False, approved by head office."""
    auth = Auth(cc)
    chain = build_chain(cc)
    xjh, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(cc, xjh, milk, 5)
    customers.add_address(cc.uow(), chain.customer, AddressIn(line="徐家汇路 1 号", door="2 室",
                                                                lat=XUJIAHUI_NEAR[0], lng=XUJIAHUI_NEAR[1]))
    number = completed_online(cc, chain.customer, xjh, {milk: 2})
    line = returns.returnable(cc.db, number)[0].order_line_id
    me = auth.customer(chain.customer)
    r = client.post("/api/v1/returns", headers=me, json={"order_number": number, "reason_code": "quality",
                                                         "method": "courier",
                                                         "lines": [{"order_line_id": line, "quantity": 2}]})
    assert r.status_code == 201, r.text
    made = r.json()
    ops = auth.staff("operator")
    bootstrap.relay(cc).drain()
    assert pickup_row(cc, made["id"]) is None  # nothing is sent before the return is approved
    if approve:
        assert client.post(f"/api/v1/returns/{made['id']}/approve", json={}, headers=ops).status_code == 200
        bootstrap.relay(cc).drain()
        bootstrap.relay(cc).drain()  # the placing's pickup_moved
    return {"id": made["id"], "number": made["number"], "order": number, "xjh": xjh, "milk": milk, "me": me,
            "ops": ops, "clerk": auth.staff("clerk", store_id=xjh), "auth": auth, "chain": chain,
            "line": made["lines"][0]["id"]}


def _return(cc: Any, made: dict[str, Any]) -> Any:
    return returns.get_by_id(cc.db, made["id"])


@pytest.fixture
def cc(fresh_db, clock):  # type: ignore[no-untyped-def]
    return courier_container(fresh_db, clock)


@pytest.fixture
def cclient(cc):  # type: ignore[no-untyped-def]
    with TestClient(create_app(cc)) as c:
        yield c


def test_the_simulator_picks_a_return_up_over_http_and_the_desk_receives_it(fresh_db, clock):
    cc = courier_container(fresh_db, clock, {"sim-a": {"reassign": 1.0, "lose": 0.0}, "sim-b": {}})
    with served(cc), TestClient(create_app(cc)) as client:
        made = _setup(cc, client)
        d = pickup_row(cc, made["id"])
        assert d is not None and (d.kind, d.status, d.provider, d.location_id) == ("pickup", "waiting", "sim-a",
                                                                                   made["xjh"])
        assert d.fulfillment_id is None and d.fee_fen == 550  # 400 + 150 for the ~550 m from the customer
        r = _return(cc, made)
        assert (r.pickup_status, r.goes_to) == ("requested", made["xjh"])
        relay, sim = bootstrap.relay(cc), cc.couriers["sim-a"]
        seen = []
        for _ in range(12):
            sim.advance()
            relay.drain()
            relay.drain()
            seen.append(_return(cc, made).pickup_status)
            if seen[-1] == "delivered":
                break
        assert seen[-1] == "delivered" and "scheduled" in seen and "picked_up" in seen
        assert pickup_row(cc, made["id"]).status == "delivered"
        notes = [h.note for h in couriers.get(cc.db, d.id).history]
        assert any("reassigned" in n for n in notes)
        # the desk receives and inspects it as any return; the refund follows
        before = inventory.stock_of(cc.db, made["xjh"], [made["milk"]])[made["milk"]].on_hand
        r = client.post(f"/api/v1/returns/{made['id']}/receive", headers=made["clerk"],
                        json={"lines": [{"line_id": made["line"], "resellable": 2}]})
        assert r.status_code == 200, r.text
        assert inventory.stock_of(cc.db, made["xjh"], [made["milk"]])[made["milk"]].on_hand == before + 2
        assert client.post(f"/api/v1/returns/{made['id']}/refund", headers=made["clerk"]).json()["status"] == "refunded"
        # the customer sees the pickup in the return's history, steps in the courier's words
        mine = client.get(f"/api/v1/returns/{made['id']}", headers=made["me"]).json()
        assert [h["note"] for h in mine["history"] if h["note"].startswith("pickup ")][-1] == "pickup delivered"


def test_duplicate_out_of_order_and_forged_callbacks_leave_the_pickup_as_it_was(cc, cclient):
    made = _setup(cc, cclient)
    d = pickup_row(cc, made["id"])
    t = int(cc.clock.now().timestamp())
    seq = [("assigned", t + 1), ("at_store", t + 2), ("delivering", t + 3)]
    sent = seq + seq[:2]
    random.Random(11).shuffle(sent)
    for status, at in sent:
        assert _post(cclient, "sim-a", callback(d.origin_id, status, at, RIDER)).status_code == 200
    bootstrap.relay(cc).drain()
    assert (pickup_row(cc, made["id"]).status, _return(cc, made).pickup_status) == ("delivering", "picked_up")
    before = (pickup_row(cc, made["id"]).last_update_at, [h.note for h in _return(cc, made).history])
    # late reports of earlier steps, again and again: nothing moves back
    for status, at in seq[:2] * 2:
        assert _post(cclient, "sim-a", callback(d.origin_id, status, at, RIDER)).json()["applied"] is False
    # forged, tampered and stale reports, and another platform's: refused, nothing changes
    assert _post(cclient, "sim-a", callback(d.origin_id, "delivered", t + 9, RIDER, secret="guess")).status_code == 401
    tampered = callback(d.origin_id, "delivering", t + 9, RIDER).replace(b'"order_status":3', b'"order_status":4')
    assert _post(cclient, "sim-a", tampered).status_code == 401
    assert _post(cclient, "sim-a", callback(d.origin_id, "delivered", t - 3600, RIDER)).status_code == 401
    assert _post(cclient, "sim-b", callback(d.origin_id, "delivered", t + 9, RIDER)).status_code == 404
    bootstrap.relay(cc).drain()
    assert (pickup_row(cc, made["id"]).last_update_at, [h.note for h in _return(cc, made).history]) == before
    assert _return(cc, made).pickup_status == "picked_up"
    # the rider has the goods: the customer can no longer withdraw the return
    assert cclient.post(f"/api/v1/returns/{made['id']}/cancel", headers=made["me"]).status_code == 409
    assert _post(cclient, "sim-a", callback(d.origin_id, "delivered", t + 10, RIDER)).json()["applied"] is True
    bootstrap.relay(cc).drain()
    assert _return(cc, made).pickup_status == "delivered"


def test_a_refusal_fails_the_pickup_over_to_the_other_courier(fresh_db, clock):
    cc = courier_container(fresh_db, clock, {"sim-a": {"refuse": 1.0}, "sim-b": {}})
    with TestClient(create_app(cc)) as client:
        made = _setup(cc, client)
    d = pickup_row(cc, made["id"])
    assert (d.status, d.provider, d.fee_fen) == ("waiting", "sim-b", 650)
    view = couriers.get(cc.db, d.id)
    assert [(a.provider, a.state) for a in view.attempts] == [("sim-a", "refused"), ("sim-b", "placed")]
    assert _return(cc, made).pickup_status == "requested"


def test_no_courier_at_all_leaves_the_pickup_failed_for_the_desk(fresh_db, clock):
    cc = courier_container(fresh_db, clock, {"sim-a": {"refuse": 1.0}, "sim-b": {"refuse": 1.0}})
    with TestClient(create_app(cc)) as client:
        made = _setup(cc, client)
        assert pickup_row(cc, made["id"]).status == "failed"
        assert _return(cc, made).pickup_status == "failed"
        # the desk arranges it by hand, as before couriers
        r = client.post(f"/api/v1/returns/{made['id']}/pickup", json={"status": "scheduled"}, headers=made["clerk"])
        assert r.status_code == 200 and r.json()["pickup_status"] == "scheduled"


def test_withdrawing_before_the_pickup_takes_the_courier_back_once(cc, cclient):
    made = _setup(cc, cclient)
    d = pickup_row(cc, made["id"])
    t = int(cc.clock.now().timestamp())
    assert _post(cclient, "sim-a", callback(d.origin_id, "assigned", t + 1, RIDER)).json()["applied"] is True
    r = cclient.post(f"/api/v1/returns/{made['id']}/cancel", headers=made["me"])
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    relay = bootstrap.relay(cc)
    relay.drain()
    relay.drain()
    assert pickup_row(cc, made["id"]).status == "cancelled"
    assert cc.couriers["sim-a"].calls.count(("cancel", d.origin_id)) == 1
    # the platform confirms with its callback: nothing moves, no courier is sent again
    late = callback(d.origin_id, "cancelled", t + 5, reason="merchant cancelled")
    assert _post(cclient, "sim-a", late).json()["applied"] is False
    relay.drain()
    assert [op for op, _ in cc.couriers["sim-b"].calls] == ["quote"]
    assert cc.couriers["sim-a"].calls.count(("cancel", d.origin_id)) == 1
    assert _return(cc, made).status == "cancelled"


def test_a_refused_return_takes_its_courier_back_and_a_store_return_sends_none(cc, cclient):
    made = _setup(cc, cclient)
    d = pickup_row(cc, made["id"])
    r = cclient.post(f"/api/v1/returns/{made['id']}/refuse", json={"note": "past 7 days"}, headers=made["ops"])
    assert r.status_code == 200
    bootstrap.relay(cc).drain()
    bootstrap.relay(cc).drain()
    assert pickup_row(cc, made["id"]).status == "cancelled"
    assert cc.couriers["sim-a"].calls.count(("cancel", d.origin_id)) == 1
    # a return brought to a store: approving it sends no courier
    line = returns.returnable(cc.db, made["order"])[0].order_line_id
    store = cclient.post("/api/v1/returns", headers=made["me"], json={
        "order_number": made["order"], "reason_code": "quality", "lines": [{"order_line_id": line, "quantity": 1}]})
    assert store.status_code == 201
    assert cclient.post(f"/api/v1/returns/{store.json()['id']}/approve", json={},
                        headers=made["ops"]).status_code == 200
    bootstrap.relay(cc).drain()
    assert pickup_row(cc, store.json()["id"]) is None


def test_others_cannot_see_or_move_a_pickup(cc, cclient):
    made = _setup(cc, cclient, approve=False)
    auth, chain = made["auth"], made["chain"]
    other = auth.customer(customers.create(cc.uow(), CustomerIn(name="李四", phone="13700137000")).id)
    manager_ja = auth.staff("store_manager", store_id=chain.stores["jingan"])
    # another customer or another store's manager cannot approve (so dispatch) or withdraw it
    assert cclient.post(f"/api/v1/returns/{made['id']}/approve", json={}, headers=made["me"]).status_code == 403
    assert cclient.post(f"/api/v1/returns/{made['id']}/approve", json={}, headers=manager_ja).status_code == 404
    assert cclient.post(f"/api/v1/returns/{made['id']}/cancel", headers=other).status_code == 404
    for rid in (2**63 - 1, 2**63, 10**30):
        assert cclient.post(f"/api/v1/returns/{rid}/approve", json={}, headers=made["ops"]).status_code in (404, 422)
    bootstrap.relay(cc).drain()
    assert pickup_row(cc, made["id"]) is None
    assert cclient.post(f"/api/v1/returns/{made['id']}/approve", json={}, headers=made["ops"]).status_code == 200
    bootstrap.relay(cc).drain()
    d = pickup_row(cc, made["id"])
    # the pickup's delivery: its store's clerk sees it, another store's clerk and a customer do not
    assert cclient.get(f"/api/v1/couriers/deliveries/{d.id}", headers=made["clerk"]).json()["kind"] == "pickup"
    clerk_ja = auth.staff("clerk", store_id=chain.stores["jingan"])
    assert cclient.get(f"/api/v1/couriers/deliveries/{d.id}", headers=clerk_ja).status_code == 404
    assert cclient.get(f"/api/v1/couriers/deliveries/{d.id}", headers=made["me"]).status_code in (403, 404)
    assert cclient.post(f"/api/v1/couriers/deliveries/{d.id}/tip", headers=clerk_ja,
                        json={"amount_fen": 500}).status_code == 404
    # approving again dispatches nothing more
    assert cclient.post(f"/api/v1/returns/{made['id']}/approve", json={}, headers=made["ops"]).status_code == 409
    bootstrap.relay(cc).drain()
    assert [op for op, _ in cc.couriers["sim-a"].calls].count("create") == 1


def test_the_order_page_the_desk_and_the_queue_show_the_pickup(cc, cclient):
    made = _setup(cc, cclient)
    d = pickup_row(cc, made["id"])
    t = int(cc.clock.now().timestamp())
    assert _post(cclient, "sim-a", callback(d.origin_id, "assigned", t + 1, RIDER)).json()["applied"] is True
    bootstrap.relay(cc).drain()
    # while the courier reports it, the desk does not set the pickup by hand
    r = cclient.post(f"/api/v1/returns/{made['id']}/pickup", json={"status": "picked_up"}, headers=made["clerk"])
    assert r.status_code == 409
    zh, en = {"Accept-Language": "zh-CN"}, {"Accept-Language": "en"}
    page = cclient.get(f"/shop/orders/{made['order']}", headers={**made["me"], **zh})
    assert page.status_code == 200
    assert 'data-pickup-status="assigned"' in page.text and "骑手正赶来取件" in page.text
    assert "赵师傅" in page.text and "13900000009" not in page.text and "139****0009" in page.text
    page = cclient.get(f"/shop/orders/{made['order']}", headers={**made["me"], **en})
    assert "Rider on the way to you" in page.text
    form = cclient.get(f"/shop/orders/{made['order']}/return", headers={**made["me"], **zh})
    assert form.status_code == 200 and "骑手到订单的收货地址上门取件" in form.text  # where the rider will come
    store = made["xjh"]
    desk = cclient.get(f"/console/{store}/returns/{made['id']}", headers={**made["clerk"], **en})
    assert desk.status_code == 200
    assert 'data-pickup-status="assigned"' in desk.text and "Rider on the way to the customer" in desk.text
    assert f'action="/console/{store}/returns/{made["id"]}/pickup"' not in desk.text  # the courier reports it
    desk = cclient.get(f"/console/{store}/returns/{made['id']}", headers={**made["clerk"], **zh})
    assert "已安排取件" in desk.text and "骑手 sim-a" in desk.text  # the history note and who wrote it
    assert "pickup scheduled" not in desk.text
    desk = cclient.get(f"/console/{store}/returns", headers={**made["clerk"], **zh})
    assert 'data-pickup-status="assigned"' in desk.text and "骑手正赶往取件地址" in desk.text
    queue = cclient.get("/admin/returns", params={"show": "approved"}, headers={**made["ops"], **zh})
    assert queue.status_code == 200 and 'data-pickup-status="assigned"' in queue.text and "上门取件" in queue.text
    # no courier left: the desk's hand-set form comes back, the order page says the store will call
    _post(cclient, "sim-a", callback(d.origin_id, "cancelled", t + 2, reason="no rider"))
    bootstrap.relay(cc).drain()
    again = pickup_row(cc, made["id"])
    _post(cclient, "sim-b", callback(again.origin_id, "expired", t + 3))
    bootstrap.relay(cc).drain()
    bootstrap.relay(cc).drain()
    assert (pickup_row(cc, made["id"]).status, _return(cc, made).pickup_status) == ("failed", "failed")
    desk = cclient.get(f"/console/{store}/returns/{made['id']}", headers={**made["clerk"], **en})
    assert f'action="/console/{store}/returns/{made["id"]}/pickup"' in desk.text
    assert "No courier: arrange the pickup by hand" in desk.text
    page = cclient.get(f"/shop/orders/{made['order']}", headers={**made["me"], **zh})
    assert "本次骑手未能取件" in page.text


def test_concurrent_callbacks_move_the_pickup_and_the_return_once(cc, cclient):
    made = _setup(cc, cclient)
    d = pickup_row(cc, made["id"])
    t = int(cc.clock.now().timestamp())
    seq = [("assigned", t + 1), ("at_store", t + 2), ("delivering", t + 3), ("delivered", t + 4)]
    updates = [Update("sim-a", d.origin_id, "P1", s, at, *RIDER) for s, at in seq] * 3
    random.Random(3).shuffle(updates)

    def send(batch: list[Update]) -> None:
        for u in batch:
            couriers.record_update(cc.uow(), u)

    assert each_in_a_thread(send, [updates[i::4] for i in range(4)]) == []
    bootstrap.relay(cc).drain()
    view = couriers.get(cc.db, d.id)
    assert view.status == "delivered" and [h.to_status for h in view.history].count("delivered") == 1
    notes = [h.note for h in _return(cc, made).history]
    assert _return(cc, made).pickup_status == "delivered" and notes.count("pickup delivered") == 1


def test_a_parcel_from_the_warehouse_is_picked_up_at_its_address_for_the_nearest_store(cc, cclient):
    from o2o.fulfillment import service as fulfillment
    from o2o.orders import service as orders
    from o2o.orders.schemas import OrderIn
    from tests.factories.relay import settle

    chain = build_chain(cc)
    yogurt, xjh = chain.skus["yogurt"], chain.stores["xujiahui"]
    receive(cc, chain.warehouse, yogurt, 5)
    placed = orders.place(cc.uow(), OrderIn(customer_id=chain.customer, mode="parcel",
                                            lines=[{"sku_id": yogurt, "quantity": 1}],
                                            address={"line": "徐家汇路 1 号", "lat": XUJIAHUI_NEAR[0],
                                                     "lng": XUJIAHUI_NEAR[1]}), orders.OrderPolicy())
    started = orders.start_payment(cc.uow(), cc.payments, placed.number)
    orders.sandbox_complete(cc.uow(), cc.payments, started.out_trade_no)
    order = orders.get(cc.db, placed.number)
    assert order.fulfil_location_id == chain.warehouse
    fo = order.fulfillment_ids[0]
    fulfillment.ship(cc.uow(), fo, "staff:wh")
    fulfillment.confirm_delivery(cc.uow(), fo, "staff:wh")
    settle(cc, lambda: orders.get(cc.db, placed.number).status == "completed", what="parcel delivered")
    auth = Auth(cc)
    me = auth.customer(chain.customer)
    line = returns.returnable(cc.db, placed.number)[0].order_line_id
    made = cclient.post("/api/v1/returns", headers=me, json={
        "order_number": placed.number, "reason_code": "quality", "method": "courier",
        "lines": [{"order_line_id": line, "quantity": 1}]}).json()
    assert cclient.post(f"/api/v1/returns/{made['id']}/approve", json={},
                        headers=auth.staff("operator")).status_code == 200
    bootstrap.relay(cc).drain()
    bootstrap.relay(cc).drain()
    d = pickup_row(cc, made["id"])
    assert (d.status, d.location_id) == ("waiting", xjh)  # the customer has no saved address: the order's
    assert d.fee_fen == 550  # ~550 m from the order's address to Xujiahui, not the warehouse's distance
    r = _return(cc, made)
    assert (r.preferred_location_id, r.goes_to, r.pickup_status) == (xjh, xjh, "requested")
    # the Xujiahui desk lists it among its returns to come
    listed = cclient.get("/api/v1/returns", headers=auth.staff("clerk", store_id=xjh)).json()
    assert made["id"] in [x["id"] for x in listed]


def test_brought_to_the_store_before_the_rider_came_the_courier_is_taken_back(cc, cclient):
    made = _setup(cc, cclient)
    d = pickup_row(cc, made["id"])
    r = cclient.post(f"/api/v1/returns/{made['id']}/receive", headers=made["clerk"],
                     json={"lines": [{"line_id": made["line"], "resellable": 2}]})
    assert r.status_code == 200, r.text
    relay = bootstrap.relay(cc)
    relay.drain()
    relay.drain()
    assert pickup_row(cc, made["id"]).status == "cancelled"
    assert cc.couriers["sim-a"].calls.count(("cancel", d.origin_id)) == 1
    assert _return(cc, made).status == "received"
