"""Nobody reaches another's data by guessing ids: customers, store staff, suppliers."""

from __future__ import annotations

from o2o.catalog import service as catalog
from o2o.catalog.schemas import ProductIn, SkuIn, SupplierIn
from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from tests.factories.chain import XUJIAHUI_NEAR, build_chain, receive


def _order(client, headers, store: int, sku: int, paid: bool = True) -> dict:
    """A pickup order placed (and paid, so the store has a fulfilment) by the customer."""
    r = client.post("/api/v1/orders", headers=headers,
                    json={"mode": "pickup", "location_id": store, "lines": [{"sku_id": sku, "quantity": 1}]})
    assert r.status_code == 201, r.text
    if paid:
        pay = client.post(f"/api/v1/orders/{r.json()['number']}/payments", headers=headers)
        assert client.post(f"/api/v1/sandbox/payments/{pay.json()['out_trade_no']}/complete").status_code == 200
    return client.get(f"/api/v1/orders/{r.json()['number']}", headers=headers).json()


def test_customer_cannot_read_or_change_another_customers_order_or_addresses(client, container, auth):
    chain = build_chain(container)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(container, store, milk, 10)
    b_id = customers.create(container.uow(), CustomerIn(name="李四", phone="13700137000")).id
    a, b = auth.customer(chain.customer), auth.customer(b_id)
    order_b = _order(client, b, store, milk, paid=False)["number"]
    addr = client.post(f"/api/v1/customers/{b_id}/addresses", headers=b,
                       json={"line": "虹桥路 1 号", "lat": XUJIAHUI_NEAR[0], "lng": XUJIAHUI_NEAR[1]})
    assert addr.status_code == 201

    assert client.get(f"/api/v1/orders/{order_b}", headers=a).status_code == 404
    assert client.post(f"/api/v1/orders/{order_b}/cancel", headers=a).status_code == 404
    assert client.post(f"/api/v1/orders/{order_b}/payments", headers=a).status_code == 404
    assert client.get(f"/api/v1/customers/{b_id}", headers=a).status_code == 404
    assert client.get(f"/api/v1/customers/{b_id}/addresses", headers=a).status_code == 404
    r = client.post(f"/api/v1/customers/{b_id}/addresses", headers=a, json={"line": "x", "lat": 31.2, "lng": 121.4})
    assert r.status_code == 404
    # a's list shows only a's orders, whatever customer_id is asked for
    assert client.get("/api/v1/orders", headers=a, params={"customer_id": b_id}).json() == []
    # ordering "for" someone else is refused; using someone else's address id too
    r = client.post("/api/v1/orders", headers=a, json={"customer_id": b_id, "mode": "pickup", "location_id": store,
                                                        "lines": [{"sku_id": milk, "quantity": 1}]})
    assert r.status_code == 422
    r = client.post("/api/v1/orders", headers=a, json={"mode": "store_delivery", "address_id": addr.json()["id"],
                                                        "customer_id": chain.customer,
                                                        "lines": [{"sku_id": milk, "quantity": 1}]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "address_id"
    # and b's order is untouched
    assert client.get(f"/api/v1/orders/{order_b}", headers=b).json()["status"] == "pending_payment"


def test_clerk_of_store_a_cannot_reach_store_b(client, container, auth):
    chain = build_chain(container)
    a_store, b_store, milk = chain.stores["xujiahui"], chain.stores["jingan"], chain.skus["milk"]
    receive(container, a_store, milk, 10)
    receive(container, b_store, milk, 10)
    customer = auth.customer(chain.customer)
    order_b = _order(client, customer, b_store, milk)
    clerk_a = auth.staff("clerk", store_id=a_store)
    fo_b = order_b["fulfillment_ids"][0]

    assert client.get(f"/api/v1/orders/{order_b['number']}", headers=clerk_a).status_code == 404
    assert client.get("/api/v1/fulfillments", headers=clerk_a, params={"location_id": b_store}).status_code == 404
    assert client.get(f"/api/v1/fulfillments/{fo_b}", headers=clerk_a).status_code == 404
    for step in ("picking", "ready"):
        assert client.post(f"/api/v1/fulfillments/{fo_b}/{step}", headers=clerk_a).status_code == 404
    assert client.post(f"/api/v1/fulfillments/{fo_b}/handover", headers=clerk_a,
                       json={"code": "123456"}).status_code == 404
    r = client.get("/api/v1/stock", headers=clerk_a, params={"location_id": b_store})
    assert r.status_code == 404
    mine = client.get("/api/v1/stock", headers=clerk_a).json()["items"]
    assert mine and {row["location_id"] for row in mine} == {a_store}
    r = client.post("/api/v1/stock/movements", headers=clerk_a, json={
        "location_id": b_store, "sku_id": milk, "kind": "adjustment", "quantity": -5, "reason": "theft"})
    assert r.status_code == 404
    assert all(o["fulfil_location_id"] == a_store for o in client.get("/api/v1/orders", headers=clerk_a).json())
    # and the clerk never sees a pickup code, even of their own store's orders
    own = _order(client, customer, a_store, milk)
    seen = client.get(f"/api/v1/orders/{own['number']}", headers=clerk_a).json()
    assert seen["pickup_code"] is None
    assert client.get(f"/api/v1/fulfillments/{own['fulfillment_ids'][0]}", headers=clerk_a).status_code == 200


def test_supplier_sees_only_their_own_products(client, container, auth):
    chain = build_chain(container)
    mine = catalog.create_supplier(container.uow(), SupplierIn(code="SUP-A", name="光明乳业")).id
    theirs = catalog.create_supplier(container.uow(), SupplierIn(code="SUP-B", name="蒙牛")).id
    with container.db.read() as s:
        from o2o.catalog.models import Category

        cat = s.query(Category.id).first()[0]

    def product(supplier: int, code: str) -> int:
        return catalog.create_product(container.uow(), ProductIn(
            category_id=cat, supplier_id=supplier, name_zh=code, name_en=code,
            skus=[SkuIn(code=code, barcode=f"6911{abs(hash(code)) % 10**9:09d}", base_price_fen=100)])).id

    p_mine, p_theirs = product(mine, "A-1"), product(theirs, "B-1")
    supplier_a = auth.staff("supplier", supplier_id=mine)
    listed = client.get("/api/v1/supplier/products", headers=supplier_a).json()
    assert [p["id"] for p in listed["items"]] == [p_mine]
    assert client.get(f"/api/v1/supplier/products/{p_mine}", headers=supplier_a).status_code == 200
    assert client.get(f"/api/v1/supplier/products/{p_theirs}", headers=supplier_a).status_code == 404
    # a supplier has no business in stock, orders or customers
    assert client.get("/api/v1/stock", headers=supplier_a).status_code == 403
    assert client.get(f"/api/v1/customers/{chain.customer}", headers=supplier_a).status_code == 403


def test_customer_qr_is_only_for_the_customer_who_owns_the_order(client, container, auth):
    chain = build_chain(container)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(container, store, milk, 10)
    other = customers.create(container.uow(), CustomerIn(name="王五", phone="13600136000")).id
    owner = auth.customer(chain.customer)
    order = _order(client, owner, store, milk)
    fo = order["fulfillment_ids"][0]
    assert client.get(f"/api/v1/fulfillments/{fo}/qr.svg", headers=auth.customer(other)).status_code == 404
    assert client.get(f"/api/v1/fulfillments/{fo}/qr.svg",
                      headers=auth.staff("clerk", store_id=store)).status_code == 403
