"""Texts of a member's benefits where the storefront applies them: tier prices on lines, the waived
delivery fee, the favorites link (nav and member centre)."""

from __future__ import annotations

from o2o.web.templating import Texts

TEXTS: Texts = {
    "en": {
        "tier.price": "{tier} price",
        "tier.list_price": "list price {price}",
        "tier.fee_waived": "Free: {tier} benefit (was {fee})",
        "nav.favorites": "Favorites",
        "member.favorites_link": "My favorites",
    },
    "zh-CN": {
        "tier.price": "{tier}价",
        "tier.list_price": "原价 {price}",
        "tier.fee_waived": "免运费：{tier}权益（原 {fee}）",
        "nav.favorites": "关注",
        "member.favorites_link": "我的关注",
    },
}
