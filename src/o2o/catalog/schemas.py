"""Catalog shapes at the API edge."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, computed_field

from o2o.catalog import thumbs
from o2o.catalog.models import MEDIA_URL
from o2o.kernel.ids import Id
from o2o.kernel.inputs import Input


class SkuIn(Input):
    code: str = Field(min_length=1, max_length=40)
    barcode: str = Field(pattern=r"^[0-9]{8,14}$")
    spec: str = Field("", max_length=80)
    unit: str = Field("件", max_length=16)
    base_price_fen: int = Field(ge=0, le=100_000_000)


class ProductIn(Input):
    category_id: Id
    supplier_id: Id | None = None
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    brand: str | None = Field(None, max_length=80)
    description: str | None = Field(None, max_length=5000)
    skus: list[SkuIn] = Field(min_length=1, max_length=100)


class SkuOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    product_id: int
    code: str
    barcode: str
    spec: str
    unit: str
    base_price_fen: int
    active: bool


class ProductImageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    url: str = Field(description="stable: the file is named by its content")
    content_type: str
    width: int
    height: int
    size_bytes: int

    @computed_field(description="the WebP thumbnails (160, 320, 640 px wide, those narrower than the picture) "
                                "and the original, as an <img srcset>")  # type: ignore[prop-decorator]
    @property
    def srcset(self) -> str:
        return thumbs.srcset(self.url.removeprefix(MEDIA_URL + "/"), self.width)


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    category_id: int
    supplier_id: int | None = None
    name_zh: str
    name_en: str
    brand: str | None
    description: str | None
    active: bool
    skus: list[SkuOut]
    image_url: str | None = Field(None, description="the main picture (served by the app under /media)")
    images: list[ProductImageOut] = []


class ProductUpdate(Input):
    """Every field of a product but its SKUs (those are edited one by one)."""

    category_id: Id
    supplier_id: Id | None = None
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    brand: str | None = Field(None, max_length=80)
    description: str | None = Field(None, max_length=5000)
    active: bool = True


class SkuUpdate(SkuIn):
    active: bool = True


class CategoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name_zh: str
    name_en: str
    parent_id: int | None


class StorePriceIn(Input):
    location_id: Id
    price_fen: int = Field(ge=0, le=100_000_000)


class PricedSku(BaseModel):
    """What one strategy decides for a SKU at a location and channel."""

    sku_id: int
    name: str  # in the strategy's language
    price_fen: int
    active: bool
    name_zh: str = ""  # both languages, kept on order lines
    name_en: str = ""
    list_price_fen: int | None = None  # set when a member's tier price replaced it
    price_tier: str | None = None  # the tier whose price this is ("gold": 黄金会员价)
    category_id: int = 0  # the product's category (promotions scoped by category)


class SupplierIn(BaseModel):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1, max_length=120)


class SupplierOut(SupplierIn):
    model_config = ConfigDict(from_attributes=True)
    id: int
