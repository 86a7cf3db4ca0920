"""A customer's one-time WeChat subscription consents (wx.requestSubscribeMessage: "accept")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId
from o2o.kernel.pii import Encrypted


class WechatConsent(Base):
    """One accepted template = one message (WeChat's one-time subscription): a consent is used by the
    first message sent with it (`used_at`, `used_for` = the event and handler, `msgid` from WeChat).
    The openid is personal data: sealed, with a lookup hash."""

    __tablename__ = "wechat_consent"
    __table_args__ = (Index("ix_wechat_consent_open", "customer_id", "template_id", "used_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(BigId)
    template_id: Mapped[str] = mapped_column(String(64))
    openid: Mapped[str] = mapped_column(Encrypted())
    openid_hash: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_for: Mapped[str | None] = mapped_column(String(120), unique=True)
    msgid: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(String(200))
