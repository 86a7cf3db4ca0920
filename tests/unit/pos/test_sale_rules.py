"""The till's input rules, with no database: tenders (cash only has `given_fen`, never less than the amount),
lines (a barcode or a SKU, not both), the till's sale id, coupon codes, and the yuan the console reads."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from o2o.console.coupons import yuan_to_fen
from o2o.pos.schemas import SaleIn, SaleLineIn, TenderIn

LINE = {"barcode": "6900000000000"}
CASH = {"kind": "cash", "amount_fen": 1290, "given_fen": 2000}


def test_cash_given_sets_the_change_and_only_cash_is_given():
    assert TenderIn(**CASH).given_fen - TenderIn(**CASH).amount_fen == 710
    with pytest.raises(ValidationError, match="at least amount_fen"):
        TenderIn(kind="cash", amount_fen=1290, given_fen=1000)
    with pytest.raises(ValidationError, match="cash only"):
        TenderIn(kind="card", amount_fen=1290, given_fen=2000)
    for bad in ({"kind": "cash", "amount_fen": 0}, {"kind": "cash", "amount_fen": 10**12},
                {"kind": "cheque", "amount_fen": 1}, {"kind": "cash", "amount_fen": True}):
        with pytest.raises(ValidationError):
            TenderIn(**bad)


def test_a_line_is_a_barcode_or_a_sku_and_a_sale_has_at_most_eight_tenders():
    assert SaleLineIn(sku_id=3).quantity == 1
    for bad in ({}, {"barcode": "6900000000000", "sku_id": 3}, {**LINE, "quantity": 1000}, {"barcode": "69 00"}):
        with pytest.raises(ValidationError):
            SaleLineIn(**bad)
    ok = SaleIn(till_sale_id="T01-0001", lines=[LINE], tenders=[CASH])
    assert ok.coupon_codes == [] and ok.points is None
    # no tender is a sale's shape when nothing is due (a 免单 coupon); when something is, pos.sell refuses it
    assert SaleIn(till_sale_id="T01-0002", lines=[LINE]).tenders == []
    for bad in ({"tenders": [CASH] * 9}, {"till_sale_id": "-leading-dash"}, {"till_sale_id": "x" * 65},
                {"coupon_codes": ["A", "A"]}, {"coupon_codes": ["x" * 41]}, {"points": 0}):
        with pytest.raises(ValidationError):
            SaleIn(**{"till_sale_id": "T01-1", "lines": [LINE], "tenders": [CASH], **bad})


@pytest.mark.parametrize("typed,fen", [("12.5", 1250), ("¥8", 800), ("0.07", 7), ("1,000.00", 100_000),
                                       ("1.234", None), ("-1", None), ("abc", None), ("１２", None)])
def test_the_console_reads_yuan_with_at_most_two_decimals(typed, fen):
    assert yuan_to_fen(typed) == fen
