"""Texts of quick buying: the list's +/- steppers, the floating cart bar with the progress to free
store delivery, the category rail (phone)."""

from __future__ import annotations

from o2o.web.templating import Texts

TEXTS: Texts = {
    "en": {
        "quick.add": "Add {name} to cart",
        "quick.more": "One more {name}",
        "quick.less": "One less {name}",
        "quick.in_cart": "{n} in cart",
        "quick.units": "{n} items",
        "quick.total": "Total",
        "quick.more_for_free": "{amount} more for free delivery (from {free})",
        "quick.free_now": "Free store delivery",
        "quick.free_member": "Free store delivery: {tier} benefit",
        "quick.to_cart": "Go to cart",
        "quick.bar": "Your cart",
        "quick.rail": "Categories",
        "quick.all": "All",
        "quick.failed": "Could not change the cart. Please try again.",
    },
    "zh-CN": {
        "quick.add": "将{name}加入购物车",
        "quick.more": "再加一件{name}",
        "quick.less": "减少一件{name}",
        "quick.in_cart": "购物车中 {n} 件",
        "quick.units": "共 {n} 件",
        "quick.total": "合计",
        "quick.more_for_free": "再买 {amount} 免配送费（满 {free}）",
        "quick.free_now": "已免门店配送费",
        "quick.free_member": "免配送费：{tier}权益",
        "quick.to_cart": "去结算",
        "quick.bar": "购物车",
        "quick.rail": "分类",
        "quick.all": "全部",
        "quick.failed": "购物车未能更新，请重试。",
    },
}
