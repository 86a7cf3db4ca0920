"""Same-city couriers end to end (issue 13), on SQLite and PostgreSQL: a ready store delivery is placed with
the cheapest courier; signed callbacks move it (and its fulfilment) forwards only, whatever their order;
forged, stale and foreign callbacks change nothing; refusals, platform cancellations and expiries fail over
to the other courier, cancelling nothing twice; the simulator calls back over HTTP by itself."""

from __future__ import annotations

import json
import random

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from o2o import bootstrap
from o2o.adapters.couriers import Update
from o2o.config import Settings
from o2o.couriers import service as couriers
from o2o.main import create_app
from tests.factories.auth import Auth
from tests.factories.chain import build_chain
from tests.factories.couriers import callback, courier_container, delivery_row, ready_delivery, served
from tests.factories.http import order_of
from tests.factories.threads import each_in_a_thread

RIDER_A = ("1001", "王师傅", "13900000001")
RIDER_B = ("1002", "李师傅", "13900000002")


@pytest.fixture
def cc(fresh_db, clock):  # type: ignore[no-untyped-def]
    return courier_container(fresh_db, clock)


@pytest.fixture
def cclient(cc):  # type: ignore[no-untyped-def]
    with TestClient(create_app(cc)) as c:
        yield c


def _post(client, provider: str, body: bytes):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/couriers/{provider}/callback", content=body,
                       headers={"Content-Type": "application/json"})


def _now(cc) -> int:  # type: ignore[no-untyped-def]
    return int(cc.clock.now().timestamp())


def _sequence(t: int) -> list[tuple[str, int, tuple[str, str, str]]]:
    return [("waiting", t + 1, ("", "", "")), ("assigned", t + 2, RIDER_A), ("assigned", t + 3, RIDER_B),
            ("at_store", t + 4, RIDER_B), ("delivering", t + 5, RIDER_B), ("delivered", t + 6, RIDER_B)]


def _state(cc, cclient, made):  # type: ignore[no-untyped-def]
    bootstrap.relay(cc).drain()  # the order follows its fulfilment through the outbox
    d = delivery_row(cc, made["fulfillment_id"])
    fo = cclient.get(f"/api/v1/fulfillments/{made['fulfillment_id']}", headers=made["clerk"]).json()
    return (d.status, d.rider_name, d.rider_phone, d.last_update_at, fo["status"],
            order_of(cclient, made["number"], made["customer"])["status"])


def test_callbacks_in_any_order_with_duplicates_end_in_the_same_state(cc, cclient):
    auth = Auth(cc)
    chain = build_chain(cc)
    finals = set()
    rng = random.Random(13)
    for run in range(4):
        made = ready_delivery(cclient, cc, auth, chain)
        d = delivery_row(cc, made["fulfillment_id"])
        assert (d.status, d.provider, d.fee_fen) == ("waiting", "sim-a", 550)  # the cheaper of the two quotes
        seq = _sequence(_now(cc))
        sent = seq + rng.sample(seq, 3)  # some sent twice
        if run:
            rng.shuffle(sent)
        for status, at, rider in sent:
            r = _post(cclient, "sim-a", callback(d.origin_id, status, at, rider))
            assert r.status_code == 200, r.text
        state = _state(cc, cclient, made)
        finals.add(state[:4] + state[4:])
        assert state[0] == "delivered" and state[4] == "delivered" and state[5] == "completed"
    assert len({(s[0], s[1], s[2], s[4], s[5]) for s in finals}) == 1
    assert next(iter(finals))[1:3] == ("李师傅", "13900000002")


def test_a_status_never_goes_backwards_and_the_fulfilment_follows(cc, cclient):
    made = ready_delivery(cclient, cc, Auth(cc))
    d = delivery_row(cc, made["fulfillment_id"])
    t = _now(cc)
    assert _post(cclient, "sim-a", callback(d.origin_id, "delivering", t + 5, RIDER_A)).json()["applied"] is True
    fo = cclient.get(f"/api/v1/fulfillments/{made['fulfillment_id']}", headers=made["clerk"]).json()
    assert fo["status"] == "shipped"  # the rider has the goods
    for status in ("assigned", "at_store", "waiting"):  # late reports of earlier steps
        assert _post(cclient, "sim-a", callback(d.origin_id, status, t + 1, RIDER_A)).json()["applied"] is False
    assert delivery_row(cc, made["fulfillment_id"]).status == "delivering"
    # the platform cancels while the rider has the goods: no failover (nothing to hand to another courier)
    r = _post(cclient, "sim-a", callback(d.origin_id, "cancelled", t + 9, RIDER_A, reason="rider accident"))
    assert r.json()["applied"] is True
    row = delivery_row(cc, made["fulfillment_id"])
    assert (row.status, row.round) == ("cancelled", 1)
    view = cclient.get(f"/api/v1/couriers/deliveries/{row.id}", headers=made["clerk"]).json()
    assert view["rider_phone"] == "139****0001"  # masked
    assert [h["to_status"] for h in view["history"]] == ["dispatching", "waiting", "delivering", "cancelled"]


