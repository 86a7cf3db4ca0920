"""The console's names of an order's channel and status (the 360 profile's order list), as the admin
names them."""

from __future__ import annotations

from o2o.web.templating import Texts

TEXTS: Texts = {
    "en": {
        "ochannel.h5": "Mobile web (H5)", "ochannel.pc": "PC web", "ochannel.app": "App",
        "ochannel.miniprogram": "Mini program", "ochannel.wechat": "WeChat", "ochannel.douyin": "Douyin",
        "ochannel.api": "API", "ochannel.pos": "Till (in store)",
        "ostatus.pending_payment": "Awaiting payment", "ostatus.paid": "Paid", "ostatus.picking": "Picking",
        "ostatus.short": "Short picked", "ostatus.ready": "Ready", "ostatus.shipped": "Shipped",
        "ostatus.completed": "Completed", "ostatus.cancelled": "Cancelled", "ostatus.expired": "Expired",
    },
    "zh-CN": {
        "ochannel.h5": "手机网页（H5）", "ochannel.pc": "电脑网页", "ochannel.app": "App",
        "ochannel.miniprogram": "小程序", "ochannel.wechat": "微信", "ochannel.douyin": "抖音",
        "ochannel.api": "API", "ochannel.pos": "门店收银",
        "ostatus.pending_payment": "待支付", "ostatus.paid": "已支付", "ostatus.picking": "拣货中",
        "ostatus.short": "缺货待处理", "ostatus.ready": "待取货", "ostatus.shipped": "已发货",
        "ostatus.completed": "已完成", "ostatus.cancelled": "已取消", "ostatus.expired": "已过期",
    },
}
