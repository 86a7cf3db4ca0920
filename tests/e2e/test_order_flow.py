"""The O2O core loop over HTTP: place -> routed -> pay -> ready -> pickup code -> completed.

Each step is taken by whoever takes it in life: the customer places and pays (and alone sees the
pickup code), a clerk of the fulfilling store picks, marks ready and hands over against the code the
customer tells them, an operator looks at stock.
"""

from __future__ import annotations

from o2o import bootstrap
from o2o.inventory import service as inventory
from tests.factories.chain import SONGJIANG, XUJIAHUI_NEAR, build_chain, receive
from tests.factories.http import order_of, pay, pickup_order, stock_row


def test_pickup_order_completes_and_stock_falls_once_when_code_verified(client, container, auth):
    chain = build_chain(container)
    near, far = chain.stores["xujiahui"], chain.stores["jingan"]
    milk = chain.skus["milk"]
    receive(container, near, milk, 10)
    receive(container, far, milk, 10)
    relay = bootstrap.relay(container)
    customer, operator = auth.customer(chain.customer), auth.staff("operator")
    clerk = auth.session("staff", auth.staff_user("clerk", store_id=near, login="clerk-xjh"))

    r = client.post("/api/v1/orders", headers=customer, json={
        "customer_id": chain.customer, "mode": "auto", "channel": "miniprogram", "utm_source": "wechat_moments",
        "address": {"line": "漕溪北路 88 号", "lat": XUJIAHUI_NEAR[0], "lng": XUJIAHUI_NEAR[1]},
        "lines": [{"sku_id": milk, "quantity": 2}, {"sku_id": milk, "quantity": 1}]})
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["fulfil_location_id"] == near
    assert order["mode"] == "store_delivery"
    assert order["route_reason"].startswith("1 location(s)")  # the sourcing engine placed it
    assert order["number"].startswith("SO20261124")
    assert order["subtotal_fen"] == 3 * 1290
    assert stock_row(client, near, milk, operator)["reserved"] == 3

    # pickup at the chosen store
    r = client.post("/api/v1/orders", headers=customer, json={
        "customer_id": chain.customer, "mode": "pickup", "location_id": near,
        "lines": [{"sku_id": milk, "quantity": 2}]})
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    assert r.json()["route_reason"].startswith("1 location(s)")  # the engine kept the chosen store
    pay(client, number, customer)
    order = order_of(client, number, customer)
    assert order["status"] == "paid"
    fo_id = order["fulfillment_ids"][0]
    code = order["pickup_code"]
    assert code and len(code) == 6
    assert order_of(client, number, clerk)["pickup_code"] is None  # staff are told it, never shown it

    queue = client.get("/api/v1/fulfillments", params={"location_id": near}, headers=clerk).json()
    assert [f["id"] for f in queue["items"]] == [fo_id]
    assert all(f["pickup_code"] is None for f in queue["items"])
    assert client.post(f"/api/v1/fulfillments/{fo_id}/picking", headers=clerk).status_code == 200
    assert client.post(f"/api/v1/fulfillments/{fo_id}/ready", headers=clerk).status_code == 200
    relay.drain()
    assert order_of(client, number, customer)["status"] == "ready"
    assert any(code in m.text for m in container.sms.inbox)  # the customer was told
    qr = client.get(f"/api/v1/fulfillments/{fo_id}/qr.svg", headers=customer)
    assert qr.headers["content-type"].startswith("image/svg")

    wrong = "000000" if code != "000000" else "111111"
    r = client.post(f"/api/v1/fulfillments/{fo_id}/handover", headers=clerk, json={"code": wrong})
    assert r.status_code == 422 and r.json()["type"].endswith("wrong-pickup-code")
    before = stock_row(client, near, milk, operator)
    r = client.post(f"/api/v1/fulfillments/{fo_id}/handover", headers=clerk, json={"code": code})
    assert r.status_code == 200, r.text
    assert r.json()["pickup_code"] is None
    assert client.post(f"/api/v1/fulfillments/{fo_id}/handover", headers=clerk,
                       json={"code": code}).status_code == 409
    relay.drain()
    done = order_of(client, number, customer)
    assert done["status"] == "completed"
    assert [h["to_status"] for h in done["history"]] == ["pending_payment", "paid", "picking", "ready", "completed"]
    assert [h["actor"] for h in done["history"]] == ["h5", "payment:sandbox", "fulfillment", "fulfillment",
                                                     "fulfillment"]
    fo = client.get(f"/api/v1/fulfillments/{fo_id}", headers=clerk).json()
    assert [(h["to_status"], h["actor"]) for h in fo["history"]] == [
        ("new", "router"), ("picking", "staff:clerk-xjh"), ("ready", "staff:clerk-xjh"),
        ("handed_over", "staff:clerk-xjh")]
    after = stock_row(client, near, milk, operator)
    assert after["on_hand"] == before["on_hand"] - 2
    assert after["reserved"] == before["reserved"] - 2
    assert inventory.check(container.db).ok


