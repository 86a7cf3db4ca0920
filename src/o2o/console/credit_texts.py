"""Texts of POS-lite's store credit (o2o.console.pos): the member's balance and the store-credit tender."""

from __future__ import annotations

from o2o.web.templating import Texts

TEXTS: Texts = {
    "en": {
        "pos.credit.balance": "Store credit {credit}",
        "pos.credit": "Store credit (yuan)",
        "pos.credit.hint": "From the member's store credit (needs their member QR): up to {credit}.",
        "pos.credit.short": "The member's store credit does not cover that amount.",
        "pos.credit.qr": "Spending store credit needs the member's QR: scan it first.",
    },
    "zh-CN": {
        "pos.credit.balance": "储值余额 {credit}",
        "pos.credit": "储值余额支付（元）",
        "pos.credit.hint": "从会员储值余额扣除（需扫描会员码）：最多 {credit}。",
        "pos.credit.short": "会员储值余额不足以支付该金额。",
        "pos.credit.qr": "使用储值余额需扫描会员码，请先扫码。",
    },
}
