"""A line's refunds over partial returns add up to what it paid after discounts, never more; what points paid
of an order's goods comes back as points, not money."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from o2o.returns.service import check_photo, line_share, money_for, photo_type


@given(st.integers(0, 10**7), st.integers(1, 50), st.data())
def test_partial_returns_add_up_to_exactly_what_the_line_paid(paid, bought, data):
    steps = data.draw(st.lists(st.integers(1, bought), max_size=bought))
    before, total = 0, 0
    for units in steps:
        units = min(units, bought - before)
        if units == 0:
            break
        share = line_share(paid, bought, before, units)
        assert share >= 0
        total += share
        before += units
        assert total <= paid
    if before == bought:
        assert total == paid


def test_a_discounted_line_refunds_its_paid_share_in_whole_fen():
    # 3 units at 12.90 with 5.00 off the line: 33.70 paid; 11.24 + 11.23 + 11.23 in any order of returns
    paid = 3 * 1290 - 500
    assert [line_share(paid, 3, i, 1) for i in range(3)] == [1124, 1123, 1123]
    assert line_share(paid, 3, 0, 1) + line_share(paid, 3, 1, 2) == paid


@given(st.integers(1, 10**6), st.integers(0, 10**6), st.lists(st.integers(1, 10**5), max_size=8))
def test_money_refunded_over_every_return_is_the_goods_less_the_points(goods, points, parts):
    # points may pass the goods (they paid part of the delivery fee): no money back for the goods then
    before, money = 0, 0
    for part in parts:
        part = min(part, goods - before)
        m = money_for(points, goods, before, part)
        assert 0 <= m <= part
        money += m
        before += part
    assert money <= max(0, goods - points) or before < goods
    if before == goods:
        assert money == max(0, goods - points)


def test_photos_are_checked_by_their_bytes_and_size():
    assert photo_type(b"\xff\xd8\xff\xe0" + b"0" * 10) == "image/jpeg"
    assert photo_type(b"RIFF\0\0\0\0WEBPVP8 ") == "image/webp"
    assert photo_type(b"<svg onload=alert(1)>") is None
    for bad in (b"", b"GIF89a" + b"0" * 10, b"\x89PNG\r\n\x1a\n" + b"0" * 400_000):
        try:
            check_photo(bad)
        except Exception as exc:  # InvalidInput naming the photo
            assert "photos[0]" in str(exc)
        else:
            raise AssertionError(bad[:10])
