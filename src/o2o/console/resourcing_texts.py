"""Texts of the console's re-sourcing (issue 13): a store rejects an order it has not started, and the pick
list says where the rest went ("re-sourced to <store>") or where it came from."""

from __future__ import annotations

from o2o.web.templating import Texts

TEXTS: Texts = {
    "en": {
        "reject.title": "Cannot serve this order?",
        "reject.lead": "Reject it before picking: a delivery goes to another store that has the items. A pickup "
                       "at the store the customer chose, or an order no store can take, waits as a short pick "
                       "for the customer to be contacted.",
        "reject.reason": "Why",
        "reject.hint": "For head office and the order's history, e.g. fridge broken",
        "reject.submit": "Reject the order",
        "reject.confirm": "Reject this order?",
        "resourced.to": "Re-sourced to {stores}",
        "resourced.from": "Re-sourced from {store}",
        "resourced.short": "A delivery's missing items go at once to another store that has them. A pickup at "
                           "the store the customer chose, or a list no store can take, stays short for the "
                           "customer to be contacted.",
    },
    "zh-CN": {
        "reject.title": "无法履约此订单？",
        "reject.lead": "拣货前可以拒单：配送订单会转给有货的其他门店。顾客选定本店自提的订单，或没有门店能接的订单，会作为缺货等待联系顾客。",
        "reject.reason": "原因",
        "reject.hint": "供总部和订单记录查看，例如：冰柜故障",
        "reject.submit": "拒单",
        "reject.confirm": "确定拒单？",
        "resourced.to": "已转至 {stores}",
        "resourced.from": "由 {store} 转来",
        "resourced.short": "配送订单的缺货商品会立即转给有货的其他门店。顾客选定本店自提的订单，或没有门店能接时，此单保持缺货，等待联系顾客。",
    },
}
