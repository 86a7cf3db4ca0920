# ruff: noqa: F811 (the shared fixtures are imported from test_backoffice_access)
"""Stores editable in the back-office (issue 12, point 10): create, edit hours / radius / services /
capacity, pause online orders (routing then skips the store), each bad field told at the field, every
save in the audit log, and only callers with locations:write."""

from __future__ import annotations

import re

from sqlalchemy import text

from o2o.locations import service as locations
from tests.e2e.test_backoffice_access import EN, ZH, app, inline_free, staff  # noqa: F401 (fixtures)
from tests.factories.chain import XUJIAHUI, build_chain, receive

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def form_of(loc_id: int | None = None, **changes: str) -> dict[str, str]:
    data = {"name_zh": "漕溪北路店", "name_en": "Caoxi Rd N Store", "district": "徐汇区", "address": "漕溪北路 88 号",
            "phone": "021-6400 0000", "lat": str(XUJIAHUI[0]), "lng": str(XUJIAHUI[1]), "can_pickup": "1",
            "can_store_delivery": "1", "delivery_radius_m": "2500", "hourly_capacity": "40", "daily_capacity": "400"}
    for d in WEEK:
        data |= {f"{d}_open": "08:00", f"{d}_close": "22:00"}
    if loc_id is None:
        data |= {"code": "SH-CX-01", "kind": "store"}
    return {k: v for k, v in (data | changes).items() if v is not None}


def error_at(html: str, field: str) -> str:
    """The error text shown next to the field (linked by aria-describedby)."""
    m = re.search(rf'<small id="e-f-{field}" class="error-text">([^<]*)</small>', html)
    assert m, f"no error next to {field}"
    assert re.search(rf'id="f-{field}"[^>]*aria-invalid="true"', html), f"{field} not marked invalid"
    return m.group(1)


def test_create_then_edit_hours_radius_capacity_and_the_list_shows_it(staff, container):
    ops = staff("operator")
    r = ops.get("/admin/stores/new")
    assert r.status_code == 200 and inline_free(r.text) and 'name="mon_closed"' in r.text
    r = ops.post("/admin/stores", form_of())
    assert r.status_code == 303, r.text
    loc_id = int(r.headers["location"].split("/")[-1].split("?")[0])
    page = ops.get(r.headers["location"]).text
    assert "Created." in page and "SH-CX-01" in page
    loc = locations.get(container.db, loc_id)
    assert loc.delivery_radius_m == 2500 and loc.hourly_capacity == 40 and loc.opening_hours["sun"] == [["08:00", "22:00"]]

    closed_sunday = form_of(loc_id, sun_closed="1", sat_open="09:30", sat_close="01:00", delivery_radius_m="1200",
                            hourly_capacity="25", daily_capacity="250", can_store_delivery=None, can_parcel="1")
    r = ops.post(f"/admin/stores/{loc_id}", closed_sunday)
    assert r.status_code == 303 and r.headers["location"] == f"/admin/stores/{loc_id}?done=saved"
    loc = locations.get(container.db, loc_id)
    assert loc.opening_hours["sun"] == [] and loc.opening_hours["sat"] == [["09:30", "01:00"]]  # past midnight
    assert (loc.delivery_radius_m, loc.hourly_capacity, loc.daily_capacity) == (1200, 25, 250)
    assert (loc.can_pickup, loc.can_store_delivery, loc.can_parcel) == (True, False, True)
    page = ops.get(f"/admin/stores/{loc_id}", ZH).text
    assert "编辑 漕溪北路店" in page and re.search(r'id="f-sun_closed"[^>]*checked', page)
    listing = ops.get("/admin/stores").text
    assert f'href="/admin/stores/{loc_id}"' in listing and 'href="/admin/stores/new"' in listing
    assert listing.count("<path d=\"M") == 16 and "District of Shanghai (outline)" in listing  # the base map
    assert "上海市辖区（轮廓）" in ops.get("/admin/stores", ZH).text

    with container.db.read() as s:
        rows = s.execute(text("SELECT action, target, detail FROM audit_log WHERE target = :t ORDER BY id"),
                         {"t": f"location={loc_id}"}).all()
    assert len(rows) == 2  # the creation and the edit, each by the operator
    detail = rows[1][2] if isinstance(rows[1][2], dict) else __import__("json").loads(rows[1][2])
    assert "delivery_radius_m" in str(detail) and "opening_hours" in str(detail)


