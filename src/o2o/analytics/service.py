"""Reports for the back-office: the dashboard's figures, the stock grid and its export, order search."""

from __future__ import annotations

import logging
import math
import statistics
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from o2o.analytics import members, rollups
from o2o.analytics import repository as repo
from o2o.analytics.members import MemberFilter, MemberRow
from o2o.analytics.schemas import (
    Dashboard,
    OrderFilter,
    OrderRow,
    ReadinessDay,
    StockFilter,
    StockLine,
    StoreGmv,
)
from o2o.kernel.clock import SHANGHAI, Clock
from o2o.kernel.db import Database
from o2o.kernel.pagination import Page, PageParams

log = logging.getLogger("o2o.analytics")
CHANNELS = ("h5", "pc", "app", "miniprogram", "wechat", "douyin", "api", "pos")  # the order of the legend
MODES = ("pickup", "store_delivery", "parcel")
READINESS_BUCKETS = ((0, 15), (15, 30), (30, 60), (60, 120), (120, None))  # minutes


def period(now: datetime, days: int) -> tuple[list[date], datetime, datetime]:
    """The `days` Shanghai days ending today, and their bounds in UTC [since, until)."""
    today = now.astimezone(SHANGHAI).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time(0), SHANGHAI)
    until = datetime.combine(today + timedelta(days=1), time(0), SHANGHAI)
    return [first + timedelta(days=i) for i in range(days)], since, until


def nearest_rank(sorted_values: list[float], pct: float) -> float:
    """The nearest-rank percentile of already sorted values (p90 of 10 values is the 9th)."""
    return sorted_values[max(0, math.ceil(pct / 100 * len(sorted_values)) - 1)]


def _readiness(day: date, minutes: list[float]) -> ReadinessDay:
    if not minutes:
        return ReadinessDay(day, 0, None, None)
    ordered = sorted(minutes)
    return ReadinessDay(day, len(ordered), round(statistics.median(ordered), 1), round(nearest_rank(ordered, 90), 1))


def dashboard(db: Database, now: datetime, days: int = 30, top: int = 10,
              top_among: list[int] | None = None, cached: bool = True) -> Dashboard:
    """The figures of the `days` Shanghai days ending today; `top_among` limits the top list to those
    locations (e.g. the stores, leaving the warehouses out). Closed days come from the per-day cache
    (o2o.analytics.rollups), today is read live; `cached=False` reads every day (the benchmark's
    baseline)."""
    day_list, _, _ = period(now, days)
    index = {d.isoformat(): i for i, d in enumerate(day_list)}
    with db.read() as s:
        figures = rollups.read(s, db, day_list, day_list[-1], use_cache=cached)
    gmv_cells, modes, ready_pairs, by_location = rollups.merged(figures)
    gmv_rows = [(d.isoformat(), ch, fen, n) for (d, ch), (fen, n) in gmv_cells.items()]
    pairs = [(d.isoformat(), minutes) for d, minutes in ready_pairs]
    among = set(top_among) if top_among is not None else None
    ranked = sorted(((loc, fen, n) for loc, (fen, n) in by_location.items() if among is None or loc in among),
                    key=lambda r: (-r[1], r[0]))
    stores = ranked[:top]

    seen = {ch for _, ch, _, _ in gmv_rows}
    channels = [ch for ch in CHANNELS if ch in seen] + sorted(seen - set(CHANNELS))
    gmv = {ch: [0] * days for ch in channels}
    per_day_orders = [0] * days
    for day, ch, fen, n in gmv_rows:
        i = index.get(day)
        if i is not None:
            gmv[ch][i] += fen
            per_day_orders[i] += n
    by_day: dict[str, list[float]] = defaultdict(list)
    every: list[float] = []
    buckets = [0] * len(READINESS_BUCKETS)
    daily = [[0] * days for _ in READINESS_BUCKETS]
    for day, raw in pairs:
        minutes = max(0.0, round(raw, 4))  # the databases' float arithmetic, rounded off
        by_day[day].append(minutes)
        every.append(minutes)
        for i, (low, high) in enumerate(READINESS_BUCKETS):
            if minutes >= low and (high is None or minutes < high):
                buckets[i] += 1
                if (j := index.get(day)) is not None:
                    daily[i][j] += 1
                break
    out = Dashboard(
        days=day_list, channels=channels, gmv_by_channel=gmv, orders_by_day=per_day_orders,
        modes={m: modes.get(m, 0) for m in MODES} | {m: n for m, n in modes.items() if m not in MODES},
        readiness=[_readiness(d, by_day.get(d.isoformat(), [])) for d in day_list],
        readiness_all=_readiness(day_list[-1], every) if every else None,
        readiness_buckets=[(low, high, n) for (low, high), n in zip(READINESS_BUCKETS, buckets, strict=True)],
        readiness_by_bucket=daily,
        top_stores=[StoreGmv(loc, fen, n) for loc, fen, n in stores])
    out.gmv_by_day = [sum(gmv[ch][i] for ch in channels) for i in range(days)]
    out.gmv_fen = sum(out.gmv_by_day)
    out.orders = sum(per_day_orders)
    out.online_orders = sum(modes.values())
    return out


def warm_dashboard(db: Database, clock: Clock, days: int = 90) -> None:
    """Fill the dashboard's per-day cache for the longest period (a served process's start, in a
    background thread): the first dashboard after a restart then reads only today."""
    try:
        dashboard(db, clock.now(), days)
    except Exception:  # a warm-up that fails costs the first reader the full read, nothing else
        log.warning("dashboard warm-up failed", exc_info=True)


def stock_page(db: Database, f: StockFilter, page: PageParams) -> Page[StockLine]:
    with db.read() as s:
        rows, total = repo.stock_page(s, f, page.offset, page.size)
    return Page[StockLine](items=rows, page=page.page, size=page.size, total=total)


def stock_lines(db: Database, f: StockFilter) -> Iterator[StockLine]:
    """Every row of the filtered grid, read in batches inside one read transaction (a consistent
    snapshot on PostgreSQL and in SQLite's WAL mode) while the caller streams them out."""
    with db.read() as s:
        yield from repo.stock_lines(s, f)


def search_orders(db: Database, f: OrderFilter, page: PageParams) -> Page[OrderRow]:
    with db.read() as s:
        rows, total = repo.search_orders(s, f, page.offset, page.size)
    return Page[OrderRow](items=rows, page=page.page, size=page.size, total=total)


def search_members(db: Database, f: MemberFilter, page: PageParams) -> Page[MemberRow]:
    """The back-office member list: tier, joined between, has orders, channel."""
    with db.read() as s:
        rows, total = members.search(s, f, page.offset, page.size)
    return Page[MemberRow](items=rows, page=page.page, size=page.size, total=total)


def member_lines(db: Database, f: MemberFilter) -> Iterator[MemberRow]:
    with db.read() as s:
        yield from members.lines(s, f)
