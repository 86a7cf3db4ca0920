"""Location queries. Never commits."""

from __future__ import annotations

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from o2o.locations.models import WAREHOUSE, Location

_CANDIDATE_COLS = (Location.id, Location.kind, Location.name_zh, Location.lat, Location.lng,
                   Location.delivery_radius_m, Location.can_pickup, Location.can_store_delivery,
                   Location.can_parcel)


# built once: the hot path only binds parameters (statement construction dominated routing time)
_CANDIDATES = select(*_CANDIDATE_COLS).where(
    Location.active.is_(True), Location.online_paused.is_(False),  # a paused store takes no online order
    or_(Location.h3_cell.in_(bindparam("cells", expanding=True)), Location.kind == WAREHOUSE,
        Location.id.in_(bindparam("extra", expanding=True))))


def candidate_rows(session: Session, cells: list[str], extra_ids: list[int]) -> list[tuple]:
    """Active stores in the given H3 cells, every active warehouse, and the extra ids asked for; never a
    location whose online orders are paused."""
    return [tuple(r) for r in session.execute(_CANDIDATES, {"cells": cells, "extra": extra_ids})]


def list_locations(session: Session, kind: str | None, cells: list[str] | None) -> list[Location]:
    stmt = select(Location).where(Location.active.is_(True))
    if kind:
        stmt = stmt.where(Location.kind == kind)
    if cells is not None:
        stmt = stmt.where(Location.h3_cell.in_(cells))
    return list(session.scalars(stmt.order_by(Location.id)))
