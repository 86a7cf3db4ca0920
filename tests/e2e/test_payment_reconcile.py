"""Reconciling the providers' daily statements against payments made through the app, both databases:
every kind of difference is found and kept, the CLI exits 1 on differences and 0 when all match."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from o2o.cli import app
from o2o.payments import service as reconciliation
from tests.e2e.test_payment_providers import ALIPAY_NOTIFY, WECHAT_NOTIFY, Shop, alipay, live, wechat  # noqa: F401  (the fixtures)
from tests.factories.statements import Line, alipay_account_log, wechat_bill


def _paid_wechat(shop: Shop, fake, qty: int = 1) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    number = shop.order(qty)
    no = shop.start(number, "wechatpay")["out_trade_no"]
    fake.pay(no)
    body, headers = fake.notification(no)
    assert shop.client.post(WECHAT_NOTIFY, content=body, headers=headers).status_code == 204
    return number, no


def test_wechat_statement_differences_are_found_stored_and_listed(live, wechat, tmp_path: Path):  # noqa: F811
    shop = Shop(live)
    _, ok = _paid_wechat(shop, wechat)
    cancelled, refunded = _paid_wechat(shop, wechat)
    assert shop.client.post(f"/api/v1/orders/{cancelled}/cancel", headers=shop.customer).status_code == 200
    shop.drain()
    ((refund_no, status, _, _),) = shop.refunds(refunded)
    assert status == "processing"  # the platform has not notified yet
    _, lost = _paid_wechat(shop, wechat)  # missing from their statement
    _, short = _paid_wechat(shop, wechat)  # their amount differs
    unpaid = shop.start(shop.order(1), "wechatpay")["out_trade_no"]  # they say paid; we never heard
    bill = wechat_bill([Line("payment", ok, 1290), Line("payment", refunded, 1290),
                        Line("refund", refunded, 1290, refund_no), Line("payment", short, 1200),
                        Line("payment", unpaid, 1290), Line("payment", "SO20261124999999P1", 500)])
    out = reconciliation.reconcile(live.uow(), "wechatpay", bill, "bill.csv", "staff:1")
    got = {(d.kind, d.record, d.out_trade_no, d.out_refund_no, d.ours_fen, d.theirs_fen) for d in out.items}
    assert got == {("status_mismatch", "refund", refunded, refund_no, 1290, 1290),
                   ("missing_theirs", "payment", lost, None, 1290, None),
                   ("amount_mismatch", "payment", short, None, 1290, 1200),
                   ("status_mismatch", "payment", unpaid, None, 1290, 1290),
                   ("missing_ours", "payment", "SO20261124999999P1", None, None, 500)}
    assert (out.rows, out.differences, str(out.bill_date)) == (6, 5, "2026-11-24")
    assert reconciliation.get(live.db, out.id).items == out.items
    assert reconciliation.recent(live.db)[0].id == out.id
    # the CLI: a rich table and exit 1
    path = tmp_path / "wechat-2026-11-24.csv"
    path.write_bytes(bill)
    r = CliRunner().invoke(app, ["payments", "reconcile", "--provider", "wechatpay", "--file", str(path),
                                 "--database-url", live.db.url])
    assert r.exit_code == 1, r.output
    assert "amount differs" in r.output and short in r.output and "5 differences" in r.output


def test_wechat_statement_that_matches_exits_zero(live, wechat, tmp_path: Path):  # noqa: F811
    shop = Shop(live)
    _, no = _paid_wechat(shop, wechat, 2)
    path = tmp_path / "bill.csv"
    path.write_bytes(wechat_bill([Line("payment", no, 2580)]))
    r = CliRunner().invoke(app, ["payments", "reconcile", "--provider", "wechatpay", "--file", str(path),
                                 "--database-url", live.db.url])
    assert r.exit_code == 0, r.output
    assert "all match" in r.output
    # a day with nothing on either side matches too; a day whose payment is missing there does not
    r = CliRunner().invoke(app, ["payments", "reconcile", "--provider", "wechatpay", "--file", str(path),
                                 "--date", "2026-11-25", "--database-url", live.db.url])
    assert r.exit_code == 0, r.output  # the statement's trade is looked up whatever the day
    empty = tmp_path / "empty.csv"
    empty.write_bytes(wechat_bill([]))
    r = CliRunner().invoke(app, ["payments", "reconcile", "--provider", "wechatpay", "--file", str(empty),
                                 "--date", "2026-11-24", "--database-url", live.db.url])
    assert r.exit_code == 1 and "missing at the provider" in r.output


def test_alipay_account_log_in_gbk_is_reconciled(live, alipay):  # noqa: F811
    shop = Shop(live)
    number = shop.order()
    no = shop.start(number, "alipay", "qr")["out_trade_no"]
    alipay.pay(no)
    body, headers = alipay.notification(no)
    assert shop.client.post(ALIPAY_NOTIFY, content=body, headers=headers).text == "success"
    assert shop.client.post(f"/api/v1/orders/{number}/cancel", headers=shop.customer).status_code == 200
    shop.drain()
    assert shop.refunds(no)[0][1] == "succeeded"
    clean = alipay_account_log([Line("payment", no, 2580), Line("refund", no, 2580)])
    assert reconciliation.reconcile(live.uow(), "alipay", clean, "log.csv", "cli").items == []
    half = alipay_account_log([Line("payment", no, 2580), Line("refund", no, 1290)])
    (d,) = reconciliation.reconcile(live.uow(), "alipay", half, "log.csv", "cli").items
    assert (d.kind, d.record, d.ours_fen, d.theirs_fen) == ("amount_mismatch", "refund", 2580, 1290)


def test_bad_statement_files_are_refused_cleanly(live, tmp_path: Path):  # noqa: F811
    path = tmp_path / "junk.csv"
    path.write_bytes(b"\x00\xff not a bill")
    for provider in ("wechatpay", "alipay", "paypal"):
        r = CliRunner().invoke(app, ["payments", "reconcile", "--provider", provider, "--file", str(path),
                                     "--database-url", live.db.url])
        assert r.exit_code == 2, r.output
    assert reconciliation.recent(live.db) == []


def test_a_statement_naming_absurd_trades_is_kept_without_failing(live):  # noqa: F811
    long_no = "SO" + "9" * 120
    out = reconciliation.reconcile(live.uow(), "wechatpay", wechat_bill([Line("payment", long_no, 99_999_999_999_99)]),
                                   "x" * 500 + ".csv", "cli")
    (d,) = out.items
    assert (d.kind, d.out_trade_no, d.theirs_fen) == ("missing_ours", long_no[:64], 99_999_999_999_99)
    assert len(out.file_name) == 200
