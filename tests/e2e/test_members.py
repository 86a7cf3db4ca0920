"""Identities, mini-program sign-in, merges, favorites, browsing, member codes and the 360 profile,
through the HTTP API on both databases. WeChat and Douyin are local fakes of their HTTP APIs
(tests/factories/fake_platforms.py): they check our call and answer in the platform's shape."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from o2o import bootstrap
from o2o.cart import service as carts
from o2o.cart.schemas import Owner
from o2o.config import Settings
from o2o.customers import service as customers
from o2o.iam.models import CustomerPassword
from o2o.kernel.db import Base
from o2o.loyalty import service as loyalty
from o2o.main import create_app
from tests.factories.auth import Auth, bearer
from tests.factories.chain import XUJIAHUI, build_chain, receive, store
from tests.factories.fake_platforms import FakePlatform
from tests.factories.http import pickup_order

PHONE = "13912345678"


@pytest.fixture
def wechat() -> Iterator[FakePlatform]:
    fake = FakePlatform("wechat", app_id="wx-app-1", secret="wx-secret-1").start()
    yield fake
    fake.stop()


@pytest.fixture
def douyin() -> Iterator[FakePlatform]:
    fake = FakePlatform("douyin", app_id="tt-app-1", secret="tt-secret-1").start()
    yield fake
    fake.stop()


def _container(fresh_db, clock, wechat: FakePlatform, douyin: FakePlatform, **over):  # type: ignore[no-untyped-def]
    settings = Settings(database_url=fresh_db.url, payment_secret="test-secret", cheap_password_hashing=True,
                        wechat_app_id="wx-app-1", wechat_secret="wx-secret-1", wechat_base_url=wechat.url,
                        douyin_app_id="tt-app-1", douyin_secret="tt-secret-1", douyin_base_url=douyin.url, **over)
    return bootstrap.build(settings, db=fresh_db, clock=clock)


@pytest.fixture
def container(fresh_db, clock, wechat, douyin):  # type: ignore[no-untyped-def]
    return _container(fresh_db, clock, wechat, douyin)


@pytest.fixture
def client(container) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(container)) as c:
        yield c


def _code(container, phone: str) -> str:  # type: ignore[no-untyped-def]
    bootstrap.relay(container).run_once()
    for sms in container.sms.inbox:  # newest first
        if sms.to == phone:
            return re.search(r"(\d{6})", sms.text).group(1)
    raise AssertionError("no code sent")


def _phone_sign_in(client: TestClient, container, phone: str = PHONE) -> dict:  # type: ignore[no-untyped-def]
    assert client.post("/api/v1/auth/otp", json={"phone": phone}).status_code == 202
    r = client.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": _code(container, phone)})
    assert r.status_code == 200, r.text
    return r.json()


def _clerk(container, code: str = "CLK") -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A clerk of a store of their own (a new store per call)."""
    global _stores
    _stores += 1
    return Auth(container).staff("clerk", store_id=store(container, f"{code}{_stores}", XUJIAHUI))


_stores = 0


# --- mini-program sign-in: contract with the platforms -------------------------------------------

def test_wechat_sign_in_creates_an_unverified_customer_when_the_openid_is_new(client, wechat):
    code = wechat.issue("wx-code-1", "o-openid-1", "u-union-1")
    r = client.post("/api/v1/auth/wechat", json={"code": code})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["subject"] == "customer" and body["access_token"]
    # our call, as the platform checked it
    call = wechat.calls[-1]
    assert call["method"] == "GET" and call["path"] == "/sns/jscode2session"
    assert call["query"] == {"appid": "wx-app-1", "secret": "wx-secret-1", "js_code": code,
                             "grant_type": "authorization_code"}
    me = client.get(f"/api/v1/customers/{body['subject_id']}/identities", headers=bearer(body["access_token"]))
    kinds = {i["kind"]: i for i in me.json()}
    assert set(kinds) == {"wechat_openid", "wechat_unionid"}
    assert kinds["wechat_openid"]["value"] == "o-openid-1"
    assert client.get(f"/api/v1/customers/{body['subject_id']}",
                      headers=bearer(body["access_token"])).json()["phone"] is None  # unverified: no phone yet
    # the same openid again (a new code) is the same customer
    again = client.post("/api/v1/auth/wechat", json={"code": wechat.issue("wx-code-2", "o-openid-1", "u-union-1")})
    assert again.json()["subject_id"] == body["subject_id"]


