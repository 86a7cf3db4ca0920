"""Offline tills: the rules a queued sale passes on its own (o2o.pos.sync.static_reasons), no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from o2o.pos.sync import FUTURE_TOLERANCE, MAX_LINE_UNITS, MAX_SALE_FEN, static_reasons
from o2o.pos.sync_schemas import BatchIn, OfflineSaleIn

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def _sale(**kw: object) -> OfflineSaleIn:
    body: dict = {"till_sale_id": "T1-0001", "sold_at": "2026-11-24T10:00:00+08:00",
                  "lines": [{"sku_id": 1, "quantity": 2, "unit_price_fen": 500, "discount_fen": 100}],
                  "discounts": [{"key": "P1", "amount_fen": 100}], "total_fen": 900,
                  "tenders": [{"kind": "cash", "amount_fen": 900, "change_fen": 100}]}
    body.update(kw)
    return OfflineSaleIn.model_validate(body)


def _codes(sale: OfflineSaleIn, now: datetime = NOW) -> list[str]:
    return [r.code for r in static_reasons(sale, now)]


def test_a_sale_that_adds_up_passes_and_its_time_is_kept_in_utc():
    sale = _sale()
    assert _codes(sale) == []
    assert sale.sold_at == NOW and sale.sold_at.tzinfo is UTC


def test_a_time_without_offset_or_too_far_ahead_is_refused_but_the_tolerance_holds():
    assert _codes(_sale(sold_at="2026-11-24T10:00:00")) == ["sold-at-no-offset"]
    edge = NOW + FUTURE_TOLERANCE
    assert _codes(_sale(sold_at=edge.isoformat())) == []
    assert _codes(_sale(sold_at=(edge + timedelta(seconds=1)).isoformat())) == ["sold-in-future"]
    assert _codes(_sale(sold_at=(NOW - timedelta(days=300)).isoformat())) == []  # offline for long: still a sale
    assert _codes(_sale(sold_at="2020-01-01T00:00:00+00:00")) == ["too-old"]  # a clock gone wrong
    with pytest.raises(ValidationError):
        _sale(sold_at="0001-01-01T00:00:00+05:00")


@pytest.mark.parametrize(("change", "codes"), [
    ({"total_fen": 1000}, ["totals-mismatch", "tenders-mismatch"]),
    ({"tenders": [{"kind": "card", "amount_fen": 900, "change_fen": 5}]}, ["change-not-cash"]),
    ({"tenders": [{"kind": "store_credit", "amount_fen": 900}]}, ["store-credit-offline"]),
    ({"tenders": [{"kind": "cash", "amount_fen": 500}, {"kind": "wechat", "amount_fen": 300}]}, ["tenders-mismatch"]),
    ({"discounts": [], "total_fen": 1000, "tenders": [{"kind": "cash", "amount_fen": 1000}]}, ["totals-mismatch"]),
    ({"lines": [{"sku_id": 1, "quantity": 2, "unit_price_fen": 500, "discount_fen": 1001}]},
     ["line-discount-too-large", "totals-mismatch"]),
    ({"lines": [{"sku_id": 1, "quantity": MAX_LINE_UNITS + 1, "unit_price_fen": 0}], "discounts": [], "total_fen": 0,
      "tenders": []}, ["too-large"]),
    ({"lines": [{"sku_id": 1, "quantity": 1, "unit_price_fen": MAX_SALE_FEN + 1}], "discounts": [],
      "total_fen": MAX_SALE_FEN + 1, "tenders": [{"kind": "card", "amount_fen": MAX_SALE_FEN + 1}]}, ["too-large"]),
])
def test_a_sale_that_does_not_add_up_is_refused_naming_why(change: dict, codes: list[str]):
    assert _codes(_sale(**change)) == codes


def test_a_free_sale_needs_no_tender():
    free = _sale(lines=[{"sku_id": 1, "quantity": 1, "unit_price_fen": 0}], discounts=[], total_fen=0, tenders=[])
    assert _codes(free) == []


@pytest.mark.parametrize("bad", [
    {"till_sale_id": "has space"}, {"till_sale_id": ""}, {"sold_at": 1700000000}, {"total_fen": -1},
    {"lines": []}, {"lines": [{"sku_id": 0, "quantity": 1, "unit_price_fen": 1}]},
    {"lines": [{"sku_id": 1, "quantity": True, "unit_price_fen": 1}]},
    {"tenders": [{"kind": "bitcoin", "amount_fen": 900}]}, {"customer_id": 2**63},
    {"discounts": [{"key": "P1", "label": "满\x00减", "amount_fen": 100}]},  # NUL: PostgreSQL refuses it in text
    {"tenders": [{"kind": "cash", "amount_fen": 900, "reference": "W\n1"}]},
])
def test_a_malformed_sale_is_not_a_sale(bad: dict):
    with pytest.raises(ValidationError):
        _sale(**bad)


def test_a_batch_holds_1_to_1000_sales():
    one = _sale().model_dump(mode="json")
    assert len(BatchIn.model_validate({"sales": [one] * 1000}).sales) == 1000
    for n in (0, 1001):
        with pytest.raises(ValidationError):
            BatchIn.model_validate({"sales": [one] * n})
