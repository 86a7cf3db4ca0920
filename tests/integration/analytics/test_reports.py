"""The back-office reports on a small hand-built chain, on SQLite and PostgreSQL: exact figures.

The clock stands at 2026-11-24 10:00 Shanghai time; a 3-day period is Nov 22, 23 and 24 (Shanghai
days: an order paid at 23:00 UTC on Nov 22 counts for Nov 23).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from o2o.analytics import service
from o2o.analytics.schemas import OrderFilter, StockFilter
from o2o.fulfillment.models import FulfillmentOrder
from o2o.inventory.models import Stock
from o2o.kernel.db import Database
from o2o.kernel.pagination import PageParams
from o2o.orders.models import Order
from tests.factories.raw import new_location, new_sku

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def add_order(db: Database, number: str, channel: str, mode: str, status: str, loc: int, total: int,
              paid: datetime | None, ready_after_min: float | None = None) -> None:
    created = (paid or NOW) - timedelta(minutes=1)
    with db.write_sessions() as s:
        o = Order(number=number, customer_id=None, channel=channel, status=status, wanted_mode=mode, mode=mode,
                  fulfil_location_id=loc, route_reason="test", distance_m=None, subtotal_fen=total,
                  delivery_fee_fen=0, discount_fen=0, total_fen=total, currency="CNY", created_at=created,
                  expires_at=None, paid_at=paid, completed_at=None)
        s.add(o)
        s.flush()
        if ready_after_min is not None:
            assert paid is not None
            s.add(FulfillmentOrder(order_id=o.id, order_number=number, location_id=loc, mode=mode, status="ready",
                                   reason="test", pickup_code="123456", created_at=paid,
                                   ready_at=paid + timedelta(minutes=ready_after_min)))
        s.commit()


@pytest.fixture
def sales(db: Database) -> dict[str, int]:
    s1, s2 = new_location(db, "S"), new_location(db, "S")
    add_order(db, "SO20261122000001", "h5", "pickup", "completed", s1, 1000, utc(22, 2), 20)  # Nov 22 10:00
    add_order(db, "SO20261123000002", "app", "store_delivery", "completed", s1, 2500, utc(22, 23))  # Nov 23 07:00
    add_order(db, "SO20261124000003", "pos", "pickup", "completed", s2, 700, utc(24, 1))  # a till sale
    add_order(db, "SO20261123000004", "h5", "pickup", "cancelled", s2, 5000, utc(23, 3))  # refunded: out
    add_order(db, "SO20261124000005", "h5", "parcel", "pending_payment", s1, 9000, None)  # unpaid: out
    add_order(db, "SO20261121000006", "h5", "pickup", "completed", s2, 300, utc(21, 15, 59))  # Nov 21 23:59: out
    add_order(db, "SO20261124000007", "miniprogram", "pickup", "completed", s2, 1200, utc(24, 1, 30), 50)
    add_order(db, "SO20261123000008", "h5", "pickup", "completed", s1, 800, utc(23, 4), 10)
    add_order(db, "SO20261123000009", "h5", "pickup", "ready", s1, 400, utc(23, 5), 35)
    return {"s1": s1, "s2": s2}


def test_dashboard_figures_when_orders_span_shanghai_days(db, sales):
    d = service.dashboard(db, NOW, days=3)
    assert d.days == [date(2026, 11, 22), date(2026, 11, 23), date(2026, 11, 24)]
    assert d.channels == ["h5", "app", "miniprogram", "pos"]
    assert d.gmv_by_channel == {"h5": [1000, 1200, 0], "app": [0, 2500, 0], "miniprogram": [0, 0, 1200],
                                "pos": [0, 0, 700]}
    assert d.gmv_by_day == [1000, 3700, 1900]
    assert d.orders_by_day == [1, 3, 2]
    assert (d.gmv_fen, d.orders, d.average_fen) == (6600, 6, 1100)
    assert d.modes == {"pickup": 4, "store_delivery": 1, "parcel": 0}  # online only: the till sale is out
    assert d.online_orders == 5


def test_pickup_readiness_median_and_p90_per_day(db, sales):
    d = service.dashboard(db, NOW, days=3)
    assert [(r.day.day, r.orders, r.median_min, r.p90_min) for r in d.readiness] == [
        (22, 1, 20.0, 20.0), (23, 2, 22.5, 35.0), (24, 1, 50.0, 50.0)]
    assert d.readiness_all is not None
    assert (d.readiness_all.orders, d.readiness_all.median_min, d.readiness_all.p90_min) == (4, 27.5, 50.0)
    assert d.readiness_buckets == [(0, 15, 1), (15, 30, 1), (30, 60, 2), (60, 120, 0), (120, None, 0)]
    assert d.readiness_by_bucket == [[0, 1, 0], [1, 0, 0], [0, 1, 1], [0, 0, 0], [0, 0, 0]]


def test_top_stores_by_gmv_when_limited_to_some_locations(db, sales):
    d = service.dashboard(db, NOW, days=3)
    assert [(s.location_id, s.gmv_fen, s.orders) for s in d.top_stores] == [(sales["s1"], 4700, 4),
                                                                            (sales["s2"], 1900, 2)]
    only = service.dashboard(db, NOW, days=3, top_among=[sales["s2"]])
    assert [(s.location_id, s.gmv_fen) for s in only.top_stores] == [(sales["s2"], 1900)]


def test_dashboard_is_empty_when_nothing_was_sold(db):
    d = service.dashboard(db, NOW, days=7)
    assert len(d.days) == 7 and d.channels == [] and d.gmv_fen == 0 and d.orders == 0
    assert d.readiness_all is None and d.top_stores == [] and d.modes == {"pickup": 0, "store_delivery": 0,
                                                                          "parcel": 0}


def test_order_search_filters(db, sales):
    def numbers(**kw):  # type: ignore[no-untyped-def]
        page = service.search_orders(db, OrderFilter(**kw), PageParams(page=1, size=50))
        return [o.number[-2:] for o in page.items], page.total

    assert numbers() == (["05", "07", "03", "09", "08", "04", "02", "01", "06"], 9)  # newest first
    assert numbers(number="so2026112300") == (["09", "08", "04", "02"], 4)  # the start of a number, any case
    assert numbers(number="SO20261123000008") == (["08"], 1)
    assert numbers(status="cancelled") == (["04"], 1)
    assert numbers(channel="h5", mode="pickup", location_id=sales["s1"]) == (["09", "08", "01"], 3)
    shanghai_23rd = (datetime(2026, 11, 22, 16, tzinfo=UTC), datetime(2026, 11, 23, 16, tzinfo=UTC))
    assert numbers(since=shanghai_23rd[0], until=shanghai_23rd[1]) == (["09", "08", "04", "02"], 4)
    page2 = service.search_orders(db, OrderFilter(), PageParams(page=2, size=4))
    assert [o.number[-2:] for o in page2.items] == ["08", "04", "02", "01"] and page2.total == 9


@pytest.fixture
def stock(db: Database) -> dict[str, int]:
    l1, l2 = new_location(db, "L"), new_location(db, "L")
    milk, bread = new_sku(db), new_sku(db)
    with db.write_sessions() as s:
        from o2o.catalog.models import Product, Sku

        for sku_id, name_zh, name_en in ((milk, "鲜牛奶", "Fresh milk"), (bread, "吐司", "Toast bread")):
            product = s.get(Product, s.get(Sku, sku_id).product_id)
            product.name_zh, product.name_en = name_zh, name_en
        s.add_all([Stock(location_id=l1, sku_id=milk, on_hand=10, reserved=2, safety_stock=1),
                   Stock(location_id=l1, sku_id=bread, on_hand=3, reserved=0, safety_stock=0),
                   Stock(location_id=l2, sku_id=milk, on_hand=0, reserved=0, safety_stock=0),
                   Stock(location_id=l2, sku_id=bread, on_hand=5, reserved=5, safety_stock=0)])
        s.commit()
        milk_product = s.get(Sku, milk).product_id
        milk_category = s.get(Product, milk_product).category_id
    return {"l1": l1, "l2": l2, "milk": milk, "bread": bread, "milk_product": milk_product,
            "milk_category": milk_category}


def test_stock_grid_filters(db, stock):
    def rows(**kw):  # type: ignore[no-untyped-def]
        page = service.stock_page(db, StockFilter(**kw), PageParams(page=1, size=50))
        return [(r.location_id, r.sku_id, r.available) for r in page.items], page.total

    l1, l2, milk, bread = stock["l1"], stock["l2"], stock["milk"], stock["bread"]
    assert rows() == ([(l1, milk, 7), (l1, bread, 3), (l2, milk, 0), (l2, bread, 0)], 4)
    assert rows(location_id=l1) == ([(l1, milk, 7), (l1, bread, 3)], 2)
    assert rows(q="MILK") == ([(l1, milk, 7), (l2, milk, 0)], 2)  # part of the English name, any case
    assert rows(q="吐司") == ([(l1, bread, 3), (l2, bread, 0)], 2)
    assert rows(level="zero") == ([(l2, milk, 0), (l2, bread, 0)], 2)
    assert rows(level="low") == ([(l1, bread, 3), (l2, milk, 0), (l2, bread, 0)], 3)
    assert rows(category_id=stock["milk_category"], level="zero") == ([(l2, milk, 0)], 1)
    assert rows(product_id=stock["milk_product"]) == ([(l1, milk, 7), (l2, milk, 0)], 2)
    assert rows(q="100%_") == ([], 0)  # LIKE wildcards are taken literally


def test_stock_grid_finds_a_sku_by_code_or_barcode_start(db, stock):
    page = service.stock_page(db, StockFilter(location_id=stock["l1"]), PageParams(page=1, size=50))
    milk = next(r for r in page.items if r.sku_id == stock["milk"])
    by_code = service.stock_page(db, StockFilter(q=milk.sku_code), PageParams(page=1, size=50))
    by_barcode = service.stock_page(db, StockFilter(q=milk.barcode[:9]), PageParams(page=1, size=50))
    assert {r.sku_id for r in by_code.items} == {stock["milk"]}
    assert stock["milk"] in {r.sku_id for r in by_barcode.items}
    assert (milk.on_hand, milk.reserved, milk.safety_stock, milk.name_en) == (10, 2, 1, "Fresh milk")


def test_stock_lines_stream_every_row_in_order(db, stock):
    lines = list(service.stock_lines(db, StockFilter()))
    assert [(r.location_id, r.sku_id) for r in lines] == [
        (stock["l1"], stock["milk"]), (stock["l1"], stock["bread"]), (stock["l2"], stock["milk"]),
        (stock["l2"], stock["bread"])]
    assert [r.available for r in service.stock_lines(db, StockFilter(level="low", location_id=stock["l1"]))] == [3]