def test_wechat_sign_in_with_the_same_code_twice_is_refused_the_second_time(client, wechat):
    code = wechat.issue("wx-once", "o-openid-2")
    assert client.post("/api/v1/auth/wechat", json={"code": code}).status_code == 200
    r = client.post("/api/v1/auth/wechat", json={"code": code})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"].endswith("/platform-code-refused") and r.json()["platform_code"] == 40163


def test_wechat_unknown_code_is_a_401_problem(client, wechat):
    r = client.post("/api/v1/auth/wechat", json={"code": "never-issued"})
    assert r.status_code == 401 and r.json()["platform_code"] == 40029


@pytest.mark.parametrize("answer", ["http500", "busy", "rate"])
def test_wechat_down_or_busy_is_a_503_problem_with_retry_after(client, wechat, answer):
    wechat.script.append(answer)
    r = client.post("/api/v1/auth/wechat", json={"code": wechat.issue("wx-c", "o-3")})
    assert r.status_code == 503, r.text
    assert r.json()["type"].endswith("/platform-unavailable") and int(r.headers["retry-after"]) >= 1


def test_wechat_unreachable_is_a_503_problem(client, wechat):
    wechat.stop()
    r = client.post("/api/v1/auth/wechat", json={"code": "anything"})
    assert r.status_code == 503 and r.json()["type"].endswith("/platform-unavailable")


def test_a_wrong_app_secret_is_our_fault_a_503_not_the_callers(fresh_db, clock, wechat, douyin):
    c = _container(fresh_db, clock, wechat, douyin)
    c.settings.wechat_secret = "not-the-secret"
    c.logins.update(bootstrap.mini_program_logins(c.settings))
    with TestClient(create_app(c)) as client:
        r = client.post("/api/v1/auth/wechat", json={"code": wechat.issue("wx-x", "o-4")})
    assert r.status_code == 503
    assert wechat.calls[-1]["query"]["secret"] == "not-the-secret"


def test_douyin_sign_in_posts_json_and_signs_in(client, douyin):
    code = douyin.issue("dy-code-1", "dy-openid-1", "dy-union-1")
    r = client.post("/api/v1/auth/douyin", json={"code": code})
    assert r.status_code == 200, r.text
    call = douyin.calls[-1]
    assert call["method"] == "POST" and call["path"] == "/api/apps/v2/jscode2session"
    assert call["body"] == {"appid": "tt-app-1", "secret": "tt-secret-1", "code": code}
    r2 = client.post("/api/v1/auth/douyin", json={"code": code})
    assert r2.status_code == 401 and r2.json()["platform_code"] == 40018
    douyin.script.append("rate")
    r3 = client.post("/api/v1/auth/douyin", json={"code": douyin.issue("dy-2", "dy-openid-2")})
    assert r3.status_code == 503


def test_an_unconfigured_platform_is_a_404(fresh_db, clock):
    c = bootstrap.build(Settings(database_url=fresh_db.url, payment_secret="test-secret",
                                 cheap_password_hashing=True), db=fresh_db, clock=clock)
    with TestClient(create_app(c)) as client:
        r = client.post("/api/v1/auth/wechat", json={"code": "abc"})
        assert r.status_code == 404 and r.json()["type"].endswith("/platform-not-configured")


# --- a verified phone links, and merges when it proves two customers are one ------------------

