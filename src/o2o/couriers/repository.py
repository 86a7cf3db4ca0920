"""Courier queries; never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from o2o.couriers.models import CourierAttempt, CourierDelivery, CourierHistory


def locked(session: Session, delivery_id: int) -> CourierDelivery | None:
    return session.scalars(select(CourierDelivery).where(CourierDelivery.id == delivery_id)
                           .with_for_update().execution_options(populate_existing=True)).first()


def of_fulfillment(session: Session, fulfillment_id: int) -> CourierDelivery | None:
    return session.scalars(select(CourierDelivery).where(CourierDelivery.fulfillment_id == fulfillment_id)).first()


def of_return(session: Session, return_id: int) -> CourierDelivery | None:
    return session.scalars(select(CourierDelivery).where(CourierDelivery.return_id == return_id)).first()


def of_returns(session: Session, return_ids: list[int]) -> list[CourierDelivery]:
    if not return_ids:
        return []
    return list(session.scalars(select(CourierDelivery).where(CourierDelivery.return_id.in_(return_ids))))


def of_order(session: Session, order_id: int) -> list[CourierDelivery]:
    return list(session.scalars(select(CourierDelivery).where(CourierDelivery.order_id == order_id)
                                .order_by(CourierDelivery.id)))


def of_fulfillments(session: Session, fulfillment_ids: list[int]) -> list[CourierDelivery]:
    if not fulfillment_ids:
        return []
    return list(session.scalars(select(CourierDelivery).where(CourierDelivery.fulfillment_id.in_(fulfillment_ids))))


def attempt_by_origin(session: Session, origin_id: str) -> CourierAttempt | None:
    return session.scalars(select(CourierAttempt).where(CourierAttempt.origin_id == origin_id)).first()


def attempts_of(session: Session, delivery_id: int) -> list[CourierAttempt]:
    return list(session.scalars(select(CourierAttempt).where(CourierAttempt.delivery_id == delivery_id)
                                .order_by(CourierAttempt.id)))


def attempt_count(session: Session, delivery_id: int) -> int:
    return session.scalar(select(func.count()).select_from(CourierAttempt)
                          .where(CourierAttempt.delivery_id == delivery_id)) or 0


def history_of(session: Session, delivery_id: int) -> list[CourierHistory]:
    return list(session.scalars(select(CourierHistory).where(CourierHistory.delivery_id == delivery_id)
                                .order_by(CourierHistory.id)))


def waiting_before(session: Session, status: str, before: datetime, limit: int) -> list[int]:
    return list(session.scalars(select(CourierDelivery.id).where(
        CourierDelivery.status == status, CourierDelivery.waiting_since < before)
        .order_by(CourierDelivery.id).limit(limit)))


def quiet_since(session: Session, statuses: tuple[str, ...], before: datetime, limit: int) -> list[tuple[str, str]]:
    """(provider, origin id) of deliveries in these statuses not updated since `before` (lost callbacks?)."""
    rows = session.execute(select(CourierDelivery.provider, CourierDelivery.origin_id).where(
        CourierDelivery.status.in_(statuses), CourierDelivery.updated_at < before,
        CourierDelivery.origin_id.is_not(None)).order_by(CourierDelivery.updated_at).limit(limit))
    return [(p, o) for p, o in rows if p and o]
