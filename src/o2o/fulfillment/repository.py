"""Fulfilment queries. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import Session

from o2o.fulfillment.models import (
    CANCELLED,
    OPEN,
    READY,
    FulfillmentHistory,
    FulfillmentLine,
    FulfillmentOrder,
    SourcingDecision,
    SourcingRule,
)
from o2o.kernel import idlists


def locked(session: Session, fulfillment_id: int) -> FulfillmentOrder | None:
    return session.scalars(select(FulfillmentOrder).where(FulfillmentOrder.id == fulfillment_id)
                           .with_for_update()).first()


def code_in_use(session: Session, location_id: int, code: str) -> bool:
    return session.scalar(select(FulfillmentOrder.id).where(
        FulfillmentOrder.location_id == location_id, FulfillmentOrder.pickup_code == code,
        FulfillmentOrder.status.in_(OPEN))) is not None


def of_order(session: Session, order_id: int, lock: bool = False) -> list[FulfillmentOrder]:
    stmt = select(FulfillmentOrder).where(FulfillmentOrder.order_id == order_id).order_by(FulfillmentOrder.id)
    if lock:  # until the commit: a store starting to pick waits (or is waited for)
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return list(session.scalars(stmt))


def lines_of(session: Session, fulfillment_id: int) -> list[FulfillmentLine]:
    return list(session.scalars(select(FulfillmentLine).where(FulfillmentLine.fulfillment_id == fulfillment_id)
                                .order_by(FulfillmentLine.id)))


def history_of(session: Session, fulfillment_id: int) -> list[FulfillmentHistory]:
    return list(session.scalars(select(FulfillmentHistory).where(FulfillmentHistory.fulfillment_id == fulfillment_id)
                                .order_by(FulfillmentHistory.id)))


def queue(session: Session, location_id: int, status: str | None, offset: int,
          limit: int) -> tuple[list[FulfillmentOrder], int]:
    stmt = select(FulfillmentOrder).where(FulfillmentOrder.location_id == location_id)
    stmt = stmt.where(FulfillmentOrder.status == status) if status else stmt.where(FulfillmentOrder.status.in_(OPEN))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return list(session.scalars(stmt.order_by(FulfillmentOrder.id).offset(offset).limit(limit))), total


def ready_pickup_by_code(session: Session, location_id: int, code: str) -> int | None:
    """The READY pickup at this location whose code this is (codes are unique among open ones)."""
    return session.scalar(select(FulfillmentOrder.id).where(
        FulfillmentOrder.location_id == location_id, FulfillmentOrder.status == READY,
        FulfillmentOrder.pickup_code == code).limit(1))


def closed_since(session: Session, location_id: int, statuses: tuple[str, ...], since: datetime, offset: int,
                 limit: int) -> tuple[list[FulfillmentOrder], int]:
    """Fulfilments of this location that reached one of `statuses` at or after `since`, latest first."""
    stmt = select(FulfillmentOrder).where(FulfillmentOrder.location_id == location_id,
                                          FulfillmentOrder.status.in_(statuses), FulfillmentOrder.closed_at >= since)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(FulfillmentOrder.closed_at.desc(), FulfillmentOrder.id.desc())
                           .offset(offset).limit(limit))
    return list(rows), total


def failed_attempts(session: Session, location_id: int) -> dict[int, int]:
    """Wrong pickup codes so far of this location's READY fulfilments that had any."""
    rows = session.execute(select(FulfillmentOrder.id, FulfillmentOrder.failed_code_attempts).where(
        FulfillmentOrder.location_id == location_id, FulfillmentOrder.status == READY,
        FulfillmentOrder.failed_code_attempts > 0))
    return {fid: n for fid, n in rows}


def line_of(session: Session, fulfillment_id: int, sku_id: int) -> FulfillmentLine | None:
    """The fulfilment's line of this SKU (the fulfilment is locked by the caller)."""
    return session.scalars(select(FulfillmentLine).where(FulfillmentLine.fulfillment_id == fulfillment_id,
                                                         FulfillmentLine.sku_id == sku_id)).first()


def count_status(session: Session, location_id: int | None, status: str) -> int:
    stmt = select(func.count()).select_from(FulfillmentOrder).where(FulfillmentOrder.status == status)
    if location_id is not None:
        stmt = stmt.where(FulfillmentOrder.location_id == location_id)
    return session.scalar(stmt) or 0


def latest_id(session: Session, location_id: int) -> int:
    """The newest open fulfilment (a new order arrives open): the open range of the (location, status)
    index, however long the location's history."""
    return session.scalar(select(func.max(FulfillmentOrder.id)).where(
        FulfillmentOrder.location_id == location_id, FulfillmentOrder.status.in_(OPEN))) or 0


def open_counts(session: Session, location_id: int) -> dict[str, int]:
    rows = session.execute(select(FulfillmentOrder.status, func.count()).where(
        FulfillmentOrder.location_id == location_id, FulfillmentOrder.status.in_(OPEN)).group_by(FulfillmentOrder.status))
    return {status: n for status, n in rows}


_fo = FulfillmentOrder
# built once (placing an order runs it: building the statement cost as much as running it)
_ASSIGNED = {d: (select(_fo.location_id, func.sum(case((_fo.created_at >= bindparam("hour"), 1), else_=0)),
                       func.count())
                .where(idlists.member_of(_fo.location_id, "ids")[d], _fo.created_at >= bindparam("day"),
                       _fo.status != CANCELLED).group_by(_fo.location_id))
             for d in idlists.DIALECTS}


def assigned_since(session: Session, location_ids: list[int], hour_start: datetime,
                   day_start: datetime) -> dict[int, tuple[int, int]]:
    """Per location: fulfilments (not cancelled) made since `hour_start` and since `day_start`."""
    d = session.get_bind().dialect.name
    rows = session.connection().execute(_ASSIGNED[d], {"ids": idlists.bound(d, location_ids), "hour": hour_start,
                                                       "day": day_start})
    return {loc: (int(h or 0), int(d)) for loc, h, d in rows}


def rules(session: Session, enabled_only: bool = False) -> list[SourcingRule]:
    stmt = select(SourcingRule).order_by(SourcingRule.position, SourcingRule.id)
    if enabled_only:
        stmt = stmt.where(SourcingRule.enabled.is_(True))
    return list(session.scalars(stmt))


def rules_locked(session: Session) -> list[SourcingRule]:
    return list(session.scalars(select(SourcingRule).order_by(SourcingRule.position, SourcingRule.id)
                                .with_for_update()))


def decisions_of(session: Session, order_number: str) -> list[SourcingDecision]:
    return list(session.scalars(select(SourcingDecision).where(SourcingDecision.order_number == order_number)
                                .order_by(SourcingDecision.id)))
