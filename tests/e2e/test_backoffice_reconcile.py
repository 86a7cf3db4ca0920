"""The back-office reconciliation page: an operator uploads a statement and sees its differences and
the earlier imports; a bad file is refused with a message; who may not reconcile is refused."""

# ruff: noqa: F811 (the shared fixtures are imported from test_backoffice_access)
from __future__ import annotations

from tests.e2e.test_backoffice_access import EN, ZH, app, staff  # noqa: F401 (fixtures)
from tests.factories.statements import Line, wechat_bill

PAGE = "/admin/payments/reconcile"


def upload(client, data: bytes, provider: str = "wechatpay", day: str = "", headers: dict | None = None):  # type: ignore[no-untyped-def]
    return client.client.post(PAGE, data={"csrf_token": client.csrf, "provider": provider, "date": day},
                              files={"file": ("bill.csv", data, "text/csv")}, headers=headers or EN,
                              follow_redirects=False)


def test_operator_uploads_a_statement_and_sees_the_differences(staff):
    ops = staff("operator")
    page = ops.get(PAGE)
    assert page.status_code == 200 and "Payment reconciliation" in page.text and "No statement imported yet" in page.text
    r = upload(ops, wechat_bill([Line("payment", "SO20261124000001P1", 1290),
                                 Line("refund", "SO20261124000001P1", 1290, "RF9")]))
    assert r.status_code == 200, r.text[:500]
    assert "2 statement lines, 2 differences" in r.text and r.text.count("missing on our side") == 2
    assert "SO20261124000001P1" in r.text and "RF9" in r.text
    zh = ops.get(PAGE, ZH)
    assert "支付对账" in zh.text and "以往导入" in zh.text and "bill.csv" in zh.text


def test_bad_statement_is_refused_with_the_reason_and_nothing_is_kept(staff):
    ops = staff("operator")
    r = upload(ops, b"not,a,bill\n1,2,3\n")
    assert r.status_code == 422 and "not a WeChat Pay trade bill" in r.text
    r = upload(ops, wechat_bill([]), day="2026-13-45")
    assert r.status_code == 422 and "YYYY-MM-DD" in r.text
    r = upload(ops, wechat_bill([]), provider="paypal")
    assert r.status_code == 422
    assert "No statement imported yet" in ops.get(PAGE).text


def test_only_roles_with_payments_reconcile_reach_the_page(staff):
    analyst = staff("analyst")  # head office, but reports only
    assert analyst.get(PAGE).status_code == 403
    assert upload(analyst, wechat_bill([])).status_code == 403
    assert staff("platform_admin").get(PAGE).status_code == 200


def test_an_odd_statement_number_in_the_address_shows_the_page(staff):
    """`?statement=²` passed str.isdigit() and int() refused it: a 500. Now any odd value shows the page."""
    ops = staff("operator")
    for raw in ("\u00b2", "\u0661\u0662", "9" * 40, "-1", "x"):
        r = ops.get(PAGE, params={"statement": raw})
        assert r.status_code in (200, 404), (raw, r.status_code)
