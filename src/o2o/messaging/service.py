"""Delivery receipts of SMS providers, and WeChat one-time subscription consents."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from o2o.adapters.messages.models import SmsSend
from o2o.customers import service as customers
from o2o.kernel import pii
from o2o.kernel.errors import Forbidden
from o2o.kernel.uow import UnitOfWork
from o2o.messaging.models import WechatConsent
from o2o.messaging.schemas import AliyunReceipt, SubscriptionIn, SubscriptionOut, TencentReceipt

BEIJING = timedelta(hours=8)


def _beijing(text: str) -> datetime | None:
    """The providers' "YYYY-MM-DD HH:MM:SS" in Beijing time, as UTC (None if absent or malformed)."""
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC) - BEIJING
    except ValueError:
        return None


def record_receipts(uow: UnitOfWork, provider: str, items: Iterable[AliyunReceipt | TencentReceipt]) -> int:
    """Mark the sends the receipts name delivered or undelivered (a receipt for a message we never
    sent, or already reported, changes nothing). Returns how many sends changed."""
    changed = 0
    with uow:
        s, now = uow.session, uow.clock.now()
        for item in items:
            if isinstance(item, AliyunReceipt):
                ref, ok, at = item.biz_id, item.success, _beijing(item.report_time)
                report = f"{item.err_code} {item.err_msg}".strip()
            else:
                ref, ok, at = item.sid, item.report_status == "SUCCESS", _beijing(item.user_receive_time)
                report = f"{item.errmsg} {item.description}".strip()
            row = s.scalars(select(SmsSend).where(SmsSend.provider == provider, SmsSend.provider_message_id == ref)
                            .with_for_update()).first()
            if row is None or row.status not in ("sent",):
                continue
            row.status = "delivered" if ok else "undelivered"
            row.reported_at = at or now
            row.report = report[:200] or None
            changed += 1
        uow.describe(f"sms_receipts={provider}", changed=changed)
        uow.commit()
    return changed


def subscribe(uow: UnitOfWork, customer_id: int, data: SubscriptionIn, known: Iterable[str]) -> SubscriptionOut:
    """One consent row per accepted template we use (others are ignored): each allows one message."""
    known = set(known)
    accepted = sorted(t for t, choice in data.results.items() if choice == "accept" and t in known)
    with uow:
        s, now = uow.session, uow.clock.now()
        owner = customers.find_by_identity(s, "wechat_openid", data.openid)
        if owner is not None and owner != customer_id:  # someone else's openid: their messages are theirs
            raise Forbidden("this WeChat openid belongs to another customer")
        for template in accepted:
            s.add(WechatConsent(customer_id=customer_id, template_id=template, openid=data.openid,
                                openid_hash=pii.lookup_hash(data.openid, "wechat_openid"), granted_at=now))
        s.flush()
        open_ = dict(s.execute(select(WechatConsent.template_id, func.count()).where(
            WechatConsent.customer_id == customer_id, WechatConsent.used_at.is_(None))
            .group_by(WechatConsent.template_id)).tuples().all())
        uow.describe(f"customer={customer_id}", templates=accepted)
        uow.commit()
    return SubscriptionOut(accepted=accepted, open=open_)


def forget_sends(uow: UnitOfWork, before: datetime) -> int:
    """The worker's periodic purge: records of SMS sent before `before` go (phone, ids, receipts)."""
    with uow:
        n = uow.session.execute(delete(SmsSend).where(SmsSend.sent_at < before)).rowcount
        uow.commit()
    return n
