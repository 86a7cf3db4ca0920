"""Texts of the storefront's 关注 (following), recently viewed and member code pages."""

from __future__ import annotations

from o2o.web.templating import Texts

TEXTS: Texts = {
    "en": {
        "follow.on": "☆ Follow",
        "follow.off": "★ Following",
        "follow.on_named": "Follow {name}",
        "follow.off_named": "Stop following {name}",
        "follow.title": "Following",
        "follow.products": "Products",
        "follow.stores": "Stores",
        "follow.none": "You follow nothing yet: tap ☆ Follow on a product or a store.",
        "follow.browsing": "Recently viewed",
        "follow.browsing.none": "Nothing viewed yet.",
        "follow.signin": "Sign in to follow products and stores.",
        "code.title": "Member code",
        "code.lead": "Show this code at the till: the clerk scans it to find you. It changes every minute.",
        "code.text": "Code",
        "code.card": "Member card",
        "code.no_card": "No member card yet: ask at the till.",
        "code.refresh": "Refresh now",
        "code.back": "Member centre",
        "code.qr": "Member QR code",
    },
    "zh-CN": {
        "follow.on": "☆ 关注",
        "follow.off": "★ 已关注",
        "follow.on_named": "关注 {name}",
        "follow.off_named": "取消关注 {name}",
        "follow.title": "我的关注",
        "follow.products": "商品",
        "follow.stores": "门店",
        "follow.none": "还没有关注：在商品或门店上点「☆ 关注」。",
        "follow.browsing": "最近浏览",
        "follow.browsing.none": "还没有浏览记录。",
        "follow.signin": "登录后可关注商品和门店。",
        "code.title": "会员码",
        "code.lead": "结账时出示此码，店员扫码即可识别您。会员码每分钟更新。",
        "code.text": "编码",
        "code.card": "会员卡",
        "code.no_card": "尚未绑定会员卡，可在收银台办理。",
        "code.refresh": "立即刷新",
        "code.back": "会员中心",
        "code.qr": "会员二维码",
    },
}
