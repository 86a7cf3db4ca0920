"""Geography: H3 cells to find candidates fast, haversine for the true distance."""

from __future__ import annotations

import functools
import math

import h3

EARTH_RADIUS_M = 6_371_008.8
CELL_RES = 7  # ~1.4 km edge: a 3 km radius is a disk of a few dozen cells
_EDGE_M = h3.average_hexagon_edge_length(CELL_RES, unit="m")


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def cell_of(lat: float, lng: float) -> str:
    return h3.latlng_to_cell(lat, lng, CELL_RES)


def ring_size_for(radius_m: float) -> int:
    """Grid distance k so that grid_disk(k) covers every point within radius_m.

    Neighbouring cell centres are ~sqrt(3) edges apart; cells shrink up to ~1.5x away
    from the icosahedron centres, so we take a conservative 0.5 * sqrt(3) edges per ring
    and add one ring for a point sitting at the edge of its own cell.
    """
    per_ring = _EDGE_M * math.sqrt(3) * 0.5
    return math.ceil(radius_m / per_ring) + 1


def cells_within(lat: float, lng: float, radius_m: float) -> list[str]:
    return list(_disk(cell_of(lat, lng), ring_size_for(radius_m)))


@functools.lru_cache(maxsize=512)  # ~12 kB an entry
def _disk(cell: str, k: int) -> tuple[str, ...]:
    """The cells within k rings of a cell (a pure function of both: every order routed from the same cell
    asks the same disk, 127 cells for 5 km, so it is worked out once)."""
    return tuple(h3.grid_disk(cell, k))
