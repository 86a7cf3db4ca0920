"""Coupon codes (unguessable, not sequential, normalised input) and the bill's labels made from a rule."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from o2o.promotions import checkout, codes


def test_codes_carry_at_least_60_random_bits_from_an_unambiguous_alphabet():
    assert len(set(codes.ALPHABET)) == len(codes.ALPHABET) == 30
    assert not set("01ILOU") & set(codes.ALPHABET)
    assert codes.LENGTH * math.log2(len(codes.ALPHABET)) >= 60
    drawn = [codes.new_code() for _ in range(2000)]
    assert len(set(drawn)) == 2000
    assert all(len(c) == codes.LENGTH and set(c) <= set(codes.ALPHABET) for c in drawn)
    # not sequential: consecutive codes share no long prefix
    assert sum(a[:4] == b[:4] for a, b in zip(drawn, drawn[1:], strict=False)) < 5


def test_typed_codes_are_normalised_and_junk_is_refused():
    code = codes.new_code()
    assert codes.normalise(codes.display(code).lower()) == code
    assert codes.normalise(f" {code[:7]} {code[7:]} ") == code
    for junk in ("", "center", code + "2", code[:-1], code[:-1] + "0", "ＡＢＣＤ", "1" * 14, "' OR 1=1 --"):
        assert codes.normalise(junk) is None


def _rule(**kw):  # type: ignore[no-untyped-def]
    base = dict(kind="threshold", label_zh="", label_en="", name_zh="n", name_en="n", min_fen=0, off_fen=0,
                repeat=False, pct_off=0, cap_fen=0, nth=0, buy=0, get=0, price_fen=0)
    base.update(kw)
    return SimpleNamespace(**base)


@pytest.mark.parametrize(("rule", "zh", "en"), [
    (dict(min_fen=20_000, off_fen=3_000), "满200减30", "¥30 off over ¥200"),
    (dict(min_fen=10_000, off_fen=1_000, repeat=True), "每满100减10", "¥10 off every ¥100"),
    (dict(kind="percent", pct_off=12, cap_fen=5_000), "8.8折(最多减50)", "12% off (up to ¥50)"),
    (dict(kind="nth_discount", nth=2, pct_off=50), "第二件半价", "second item half price"),
    (dict(kind="buy_x_get_y", buy=4, get=1), "买4送1", "buy 4 get 1 free"),
    (dict(kind="free_delivery", min_fen=9_900), "满99免运费", "free delivery over ¥99"),
    (dict(kind="sale_price", price_fen=1_990), "限时价¥19.9", "sale price ¥19.9"),
    (dict(min_fen=20_000, off_fen=3_000, label_zh="店庆满减", label_en="Anniversary"), "店庆满减", "Anniversary"),
])
def test_labels_explain_the_rule(rule, zh, en):
    assert checkout.label(_rule(**rule)) == (zh, en)
