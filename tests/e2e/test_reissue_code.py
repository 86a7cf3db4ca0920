"""After five wrong codes lock a handover, a store manager (not a clerk) re-issues the code."""

from __future__ import annotations

from o2o import bootstrap
from tests.factories.chain import build_chain, receive
from tests.factories.http import order_of, pay, pickup_order


def test_manager_reissues_a_locked_pickup_code_and_the_new_one_completes(client, container, auth):
    chain = build_chain(container)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(container, store, milk, 3)
    customer = auth.customer(chain.customer)
    clerk, manager = auth.staff("clerk", store_id=store), auth.staff("store_manager", store_id=store)
    other_manager = auth.staff("store_manager", store_id=chain.stores["jingan"])
    number = pickup_order(client, store, milk, 1, customer)
    pay(client, number, customer)
    order = order_of(client, number, customer)
    fo, old = order["fulfillment_ids"][0], order["pickup_code"]
    assert client.post(f"/api/v1/fulfillments/{fo}/ready", headers=clerk).status_code == 200
    wrong = "000000" if old != "000000" else "111111"
    for _ in range(5):
        client.post(f"/api/v1/fulfillments/{fo}/handover", headers=clerk, json={"code": wrong})

    assert client.post(f"/api/v1/fulfillments/{fo}/reissue-code", headers=clerk).status_code == 403
    assert client.post(f"/api/v1/fulfillments/{fo}/reissue-code", headers=other_manager).status_code == 404
    r = client.post(f"/api/v1/fulfillments/{fo}/reissue-code", headers=manager)
    assert r.status_code == 200 and r.json()["pickup_code"] is None  # staff never see it
    new = order_of(client, number, customer)["pickup_code"]
    assert new and new != old
    bootstrap.relay(container).run_once()
    assert any(new in sms.text for sms in container.sms.inbox)  # the customer is told the new code
    assert client.post(f"/api/v1/fulfillments/{fo}/handover", headers=clerk, json={"code": old}).status_code == 422
    r = client.post(f"/api/v1/fulfillments/{fo}/handover", headers=clerk, json={"code": new})
    assert r.status_code == 200 and r.json()["status"] == "handed_over"
