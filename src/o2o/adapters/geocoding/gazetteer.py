"""The offline gazetteer: roads, buildings, POIs and areas of Shanghai with real names, searched in
memory (Chinese, pinyin and initials through `kernel.searchtext`, as the product and store search).

Its file (JSON, `{"version": 1, "places": [...]}`) is written by the demo generator (`o2o seed`), from
the demo's geography and its chain; nothing is downloaded. Read once, on first use.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from o2o.adapters.geocoding import MAX_QUERY, MAX_SUGGESTIONS, Place
from o2o.kernel import searchtext
from o2o.kernel.geo import haversine_m

VERSION = 1
REVERSE_WITHIN_M = 2_000  # a point farther than this from every known place has no answer
KIND_RANK = {"building": 0, "poi": 0, "road": 1, "area": 2}


@dataclass(frozen=True)
class _Entry:
    place: Place
    terms: str  # space-padded search tokens
    name: str  # normalised name (for "starts with")
    name_pinyin: str  # pinyin of the name run together
    name_initials: str


def read(path: Path) -> list[Place]:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if doc.get("version") != VERSION:
        raise ValueError(f"{path}: gazetteer version {doc.get('version')!r}, expected {VERSION}")
    return [Place(**p) for p in doc["places"]]


def write(path: Path, places: Iterable[Place]) -> int:
    rows = [p.as_dict() for p in places]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"version": VERSION, "places": rows}, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)  # readers never see half a file
    return len(rows)


class Gazetteer:
    name = "gazetteer"

    def __init__(self, places: Iterable[Place] | Callable[[], Iterable[Place]]) -> None:
        self._source = places
        self._entries: list[_Entry] | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: Path) -> Gazetteer:
        return cls(lambda: read(path))

    @property
    def entries(self) -> list[_Entry]:
        if self._entries is None:
            with self._lock:
                if self._entries is None:
                    places = self._source() if callable(self._source) else self._source
                    self._entries = [_index(p) for p in places]
        return self._entries

    def suggest(self, text: str, city: str = "上海", near: tuple[float, float] | None = None,
                limit: int = MAX_SUGGESTIONS) -> list[Place]:
        query = searchtext.parse_query(text[:MAX_QUERY])
        if query.empty:
            return []
        found = [e for e in self.entries if searchtext.matches(e.terms, query)]
        if not found and any(t.cjk for t in query.terms):  # a homophone typed by mistake: 曹溪 -> caoxi
            query = searchtext.as_pinyin(query)
            found = [e for e in self.entries if searchtext.matches(e.terms, query)]
        compact = query.compact

        def rank(e: _Entry) -> tuple[int, int, float]:
            starts = e.name.startswith(compact) or e.name_pinyin.startswith(compact) \
                or e.name_initials.startswith(compact)
            inside = compact in e.name or compact in e.name_pinyin
            d = haversine_m(near[0], near[1], e.place.lat, e.place.lng) if near else 0.0
            return (0 if starts else 1 if inside else 2, KIND_RANK.get(e.place.kind, 3), d)

        found.sort(key=rank)
        return [e.place for e in found[:max(1, min(limit, MAX_SUGGESTIONS))]]

    def reverse(self, lat: float, lng: float) -> Place | None:
        """The nearest road or building (areas only when nothing else is near), as an address at the point."""
        if not (math.isfinite(lat) and math.isfinite(lng)):
            return None
        best: tuple[float, _Entry] | None = None
        for e in self.entries:
            if e.place.kind == "area":
                continue
            d = haversine_m(lat, lng, e.place.lat, e.place.lng)
            if best is None or d < best[0]:
                best = (d, e)
        if best is None or best[0] > REVERSE_WITHIN_M:
            return None
        p = best[1].place
        return Place(name=p.name, address=p.address, district=p.district, lat=lat, lng=lng, kind=p.kind)


def _index(p: Place) -> _Entry:
    terms = searchtext.store_terms(p.name, "", p.district, p.address)
    name = searchtext.normalise(p.name).replace(" ", "")
    return _Entry(place=p, terms=terms, name=name, name_pinyin="".join(searchtext.pinyin_of(p.name)),
                  name_initials="".join(searchtext.initials_of(p.name)))
