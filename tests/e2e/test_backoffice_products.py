# ruff: noqa: F811 (the shared fixtures are imported from test_backoffice_access)
"""Catalog management in the back-office: create and edit products and SKUs with errors next to their
fields (in the user's language), pictures checked by their magic bytes and served at a stable URL,
and stock received at a store so that the new product is sellable there."""

from __future__ import annotations

import re
import struct
import zlib

import pytest

from o2o.catalog import images
from o2o.catalog import service as catalog
from tests.e2e.test_backoffice_access import EN, ZH, app, staff  # noqa: F401 (fixtures)
from tests.factories.chain import build_chain


def png(width: int = 4, height: int = 3, seed: int = 0) -> bytes:
    """A real (tiny) PNG picture."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\0" + bytes((seed + x * 40) % 256 for x in range(width * 3)) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def jpeg_header(width: int, height: int) -> bytes:
    """SOI, a JFIF APP0 segment, then a baseline frame header: what the size is read from."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def webp_lossless(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    body = b"VP8L" + struct.pack("<I", 5) + b"\x2f" + struct.pack("<I", bits)
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


@pytest.fixture
def chain(container):  # type: ignore[no-untyped-def]
    return build_chain(container)


@pytest.fixture
def ops(staff):  # type: ignore[no-untyped-def]
    return staff("operator")


