"""Tier prices and free store delivery as rules (no database): a tier's price of a list price rounded
half up to the fen and never above the list price, and a member's totals with the fee waived."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2o.catalog.service import tier_price
from o2o.orders import pricing


@pytest.mark.parametrize("list_fen, pct, expected", [
    (1290, 100, 1290), (1290, 95, 1226), (1290, 98, 1264), (1, 50, 1), (1, 49, 0), (0, 95, 0),
    (999, 0, 0), (1290, 150, 1290), (1290, -5, 0), (10**15, 95, 95 * 10**13),
])
def test_tier_price_is_the_percentage_rounded_half_up_within_bounds(list_fen, pct, expected):
    assert tier_price(list_fen, pct) == expected


@given(st.integers(0, 10**12), st.integers(-50, 200))
def test_tier_price_never_exceeds_the_list_price_nor_goes_below_zero(list_fen, pct):
    assert 0 <= tier_price(list_fen, pct) <= list_fen


def test_free_store_delivery_waives_the_fee_it_would_have_been():
    assert pricing.member_totals([(1264, 1)], "store_delivery", True) == (1264, 0, 1264, 600)
    assert pricing.member_totals([(1264, 1)], "store_delivery", False) == (1264, 600, 1864, 0)


def test_nothing_is_waived_where_there_is_no_store_delivery_fee():
    assert pricing.member_totals([(3000, 2)], "store_delivery", True) == (6000, 0, 6000, 0)  # free from 59 yuan
    assert pricing.member_totals([(1000, 1)], "parcel", True) == (1000, 1000, 2000, 0)  # a parcel is not store delivery
    assert pricing.member_totals([(1000, 1)], "pickup", True) == (1000, 0, 1000, 0)
