"""Customers (minimal profile; the members issue deepens it) and their addresses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    home_lat: Mapped[float | None]
    home_lng: Mapped[float | None]
    created_at: Mapped[datetime]


class Address(Base):
    __tablename__ = "address"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    label: Mapped[str] = mapped_column(String(40), default="")
    recipient: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    district: Mapped[str] = mapped_column(String(60), default="")
    line: Mapped[str] = mapped_column(String(300))
    lat: Mapped[float]
    lng: Mapped[float]
    created_at: Mapped[datetime]
