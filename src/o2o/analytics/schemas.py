"""Shapes of the reports: filters in, rows and figures out (dataclasses: built for many rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

LOW_STOCK = 5  # "low": at most this many units sellable (available) at the location


@dataclass(frozen=True, slots=True)
class StockFilter:
    location_id: int | None = None
    category_id: int | None = None
    q: str | None = None  # SKU code or barcode (exact or start), or part of the product name
    level: str | None = None  # None | "low" (available <= LOW_STOCK) | "zero" (nothing available)
    product_id: int | None = None


@dataclass(frozen=True, slots=True)
class StockLine:
    location_id: int
    location_code: str
    location_name_zh: str
    location_name_en: str
    sku_id: int
    sku_code: str
    barcode: str
    spec: str
    product_id: int
    name_zh: str
    name_en: str
    category_zh: str
    category_en: str
    on_hand: int
    reserved: int
    safety_stock: int

    @property
    def available(self) -> int:
        return max(0, self.on_hand - self.reserved - self.safety_stock)


@dataclass(frozen=True, slots=True)
class OrderFilter:
    number: str | None = None  # exact, or the start of a number
    status: str | None = None
    location_id: int | None = None  # the fulfilling location
    channel: str | None = None
    mode: str | None = None
    since: datetime | None = None  # created at or after (UTC)
    until: datetime | None = None  # created before (UTC)


@dataclass(frozen=True, slots=True)
class OrderRow:
    number: str
    status: str
    channel: str
    mode: str
    fulfil_location_id: int
    total_fen: int
    created_at: datetime
    paid_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReadinessDay:
    day: date
    orders: int
    median_min: float | None
    p90_min: float | None


@dataclass(frozen=True, slots=True)
class StoreGmv:
    location_id: int
    gmv_fen: int
    orders: int


@dataclass
class Dashboard:
    """The back-office dashboard over `days` local days ending today (Shanghai time).

    GMV: the totals of orders paid in the period (by the day they were paid), without the ones
    cancelled afterwards (refunded). Modes count online orders (not till sales) paid in the period.
    Readiness: minutes from payment to "ready" of pickup orders paid in the period; the median and
    the 90th percentile (nearest rank). Top stores: by GMV, till sales included."""

    days: list[date]
    channels: list[str]
    gmv_by_channel: dict[str, list[int]]  # channel -> fen per day (aligned with `days`)
    orders_by_day: list[int]
    modes: dict[str, int]
    readiness: list[ReadinessDay]
    readiness_all: ReadinessDay | None
    readiness_buckets: list[tuple[int, int | None, int]]  # (from minute, to minute or None, orders)
    readiness_by_bucket: list[list[int]]  # per bucket (as above), orders per day (aligned with `days`)
    top_stores: list[StoreGmv]
    gmv_fen: int = 0
    orders: int = 0
    online_orders: int = 0
    gmv_by_day: list[int] = field(default_factory=list)

    @property
    def average_fen(self) -> int:
        return self.gmv_fen // self.orders if self.orders else 0