def test_forged_stale_and_foreign_callbacks_are_refused_and_change_nothing(cc, cclient):
    made = ready_delivery(cclient, cc, Auth(cc))
    d = delivery_row(cc, made["fulfillment_id"])
    t = _now(cc)
    before = _state(cc, cclient, made)
    forged = callback(d.origin_id, "delivered", t + 1, RIDER_A, secret="not-the-secret")
    assert _post(cclient, "sim-a", forged).status_code == 401
    tampered = callback(d.origin_id, "assigned", t + 1, RIDER_A).replace(b'"order_status":2', b'"order_status":4')
    assert _post(cclient, "sim-a", tampered).status_code == 401
    stale = callback(d.origin_id, "delivered", t - 3600, RIDER_A)
    assert _post(cclient, "sim-a", stale).status_code == 401
    future = callback(d.origin_id, "delivered", 2**62, RIDER_A)
    assert _post(cclient, "sim-a", future).status_code == 401
    assert _post(cclient, "sim-a", b"not json").status_code == 401
    assert _post(cclient, "sim-a", b'{"signature": "x", "order_id": {"a": 1}}').status_code == 401
    # correctly signed, but about another platform's delivery, or no delivery at all
    assert _post(cclient, "sim-b", callback(d.origin_id, "delivered", t + 1, RIDER_A)).status_code == 404
    assert _post(cclient, "sim-a", callback("SO-unknown-1-1", "delivered", t + 1, RIDER_A)).status_code == 404
    assert _post(cclient, "no-such-courier", callback(d.origin_id, "delivered", t + 1)).status_code == 404
    assert _state(cc, cclient, made) == before
    # another store's clerk cannot see or tip the delivery; huge or zero tips are refused
    other = Auth(cc).staff("clerk", store_id=made["chain"].stores["jingan"])
    assert cclient.get(f"/api/v1/couriers/deliveries/{d.id}", headers=other).status_code == 404
    assert cclient.post(f"/api/v1/couriers/deliveries/{d.id}/tip", headers=other,
                        json={"amount_fen": 500}).status_code == 404
    for bad in (2**70, 10**9, 0, -5, True):
        r = cclient.post(f"/api/v1/couriers/deliveries/{d.id}/tip", headers=made["clerk"], json={"amount_fen": bad})
        assert r.status_code == 422, (bad, r.text)
    assert cclient.get(f"/api/v1/couriers/deliveries/{2**63}", headers=made["clerk"]).status_code == 404


def test_a_tip_reaches_the_platform_once_while_no_rider_has_it(cc, cclient):
    made = ready_delivery(cclient, cc, Auth(cc))
    d = delivery_row(cc, made["fulfillment_id"])
    r = cclient.post(f"/api/v1/couriers/deliveries/{d.id}/tip", headers=made["clerk"], json={"amount_fen": 300})
    assert r.status_code == 200, r.text
    assert r.json()["tip_fen"] == 300
    bootstrap.relay(cc).drain()
    bootstrap.relay(cc).drain()
    sim = cc.couriers["sim-a"]
    assert sim.calls.count(("tip", d.origin_id)) == 1
    assert sim.orders[d.origin_id].tip_fen == 300
    _post(cclient, "sim-a", callback(d.origin_id, "assigned", _now(cc) + 1, RIDER_A))
    r = cclient.post(f"/api/v1/couriers/deliveries/{d.id}/tip", headers=made["clerk"], json={"amount_fen": 300})
    assert r.status_code == 409  # a rider has it


