"""Rules of transfers without a database: what a receipt's count means, and the rebalancing plan."""

from __future__ import annotations

import pytest

from o2o.inventory.transfer_schemas import ReceiptIn
from o2o.inventory.transfers import Count, Position, count_of, plan_rebalance
from o2o.kernel.errors import InvalidInput


def test_a_count_splits_into_missing_extra_and_damaged_when_it_differs_from_what_was_sent():
    assert count_of(10, ReceiptIn()) == Count(10, 10, 0) and count_of(10, ReceiptIn()).exact
    assert count_of(10, ReceiptIn(damaged=2)) == Count(10, 8, 2)  # the rest counted good
    short = count_of(10, ReceiptIn(received=7, damaged=1))
    assert (short.missing, short.extra, short.exact) == (2, 0, False)
    over = count_of(10, ReceiptIn(received=12))
    assert (over.missing, over.extra) == (0, 2)
    assert count_of(10, ReceiptIn(received=0)).missing == 10
    for bad in (ReceiptIn(damaged=11), ReceiptIn(received=21), ReceiptIn(received=15, damaged=6)):
        with pytest.raises(InvalidInput):
            count_of(10, bad)


def test_the_neediest_store_is_served_by_the_warehouse_first_then_by_stores_with_twice_their_safety_stock():
    ps = [Position(1, True, on_hand=6, reserved=1, safety_stock=0),  # warehouse: 5 spare
          Position(2, False, on_hand=30, reserved=0, safety_stock=10),  # store: 10 spare (keeps 20)
          Position(3, False, on_hand=2, reserved=0, safety_stock=10),  # needs 8
          Position(4, False, on_hand=5, reserved=2, safety_stock=10, incoming=1),  # needs 6
          Position(5, False, on_hand=9, reserved=0, safety_stock=10, incoming=1)]  # covered by what is coming
    plan = [(x.from_location_id, x.to_location_id, x.quantity) for x in plan_rebalance(7, ps)]
    assert plan == [(1, 3, 5), (2, 3, 3), (2, 4, 6)]
    assert all(x.sku_id == 7 for x in plan_rebalance(7, ps))


def test_a_need_nobody_can_cover_is_left_and_nobody_gives_below_their_keep():
    ps = [Position(2, False, on_hand=20, reserved=0, safety_stock=10), Position(3, False, 0, 0, 4)]
    assert plan_rebalance(1, ps) == []
    assert plan_rebalance(1, [Position(1, True, 0, 0, 0), Position(3, False, 0, 0, 4)]) == []
