"""The dashboard's axis and day labels follow the page's language as CLDR (Babel) writes it: 万/亿 in zh-CN,
萬/億 in zh-TW, k/M in English; a month and day per language."""

from __future__ import annotations

from datetime import date

import pytest

from o2o.backoffice.dashboard import _day, compact_yuan

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("fen", "en", "zh_cn", "zh_tw"), [
    (1_200, "¥12", "¥12", "¥12"),
    (1_234_567_00, "¥1.235M", "¥123.46万", "¥123.46萬"),
    (2_000_000_00, "¥2M", "¥200万", "¥200萬"),
    (150_000_000_00, "¥150M", "¥1.5亿", "¥1.5億"),  # a hundred million: 亿, not "1.5e+04万"
])
def test_compact_yuan_in_each_language(fen, en, zh_cn, zh_tw):
    assert (compact_yuan(fen, "en"), compact_yuan(fen, "zh-CN"), compact_yuan(fen, "zh-TW")) == (en, zh_cn, zh_tw)


def test_days_in_each_language():
    d = date(2026, 11, 24)
    assert (_day(d, "en"), _day(d, "zh-CN"), _day(d, "zh-TW")) == ("Nov 24", "11月24日", "11月24日")
