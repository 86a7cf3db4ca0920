"""Locations API."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from o2o.deps import ContainerDep, Uow
from o2o.kernel.ids import Id
from o2o.locations import service
from o2o.locations.schemas import LocationIn, LocationOut

router = APIRouter(prefix="/api/v1", tags=["locations"])


@router.get("/locations", response_model=list[LocationOut])
def list_locations(c: ContainerDep, lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
                   lng: Annotated[float | None, Query(ge=-180, le=180)] = None,
                   radius_m: Annotated[int, Query(ge=1, le=50_000)] = 5_000,
                   kind: Literal["store", "warehouse"] | None = None) -> list[LocationOut]:
    """All locations, or those within radius_m of (lat, lng), nearest first."""
    if lat is not None and lng is not None:
        return service.nearby(c.db, lat, lng, radius_m, kind)
    return service.list_all(c.db, kind)


@router.get("/locations/{location_id}", response_model=LocationOut)
def get_location(c: ContainerDep, location_id: Id) -> LocationOut:
    return service.get(c.db, location_id)


@router.post("/locations", response_model=LocationOut, status_code=201)
def create_location(uow: Uow, body: LocationIn) -> LocationOut:
    return service.create(uow, body)