def test_a_refusal_fails_over_to_the_other_courier(fresh_db, clock):
    cc = courier_container(fresh_db, clock, {"sim-a": {"refuse": 1.0}, "sim-b": {}})
    with TestClient(create_app(cc)) as client:
        made = ready_delivery(client, cc, Auth(cc))
    d = delivery_row(cc, made["fulfillment_id"])
    assert (d.status, d.provider, d.fee_fen) == ("waiting", "sim-b", 650)
    view = couriers.get(cc.db, d.id)
    assert [(a.provider, a.state) for a in view.attempts] == [("sim-a", "refused"), ("sim-b", "placed")]
    assert cc.couriers["sim-a"].calls.count(("create", f"{made['number']}-{d.id}-1-0")) == 1


def test_every_courier_refusing_leaves_the_delivery_failed(fresh_db, clock):
    cc = courier_container(fresh_db, clock, {"sim-a": {"refuse": 1.0}, "sim-b": {"refuse": 1.0}})
    with TestClient(create_app(cc)) as client:
        made = ready_delivery(client, cc, Auth(cc))
        d = delivery_row(cc, made["fulfillment_id"])
        assert d.status == "failed"
        # the store ships by hand, as before couriers
        assert client.post(f"/api/v1/fulfillments/{made['fulfillment_id']}/ship",
                           headers=Auth(cc).staff("store_manager", store_id=made["store"])).status_code == 200


def test_no_rider_in_time_cancels_once_and_fails_over(fresh_db, clock):
    cc = courier_container(fresh_db, clock, {"sim-a": {"no_rider": True}, "sim-b": {"no_rider": True}})
    with TestClient(create_app(cc)) as client:
        made = ready_delivery(client, cc, Auth(cc))
        first = delivery_row(cc, made["fulfillment_id"])
        assert first.provider == "sim-a"
        relay = bootstrap.relay(cc)
        clock.advance(minutes=5)
        assert couriers.expire_waiting(cc.db, cc.uow, 10) == 0  # not yet
        clock.advance(minutes=6)
        assert couriers.expire_waiting(cc.db, cc.uow, 10) == 1
        assert couriers.expire_waiting(cc.db, cc.uow, 10) == 0
        relay.drain()
        second = delivery_row(cc, made["fulfillment_id"])
        assert (second.status, second.provider, second.round) == ("waiting", "sim-b", 2)
        # sim-a acknowledges our cancellation with its own callback: superseded, nothing changes
        late = callback(first.origin_id, "cancelled", int(clock.now().timestamp()), reason="merchant cancelled")
        assert _post(client, "sim-a", late).json()["applied"] is False
        relay.drain()
        clock.advance(minutes=11)  # nobody at sim-b either: no courier left
        assert couriers.expire_waiting(cc.db, cc.uow, 10) == 1
        relay.drain()
        relay.drain()
        assert delivery_row(cc, made["fulfillment_id"]).status == "failed"
    a, b = cc.couriers["sim-a"], cc.couriers["sim-b"]
    assert a.calls.count(("cancel", first.origin_id)) == 1
    assert b.calls.count(("cancel", second.origin_id)) == 1
    assert [op for op, _ in a.calls].count("create") == 1 and [op for op, _ in b.calls].count("create") == 1


def test_a_platform_cancellation_fails_over_without_cancelling_back(cc, cclient):
    made = ready_delivery(cclient, cc, Auth(cc))
    d = delivery_row(cc, made["fulfillment_id"])
    t = _now(cc)
    _post(cclient, "sim-a", callback(d.origin_id, "assigned", t + 1, RIDER_A))
    r = _post(cclient, "sim-a", callback(d.origin_id, "cancelled", t + 2, RIDER_A, reason="no rider"))
    assert r.json()["applied"] is True
    bootstrap.relay(cc).drain()
    again = delivery_row(cc, made["fulfillment_id"])
    assert (again.status, again.provider, again.rider_name) == ("waiting", "sim-b", None)
    assert ("cancel", d.origin_id) not in cc.couriers["sim-a"].calls
    # the same cancellation again: acknowledged, nothing moves
    assert _post(cclient, "sim-a", callback(d.origin_id, "cancelled", t + 2, RIDER_A)).json()["applied"] is False
    assert delivery_row(cc, made["fulfillment_id"]).round == 2


