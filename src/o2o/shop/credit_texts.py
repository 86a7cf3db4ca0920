"""Texts of the member centre's store credit line (o2o.shop.member)."""

from __future__ import annotations

from o2o.web.templating import Texts

TEXTS: Texts = {
    "en": {
        "member.credit": "Store credit: {credit}",
        "member.credit.hint": "from refunds; spend it at any store's till with your member code",
    },
    "zh-CN": {
        "member.credit": "储值余额：{credit}",
        "member.credit.hint": "来自退款；在任一门店收银台出示会员码即可使用",
    },
}
