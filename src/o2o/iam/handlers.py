"""Accounts react to their own events: the sign-in code leaves by SMS, through the outbox."""

from __future__ import annotations

from sqlalchemy.orm import Session

from o2o.adapters.messages.sms import SmsSender
from o2o.kernel.outbox import Delivery, Handler


def send_code(sms: SmsSender) -> Handler:
    def send(session: Session, delivery: Delivery) -> None:
        p = delivery.payload
        code = p["code"]
        sms.send(p["phone"],
                 f"【O2O】验证码 {code}，{p['minutes']} 分钟内有效，请勿告诉他人。"
                 f" Your sign-in code is {code}, valid for {p['minutes']} minutes.",
                 dedupe_key=f"code:{delivery.id}", session=session,
                 kind="sign_in_code", params={"code": code, "minutes": str(p["minutes"])})
    return send
