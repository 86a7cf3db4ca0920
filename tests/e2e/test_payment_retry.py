"""Starting a payment twice creates one payment: a retry after a lost reply finds the first.

The reply is lost the hard way: the database commits the payment, then the request fails before
it can answer (as when the connection or the server dies right after COMMIT).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import event, select

from o2o.kernel.db import Database
from o2o.main import create_app
from o2o.orders.models import Order, Payment
from tests.factories.chain import build_chain, receive
from tests.factories.http import pickup_order


class ReplyLost(Exception):
    pass


@contextmanager
def reply_lost_after_the_payment_commits(db: Database) -> Iterator[None]:
    """The first commit that writes a payment succeeds, then its request fails."""
    armed = [True]

    def after_flush(session, _ctx) -> None:  # type: ignore[no-untyped-def]
        if any(isinstance(o, Payment) for o in session.new):
            session.info["wrote_payment"] = True

    def after_commit(session) -> None:  # type: ignore[no-untyped-def]
        if session.info.pop("wrote_payment", False) and armed[0]:
            armed[0] = False
            raise ReplyLost("committed, but the connection died before the reply")

    event.listen(db.write_sessions, "after_flush", after_flush)
    event.listen(db.write_sessions, "after_commit", after_commit)
    try:
        yield
    finally:
        event.remove(db.write_sessions, "after_flush", after_flush)
        event.remove(db.write_sessions, "after_commit", after_commit)
    assert not armed[0], "no payment was committed"


def _payments(db: Database, number: str) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(Payment.out_trade_no).join(Order, Order.id == Payment.order_id)
                              .where(Order.number == number).order_by(Payment.id)))


def _setup(container, auth):  # type: ignore[no-untyped-def]
    chain = build_chain(container)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(container, store, milk, 10)
    customer = auth.customer(chain.customer)
    return customer, pickup_order(TestClient(create_app(container)), store, milk, 1, customer), store, milk


def test_retry_after_a_lost_reply_reuses_the_open_payment_when_no_key_is_sent(container, auth, clock):
    customer, number, _, _ = _setup(container, auth)
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        with reply_lost_after_the_payment_commits(container.db):
            lost = client.post(f"/api/v1/orders/{number}/payments", headers=customer)
        assert lost.status_code >= 500
        assert len(_payments(container.db, number)) == 1  # committed, though the client never heard
        clock.advance(seconds=3)  # the client retries a little later
        retry = client.post(f"/api/v1/orders/{number}/payments", headers=customer)
        assert retry.status_code == 201, retry.text
        assert _payments(container.db, number) == [retry.json()["out_trade_no"]]
        again = client.post(f"/api/v1/orders/{number}/payments", headers=customer)
        assert again.json()["out_trade_no"] == retry.json()["out_trade_no"]
        assert len(_payments(container.db, number)) == 1
        # the one payment completes the order
        assert client.post(f"/api/v1/sandbox/payments/{retry.json()['out_trade_no']}/complete").status_code == 200
        assert client.get(f"/api/v1/orders/{number}", headers=customer).json()["status"] == "paid"


def test_retry_with_the_same_idempotency_key_returns_the_first_result(container, auth, clock):
    customer, number, store, milk = _setup(container, auth)
    keyed = {**customer, "Idempotency-Key": "pay-1"}
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        with reply_lost_after_the_payment_commits(container.db):
            assert client.post(f"/api/v1/orders/{number}/payments", headers=keyed).status_code >= 500
        clock.advance(seconds=3)
        first = client.post(f"/api/v1/orders/{number}/payments", headers=keyed)
        assert first.status_code == 201, first.text
        assert _payments(container.db, number) == [first.json()["out_trade_no"]]
        assert client.post(f"/api/v1/sandbox/payments/{first.json()['out_trade_no']}/complete").status_code == 200
        # paid meanwhile: a retry with the key still answers what the first call did; without it, 409
        again = client.post(f"/api/v1/orders/{number}/payments", headers=keyed)
        assert (again.status_code, again.json()) == (201, first.json())
        assert client.post(f"/api/v1/orders/{number}/payments", headers=customer).status_code == 409
        assert len(_payments(container.db, number)) == 1
        # the same key for another order is a different request
        other = pickup_order(client, store, milk, 1, customer)
        r = client.post(f"/api/v1/orders/{other}/payments", headers=keyed)
        assert r.status_code == 422 and r.json()["type"].endswith("idempotency-conflict")
        assert _payments(container.db, other) == []


def test_the_payment_route_documents_its_idempotency_key(client):
    params = client.get("/openapi.json").json()["paths"]["/api/v1/orders/{number}/payments"]["post"]["parameters"]
    assert "Idempotency-Key" in [p["name"] for p in params if p["in"] == "header"]
