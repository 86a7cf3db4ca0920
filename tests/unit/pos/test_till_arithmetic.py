"""The till's expected cash and the differences, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from o2o.pos.tills import differences, expected_of, summarize


def test_expected_cash_is_float_plus_cash_kept_plus_in_less_out_and_refunds():
    # 100 given for 72.50: the tender kept 72.50 (27.50 went back as change); the card does not touch the drawer
    tenders = [("cash", 7_250), ("card", 12_800), ("wechat", 3_300), ("cash", 1_000), ("alipay", 500),
               ("store_credit", 2_000)]
    moves = [("in", 10_000), ("out", 20_000), ("refund", 1_500)]
    assert expected_of(50_000, tenders, moves) == {"cash": 50_000 + 7_250 + 1_000 + 10_000 - 20_000 - 1_500,
                                                   "card": 12_800, "wechat": 3_300, "alipay": 500}


def test_an_empty_shift_expects_the_float_and_nothing_else():
    assert expected_of(30_000, [], []) == {"cash": 30_000, "card": 0, "wechat": 0, "alipay": 0}


def test_a_drawer_10_yuan_short_is_minus_1000_and_a_tender_not_counted_counts_zero():
    expected = {"cash": 46_750, "card": 14_800, "wechat": 0, "alipay": 300}
    assert differences(expected, {"cash": 45_750, "card": 14_800}) == {"cash": -1_000, "card": 0, "wechat": 0,
                                                                      "alipay": -300}


@given(float_fen=st.integers(0, 10**8),
       tenders=st.lists(st.tuples(st.sampled_from(["cash", "card", "wechat", "alipay", "store_credit"]),
                                  st.integers(1, 10**7)), max_size=30),
       moves=st.lists(st.tuples(st.sampled_from(["in", "out", "refund"]), st.integers(1, 10**7)), max_size=10))
def test_counting_exactly_what_is_expected_leaves_no_difference_and_cash_adds_up(float_fen, tenders, moves):
    expected = expected_of(float_fen, tenders, moves)
    assert differences(expected, expected) == {"cash": 0, "card": 0, "wechat": 0, "alipay": 0}
    cash_in = sum(a for k, a in tenders if k == "cash") + sum(a for k, a in moves if k == "in")
    cash_out = sum(a for k, a in moves if k != "in")
    assert expected["cash"] == float_fen + cash_in - cash_out
    assert sum(expected[k] for k in ("card", "wechat", "alipay")) == sum(
        a for k, a in tenders if k in ("card", "wechat", "alipay"))


def test_the_report_sums_per_tender_clerk_store_and_day():
    def shift(loc, who, day, exp, cnt):  # type: ignore[no-untyped-def]
        return SimpleNamespace(location_id=loc, opened_by=who, expected=exp, counted=cnt,
                               closed_at=datetime(2026, 11, day, 12, tzinfo=UTC))

    rows = [shift(1, "staff:ann", 23, {"cash": 1000, "card": 500}, {"cash": 900, "card": 500}),
            shift(1, "staff:bob", 24, {"cash": 2000}, {"cash": 2050}),
            shift(2, "staff:ann", 24, {"cash": 0, "wechat": 300}, {"cash": 0, "wechat": 200})]
    r = summarize(rows, date(2026, 11, 23), date(2026, 11, 24), None)
    assert r.sessions == 3
    assert {d.key: d.difference_fen for d in r.by_tender} == {"cash": -50, "card": 0, "wechat": -100, "alipay": 0}
    assert {d.key: (d.sessions, d.difference_fen) for d in r.by_clerk} == {"staff:ann": (2, -200),
                                                                           "staff:bob": (1, 50)}
    assert {d.key: d.difference_fen for d in r.by_store} == {"1": -50, "2": -100}
    assert [(d.day.day, d.location_id, d.cash_difference_fen) for d in r.daily] == [(23, 1, -100), (24, 1, 50),
                                                                                  (24, 2, 0)]
