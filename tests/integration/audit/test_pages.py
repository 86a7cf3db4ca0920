"""The admin page and the JSON search of the audit log, in zh-CN and en, on a phone and a desktop."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from o2o.main import create_app
from tests.integration.audit.conftest import entry, record

EN = {"Accept-Language": "en-US,en;q=0.9"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}


@pytest.fixture
def web(container, auth) -> TestClient:  # type: ignore[no-untyped-def]
    """The app, as a platform admin (the page is the back-office's: its layout needs the signed-in user)."""
    with TestClient(create_app(container), headers=auth.staff("platform_admin")) as client:
        yield client


@pytest.fixture
def logged(container) -> None:  # type: ignore[no-untyped-def]
    record(container.db,
           entry(0, actor_name="Wang Fang", actor_id="7", action="pii.read", target="customer:42", store_id=3,
                 detail={"fields": ["phone"]}),
           entry(1, actor_name="Li Lei", actor_id="8", action="POST /api/v1/stock/movements", target="sku:9",
                 store_id=4, status=201, detail={}),
           entry(2, actor_name="<script>alert(1)</script>", actor_id="9", action="PATCH /api/v1/orders/SO1",
                 target="order:SO1", ip="2001:db8::1"))


def _rows(html: str) -> int:
    return len(re.findall(r'<tr role="row">', html)) - 1  # minus the header row


def test_page_lists_entries_in_english(web: TestClient, logged: None):
    r = web.get("/admin/audit", headers=EN)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["content-language"] == "en" and r.headers["cache-control"] == "no-store"
    html = r.text
    assert '<html lang="en">' in html and "<h1>Audit log</h1>" in html and "3 entries" in html
    assert _rows(html) == 3
    assert "Wang Fang" in html and "pii.read" in html and "customer:42" in html
    assert "2001:db8::/48" in html and "2001:db8::1" not in html  # the client's network, not its address
    # actions in words (the raw action in the title), a request's path as code; newest first
    assert html.index('title="PATCH /api/v1/orders/SO1">changed</span> <code>/<wbr>api/<wbr>v1/<wbr>orders/<wbr>SO1</code>') \
        < html.index('<span class="action-name" title="pii.read">viewed personal data</span>')
    assert "2026-11-24 10:00:00" in html  # shown in Shanghai time
    assert 'data-label="Actor"' in html  # the labels the phone layout shows per cell


def test_page_lists_entries_in_chinese(web: TestClient, logged: None):
    html = web.get("/admin/audit", headers=ZH).text
    assert '<html lang="zh-CN">' in html and "<h1>审计日志</h1>" in html and "共 3 条记录" in html
    assert 'data-label="操作人"' in html and "Wang Fang" in html


def test_lang_parameter_overrides_the_browser_language_and_is_kept_in_links(web: TestClient, logged: None):
    html = web.get("/admin/audit?lang=en&size=2", headers=ZH).text
    assert "<h1>Audit log</h1>" in html and "Page 1 of 2" in html
    assert '<input type="hidden" name="lang" value="en">' in html
    assert 'href="/admin/audit?lang=en&amp;size=2&amp;page=2"' in html
    assert 'href="/admin/audit?lang=zh-CN&amp;size=2"' in html  # the language switch keeps the query
    page2 = web.get("/admin/audit?lang=en&size=2&page=2").text
    assert _rows(page2) == 1 and "Page 2 of 2" in page2 and 'rel="prev"' in page2


def test_page_escapes_what_it_shows(web: TestClient, logged: None):
    html = web.get("/admin/audit", headers=EN).text
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all(" src=" in tag for tag in scripts)  # only files: the CSP forbids inline scripts
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert " style=" not in html and "<style" not in html
    assert '<link rel="stylesheet" href="/static/app.css">' in html
    assert web.get("/static/app.css").status_code == 200


def test_filters_narrow_the_list_and_are_echoed_in_the_form(web: TestClient, logged: None):
    html = web.get("/admin/audit", params={"actor": "wang", "action": "pii", "store_id": "3", "from": "",
                                           "to": "2026-11-24T23:59"}, headers=EN).text
    assert _rows(html) == 1 and "Wang Fang" in html and "Li Lei" not in html
    assert 'name="actor" type="text" value="wang"' in html and 'value="2026-11-24T23:59"' in html


def test_empty_state_in_both_languages(web: TestClient, logged: None):
    en = web.get("/admin/audit?actor=nobody", headers=EN).text
    assert "No entries found" in en and "Nothing matches these filters." in en and "<table" not in en
    assert 'role="status"' in en
    zh = web.get("/admin/audit?actor=nobody", headers=ZH).text
    assert "没有找到记录" in zh and "没有符合这些筛选条件的记录。" in zh


def test_empty_state_when_nothing_is_recorded_yet(web: TestClient):
    assert "Nothing has been recorded yet." in web.get("/admin/audit", headers=EN).text
    assert "还没有任何记录。" in web.get("/admin/audit", headers=ZH).text


def test_invalid_filters_are_shown_next_to_their_fields(web: TestClient, logged: None):
    r = web.get("/admin/audit?store_id=abc&from=yesterday", headers=EN)
    assert r.status_code == 422
    assert 'role="alert"' in r.text and 'aria-invalid="true"' in r.text
    assert "enter a whole number of 1 or more" in r.text and "enter a date and time" in r.text
    zh = web.get("/admin/audit?store_id=0", headers=ZH)
    assert zh.status_code == 422 and "请输入不小于 1 的整数" in zh.text


def test_json_search(web: TestClient, logged: None):
    body = web.get("/api/v1/audit", params={"action": "stock", "size": 10}).json()
    assert body["total"] == 1 and body["page"] == 1 and body["size"] == 10
    item = body["items"][0]
    assert (item["actor_name"], item["store_id"], item["status"], item["actor_kind"]) == ("Li Lei", 4, 201, "staff")
    assert len(item["hash"]) == 64
    assert [i["id"] for i in web.get("/api/v1/audit?from=2026-11-24T10:01:00%2B08:00").json()["items"]] == [3, 2]
    assert [i["id"] for i in web.get("/api/v1/audit?to=2026-11-24T10:00").json()["items"]] == [1]


def test_json_search_rejects_bad_filters_as_problem_json(web: TestClient):
    r = web.get("/api/v1/audit?store_id=x")
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["field"] == "store_id"
