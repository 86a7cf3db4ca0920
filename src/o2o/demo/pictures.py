"""A picture for every demo product, drawn with Pillow: the category's colour, a simple pictogram of
the category (drawn from primitives), the product's Chinese name and the category's name. Written
through the catalog's picture storage (`catalog.images`: named by content, WebP) with the same
thumbnails as an upload (`catalog.thumbs`). Deterministic: the same product and seed give the same
bytes (the seed only shifts the shade of the background a little).

The CJK font is WenQuanYi Micro Hei or Noto Sans CJK (Debian fonts-wqy-microhei, installed by .ci/run);
without one the English name is drawn with Pillow's built-in font.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import random
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from o2o.catalog import images, thumbs

SIDE = 480
QUALITY = 78
FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
         "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
         "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")

COLOURS: dict[str, tuple[int, int, int]] = {
    "fresh": (76, 175, 80), "dairy": (66, 135, 245), "beverages": (0, 172, 193), "snacks": (255, 152, 0),
    "grain": (205, 164, 52), "condiments": (198, 40, 40), "frozen": (100, 181, 246), "bakery": (188, 120, 64),
    "personal_care": (126, 87, 194), "household": (38, 166, 154), "baby": (240, 98, 146), "pet": (141, 110, 99),
    "wine": (136, 14, 79), "appliances": (84, 110, 122), "digital": (57, 73, 171), "stationery": (251, 192, 45),
    "home": (121, 134, 203), "apparel": (233, 30, 99), "beauty": (216, 27, 96)}


@cache
def font(size: int) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, bool]:
    """(a font of that size, whether it has CJK glyphs)."""
    for path in FONTS:
        if os.path.exists(path):
            return ImageFont.truetype(path, size), True
    return ImageFont.load_default(size), False


def _pictogram(d: ImageDraw.ImageDraw, code: str, cx: int, cy: int, r: int) -> None:
    """A white symbol of the category around (cx, cy), about r pixels in radius."""
    w, line = (255, 255, 255), max(4, r // 8)
    box = (cx - r, cy - r, cx + r, cy + r)
    if code in ("fresh",):  # an apple with a leaf
        d.ellipse((cx - r, cy - r * 0.8, cx + r, cy + r), fill=w)
        d.ellipse((cx, cy - r * 1.3, cx + r * 0.6, cy - r * 0.8), fill=w)
    elif code in ("dairy", "beverages", "wine"):  # a bottle
        d.rounded_rectangle((cx - r * 0.5, cy - r * 0.4, cx + r * 0.5, cy + r), radius=r // 4, fill=w)
        d.rectangle((cx - r * 0.2, cy - r, cx + r * 0.2, cy - r * 0.3), fill=w)
    elif code in ("snacks", "bakery"):  # a cookie / bun
        d.ellipse(box, fill=w)
        for dx, dy in ((-0.4, -0.3), (0.3, -0.4), (0.1, 0.3), (-0.3, 0.4)):
            d.ellipse((cx + dx * r - line, cy + dy * r - line, cx + dx * r + line, cy + dy * r + line),
                      fill=COLOURS.get(code, (0, 0, 0)))
    elif code in ("grain",):  # a sack
        d.polygon([(cx - r * 0.8, cy + r), (cx + r * 0.8, cy + r), (cx + r * 0.5, cy - r * 0.6),
                   (cx - r * 0.5, cy - r * 0.6)], fill=w)
        d.rectangle((cx - r * 0.3, cy - r, cx + r * 0.3, cy - r * 0.6), fill=w)
    elif code in ("frozen",):  # a snowflake
        for a, b in (((-1, 0), (1, 0)), ((-0.5, -0.87), (0.5, 0.87)), ((-0.5, 0.87), (0.5, -0.87))):
            d.line((cx + a[0] * r, cy + a[1] * r, cx + b[0] * r, cy + b[1] * r), fill=w, width=line)
    elif code in ("condiments", "personal_care", "beauty", "household"):  # a jar / tube with a cap
        d.rounded_rectangle((cx - r * 0.6, cy - r * 0.5, cx + r * 0.6, cy + r), radius=r // 5, fill=w)
        d.rectangle((cx - r * 0.4, cy - r, cx + r * 0.4, cy - r * 0.6), fill=w)
    elif code in ("baby", "pet"):  # a paw / a face: a big circle and small ones
        d.ellipse((cx - r * 0.6, cy - r * 0.2, cx + r * 0.6, cy + r), fill=w)
        for dx in (-0.7, -0.25, 0.25, 0.7):
            d.ellipse((cx + dx * r - r * 0.2, cy - r * 0.8, cx + dx * r + r * 0.2, cy - r * 0.4), fill=w)
    elif code in ("appliances", "digital"):  # a screen on a stand
        d.rounded_rectangle((cx - r, cy - r * 0.7, cx + r, cy + r * 0.5), radius=r // 8, outline=w, width=line)
        d.rectangle((cx - r * 0.4, cy + r * 0.75, cx + r * 0.4, cy + r * 0.75 + line), fill=w)
    elif code in ("apparel",):  # a t-shirt
        d.polygon([(cx - r * 0.5, cy - r), (cx - r, cy - r * 0.5), (cx - r * 0.7, cy - r * 0.2),
                   (cx - r * 0.5, cy - r * 0.4), (cx - r * 0.5, cy + r), (cx + r * 0.5, cy + r),
                   (cx + r * 0.5, cy - r * 0.4), (cx + r * 0.7, cy - r * 0.2), (cx + r, cy - r * 0.5),
                   (cx + r * 0.5, cy - r)], fill=w)
    else:  # a house / a pencil / anything: a square with a roof
        d.polygon([(cx - r, cy - r * 0.1), (cx, cy - r), (cx + r, cy - r * 0.1)], fill=w)
        d.rectangle((cx - r * 0.7, cy - r * 0.1, cx + r * 0.7, cy + r), fill=w)


def _lines(text: str, f: Any, width: int) -> list[str]:
    """The text broken into at most two lines that fit `width` (the second cut with "…")."""
    out, cur = [], ""
    for ch in text:
        if f.getlength(cur + ch) > width and cur:
            out.append(cur)
            cur = ch
            if len(out) == 2:
                break
        else:
            cur += ch
    if len(out) < 2 and cur:
        out.append(cur)
    if len(out) == 2 and "".join(out) != text.replace("\n", ""):
        while out[1] and f.getlength(out[1] + "…") > width:
            out[1] = out[1][:-1]
        out[1] += "…"
    return out[:2]


def webp(im: Image.Image) -> bytes:
    out = io.BytesIO()
    im.save(out, "WEBP", quality=QUALITY, method=0)
    return out.getvalue()


def draw(code: str, category: str, name_zh: str, name_en: str, seed: int = 0, side: int = SIDE) -> bytes:
    """The product picture as WebP bytes: `side` x `side` pixels."""
    return webp(picture(code, category, name_zh, name_en, seed, side))


def picture(code: str, category: str, name_zh: str, name_en: str, seed: int = 0, side: int = SIDE) -> Image.Image:
    """The product picture, `side` x `side` pixels."""
    rnd = random.Random(f"{seed}:{code}:{name_zh}")
    base = COLOURS.get(code, (96, 125, 139))
    shade = rnd.uniform(-0.08, 0.08)
    bg = tuple(max(0, min(255, round(c + (255 - c if shade > 0 else c) * shade))) for c in base)
    im = Image.new("RGB", (side, side), bg)
    d = ImageDraw.Draw(im)
    light = tuple(min(255, c + 40) for c in bg)
    d.ellipse((side * 0.2, side * 0.08, side * 0.8, side * 0.68), fill=light)
    _pictogram(d, code, side // 2, round(side * 0.38), round(side * 0.17))
    big, cjk = font(round(side * 0.085))
    small, _ = font(round(side * 0.05))
    text = name_zh if cjk else name_en
    y = round(side * 0.72)
    for line in _lines(text, big, round(side * 0.9)):
        d.text((side / 2, y), line, font=big, fill=(255, 255, 255), anchor="ma")
        y += round(side * 0.1)
    d.text((side * 0.05, side * 0.04), category if cjk else code, font=small, fill=(255, 255, 255))
    return im


def _one(job: tuple[Path, int, str, str, str, str, int]) -> dict[str, Any]:
    """Draw, store (file and thumbnails) and describe one product's picture: its product_image row."""
    media_dir, product_id, code, category, name_zh, name_en, seed = job
    im = picture(code, category, name_zh, name_en, seed)
    data = webp(im)
    pic = images.inspect(data)
    rel = images.relative_path(product_id, pic)
    images.save(media_dir, rel, data)
    for w in thumbs.widths_for(pic.width):  # the same files an upload gets, made from the drawing in memory
        small = im.resize((w, round(im.height * w / im.width)), Image.Resampling.BILINEAR, reducing_gap=2.0)
        images.save(media_dir, thumbs.thumb_path(rel, w), webp(small))
    return dict(product_id=product_id, path=rel, content_type=pic.content_type, size_bytes=pic.size_bytes,
                width=pic.width, height=pic.height, sha256=pic.sha256, position=0)


