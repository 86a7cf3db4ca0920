"""Review: the till redeems a customer's points without their member code only for a customer the
store really served (an order of theirs completed there). Before, any order naming the customer at
the store made them "the store's customer": a store manager placed an unpaid order naming another
store's member, and a clerk then spent that member's points at the till without them present."""

from __future__ import annotations

from o2o.customers import service as customers
from o2o.loyalty import service as loyalty
from tests.factories.chain import build_chain, receive
from tests.integration.loyalty.flow import complete, give, pay, place

V1 = "/api/v1"


def test_an_order_placed_by_staff_naming_a_member_does_not_open_the_till_to_their_points(client, container, auth):
    chain = build_chain(container)
    store = chain.stores["xujiahui"]
    receive(container, store, chain.skus["milk"], 10)
    give(container, chain.customer, 1_000)  # a member who never bought at this store
    manager = auth.staff("store_manager", store_id=store)
    r = client.post(f"{V1}/orders", headers=manager, json={
        "customer_id": chain.customer, "mode": "pickup", "location_id": store,
        "lines": [{"sku_id": chain.skus["milk"], "quantity": 1}]})
    assert r.status_code == 201, r.text  # never paid, never collected
    clerk = auth.staff("clerk", store_id=store)
    body = {"customer_id": chain.customer, "points": 500, "bill_fen": 10_000, "client_key": "T9-1"}
    assert client.post(f"{V1}/pos/points/redeem", headers=clerk, json=body).status_code == 404
    assert loyalty.balance_of(container.db, chain.customer) == 1_000
    # with the member's code they are at the till
    shown = {**body, "member_code": customers.member_code(chain.customer, container.clock.now())}
    assert client.post(f"{V1}/pos/points/redeem", headers=clerk, json=shown).status_code == 201
    assert loyalty.balance_of(container.db, chain.customer) == 500
    # a customer the store served (an order collected there) still needs no code
    number = place(container, chain)
    pay(container, number)
    complete(container, number)
    again = {**body, "points": 100, "client_key": "T9-2"}
    r = client.post(f"{V1}/pos/points/redeem", headers=clerk, json=again)
    assert r.status_code == 201, r.text
