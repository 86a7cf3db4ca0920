"""pii:read is chain-wide for HQ roles only: a store role (or store-bound key) sees unmasked data of
the customers of its own store (who ordered there or were served from it), others masked."""

from __future__ import annotations

from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from tests.factories.chain import XUJIAHUI_NEAR, build_chain, receive


def _pickup(client, headers, store: int, sku: int) -> None:
    r = client.post("/api/v1/orders", headers=headers,
                    json={"mode": "pickup", "location_id": store, "lines": [{"sku_id": sku, "quantity": 1}]})
    assert r.status_code == 201, r.text


def _audited_reads(client, auth) -> set[tuple[str, str]]:
    log = client.get("/api/v1/audit", headers=auth.staff("platform_admin"), params={"size": 200}).json()["items"]
    return {(e["role"], e["target"]) for e in log if e["action"] == "pii.read"}


def test_a_store_manager_sees_unmasked_only_the_customers_of_their_store(client, container, auth):
    chain = build_chain(container)
    mine, theirs, milk = chain.stores["xujiahui"], chain.stores["jingan"], chain.skus["milk"]
    receive(container, mine, milk, 10)
    receive(container, theirs, milk, 10)
    here = chain.customer  # 张三 13800138000: ordered at the manager's store
    elsewhere = customers.create(container.uow(), CustomerIn(name="李四", phone="13700137000")).id
    _pickup(client, auth.customer(here), mine, milk)
    _pickup(client, auth.customer(elsewhere), theirs, milk)
    for who in (here, elsewhere):
        r = client.post(f"/api/v1/customers/{who}/addresses", headers=auth.customer(who),
                        json={"recipient": "收件人", "phone": "13912345678", "line": "虹桥路 1 号",
                              "lat": XUJIAHUI_NEAR[0], "lng": XUJIAHUI_NEAR[1]})
        assert r.status_code == 201, r.text

    manager = auth.staff("store_manager", store_id=mine)
    key = auth.key(["customers:read", "pii:read"], store_id=mine)
    for caller in (manager, key):
        shown = client.get(f"/api/v1/customers/{elsewhere}", headers=caller)
        assert shown.status_code == 200 and shown.json()["phone"] == "137****7000", shown.text
        assert shown.json()["name"] != "李四"
        addresses = client.get(f"/api/v1/customers/{elsewhere}/addresses", headers=caller).json()
        assert addresses[0]["phone"] == "139****5678" and addresses[0]["line"] != "虹桥路 1 号"
        assert client.get(f"/api/v1/customers/{here}", headers=caller).json()["phone"] == "13800138000"
        assert client.get(f"/api/v1/customers/{here}/addresses", headers=caller).json()[0]["line"] == "虹桥路 1 号"

    operator = auth.staff("operator")
    for who, phone in ((here, "13800138000"), (elsewhere, "13700137000")):
        assert client.get(f"/api/v1/customers/{who}", headers=operator).json()["phone"] == phone
        assert client.get(f"/api/v1/customers/{who}/addresses", headers=operator).json()[0]["line"] == "虹桥路 1 号"

    reads = _audited_reads(client, auth)
    assert ("store_manager", f"customer={here}") in reads and ("operator", f"customer={elsewhere}") in reads
    assert ("store_manager", f"customer={elsewhere}") not in reads  # masked reads are not unmasked reads
