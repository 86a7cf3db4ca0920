"""Group buying queries and conditional updates; never commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.orm import Session, aliased

from o2o.groupbuy.models import ACTIVE, FAILED, FAILING, OPEN, SUCCEEDED, Deal, DealItem, Group, Member


def deal(s: Session, deal_id: int) -> Deal | None:
    return s.get(Deal, deal_id)


def deals(s: Session, now: datetime | None, limit: int = 200) -> list[Deal]:
    """With `now`: the deals on show (active, in their window), ending soonest first; else every deal,
    newest first (the operator's list)."""
    if now is None:
        return list(s.scalars(select(Deal).order_by(Deal.id.desc()).limit(limit)))
    return list(s.scalars(select(Deal).where(Deal.active.is_(True), Deal.starts_at <= now, Deal.ends_at > now)
                          .order_by(Deal.ends_at, Deal.id).limit(limit)))


def items(s: Session, deal_ids: Iterable[int]) -> dict[int, list[DealItem]]:
    out: dict[int, list[DealItem]] = {}
    ids = sorted(set(deal_ids))
    if ids:
        for it in s.scalars(select(DealItem).where(DealItem.deal_id.in_(ids)).order_by(DealItem.sku_id)):
            out.setdefault(it.deal_id, []).append(it)
    return out


def replace_items(s: Session, deal_id: int, rows: list[dict]) -> None:
    s.execute(delete(DealItem).where(DealItem.deal_id == deal_id))
    s.add_all(DealItem(deal_id=deal_id, **r) for r in rows)


def group(s: Session, group_id: int) -> Group | None:
    return s.get(Group, group_id)


def open_groups(s: Session, deal_id: int, now: datetime, limit: int = 50) -> list[Group]:
    """A deal's groups still taking members, the fullest first (they need the fewest)."""
    return list(s.scalars(select(Group).where(Group.deal_id == deal_id, Group.status == OPEN, Group.deadline > now,
                                              Group.joined < Group.size)
                          .order_by((Group.size - Group.joined), Group.deadline, Group.id).limit(limit)))


def insert_group(s: Session, deal_id: int, leader_id: int, size: int, now: datetime, deadline: datetime) -> int:
    g = Group(deal_id=deal_id, leader_id=leader_id, size=size, joined=0, paid=0, status=OPEN, opened_at=now,
              deadline=deadline)
    s.add(g)
    s.flush()
    return g.id


def take_slot(s: Session, group_id: int, now: datetime) -> bool:
    """One conditional UPDATE: two shoppers after the last slot at once, one gets it."""
    r = s.execute(update(Group).where(Group.id == group_id, Group.status == OPEN, Group.joined < Group.size,
                                      Group.deadline > now)
                  .values(joined=Group.joined + 1).execution_options(synchronize_session=False))
    return r.rowcount == 1


def take_portion(s: Session, deal_id: int, now: datetime) -> bool:
    r = s.execute(update(Deal).where(Deal.id == deal_id, Deal.active.is_(True), Deal.sold < Deal.stock_cap,
                                     Deal.starts_at <= now, Deal.ends_at > now)
                  .values(sold=Deal.sold + 1).execution_options(synchronize_session=False))
    return r.rowcount == 1


def give_back_portion(s: Session, deal_id: int) -> None:
    s.execute(update(Deal).where(Deal.id == deal_id, Deal.sold > 0).values(sold=Deal.sold - 1)
              .execution_options(synchronize_session=False))


def is_member(s: Session, group_id: int, customer_id: int) -> bool:
    return bool(s.scalar(select(exists().where(Member.group_id == group_id, Member.customer_id == customer_id,
                                               Member.status.in_(ACTIVE)))))


def member_by_number(s: Session, number: str) -> Member | None:
    return s.scalars(select(Member).where(Member.order_number == number)).first()


def members(s: Session, group_id: int) -> list[Member]:
    """Read afresh (the conditional UPDATEs of this transaction bypass the session's objects)."""
    return list(s.scalars(select(Member).where(Member.group_id == group_id).order_by(Member.id)
                          .execution_options(populate_existing=True)))


def move_member(s: Session, member_id: int, src: str, dst: str, **values: object) -> bool:
    """Conditional: the member moves only from `src`; False when it was not there (someone moved it first)."""
    r = s.execute(update(Member).where(Member.id == member_id, Member.status == src).values(status=dst, **values)
                  .execution_options(synchronize_session=False))
    return r.rowcount == 1


def count_paid(s: Session, group_id: int) -> None:
    s.execute(update(Group).where(Group.id == group_id, Group.status == OPEN).values(paid=Group.paid + 1)
              .execution_options(synchronize_session=False))


def succeed(s: Session, group_id: int, paid_at: datetime, now: datetime) -> bool:
    """Every slot paid, the last before the deadline: the group formed (once)."""
    r = s.execute(update(Group).where(Group.id == group_id, Group.status == OPEN, Group.paid >= Group.size,
                                      Group.deadline >= paid_at)
                  .values(status=SUCCEEDED, closed_at=now).execution_options(synchronize_session=False))
    return r.rowcount == 1


def free_slot(s: Session, group_id: int, was_paid: bool) -> None:
    """A member left an open group: their slot is free again."""
    s.execute(update(Group).where(Group.id == group_id, Group.status == OPEN)
              .values(joined=Group.joined - 1, paid=Group.paid - (1 if was_paid else 0))
              .execution_options(synchronize_session=False))


def due(s: Session, now: datetime, limit: int) -> list[int]:
    """Groups whose time ran out, and groups the worker started failing (a restart finishes them)."""
    return list(s.scalars(select(Group.id).where(
        (Group.status == FAILING) | and_(Group.status == OPEN, Group.deadline <= now))
        .order_by(Group.deadline, Group.id).limit(limit)))


def start_failing(s: Session, group_id: int, now: datetime) -> bool:
    r = s.execute(update(Group).where(Group.id == group_id, Group.status == OPEN, Group.deadline <= now)
                  .values(status=FAILING).execution_options(synchronize_session=False))
    return r.rowcount == 1


def finish_failing(s: Session, group_id: int, now: datetime) -> bool:
    """failing -> failed once no member holds a slot."""
    r = s.execute(update(Group).where(Group.id == group_id, Group.status == FAILING,
                                      ~exists().where(Member.group_id == group_id, Member.status.in_(ACTIVE)))
                  .values(status=FAILED, closed_at=now).execution_options(synchronize_session=False))
    return r.rowcount == 1


def of_customer(s: Session, customer_id: int, limit: int = 50) -> list[tuple[Member, Group, Deal]]:
    rows = s.execute(select(Member, Group, Deal).join(Group, Group.id == Member.group_id)
                     .join(Deal, Deal.id == Group.deal_id).where(Member.customer_id == customer_id)
                     .order_by(Member.joined_at.desc(), Member.id.desc()).limit(limit))
    return [(m, g, d) for m, g, d in rows]




def move_customer(s: Session, from_id: int, into_id: int) -> int:
    """A customer merge: the merged-away customer's places move to the survivor, but for a slot the
    survivor also holds in the same group (one slot per shopper per group): that one stays with the
    merged-away customer (its order is the survivor's all the same)."""
    theirs = aliased(Member)
    n = s.execute(update(Member).where(Member.customer_id == from_id, ~and_(Member.status.in_(ACTIVE), exists().where(
        theirs.group_id == Member.group_id, theirs.customer_id == into_id, theirs.status.in_(ACTIVE))))
        .values(customer_id=into_id).execution_options(synchronize_session=False)).rowcount
    s.execute(update(Group).where(Group.leader_id == from_id).values(leader_id=into_id)
              .execution_options(synchronize_session=False))
    return n