def test_wechat_customer_verifying_a_phone_held_by_another_is_merged_into_them(client, container, wechat, clock):
    owner = _phone_sign_in(client, container)  # the phone's customer, who signed up by SMS earlier
    clock.advance(minutes=2)  # past the resend wait
    wx = client.post("/api/v1/auth/wechat", json={"code": wechat.issue("wx-m1", "o-merge", "u-merge")}).json()
    assert wx["subject_id"] != owner["subject_id"]
    wx_headers = bearer(wx["access_token"])
    customers.set_favorite(container.uow(), wx["subject_id"], "store", 1, True)
    assert client.post("/api/v1/auth/otp", json={"phone": PHONE}).status_code == 202
    code = _code(container, PHONE)
    r = client.post("/api/v1/me/phone", json={"phone": PHONE, "code": code}, headers=wx_headers)
    assert r.status_code == 200, r.text
    survivor = r.json()
    assert survivor["subject_id"] == owner["subject_id"]
    # the WeChat customer's session ended; their identities now sign in to the survivor
    assert client.get("/api/v1/me", headers=wx_headers).status_code == 401
    again = client.post("/api/v1/auth/wechat", json={"code": wechat.issue("wx-m2", "o-merge", "u-merge")})
    assert again.json()["subject_id"] == owner["subject_id"]
    ops = Auth(container).staff("operator")
    merges = client.get(f"/api/v1/customers/{owner['subject_id']}/merges", headers=ops).json()
    assert [(m["survivor_id"], m["merged_id"]) for m in merges] == [(owner["subject_id"], wx["subject_id"])]
    assert merges[0]["moved"]["customer_identity"] == 2 and merges[0]["moved"]["customer_favorite"] == 1
    assert merges[0]["actor"].startswith(f"customer:{wx['subject_id']}")
    audit = client.get("/api/v1/audit", params={"action": "customers.merge"},
                       headers=Auth(container).staff("platform_admin")).json()
    assert any(e["target"] == f"customer={owner['subject_id']},merged={wx['subject_id']}" for e in audit["items"])


def test_a_wechat_customer_verifying_a_new_phone_keeps_their_account(client, container, wechat, clock):
    wx = client.post("/api/v1/auth/wechat", json={"code": wechat.issue("wx-n", "o-new")}).json()
    assert client.post("/api/v1/auth/otp", json={"phone": "13700000001"}).status_code == 202
    r = client.post("/api/v1/me/phone", json={"phone": "13700000001", "code": _code(container, "13700000001")},
                    headers=bearer(wx["access_token"]))
    assert r.status_code == 200 and r.json()["subject_id"] == wx["subject_id"]
    clock.advance(minutes=2)
    # signing in by SMS with that phone now reaches the WeChat customer
    assert _phone_sign_in(client, container, "13700000001")["subject_id"] == wx["subject_id"]


def test_link_phone_with_a_wrong_code_is_refused(client, container, wechat):
    wx = client.post("/api/v1/auth/wechat", json={"code": wechat.issue("wx-w", "o-w")}).json()
    client.post("/api/v1/auth/otp", json={"phone": PHONE})
    r = client.post("/api/v1/me/phone", json={"phone": PHONE, "code": "000000"}, headers=bearer(wx["access_token"]))
    assert r.status_code == 401


# --- operator merge --------------------------------------------------------------------------

def _everything_for(container, client, chain, customer_id: int) -> None:  # type: ignore[no-untyped-def]
    """A row in every table that points at a customer: order, address, cart, favorite, browsing,
    identity, password, points."""
    headers = Auth(container).customer(customer_id)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 20)
    pickup_order(client, chain.stores["xujiahui"], chain.skus["milk"], 1, headers)
    r = client.post(f"/api/v1/customers/{customer_id}/addresses", headers=headers, json={
        "label": "家", "recipient": "李四", "phone": "13600000000", "line": "徐汇区某路 1 号",
        "lat": 31.2, "lng": 121.4})
    assert r.status_code == 201, r.text
    carts.add(container.uow(), Owner(customer_id=customer_id), chain.skus["yogurt"], 2)
    products = client.get("/api/v1/products").json()["items"]
    assert client.put("/api/v1/me/favorites", headers=headers,
                      json={"kind": "product", "target_id": products[0]["id"]}).status_code == 200
    customers.record_view(container.uow(), customer_id, products[0]["id"])
    with container.uow() as uow:
        uow.session.merge(CustomerPassword(customer_id=customer_id, password_hash="x", updated_at=uow.clock.now()))
        uow.commit()
    loyalty.adjust(container.uow(), customer_id, 120, "test")


