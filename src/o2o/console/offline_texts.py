"""The console's stock lines to count after offline till sales (stock page), in English and Chinese."""

from __future__ import annotations

from o2o.web.templating import Texts

TEXTS: Texts = {
    "en": {
        "flagged.title": "To count: sold offline beyond the count",
        "flagged.lead": "A till sold these while it was offline, more than the stock count said was here. The sales "
                        "were kept; count each line to set the stock right (the count clears it).",
        "flagged.oversold": "{units} sold beyond the count",
        "flagged.since": "since {at}",
        "flagged.count": "Count",
    },
    "zh-CN": {
        "flagged.title": "待盘点：离线销售超出库存",
        "flagged.lead": "以下商品在收银机离线时售出的数量超过了系统库存。销售已保留；请逐一盘点以校正库存（盘点后标记清除）。",
        "flagged.oversold": "超出库存售出 {units} 件",
        "flagged.since": "自 {at} 起",
        "flagged.count": "盘点",
    },
}
