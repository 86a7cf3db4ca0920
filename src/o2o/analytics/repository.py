"""Report queries. Read-only; never commits.

Analytics reads other areas' tables but imports none of their models (areas meet only through
services): the columns it reads are declared here as lightweight Core tables. The integration
tests run every query on both databases, so a renamed column fails there.

Days are Shanghai days (UTC+8 all year: Asia/Shanghai has no daylight saving time), computed in the
database so that only one row per day and group comes back.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    Integer,
    Select,
    String,
    and_,
    column,
    func,
    literal,
    or_,
    select,
    table,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from o2o.analytics.schemas import LOW_STOCK, OrderFilter, OrderRow, StockFilter, StockLine
from o2o.kernel.db import UTCDateTime

UTC_OFFSET_HOURS = 8  # Asia/Shanghai

orders = table("sales_order", column("id", Integer), column("number", String), column("channel", String),
               column("status", String), column("mode", String), column("fulfil_location_id", Integer),
               column("total_fen", Integer), column("created_at", UTCDateTime()), column("paid_at", UTCDateTime()))
fulfillments = table("fulfillment_order", column("order_id", Integer), column("mode", String),
                     column("ready_at", UTCDateTime()))
stock = table("stock", column("location_id", Integer), column("sku_id", Integer), column("on_hand", Integer),
              column("reserved", Integer), column("safety_stock", Integer))
skus = table("sku", column("id", Integer), column("product_id", Integer), column("code", String),
             column("barcode", String), column("spec", String))
products = table("product", column("id", Integer), column("category_id", Integer), column("name_zh", String),
                 column("name_en", String), column("active", Boolean))
categories = table("category", column("id", Integer), column("name_zh", String), column("name_en", String))
locations = table("location", column("id", Integer), column("code", String), column("name_zh", String),
                  column("name_en", String))


class local_day(FunctionElement):  # noqa: N801 (an SQL function)
    """The Shanghai date of a UTC timestamp, as 'YYYY-MM-DD' text on both databases."""

    type = String()
    inherit_cache = True


@compiles(local_day, "sqlite")
def _local_day_sqlite(element: local_day, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+{UTC_OFFSET_HOURS} hours')"


@compiles(local_day, "postgresql")
def _local_day_pg(element: local_day, compiler: Any, **kw: Any) -> str:
    arg = compiler.process(element.clauses, **kw)
    return f"to_char(({arg}) AT TIME ZONE 'UTC' + INTERVAL '{UTC_OFFSET_HOURS} hours', 'YYYY-MM-DD')"


def _counted() -> ColumnElement[bool]:
    """Orders that count for GMV: paid, and not cancelled (refunded) since."""
    return and_(orders.c.paid_at.is_not(None), orders.c.status != "cancelled")


def _paid_between(since: datetime, until: datetime) -> ColumnElement[bool]:
    return and_(_counted(), orders.c.paid_at >= since, orders.c.paid_at < until)


def gmv_by_day_and_channel(s: Session, since: datetime, until: datetime) -> list[tuple[str, str, int, int]]:
    """(Shanghai day 'YYYY-MM-DD', channel, GMV fen, orders) of orders paid in [since, until)."""
    day = local_day(orders.c.paid_at)
    stmt = (select(day, orders.c.channel, func.sum(orders.c.total_fen), func.count())
            .where(_paid_between(since, until)).group_by(day, orders.c.channel))
    return [(str(d), ch, int(gmv or 0), int(n)) for d, ch, gmv, n in s.execute(stmt)]


def orders_by_mode(s: Session, since: datetime, until: datetime) -> dict[str, int]:
    """Online orders (till sales left out) paid in [since, until), by fulfilment mode."""
    stmt = (select(orders.c.mode, func.count()).where(_paid_between(since, until), orders.c.channel != "pos")
            .group_by(orders.c.mode))
    return {mode: int(n) for mode, n in s.execute(stmt)}


class minutes_between(FunctionElement):  # noqa: N801 (an SQL function)
    """Minutes from the first timestamp to the second, as a float, on both databases."""

    type = Float()
    inherit_cache = True


@compiles(minutes_between, "sqlite")
def _minutes_sqlite(element: minutes_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 1440.0)"


@compiles(minutes_between, "postgresql")
def _minutes_pg(element: minutes_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end}) - ({start})) / 60.0)"


def pickup_readiness(s: Session, since: datetime, until: datetime) -> list[tuple[str, float]]:
    """(Shanghai day paid 'YYYY-MM-DD', minutes from paid to ready) of the pickup orders paid in
    [since, until) that got ready."""
    stmt = (select(local_day(orders.c.paid_at), minutes_between(orders.c.paid_at, fulfillments.c.ready_at))
            .select_from(fulfillments.join(orders, orders.c.id == fulfillments.c.order_id))
            .where(fulfillments.c.mode == "pickup", fulfillments.c.ready_at.is_not(None),
                   orders.c.paid_at.is_not(None), orders.c.paid_at >= since, orders.c.paid_at < until))
    return [(str(day), float(minutes)) for day, minutes in s.execute(stmt)]


def gmv_by_location(s: Session, since: datetime, until: datetime, limit: int,
                    among: list[int] | None = None) -> list[tuple[int, int, int]]:
    """(location id, GMV fen, orders) of the locations (of `among`, if given) that sold the most in
    [since, until)."""
    gmv = func.sum(orders.c.total_fen)
    where = [_paid_between(since, until)]
    if among is not None:
        where.append(orders.c.fulfil_location_id.in_(among))
    stmt = (select(orders.c.fulfil_location_id, gmv, func.count()).where(*where)
            .group_by(orders.c.fulfil_location_id).order_by(gmv.desc(), orders.c.fulfil_location_id).limit(limit))
    return [(int(loc), int(total or 0), int(n)) for loc, total, n in s.execute(stmt)]


# --- stock grid ---------------------------------------------------------------------------------

_AVAILABLE = stock.c.on_hand - stock.c.reserved - stock.c.safety_stock
_STOCK_COLUMNS = (stock.c.location_id, locations.c.code, locations.c.name_zh, locations.c.name_en, stock.c.sku_id,
                  skus.c.code, skus.c.barcode, skus.c.spec, products.c.id, products.c.name_zh, products.c.name_en,
                  func.coalesce(categories.c.name_zh, literal("")), func.coalesce(categories.c.name_en, literal("")),
                  stock.c.on_hand, stock.c.reserved, stock.c.safety_stock)


def _like(q: str) -> str:
    return q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _stock_where(f: StockFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.location_id:
        where.append(stock.c.location_id == f.location_id)
    if f.category_id:
        where.append(products.c.category_id == f.category_id)
    if f.product_id:
        where.append(skus.c.product_id == f.product_id)
    if f.q:
        q = _like(f.q)
        where.append(or_(skus.c.code.ilike(f"{q}%", escape="\\"), skus.c.barcode.like(f"{q}%", escape="\\"),
                         products.c.name_zh.like(f"%{q}%", escape="\\"),
                         products.c.name_en.ilike(f"%{q}%", escape="\\")))
    if f.level == "zero":
        where.append(_AVAILABLE <= 0)
    elif f.level == "low":
        where.append(_AVAILABLE <= LOW_STOCK)
    return where


def _stock_from(needs_names: bool) -> Any:
    joined = stock.join(skus, skus.c.id == stock.c.sku_id).join(products, products.c.id == skus.c.product_id)
    if needs_names:
        joined = (joined.join(locations, locations.c.id == stock.c.location_id)
                  .outerjoin(categories, categories.c.id == products.c.category_id))
    return joined


def _stock_select(f: StockFilter) -> Select:
    return (select(*_STOCK_COLUMNS).select_from(_stock_from(True)).where(*_stock_where(f))
            .order_by(stock.c.location_id, stock.c.sku_id))


def stock_page(s: Session, f: StockFilter, offset: int, limit: int) -> tuple[list[StockLine], int]:
    where = _stock_where(f)
    count = select(func.count())
    count = (count.select_from(_stock_from(False)) if f.category_id or f.q or f.product_id
             else count.select_from(stock))
    total = s.scalar(count.where(*where)) or 0
    rows = s.execute(_stock_select(f).offset(offset).limit(limit))
    return [StockLine(*r) for r in rows], total


def stock_lines(s: Session, f: StockFilter, batch: int = 2000) -> Iterator[StockLine]:
    """Every matching row, fetched in batches (for a streamed export)."""
    result = s.execute(_stock_select(f).execution_options(yield_per=batch))
    for row in result:
        yield StockLine(*row)


# --- order search -------------------------------------------------------------------------------

def _order_where(f: OrderFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.number:
        number = f.number.upper()
        where.append(orders.c.number.like(f"{_like(number)}%", escape="\\") if len(number) < 16
                     else orders.c.number == number)
    for name in ("status", "channel", "mode"):
        if getattr(f, name):
            where.append(orders.c[name] == getattr(f, name))
    if f.location_id:
        where.append(orders.c.fulfil_location_id == f.location_id)
    if f.since:
        where.append(orders.c.created_at >= f.since)
    if f.until:
        where.append(orders.c.created_at < f.until)
    return where


def search_orders(s: Session, f: OrderFilter, offset: int, limit: int) -> tuple[list[OrderRow], int]:
    """Newest first."""
    where = _order_where(f)
    total = s.scalar(select(func.count()).select_from(orders).where(*where)) or 0
    stmt = (select(orders.c.number, orders.c.status, orders.c.channel, orders.c.mode, orders.c.fulfil_location_id,
                   orders.c.total_fen, orders.c.created_at, orders.c.paid_at)
            .where(*where).order_by(orders.c.created_at.desc(), orders.c.id.desc()).offset(offset).limit(limit))
    return [OrderRow(*r) for r in s.execute(stmt)], total


# --- the dashboard's per-day figures (o2o.analytics.rollups caches them per closed day) -----------

order_history = table("order_history", column("id", Integer), column("order_id", Integer))
fulfillment_history = table("fulfillment_history", column("id", Integer), column("fulfillment_id", Integer))
fulfillment_ids = table("fulfillment_order", column("id", Integer), column("order_id", Integer))


def sales_by_day(s: Session, since: datetime, until: datetime) -> list[tuple[str, str, str, int, int, int]]:
    """(Shanghai day, channel, mode, location id, GMV fen, orders) of orders paid in [since, until): one
    grouped scan from which the dashboard takes GMV by channel, online orders by mode and top stores."""
    day = local_day(orders.c.paid_at)
    stmt = (select(day, orders.c.channel, orders.c.mode, orders.c.fulfil_location_id, func.sum(orders.c.total_fen),
                   func.count()).where(_paid_between(since, until))
            .group_by(day, orders.c.channel, orders.c.mode, orders.c.fulfil_location_id))
    return [(str(d), ch, mode, int(loc), int(fen or 0), int(n)) for d, ch, mode, loc, fen, n in s.execute(stmt)]


def history_marks(s: Session) -> tuple[int, int]:
    """The newest order and fulfilment history row ids: every change the dashboard counts (paid,
    cancelled, ready, moved to another store) writes one of them."""
    row = s.execute(select(select(func.max(order_history.c.id)).scalar_subquery(),
                           select(func.max(fulfillment_history.c.id)).scalar_subquery())).one()
    return int(row[0] or 0), int(row[1] or 0)


def touched_days(s: Session, order_after: int, fulfillment_after: int) -> set[str]:
    """The Shanghai days (of payment) of the orders whose history grew past the given row ids."""
    day = local_day(orders.c.paid_at)
    by_order = (select(day).select_from(order_history.join(orders, orders.c.id == order_history.c.order_id))
                .where(order_history.c.id > order_after, orders.c.paid_at.is_not(None)))
    by_fulfilment = (select(day).select_from(
        fulfillment_history.join(fulfillment_ids, fulfillment_ids.c.id == fulfillment_history.c.fulfillment_id)
        .join(orders, orders.c.id == fulfillment_ids.c.order_id))
        .where(fulfillment_history.c.id > fulfillment_after, orders.c.paid_at.is_not(None)))
    return {str(d) for (d,) in s.execute(by_order)} | {str(d) for (d,) in s.execute(by_fulfilment)}