def product_form(container, **over: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    category = catalog.categories(container.db)[0].id
    return {"name_zh": "燕麦奶", "name_en": "Oat milk", "category_id": str(category), "supplier_id": "",
            "brand": "Oatly", "description": "", "sku_code": "OAT-1L", "sku_barcode": "6900000000991",
            "sku_spec": "1 L", "sku_unit": "盒", "sku_price": "19.9"} | over


def create(ops, container, **over: str) -> int:  # type: ignore[no-untyped-def]
    r = ops.post("/admin/products", product_form(container, **over))
    assert r.status_code == 303, r.text[:2000]
    return int(r.headers["location"].split("?")[0].rsplit("/", 1)[1])


def error_of(html: str, field_id: str) -> str:
    """The error text shown next to a field (linked to it by aria-describedby)."""
    m = re.search(rf'<small id="e-{re.escape(field_id)}" class="error-text">([^<]*)</small>', html)
    return m.group(1) if m else ""


def test_images_are_recognised_by_their_magic_bytes():
    p = images.inspect(png(7, 5))
    assert (p.content_type, p.width, p.height, p.extension) == ("image/png", 7, 5, "png")
    j = images.inspect(jpeg_header(640, 480))
    assert (j.content_type, j.width, j.height, j.extension) == ("image/jpeg", 640, 480, "jpg")
    w = images.inspect(webp_lossless(300, 200))
    assert (w.content_type, w.width, w.height, w.extension) == ("image/webp", 300, 200, "webp")
    for data, code in ((b"", "empty"), (b"GIF89a" + b"\0" * 20, "not_image"), (b"<svg xmlns='x'/>", "not_image"),
                       (b"\x89PNG\r\n\x1a\n" + b"\0" * 30, "corrupt"), (jpeg_header(20000, 10), "too_big_pixels"),
                       (png() + b"\0" * images.MAX_BYTES, "too_large")):
        with pytest.raises(images.BadImage) as exc:
            images.inspect(data)
        assert exc.value.code == code


def test_operator_creates_a_product_that_is_sellable_once_stock_is_received(ops, chain, client, container, auth):
    r = ops.post("/admin/products", product_form(container))
    assert r.status_code == 303
    url = r.headers["location"]
    assert re.fullmatch(r"/admin/products/\d+\?done=created", url)
    product_id = int(url.split("?")[0].rsplit("/", 1)[1])
    page = ops.get(url).text
    assert "Product created." in page and "<h1>Oat milk</h1>" in page and "OAT-1L" in page and "¥19.90" in page
    listed = ops.get("/admin/products?q=oat").text
    assert f'href="/admin/products/{product_id}"' in listed and "1 found" in listed
    assert f'href="/admin/products/{product_id}"' in ops.get("/admin/products").text  # newest first

    api = client.get(f"/api/v1/products/{product_id}").json()  # what the storefront reads
    assert api["active"] is True and api["skus"][0]["base_price_fen"] == 1990 and api["skus"][0]["active"]
    assert api["skus"][0]["unit"] == "盒" and api["image_url"] is None
    sku_id, store = api["skus"][0]["id"], chain.stores["xujiahui"]
    r = ops.post(f"/admin/products/{product_id}/stock", {"sku_id": str(sku_id), "location_id": str(store),
                                                         "quantity": "12", "reason": "DN-001"})
    assert r.status_code == 303 and r.headers["location"].endswith("?done=received#stock")
    page = ops.get(f"/admin/products/{product_id}").text
    assert re.search(r'data-label="On hand" class="num">12<', page) and "Stock received." not in page
    stock = client.get("/api/v1/stock", params={"location_id": store, "sku_id": sku_id},
                       headers=auth.staff("operator")).json()["items"][0]
    assert (stock["on_hand"], stock["available"]) == (12, 12)
    audit = client.get("/api/v1/audit", params={"action": "/admin/products"},
                       headers=auth.staff("platform_admin")).json()
    assert {e["action"] for e in audit["items"]} >= {"POST /admin/products",
                                                     "POST /admin/products/{product_id}/stock"}


def test_product_form_errors_are_next_to_their_fields_in_the_users_language(ops, chain, container):
    r = ops.post("/admin/products", product_form(container, name_en="", category_id="", sku_price="12.345",
                                                 sku_barcode="12AB"), lang=ZH)
    assert r.status_code == 422
    html = r.text
    assert 'role="alert"' in html and "请更正下面标出的字段" in html
    assert error_of(html, "f-name_en") == "必填。"
    assert error_of(html, "f-category_id") == "必填。"
    assert error_of(html, "f-sku_price") == "请输入以元为单位的价格，例如 12.90。"
    assert error_of(html, "f-sku_barcode") == "8 到 14 位数字。"
    assert 'aria-describedby="h-f-sku_barcode e-f-sku_barcode" aria-invalid="true"' in html
    assert 'value="燕麦奶"' in html  # what was typed stays in the form
    r = ops.post("/admin/products", product_form(container, category_id="999", supplier_id="998"))
    assert r.status_code == 422
    assert error_of(r.text, "f-category_id") == "No such record: choose one from the list."


def test_a_sku_code_or_barcode_in_use_is_a_conflict_on_that_field(ops, chain, container):
    r = ops.post("/admin/products", product_form(container, sku_code="T-milk"))  # the chain's milk
    assert r.status_code == 409 and error_of(r.text, "f-sku_code") == "Already in use."
    r = ops.post("/admin/products", product_form(container, sku_barcode="6900000000000"), lang=ZH)
    assert r.status_code == 409 and error_of(r.text, "f-sku_barcode") == "已被占用。"


def test_operator_edits_the_product_and_its_skus(ops, chain, client, container):
    product_id = create(ops, container)
    form = product_form(container)
    product = {k: form[k] for k in ("name_zh", "name_en", "category_id", "supplier_id", "brand", "description")}
    r = ops.post(f"/admin/products/{product_id}", product | {"name_en": "Oat drink", "description": "Barista"})
    assert r.status_code == 303 and r.headers["location"].endswith("?done=saved")  # unchecked "active": off
    api = client.get(f"/api/v1/products/{product_id}").json()
    assert (api["name_en"], api["description"], api["active"]) == ("Oat drink", "Barista", False)
    assert "Inactive" in ops.get("/admin/products?q=oat&status=inactive").text

    r = ops.post(f"/admin/products/{product_id}", product | {"name_zh": "", "active": "1"})
    assert r.status_code == 422 and error_of(r.text, "f-name_zh") == "Required."

    r = ops.post(f"/admin/products/{product_id}/skus", {"new_code": "OAT-250", "new_barcode": "6900000000992",
                                                        "new_spec": "250 ml", "new_unit": "盒", "new_price": "6"})
    assert r.status_code == 303 and r.headers["location"].endswith("?done=sku_added#skus")
    skus = client.get(f"/api/v1/products/{product_id}").json()["skus"]
    assert [(k["code"], k["base_price_fen"]) for k in skus] == [("OAT-1L", 1990), ("OAT-250", 600)]

    r = ops.post(f"/admin/products/{product_id}/skus", {"new_code": "OAT-1L", "new_barcode": "6900000000993",
                                                        "new_price": "6"})
    assert r.status_code == 409 and error_of(r.text, "f-new_code") == "Already in use."
    assert "<details id=\"sku-" in r.text

    small = skus[1]["id"]
    r = ops.post(f"/admin/products/{product_id}/skus/{small}", {"code": "OAT-250", "barcode": "6900000000992",
                                                                 "spec": "250 ml", "unit": "盒", "price": "5.50",
                                                                 "active": "1"})
    assert r.status_code == 303 and r.headers["location"].endswith(f"#sku-{small}")
    assert client.get(f"/api/v1/products/{product_id}").json()["skus"][1]["base_price_fen"] == 550
    r = ops.post(f"/admin/products/{product_id}/skus/{small}", {"code": "OAT-1L", "barcode": "6900000000992",
                                                                 "price": "5.50"})
    assert r.status_code == 409 and error_of(r.text, f"f-s{small}code") == "Already in use."
    assert f'<details id="sku-{small}" open>' in r.text  # the failed SKU's form is open with its error
    other = chain.skus["milk"]
    assert ops.post(f"/admin/products/{product_id}/skus/{other}", {"code": "X", "barcode": "69000000009",
                                                                   "price": "1"}).status_code == 404


def test_picture_upload_is_accepted_served_and_shown(ops, chain, client, container):
    product_id = create(ops, container)
    picture = png(6, 4)
    r = ops.post(f"/admin/products/{product_id}/images", files={"image": ("oat.png", picture, "image/png")})
    assert r.status_code == 303 and r.headers["location"].endswith("?done=image_added#images")
    api = client.get(f"/api/v1/products/{product_id}").json()
    url = api["image_url"]
    assert re.fullmatch(rf"/media/products/{product_id}/[0-9a-f]{{32}}\.png", url)
    assert api["images"][0]["width"] == 6 and api["images"][0]["height"] == 4
    served = client.get(url)
    assert served.status_code == 200 and served.content == picture
    assert served.headers["content-type"] == "image/png" and served.headers["x-content-type-options"] == "nosniff"
    assert (container.settings.media_dir / url.removeprefix("/media/")).read_bytes() == picture
    page = ops.get(f"/admin/products/{product_id}").text
    assert f'<img src="{url}"' in page and 'width="6" height="4"' in page
    assert f'src="{url}"' in ops.get("/admin/products").text  # the list's thumbnail

    r = ops.post(f"/admin/products/{product_id}/images", files={"image": ("same.png", picture, "image/png")})
    assert r.status_code == 409 and error_of(r.text, "f-image") == "This picture is already on the product."

    second = png(3, 3, seed=7)
    ops.post(f"/admin/products/{product_id}/images", files={"image": ("b.webp", second, "image/webp")})
    images_ = client.get(f"/api/v1/products/{product_id}").json()["images"]
    assert [i["url"] for i in images_][0] == url and images_[1]["content_type"] == "image/png"  # bytes decide
    r = ops.post(f"/admin/products/{product_id}/images/{images_[1]['id']}/main")
    assert r.status_code == 303
    assert client.get(f"/api/v1/products/{product_id}").json()["image_url"] == images_[1]["url"]
    r = ops.post(f"/admin/products/{product_id}/images/{images_[1]['id']}/delete")
    assert r.status_code == 303 and client.get(images_[1]["url"]).status_code == 404
    assert client.get(f"/api/v1/products/{product_id}").json()["image_url"] == url


def test_picture_upload_is_refused_when_not_a_picture_or_too_large(ops, chain, container):
    product_id = create(ops, container)
    cases = [
        (b"<svg onload=alert(1)></svg>", "x.png", "image/png", "This is not a JPEG, PNG or WebP picture."),
        (b"GIF89a" + b"\0" * 40, "a.gif", "image/gif", "This is not a JPEG, PNG or WebP picture."),
        (b"", "empty.png", "image/png", "Choose a picture file."),
        (png() + b"\0" * (images.MAX_BYTES - 10), "big.png", "image/png", "The file is too large (at most 900 KB)."),
    ]
    for data, name, kind, message in cases:
        r = ops.post(f"/admin/products/{product_id}/images", files={"image": (name, data, kind)})
        assert r.status_code == 422, name
        assert error_of(r.text, "f-image") == message, name
    r = ops.post(f"/admin/products/{product_id}/images", files={"image": ("x.jpg", b"\0", "image/jpeg")}, lang=ZH)
    assert error_of(r.text, "f-image") == "这不是 JPEG、PNG 或 WebP 图片。"
    r = ops.post(f"/admin/products/{product_id}/images", files={"image": ("huge.png", b"\0" * 1_100_000, "image/png")})
    assert r.status_code == 413  # over the app's request limit: refused before it is read
    assert list(container.settings.media_dir.glob("**/*.*")) == []  # nothing was stored


def test_receiving_stock_checks_its_fields(ops, chain, container):
    product_id = create(ops, container)
    page = ops.get(f"/admin/products/{product_id}").text
    sku_id = re.search(r'<select id="f-sku_id" name="sku_id"[^>]*>\s*<option value="(\d+)"', page).group(1)
    r = ops.post(f"/admin/products/{product_id}/stock", {"sku_id": sku_id, "location_id": "", "quantity": "0"})
    assert r.status_code == 422
    assert error_of(r.text, "f-location_id") == "Choose one of the options."
    assert error_of(r.text, "f-quantity") == "Enter a whole number of 1 or more."
    r = ops.post(f"/admin/products/{product_id}/stock", {"sku_id": str(chain.skus["milk"]),
                                                         "location_id": str(chain.stores["jingan"]), "quantity": "3"})
    assert r.status_code == 422 and error_of(r.text, "f-sku_id") == "Choose one of the options."  # not this product's
    r = ops.post(f"/admin/products/{product_id}/stock", {"sku_id": sku_id, "location_id": "424242", "quantity": "3"})
    assert r.status_code == 422 and error_of(r.text, "f-location_id") == "No such record: choose one from the list."
