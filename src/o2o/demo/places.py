"""Stores and warehouses of the demo chain, at real Shanghai places, and distances between points."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from o2o.demo.geo_data import DISTRICTS, NEIGHBOURHOODS, URBAN_LAT, URBAN_LNG, WAREHOUSE_SITES
from o2o.kernel.geo import EARTH_RADIUS_M, cell_of

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LNG = 111_320.0 * float(np.cos(np.radians(31.2)))
HOOD_LAT = np.array([h.lat for h in NEIGHBOURHOODS])
HOOD_LNG = np.array([h.lng for h in NEIGHBOURHOODS])
HOOD_WEIGHT = np.array([h.weight for h in NEIGHBOURHOODS])
IN_BOX = (np.clip(HOOD_LAT, *URBAN_LAT) == HOOD_LAT) & (np.clip(HOOD_LNG, *URBAN_LNG) == HOOD_LNG)


def hours(open_: str, close: str) -> dict[str, Any]:
    return {d: [[open_, close]] for d in WEEK}


ALL_DAY = hours("00:00", "24:00")


@dataclass
class Locations:
    """Location rows plus the arrays the simulation needs (index i = rows[i])."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    hood: list[int] = field(default_factory=list)  # nearest neighbourhood (for street names)
    lat: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lng: np.ndarray = field(default_factory=lambda: np.zeros(0))
    is_store: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    delivers: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    radius: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    opens: list[tuple[int, int]] = field(default_factory=list)  # (open, close) in local minutes

    @property
    def ids(self) -> list[int]:
        return [r["id"] for r in self.rows]

    @property
    def stores(self) -> np.ndarray:
        return np.flatnonzero(self.is_store)

    @property
    def warehouses(self) -> np.ndarray:
        return np.flatnonzero(~self.is_store)


