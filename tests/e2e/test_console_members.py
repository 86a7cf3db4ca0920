"""The console's member look-up and 360 profile through HTTP: a clerk finds a customer by phone, card
or member code (typed or scanned) and sees them masked; scope and refusals."""

from __future__ import annotations

from o2o.customers import service as customers
from tests.e2e.test_console_support import EN, ZH, paid_pickup, post_form, shop


def test_a_clerk_finds_a_member_by_phone_and_sees_the_masked_profile(client, container, auth):
    s = shop(container, auth)
    number, _ = paid_pickup(client, s)
    r = post_form(client, f"/console/{s.store}/members", s.clerk, q="13800138000")
    assert r.status_code == 303 and r.headers["location"] == f"/console/{s.store}/members/{s.chain.customer}"
    page = client.get(r.headers["location"], headers={**s.clerk, **EN})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    html = page.text
    assert "138****8000" in html and "13800138000" not in html and "张三" not in html and "张*" in html
    assert number in html and "Orders, all channels" in html and "Tier" in html
    zh = client.get(r.headers["location"], headers={**s.clerk, **ZH}).text
    assert "全渠道订单" in zh and "会员" in zh


def test_a_clerk_finds_a_member_by_card_and_by_member_code_typed_or_scanned(client, container, auth, clock):
    s = shop(container, auth)
    customers.add_identity(container.uow(), s.chain.customer, "pos_card", "POS-778899")
    where = f"/console/{s.store}/members/{s.chain.customer}"
    assert post_form(client, f"/console/{s.store}/members", s.clerk, q="POS-778899").headers["location"] == where
    code = customers.member_code(s.chain.customer, clock.now())
    assert post_form(client, f"/console/{s.store}/members", s.clerk, q=code).headers["location"] == where
    assert post_form(client, f"/console/{s.store}/members", s.clerk,
                     scan=f"O2O-MEMBER:{code}").headers["location"] == where
    clock.advance(minutes=2)  # the code on the phone has changed twice since
    r = post_form(client, f"/console/{s.store}/members", {**s.clerk, **EN}, scan=f"O2O-MEMBER:{code}")
    assert r.status_code == 422 and "unknown or expired" in r.text
    r = post_form(client, f"/console/{s.store}/members", {**s.clerk, **EN}, q="13999999999")
    assert r.status_code == 422 and "No member found" in r.text
    forged = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert post_form(client, f"/console/{s.store}/members", s.clerk, q=forged).status_code == 422


def test_the_member_pages_stay_in_the_clerks_store(client, container, auth):
    s = shop(container, auth)
    assert client.get(f"/console/{s.other}/members", headers=s.clerk).status_code == 404
    assert post_form(client, f"/console/{s.other}/members", s.clerk, q="13800138000").status_code == 404
    assert client.get(f"/console/{s.other}/members/{s.chain.customer}", headers=s.clerk).status_code == 404
    assert client.get(f"/console/{s.store}/members/999999", headers=s.clerk).status_code == 404
    # a customer has no console
    assert client.get(f"/console/{s.store}/members", headers=s.customer).status_code == 403


def test_a_store_manager_sees_their_stores_customer_unmasked_and_the_read_is_audited(client, container, auth):
    s = shop(container, auth)
    paid_pickup(client, s)
    manager = auth.staff("store_manager", store_id=s.store)
    html = client.get(f"/console/{s.store}/members/{s.chain.customer}", headers={**manager, **EN}).text
    assert "13800138000" in html and "masked" not in html
    audit = client.get("/api/v1/audit", params={"action": "pii.read"}, headers=auth.staff("platform_admin")).json()
    assert any(e["target"] == f"customer={s.chain.customer},profile" for e in audit["items"])
    # the manager of another store sees the same customer masked
    other = auth.staff("store_manager", store_id=s.other)
    html = client.get(f"/console/{s.other}/members/{s.chain.customer}", headers={**other, **EN}).text
    assert "138****8000" in html and "13800138000" not in html
