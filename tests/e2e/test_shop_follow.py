"""The storefront's 关注 buttons, followed list, recently viewed products and member code page."""

from __future__ import annotations

import re

from o2o.customers import service as customers
from tests.e2e.test_console_support import ZH, csrf, shop


def _form(client, path, headers, **fields):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf(client), **{k: str(v) for k, v in fields.items()}}
    return client.post(path, data=data, headers=headers, follow_redirects=False)


def test_a_shopper_follows_a_product_and_a_store_and_sees_them_listed(client, container, auth):
    s = shop(container, auth)
    products = client.get("/api/v1/products").json()["items"]
    pid = products[0]["id"]
    html = client.get(f"/shop/products/{pid}", headers={**s.customer, **ZH}).text
    assert "☆ 关注" in html and 'aria-pressed="false"' in html
    r = _form(client, "/shop/favorites", s.customer, kind="product", target_id=pid, on=1, next=f"/shop/products/{pid}")
    assert r.status_code == 303 and r.headers["location"] == f"/shop/products/{pid}"
    html = client.get(f"/shop/products/{pid}", headers={**s.customer, **ZH}).text
    assert "★ 已关注" in html and 'aria-pressed="true"' in html
    assert _form(client, "/shop/favorites", s.customer, kind="store", target_id=s.store, on=1).status_code == 303
    listed = client.get("/shop/favorites", headers={**s.customer, **ZH}).text
    assert "我的关注" in listed and products[0]["name_zh"] in listed and "XJH店" in listed
    # the product page's view was recorded after the page went out
    assert [b.product_id for b in customers.browsing(container.db, s.chain.customer)] == [pid]
    assert client.get("/api/v1/me/browsing", headers=s.customer).json()[0]["product_id"] == pid
    # stop following
    assert _form(client, "/shop/favorites", s.customer, kind="product", target_id=pid, on=0).status_code == 303
    assert products[0]["name_zh"] not in client.get("/shop/favorites", headers={**s.customer, **ZH}).text.split(
        "最近浏览")[0]


def test_following_needs_a_shopper_and_a_real_target(client, container, auth):
    s = shop(container, auth)
    pid = client.get("/api/v1/products").json()["items"][0]["id"]
    html = client.get(f"/shop/products/{pid}", headers=ZH).text
    assert "☆ 关注" in html and "/shop/signin?next=" in html and 'action="/shop/favorites"' not in html
    assert _form(client, "/shop/favorites", {}, kind="product", target_id=pid).status_code == 401  # a POST
    assert customers.favorites(container.db, s.chain.customer) == []
    assert _form(client, "/shop/favorites", s.customer, kind="product", target_id=987654).status_code == 404
    assert _form(client, "/shop/favorites", s.customer, kind="order", target_id=pid).status_code == 404
    assert _form(client, "/shop/favorites", s.customer, kind="product", target_id=2**70).status_code == 422
    assert _form(client, "/shop/favorites", s.customer, kind="product", target_id=2**63).status_code == 404
    # an open redirect is not possible through `next`
    r = _form(client, "/shop/favorites", s.customer, kind="product", target_id=pid, next="https://evil.example/")
    assert r.headers["location"] == "/shop/favorites"


def test_the_member_code_page_shows_a_qr_that_the_console_accepts(client, container, auth, clock):
    s = shop(container, auth)
    customers.add_identity(container.uow(), s.chain.customer, "pos_card", "POS-5566")
    r = client.get("/shop/member/code", headers={**s.customer, **ZH})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    html = r.text
    assert "<svg" in html and "POS-5566" in html and 'http-equiv="refresh"' not in html  # renewed in place
    assert re.search(r'data-member-qr data-refresh-s="\d+"', html) and "shop/member_code.js" in html
    code = re.search(r"<code data-member-code>([^<]+)</code>", html).group(1)
    assert customers.resolve_member_code(code, clock.now()) == s.chain.customer
    clock.advance(minutes=1)
    assert re.search(r"<code data-member-code>([^<]+)</code>",
                     client.get("/shop/member/code", headers=s.customer).text).group(1) != code
    r = client.get("/shop/member/code", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/shop/signin")
