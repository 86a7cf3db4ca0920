"""Simulated sales history: who buys what, where, when and how. Pure: no database.

Structure a later analytics / recommendation model can learn from: weekly seasonality
(weekends +30-40%), intraday peaks, a slow upward trend, per-customer category affinities
(Dirichlet), favourite SKUs bought again on a cycle, basket complements, channels with UTM
tags, pickup / store delivery / parcel routed like the real router would.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from o2o.demo.catalog import COMPLEMENT_ITEMS, Catalog
from o2o.demo.catalog_data import CATEGORIES
from o2o.demo.names import ONLINE_CHANNEL_WEIGHTS, ONLINE_CHANNELS, utm_for
from o2o.demo.people import People
from o2o.demo.places import Locations
from o2o.kernel.clock import SHANGHAI

ORDERS_PER_CUSTOMER_90D = 6.0
WEEKDAY_FACTOR = (0.96, 0.94, 0.96, 0.98, 1.04, 1.33, 1.28)  # Mon..Sun: weekends ~+35%
TREND_OVER_HISTORY = 0.20  # +20% from the first day to the last
ONLINE_HOURS = (0.4, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 1.8, 1.5, 1.4, 1.9, 2.5, 1.8, 1.3, 1.3, 1.5, 2.2,
                3.0, 3.2, 2.9, 2.3, 1.6, 0.9)
POS_HOURS = (0, 0, 0, 0, 0, 0, 0, 0, 1.0, 1.3, 1.5, 1.9, 2.1, 1.6, 1.2, 1.2, 1.5, 2.3, 2.9, 2.6, 2.0, 1.2, 0, 0)
LOCAL_OFFSET_S = 8 * 3600  # Asia/Shanghai has no DST
BASKET_SIZES, BASKET_WEIGHTS = (1, 2, 3, 4, 5, 6), (40, 28, 16, 9, 4, 3)
COMPLEMENT_P = 0.35
FAVOURITE_P = 0.8
N_CATS = len(CATEGORIES)
SHELF_CACHE = 256
PARCEL_BIAS = np.array([c.parcel for c in CATEGORIES])
DEMAND = np.array([c.demand for c in CATEGORIES]) / sum(c.demand for c in CATEGORIES)
CYCLE_S = np.array([c.cycle_days for c in CATEGORIES]) * 86400.0


@dataclass(slots=True)
class Sale:
    customer: int
    loc: int
    channel: str
    mode: str
    wanted_mode: str
    chosen: int | None  # location index the customer picked
    address: int | None  # ship-to address index
    distance_m: int | None
    reason: str
    created: float  # epoch seconds, UTC
    lines: list[tuple[int, int, int]] = field(default_factory=list)  # (SKU index, quantity, unit price)
    utm: tuple[str | None, str | None, str | None] = (None, None, None)
    status: str = "completed"  # completed | shipped | cancelled | expired
    paid: float | None = None
    picking: float | None = None
    ready: float | None = None
    handed: float | None = None  # handed over (pickup, store delivery) or shipped (parcel): stock leaves
    completed: float | None = None
    closed: float | None = None  # cancelled or expired at


class Shelf:
    """What one location carries, set up for fast weighted picks by category or base item."""

    def __init__(self, skus: np.ndarray, catalog: Catalog) -> None:
        self.carried = set(skus.tolist())
        self.by_cat: list[tuple[list[int], list[float]] | None] = []
        cats, pops = catalog.cat[skus], catalog.pop[skus]
        for c in range(N_CATS):
            mask = cats == c
            self.by_cat.append((skus[mask].tolist(), np.cumsum(pops[mask]).tolist()) if mask.any() else None)
        self.by_item: dict[int, tuple[list[int], list[float]]] = {}
        items = catalog.item[skus]
        for it in np.unique(items).tolist():
            if it in COMPLEMENT_TARGETS:
                mask = items == it
                self.by_item[it] = (skus[mask].tolist(), np.cumsum(pops[mask]).tolist())

    def pick_cat(self, rnd: random.Random, cat: int) -> int | None:
        entry = self.by_cat[cat]
        return rnd.choices(entry[0], cum_weights=entry[1])[0] if entry else None

    def pick_item(self, rnd: random.Random, item: int) -> int | None:
        entry = self.by_item.get(item)
        return rnd.choices(entry[0], cum_weights=entry[1])[0] if entry else None


COMPLEMENT_TARGETS = frozenset(i for vs in COMPLEMENT_ITEMS.values() for i in vs)


class Simulator:
    def __init__(self, rng: np.random.Generator, rnd: random.Random, locs: Locations, catalog: Catalog,
                 people: People, assort: list[np.ndarray], prices: dict[tuple[int, int], int],
                 anchor: datetime, days: int) -> None:
        self.rng, self.rnd, self.locs, self.catalog, self.people = rng, rnd, locs, catalog, people
        self.assort, self.prices = assort, prices
        self.end = anchor.timestamp()
        self.start = self.end - days * 86400
        self.days = days
        self._shelves: dict[int, Shelf] = {}
        n = len(people.customers)
        self.activity = rng.gamma(0.8, 1.0, n)
        home = np.array([a[0] for a in people.address_of], dtype=np.int64)
        self.home = home
        self.offline_share = rng.beta(2.0, 2.4, n) * np.where(people.near_dist[home, 0] > 4000, 0.2, 1.0)
        self.primary = rng.choice(len(ONLINE_CHANNELS), size=n, p=ONLINE_CHANNEL_WEIGHTS)
        affinity = 0.75 * rng.dirichlet(DEMAND * N_CATS * 0.6, size=n) + 0.25 * DEMAND
        self.cat_cum = np.cumsum(affinity, axis=1)
        parcel = affinity * PARCEL_BIAS
        self.parcel_cum = np.cumsum(parcel / parcel.sum(axis=1, keepdims=True), axis=1)
        self.favourites: list[dict[int, list[float]]] = [{} for _ in range(n)]
        if days:  # grouped by home store so that each shelf is built once
            for c in np.lexsort((np.arange(n), people.near_store[home, 0])).tolist():
                self.favourites[c] = self._favourites(c, affinity[c])

    def shelf(self, loc: int) -> Shelf:
        """The location's shelf, from a small LRU cache (a big chain has thousands of shelves)."""
        shelf = self._shelves.pop(loc, None) or Shelf(self.assort[loc], self.catalog)
        self._shelves[loc] = shelf
        if len(self._shelves) > SHELF_CACHE:
            del self._shelves[next(iter(self._shelves))]
        return shelf

    def _favourites(self, c: int, affinity: np.ndarray) -> dict[int, list[float]]:
        """SKU index -> [repurchase cycle seconds, last bought at]."""
        shelf = self.shelf(int(self.people.near_store[self.home[c], 0]))
        out: dict[int, list[float]] = {}
        cats = self.rng.choice(N_CATS, size=int(self.rng.integers(2, 6)), p=affinity / affinity.sum())
        for cat in cats.tolist():
            sku = shelf.pick_cat(self.rnd, cat)
            if sku is not None and sku not in out:
                cycle = CYCLE_S[cat] * self.rnd.uniform(0.7, 1.3)
                out[sku] = [cycle, self.start - self.rnd.uniform(0, cycle)]
        return out

    # ---- time -------------------------------------------------------------------------------------
    def when_open(self, t: float, loc: int) -> float:
        """t, or the next opening time of the location if it is closed at t."""
        open_m, close_m = self.locs.opens[loc]
        minute = ((t + LOCAL_OFFSET_S) % 86400) / 60
        if open_m <= minute < close_m:
            return t
        wait = open_m - minute if minute < open_m else 1440 - minute + open_m
        return t + wait * 60 + self.rnd.uniform(0, 1800)

    def local_days(self) -> list[tuple[float, int, int]]:
        """(local midnight as epoch seconds, weekday, day number) for every local day the history touches."""
        first = datetime.fromtimestamp(self.start, SHANGHAI).date()
        last = datetime.fromtimestamp(self.end, SHANGHAI).date()
        out, d = [], first
        while d <= last:
            midnight = datetime(d.year, d.month, d.day, tzinfo=SHANGHAI).timestamp()
            out.append((midnight, d.weekday(), (d - first).days))
            d += timedelta(days=1)
        return out

    # ---- the run ----------------------------------------------------------------------------------
    def run(self, advance: Callable[[int], None] = lambda _: None) -> list[Sale]:
        if not self.days or not self.people.customers:
            return []
        n = len(self.people.customers)
        days = self.local_days()
        factors = [WEEKDAY_FACTOR[wd] * (1 + TREND_OVER_HISTORY * num / max(1, len(days) - 1)) for _, wd, num in days]
        per_unit = n * ORDERS_PER_CUSTOMER_90D * self.days / 90 / sum(factors)
        sales: list[Sale] = []
        for (midnight, _, _), factor in zip(days, factors, strict=True):
            eligible = self.activity * (self.people.joined < midnight + 86400)
            if eligible.sum() <= 0:
                advance(1)
                continue
            count = int(self.rng.poisson(per_unit * factor))
            for c in self.rng.choice(n, size=count, p=eligible / eligible.sum()).tolist():
                sale = self.one(c, midnight)
                if sale is not None:
                    sales.append(sale)
            advance(1)
        sales.sort(key=lambda s: s.created)
        return sales

    def one(self, c: int, midnight: float) -> Sale | None:
        rnd, people = self.rnd, self.people
        home = int(self.home[c])
        offline = rnd.random() < self.offline_share[c]
        hours = POS_HOURS if offline else ONLINE_HOURS
        t = midnight + rnd.choices(range(24), weights=hours)[0] * 3600 + rnd.random() * 3600
        if not (self.start <= t < self.end) or t < people.joined[c] + 3600:
            return None
        if offline:
            loc = int(people.near_store[home, 0])
            sale = Sale(c, loc, "pos", "pickup", "pickup", loc, None, round(people.near_dist[home, 0]),
                        "till sale at the store", t)
        else:
            sale = self._route_online(c, home, t)
        self._basket(sale)
        if not sale.lines:
            return None
        return self._lifecycle(sale)

    def _route_online(self, c: int, home: int, t: float) -> Sale:
        rnd, people, locs = self.rnd, self.people, self.locs
        channel = ONLINE_CHANNELS[self.primary[c]] if rnd.random() < 0.8 else \
            rnd.choices(ONLINE_CHANNELS, weights=ONLINE_CHANNEL_WEIGHTS)[0]
        r = rnd.random()
        addrs = people.address_of[c]
        if r < 0.35:  # pickup at the nearest store (sometimes the second nearest, on the way)
            j = 1 if rnd.random() < 0.15 and people.near_store.shape[1] > 1 and people.near_dist[home, 1] < 5000 else 0
            loc = int(people.near_store[home, j])
            sale = Sale(c, loc, channel, "pickup", "pickup", loc, None, round(people.near_dist[home, j]),
                        "chosen store has every line", t)
        else:
            addr = addrs[1] if len(addrs) > 1 and rnd.random() < 0.3 else addrs[0]
            sale = None
            if r < 0.85:
                wanted = "store_delivery" if rnd.random() < 0.7 else "auto"
                for j in range(people.near_store.shape[1]):
                    loc, d = int(people.near_store[addr, j]), float(people.near_dist[addr, j])
                    if locs.delivers[loc] and d <= locs.radius[loc]:
                        sale = Sale(c, loc, channel, "store_delivery", wanted, None, addr, round(d),
                                    f"nearest store within {locs.radius[loc]} m with every line ({round(d)} m)", t)
                        break
                why = "no store within its radius has every line; "
            else:
                wanted, why = "parcel", "parcel wanted; "
            if sale is None:
                loc, d = int(people.near_wh[addr, 0]), float(people.near_wh_dist[addr, 0])
                sale = Sale(c, loc, channel, "parcel", wanted, None, addr, round(d),
                            f"{why}warehouse {locs.rows[loc]['name_zh']} ships by parcel", t)
        yyyymm = datetime.fromtimestamp(t, SHANGHAI).strftime("%Y%m")
        sale.utm = utm_for(rnd, channel, yyyymm)
        return sale

    def _basket(self, sale: Sale) -> None:
        rnd, catalog = self.rnd, self.catalog
        shelf = self.shelf(sale.loc)
        cum = (self.parcel_cum if sale.mode == "parcel" else self.cat_cum)[sale.customer].tolist()
        items: dict[int, int] = {}
        for sku, fav in self.favourites[sale.customer].items():
            if fav[1] + fav[0] <= sale.created and sku in shelf.carried and rnd.random() < FAVOURITE_P:
                items[sku] = self._quantity(sku)
        want = max(len(items), rnd.choices(BASKET_SIZES, weights=BASKET_WEIGHTS)[0])
        for _ in range(want * 3):
            if len(items) >= want:
                break
            sku = shelf.pick_cat(rnd, rnd.choices(range(N_CATS), cum_weights=cum)[0])
            if sku is not None and sku not in items:
                items[sku] = self._quantity(sku)
        for sku in list(items):
            for comp in COMPLEMENT_ITEMS.get(int(catalog.item[sku]), ()):
                if rnd.random() < COMPLEMENT_P:
                    other = shelf.pick_item(rnd, comp)
                    if other is not None and other not in items:
                        items[other] = 1
        for sku in items:
            fav = self.favourites[sale.customer].get(sku)
            if fav is not None:
                fav[1] = sale.created
        sale.lines = [(sku, q, self.prices.get((sale.loc, sku), int(catalog.price[sku]))) for sku, q in items.items()]

    def _quantity(self, sku: int) -> int:
        if self.catalog.price[sku] < 3000:
            return self.rnd.choices((1, 2, 3, 4, 6), weights=(78, 15, 4, 2, 1))[0]
        return 1 if self.rnd.random() < 0.94 else 2

    def _lifecycle(self, s: Sale) -> Sale | None:
        """Timestamps of every step; None when the order would still be open at the anchor."""
        rnd = self.rnd
        if s.channel == "pos":
            s.paid = s.created + rnd.uniform(10, 90)
            s.handed = s.completed = s.paid + 1
            return s if s.completed < self.end else None
        r = rnd.random()
        if r < 0.045:
            s.status = "expired" if r < 0.025 else "cancelled"
            s.closed = s.created + (1800 if s.status == "expired" else rnd.uniform(60, 1200))
            return s if s.closed < self.end else None
        s.paid = s.created + rnd.uniform(15, 240)
        s.picking = self.when_open(s.paid + rnd.uniform(120, 900), s.loc)
        if s.mode == "parcel":
            s.handed = s.picking + rnd.uniform(1800, 5 * 3600)
            s.completed = s.handed + rnd.uniform(18, 52) * 3600
            if s.completed >= self.end:
                s.status, s.completed = "shipped", None
            return s if s.handed < self.end else None
        s.ready = s.picking + rnd.uniform(300, 1500)
        if s.mode == "pickup":
            s.handed = self.when_open(s.ready + rnd.lognormvariate(8.3, 0.8), s.loc)
        else:
            s.handed = s.ready + rnd.uniform(180, 900)
        s.completed = s.handed + rnd.uniform(1, 5)
        return s if s.completed < self.end else None


def utc(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)
