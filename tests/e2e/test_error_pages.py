"""Browsers' page requests get HTML error pages (403, 404, 500, 503 ...) in the page's language with a way
back; the API, the pages' own fetches and anything not asking for HTML keep problem+json. A favicon."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from fastapi.testclient import TestClient

from o2o.kernel.asgi import Guard
from o2o.main import create_app
from o2o.shop import browse
from o2o.web import errors as error_pages

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
EN, ZH = {"Accept-Language": "en-GB,en;q=0.9"}, {"Accept-Language": "zh-CN,zh;q=0.9"}


def _title(html: str) -> str:
    found = re.search(r"<h1[^>]*>([^<]*)</h1>", html)
    assert found, html[:500]
    return found.group(1)


@pytest.mark.parametrize(("path", "home", "zh_home"), [
    ("/shop/no-such-page", "/shop", "返回商城"), ("/admin/no-such-page", "/admin", "返回运营后台"),
    ("/no-such-page", "/", "返回首页")])
def test_an_unknown_page_is_an_html_404_in_the_page_language_with_a_way_home(client, path, home, zh_home):
    r = client.get(path, headers={**BROWSER, **ZH})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert _title(r.text) == "页面不存在" and '<html lang="zh-CN">' in r.text
    assert f'<a class="button" href="{home}">{zh_home}</a>' in r.text
    r = client.get(path, headers={**BROWSER, **EN})
    assert _title(r.text) == "Page not found" and r.headers["content-language"] == "en"
    r = client.get(path + "?lang=en", headers={**BROWSER, **ZH})
    assert _title(r.text) == "Page not found"


def test_the_way_back_is_the_previous_page_of_this_site_never_another_site(client):
    r = client.get("/shop/gone", headers={**BROWSER, **ZH, "Referer": "http://testserver/shop/products?q=milk"})
    assert 'href="/shop/products?q=milk">返回上一页</a>' in r.text
    r = client.get("/shop/gone", headers={**BROWSER, **ZH, "Referer": "https://evil.example/phish"})
    assert "返回上一页" not in r.text and "evil.example" not in r.text


def test_the_api_and_non_browser_callers_keep_problem_json(client):
    for path, headers in (("/api/v1/orders/SO1", BROWSER), ("/api/v1/no-such", BROWSER),
                          ("/shop/no-such-page", {"Accept": "application/json"}), ("/shop/no-such-page", {})):
        r = client.get(path, headers=headers)
        assert r.status_code in (401, 404), path
        assert r.headers["content-type"].startswith("application/problem+json"), (path, headers)
        assert r.json()["status"] == r.status_code


def test_a_role_without_the_right_gets_an_html_403_and_the_api_a_problem(client, auth):
    analyst = auth.staff("analyst")
    r = client.get("/admin/users", headers={**BROWSER, **ZH, **analyst})
    assert r.status_code == 403 and _title(r.text) == "您无权打开此页面"
    assert '<a class="button" href="/admin">返回运营后台</a>' in r.text
    r = client.get("/admin/users", headers={**BROWSER, **EN, **analyst})
    assert _title(r.text) == "You cannot open this page"
    r = client.get("/api/v1/staff", headers={**BROWSER, **analyst})
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")


def test_a_crash_on_a_page_is_an_html_500_naming_the_request_and_the_api_a_problem(container, monkeypatch):
    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("bug")

    monkeypatch.setattr(browse, "_top_categories", boom)
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        r = client.get("/shop", headers={**BROWSER, **ZH, "X-Request-ID": "req-42"})
        assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
        assert _title(r.text) == "系统出了点问题" and "req-42" in r.text and "bug" not in r.text
        r = client.get("/shop", headers={"Accept": "application/json"})
        assert r.status_code == 500 and r.json()["type"].endswith("/internal")


def _busy_guard() -> tuple[Guard, asyncio.Event]:
    release = asyncio.Event()

    async def slow(scope, receive, send):  # type: ignore[no-untyped-def]
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return Guard(slow, max_body=1000, max_inflight=1, wait_s=0.05, page=error_pages.asgi_page), release


@pytest.mark.parametrize(("headers", "html"), [({**BROWSER, **EN}, True), ({"Accept": "application/json"}, False),
                                               ({**BROWSER}, False)])
def test_busy_is_an_html_503_for_a_page_and_a_problem_for_the_rest(headers, html):
    async def run() -> httpx.Response:
        guard, release = _busy_guard()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=guard), base_url="http://t") as http:
            first = asyncio.create_task(http.get("/shop"))
            await asyncio.sleep(0.01)
            path = "/api/v1/orders" if headers == BROWSER else "/shop"
            second = await http.get(path, headers=headers)
            release.set()
            assert (await first).status_code == 200
            return second

    r = asyncio.run(run())
    assert r.status_code == 503 and r.headers["retry-after"] == "1"
    if html:
        assert r.headers["content-type"].startswith("text/html") and _title(r.text) == "We are busy right now"
        assert int(r.headers["content-length"]) == len(r.content)
    else:
        assert r.headers["content-type"] == "application/problem+json" and r.json()["type"].endswith("/busy")


def test_the_favicon_is_served_locally_and_linked_from_every_base_template(client, auth):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] == "image/x-icon" and r.content[:4] == b"\0\0\1\0"
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    admin = auth.staff("platform_admin")
    for path, headers in (("/shop", {}), ("/login", {}), ("/admin", admin), ("/admin/audit", admin),
                          ("/console", admin), ("/shop/nowhere", BROWSER)):
        html = client.get(path, headers=headers).text
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html, path
    assert 'href="/static/favicon.svg"' in client.get("/docs").text
