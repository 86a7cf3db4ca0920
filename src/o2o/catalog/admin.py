"""Managing the catalog (back-office): edit products and their SKUs, product pictures, search everything.

Creating a product is `service.create_product`. Inputs that name something unknown (a category, a
supplier) are 422 on that field; a SKU code or barcode already in use is 409 on that field.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from o2o.catalog import images, service, thumbs
from o2o.catalog import repository as repo
from o2o.catalog.models import Category, Product, ProductImage, Sku, Supplier
from o2o.catalog.schemas import (
    ProductImageOut,
    ProductIn,
    ProductOut,
    ProductUpdate,
    SkuIn,
    SkuOut,
    SkuUpdate,
)
from o2o.catalog.search import service as product_search
from o2o.kernel.db import Database
from o2o.kernel.errors import Conflict, InvalidInput, NotFound
from o2o.kernel.lookups import flush_unique, get_or_404
from o2o.kernel.pagination import Page, PageParams
from o2o.kernel.uow import UnitOfWork


class ImageRefused(InvalidInput):
    """422 on the field "image"; `reason` is one of images.BadImage's codes."""

    kind = "image-refused"

    def __init__(self, reason: str) -> None:
        super().__init__("image", f"not taken: {reason}")
        self.reason = reason
        self.extra["reason"] = reason


def check_references(s: Session, category_id: int, supplier_id: int | None) -> None:
    if s.get(Category, category_id) is None:
        raise InvalidInput("category_id", f"category {category_id} does not exist")
    if supplier_id is not None and s.get(Supplier, supplier_id) is None:
        raise InvalidInput("supplier_id", f"supplier {supplier_id} does not exist")


def check_sku_unique(s: Session, data: SkuIn, except_sku: int | None = None) -> None:
    """A clear 409 on the field that clashes (the unique constraints still decide under races)."""
    for field in ("code", "barcode"):
        if repo.sku_clash(s, field, getattr(data, field), except_sku):
            raise Conflict(f"SKU {field} {getattr(data, field)!r} is already in use", field=field)


def create_product(uow: UnitOfWork, data: ProductIn) -> ProductOut:
    """`service.create_product`, with unknown references and clashing SKU codes reported on their field
    first (the unique constraints still decide a race, as a 409 on "skus")."""
    with uow.db.read() as s:
        check_references(s, data.category_id, data.supplier_id)
        for i, sku in enumerate(data.skus):
            try:
                check_sku_unique(s, sku)
            except Conflict as exc:
                exc.extra["field"] = f"skus[{i}].{exc.extra['field']}"
                raise
    return service.create_product(uow, data)


def update_product(uow: UnitOfWork, product_id: int, data: ProductUpdate) -> ProductOut:
    with uow:
        s = uow.session
        product = get_or_404(s, Product, product_id, "product")
        check_references(s, data.category_id, data.supplier_id)
        for name, value in data.model_dump().items():
            setattr(product, name, value)
        s.flush()
        product_search.reindex(s, [product.id])
        uow.describe(f"product={product.id}", active=product.active)
        uow.publish("catalog.product_updated", {"product_id": product.id, "active": product.active})
        uow.commit()
    return get(uow.db, product_id)


def add_sku(uow: UnitOfWork, product_id: int, data: SkuIn) -> SkuOut:
    with uow:
        s = uow.session
        get_or_404(s, Product, product_id, "product")
        check_sku_unique(s, data)
        sku = Sku(product_id=product_id, **data.model_dump())
        s.add(sku)
        flush_unique(s, "a SKU code or barcode is already in use", "code")
        product_search.reindex(s, [product_id])
        out = SkuOut.model_validate(sku)
        uow.describe(f"product={product_id},sku={sku.id}")
        uow.publish("catalog.sku_added", {"product_id": product_id, "sku_id": sku.id})
        uow.commit()
        return out


def update_sku(uow: UnitOfWork, product_id: int, sku_id: int, data: SkuUpdate) -> SkuOut:
    with uow:
        s = uow.session
        sku = s.get(Sku, sku_id)
        if sku is None or sku.product_id != product_id:
            raise NotFound("sku", sku_id)
        check_sku_unique(s, data, except_sku=sku_id)
        for name, value in data.model_dump().items():
            setattr(sku, name, value)
        flush_unique(s, "a SKU code or barcode is already in use", "code")
        product_search.reindex(s, [product_id])
        out = SkuOut.model_validate(sku)
        uow.describe(f"product={product_id},sku={sku_id}", base_price_fen=sku.base_price_fen, active=sku.active)
        uow.publish("catalog.sku_updated", {"product_id": product_id, "sku_id": sku_id})
        uow.commit()
        return out