def test_each_bad_field_is_told_at_the_field_and_nothing_is_saved(staff, container):
    chain = build_chain(container)
    store = chain.stores["xujiahui"]
    before = locations.get(container.db, store)
    ops = staff("operator")
    bad = form_of(store, delivery_radius_m="9000", hourly_capacity="50", daily_capacity="10", lat="91",
                  mon_open="25:00", tue_open="10:00", tue_close="10:00", name_en="", phone="call me")
    r = ops.post(f"/admin/stores/{store}", bad)
    assert r.status_code == 422
    html = r.text
    assert error_at(html, "delivery_radius_m") == "Enter metres from 0 to 5,000."
    assert error_at(html, "daily_capacity") == "Orders per day cannot be fewer than orders per hour."
    assert error_at(html, "lat") == "Enter a latitude from -90 to 90, e.g. 31.1945."
    assert error_at(html, "name_en") == "Required."
    assert error_at(html, "phone") == "Digits, spaces, +, ( ) and - only."
    assert error_at(html, "mon_open").startswith("Enter opening and closing times as HH:MM")
    assert error_at(html, "tue_open") == "Opening and closing times must differ."
    assert 'value="9000"' in html and 'value="25:00"' in html  # what was typed stays in the form
    assert "Please correct the fields marked below" in html and 'href="#f-delivery_radius_m"' in html
    zh = ops.post(f"/admin/stores/{store}", bad, ZH).text
    assert "请输入 0 到 5000 之间的米数。" in zh
    r = ops.post(f"/admin/stores/{store}", form_of(store, can_store_delivery="1", delivery_radius_m="0"))
    assert r.status_code == 422 and error_at(r.text, "delivery_radius_m") == "A store that delivers needs a radius above 0."
    r = ops.post(f"/admin/stores/{store}", form_of(store, delivery_radius_m="1e9", hourly_capacity="-1"))
    assert r.status_code == 422 and error_at(r.text, "hourly_capacity") == "Enter a whole number of 0 or more."
    assert locations.get(container.db, store) == before

    r = ops.post("/admin/stores", form_of(code="XJH"))  # the chain's Xujiahui store has it
    assert r.status_code == 409 and error_at(r.text, "code") == "Already in use."
    r = ops.post("/admin/stores", form_of(code="no spaces please", kind="shop"))
    assert r.status_code == 422 and error_at(r.text, "code") == "Letters, digits, dot, dash or underscore."
    assert error_at(r.text, "kind") == "Choose one of the options."


def test_a_paused_store_takes_no_new_online_order(staff, container, client, auth):
    chain = build_chain(container)
    store, milk = chain.stores["xujiahui"], chain.skus["milk"]
    receive(container, store, milk, 5)  # only this store has milk
    customer = auth.customer(chain.customer)
    order = {"mode": "pickup", "location_id": store, "lines": [{"sku_id": milk, "quantity": 1}]}
    ops = staff("operator")
    assert ops.post(f"/admin/stores/{store}", form_of(store, online_paused="1")).status_code == 303
    assert locations.get(container.db, store).online_paused
    assert "online orders paused" in ops.get("/admin/stores").text
    r = client.post("/api/v1/orders", headers=customer, json=order)
    assert r.status_code in (409, 422), r.text  # nowhere else has milk: refused, never placed at the paused store
    r = client.post("/api/v1/orders", headers=customer, json=order | {"mode": "store_delivery", "location_id": None,
                                                                      "lat": XUJIAHUI[0], "lng": XUJIAHUI[1]})
    assert r.status_code in (409, 422), r.text
    with container.db.read() as s:
        assert s.execute(text("SELECT count(*) FROM sales_order")).scalar() == 0

    assert ops.post(f"/admin/stores/{store}", form_of(store)).status_code == 303  # resumed
    r = client.post("/api/v1/orders", headers=customer, json=order)
    assert r.status_code == 201 and r.json()["fulfil_location_id"] == store


def test_only_callers_with_locations_write_edit_stores(staff, container):
    chain = build_chain(container)
    store = chain.stores["xujiahui"]
    before = locations.get(container.db, store)
    analyst = staff("analyst")
    assert analyst.get(f"/admin/stores/{store}").status_code == 403
    assert analyst.post(f"/admin/stores/{store}", form_of(store, online_paused="1")).status_code == 403
    assert analyst.post("/admin/stores", form_of()).status_code == 403
    manager = staff("store_manager", store_id=store)
    assert manager.get(f"/admin/stores/{store}").status_code == 403  # not even their own store: head office's
    assert manager.post(f"/admin/stores/{store}", form_of(store, online_paused="1")).status_code == 403
    ops = staff("operator")
    assert ops.get("/admin/stores/999999999").status_code == 404
    assert ops.post("/admin/stores/99999999999999999999", form_of(1)).status_code in (404, 422)
    r = ops.client.post(f"/admin/stores/{store}", data=form_of(store, online_paused="1"))  # no CSRF token
    assert r.status_code == 403
    assert locations.get(container.db, store) == before
