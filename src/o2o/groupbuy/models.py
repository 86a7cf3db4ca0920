"""Group buying (拼团): deals an operator sets up, the groups shoppers open on them, and each group's members.

A deal sells a fixed bundle (its items, each at a group price in fen) to groups of `group_size` buyers
who must all pay within `hours` of the group's opening. Each member's purchase is an ordinary order
(placed through orders with the deal's prices, its stock reserved as usual), held from fulfilment until
the group forms. `joined` counts the members holding a slot (joined or paid), `paid` those who paid;
a slot is taken by one conditional UPDATE (`joined < size`). `sold` counts the portions a deal has
handed out against its `stock_cap` (one per member; a member who leaves gives it back).

Group states: open -> succeeded (every slot paid within the time: the orders go to fulfilment), or
open -> failing (time ran out) -> failed (every order cancelled, refunded and its stock released;
`failing` is the worker's mark that it has started, so a restart finishes the job).
Member states: joined -> paid; joined/paid -> left (their order was cancelled or expired while the
group was open) or failed (the group failed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from o2o.kernel.db import Base, BigId

OPEN, SUCCEEDED, FAILING, FAILED = "open", "succeeded", "failing", "failed"
GROUP_STATES = (OPEN, SUCCEEDED, FAILING, FAILED)
JOINED, PAID, LEFT, FAILED_MEMBER = "joined", "paid", "left", "failed"
ACTIVE = (JOINED, PAID)  # members holding a slot
MODES = ("pickup", "store_delivery", "parcel")


class Deal(Base):
    __tablename__ = "groupbuy_deal"
    __table_args__ = (
        CheckConstraint("group_size >= 2", name="group_size_min"),
        CheckConstraint("hours >= 1", name="hours_min"),
        CheckConstraint("sold >= 0 AND sold <= stock_cap", name="sold_within_cap"),
        Index("ix_groupbuy_deal_window", "active", "ends_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    title_zh: Mapped[str] = mapped_column(String(80))
    title_en: Mapped[str] = mapped_column(String(120))
    group_size: Mapped[int]
    hours: Mapped[int]  # a group must fill and pay within this many hours of opening
    modes: Mapped[list[Any]]  # allowed fulfilment modes (pickup, store_delivery, parcel)
    location_ids: Mapped[list[Any]]  # the stores that serve it; empty: wherever orders route
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]  # no group opens after it; a group's deadline is never later
    stock_cap: Mapped[int]  # portions the deal may hand out
    sold: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DealItem(Base):
    """One SKU of a deal's bundle: `quantity` units at `price_fen` each."""

    __tablename__ = "groupbuy_deal_item"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),
                      CheckConstraint("price_fen >= 0", name="price_non_negative"))

    deal_id: Mapped[int] = mapped_column(ForeignKey("groupbuy_deal.id"), primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"), primary_key=True)
    quantity: Mapped[int]
    price_fen: Mapped[int]


class Group(Base):
    __tablename__ = "groupbuy_group"
    __table_args__ = (
        CheckConstraint("joined >= 0 AND joined <= size", name="joined_within_size"),
        CheckConstraint("paid >= 0 AND paid <= joined", name="paid_within_joined"),
        Index("ix_groupbuy_group_deal", "deal_id", "status"),
        Index("ix_groupbuy_group_due", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("groupbuy_deal.id"))
    leader_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    size: Mapped[int]
    joined: Mapped[int] = mapped_column(default=0)
    paid: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default=OPEN)
    opened_at: Mapped[datetime]
    deadline: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class Member(Base):
    __tablename__ = "groupbuy_member"
    __table_args__ = (
        # one slot per shopper in a group while they hold it
        Index("uq_groupbuy_member_active", "group_id", "customer_id", unique=True,
              sqlite_where=text("status IN ('joined', 'paid')"),
              postgresql_where=text("status IN ('joined', 'paid')")),
        Index("ix_groupbuy_member_customer", "customer_id", "joined_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groupbuy_group.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    order_number: Mapped[str] = mapped_column(String(24), unique=True)  # the member's order
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"), unique=True)  # known once paid
    status: Mapped[str] = mapped_column(String(8), default=JOINED)
    joined_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
