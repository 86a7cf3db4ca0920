"""SKU look-ups for store screens (the store console): find SKUs by product name, SKU code or
barcode, and name a list of SKU ids in the reader's language. Read-only; one row per SKU."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel
from sqlalchemy import case, func, or_, select

from o2o.catalog.models import Product, Sku
from o2o.kernel.db import Database
from o2o.kernel.pagination import Page, PageParams

_COLS = (Sku.id, Sku.product_id, Product.name_zh, Product.name_en, Sku.spec, Sku.code, Sku.barcode, Sku.unit,
         Sku.active & Product.active)


class SkuBrief(BaseModel):
    sku_id: int
    product_id: int
    name: str  # the product's name in the reader's language
    spec: str
    code: str
    barcode: str
    unit: str
    active: bool

    @property
    def label(self) -> str:
        return f"{self.name} {self.spec}".strip()


def _brief(row: tuple, locale: str) -> SkuBrief:
    sku_id, product_id, name_zh, name_en, spec, code, barcode, unit, active = row
    return SkuBrief(sku_id=sku_id, product_id=product_id, name=name_zh if locale.startswith("zh") else name_en,
                    spec=spec, code=code, barcode=barcode, unit=unit, active=bool(active))


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def find_skus(db: Database, q: str, page: PageParams, locale: str = "zh-CN") -> Page[SkuBrief]:
    """SKUs whose product name (either language) or SKU code contains `q`, or whose barcode is `q`;
    exact code or barcode matches first."""
    q = q.strip()
    like = _like(q)
    exact = or_(func.lower(Sku.code) == q.lower(), Sku.barcode == q)
    stmt = (select(*_COLS).join(Product, Product.id == Sku.product_id)
            .where(or_(exact, Product.name_zh.like(like, escape="\\"), Product.name_en.ilike(like, escape="\\"),
                       Sku.code.ilike(like, escape="\\"))))
    with db.read() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.execute(stmt.order_by(case((exact, 0), else_=1), Sku.id).offset(page.offset).limit(page.size))
        return Page[SkuBrief](items=[_brief(tuple(r), locale) for r in rows], page=page.page, size=page.size,
                              total=total)


def describe(db: Database, sku_ids: Iterable[int], locale: str = "zh-CN") -> dict[int, SkuBrief]:
    ids = sorted(set(sku_ids))
    if not ids:
        return {}
    with db.read() as s:
        rows = s.execute(select(*_COLS).join(Product, Product.id == Sku.product_id).where(Sku.id.in_(ids)))
        return {r[0]: _brief(tuple(r), locale) for r in rows}


def by_code(db: Database, code: str, locale: str = "zh-CN") -> SkuBrief | None:
    """The SKU with this code (any case) or barcode, if any."""
    code = code.strip()
    if not code:
        return None
    with db.read() as s:
        row = s.execute(select(*_COLS).join(Product, Product.id == Sku.product_id)
                        .where(or_(func.lower(Sku.code) == code.lower(), Sku.barcode == code))
                        .order_by(Sku.id).limit(1)).first()
        return _brief(tuple(row), locale) if row else None
