"""Finding the shopper's store without a geocoder: their browser's position, or a district, street or
store name matched against the stores themselves (names, district and address tokenised with pinyin as
product names are: "漕溪北路", "caoxibeilu", "cxbl"); and what a store card says: today's hours, open
or closed now in the store's time zone, its phone."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from o2o.kernel import geo
from o2o.kernel.db import Database
from o2o.kernel.searchtext import matches, parse_query, store_terms
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


@lru_cache(maxsize=4096)
def _terms(name_zh: str, name_en: str, district: str, address: str) -> str:
    return store_terms(name_zh, name_en, district, address) + DISTRICT_EN.get(district, "").replace("'", "") + " "


def _named(stores: list[LocationOut], query: str) -> list[LocationOut]:
    """Stores whose name, district or address holds every word of the query (pinyin and initials too)."""
    parsed = parse_query(query)
    if parsed.empty:
        return []
    return [s for s in stores if matches(_terms(s.name_zh, s.name_en, s.district, s.address), parsed)]


def locate(stores: list[LocationOut], query: str) -> Place | None:
    """A district named as such ("徐汇", "Pudong"), else the stores whose name, district or address hold
    the words ("漕溪北路", "徐汇区漕溪北路 88 号", "xujiahui"), else a district named inside the query;
    None when nothing matches."""
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
    if best is not None and q in _district_names(best[1]):
        return Place(*_mean(by_district[best[1]]), district=best[1])
    named = _named(stores, q)
    if named:
        return Place(*_mean(named), stores=tuple(named))
    return Place(*_mean(by_district[best[1]]), district=best[1]) if best is not None else None


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


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Hours:
    """A store's hours as its card shows them."""

    today: tuple[tuple[str, str], ...]  # (opens, closes) spans today, "HH:MM"; empty: closed all day
    open_now: bool
    all_day: bool


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def hours_of(store: LocationOut, now: datetime) -> Hours:
    """Today's opening hours in the store's own time zone, and whether it is open at `now`
    ("24:00" closes at midnight; a span past midnight, 22:00-02:00, runs into the next day)."""
    try:
        zone = ZoneInfo(store.timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("Asia/Shanghai")
    local = now.astimezone(zone)
    day, yesterday = WEEKDAYS[local.weekday()], WEEKDAYS[(local.weekday() - 1) % 7]
    minute = local.hour * 60 + local.minute
    spans: list[tuple[str, str]] = []
    for span in store.opening_hours.get(day) or []:
        if isinstance(span, (list, tuple)) and len(span) == 2:
            spans.append((str(span[0]), str(span[1])))
    is_open = False
    for opens, closes in spans:
        a, b = _minutes(opens), _minutes(closes)
        if (a <= minute < b) if a < b else (minute >= a):
            is_open = True
    for span in store.opening_hours.get(yesterday) or []:  # last night's span still running
        if isinstance(span, (list, tuple)) and len(span) == 2:
            a, b = _minutes(str(span[0])), _minutes(str(span[1]))
            if b < a and minute < b:
                is_open = True
    all_day = any(_minutes(a) == 0 and _minutes(b) >= 24 * 60 for a, b in spans)
    return Hours(tuple(spans), is_open, all_day)
