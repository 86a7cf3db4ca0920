"""Order totals and delivery fees in fen."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2o.kernel.money import fen_to_yuan_str, format_cny
from o2o.orders.pricing import delivery_fee, totals


@pytest.mark.parametrize("mode,subtotal,fee", [
    ("pickup", 100, 0), ("store_delivery", 5_899, 600), ("store_delivery", 5_900, 0),
    ("parcel", 9_899, 1_000), ("parcel", 9_900, 0)])
def test_delivery_fee_when_below_or_at_the_free_threshold(mode: str, subtotal: int, fee: int):
    assert delivery_fee(mode, subtotal) == fee


def test_totals_add_lines_and_fee():
    assert totals([(1290, 2), (890, 1)], "store_delivery") == (3470, 600, 4070)


@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 999)), min_size=1, max_size=20),
       st.sampled_from(["pickup", "store_delivery", "parcel"]), st.integers(0, 10**9))
def test_totals_are_integers_and_never_negative(lines, mode, discount):
    subtotal, fee, total = totals(lines, mode, discount)
    assert all(isinstance(x, int) for x in (subtotal, fee, total))
    assert total >= 0 and subtotal == sum(p * q for p, q in lines)


def test_money_formats_fen_as_yuan():
    assert fen_to_yuan_str(129005) == "1290.05"
    assert fen_to_yuan_str(-5) == "-0.05"
    assert format_cny(100) == "¥1.00"
