"""The printed receipt of a till sale (小票), in English and Chinese ("{name}" placeholders)."""

from __future__ import annotations

from collections.abc import Mapping

TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "receipt.title": "Receipt {number}",
        "receipt.store": "Store",
        "receipt.till": "Till",
        "receipt.clerk": "Clerk",
        "receipt.time": "Time",
        "receipt.order": "Order",
        "receipt.subtotal": "Subtotal",
        "receipt.total": "Total",
        "receipt.paid": "Paid",
        "receipt.change": "Change",
        "receipt.points": "Points earned",
        "receipt.points.pending": "credited shortly",
        "receipt.member": "Member",
        "receipt.thanks": "Thank you for shopping with us",
        "receipt.print": "Print",
        "tender.cash": "Cash",
        "tender.card": "Card",
        "tender.wechat": "WeChat Pay",
        "tender.alipay": "Alipay",
        "tender.store_credit": "Store credit",
    },
    "zh-CN": {
        "receipt.title": "小票 {number}",
        "receipt.store": "门店",
        "receipt.till": "收银台",
        "receipt.clerk": "收银员",
        "receipt.time": "时间",
        "receipt.order": "订单号",
        "receipt.subtotal": "商品合计",
        "receipt.total": "应收",
        "receipt.paid": "实收",
        "receipt.change": "找零",
        "receipt.points": "本单积分",
        "receipt.points.pending": "稍后到账",
        "receipt.member": "会员",
        "receipt.thanks": "谢谢惠顾，欢迎再次光临",
        "receipt.print": "打印",
        "tender.cash": "现金",
        "tender.card": "银行卡",
        "tender.wechat": "微信支付",
        "tender.alipay": "支付宝",
        "tender.store_credit": "储值余额",
    },
}
