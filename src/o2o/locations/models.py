"""Stores and warehouses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, String, false
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId

STORE = "store"
WAREHOUSE = "warehouse"
DEFAULT_HOURS: dict[str, Any] = {d: [["08:00", "22:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


class Location(Base):
    __tablename__ = "location"
    __table_args__ = (
        CheckConstraint("kind in ('store', 'warehouse')", name="kind"),
        CheckConstraint("lat between -90 and 90 and lng between -180 and 180", name="coordinates"),
        CheckConstraint("delivery_radius_m >= 0", name="radius"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    district: Mapped[str] = mapped_column(String(60), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float]
    lng: Mapped[float]
    h3_cell: Mapped[str] = mapped_column(String(16), index=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    opening_hours: Mapped[dict[str, Any]]
    can_pickup: Mapped[bool] = mapped_column(default=True)
    can_store_delivery: Mapped[bool] = mapped_column(default=True)
    can_parcel: Mapped[bool] = mapped_column(default=False)
    delivery_radius_m: Mapped[int] = mapped_column(default=3000)
    hourly_capacity: Mapped[int] = mapped_column(default=60)
    daily_capacity: Mapped[int] = mapped_column(default=600)
    phone: Mapped[str] = mapped_column(String(32), default="")  # the store's public number (not personal data)
    active: Mapped[bool] = mapped_column(default=True)
    online_paused: Mapped[bool] = mapped_column(default=False, server_default=false())  # no new online orders
    created_at: Mapped[datetime]
