"""A tiny Shanghai chain for tests: a few stores, one warehouse, a few SKUs, stock.

Built through the services (and so through the same rules the API uses).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from o2o.catalog import service as catalog
from o2o.catalog.models import Category
from o2o.catalog.schemas import ProductIn, SkuIn
from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from o2o.deps import Container
from o2o.inventory import service as inventory
from o2o.inventory.schemas import MovementIn
from o2o.locations import service as locations
from o2o.locations.schemas import LocationIn

# real places, metres apart as in life
XUJIAHUI = (31.1955, 121.4374)
XUJIAHUI_NEAR = (31.2003, 121.4390)  # ~550 m north of the Xujiahui store
JINGAN = (31.2235, 121.4452)  # ~3.2 km from Xujiahui
LUJIAZUI = (31.2397, 121.4998)
JIADING_WH = (31.3500, 121.2500)
SONGJIANG = (31.0322, 121.2277)  # ~25 km away from everything above


@dataclass
class Chain:
    stores: dict[str, int] = field(default_factory=dict)
    warehouse: int = 0
    skus: dict[str, int] = field(default_factory=dict)
    customer: int = 0


def store(c: Container, code: str, point: tuple[float, float], **kw: object) -> int:
    data = LocationIn(code=code, kind="store", name_zh=f"{code}店", name_en=f"{code} Store", district="测试区",
                      lat=point[0], lng=point[1], **kw)  # type: ignore[arg-type]
    return locations.create(c.uow(), data).id


def receive(c: Container, location_id: int, sku_id: int, qty: int) -> None:
    inventory.record_movement(c.uow(), MovementIn(location_id=location_id, sku_id=sku_id, kind="receipt",
                                                  quantity=qty, reason="test"))


def build_chain(c: Container) -> Chain:
    chain = Chain()
    chain.stores["xujiahui"] = store(c, "XJH", XUJIAHUI)
    chain.stores["jingan"] = store(c, "JA", JINGAN)
    chain.stores["lujiazui"] = store(c, "LJZ", LUJIAZUI)
    chain.warehouse = locations.create(c.uow(), LocationIn(
        code="WH-JD", kind="warehouse", name_zh="嘉定仓", name_en="Jiading DC", lat=JIADING_WH[0],
        lng=JIADING_WH[1], can_pickup=False, can_store_delivery=False, can_parcel=True)).id
    with c.uow() as uow:
        uow.session.add(Category(code="dairy", name_zh="乳品", name_en="Dairy"))
        uow.commit()
        cat_id = uow.session.query(Category.id).filter_by(code="dairy").scalar()
    for i, (name, price) in enumerate([("milk", 1290), ("yogurt", 890), ("cheese", 3590)]):
        p = catalog.create_product(c.uow(), ProductIn(
            category_id=cat_id, name_zh=f"测试{name}", name_en=name,
            skus=[SkuIn(code=f"T-{name}", barcode=f"69000000000{i}0", base_price_fen=price)]))
        chain.skus[name] = p.skus[0].id
    chain.customer = customers.create(c.uow(), CustomerIn(name="张三", phone="13800138000",
                                                          home_lat=XUJIAHUI_NEAR[0], home_lng=XUJIAHUI_NEAR[1])).id
    return chain