def haversine(lat1: np.ndarray | float, lng1: np.ndarray | float,
              lat2: np.ndarray | float, lng2: np.ndarray | float) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lng2) - np.asarray(lng1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def nearest(lat: np.ndarray, lng: np.ndarray, to_lat: np.ndarray, to_lng: np.ndarray,
            k: int, chunk: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """For each point, the k nearest targets (indices, metres), nearest first."""
    k = min(k, len(to_lat))
    idx = np.zeros((len(lat), k), dtype=np.int64)
    dist = np.zeros((len(lat), k))
    for s in range(0, len(lat), chunk):
        d = haversine(lat[s:s + chunk, None], lng[s:s + chunk, None], to_lat[None, :], to_lng[None, :])
        part = np.argpartition(d, k - 1, axis=1)[:, :k] if k < d.shape[1] else np.tile(np.arange(k), (len(d), 1))
        pd = np.take_along_axis(d, part, axis=1)
        order = np.argsort(pd, axis=1, kind="stable")
        idx[s:s + chunk] = np.take_along_axis(part, order, axis=1)
        dist[s:s + chunk] = np.take_along_axis(pd, order, axis=1)
    return idx, dist


def nearest_hood(lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
    return nearest(np.atleast_1d(lat), np.atleast_1d(lng), HOOD_LAT, HOOD_LNG, 1)[0][:, 0]


def offset(rng: np.random.Generator, lat: np.ndarray, lng: np.ndarray, sigma_m: np.ndarray | float
           ) -> tuple[np.ndarray, np.ndarray]:
    """Points scattered around (lat, lng) with a normal spread of sigma_m metres per axis."""
    n = len(lat)
    return (lat + rng.normal(0, 1, n) * sigma_m / M_PER_DEG_LAT,
            lng + rng.normal(0, 1, n) * sigma_m / M_PER_DEG_LNG)


def _extra_store_points(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Stores beyond the landmark table: half jittered around landmarks, half filling the urban box."""
    box = np.flatnonzero(IN_BOX)
    p = HOOD_WEIGHT[box] / HOOD_WEIGHT[box].sum()
    around = box[rng.choice(len(box), size=n, p=p)]
    lat, lng = offset(rng, HOOD_LAT[around], HOOD_LNG[around], 1600.0)
    fill = rng.random(n) < 0.5
    for _ in range(50):  # uniform in the box, but only on land near the city (close to a landmark)
        todo = np.flatnonzero(fill)
        if not len(todo):
            break
        cand_lat = rng.uniform(*URBAN_LAT, len(todo))
        cand_lng = rng.uniform(*URBAN_LNG, len(todo))
        d = nearest(cand_lat, cand_lng, HOOD_LAT, HOOD_LNG, 1)[1][:, 0]
        ok = d < 4500
        lat[todo[ok]], lng[todo[ok]] = cand_lat[ok], cand_lng[ok]
        fill[todo[ok]] = False
    return np.clip(lat, *URBAN_LAT), np.clip(lng, *URBAN_LNG)


def _store_hours(rng: np.random.Generator, n: int) -> list[tuple[str, str]]:
    kinds = rng.choice(3, size=n, p=[0.70, 0.20, 0.10])
    return [(("08:00", "22:00"), ("07:00", "23:00"), ("00:00", "24:00"))[k] for k in kinds]


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def build_locations(rng: np.random.Generator, stores: int, warehouses: int, first_id: int,
                    opened_before: datetime) -> Locations:
    n_table = min(stores, len(NEIGHBOURHOODS))
    lat = np.concatenate([HOOD_LAT[:n_table], np.zeros(stores - n_table)])
    lng = np.concatenate([HOOD_LNG[:n_table], np.zeros(stores - n_table)])
    lat[:n_table], lng[:n_table] = offset(rng, lat[:n_table], lng[:n_table], 120.0)  # on a street, not the landmark
    if stores > n_table:
        lat[n_table:], lng[n_table:] = _extra_store_points(rng, stores - n_table)
    hood = nearest_hood(lat, lng)
    hood[:n_table] = np.arange(n_table)
    open_hours = _store_hours(rng, stores)
    delivers = rng.random(stores) < 0.85
    radius = rng.choice([3000, 2000, 5000], size=stores, p=[0.75, 0.15, 0.10])
    hourly = rng.integers(4, 10, size=stores) * 10
    age_days = rng.integers(30, 2000, size=stores + warehouses)
    numbers = rng.integers(1, 2000, size=stores + warehouses)
    out = Locations()
    seen: dict[int, int] = {}
    for i in range(stores):
        h = NEIGHBOURHOODS[hood[i]]
        seen[hood[i]] = seen.get(hood[i], 0) + 1
        k = seen[hood[i]]
        district_zh, _ = DISTRICTS[h.district]
        street = h.streets[(k - 1) % len(h.streets)]  # the first store of a neighbourhood is on its main street
        out.rows.append(dict(
            id=first_id + i, code=f"SH-ST-{i + 1:04d}", kind="store",
            name_zh=f"{h.zh}店" if k == 1 else f"{h.zh}{k}号店",
            name_en=f"{h.en} Store" if k == 1 else f"{h.en} Store {k}",
            district=district_zh, address=f"{district_zh}{street} {int(numbers[i])} 号",
            lat=round(float(lat[i]), 6), lng=round(float(lng[i]), 6), h3_cell=cell_of(float(lat[i]), float(lng[i])),
            timezone="Asia/Shanghai", opening_hours=hours(*open_hours[i]), can_pickup=True,
            can_store_delivery=bool(delivers[i]), can_parcel=False, delivery_radius_m=int(radius[i]),
            hourly_capacity=int(hourly[i]), daily_capacity=int(hourly[i]) * 12, active=True,
            phone=f"021-{60_000_000 + (i * 7_919_311) % 30_000_000:08d}",  # Shanghai numbers, one per store
            created_at=opened_before - timedelta(days=int(age_days[i]))))
        out.opens.append((_minutes(open_hours[i][0]), _minutes(open_hours[i][1])))
    wh_lat, wh_lng = [], []
    for j in range(warehouses):
        site = WAREHOUSE_SITES[j % len(WAREHOUSE_SITES)]
        phase = j // len(WAREHOUSE_SITES) + 1
        la, ln = (site.lat, site.lng) if phase == 1 else offset(rng, np.array([site.lat]), np.array([site.lng]), 3000.0)
        la, ln = float(np.asarray(la).ravel()[0]), float(np.asarray(ln).ravel()[0])
        wh_lat.append(la)
        wh_lng.append(ln)
        out.rows.append(dict(
            id=first_id + stores + j, code=f"SH-WH-{j + 1:04d}", kind="warehouse",
            name_zh=site.zh if phase == 1 else f"{site.zh}{phase}期", name_en=site.en if phase == 1 else f"{site.en} {phase}",
            district=DISTRICTS[site.district][0], address=site.address, lat=round(la, 6), lng=round(ln, 6),
            h3_cell=cell_of(la, ln), timezone="Asia/Shanghai", opening_hours=ALL_DAY, can_pickup=False,
            can_store_delivery=False, can_parcel=True, delivery_radius_m=0, hourly_capacity=500,
            daily_capacity=10_000, active=True, phone="", created_at=opened_before - timedelta(days=int(age_days[stores + j]))))
        out.opens.append((0, 24 * 60))
    out.hood = [int(x) for x in hood] + [-1] * warehouses
    out.lat = np.array([r["lat"] for r in out.rows])
    out.lng = np.array([r["lng"] for r in out.rows])
    out.is_store = np.array([True] * stores + [False] * warehouses)
    out.delivers = np.concatenate([delivers, np.zeros(warehouses, bool)])
    out.radius = np.concatenate([radius, np.zeros(warehouses, int)])
    return out
