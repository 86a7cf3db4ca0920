"""Coupons and promotions over HTTP: an operator's campaign, a shopper's coupon centre, claim and wallet, a
clerk's look-up and redemption at the till; and what others may not do (someone else's coupon or store,
forged and huge ids, guessing codes, customers calling staff endpoints)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from o2o.kernel.errors import InvalidInput
from o2o.promotions import checkout
from tests.factories.chain import SONGJIANG, build_chain

V1 = "/api/v1"


def _template_body(container, **kw) -> dict:  # type: ignore[no-untyped-def]
    now = container.clock.now()
    body = {"kind": "threshold", "name_zh": "满200减30", "name_en": "30 off 200", "min_fen": 20_000, "off_fen": 3_000,
            "claim_from": (now - timedelta(days=1)).isoformat(), "claim_until": (now + timedelta(days=7)).isoformat(),
            "valid_days": 7}
    body.update(kw)
    return body


def _promotion_body(container, **kw) -> dict:  # type: ignore[no-untyped-def]
    now = container.clock.now()
    body = {"kind": "threshold", "name_zh": "满100减10", "name_en": "10 off 100", "min_fen": 10_000, "off_fen": 1_000,
            "starts_at": (now - timedelta(days=1)).isoformat(), "ends_at": (now + timedelta(days=7)).isoformat()}
    body.update(kw)
    return body


def test_lbs_campaign_claimed_in_the_centre_and_redeemed_only_at_its_store(client, container, auth):
    chain = build_chain(container)
    xjh, jingan = chain.stores["xujiahui"], chain.stores["jingan"]
    op = auth.staff("operator")
    r = client.post(f"{V1}/coupon-templates", headers=op,
                    json=_template_body(container, store_id=xjh, total_qty=10, budget_fen=100_000))
    assert r.status_code == 201, r.text
    t = r.json()["id"]
    assert r.json()["radius_m"] == 3000
    me = auth.customer(chain.customer)
    centre = client.get(f"{V1}/coupons/center", headers={**me, "Accept-Language": "en"}).json()
    assert [(i["template_id"], i["store_id"], i["store_name"], i["can_claim"]) for i in centre] == \
        [(t, xjh, "XJH Store", True)]
    assert 400 < centre[0]["distance_m"] < 700 and centre[0]["label_zh"] == "满200减30"
    r = client.post(f"{V1}/coupons/claim", headers=me, json={"template_id": t})
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    assert r.json()["state"] == "usable" and len(code) == 14
    wallet = client.get(f"{V1}/me/coupons", headers=me).json()
    assert [c["code"] for c in wallet["usable"]] == [code] and wallet["used"] == []
    assert client.post(f"{V1}/coupons/claim", headers=me, json={"template_id": t}).status_code == 409  # limit 1
    far = customers.create(container.uow(), CustomerIn(name="远方", phone="13900000001", home_lat=SONGJIANG[0],
                                                       home_lng=SONGJIANG[1])).id
    far_h = auth.customer(far)
    assert client.get(f"{V1}/coupons/center", headers=far_h).json() == []
    r = client.post(f"{V1}/coupons/claim", headers=far_h, json={"template_id": t})
    assert r.status_code == 403 and r.json()["type"].endswith("/not-eligible")
    # a clerk of another store: as if there were no such coupon
    other = auth.staff("clerk", store_id=jingan)
    assert client.get(f"{V1}/coupons/lookup/{code}", headers=other).status_code == 404
    r = client.post(f"{V1}/coupons/redeem", headers=other, json={"code": code, "bill_fen": 30_000})
    assert r.status_code == 404 and r.json()["detail"] == "coupon - not found"
    # the store's own clerk: look-up with the owner masked, then redeem once
    clerk = auth.staff("clerk", store_id=xjh)
    look = client.get(f"{V1}/coupons/lookup/{code.lower()}", headers=clerk).json()
    assert look["owner"] == "138****8000" and look["redeemable_here"] is True
    r = client.post(f"{V1}/coupons/redeem", headers={**clerk, "Idempotency-Key": "till-7"},
                    json={"code": look["code_display"], "bill_fen": 25_000})
    assert r.status_code == 201, r.text
    assert r.json()["discount_fen"] == 3_000
    again = client.post(f"{V1}/coupons/redeem", headers={**clerk, "Idempotency-Key": "till-7"},
                        json={"code": look["code_display"], "bill_fen": 25_000})
    assert again.json() == r.json()
    r = client.post(f"{V1}/coupons/redeem", headers=clerk, json={"code": code, "bill_fen": 25_000})
    assert r.status_code == 409 and r.json()["type"].endswith("/coupon-taken")
    assert client.get(f"{V1}/me/coupons", headers=me).json()["used"][0]["code"] == code
    res = client.get(f"{V1}/coupon-templates/{t}/results", headers=op).json()
    assert (res["issued"], res["redeemed"], res["cost_fen"], res["spent_fen"]) == (1, 1, 3_000, 3_000)


def test_customers_and_clerks_cannot_use_operator_or_staff_endpoints(client, container, auth):
    chain = build_chain(container)
    me = auth.customer(chain.customer)
    clerk = auth.staff("clerk", store_id=chain.stores["xujiahui"])
    body = _template_body(container)
    assert client.post(f"{V1}/coupon-templates", json=body).status_code == 401
    assert client.post(f"{V1}/coupon-templates", headers=me, json=body).status_code == 403
    assert client.post(f"{V1}/coupon-templates", headers=clerk, json=body).status_code == 403
    assert client.post(f"{V1}/promotions", headers=auth.staff("store_manager", store_id=chain.stores["xujiahui"]),
                       json=_promotion_body(container)).status_code == 403
    assert client.post(f"{V1}/coupons/redeem", headers=me, json={"code": "ABCD"}).status_code == 403
    assert client.get(f"{V1}/coupons/lookup/ABCDEFGHJKMNPQ", headers=me).status_code == 403
    assert client.get(f"{V1}/me/coupons", headers=clerk).status_code == 403
    assert client.post(f"{V1}/coupons/claim", headers=clerk, json={"template_id": 1}).status_code == 403
    # head-office staff are not at a till
    r = client.post(f"{V1}/coupons/redeem", headers=auth.staff("operator"), json={"code": "ABCDEFGHJKMNPQ"})
    assert r.status_code == 403 and r.json()["type"].endswith("/store-staff-only")


def test_forged_and_huge_ids_and_numbers(client, container, auth):
    chain = build_chain(container)
    me = auth.customer(chain.customer)
    op = auth.staff("operator")
    assert client.post(f"{V1}/coupons/claim", headers=me, json={"template_id": 2**63}).status_code == 422
    assert client.post(f"{V1}/coupons/claim", headers=me, json={"template_id": 2**63 - 1}).status_code == 404
    assert client.post(f"{V1}/coupons/claim", headers=me, json={"template_id": True}).status_code == 422
    assert client.get(f"{V1}/coupon-templates/99999999999999999999", headers=op).status_code == 404
    assert client.get(f"{V1}/promotions/{2**63 - 1}/results", headers=op).status_code == 404
    assert client.post(f"{V1}/coupon-templates", headers=op,
                       json=_template_body(container, total_qty=10**12)).status_code == 422
    assert client.post(f"{V1}/coupon-templates", headers=op,
                       json=_template_body(container, off_fen=30_000)).status_code == 422  # off > min
    assert client.post(f"{V1}/coupon-templates", headers=op,
                       json=_template_body(container, valid_days=None)).status_code == 422
    assert client.post(f"{V1}/coupon-templates", headers=op,
                       json=_template_body(container, store_id=chain.warehouse)).status_code == 422
    clerk = auth.staff("clerk", store_id=chain.stores["xujiahui"])
    r = client.post(f"{V1}/coupons/redeem", headers=clerk, json={"code": "X" * 41})
    assert r.status_code == 422
    r = client.post(f"{V1}/coupons/redeem", headers=clerk, json={"code": "ABCDEFGHJKMNPQ", "bill_fen": 10**15})
    assert r.status_code == 422
    r = client.post(f"{V1}/coupons/claim", headers=me, json={"template_id": 1, "lat": 95, "lng": 0})
    assert r.status_code == 422


def test_someone_elses_coupon_is_not_in_my_wallet_nor_usable_in_my_order(client, container, auth):
    chain = build_chain(container)
    op = auth.staff("operator")
    t = client.post(f"{V1}/coupon-templates", headers=op, json=_template_body(container)).json()["id"]
    other = customers.create(container.uow(), CustomerIn(name="别人", phone="13900000002")).id
    theirs = client.post(f"{V1}/coupons/claim", headers=auth.customer(other), json={"template_id": t}).json()
    me = auth.customer(chain.customer)
    wallet = client.get(f"{V1}/me/coupons", headers=me).json()
    assert wallet == {"usable": [], "used": [], "expired": []}
    with container.db.read() as s, pytest.raises(InvalidInput, match="coupon_ids"):
        checkout.offers_for(s, customer_id=chain.customer, location_id=chain.stores["xujiahui"], channel="h5",
                            now=container.clock.now(), tier=None, coupon_ids=[theirs["id"]])


def test_guessing_codes_at_the_till_is_rate_limited(client, container, auth):
    chain = build_chain(container)
    clerk = auth.staff("clerk", store_id=chain.stores["xujiahui"])
    for i in range(10):
        r = client.get(f"{V1}/coupons/lookup/ABCDEFGHJKMN{i + 2}2", headers=clerk)
        assert r.status_code == 404 and r.json()["detail"] == "coupon - not found"
    r = client.post(f"{V1}/coupons/redeem", headers=clerk, json={"code": "ABCDEFGHJKMNPQ"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    # another clerk has a budget of their own
    assert client.get(f"{V1}/coupons/lookup/ABCDEFGHJKMNPQ",
                      headers=auth.staff("clerk", store_id=chain.stores["xujiahui"])).status_code == 404


def test_operator_issues_to_a_list_once_per_key_and_manages_promotions(client, container, auth):
    chain = build_chain(container)
    op = auth.staff("operator")
    t = client.post(f"{V1}/coupon-templates", headers=op, json=_template_body(container, total_qty=5)).json()["id"]
    others = [customers.create(container.uow(), CustomerIn(name=f"客{i}", phone=f"1390000001{i}")).id for i in range(3)]
    body = {"customer_ids": [chain.customer, *others]}
    r = client.post(f"{V1}/coupon-templates/{t}/issue", headers={**op, "Idempotency-Key": "camp-1"}, json=body)
    assert r.status_code == 201, r.text
    assert (r.json()["issued"], r.json()["issued_qty"]) == (4, 4)
    again = client.post(f"{V1}/coupon-templates/{t}/issue", headers={**op, "Idempotency-Key": "camp-1"}, json=body)
    assert again.json() == r.json()
    r = client.post(f"{V1}/coupon-templates/{t}/issue", headers=op, json={"customer_ids": [chain.customer]})
    assert r.json()["issued"] == 0 and r.json()["skipped"] == [chain.customer]
    assert client.post(f"{V1}/coupon-templates/{t}/issue", headers=op,
                       json={"customer_ids": [chain.customer], "segment": {"tier": "gold"}}).status_code == 422
    # promotions: create, list, replace, end
    r = client.post(f"{V1}/promotions", headers=op, json=_promotion_body(container, group_code="g1"))
    assert r.status_code == 201, r.text
    p = r.json()["id"]
    assert [x["id"] for x in client.get(f"{V1}/promotions", headers=op).json()] == [p]
    r = client.put(f"{V1}/promotions/{p}", headers=op, json=_promotion_body(container, off_fen=2_000))
    assert r.status_code == 200 and r.json()["off_fen"] == 2_000
    assert client.delete(f"{V1}/promotions/{p}", headers=op).json()["active"] is False
    res = client.get(f"{V1}/promotions/{p}/results", headers=op).json()
    assert (res["redeemed"], res["cost_fen"], res["issued"]) == (0, 0, None)
    assert client.delete(f"{V1}/coupon-templates/{t}", headers=op).json()["active"] is False
    assert client.post(f"{V1}/coupons/claim", headers=auth.customer(chain.customer),
                       json={"template_id": t}).status_code == 404
