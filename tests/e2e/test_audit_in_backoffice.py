"""The audit log is a back-office page: the back-office's menu (audit marked current), brand and sign-out;
ids, times, actions and IPs are marked not to wrap; store-bound staff and roles without audit:read never
see it."""

from __future__ import annotations

from tests.integration.audit.conftest import entry, record

ZH = {"Accept-Language": "zh-CN"}


def test_the_audit_page_has_the_back_office_menu_brand_and_sign_out(client, container, auth):
    record(container.db, entry(0, ip="2001:db8:85a3::8a2e:370:7334", action="POST /api/v1/stock/transfer-requests"))
    html = client.get("/admin/audit", headers={**auth.staff("platform_admin"), **ZH}).text
    assert '<body class="backoffice">' in html and '<a class="brand" href="/admin">O2O 运营后台</a>' in html
    assert '<a href="/admin/audit" aria-current="page">审计日志</a>' in html
    assert '<a href="/admin/orders">订单</a>' in html
    assert '<form class="bo-account" method="post" action="/logout">' in html and "退出登录" in html
    assert 'data-label="IP" class="nowrap"><code>2001:db8:' in html  # (the network kept, coarsened)
    # the action in the page's words, its path as code breaking at a slash (issue 12 point 15)
    assert ('<span class="action-name" title="POST /api/v1/stock/transfer-requests">新建或执行</span> '
            "<code>/<wbr>api/<wbr>v1/<wbr>stock/<wbr>transfer-requests</code>") in html
    assert '<div class="table-scroll">' in html


def test_others_cannot_open_it(client, auth):
    r = client.get("/admin/audit", headers={**auth.staff("operator"), "Accept": "text/html"})
    assert r.status_code == 403 and "您无权打开此页面" in r.text
    assert client.get("/admin/audit", follow_redirects=False).status_code in (303, 401)
