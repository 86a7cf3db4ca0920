"""The dashboard's figures per Shanghai day, cached per closed day (issue 12, point 13).

A day that has ended rarely changes: only when one of its orders is cancelled (refunded), moved to
another store or gets ready later. So each closed day's figures (GMV and orders by channel and by
location, online orders by mode, the pickup readiness minutes) are computed once, in a few grouped
queries, and kept in memory per database; today is always read live (a small indexed range).

Freshness: every change the dashboard counts writes an order or fulfilment history row. Each read
compares the newest history ids with those of the last read; when they moved, the days (of payment)
of the orders with newer history rows are dropped and computed again. The look-back starts SLACK rows
before the last mark, so a transaction that drew its id earlier and committed later is still seen,
and a cached day is recomputed after TTL at the latest in any case (a few per read). A served process
fills the cache in the background when it starts (o2o.main, `warm`), so the first dashboard after a
restart does not pay for the whole period either.
"""

from __future__ import annotations

import threading
import time as monotonic
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from o2o.analytics import repository as repo
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.db import Database

SLACK = 500  # history rows looked at again before the last mark (ids drawn before a later commit)
TTL_S = 600.0  # a cached day is recomputed after this many seconds whatever happened
REFRESH_PER_READ = 3  # expired days recomputed per read, at most


@dataclass(slots=True)
class DayFigures:
    gmv: dict[str, list[int]] = field(default_factory=dict)  # channel -> [fen, orders]
    modes: dict[str, int] = field(default_factory=dict)  # online orders by mode
    ready: list[float] = field(default_factory=list)  # minutes paid -> ready of pickup orders
    locations: dict[int, list[int]] = field(default_factory=dict)  # location -> [fen, orders]


@dataclass
class DayCache:
    days: dict[date, tuple[float, DayFigures]] = field(default_factory=dict)
    marks: tuple[int, int] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    computed: int = 0  # days computed (read by the tests and the benchmark)


_CACHES: weakref.WeakKeyDictionary[Database, DayCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def cache_of(db: Database) -> DayCache:
    with _CACHES_LOCK:
        cache = _CACHES.get(db)
        if cache is None:
            cache = _CACHES[db] = DayCache()
        return cache


def forget(db: Database) -> None:
    """Drop a database's cached days (the benchmark's cold runs)."""
    with _CACHES_LOCK:
        _CACHES.pop(db, None)


def _start(d: date) -> datetime:
    return datetime.combine(d, time(0), SHANGHAI)


def compute(s: Session, first: date, last: date) -> dict[date, DayFigures]:
    """Every day of [first, last] (Shanghai), each with its figures (empty days included)."""
    since, until = _start(first), _start(last + timedelta(days=1))
    out = {first + timedelta(days=i): DayFigures() for i in range((last - first).days + 1)}

    def fig(day: str) -> DayFigures | None:
        return out.get(date.fromisoformat(day))

    for day, ch, mode, loc, fen, n in repo.sales_by_day(s, since, until):
        if (f := fig(day)) is None:
            continue
        cell = f.gmv.setdefault(ch, [0, 0])
        cell[0] += fen
        cell[1] += n
        if ch != "pos":  # online orders only: till sales have no fulfilment mode to speak of
            f.modes[mode] = f.modes.get(mode, 0) + n
        place = f.locations.setdefault(loc, [0, 0])
        place[0] += fen
        place[1] += n
    for day, minutes in repo.pickup_readiness(s, since, until):
        if (f := fig(day)) is not None:
            f.ready.append(minutes)
    return out


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Sorted days as runs of consecutive days: [(first, last), ...]."""
    runs: list[tuple[date, date]] = []
    for d in days:
        if runs and d == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def read(s: Session, db: Database, days: list[date], today: date, use_cache: bool = True) -> dict[date, DayFigures]:
    """The figures of `days`: closed days from the cache (computed when missing or stale), today live."""
    if not use_cache:
        return compute(s, days[0], days[-1])
    cache = cache_of(db)
    closed = [d for d in days if d < today]
    with cache.lock:
        marks = repo.history_marks(s)
        if cache.marks is not None and marks != cache.marks:
            touched = repo.touched_days(s, cache.marks[0] - SLACK, cache.marks[1] - SLACK)
            for d in touched:
                cache.days.pop(date.fromisoformat(d), None)
        now = monotonic.monotonic()
        # days never computed, then at most REFRESH_PER_READ of those past their TTL (oldest first): a
        # cache filled at once does not expire at once, so no one request pays for the whole period again
        stale = sorted((cache.days[d][0], d) for d in closed if d in cache.days and now - cache.days[d][0] > TTL_S)
        missing = sorted({d for d in closed if d not in cache.days} | {d for _, d in stale[:REFRESH_PER_READ]})
        for first, last in _runs(missing):  # each run of consecutive days in one read of its span
            fresh = compute(s, first, last)
            for d, f in fresh.items():
                cache.days[d] = (now, f)
            cache.computed += len(fresh)
        cache.marks = marks  # read before computing: a change meanwhile is seen by the next read
        out = {d: cache.days[d][1] for d in closed}
    live = [d for d in days if d >= today]
    if live:
        out |= compute(s, live[0], live[-1])
    return out


def merged(figures: dict[date, DayFigures]) -> tuple[dict[tuple[date, str], list[int]], dict[str, int],
                                                      list[tuple[date, float]], dict[int, list[int]]]:
    """The period's totals: (day, channel) -> [fen, n]; mode -> n; (day, minutes); location -> [fen, n]."""
    gmv: dict[tuple[date, str], list[int]] = {}
    modes: dict[str, int] = defaultdict(int)
    ready: list[tuple[date, float]] = []
    locations: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for d, f in figures.items():
        for ch, v in f.gmv.items():
            gmv[(d, ch)] = v
        for mode, n in f.modes.items():
            modes[mode] += n
        ready += [(d, m) for m in f.ready]
        for loc, (fen, n) in f.locations.items():
            locations[loc][0] += fen
            locations[loc][1] += n
    return gmv, dict(modes), ready, dict(locations)
