"""More of the words services write in English into rows, as pages show them in their language through
o2o.web.vocabulary: the sourcing engine's (o2o.fulfillment.sourcing writes its decision's reason, its search
method and what each rule did, for the API and the record: `|sourcing_reason`, `|sourcing_method`,
`|sourcing_rule`, and `|route_reason` of an order it placed) and an offline till sale's (its route reason
and history note: "till T01, offline sale S0001; sold at 2026-11-24T02:00:00+00:00"), a return's (what the
store received: "sku 3: 1 resellable, 0 damaged"; how a refund was paid: `|refund_kind`)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "src.planned": "{n} location(s), cost {cost}, found by {method}",
        "src.planned_limit": "{n} location(s), cost {cost}, found by {method} ({limit})",
        "src.sku": "SKU {sku}: {why}",
        "src.no_holder": "no location that may serve holds {q} unit(s)",
        "src.no_plan": "no plan from at most {n} location(s) holds every item",
        "src.cpsat_limit": "solver time limit {seconds} s: best plan found, not proven optimal",
        "src.cpsat_stopped": "solver stopped at {seconds} s without a plan",
        "src.method.exact": "exact search",
        "src.method.cp-sat": "CP-SAT solver",
        "src.method.none": "no search",
        "src.rule.max_split": "{name}: at most {n} location(s)",
        "src.rule.ruled_out": "{name}: ruled out {n} location(s)",
        "till.offline_sale": "offline sale {sale} at till {till}",
        "till.sold_at": "sold at {at}",
        "return.received": "SKU {sku}: {good} resellable, {bad} damaged",
        "refund.payment": "original payment",
        "refund.card": "bank card",
        "refund.wechat": "WeChat Pay",
        "refund.alipay": "Alipay",
        "refund.cash": "cash",
        "refund.store_credit": "store credit",
    },
    "zh-CN": {
        "src.planned": "{n} 个地点，成本 {cost}，方法：{method}",
        "src.planned_limit": "{n} 个地点，成本 {cost}，方法：{method}（{limit}）",
        "src.sku": "SKU {sku}：{why}",
        "src.no_holder": "可履约的地点都没有 {q} 件库存",
        "src.no_plan": "最多 {n} 个地点的方案都无法备齐全部商品",
        "src.cpsat_limit": "求解器达到 {seconds} 秒时限：为已找到的最优方案，未证明最优",
        "src.cpsat_stopped": "求解器在 {seconds} 秒时停止，未找到方案",
        "src.method.exact": "精确搜索",
        "src.method.cp-sat": "CP-SAT 求解器",
        "src.method.none": "未搜索",
        "src.rule.max_split": "{name}：最多 {n} 个地点",
        "src.rule.ruled_out": "{name}：排除 {n} 个地点",
        "till.offline_sale": "收银台 {till} 离线销售 {sale}",
        "till.sold_at": "售出时间 {at}",
        "return.received": "SKU {sku}：可再售 {good} 件，损坏 {bad} 件",
        "refund.payment": "原支付方式",
        "refund.card": "银行卡",
        "refund.wechat": "微信支付",
        "refund.alipay": "支付宝",
        "refund.cash": "现金",
        "refund.store_credit": "储值余额",
    },
}
