"""Stores and warehouses: create, list, and find the candidates near a point."""

from __future__ import annotations

from sqlalchemy.orm import Session

from o2o.kernel import geo
from o2o.kernel.db import Database
from o2o.kernel.errors import NotFound
from o2o.kernel.lookups import flush_unique, get_or_404
from o2o.kernel.uow import UnitOfWork
from o2o.locations import repository as repo
from o2o.locations import table
from o2o.locations.models import DEFAULT_HOURS, Location
from o2o.locations.schemas import Candidate, LocationIn, LocationOut, LocationUpdate, Profile


def create(uow: UnitOfWork, data: LocationIn) -> LocationOut:
    with uow:
        values = data.model_dump()
        values["opening_hours"] = values["opening_hours"] or DEFAULT_HOURS
        loc = Location(**values, h3_cell=geo.cell_of(data.lat, data.lng), created_at=uow.clock.now())
        uow.session.add(loc)
        flush_unique(uow.session, f"location code {data.code!r} already exists", "code")
        out = LocationOut.model_validate(loc)
        uow.describe(f"location={loc.id}")
        uow.publish("locations.created", {"location_id": loc.id})
        uow.commit()
        return out


def update(uow: UnitOfWork, location_id: int, data: LocationUpdate) -> LocationOut:
    """Head office edits a location: hours, reach, services, capacity, paused online orders. The audit
    log names the fields changed; `locations.updated` tells the other areas."""
    with uow:
        loc = uow.session.get(Location, location_id, with_for_update=True)
        if loc is None:
            raise NotFound("location", location_id)
        changed = sorted(k for k, v in data.model_dump().items() if getattr(loc, k) != v)
        for k in changed:
            setattr(loc, k, getattr(data, k))
        if "lat" in changed or "lng" in changed:
            loc.h3_cell = geo.cell_of(loc.lat, loc.lng)
        uow.session.flush()
        out = LocationOut.model_validate(loc)
        uow.describe(f"location={loc.id}", changed=",".join(changed) or "nothing",
                     online_paused=loc.online_paused)
        if changed:
            uow.publish("locations.updated", {"location_id": loc.id, "changed": changed,
                                              "online_paused": loc.online_paused})
        uow.commit()
        return out


def get(db: Database, location_id: int) -> LocationOut:
    with db.read() as s:
        return LocationOut.model_validate(get_or_404(s, Location, location_id, "location"))


def point_of(session: Session, location_id: int) -> tuple[float, float]:
    """An active location's (lat, lng) (a pickup order's point: its coordinates only, not the whole row)."""
    found = repo.active_point(session, location_id)
    if found is None:
        raise NotFound("location", location_id)
    return found


def nearby(db: Database, lat: float, lng: float, radius_m: float, kind: str | None = "store") -> list[LocationOut]:
    """Locations within radius_m of the point, nearest first, each with its distance."""
    with db.read() as s:
        rows = repo.list_locations(s, kind, geo.cells_within(lat, lng, radius_m))
        out = []
        for loc in rows:
            d = geo.haversine_m(lat, lng, loc.lat, loc.lng)
            if d <= radius_m:
                item = LocationOut.model_validate(loc)
                item.distance_m = round(d)
                out.append(item)
        return sorted(out, key=lambda x: x.distance_m or 0)


def list_all(db: Database, kind: str | None = None) -> list[LocationOut]:
    with db.read() as s:
        return [LocationOut.model_validate(loc) for loc in repo.list_locations(s, kind, None)]


def candidates(session: Session, lat: float | None, lng: float | None, max_radius_m: float,
               extra_ids: list[int] | None = None) -> list[Candidate]:
    """Stores whose cells lie within max_radius_m of the point, all warehouses, and extra_ids."""
    return [_candidate(row, lat, lng) for row in _rows(table.table(session), lat, lng, max_radius_m, extra_ids)]


def candidates_with_profiles(session: Session, lat: float | None, lng: float | None, max_radius_m: float,
                             extra_ids: list[int] | None = None) -> list[tuple[Candidate, Profile]]:
    """`candidates`, each with its profile (the sourcing engine's read when placing)."""
    tab = table.table(session)
    return [(_candidate(row, lat, lng), tab.profiles[row[0]])
            for row in _rows(tab, lat, lng, max_radius_m, extra_ids)]


def _rows(tab: table.Table, lat: float | None, lng: float | None, max_radius_m: float,
          extra_ids: list[int] | None) -> list[tuple]:
    """The candidates' rows, from the per-process table (`locations.table`)."""
    cells = geo.cells_within(lat, lng, max_radius_m) if lat is not None and lng is not None else []
    return tab.rows(cells, extra_ids or [])


def _candidate(row: tuple, lat: float | None, lng: float | None) -> Candidate:
    lid, kind, name, llat, llng, radius, pickup, delivery, parcel = row[:9]
    dist = geo.haversine_m(lat, lng, llat, llng) if lat is not None and lng is not None else None
    return Candidate(id=lid, kind=kind, name=name, lat=llat, lng=llng, radius_m=radius, can_pickup=pickup,
                     can_store_delivery=delivery, can_parcel=parcel, distance_m=dist)


def kind_of(session: Session, location_id: int) -> str | None:
    """"store", "warehouse", or None when there is no such location."""
    loc = session.get(Location, location_id)
    return loc.kind if loc else None


def profiles(session: Session, ids: list[int]) -> dict[int, Profile]:
    """Zone, opening hours, capacity and district of these locations (for the sourcing engine)."""
    return {r[0]: Profile(*r) for r in repo.profile_rows(session, ids)} if ids else {}
