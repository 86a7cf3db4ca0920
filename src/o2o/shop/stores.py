"""Finding the shopper's store without a geocoder: their browser's position, or a district or store
name matched against the stores themselves (a district's position is the mean of its stores)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from o2o.kernel import geo
from o2o.kernel.db import Database
from o2o.locations import service as locations
from o2o.locations.schemas import LocationOut

# English names of Shanghai's districts (store rows name their district in Chinese)
DISTRICT_EN = {"徐汇区": "xuhui", "浦东新区": "pudong", "黄浦区": "huangpu", "静安区": "jing'an jingan",
               "杨浦区": "yangpu", "长宁区": "changning", "普陀区": "putuo", "虹口区": "hongkou",
               "闵行区": "minhang", "松江区": "songjiang", "嘉定区": "jiading", "宝山区": "baoshan",
               "青浦区": "qingpu", "奉贤区": "fengxian", "金山区": "jinshan", "崇明区": "chongming"}


@dataclass(frozen=True)
class Place:
    """Where distances are measured from, and what the shopper searched to get there."""

    lat: float
    lng: float
    district: str = ""  # the district that matched, if one did
    stores: tuple[LocationOut, ...] = ()  # else the stores whose name or address matched


@dataclass(frozen=True)
class Nearby:
    store: LocationOut
    distance_m: int


def _short(district: str) -> str:
    for suffix in ("新区", "区", "县"):
        if district.endswith(suffix) and len(district) > len(suffix) + 1:
            return district[: -len(suffix)]
    return district


def _district_names(district: str) -> list[str]:
    return [n for n in {district.casefold(), _short(district).casefold(), *DISTRICT_EN.get(district, "").split()}
            if len(n) >= 2]


def _mean(stores: list[LocationOut]) -> tuple[float, float]:
    return sum(s.lat for s in stores) / len(stores), sum(s.lng for s in stores) / len(stores)


def locate(stores: list[LocationOut], query: str) -> Place | None:
    """A district named in the query (either way round: "徐汇" or "徐汇区漕溪北路 88 号"), else the stores
    whose name or address contains it; None when nothing matches."""
    q = " ".join(query.split()).casefold()
    if not q:
        return None
    by_district: dict[str, list[LocationOut]] = defaultdict(list)
    for s in stores:
        if s.district:
            by_district[s.district].append(s)
    best: tuple[int, str] | None = None
    for district in by_district:
        for n in _district_names(district):
            if (n in q or (len(q) >= 2 and q in n)) and (best is None or len(n) > best[0]):
                best = (len(n), district)
    if best is not None:
        return Place(*_mean(by_district[best[1]]), district=best[1])
    named = [s for s in stores if q in s.name_zh.casefold() or q in s.name_en.casefold()
             or q in s.address.casefold()]
    return Place(*_mean(named), stores=tuple(named)) if named else None


def district_label(district: str, locale: str) -> str:
    """"徐汇区", or "Xuhui (徐汇区)" in English."""
    en = DISTRICT_EN.get(district, "").split()
    return f"{en[0].title()} ({district})" if locale == "en" and en else district


def all_stores(db: Database) -> list[LocationOut]:
    return [s for s in locations.list_all(db, "store") if s.active]


REACH_M = 10_000  # a store farther than this from the shopper is not "near": no pickup trip, no delivery


def nearest(stores: list[LocationOut], lat: float, lng: float, reach_m: int | None = None) -> list[Nearby]:
    out = [Nearby(s, round(geo.haversine_m(lat, lng, s.lat, s.lng))) for s in stores]
    return sorted((n for n in out if reach_m is None or n.distance_m <= reach_m),
                  key=lambda n: (n.distance_m, n.store.id))
