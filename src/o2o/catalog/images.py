"""Product picture files: what a file really is (by its magic bytes, never its name or the browser's
word), its pixel size, and where it lives under the media directory. No database here.

Only JPEG, PNG and WebP are taken (no SVG: it can carry script). The file is stored as sent (nothing
decodes it, so a crafted image cannot exploit a decoder here), named by its SHA-256: the same picture
gets the same name, and a name never changes meaning, so browsers may cache it for ever.
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 900 * 1024  # the app refuses request bodies over 1 MB: the file and the form fit under it
MAX_SIDE = 10_000  # pixels; a picture for a product page, not a poster
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


class BadImage(ValueError):
    """`code` names why: empty, too_large, not_image, corrupt, too_big_pixels."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class Picture:
    content_type: str
    width: int
    height: int
    size_bytes: int
    sha256: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def content_type_of(data: bytes) -> str | None:
    """image/jpeg, image/png or image/webp from the first bytes; None for anything else."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _png_size(data: bytes) -> tuple[int, int]:
    if data[12:16] != b"IHDR":
        raise BadImage("corrupt")
    return struct.unpack(">II", data[16:24])


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8X":  # extended: 24-bit width-1 and height-1
        w, h = data[24:27] + b"\0", data[27:30] + b"\0"
        return struct.unpack("<I", w)[0] + 1, struct.unpack("<I", h)[0] + 1
    if chunk == b"VP8 ":  # lossy: after the frame tag and start code 9d 01 2a
        if data[23:26] != b"\x9d\x01\x2a":
            raise BadImage("corrupt")
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L":  # lossless: signature 0x2f, then 14-bit width-1 and height-1
        if data[20:21] != b"\x2f":
            raise BadImage("corrupt")
        bits = struct.unpack("<I", data[21:25])[0]
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    raise BadImage("corrupt")


_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """Walk the markers to the first start-of-frame, which holds the height and width."""
    i, n = 2, len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            raise BadImage("corrupt")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in _SOF:
            if i + 9 > n:
                break
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        if marker == 0xDA or length < 2:  # image data before any frame header
            break
        i += 2 + length
    raise BadImage("corrupt")


def inspect(data: bytes) -> Picture:
    """What the bytes are, or BadImage saying why they are not a picture we take."""
    if not data:
        raise BadImage("empty")
    if len(data) > MAX_BYTES:
        raise BadImage("too_large")
    kind = content_type_of(data)
    if kind is None:
        raise BadImage("not_image")
    try:
        w, h = {"image/jpeg": _jpeg_size, "image/png": _png_size, "image/webp": _webp_size}[kind](data)
    except struct.error:
        raise BadImage("corrupt") from None
    if w <= 0 or h <= 0:
        raise BadImage("corrupt")
    if w > MAX_SIDE or h > MAX_SIDE:
        raise BadImage("too_big_pixels")
    return Picture(kind, w, h, len(data), hashlib.sha256(data).hexdigest())


def relative_path(product_id: int, picture: Picture) -> str:
    return f"products/{product_id}/{picture.sha256[:32]}.{picture.extension}"


def save(media_dir: Path, rel: str, data: bytes) -> bool:
    """Write the file atomically (temp file + rename); False when it was already there."""
    target = media_dir / rel
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def delete(media_dir: Path, rel: str) -> None:
    (media_dir / rel).unlink(missing_ok=True)
