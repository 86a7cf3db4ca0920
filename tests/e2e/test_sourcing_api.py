"""Sourcing rules and decision records over HTTP: head office configures, stores cannot; bad JSON is a 422
naming the field; a store sees only decisions that allocated something to it."""

from __future__ import annotations

from o2o.fulfillment import service as fulfillment
from o2o.fulfillment.models import SourcingDecision
from o2o.fulfillment.sourcing import STORE_DELIVERY, Request
from tests.factories.chain import XUJIAHUI_NEAR, build_chain, receive

RULES = "/api/v1/sourcing/rules"


def test_head_office_lists_creates_reorders_and_disables_rules_and_stores_cannot(client, container, auth):
    hq = auth.staff("operator")
    clerk = auth.staff("clerk", store_id=build_chain(container).stores["xujiahui"])
    assert client.get(RULES, headers=hq).json() == []
    a = client.post(RULES, headers=hq, json={"name": "no flagship", "spec": {
        "kind": "exclude_locations", "location_ids": [1], "when": {"channels": ["tmall"]}}})
    assert a.status_code == 201, a.text
    b = client.post(RULES, headers=hq, json={"name": "night", "position": 1, "spec": {"kind": "night_only_24h_stores"}})
    assert b.status_code == 201
    listed = client.get(RULES, headers=hq).json()
    assert [(r["name"], r["position"]) for r in listed] == [("night", 1), ("no flagship", 2)]
    assert listed[0]["spec"] == {"kind": "night_only_24h_stores", "start": "22:00", "end": "07:00",
                                 "when": {"channels": [], "regions": [], "modes": []}}
    ids = [a.json()["id"], b.json()["id"]]
    r = client.put("/api/v1/sourcing/rule-order", headers=hq, json={"ids": ids})
    assert r.status_code == 200 and [x["id"] for x in r.json()] == ids
    r = client.patch(f"{RULES}/{ids[1]}", headers=hq, json={"enabled": False})
    assert r.status_code == 200 and r.json()["enabled"] is False and r.json()["updated_by"]

    # stores and anonymous callers: refused; bad JSON: 422 naming the field; unknown or absurd ids: 404/422
    assert client.get(RULES, headers=clerk).status_code == 403
    assert client.post(RULES, headers=clerk, json={"name": "x", "spec": {"kind": "max_split", "value": 1}}
                       ).status_code == 403
    assert client.get(RULES).status_code == 401
    assert client.get(RULES, headers={"Authorization": "Bearer forged.token.here"}).status_code == 401
    bad = client.post(RULES, headers=hq, json={"name": "x", "spec": {"kind": "max_split", "value": 99}})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    assert "spec" in bad.text
    assert client.post(RULES, headers=hq, json={"name": "x", "spec": {"kind": "drone_only"}}).status_code == 422
    assert client.post(RULES, headers=hq, json={"name": "x", "spec": {"kind": "max_split", "value": True}}
                       ).status_code == 422
    assert client.post(RULES, headers=hq, json={"name": "night", "spec": {"kind": "max_split", "value": 2}}
                       ).status_code == 409
    assert client.patch(f"{RULES}/999999", headers=hq, json={"enabled": True}).status_code == 404
    assert client.patch(f"{RULES}/{2**70}", headers=hq, json={"enabled": True}).status_code in (404, 422)
    assert client.put("/api/v1/sourcing/rule-order", headers=hq, json={"ids": [ids[0]]}).status_code == 422
    assert client.put("/api/v1/sourcing/rule-order", headers=hq, json={"ids": [ids[0], 2**64]}).status_code == 422


def test_a_store_sees_only_decisions_that_allocated_to_it(client, container, auth):
    c = container
    chain = build_chain(c)
    milk, xjh, ja = chain.skus["milk"], chain.stores["xujiahui"], chain.stores["jingan"]
    receive(c, xjh, milk, 5)
    req = Request(lines={milk: 1}, mode=STORE_DELIVERY, now=c.clock.now(), has_address=True,
                  lat=XUJIAHUI_NEAR[0], lng=XUJIAHUI_NEAR[1])
    with c.db.read() as s:
        decision = fulfillment.source(s, req)
    with c.uow() as uow:
        fulfillment.record_decision(uow, "SO20261124009999", decision)
        uow.commit()
    url = "/api/v1/sourcing/decisions/SO20261124009999"
    own = client.get(url, headers=auth.staff("clerk", store_id=xjh))
    assert own.status_code == 200
    [d] = own.json()
    assert d["record"]["allocations"][0]["location_id"] == xjh
    ranked = d["record"]["candidates"]
    assert ranked[0]["chosen"] and ranked[0]["rank"] == 1 and "total_fen" in ranked[0]["costs"]
    assert client.get(url, headers=auth.staff("clerk", store_id=ja)).status_code == 404
    assert client.get(url, headers=auth.staff("operator")).status_code == 200
    assert client.get(url, headers=auth.customer(chain.customer)).status_code == 403
    assert client.get("/api/v1/sourcing/decisions/" + "9" * 300, headers=auth.staff("operator")).status_code == 404


def test_head_office_previews_a_decision_and_nothing_is_recorded(client, container, auth):
    c = container
    chain = build_chain(c)
    milk, yogurt = chain.skus["milk"], chain.skus["yogurt"]
    xjh, ja = chain.stores["xujiahui"], chain.stores["jingan"]
    receive(c, xjh, milk, 5)
    receive(c, ja, yogurt, 5)
    hq = auth.staff("operator")
    body = {"lines": [{"sku_id": milk, "quantity": 1}, {"sku_id": yogurt, "quantity": 1}], "mode": "store_delivery",
            "lat": XUJIAHUI_NEAR[0], "lng": XUJIAHUI_NEAR[1], "promised_minutes": 120}
    r = client.post("/api/v1/sourcing/preview", headers=hq, json=body)
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["status"] == "ok" and sorted(a["location_id"] for a in d["allocations"]) == sorted([xjh, ja])
    assert d["search"]["optimal"] and d["max_split"] == 2
    assert client.post("/api/v1/sourcing/preview", headers=auth.staff("clerk", store_id=xjh), json=body
                       ).status_code == 403
    too_many = {**body, "lines": [{"sku_id": milk, "quantity": 10_001}]}
    assert client.post("/api/v1/sourcing/preview", headers=hq, json=too_many).status_code == 422
    split = {**body, "lines": [{"sku_id": milk, "quantity": 6000}, {"sku_id": milk, "quantity": 6000}]}
    assert client.post("/api/v1/sourcing/preview", headers=hq, json=split).status_code == 422
    unknown = {**body, "lines": [{"sku_id": 2**62, "quantity": 1}]}
    r = client.post("/api/v1/sourcing/preview", headers=hq, json=unknown)
    assert r.status_code == 200 and r.json()["status"] == "unfulfillable"
    assert client.post("/api/v1/sourcing/preview", headers=hq, json={**body, "lat": 91}).status_code == 422
    with c.db.read() as s:
        assert s.query(SourcingDecision).count() == 0  # a preview records nothing
