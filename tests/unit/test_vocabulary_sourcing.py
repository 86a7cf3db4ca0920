"""The sourcing engine's words on a page in its language (issue 12 point 15): the engine keeps writing its
decision's reason, search method and rule notes in English (API, record); o2o.web.vocabulary translates each,
parameters kept. Every text the engine can write is found in its source, so a new one without a
translation fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from o2o.backoffice.sourcing_texts import TEXTS as PAGE_TEXTS
from o2o.fulfillment import sourcing
from o2o.fulfillment.sourcing import SPEC, Request, Rule, SourcingSettings, decide
from o2o.web import vocabulary as v
from tests.unit.sourcing.helpers import NOON, store

pytestmark = pytest.mark.unit

ENGINE = Path(sourcing.__file__).parent
LATIN = re.compile(r"[A-Za-z]{2,}")
PROPER = {"SKU", "CP", "SAT"}  # names kept in every language


def english_left(text: str) -> set[str]:
    return {w for w in LATIN.findall(text) if w not in PROPER}


def zh(text: str) -> str:
    """Whichever page filter knows the text: a decision's reason (or a part of it) or a rule's note."""
    said = v.sourcing_reason(text, "zh-CN")
    return said if said != text else v.sourcing_rule(text, "zh-CN")


def engine_texts() -> tuple[list[str], set[str]]:
    """(the sentences the engine writes, with 7 for every value; its one-word codes), read from its source:
    every string and f-string outside docstrings and raised errors."""
    sentences, codes = [], set()
    for name in ("engine.py", "search.py", "rules.py"):
        tree = ast.parse((ENGINE / name).read_text(encoding="utf-8"))
        skip: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise):
                skip |= {id(n) for n in ast.walk(node)}
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                skip.add(id(node.value))
            elif isinstance(node, ast.JoinedStr):
                skip |= {id(n) for n in ast.walk(node) if n is not node}
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.JoinedStr):
                text = "".join(p.value if isinstance(p, ast.Constant) else "7" for p in node.values)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            else:
                continue
            if " " in text.strip() and LATIN.search(text):
                sentences.append(text.strip())
            elif name == "engine.py" and re.fullmatch(r"[a-z]+(-[a-z]+)*", text):
                codes.add(text)
    return sentences, codes


def test_every_sentence_the_engine_writes_is_translated():
    sentences, _ = engine_texts()
    assert len(sentences) >= 7  # the scan found them (reason, missing line, no plan, two limits, two rule notes)
    left = {s: zh(s) for s in sentences if english_left(zh(s))}
    assert left == {}


def test_every_code_and_search_method_has_a_text():
    _, codes = engine_texts()
    methods = {"exact", "cp-sat", "none"}
    assert {"mode", "out-of-range", "no-address", "capacity-hour", "capacity-day", "closed", "no-stock",
            "rejected"} <= codes
    for code in codes - methods:  # a location ruled out: the page's own texts (why.ex.<code>)
        assert f"why.ex.{code}" in PAGE_TEXTS["zh-CN"], code
        assert not english_left(PAGE_TEXTS["zh-CN"][f"why.ex.{code}"]), code
    for method in methods:
        assert not english_left(v.sourcing_method(method, "zh-CN").replace("CP-SAT", ""))
        assert v.sourcing_method(method, "en") != method


def req(lines: dict[int, int]) -> Request:
    return Request(lines=lines, mode="store_delivery", now=NOON, has_address=True)


def test_real_decisions_read_in_both_languages_with_their_numbers():
    ok = decide(req({10: 1}), [store(1, {10: 5}), store(2, {10: 5}, distance=2000)])
    assert re.fullmatch(r"1 location\(s\), \d+ fen by exact", ok.reason)
    fen = int(ok.reason.split(", ")[1].split()[0])
    assert v.sourcing_reason(ok.reason, "zh-CN") == f"1 个地点，成本 ¥{fen / 100:.2f}，方法：精确搜索"
    assert v.sourcing_reason(ok.reason, "en") == f"1 location(s), cost ¥{fen / 100:.2f}, found by exact search"

    missing = decide(req({10: 1, 11: 9}), [store(1, {10: 5, 11: 3})])
    assert v.sourcing_reason(missing.reason, "zh-CN") == "SKU 11：可履约的地点都没有 9 件库存"
    split = decide(req({10: 1, 11: 1, 12: 1}), [store(1, {10: 5}), store(2, {11: 5}), store(3, {12: 5})],
                   SourcingSettings(max_split=2))
    assert v.sourcing_reason(split.reason, "zh-CN") == "最多 2 个地点的方案都无法备齐全部商品"

    rules = [Rule(1, "不要旗舰店", SPEC.validate_python({"kind": "exclude_locations", "location_ids": [2]})),
             Rule(2, "one place", SPEC.validate_python({"kind": "max_split", "value": 1}))]
    ruled = decide(req({10: 1}), [store(1, {10: 5}), store(2, {10: 5})], rules=rules)
    assert [v.sourcing_rule(n, "zh-CN") for n in ruled.rules] == ["不要旗舰店：排除 1 个地点", "one place：最多 1 个地点"]
    assert [v.sourcing_rule(n, "en") for n in ruled.rules] == list(ruled.rules)  # English: as the engine said


def test_a_cp_sat_limit_inside_the_reason_is_translated_too():
    reason = "2 location(s), 1450 fen by cp-sat (cp-sat time limit 0.001s: best plan found, not proven optimal)"
    assert v.sourcing_reason(reason, "zh-CN") == (
        "2 个地点，成本 ¥14.50，方法：CP-SAT 求解器（求解器达到 0.001 秒时限：为已找到的最优方案，未证明最优）")
    assert v.sourcing_reason("cp-sat stopped at 2.5s without a plan", "zh-TW") == "求解器在 2.5 秒时停止，未找到方案"


def test_unknown_or_odd_text_stays_as_written():
    assert v.sourcing_reason("something new", "zh-CN") == "something new"
    assert v.sourcing_reason(None, "zh-CN") == "" and v.sourcing_rule(None, "en") == ""
    assert v.sourcing_method("quantum", "zh-CN") == "quantum"
    huge = "9" * 400
    assert v.sourcing_reason(f"sku {huge}: no eligible location holds {huge} unit(s)", "zh-CN").startswith("SKU 9")


def test_an_order_routed_by_the_engine_keeps_its_reason_and_pages_translate_it():
    """Placing sources through the engine: order.route_reason and the first history note are its reason."""
    reason = "1 location(s), 300 fen by exact"
    assert v.route_reason(reason, "zh-CN") == "1 个地点，成本 ¥3.00，方法：精确搜索"
    assert v.history_note(reason, "en") == "1 location(s), cost ¥3.00, found by exact search"
    assert v.route_reason("chosen store lacks stock", "zh-CN") == "所选门店库存不足"  # the older reasons still read


def test_an_offline_till_sale_s_reason_and_note_read_in_the_page_language():
    """o2o.orders.offline writes route_reason "till T01, offline sale S0001" and the history note with the sale's
    time (UTC); the page says both in its language, the time on Shanghai's clock."""
    note = "till T01, offline sale S0001; sold at 2026-11-24T02:00:00+00:00"
    assert v.history_note(note, "zh-CN") == "收银台 T01 离线销售 S0001；售出时间 2026-11-24 10:00"
    assert v.history_note(note, "en") == "offline sale S0001 at till T01; sold at 2026-11-24 10:00"
    assert v.route_reason("till T01, offline sale S0001", "zh-TW") == "收银台 T01 离线销售 S0001"
    assert v.history_note("sold at 2026-99-99Tnonsense", "zh-CN") == "售出时间 2026-99-99Tnonsense"  # kept as written


def test_a_return_s_receipt_note_and_refund_kinds_read_in_the_page_language():
    note = "sku 3: 1 resellable, 0 damaged, sku 5: 0 resellable, 2 damaged"  # o2o.returns.service.receive
    assert v.history_note(note, "zh-CN") == "SKU 3：可再售 1 件，损坏 0 件；SKU 5：可再售 0 件，损坏 2 件"
    assert v.history_note(note, "en") == "SKU 3: 1 resellable, 0 damaged; SKU 5: 0 resellable, 2 damaged"
    assert [v.refund_kind(k, "zh-CN") for k in ("payment", "cash", "store_credit")] == ["原支付方式", "现金", "储值余额"]
    assert v.refund_kind("bitcoin", "zh-CN") == "bitcoin" and v.refund_kind(None, "en") == ""
