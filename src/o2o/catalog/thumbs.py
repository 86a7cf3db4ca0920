"""Smaller copies of product pictures for lists and phones: WebP at a few widths, next to the
original (`products/7/ab12….jpg` -> `products/7/ab12….w320.webp`). Only widths below the original's
are made; pages offer them with `srcset` and the original as the largest candidate.

Unlike `images.inspect` this decodes the picture (Pillow), so it runs only on files `inspect` took
(type by magic bytes, at most MAX_SIDE pixels a side, at most MAX_BYTES): the decoder's own limit is
set to that size, a larger frame is refused. Written when a picture is uploaded; pictures uploaded
before thumbnails existed get theirs from `o2o catalog thumbnails` (idempotent). No database here.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps

from o2o.catalog import images
from o2o.catalog.models import MEDIA_URL

WIDTHS = (160, 320, 640)
QUALITY = 80
Image.MAX_IMAGE_PIXELS = images.MAX_SIDE * images.MAX_SIDE  # a bigger frame raises DecompressionBombError


def widths_for(width: int) -> tuple[int, ...]:
    """The thumbnail widths a picture this wide gets (only smaller ones)."""
    return tuple(w for w in WIDTHS if w < width)


def thumb_path(rel: str, width: int) -> str:
    stem = rel.rsplit(".", 1)[0]
    return f"{stem}.w{width}.webp"


def srcset(rel: str, width: int) -> str:
    """`srcset` for a picture: its thumbnails and the original, each with its width."""
    parts = [f"{MEDIA_URL}/{thumb_path(rel, w)} {w}w" for w in widths_for(width)]
    parts.append(f"{MEDIA_URL}/{rel} {width}w")
    return ", ".join(parts)


def encode(data: bytes, width: int) -> bytes:
    """One WebP thumbnail `width` pixels wide (height kept in proportion, EXIF rotation applied)."""
    with Image.open(io.BytesIO(data)) as im:
        im = ImageOps.exif_transpose(im)
        im = im.convert("RGBA" if im.mode in ("RGBA", "LA", "P") else "RGB")
        height = max(1, round(im.height * width / im.width))
        small = im.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        out = io.BytesIO()
        small.save(out, "WEBP", quality=QUALITY, method=4)
        return out.getvalue()


def make(media_dir: Path, rel: str, width: int, data: bytes | None = None) -> list[str]:
    """Write the missing thumbnails of one stored picture; the relative paths written."""
    wanted = [w for w in widths_for(width) if not (media_dir / thumb_path(rel, w)).exists()]
    if not wanted:
        return []
    if data is None:
        data = (media_dir / rel).read_bytes()
    written = []
    for w in wanted:
        try:
            small = encode(data, w)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            raise images.BadImage("corrupt") from None
        images.save(media_dir, thumb_path(rel, w), small)
        written.append(thumb_path(rel, w))
    return written


def delete(media_dir: Path, rel: str) -> None:
    for w in WIDTHS:
        images.delete(media_dir, thumb_path(rel, w))
