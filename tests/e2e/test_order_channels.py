"""An order's channel follows who places it, not what the body claims.

Customers order through the online channels (and may say which app they use); store staff and
store-bound or `pos:write` keys sell at the till (`pos`); other staff and keys name any channel
but `pos` (`api` when they name none).
"""

from __future__ import annotations

from tests.factories.chain import build_chain, receive


def _body(chain, store: int, **extra: object) -> dict:
    return {"customer_id": chain.customer, "mode": "pickup", "location_id": store,
            "lines": [{"sku_id": chain.skus["milk"], "quantity": 1}], **extra}


def _refused_naming_channel(r) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["channel"]


def test_customer_order_is_refused_naming_channel_when_it_claims_the_till(client, container, auth):
    chain = build_chain(container)
    store = chain.stores["xujiahui"]
    receive(container, store, chain.skus["milk"], 10)
    customer = auth.customer(chain.customer)
    for claimed in ("pos", "api"):
        _refused_naming_channel(client.post("/api/v1/orders", headers=customer, json=_body(chain, store,
                                                                                           channel=claimed)))
    ok = client.post("/api/v1/orders", headers=customer, json=_body(chain, store, channel="miniprogram"))
    assert ok.status_code == 201, ok.text
    assert ok.json()["channel"] == "miniprogram"  # a customer says which app it is
    default = client.post("/api/v1/orders", headers=customer, json=_body(chain, store))
    assert default.json()["channel"] == "h5"
    stock = client.get("/api/v1/stock", headers=auth.staff("operator"),
                       params={"location_id": store, "sku_id": chain.skus["milk"]}).json()["items"][0]
    assert stock["reserved"] == 2  # the refused orders reserved nothing


def test_store_staff_sale_is_pos_when_the_body_names_no_channel(client, container, auth):
    chain = build_chain(container)
    store = chain.stores["xujiahui"]
    receive(container, store, chain.skus["milk"], 10)
    manager = auth.staff("store_manager", store_id=store)
    r = client.post("/api/v1/orders", headers=manager, json=_body(chain, store))
    assert r.status_code == 201, r.text
    assert r.json()["channel"] == "pos"
    assert r.json()["history"][0]["actor"] == "pos"
    r = client.post("/api/v1/orders", headers=manager, json=_body(chain, store, channel="pos"))
    assert r.status_code == 201 and r.json()["channel"] == "pos"
    _refused_naming_channel(client.post("/api/v1/orders", headers=manager, json=_body(chain, store,
                                                                                      channel="h5")))


def test_api_key_channel_follows_its_scopes_and_store(client, container, auth):
    chain = build_chain(container)
    store = chain.stores["xujiahui"]
    receive(container, store, chain.skus["milk"], 10)
    till = auth.key(["orders:write", "pos:write"])
    store_key = auth.key(["orders:write"], store_id=store)
    erp = auth.key(["orders:write"])
    assert client.post("/api/v1/orders", headers=till, json=_body(chain, store)).json()["channel"] == "pos"
    assert client.post("/api/v1/orders", headers=store_key, json=_body(chain, store)).json()["channel"] == "pos"
    _refused_naming_channel(client.post("/api/v1/orders", headers=till, json=_body(chain, store, channel="douyin")))
    assert client.post("/api/v1/orders", headers=erp, json=_body(chain, store)).json()["channel"] == "api"
    r = client.post("/api/v1/orders", headers=erp, json=_body(chain, store, channel="douyin"))
    assert r.status_code == 201 and r.json()["channel"] == "douyin"
    _refused_naming_channel(client.post("/api/v1/orders", headers=erp, json=_body(chain, store, channel="pos")))


def test_hq_staff_cannot_book_a_till_sale(client, container, auth):
    chain = build_chain(container)
    store = chain.stores["xujiahui"]
    receive(container, store, chain.skus["milk"], 10)
    operator = auth.staff("operator")
    _refused_naming_channel(client.post("/api/v1/orders", headers=operator, json=_body(chain, store,
                                                                                       channel="pos")))
    r = client.post("/api/v1/orders", headers=operator, json=_body(chain, store, channel="wechat"))
    assert r.status_code == 201 and r.json()["channel"] == "wechat"
