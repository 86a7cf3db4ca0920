"""Texts of "why this store" on the storefront for an order the sourcing engine placed (o2o.shop.explain):
the engine's reason ("1 location(s), 300 fen by exact") is for the staff and the record; the shopper is told
where the goods come from, never the costs."""

from __future__ import annotations

from o2o.web.templating import Texts

TEXTS: Texts = {
    "en": {
        "route.one": "{where} has every item",
        "route.split": "your order comes from {n} places, each with its part",
    },
    "zh-CN": {
        "route.one": "{where}备齐了您的全部商品",
        "route.split": "您的订单由 {n} 个地点分别备货",
    },
}