def _pointing_at(container, customer_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Walk the metadata: every table with a customer_id column (a future table too)."""
    out = {}
    with container.db.read() as s:
        for table in Base.metadata.sorted_tables:
            if "customer_id" in table.c:
                n = s.scalar(select(func.count()).select_from(table).where(table.c.customer_id == customer_id))
                if n:
                    out[table.name] = n
    return out


def test_operator_merge_moves_every_row_pointing_at_the_merged_customer(client, container):
    chain = build_chain(container)
    survivor = chain.customer
    merged = customers.create(container.uow(), customers.CustomerIn(name="李四", phone="13600001111")).id
    customers.add_identity(container.uow(), merged, "pos_card", "CARD-0001")
    _everything_for(container, client, chain, merged)
    before = _pointing_at(container, merged)
    assert {"sales_order", "address", "cart", "customer_favorite", "customer_browsing", "customer_identity",
            "customer_password", "points_entry", "points_account"} <= set(before)
    assert set(before) == set(customers.customer_tables()) & set(before)
    balance = loyalty.balance_of(container.db, merged) + loyalty.balance_of(container.db, survivor)

    ops = Auth(container).staff("operator")
    r = client.post(f"/api/v1/customers/{survivor}/merge", headers=ops,
                    json={"merged_id": merged, "reason": "same person at the till"})
    assert r.status_code == 200, r.text
    assert _pointing_at(container, merged) == {}
    moved = r.json()["moved"]
    assert moved["sales_order"] == 1 and moved["address"] == 1 and moved["cart"] == 1
    assert moved["customer_identity"] >= 2  # the card and the phone
    assert loyalty.balance_of(container.db, survivor) == balance
    # the tombstone points at the survivor; the merged customer's phone and card find the survivor
    assert client.get(f"/api/v1/customers/{merged}/profile", headers=ops).json()["merged_into_id"] == survivor
    with container.db.read() as s:
        assert customers.find_by_phone(s, "13600001111") == survivor
    assert client.get("/api/v1/members/lookup", params={"card": "CARD-0001"}, headers=ops).json() == {
        "customer_id": survivor}
    # explained afterwards: the record and the audit entry
    merges = client.get(f"/api/v1/customers/{survivor}/merges", headers=ops).json()
    assert merges[0]["reason"] == "same person at the till" and merges[0]["actor"].startswith("staff:")
    audit = client.get("/api/v1/audit", params={"action": "POST /api/v1/customers/{customer_id}/merge"},
                       headers=Auth(container).staff("platform_admin")).json()["items"]
    assert audit and audit[0]["detail"]["moved"]["sales_order"] == 1

    # a retry answers the first merge and moves nothing more
    again = client.post(f"/api/v1/customers/{survivor}/merge", headers=ops, json={"merged_id": merged})
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    assert len(client.get(f"/api/v1/customers/{survivor}/merges", headers=ops).json()) == 1


def test_merge_refusals(client, container):
    a = customers.create(container.uow(), customers.CustomerIn(name="甲", phone="13500000001")).id
    b = customers.create(container.uow(), customers.CustomerIn(name="乙", phone="13500000002")).id
    c = customers.create(container.uow(), customers.CustomerIn(name="丙", phone="13500000003")).id
    ops = Auth(container).staff("operator")
    r = client.post(f"/api/v1/customers/{a}/merge", headers=ops, json={"merged_id": a})
    assert r.status_code == 409 and r.json()["type"].endswith("/merge-refused")
    assert client.post(f"/api/v1/customers/{a}/merge", headers=ops, json={"merged_id": b}).status_code == 200
    # into a merged-away customer, or a merged-away customer into another: refused
    assert client.post(f"/api/v1/customers/{b}/merge", headers=ops, json={"merged_id": c}).status_code == 409
    assert client.post(f"/api/v1/customers/{c}/merge", headers=ops, json={"merged_id": b}).status_code == 409
    # unknown ids, huge ids
    assert client.post(f"/api/v1/customers/{a}/merge", headers=ops, json={"merged_id": 999_999}).status_code == 404
    assert client.post("/api/v1/customers/999999/merge", headers=ops, json={"merged_id": c}).status_code == 404
    assert client.post(f"/api/v1/customers/{a}/merge", headers=ops,
                       json={"merged_id": 2**63}).status_code == 422
    # not for a clerk, a store manager or a customer
    for headers in (_clerk(container), Auth(container).customer(a)):
        assert client.post(f"/api/v1/customers/{a}/merge", headers=headers,
                           json={"merged_id": c}).status_code == 403


# --- identities ------------------------------------------------------------------------------

def test_an_identity_is_unique_per_kind(client, container):
    a = customers.create(container.uow(), customers.CustomerIn(name="甲", phone="13500000011")).id
    b = customers.create(container.uow(), customers.CustomerIn(name="乙", phone="13500000012")).id
    clerk = _clerk(container)
    assert client.post(f"/api/v1/customers/{a}/identities", headers=clerk,
                       json={"kind": "pos_card", "value": "88001234567"}).status_code == 201
    r = client.post(f"/api/v1/customers/{b}/identities", headers=clerk, json={"kind": "pos_card", "value": "88001234567"})
    assert r.status_code == 409
    # the same text as another kind is another identity
    assert client.post(f"/api/v1/customers/{b}/identities", headers=clerk,
                       json={"kind": "device", "value": "88001234567"}).status_code == 201
    # staff cannot attach a phone or an openid (those are proved, not typed)
    assert client.post(f"/api/v1/customers/{b}/identities", headers=clerk,
                       json={"kind": "wechat_openid", "value": "x"}).status_code == 422
    # a clerk sees them masked
    shown = client.get(f"/api/v1/customers/{a}/identities", headers=clerk).json()
    assert {i["kind"]: i["value"] for i in shown} == {"phone": "135****0011", "pos_card": "880****67"}


# --- member code -----------------------------------------------------------------------------

def test_member_code_is_valid_this_minute_and_the_next_only(client, container, clock):
    a = customers.create(container.uow(), customers.CustomerIn(name="甲", phone="13500000021")).id
    now = clock.now()
    code = customers.member_code(a, now)
    assert customers.resolve_member_code(code, now) == a
    assert customers.resolve_member_code(code, now + timedelta(seconds=60)) == a  # the next minute still
    assert customers.resolve_member_code(code, now + timedelta(minutes=2)) is None  # made 2 minutes ago
    assert customers.resolve_member_code(code, now - timedelta(minutes=1)) is None  # from the future
    assert customers.member_code(a, now + timedelta(minutes=1)) != code
    # forged: another id with this MAC, a flipped MAC character, junk, huge ids
    mac = code.split("-")[1]
    assert customers.resolve_member_code(f"M{a + 1}-{mac}", now) is None
    flipped = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert customers.resolve_member_code(flipped, now) is None
    for junk in ("", "M", "M1-", f"M{2**63}-{mac}", f"M{'9' * 40}-{mac}", "M1-" + "z" * 16, code + "0"):
        assert customers.resolve_member_code(junk, now) is None
    clerk = _clerk(container)
    assert client.get("/api/v1/members/lookup", params={"code": code}, headers=clerk).json() == {"customer_id": a}
    assert client.get("/api/v1/members/lookup", params={"code": flipped}, headers=clerk).status_code == 404
    mine = client.get("/api/v1/me/member-code", headers=Auth(container).customer(a)).json()
    assert mine["code"] == code and mine["valid_for_s"] == 60


# --- favorites, browsing and the 360 profile ---------------------------------------------------

def test_favorites_and_browsing_of_the_customer_only(client, container):
    chain = build_chain(container)
    me = Auth(container).customer(chain.customer)
    pid = client.get("/api/v1/products").json()["items"][0]["id"]
    assert client.put("/api/v1/me/favorites", headers=me, json={"kind": "product", "target_id": pid}).json()[
        "favorite"] is True
    assert client.put("/api/v1/me/favorites", headers=me, json={"kind": "product", "target_id": pid}).status_code == 200
    assert client.put("/api/v1/me/favorites", headers=me,
                      json={"kind": "store", "target_id": chain.stores["jingan"]}).status_code == 200
    assert client.put("/api/v1/me/favorites", headers=me,
                      json={"kind": "product", "target_id": 987654}).status_code == 404
    assert [(f["kind"], f["target_id"]) for f in client.get("/api/v1/me/favorites", headers=me).json()] == [
        ("store", chain.stores["jingan"]), ("product", pid)] or len(client.get(
            "/api/v1/me/favorites", headers=me).json()) == 2
    assert client.delete(f"/api/v1/me/favorites/product/{pid}", headers=me).json()["favorite"] is False
    assert [f["kind"] for f in client.get("/api/v1/me/favorites", headers=me).json()] == ["store"]
    for _ in range(customers.BROWSING_KEEP + 5):
        customers.record_view(container.uow(), chain.customer, pid)
    assert len(client.get("/api/v1/me/browsing", headers=me).json()) == 1  # one row per product
    # staff have no "me" favorites; another customer's profile is a 404 for a customer
    other = customers.create(container.uow(), customers.CustomerIn(name="乙", phone="13500000031")).id
    assert client.get(f"/api/v1/customers/{other}/profile", headers=me).status_code == 404
    assert client.get("/api/v1/me/favorites", headers=_clerk(container)).status_code == 403


def test_profile_masked_for_a_clerk_and_plain_with_pii_read(client, container):
    chain = build_chain(container)
    me = Auth(container).customer(chain.customer)
    receive(container, chain.stores["xujiahui"], chain.skus["milk"], 10)
    pickup_order(client, chain.stores["xujiahui"], chain.skus["milk"], 1, me)
    pickup_order(client, chain.stores["xujiahui"], chain.skus["milk"], 2, me)
    clerk = client.get(f"/api/v1/customers/{chain.customer}/profile", headers=_clerk(container)).json()
    assert clerk["masked"] is True and clerk["customer"]["phone"] == "138****8000"
    assert clerk["customer"]["name"] == "张*"
    assert len(clerk["orders"]) == 2 and clerk["orders"][0]["created_at"] >= clerk["orders"][1]["created_at"]
    assert clerk["member"]["tier"] and clerk["member"]["balance"] == 0
    ops = client.get(f"/api/v1/customers/{chain.customer}/profile", headers=Auth(container).staff("operator")).json()
    assert ops["masked"] is False and ops["customer"]["phone"] == "13800138000"
    audit = client.get("/api/v1/audit", params={"action": "pii.read"},
                       headers=Auth(container).staff("platform_admin")).json()["items"]
    assert any(e["target"] == f"customer={chain.customer},profile" for e in audit)
    assert client.get("/api/v1/customers/999999/profile", headers=_clerk(container)).status_code == 404


def test_export_holds_identities_and_follows_and_erasure_forgets_them(client, container, wechat, clock):
    wx = client.post("/api/v1/auth/wechat", json={"code": wechat.issue("wx-e", "o-erase", "u-erase")}).json()
    cid, headers = wx["subject_id"], bearer(wx["access_token"])
    customers.set_favorite(container.uow(), cid, "store", 1, True)
    customers.record_view(container.uow(), cid, 42)
    doc = client.get("/api/v1/me/export", headers=headers).json()["customer"]
    assert {i["value"] for i in doc["identities"]} == {"o-erase", "u-erase"}
    assert doc["favorites"][0]["target_id"] == 1 and doc["browsing"][0]["product_id"] == 42
    assert client.post("/api/v1/me/erasure", headers=headers).status_code == 200
    with container.db.read() as s:
        assert customers.find_by_identity(s, "wechat_openid", "o-erase") is None
    assert customers.favorites(container.db, cid) == [] and customers.browsing(container.db, cid) == []
    # the same WeChat user signing in again is a new customer
    again = client.post("/api/v1/auth/wechat", json={"code": wechat.issue("wx-e2", "o-erase", "u-erase")}).json()
    assert again["subject_id"] != cid


def test_an_openid_and_a_unionid_of_two_customers_prove_one_person(client, container, wechat):
    """Two mini-programs of one WeChat account: the user came through each before the platform handed
    out the unionid. When one sign-in brings an openid of one customer and the unionid of the other,
    the newer customer is merged into the older one."""
    first = client.post("/api/v1/auth/wechat", json={"code": wechat.issue("w-a", "o-app-a", "u-shared")}).json()
    second = client.post("/api/v1/auth/wechat", json={"code": wechat.issue("w-b", "o-app-b")}).json()
    assert first["subject_id"] != second["subject_id"]
    r = client.post("/api/v1/auth/wechat", json={"code": wechat.issue("w-b2", "o-app-b", "u-shared")})
    assert r.status_code == 200 and r.json()["subject_id"] == first["subject_id"]
    ops = Auth(container).staff("operator")
    merges = client.get(f"/api/v1/customers/{first['subject_id']}/merges", headers=ops).json()
    assert [(m["survivor_id"], m["merged_id"]) for m in merges] == [(first["subject_id"], second["subject_id"])]
    assert merges[0]["actor"].startswith("system:")
    ids = {i["value"] for i in client.get(f"/api/v1/customers/{first['subject_id']}/identities", headers=ops).json()}
    assert {"o-app-a", "o-app-b", "u-shared"} <= ids
