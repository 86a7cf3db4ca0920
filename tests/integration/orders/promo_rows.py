"""Promotions, coupon templates and coupons as rows, for the orders' promotion tests (the campaign
editor and the coupon centre are other tests' business): real rows in the real tables."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from o2o.promotions import checkout
from o2o.promotions.models import Coupon, CouponTemplate, Promotion


def promotion(container: Any, **kw: Any) -> int:
    """A live automatic promotion (default 满30减5 on everything, both channels, no budget)."""
    now = container.clock.now()
    row = dict(kind="threshold", name_zh="满减", name_en="threshold", min_fen=3000, off_fen=500,
               starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=30), created_at=now,
               updated_at=now) | kw
    with container.uow() as uow:
        p = Promotion(**row)
        uow.session.add(p)
        uow.session.flush()
        pid = p.id
        uow.commit()
    checkout.forget()  # the process's cached live promotions
    return pid


def template(container: Any, **kw: Any) -> int:
    """A coupon template (default 满20减3, restored on cancel)."""
    now = container.clock.now()
    row = dict(kind="threshold", name_zh="满20减3券", name_en="3 off 20", min_fen=2000, off_fen=300,
               claim_from=now - timedelta(days=1), claim_until=now + timedelta(days=30), valid_days=30,
               created_at=now, updated_at=now) | kw
    with container.uow() as uow:
        t = CouponTemplate(**row)
        uow.session.add(t)
        uow.session.flush()
        tid = t.id
        uow.commit()
    return tid


def coupon(container: Any, template_id: int, customer_id: int, **kw: Any) -> int:
    """A coupon of the template in the customer's wallet, valid from yesterday for 30 days."""
    now = container.clock.now()
    row = dict(template_id=template_id, customer_id=customer_id, code=secrets.token_hex(8).upper(),
               valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=30), issued_at=now) | kw
    with container.uow() as uow:
        c = Coupon(**row)
        uow.session.add(c)
        uow.session.flush()
        cid = c.id
        uow.commit()
    return cid


def coupon_row(container: Any, coupon_id: int) -> Coupon:
    with container.db.read() as s:
        c = s.scalars(select(Coupon).where(Coupon.id == coupon_id)).one()
        s.expunge(c)
        return c


def spent(container: Any, model: type, row_id: int) -> int:
    with container.db.read() as s:
        return int(s.scalars(select(model.spent_fen).where(model.id == row_id)).one())


__all__ = ["Coupon", "CouponTemplate", "Promotion", "coupon", "coupon_row", "promotion", "spent", "template"]
