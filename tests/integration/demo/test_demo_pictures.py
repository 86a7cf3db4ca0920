"""`o2o seed` draws a picture for every demo product (demo.pictures), stored as uploads are: one
product_image row per product pointing at a WebP file named by its content, with its thumbnails; the
same seed draws the same files (both databases). The pictures are drawn in a pool of processes here
(more than 50 products) as in `o2o seed`."""

from __future__ import annotations

from datetime import UTC, datetime

from PIL import Image
from sqlalchemy import func, select

from o2o.catalog import images, thumbs
from o2o.catalog.models import Category, Product, ProductImage
from o2o.demo import pictures
from o2o.demo.generator import DemoSize, generate

SMALL = DemoSize(stores=2, warehouses=1, skus=150, customers=5, days=1)
ANCHOR = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def test_seed_draws_one_picture_per_product_stored_like_an_upload(fresh_db, tmp_path):
    media = tmp_path / "media"
    summary = generate(fresh_db, SMALL, seed=5, anchor=ANCHOR, media_dir=media)
    with fresh_db.read() as s:
        products = s.scalar(select(func.count()).select_from(Product))
        rows = list(s.scalars(select(ProductImage).order_by(ProductImage.product_id)))
    assert products > 50 and len(rows) == products == len({r.product_id for r in rows})
    assert f"{products:,} product pictures drawn" in summary
    for r in rows:
        data = (media / r.path).read_bytes()
        pic = images.inspect(data)
        assert (r.content_type, r.width, r.height, r.sha256, r.size_bytes) == (
            "image/webp", pic.width, pic.height, pic.sha256, len(data))
        assert r.path == images.relative_path(r.product_id, pic) and r.position == 0
        for w in thumbs.widths_for(r.width):
            assert (media / thumbs.thumb_path(r.path, w)).exists()
    with Image.open(media / rows[0].path) as im:
        assert im.size == (480, 480)
    # the same product and seed drawn again elsewhere: the same file (a function of product and seed)
    with fresh_db.read() as s:
        redo = [(p.id, c.code, c.name_zh, p.name_zh, p.name_en) for p, c in s.execute(
            select(Product, Category).join(Category, Category.id == Product.category_id)
            .where(Product.id.in_([rows[0].product_id, rows[-1].product_id])).order_by(Product.id))]
    again = pictures.store_all(tmp_path / "again", redo, seed=5, workers=1)
    assert [r["sha256"] for r in again] == [rows[0].sha256, rows[-1].sha256]
    shades = {pictures.store_all(tmp_path / f"seed{n}", redo[:1], seed=n, workers=1)[0]["sha256"] for n in range(6)}
    assert len(shades) > 1  # the seed shifts the shade (two seeds may round to the same colour)