def test_concurrent_callbacks_apply_each_change_once(cc, cclient):
    made = ready_delivery(cclient, cc, Auth(cc))
    d = delivery_row(cc, made["fulfillment_id"])
    t = _now(cc)
    updates = [Update("sim-a", d.origin_id, "P1", s, at, *rider) for s, at, rider in _sequence(t)] * 3
    random.Random(5).shuffle(updates)

    def send(batch: list[Update]) -> None:
        for u in batch:
            couriers.record_update(cc.uow(), u)

    assert each_in_a_thread(send, [updates[i::6] for i in range(6)]) == []
    view = couriers.get(cc.db, d.id)
    assert view.status == "delivered" and view.rider_name == "李师傅"
    fo = cclient.get(f"/api/v1/fulfillments/{made['fulfillment_id']}", headers=made["clerk"]).json()
    assert [h["to_status"] for h in fo["history"]].count("shipped") == 1
    assert [h["to_status"] for h in fo["history"]].count("delivered") == 1
    statuses = [h.to_status for h in view.history]
    assert statuses.count("delivered") == 1 and statuses.count("delivering") <= 1


def test_the_simulator_calls_back_over_http_until_the_order_is_delivered(fresh_db, clock):
    cc = courier_container(fresh_db, clock, {"sim-a": {"reassign": 1.0, "lose": 0.0}, "sim-b": {}})
    with served(cc), TestClient(create_app(cc)) as client:
        made = ready_delivery(client, cc, Auth(cc))
        relay, sim = bootstrap.relay(cc), cc.couriers["sim-a"]
        for _ in range(12):
            sim.advance()
            relay.drain()
            if delivery_row(cc, made["fulfillment_id"]).status == "delivered":
                break
        d = delivery_row(cc, made["fulfillment_id"])
        assert d.status == "delivered"
        relay.drain()
        order = order_of(client, made["number"], made["customer"])
        assert order["status"] == "completed"
        notes = [h.note for h in couriers.get(cc.db, d.id).history]
        assert any("reassigned" in n for n in notes)


def test_a_lost_callback_is_found_by_asking_the_platform(fresh_db, clock):
    cc = courier_container(fresh_db, clock, {"sim-a": {"lose": 1.0}, "sim-b": {}})
    with TestClient(create_app(cc)) as client:
        made = ready_delivery(client, cc, Auth(cc))
        sim = cc.couriers["sim-a"]
        for _ in range(3):
            sim.advance()  # waiting -> assigned -> at store -> delivering, every callback lost
        assert delivery_row(cc, made["fulfillment_id"]).status == "waiting"
        clock.advance(minutes=4)
        assert couriers.poll(cc.db, cc.uow, cc.couriers, 3) == 1
        assert delivery_row(cc, made["fulfillment_id"]).status == "delivering"
        assert couriers.poll(cc.db, cc.uow, cc.couriers, 3) == 0  # asked just now
        sim.orders.clear()  # the platform forgets (its worker restarted): as cancelled, but the rider has it
        clock.advance(minutes=4)
        assert couriers.poll(cc.db, cc.uow, cc.couriers, 3) == 1
        assert delivery_row(cc, made["fulfillment_id"]).status == "cancelled"
        fo = client.get(f"/api/v1/fulfillments/{made['fulfillment_id']}", headers=made["clerk"]).json()
        assert fo["status"] == "shipped"


def test_an_order_cancelled_after_ready_takes_its_courier_back_once(cc, cclient):
    made = ready_delivery(cclient, cc, Auth(cc))
    d = delivery_row(cc, made["fulfillment_id"])
    manager = Auth(cc).staff("store_manager", store_id=made["store"])
    r = cclient.post(f"/api/v1/orders/{made['number']}/cancel", headers=manager, json={})
    assert r.status_code == 200, r.text
    relay = bootstrap.relay(cc)
    relay.drain()
    relay.drain()
    assert delivery_row(cc, made["fulfillment_id"]).status == "cancelled"
    assert cc.couriers["sim-a"].calls.count(("cancel", d.origin_id)) == 1
    # the platform confirms with its callback: nothing moves, nothing is dispatched again
    late = callback(d.origin_id, "cancelled", _now(cc) + 5, reason="merchant cancelled")
    assert _post(cclient, "sim-a", late).json()["applied"] is False
    relay.drain()
    assert [op for op, _ in cc.couriers["sim-b"].calls] == ["quote"]


