"""Search text: tokenising names (characters, pairs, pinyin and initials tails, glossary words) and queries."""

from __future__ import annotations

from collections import Counter

import pytest

from o2o.catalog.search.service import correct, index_words
from o2o.kernel.searchtext import (
    MAX_TERM_LEN,
    MAX_TERMS,
    Query,
    Term,
    as_pinyin,
    initials_of,
    matches,
    normalise,
    parse_query,
    pinyin_of,
    product_terms,
    store_terms,
)

MILK = f" {product_terms('光明纯牛奶', 'Bright Pure Milk', '光明')} "


def test_pinyin_and_initials_of_chinese_names():
    assert pinyin_of("光明纯牛奶") == ["guang", "ming", "chun", "niu", "nai"]
    assert initials_of("光明纯牛奶") == ["g", "m", "c", "n", "n"]
    assert pinyin_of("银行") == ["yin", "hang"]  # read as a word, not character by character
    assert pinyin_of("milk 12") == []


def test_a_name_is_indexed_by_characters_pairs_pinyin_tails_and_english_words():
    tokens = MILK.split()
    assert tokens[:5] == ["光", "明", "纯", "牛", "奶"]  # the name's characters first, in order
    assert {"光明", "纯牛", "牛奶"} <= set(tokens)
    assert {"guangmingchunniunai", "niunai", "nai", "gmcnn", "nn"} <= set(tokens)
    assert {"bright", "pure", "milk"} <= set(tokens)
    assert MILK.startswith(" ") and MILK.endswith(" ")


@pytest.mark.parametrize("q", ["niunai", "NiuNai", "niu nai", "nn", "gmcnn", "牛奶", "牛 奶", "纯牛奶", "milk",
                               "MILK", "ｍｉｌｋ", "光明 milk", "niun", "bright pure"])
def test_queries_that_find_pure_milk(q):
    assert matches(MILK, parse_query(q)), q


@pytest.mark.parametrize("q", ["牛肉", "yogurt", "niurou", "奶牛", "mlik", "光明 beef"])
def test_queries_that_do_not(q):
    assert not matches(MILK, parse_query(q)), q


def test_the_glossary_makes_both_languages_find_each_other():
    yili = f" {product_terms('伊利纯奶', 'Yili Pure Milk', '伊利')} "  # no 牛奶 in the Chinese name
    assert matches(yili, parse_query("牛奶")) and matches(yili, parse_query("milk"))
    eggs = f" {product_terms('德青源鲜鸡蛋', 'DQY Fresh eggs')} "
    assert matches(eggs, parse_query("egg")) and matches(eggs, parse_query("鸡蛋"))
    plain = f" {product_terms('德青源', 'DQY Fresh eggs')} "  # an English name only: the Chinese word is added
    assert matches(plain, parse_query("鸡蛋"))
    milky = f" {product_terms('桃李奶香餐包', 'Toly Milky Dinner rolls')} "
    assert matches(milky, parse_query("milk")) == matches(milky, parse_query("牛奶")) is True


def test_a_query_keeps_only_words():
    assert str(parse_query('牛奶" OR 1=1; drop table product --')) == "牛奶 or 1 1 drop table product"
    assert parse_query("  ").empty and parse_query("%_*\\'\"").empty
    assert str(parse_query("牛 奶")) == "牛奶" and parse_query("牛 奶").terms == (Term("牛奶", True),)
    assert parse_query("光明milk").terms == (Term("光明", True), Term("milk", False))
    assert normalise("Café ＭＩＬＫ") == "cafe milk"


def test_a_huge_query_is_cut_to_a_few_short_words():
    q = parse_query(" ".join(["a" * 500] * 50))
    assert len(q.terms) == MAX_TERMS and all(len(t.text) == MAX_TERM_LEN for t in q.terms)


def test_chinese_terms_become_pinyin_for_homophones():
    assert str(as_pinyin(parse_query("牛乃 milk"))) == "niunai milk"


def test_a_typo_is_corrected_to_the_nearest_commonest_word():
    counts = Counter({"milk": 50, "mild": 2, "yogurt": 10, "niunai": 30, "silk": 1})
    ordered = index_words(counts)
    assert str(correct(parse_query("mlik"), counts, ordered)) == "milk"  # a swap is one edit
    assert str(correct(parse_query("yogrut"), counts, ordered)) == "yogurt"
    assert str(correct(parse_query("niunia"), counts, ordered)) == "niunai"
    assert str(correct(parse_query("nilk"), counts, ordered)) == "milk"  # the first letter wrong too
    assert correct(parse_query("milk"), counts, ordered) is None  # nothing to correct
    assert correct(parse_query("mi"), counts, ordered) is None  # too short to guess
    assert correct(parse_query("qqqqqq"), counts, ordered) is None


def test_among_many_equally_near_words_the_commonest_wins():
    """Every word one edit away is weighed (not the first 20 of the alphabet), and a word of another first
    letter is found among those of about the same length."""
    near = [f"aaaa{c}" for c in "0123456789abcdefghijklmnoprstuvwxyz"]  # 35 words one edit from aaaaq
    counts = Counter({**dict.fromkeys(near, 1), "aaaaz": 5, "baaaaq": 3, "baaaaaaaaq": 9})
    ordered = index_words(counts)
    assert str(correct(parse_query("aaaaq"), counts, ordered)) == "aaaaz"
    assert str(correct(parse_query("caaaaq"), counts, ordered)) == "baaaaq"


def test_a_store_is_found_by_street_district_and_their_pinyin():
    terms = store_terms("徐家汇店", "Xujiahui Store", "徐汇区", "徐汇区漕溪北路 88 号")
    for q in ("漕溪北路", "漕溪 北路", "caoxibeilu", "cxbl", "徐汇", "xuhui", "xujiahui", "88 号", "徐汇区漕溪北路 88 号"):
        assert matches(terms, parse_query(q)), q
    assert not matches(terms, parse_query("虹桥路"))
    assert not matches(terms, Query((Term("天钥桥", True),)))