class Drawing:
    """Pictures being drawn in a pool of processes while the caller goes on (the demo generator
    starts them with the catalogue and collects the rows at the end); `rows()` waits for them."""

    def __init__(self, media_dir: Path, products: Iterable[tuple[int, str, str, str, str]], seed: int,
                 workers: int | None = None) -> None:
        jobs = [(media_dir, pid, code, cat, zh, en, seed) for pid, code, cat, zh, en in products]
        self.workers = workers or min(4, os.cpu_count() or 1)
        self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn")) if self.workers > 1 and len(jobs) >= 50 else None
        step = max(1, len(jobs) // (self.workers * 8))
        chunks = [jobs[i:i + step] for i in range(0, len(jobs), step)]
        self.futures = [self.pool.submit(_many, ch) for ch in chunks] if self.pool else []
        self.inline = chunks if self.pool is None else []

    def rows(self) -> list[dict[str, Any]]:
        """The product_image rows in the products' order (drawn here when there is no pool)."""
        try:
            return [r for f in self.futures for r in f.result()] + [r for ch in self.inline for r in _many(ch)]
        finally:
            if self.pool is not None:
                self.pool.shutdown(cancel_futures=True)


def _many(jobs: list[tuple[Path, int, str, str, str, str, int]]) -> list[dict[str, Any]]:
    return [_one(j) for j in jobs]


def store_all(media_dir: Path, products: Iterable[tuple[int, str, str, str, str]], seed: int,
              workers: int | None = None) -> list[dict[str, Any]]:
    """Pictures for (product id, category code, category name, name_zh, name_en) rows, drawn in a pool
    of processes (`workers`, default: the CPUs, at most 4); product_image rows in the given order."""
    return Drawing(media_dir, products, seed, workers).rows()
