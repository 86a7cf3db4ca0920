"""Location queries. Never commits."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Select, String, any_, bindparam, func, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from o2o.locations.models import WAREHOUSE, Location

_CANDIDATE_COLS = (Location.id, Location.kind, Location.name_zh, Location.lat, Location.lng,
                   Location.delivery_radius_m, Location.can_pickup, Location.can_store_delivery,
                   Location.can_parcel)


_PROFILE_COLS = (Location.timezone, Location.opening_hours, Location.hourly_capacity, Location.daily_capacity,
                 Location.district)


def _candidates(cells_in: Any, *extra_cols: Any) -> Select:
    return select(*_CANDIDATE_COLS, *extra_cols).where(
        Location.active.is_(True), Location.online_paused.is_(False),  # a paused store takes no online order
        or_(cells_in, Location.kind == WAREHOUSE, Location.id.in_(bindparam("extra", expanding=True))))


# built once: the hot path only binds parameters (statement construction dominated routing time). The
# cells (127 for 5 km) go as ONE parameter, not one each: an expanding IN re-rendered the statement and
# bound every cell on each order (PostgreSQL: an array, `= ANY`; SQLite: a JSON array read by json_each).
# The plan is the one it was: the OR with the warehouses scans the (small) location table either way
_CANDIDATES = {
    "postgresql": _candidates(Location.h3_cell == any_(bindparam("cells", type_=postgresql.ARRAY(String)))),
    "sqlite": _candidates(Location.h3_cell.in_(select(func.json_each(bindparam("cells", type_=String))
                                                      .table_valued("value").c.value))),
}


# the same with each location's profile (zone, hours, capacity, district): the sourcing engine's one read
_CANDIDATE_PROFILES = {
    "postgresql": _candidates(Location.h3_cell == any_(bindparam("cells", type_=postgresql.ARRAY(String))),
                              *_PROFILE_COLS),
    "sqlite": _candidates(Location.h3_cell.in_(select(func.json_each(bindparam("cells", type_=String))
                                                      .table_valued("value").c.value)), *_PROFILE_COLS),
}


def candidate_rows(session: Session, cells: list[str], extra_ids: list[int], profiles: bool = False) -> list[tuple]:
    """Active stores in the given H3 cells, every active warehouse, and the extra ids asked for; never a
    location whose online orders are paused. `profiles`: each row goes on with the location's profile."""
    dialect = session.get_bind().dialect.name
    param = orjson.dumps(cells).decode() if dialect == "sqlite" else cells
    stmt = (_CANDIDATE_PROFILES if profiles else _CANDIDATES)[dialect]
    return [tuple(r) for r in session.connection().execute(stmt, {"cells": param, "extra": extra_ids})]


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
