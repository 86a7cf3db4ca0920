"""Texts of the console board's at-risk section (o2o.console.sla_board)."""

from __future__ import annotations

from o2o.web.templating import Texts

TEXTS: Texts = {
    "en": {
        "sla.board.title": "At risk of missing the promise",
        "sla.board.count": "{n} order(s)",
        "sla.board.left": "{n} min left",
        "sla.board.late": "{n} min late",
        "sla.board.due_now": "due now",
        "sla.board.badge.late": "Late",
        "sla.board.badge.at_risk": "At risk",
        "sla.board.step.ready": "ready by {time}",
        "sla.board.step.delivered": "delivered by {time}",
        "sla.board.step.shipped": "shipped by {time}",
        "sla.board.status.new": "new",
        "sla.board.status.picking": "picking",
        "sla.board.status.short": "short pick",
        "sla.board.status.ready": "ready",
        "sla.board.status.shipped": "out for delivery",
        "sla.board.open": "Open",
    },
    "zh-CN": {
        "sla.board.title": "即将超时",
        "sla.board.count": "{n} 单",
        "sla.board.left": "剩 {n} 分钟",
        "sla.board.late": "超时 {n} 分钟",
        "sla.board.due_now": "即将到期",
        "sla.board.badge.late": "已超时",
        "sla.board.badge.at_risk": "将超时",
        "sla.board.step.ready": "{time} 前备好",
        "sla.board.step.delivered": "{time} 前送达",
        "sla.board.step.shipped": "{time} 前发出",
        "sla.board.status.new": "新订单",
        "sla.board.status.picking": "拣货中",
        "sla.board.status.short": "缺货待处理",
        "sla.board.status.ready": "已备好",
        "sla.board.status.shipped": "配送中",
        "sla.board.open": "打开",
    },
}
