"""Search shapes at the API edge."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from o2o.catalog.schemas import ProductOut
from o2o.kernel.pagination import Page

Sort = Literal["relevance", "price_asc", "price_desc", "sales"]


class ProductHit(ProductOut):
    in_stock: bool | None = Field(None, description="at the store searched for (in_stock_at); null without one")


class SearchPage(Page[ProductHit]):
    corrected: str | None = Field(None, description="the words searched instead when the query as typed found nothing")


class Suggestion(BaseModel):
    product_id: int
    name_zh: str
    name_en: str
