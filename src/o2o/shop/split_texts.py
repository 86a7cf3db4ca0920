"""Texts of the storefront order page's parts (issue 13): an order served from several locations."""

from __future__ import annotations

from o2o.web.templating import Texts

TEXTS: Texts = {
    "en": {
        "split.parts": "From {n} locations",
        "split.part": "{store}",
        "split.line": "{name} × {qty}",
        "split.code": "Pickup code at this store: {code}",
    },
    "zh-CN": {
        "split.parts": "分 {n} 处发货",
        "split.part": "{store}",
        "split.line": "{name} × {qty}",
        "split.code": "本店取件码：{code}",
    },
}
