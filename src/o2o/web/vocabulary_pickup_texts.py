"""Texts of the history notes a return's courier pickup writes ('pickup scheduled', by the desk or reported by
the courier: o2o.returns.service), read back by |history_note in the page's language. The lead converts this
module into the gettext catalogs."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "pickup.note.requested": "Pickup requested",
        "pickup.note.scheduled": "Pickup scheduled",
        "pickup.note.picked_up": "Picked up by the courier",
        "pickup.note.delivered": "Brought to the store by the courier",
        "pickup.note.failed": "No courier took the pickup",
    },
    "zh-CN": {
        "pickup.note.requested": "已申请上门取件",
        "pickup.note.scheduled": "已安排取件",
        "pickup.note.picked_up": "骑手已取件",
        "pickup.note.delivered": "骑手已送达门店",
        "pickup.note.failed": "无骑手接单取件",
    },
}
