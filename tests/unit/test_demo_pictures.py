"""The demo's drawn product pictures (o2o.demo.pictures): size, format, the same bytes for the same
product and seed, the Chinese name really drawn (CJK font found, text pixels in the name's area),
categories told apart by colour, and the files stored as an upload's are (content name, thumbnails)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from o2o.catalog import images, thumbs
from o2o.demo import pictures


def decoded(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def test_a_picture_is_a_square_webp_and_the_same_for_the_same_product_and_seed():
    a = pictures.draw("dairy", "乳品", "光明低脂鲜牛奶", "Bright Low-fat Milk", seed=42)
    assert a == pictures.draw("dairy", "乳品", "光明低脂鲜牛奶", "Bright Low-fat Milk", seed=42)
    assert a != pictures.draw("dairy", "乳品", "光明低脂鲜牛奶", "Bright Low-fat Milk", seed=7)  # shade moves
    assert a != pictures.draw("dairy", "乳品", "伊利纯牛奶", "Yili Milk", seed=42)
    im = decoded(a)
    assert (im.format, im.size) == ("WEBP", (pictures.SIDE, pictures.SIDE))
    assert images.inspect(a).content_type == "image/webp" and len(a) < images.MAX_BYTES


def test_the_chinese_name_is_drawn_with_a_cjk_font():
    font, cjk = pictures.font(40)
    assert cjk, "no CJK font: install fonts-wqy-microhei (.ci/run does)"
    assert font.getbbox("牛")[2] > 20  # a real glyph, not an empty box of width 0
    plain = pictures.picture("dairy", "乳品", "", "", seed=1)
    named = pictures.picture("dairy", "乳品", "光明牛奶", "Bright Milk", seed=1)
    band = (0, int(pictures.SIDE * 0.7), pictures.SIDE, pictures.SIDE)  # where the name goes
    assert len(plain.crop(band).getcolors(1 << 16) or []) == 1  # one colour without a name
    text = named.crop(band)
    colours = text.getcolors(1 << 16) or []
    assert len(colours) > 10  # the glyphs and their anti-aliased edges
    white = sum(n for n, c in colours if min(c) > 230)
    assert 500 < white < band[2] * (band[3] - band[1]) // 3  # strokes, not a filled block
    two = pictures.picture("dairy", "乳品", "光明牛奶", "", seed=1).crop(band)
    other = pictures.picture("dairy", "乳品", "蒙牛酸奶", "", seed=1).crop(band)
    assert two.tobytes() != other.tobytes()  # the characters themselves differ


def test_categories_have_their_own_colour_and_pictogram():
    dairy = pictures.picture("dairy", "乳品", "x", "x", seed=1)
    fresh = pictures.picture("fresh", "生鲜", "x", "x", seed=1)
    assert dairy.getpixel((5, 300)) != fresh.getpixel((5, 300))
    centre = (pictures.SIDE // 2, int(pictures.SIDE * 0.38))
    assert dairy.getpixel(centre) == (255, 255, 255)  # the white pictogram in the middle
    long = pictures._lines("很长的商品名称" * 6, pictures.font(40)[0], 400)
    assert len(long) == 2 and long[1].endswith("…")


def test_pictures_are_stored_as_uploads_are(tmp_path: Path):
    rows = pictures.store_all(tmp_path, [(7, "snacks", "零食", "三只松鼠坚果", "Nuts"),
                                         (8, "pet", "宠物", "猫粮", "Cat food")], seed=3, workers=1)
    assert [r["product_id"] for r in rows] == [7, 8]
    for r in rows:
        data = (tmp_path / r["path"]).read_bytes()
        pic = images.inspect(data)
        assert r["path"] == images.relative_path(r["product_id"], pic) and r["sha256"] == pic.sha256
        for w in thumbs.widths_for(pic.width):
            with Image.open(tmp_path / thumbs.thumb_path(r["path"], w)) as t:
                assert (t.format, t.width) == ("WEBP", w)
    again = pictures.store_all(tmp_path / "again", [(7, "snacks", "零食", "三只松鼠坚果", "Nuts")], seed=3, workers=1)
    assert again[0]["sha256"] == rows[0]["sha256"]