def test_a_platform_outage_is_retried_by_the_relay_with_backoff_then_placed(fresh_db, clock):
    """Dada's shape end to end: the first creation hits an HTTP 500 (the event waits and is retried), then
    the delivery is placed and Dada's signed callbacks deliver it."""
    from tests.factories.fake_dada import FakeDada, dada_callback

    fake = FakeDada().start()
    try:
        settings = Settings(database_url=fresh_db.url, payment_secret="test-secret", cheap_password_hashing=True,
                            couriers=["dada"], dada_app_key=fake.app_key, dada_app_secret=fake.app_secret,
                            dada_source_id=fake.source_id, dada_shop_no="shop-1", dada_base_url=fake.url)
        cc = bootstrap.build(settings, db=fresh_db, clock=clock)
        fake.script = ["", "http500"]  # the quote answers, the creation fails
        with TestClient(create_app(cc)) as client:
            made = ready_delivery(client, cc, Auth(cc))
            assert delivery_row(cc, made["fulfillment_id"]).status == "dispatching"
            with cc.db.read() as s:
                waiting = s.execute(text("SELECT attempts, last_error FROM outbox_event WHERE topic = "
                                         "'courier.dispatch' AND published_at IS NULL")).one()
            assert waiting[0] == 1 and "HTTP 500" in waiting[1]
            bootstrap.relay(cc).drain()
            assert delivery_row(cc, made["fulfillment_id"]).status == "dispatching"  # not yet due again
            clock.advance(seconds=3)
            bootstrap.relay(cc).drain()
            d = delivery_row(cc, made["fulfillment_id"])
            assert (d.status, d.provider, d.fee_fen) == ("waiting", "dada", 750)
            fake.orders[d.origin_id].update(status=4, rider="钱师傅", phone="13700000007",
                                            updateTime="2026-11-24 10:30:00")
            r = _post(client, "dada", dada_callback(d.origin_id, d.platform_order_id, 4, _now(cc) + 1))
            assert r.status_code == 200 and r.json()["status"] == "delivered"  # as Dada answered when asked
            forged = json.dumps(json.loads(dada_callback(d.origin_id, d.platform_order_id, 4, _now(cc) + 2))
                                | {"signature": "0" * 32}).encode()
            assert _post(client, "dada", forged).status_code == 401
            assert client.get(f"/api/v1/fulfillments/{made['fulfillment_id']}",
                              headers=made["clerk"]).json()["status"] == "delivered"
        assert [p for p, _ in fake.calls].count("/api/order/queryDeliverFee") == 2
    finally:
        fake.stop()


def test_failing_over_from_the_cheaper_second_platform_and_back_to_none(fresh_db, clock):
    cc = courier_container(fresh_db, clock, {"sim-a": {"base_fee_fen": 900}, "sim-b": {}})
    with TestClient(create_app(cc)) as client:
        made = ready_delivery(client, cc, Auth(cc))
        first = delivery_row(cc, made["fulfillment_id"])
        assert (first.provider, first.fee_fen) == ("sim-b", 650)  # sim-b quoted less
        t = _now(cc)
        _post(client, "sim-b", callback(first.origin_id, "cancelled", t + 1, reason="no capacity"))
        bootstrap.relay(cc).drain()
        second = delivery_row(cc, made["fulfillment_id"])
        assert (second.provider, second.round, second.fee_fen) == ("sim-a", 2, 1050)
        _post(client, "sim-a", callback(second.origin_id, "expired", t + 2))
        bootstrap.relay(cc).drain()
        assert delivery_row(cc, made["fulfillment_id"]).status == "failed"
        view = couriers.get(cc.db, first.id)
        assert [(a.provider, a.state) for a in view.attempts] == [("sim-b", "ended"), ("sim-a", "ended")]
        assert len({a.origin_id for a in view.attempts}) == 2


def test_the_console_card_raises_the_tip_and_another_store_cannot(cc, cclient):
    from tests.e2e.test_console_support import post_form

    made = ready_delivery(cclient, cc, Auth(cc))
    d = delivery_row(cc, made["fulfillment_id"])
    board = cclient.get(f"/console/{made['store']}/board", headers={**made["clerk"], "Accept-Language": "en"})
    assert f'data-courier="{d.id}"' in board.text and "Waiting for a rider" in board.text
    assert f'action="/console/{made["store"]}/couriers/{d.id}/tip"' in board.text
    r = post_form(cclient, f"/console/{made['store']}/couriers/{d.id}/tip", made["clerk"])
    assert r.status_code == 303 and "error" not in r.headers["location"]
    assert delivery_row(cc, made["fulfillment_id"]).tip_fen == 300
    jingan = made["chain"].stores["jingan"]
    other = Auth(cc).staff("clerk", store_id=jingan)
    assert post_form(cclient, f"/console/{jingan}/couriers/{d.id}/tip", other).status_code == 404
    assert post_form(cclient, f"/console/{made['store']}/couriers/{d.id}/tip", other).status_code == 404
    assert delivery_row(cc, made["fulfillment_id"]).tip_fen == 300