def add_image(uow: UnitOfWork, media_dir: Path, product_id: int, data: bytes) -> ProductImageOut:
    """Check the bytes (JPEG, PNG or WebP by their magic bytes; size), store the file, record it.
    The file is written before the transaction (nothing slow inside it) and removed again if the
    row cannot be recorded."""
    try:
        picture = images.inspect(data)
    except images.BadImage as exc:
        raise ImageRefused(exc.code) from None
    with uow.db.read() as s:
        if s.get(Product, product_id) is None:
            raise NotFound("product", product_id)
    rel = images.relative_path(product_id, picture)
    created = images.save(media_dir, rel, data)
    try:
        try:  # the WebP thumbnails (o2o.catalog.thumbs), written before the transaction like the file
            thumbs.make(media_dir, rel, picture.width, data)
        except images.BadImage as exc:  # the header looked right but the picture does not decode
            raise ImageRefused(exc.code) from None
        with uow:
            s = uow.session
            _, last = repo.image_positions(s, product_id)
            row = ProductImage(product_id=product_id, path=rel, content_type=picture.content_type,
                               size_bytes=picture.size_bytes, width=picture.width, height=picture.height,
                               sha256=picture.sha256, position=0 if last is None else last + 1,
                               created_at=uow.clock.now())
            s.add(row)
            flush_unique(s, "this picture is already on the product", "image")
            out = ProductImageOut.model_validate(row)
            uow.describe(f"product={product_id},image={row.id}", bytes=picture.size_bytes,
                         content_type=picture.content_type)
            uow.publish("catalog.image_added", {"product_id": product_id, "image_id": row.id})
            uow.commit()
            return out
    except BaseException:
        if created:
            images.delete(media_dir, rel)
            thumbs.delete(media_dir, rel)
        raise


def _image(s: Session, product_id: int, image_id: int) -> ProductImage:
    row = s.get(ProductImage, image_id)
    if row is None or row.product_id != product_id:
        raise NotFound("image", image_id)
    return row


def remove_image(uow: UnitOfWork, media_dir: Path, product_id: int, image_id: int) -> None:
    with uow:
        row = _image(uow.session, product_id, image_id)
        rel = row.path
        uow.session.delete(row)
        uow.describe(f"product={product_id},image={image_id}")
        uow.publish("catalog.image_removed", {"product_id": product_id, "image_id": image_id})
        uow.commit()
    images.delete(media_dir, rel)  # after the commit: a failed commit leaves the file in place
    thumbs.delete(media_dir, rel)


def make_main_image(uow: UnitOfWork, product_id: int, image_id: int) -> None:
    with uow:
        row = _image(uow.session, product_id, image_id)
        first, _ = repo.image_positions(uow.session, product_id)
        if first is not None and row.position > first:
            row.position = first - 1
        uow.describe(f"product={product_id},image={image_id}")
        uow.commit()


def get(db: Database, product_id: int) -> ProductOut:
    """One product, active or not, with its SKUs and pictures."""
    with db.read() as s:
        product = repo.get_product(s, product_id)
        if product is None:
            raise NotFound("product", product_id)
        return ProductOut.model_validate(product)


def search(db: Database, q: str | None, category_id: int | None, active: bool | None,
           page: PageParams) -> Page[ProductOut]:
    with db.read() as s:
        rows, total = repo.admin_search(s, q, category_id, active, page.offset, page.size)
        return Page[ProductOut](items=[ProductOut.model_validate(p) for p in rows], page=page.page,
                                size=page.size, total=total)


def make_thumbnails(db: Database, media_dir: Path) -> tuple[int, int, int]:
    """The WebP thumbnails of every stored picture that lacks them (pictures uploaded before
    thumbnails existed; idempotent). Returns (pictures, thumbnails written, pictures refused or missing)."""
    with db.read() as s:
        rows = s.execute(select(ProductImage.path, ProductImage.width).order_by(ProductImage.id)).all()
    written = bad = 0
    for rel, width in rows:
        try:
            written += len(thumbs.make(media_dir, rel, width))
        except (images.BadImage, FileNotFoundError):
            bad += 1
    return len(rows), written, bad
