"""A line's paid amount is split over its units by largest remainder: partial returns refund exactly."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2o.orders.pricing import refundable_fen, unit_share


def _line(quantity: int, unit: int, discount: int) -> SimpleNamespace:
    return SimpleNamespace(quantity=quantity, unit_price_fen=unit, line_total_fen=quantity * unit,
                           discount_fen=discount)


def test_refundable_splits_the_paid_amount_when_the_discount_does_not_divide():
    line = _line(3, 1000, 1000)  # 3 x 10.00, 10.00 off: 20.00 paid, 6.67 + 6.67 + 6.66
    assert [refundable_fen(line, n) for n in (1, 2, 3)] == [667, 1334, 2000]


def test_refundable_is_the_whole_line_when_every_unit_goes_back():
    assert refundable_fen(_line(7, 399, 123), 7) == 7 * 399 - 123


def test_refundable_without_a_discount_is_the_unit_price_times_the_units():
    line = SimpleNamespace(quantity=4, line_total_fen=4 * 250)  # no discount_fen attribute (older rows)
    assert refundable_fen(line, 3) == 750


def test_unit_share_refuses_more_units_than_the_line_has():
    with pytest.raises(ValueError):
        unit_share(100, 2, 3)


@given(st.integers(1, 50), st.integers(0, 100_000), st.data())
def test_partial_returns_refund_exactly_what_the_line_paid_when_split_any_way(quantity, unit, data):
    discount = data.draw(st.integers(0, quantity * unit))
    line = _line(quantity, unit, discount)
    paid, refunded = line.line_total_fen - line.discount_fen, 0
    while line.quantity:
        n = data.draw(st.integers(1, line.quantity))
        back = refundable_fen(line, n)
        assert 0 <= back <= line.line_total_fen - line.discount_fen
        refunded += back
        # the line keeps what was not returned: its total and the discount still on it
        gross = n * line.unit_price_fen
        line.quantity -= n
        line.line_total_fen -= gross
        line.discount_fen -= gross - back
        assert 0 <= line.discount_fen <= line.line_total_fen
    assert refunded == paid
