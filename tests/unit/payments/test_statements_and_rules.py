"""Reading the providers' statements and matching them: every kind of difference, and bad files."""

from __future__ import annotations

import pytest

from o2o.adapters.payments.common import fen_to_yuan, yuan_to_fen
from o2o.adapters.payments.statements import StatementError, parse_alipay, parse_wechatpay
from o2o.orders.schemas import PaymentRecord
from o2o.payments.rules import compare
from tests.factories.statements import Line, alipay_account_log, wechat_bill


def test_wechat_bill_is_read_with_backticks_header_and_summary():
    st = parse_wechatpay(wechat_bill([Line("payment", "SO1P1", 2580), Line("refund", "SO1P1", 2580, "RF7")]))
    assert [(e.record, e.out_trade_no, e.amount_fen, e.status, e.out_refund_no) for e in st.entries] == [
        ("payment", "SO1P1", 2580, "SUCCESS", ""), ("refund", "SO1P1", 2580, "SUCCESS", "RF7")]
    assert str(st.bill_date) == "2026-11-24" and st.entries[0].provider_id.startswith("42000")


def test_alipay_log_is_read_from_gbk_skipping_comments_fees_and_tabs():
    st = parse_alipay(alipay_account_log([Line("payment", "SO2P1", 1290), Line("refund", "SO2P1", 1290)]))
    assert [(e.record, e.out_trade_no, e.amount_fen) for e in st.entries] == [("payment", "SO2P1", 1290),
                                                                               ("refund", "SO2P1", 1290)]
    assert str(st.bill_date) == "2026-11-24"


@pytest.mark.parametrize("data", [b"", b"hello,world\n1,2\n", "交易时间,商户订单号\n".encode(),
                                  wechat_bill([Line("payment", "SO1", 100)]).split("总交易单数".encode())[0]])
def test_not_a_wechat_bill_is_refused(data):
    with pytest.raises(StatementError):
        parse_wechatpay(data)


def test_a_wechat_bill_with_a_bad_amount_is_refused():
    data = wechat_bill([Line("payment", "SO1", 100)]).replace(b"`1.00", b"`1e9")
    with pytest.raises(StatementError):
        parse_wechatpay(data)


def test_not_an_alipay_log_is_refused():
    with pytest.raises(StatementError):
        parse_alipay("#支付宝\n随便,什么\n".encode("gbk"))


def test_compare_finds_each_kind_of_difference():
    theirs = parse_wechatpay(wechat_bill([
        Line("payment", "SO-OK", 1000), Line("payment", "SO-NOT-OURS", 500), Line("payment", "SO-AMOUNT", 999),
        Line("payment", "SO-STATUS", 700), Line("refund", "SO-OK", 1000, "RF-OK"),
        Line("refund", "SO-OK", 300, "RF-PENDING")])).entries
    ours = [PaymentRecord("payment", "SO-OK", 1000, "succeeded"), PaymentRecord("payment", "SO-AMOUNT", 1000, "succeeded"),
            PaymentRecord("payment", "SO-STATUS", 700, "created"), PaymentRecord("payment", "SO-THEIRS-LOST", 800, "succeeded"),
            PaymentRecord("payment", "SO-NEVER-PAID", 800, "created"),
            PaymentRecord("refund", "SO-OK", 1000, "succeeded", "RF-OK"),
            PaymentRecord("refund", "SO-OK", 300, "processing", "RF-PENDING"),
            PaymentRecord("refund", "SO-OK", 200, "processing", "RF-LOST")]
    got = {(d.kind, d.record, d.out_trade_no, d.out_refund_no, d.ours_fen, d.theirs_fen) for d in compare(theirs, ours)}
    assert got == {("missing_ours", "payment", "SO-NOT-OURS", "", None, 500),
                   ("amount_mismatch", "payment", "SO-AMOUNT", "", 1000, 999),
                   ("status_mismatch", "payment", "SO-STATUS", "", 700, 700),
                   ("missing_theirs", "payment", "SO-THEIRS-LOST", "", 800, None),
                   ("status_mismatch", "refund", "SO-OK", "RF-PENDING", 300, 300),
                   ("missing_theirs", "refund", "SO-OK", "RF-LOST", 200, None)}


def test_compare_agrees_when_everything_matches():
    theirs = parse_alipay(alipay_account_log([Line("payment", "SO1", 1290), Line("refund", "SO1", 290),
                                              Line("refund", "SO1", 1000)])).entries
    ours = [PaymentRecord("payment", "SO1", 1290, "succeeded"), PaymentRecord("refund", "SO1", 290, "succeeded", "RF1"),
            PaymentRecord("refund", "SO1", 1000, "succeeded", "RF2")]
    assert compare(theirs, ours, refunds_by_number=False) == []


@pytest.mark.parametrize(("text", "fen"), [("0", 0), ("0.01", 1), ("12.9", 1290), ("12.90", 1290), ("100", 10000),
                                           ("999999999999.99", 99999999999999)])
def test_yuan_amounts_are_read_exactly(text, fen):
    assert yuan_to_fen(text) == fen
    assert yuan_to_fen(fen_to_yuan(fen)) == fen


@pytest.mark.parametrize("text", ["", "-1", "1.001", "1e3", "01.00", " ", "1,00", "NaN", "9" * 13, "0x10"])
def test_odd_amounts_are_refused(text):
    with pytest.raises(ValueError):
        yuan_to_fen(text)


def test_a_statement_the_csv_reader_chokes_on_is_a_statement_error_not_a_crash():
    """A bare carriage return inside a field made csv.Error escape (500 on the upload page, a traceback
    from `o2o payments reconcile`): it is a bad file like any other."""
    from o2o.adapters.payments.statements import parse

    for provider in ("wechatpay", "alipay"):
        with pytest.raises(StatementError):
            parse(provider, b'a\xc2\xb2b\n1\r2,\n"x\x00y",z\n')
