"""Loyalty over HTTP: a member's points and tier, the points mall, the till's redemption, the admin's
rules with their preview; and what others may not do (someone else's ids, out-of-store clerks, huge
numbers, forged tokens)."""

from __future__ import annotations

from o2o.customers import service as customers
from o2o.loyalty import service as loyalty
from o2o.loyalty.schemas import RewardIn
from tests.factories.chain import build_chain, receive
from tests.integration.loyalty.flow import complete, give, member, pay, place

V1 = "/api/v1"


def _rules(client, headers) -> dict:  # type: ignore[no-untyped-def]
    r = client.get(f"{V1}/loyalty/rules", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    return {"tiers": [{k: v for k, v in t.items() if k not in ("rank", "name_zh", "name_en")} for t in body["tiers"]],
            "rates": body["rates"]}


def test_member_sees_points_and_tier_and_redeems_a_reward(client, container, auth):
    c = member(container, 1)
    give(container, c, 2_000)
    reward = loyalty.add_reward(container.uow(), RewardIn(kind="goods", name_zh="帆布袋", name_en="Tote bag",
                                                          points_cost=1_500, stock=1))
    me = auth.customer(c)
    r = client.get(f"{V1}/me/tier", headers={**me, "Accept-Language": "en"})
    assert r.status_code == 200 and r.json()["tier"] == "normal" and r.json()["tier_name"] == "Member"
    assert r.json()["balance"] == 2_000 and r.json()["next_tier"] == "silver"
    rewards = client.get(f"{V1}/loyalty/rewards").json()
    assert [x["id"] for x in rewards] == [reward.id]
    r = client.post(f"{V1}/me/rewards/{reward.id}/redeem", headers={**me, "Idempotency-Key": "k1"})
    assert r.status_code == 201, r.text
    voucher = r.json()
    assert voucher["balance"] == 500 and len(voucher["code"]) == 10
    again = client.post(f"{V1}/me/rewards/{reward.id}/redeem", headers={**me, "Idempotency-Key": "k1"})
    assert again.json()["code"] == voucher["code"]  # a retry answers the first redemption
    r = client.post(f"{V1}/me/rewards/{reward.id}/redeem", headers={**me, "Idempotency-Key": "k2"})
    assert r.status_code == 409  # out of stock (and short of points)
    points = client.get(f"{V1}/me/points", headers=me, params={"size": 1}).json()
    assert points["balance"] == 500 and [e["kind"] for e in points["entries"]] == ["redeem"]
    assert client.get(f"{V1}/me/points", headers=me, params={"page": 2, "size": 1}).json()["entries"][0]["kind"] \
        == "adjust"


def test_one_member_cannot_read_or_spend_anothers_points(client, container, auth):
    a, b = member(container, 1), member(container, 2)
    give(container, b, 1_000)
    as_a = auth.customer(a)
    assert client.get(f"{V1}/customers/{b}/points", headers=as_a).status_code in (403, 404)
    assert client.get(f"{V1}/customers/{b}/tier", headers=as_a).status_code in (403, 404)
    assert client.post(f"{V1}/pos/points/redeem", headers=as_a, json={
        "customer_id": b, "points": 100, "bill_fen": 10_000, "client_key": "x"}).status_code == 403
    assert client.get(f"{V1}/me/points", headers={"Authorization": "Bearer forged.token.here"}).status_code == 401
    assert loyalty.balance_of(container.db, b) == 1_000


def test_till_redeems_for_its_store_once_per_client_key(client, container, auth):
    chain = build_chain(container)
    store = chain.stores["xujiahui"]
    receive(container, store, chain.skus["milk"], 10)
    number = place(container, chain)  # the customer is one of this store's: they ordered there
    pay(container, number)
    complete(container, number)
    give(container, chain.customer, 1_000)
    clerk = auth.staff("clerk", store_id=store)
    other_clerk = auth.staff("clerk", store_id=chain.stores["jingan"])
    body = {"customer_id": chain.customer, "points": 400, "bill_fen": 2_000, "client_key": "T1-0001"}
    first = client.post(f"{V1}/pos/points/redeem", headers=clerk, json=body)
    assert first.status_code == 201, first.text
    assert first.json()["discount_fen"] == 400
    for _ in range(4):
        assert client.post(f"{V1}/pos/points/redeem", headers=clerk, json=body).json() == first.json()
    assert loyalty.balance_of(container.db, chain.customer) == 1_012 - 400
    r = client.get(f"{V1}/customers/{chain.customer}/points", headers=clerk)
    assert r.status_code == 200 and r.json()["balance"] == 612
    assert client.get(f"{V1}/customers/{chain.customer}/points", headers=other_clerk).status_code == 404
    stranger = {**body, "client_key": "JA-1"}
    assert client.post(f"{V1}/pos/points/redeem", headers=other_clerk, json=stranger).status_code == 404
    forged = {**stranger, "member_code": f"M{chain.customer}-0123456789abcdef"}
    r = client.post(f"{V1}/pos/points/redeem", headers=other_clerk, json=forged)
    assert r.status_code == 422 and "member_code" in r.text
    shown = {**stranger, "member_code": customers.member_code(chain.customer, container.clock.now()),
             "points": 12, "client_key": "JA-2"}
    r = client.post(f"{V1}/pos/points/redeem", headers=other_clerk, json=shown)  # the customer is at the till
    assert r.status_code == 201 and r.json()["balance"] == 600, r.text
    hq = auth.staff("operator")
    assert client.post(f"{V1}/pos/points/redeem", headers=hq, json=body).status_code == 403  # no store: no till
    huge = {**body, "points": 10**20, "client_key": "T1-0002"}
    r = client.post(f"{V1}/pos/points/redeem", headers=clerk, json=huge)
    assert r.status_code == 422 and "points" in r.text
    r = client.post(f"{V1}/pos/points/redeem", headers=clerk, json={**body, "points": 1, "bill_fen": 1,
                                                                    "client_key": "T1-3"})
    assert r.status_code == 422  # half of 1 fen is no whole point: nothing to take
    r = client.post(f"{V1}/pos/points/redeem", headers=clerk, json={**body, "points": 600, "bill_fen": 1_000,
                                                                    "client_key": "T1-5"})
    assert r.status_code == 201 and r.json()["points"] == 500  # capped at half the bill
    r = client.post(f"{V1}/pos/points/redeem", headers=clerk, json={**body, "points": 1_000, "bill_fen": 100_000,
                                                                    "client_key": "T1-4"})
    assert r.status_code == 409 and r.json()["type"].endswith("insufficient-points")


def test_admin_changes_rules_with_a_preview_and_the_change_is_audited(client, container, auth):
    admin, clerk = auth.staff("operator"), auth.staff("analyst")
    rules = _rules(client, admin)
    proposed = {**rules, "tiers": [dict(t) for t in rules["tiers"]]}
    proposed["tiers"][1]["min_spend_fen"] = 50_000
    r = client.post(f"{V1}/loyalty/rules/preview", headers=admin, json=proposed)
    assert r.status_code == 200, r.text
    assert {row["tier"] for row in r.json()["tiers"]} == {"normal", "silver", "gold", "diamond"}
    assert client.put(f"{V1}/loyalty/rules", headers=clerk, json=proposed).status_code == 403
    bad = {**proposed, "tiers": [dict(t) for t in proposed["tiers"]]}
    bad["tiers"][2]["min_spend_fen"] = 10_000  # gold easier than silver
    assert client.put(f"{V1}/loyalty/rules", headers=admin, json=bad).status_code == 422
    r = client.put(f"{V1}/loyalty/rules", headers=admin, json=proposed)
    assert r.status_code == 200, r.text
    assert r.json()["tiers"][1]["min_spend_fen"] == 50_000
    log = client.get(f"{V1}/audit", headers=auth.staff("platform_admin"), params={"action": "PUT /api/v1/loyalty/rules"})
    assert log.status_code == 200 and log.json()["items"], log.text
