"""The console's transfer receipts (调拨收货): counting what arrived per line, the difference, stock on the
way; in English and Chinese ("{name}" placeholders)."""

from __future__ import annotations

from o2o.web.templating import Texts

TEXTS: Texts = {
    "en": {
        "tstatus.received_with_difference": "Received with a difference",
        "trc.transit": "On the way to this location: {units} units in {count} transfers (on no shelf until "
                       "received).",
        "trc.count": "Count what arrived",
        "trc.sent": "Sent: {n}",
        "trc.received": "Good units",
        "trc.damaged": "Damaged",
        "trc.note": "Note (optional)",
        "trc.difference": "Difference",
        "trc.diff.none": "matches what was sent",
        "trc.diff.short": "{n} short",
        "trc.diff.over": "{n} over",
        "trc.diff.damaged": "{n} damaged",
        "trc.submit": "Receive",
        "trc.confirm": "Take these units into stock? A count other than what was sent is reported to head office.",
        "trc.result": "Received {received} of {sent}",
        "trc.result.damaged": ", {n} damaged",
        "trc.dstatus.open": "Reported, waiting for head office",
        "trc.dstatus.investigated": "Being investigated",
        "trc.dstatus.resolved": "Resolved",
        "trc.resolution.written_off": "written off",
        "trc.resolution.found": "found ({n} into stock)",
        "trc.resolution.charged_to_carrier": "charged to the carrier",
        "trc.batch": "Planned by head office (batch #{id})",
        "trc.bad.count": "Enter whole numbers: good units and damaged together at most twice what was sent.",
    },
    "zh-CN": {
        "tstatus.received_with_difference": "收货有差异",
        "trc.transit": "在途调入本店：{count} 笔共 {units} 件（收货前不计入任何门店库存）。",
        "trc.count": "清点到货",
        "trc.sent": "发出：{n}",
        "trc.received": "完好数量",
        "trc.damaged": "破损数量",
        "trc.note": "备注（可选）",
        "trc.difference": "差异",
        "trc.diff.none": "与发出数量一致",
        "trc.diff.short": "短少 {n}",
        "trc.diff.over": "多出 {n}",
        "trc.diff.damaged": "破损 {n}",
        "trc.submit": "确认收货",
        "trc.confirm": "将这些货品计入本店库存？数量与发出不一致时会上报总部。",
        "trc.result": "实收 {received} / 发出 {sent}",
        "trc.result.damaged": "，破损 {n}",
        "trc.dstatus.open": "已上报，等待总部处理",
        "trc.dstatus.investigated": "调查中",
        "trc.dstatus.resolved": "已处理",
        "trc.resolution.written_off": "已核销",
        "trc.resolution.found": "已找到（{n} 件入库）",
        "trc.resolution.charged_to_carrier": "由承运商赔付",
        "trc.batch": "总部计划调拨（批次 #{id}）",
        "trc.bad.count": "请输入整数：完好与破损合计不超过发出数量的两倍。",
    },
}
