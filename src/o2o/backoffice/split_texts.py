"""Texts of the back-office order page's parts (issue 13): an order served from several locations, each
part's lines, and the link to "why this store" (/admin/orders/{number}/sourcing)."""

from __future__ import annotations

from o2o.web.templating import Texts

TEXTS: Texts = {
    "en": {
        "split.parts": "From {n} locations",
        "split.one": "From one location",
        "split.why": "Why this store",
        "split.lines": "Items",
        "split.line": "{name} × {qty}",
        "split.short.lead": "The missing items were not sent elsewhere: the customer chose to collect them at this "
                            "store, or no other store can take them. Contact the customer: they accept the partial "
                            "order (the difference is refunded) or the order is cancelled. Nothing is handed over "
                            "until then.",
    },
    "zh-CN": {
        "split.parts": "分 {n} 处发货",
        "split.one": "一处发货",
        "split.why": "为什么选这家门店",
        "split.lines": "商品",
        "split.line": "{name} × {qty}",
        "split.short.lead": "缺货商品没有转出：顾客选定在本店自提，或没有其他门店能接。请联系顾客：接受部分商品（退还差额）或取消订单。处理前不会交付。",
    },
}