def test_order_nobody_nearby_can_fill_goes_to_the_warehouse_by_parcel(client, container, auth):
    chain = build_chain(container)
    cheese = chain.skus["cheese"]
    receive(container, chain.stores["xujiahui"], cheese, 1)
    receive(container, chain.warehouse, cheese, 50)
    customer = auth.customer(chain.customer)
    r = client.post("/api/v1/orders", headers=customer, json={
        "customer_id": chain.customer, "mode": "auto",
        "address": {"line": "近徐家汇", "lat": XUJIAHUI_NEAR[0], "lng": XUJIAHUI_NEAR[1]},
        "lines": [{"sku_id": cheese, "quantity": 2}]})
    assert r.status_code == 201, r.text
    assert r.json()["fulfil_location_id"] == chain.warehouse
    assert r.json()["mode"] == "parcel"
    assert r.json()["route_reason"].startswith("1 location(s)")
    assert r.json()["delivery_fee_fen"] == 1000

    far = client.post("/api/v1/orders", headers=customer, json={
        "customer_id": chain.customer, "mode": "store_delivery",
        "address": {"line": "松江", "lat": SONGJIANG[0], "lng": SONGJIANG[1]},
        "lines": [{"sku_id": cheese, "quantity": 1}]})
    assert far.status_code == 201, far.text  # no store within reach: only the warehouse can
    assert (far.json()["fulfil_location_id"], far.json()["mode"]) == (chain.warehouse, "parcel")


def test_docs_and_openapi_are_served_without_any_cdn(client):
    spec = client.get("/openapi.json").json()
    assert "/api/v1/orders" in spec["paths"]
    page = client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/healthz").json()["status"] == "ok"


def test_handover_locks_after_five_wrong_codes_even_for_the_right_one(client, container, auth):
    chain = build_chain(container)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(container, store, milk, 3)
    customer, clerk = auth.customer(chain.customer), auth.staff("clerk", store_id=store)
    operator = auth.staff("operator")
    number = pickup_order(client, store, milk, 1, customer)
    pay(client, number, customer)
    order = order_of(client, number, customer)
    fo, code = order["fulfillment_ids"][0], order["pickup_code"]
    assert client.post(f"/api/v1/fulfillments/{fo}/ready", headers=clerk).status_code == 200
    wrong = "000000" if code != "000000" else "111111"
    left = [client.post(f"/api/v1/fulfillments/{fo}/handover", headers=clerk,
                        json={"code": wrong}).json()["attempts_left"] for _ in range(5)]
    assert left == [4, 3, 2, 1, 0]
    r = client.post(f"/api/v1/fulfillments/{fo}/handover", headers=clerk, json={"code": code})
    assert r.status_code == 409 and r.json()["type"].endswith("handover-locked")
    assert stock_row(client, store, milk, operator)["on_hand"] == 3  # nothing left the store
