"""Customers (minimal profile; the members issue deepens it) and their addresses.

Name, phone, email and address fields (recipient included) are encrypted at rest (`Encrypted`), and
so are the home and address coordinates (`EncryptedFloat`: floats in Python, tokens in the database,
so never compared or sorted in SQL); phone and email are found by their keyed lookup hash (unique),
never by the ciphertext. Nothing searches by name, so a name has no lookup hash (a keyed hash of a
name would still show who shares one). An erased customer keeps its row (orders and ledgers point at
it) with the personal fields cleared and `erased_at` set.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId
from o2o.kernel.pii import Encrypted, EncryptedFloat


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(Encrypted())
    phone: Mapped[str | None] = mapped_column(Encrypted())
    phone_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(Encrypted())
    email_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    home_lat: Mapped[float | None] = mapped_column(EncryptedFloat())
    home_lng: Mapped[float | None] = mapped_column(EncryptedFloat())
    created_at: Mapped[datetime]
    erased_at: Mapped[datetime | None]


class Address(Base):
    __tablename__ = "address"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    label: Mapped[str] = mapped_column(String(40), default="")
    recipient: Mapped[str] = mapped_column(Encrypted(), default="")
    phone: Mapped[str] = mapped_column(Encrypted(), default="")
    district: Mapped[str] = mapped_column(String(60), default="")
    line: Mapped[str] = mapped_column(Encrypted())
    lat: Mapped[float] = mapped_column(EncryptedFloat())
    lng: Mapped[float] = mapped_column(EncryptedFloat())
    created_at: Mapped[datetime]
