"""Location queries. Never commits."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from o2o.locations.models import Location

_CANDIDATE_COLS = (Location.id, Location.kind, Location.name_zh, Location.lat, Location.lng,
                   Location.delivery_radius_m, Location.can_pickup, Location.can_store_delivery,
                   Location.can_parcel)


_PROFILE_COLS = (Location.timezone, Location.opening_hours, Location.hourly_capacity, Location.daily_capacity,
                 Location.district)


_ACTIVE = select(Location.h3_cell, *_CANDIDATE_COLS, *_PROFILE_COLS).where(
    Location.active.is_(True), Location.online_paused.is_(False))


def active_rows(session: Session) -> list[tuple]:
    """(h3 cell, then the candidate and profile columns) of every active location that takes online orders
    (a paused store takes none): the candidates of routing and sourcing are these (`locations.table`)."""
    return [tuple(r) for r in session.connection().execute(_ACTIVE)]


_POINT = select(Location.lat, Location.lng).where(Location.id == bindparam("id"), Location.active.is_(True))


def active_point(session: Session, location_id: int) -> tuple[float, float] | None:
    row = session.connection().execute(_POINT, {"id": location_id}).first()
    return (row[0], row[1]) if row is not None else None


def list_locations(session: Session, kind: str | None, cells: list[str] | None) -> list[Location]:
    stmt = select(Location).where(Location.active.is_(True))
    if kind:
        stmt = stmt.where(Location.kind == kind)
    if cells is not None:
        stmt = stmt.where(Location.h3_cell.in_(cells))
    return list(session.scalars(stmt.order_by(Location.id)))


_PROFILES = select(Location.id, Location.timezone, Location.opening_hours, Location.hourly_capacity,
                   Location.daily_capacity, Location.district).where(Location.id.in_(bindparam("ids", expanding=True)))


def profile_rows(session: Session, ids: list[int]) -> list[tuple]:
    return [tuple(r) for r in session.connection().execute(_PROFILES, {"ids": ids})]
