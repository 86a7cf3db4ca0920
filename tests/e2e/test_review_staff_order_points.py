"""Review: an order placed by staff or a key may not spend a customer's points unless the customer is
at the till, shown by their member code (the rule the till's own redemption follows). Without it a
store manager, or any key with orders:write, spent any member's points (another store's customer too)
as a discount on an order they placed naming that customer."""

from __future__ import annotations

from o2o.customers import service as customers
from o2o.loyalty import service as loyalty
from tests.factories.chain import build_chain, receive
from tests.integration.loyalty.flow import give

V1 = "/api/v1"


def _body(chain, store: int, **extra: object) -> dict:  # type: ignore[no-untyped-def]
    return {"customer_id": chain.customer, "mode": "pickup", "location_id": store,
            "lines": [{"sku_id": chain.skus["milk"], "quantity": 2}], **extra}


def test_staff_cannot_spend_a_members_points_in_an_order_without_their_member_code(client, container, auth):
    chain = build_chain(container)
    store = chain.stores["xujiahui"]
    receive(container, store, chain.skus["milk"], 10)
    give(container, chain.customer, 1_000)  # the member never ordered at this store
    manager = auth.staff("store_manager", store_id=store)
    key = client.post(f"{V1}/api-keys", headers=auth.staff("platform_admin"),
                      json={"name": "partner", "scopes": ["orders:write"]}).json()["secret"]
    for headers in (manager, {"X-API-Key": key}, auth.staff("operator")):
        r = client.post(f"{V1}/orders", headers=headers, json=_body(chain, store, points=500))
        assert r.status_code == 422, r.text
        assert [e["field"] for e in r.json()["errors"]] == ["member_code"]
        forged = _body(chain, store, points=500, member_code=f"M{chain.customer}-0123456789abcdef")
        assert client.post(f"{V1}/orders", headers=headers, json=forged).status_code == 422
    other = customers.member_code(chain.customer + 1, container.clock.now())
    r = client.post(f"{V1}/orders", headers=manager, json=_body(chain, store, points=500, member_code=other))
    assert r.status_code == 422  # someone else's code
    assert loyalty.balance_of(container.db, chain.customer) == 1_000
    # the customer at the till shows their code: the points are taken
    shown = customers.member_code(chain.customer, container.clock.now())
    r = client.post(f"{V1}/orders", headers=manager, json=_body(chain, store, points=100, member_code=shown))
    assert r.status_code == 201, r.text
    assert loyalty.balance_of(container.db, chain.customer) == 900
    # an order without points still needs no code; a customer ordering for themselves neither
    assert client.post(f"{V1}/orders", headers=manager, json=_body(chain, store)).status_code == 201
    me = auth.customer(chain.customer)
    r = client.post(f"{V1}/orders", headers=me, json=_body(chain, store, points=100))
    assert r.status_code == 201, r.text
    assert loyalty.balance_of(container.db, chain.customer) == 800
