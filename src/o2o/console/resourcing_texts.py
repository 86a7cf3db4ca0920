"""Texts of the console's re-sourcing (issue 13): a store rejects an order it has not started, and the pick
list says where the rest went ("re-sourced to <store>") or where it came from."""

from __future__ import annotations

from o2o.web.templating import Texts

TEXTS: Texts = {
    "en": {
        "reject.title": "Cannot serve this order?",
        "reject.lead": "Reject it before picking: the order goes to another store that has the items. When none "
                       "can, it waits as a short pick for the customer to be contacted.",
        "reject.reason": "Why",
        "reject.hint": "For head office and the order's history, e.g. fridge broken",
        "reject.submit": "Reject the order",
        "reject.confirm": "Reject this order? It will be sent to another store.",
        "resourced.to": "Re-sourced to {stores}",
        "resourced.from": "Re-sourced from {store}",
        "resourced.short": "Another store that has the missing items takes them at once when there is one; "
                           "this list stays short only when none can.",
    },
    "zh-CN": {
        "reject.title": "无法履约此订单？",
        "reject.lead": "拣货前可以拒单：订单会转给有货的其他门店。如果没有门店能接，订单会作为缺货等待联系顾客。",
        "reject.reason": "原因",
        "reject.hint": "供总部和订单记录查看，例如：冰柜故障",
        "reject.submit": "拒单",
        "reject.confirm": "确定拒单？订单将转给其他门店。",
        "resourced.to": "已转至 {stores}",
        "resourced.from": "由 {store} 转来",
        "resourced.short": "如有其他门店有缺货商品，会立即转给该门店；只有没有门店能接时，此单才保持缺货状态。",
    },
}
