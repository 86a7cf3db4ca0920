"""Re-sourcing's words in the page's language (issue 13): what fulfillment.reallocate and orders.resource
write, as the order pages and the pick list show them; a store's own words stay as written."""

from __future__ import annotations

from o2o.web import vocabulary as v


def test_re_sourcing_reasons_and_notes_read_in_the_page_language() -> None:
    assert v.route_reason("re-sourced from location 3", "zh-CN") == "由门店 #3 转来"
    assert v.route_reason("re-sourced from location 3", "en") == "re-sourced from store #3"
    note = "re-sourced to 4: sku 7 x2 sku 8 x1, 5: sku 9 x3"  # fulfillment.reallocate's history note
    assert v.history_note(note, "en") == ("re-sourced to store #4: SKU 7 × 2, store #4: SKU 8 × 1, "
                                          "store #5: SKU 9 × 3")
    assert v.history_note(note, "zh-CN") == "已转至 门店 #4：SKU 7 × 2, 门店 #4：SKU 8 × 1, 门店 #5：SKU 9 × 3"
    assert v.history_note("re-sourced from location 3 to 4, 5", "zh-CN") == "由门店 #3 转至 #4, #5"
    assert v.history_note("rejected by the store: 冰柜坏了", "en") == "rejected by the store: 冰柜坏了"
    assert v.history_note("rejected by the store: fridge broken", "zh-CN") == "门店拒单：fridge broken"
    assert v.history_note("re-sourced to somewhere odd", "en") == "re-sourced to somewhere odd"  # unknown: as written
