"""Texts of the words re-sourcing writes in English into rows (issue 13): a fulfilment's reason ("re-sourced
from location 3"), its history notes ("re-sourced to 4: sku 7 x2", "rejected by the store: <words>") and the
order's ("re-sourced from location 3 to 4, 5"), shown in the page's language through o2o.web.vocabulary
(|route_reason, |history_note); a store's own words stay as written."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "resource.from": "re-sourced from store #{src}",
        "resource.to": "re-sourced to {parts}",
        "resource.part": "store #{loc}: SKU {sku} × {n}",
        "resource.moved": "re-sourced from store #{src} to #{dst}",
        "resource.rejected": "rejected by the store: {why}",
    },
    "zh-CN": {
        "resource.from": "由门店 #{src} 转来",
        "resource.to": "已转至 {parts}",
        "resource.part": "门店 #{loc}：SKU {sku} × {n}",
        "resource.moved": "由门店 #{src} 转至 #{dst}",
        "resource.rejected": "门店拒单：{why}",
    },
}
