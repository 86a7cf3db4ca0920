"""Order status to the customer's WeChat, where they consented (one consent, one message), and
consents forgotten when a customer is erased."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from o2o.adapters.messages.wechat import WechatError, WechatMini
from o2o.kernel.outbox import Delivery, Handler
from o2o.messaging.models import WechatConsent
from o2o.orders import service as orders

log = logging.getLogger("o2o.wechat")

# event -> (status key of O2O_WECHAT_TEMPLATES, what the message says)
STATUS_OF: dict[str, tuple[str, str]] = {
    "order.paid": ("order_paid", "已支付"),
    "fulfillment.pickup_ready": ("pickup_ready", "待取货"),
    "fulfillment.shipped": ("shipped", "已发货"),
    "order.cancelled": ("cancelled", "已取消"),
}


def _number(payload: Mapping[str, object]) -> str:
    return str(payload.get("number") or payload.get("order_number") or "")


def message_data(topic: str, payload: Mapping[str, object]) -> dict[str, str]:
    """The template's keywords: character_string1 = order number, phrase2 = status, thing3 = a note
    (the pickup code when the order is ready). Pick templates with these keywords in the console."""
    note = f"取件码 {payload['pickup_code']}" if topic == "fulfillment.pickup_ready" else "感谢您的惠顾"
    return {"character_string1": _number(payload)[:32], "phrase2": STATUS_OF[topic][1], "thing3": note[:20]}


def notify_order_status(wechat: WechatMini, templates: Mapping[str, str]) -> Handler:
    def notify(session: Session, delivery: Delivery) -> None:
        template = templates.get(STATUS_OF[delivery.topic][0])
        if not template:
            return
        facts = orders.facts(session, int(delivery.payload["order_id"]))  # type: ignore[call-overload]
        if facts is None or facts.customer_id is None:
            return
        used_for = f"{delivery.topic}:{delivery.id}"
        if session.scalar(select(WechatConsent.id).where(WechatConsent.used_for == used_for)) is not None:
            return  # this event's message went out already
        stmt = (select(WechatConsent).where(WechatConsent.customer_id == facts.customer_id,
                                            WechatConsent.template_id == template, WechatConsent.used_at.is_(None))
                .order_by(WechatConsent.id).limit(1))
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)  # two events at once use two consents, not one
        consent = session.scalars(stmt).first()
        if consent is None:
            return  # no consent left: no message (WeChat would refuse it anyway)
        try:
            msgid = wechat.send(consent.openid, template, message_data(delivery.topic, delivery.payload),
                                page=f"pages/order/detail?number={_number(delivery.payload)}")
            consent.msgid, consent.error = msgid[:40], None
        except WechatError as exc:
            if not exc.final:
                raise  # the relay retries later; the consent stays unused
            consent.error = str(exc)[:200]  # refused for good (consent gone): used up
        consent.used_at, consent.used_for = delivery.clock.now(), used_for
        session.flush()
        log.info("wechat %s for order %s: %s", template, _number(delivery.payload), consent.error or "sent")
    return notify


def forget_consents(session: Session, delivery: Delivery) -> None:
    """customers.erased: their openids go with them."""
    session.execute(delete(WechatConsent).where(WechatConsent.customer_id == int(delivery.payload["customer_id"])))
