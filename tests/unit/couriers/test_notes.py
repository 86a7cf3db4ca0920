"""The courier history's notes, as o2o.couriers.service writes them, read in the page's language."""

from __future__ import annotations

import pytest

from o2o.couriers.view import note, translator

WRITTEN = {  # a note as the service writes it -> what a zh-CN page shows
    "ready for a courier": "待呼叫骑手",
    "placed with sim-a for 550 fen (2 quoted)": "已向 sim-a 下单，配送费 ¥5.50（2 家报价）",
    "sim-a refused: no capacity": "sim-a 拒单：no capacity",
    "sim-a refused to quote: out of area": "sim-a 拒单：out of area",
    "no rider within 10 min at sim-a; failing over": "sim-a 10 分钟内无骑手接单，改呼叫下一家平台",
    "sim-b cancelled: no rider available; failing over": "sim-b：配送已取消（no rider available），改呼叫下一家平台",
    "sim-b expired; failing over": "sim-b：配送已过期，改呼叫下一家平台",
    "tip raised by 300 fen to 600 fen": "小费增加 ¥3.00，共 ¥6.00",
    "rider reassigned": "已改派其他骑手",
    "the order was cancelled": "订单已取消",
    "no courier would take the delivery": "没有平台接单",
    "accident (the rider had the goods: the store follows up)": "accident（货物在骑手手中，门店跟进处理）",
}


@pytest.mark.parametrize(("written", "shown"), WRITTEN.items())
def test_a_note_reads_in_chinese_and_english(written: str, shown: str) -> None:
    assert note(translator("zh-CN"), written) == shown
    en = note(translator("en"), written)
    assert en and not any("\u4e00" <= ch <= "\u9fff" for ch in en)


def test_a_platforms_own_words_are_shown_as_given() -> None:
    assert note(translator("zh-CN"), "骑手已取货") == "骑手已取货"
