"""The stores map's base: Shanghai's districts decoded from the vendored ECharts map data."""

from __future__ import annotations

import hashlib

from o2o.backoffice import charts

XUJIAHUI = (121.4374, 31.1955)  # lng, lat: the Xujiahui store of the test chain
LUJIAZUI = (121.4998, 31.2397)
SONGJIANG = (121.2277, 31.0322)


def inside(point: tuple[float, float], ring: tuple[tuple[float, float], ...]) -> bool:
    x, y = point
    hit = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def district_of(point: tuple[float, float]) -> str:
    found = [d.name_zh for d in charts.districts() if any(inside(point, r) for r in d.rings)]
    assert len(found) == 1, found
    return found[0]


def test_the_vendored_file_is_the_one_its_version_names():
    version = (charts.DISTRICTS_FILE.parent / "VERSION").read_text()
    assert hashlib.sha256(charts.DISTRICTS_FILE.read_bytes()).hexdigest() in version
    assert "Apache License 2.0" in version and (charts.DISTRICTS_FILE.parent / "LICENSE").exists()


def test_sixteen_districts_decoded_inside_shanghai():
    ds = charts.districts()
    assert len(ds) == 16 and {d.name_en for d in ds} >= {"Xuhui", "Pudong", "Chongming", "Jing'an"}
    for d in ds:
        for ring in d.rings:
            assert len(ring) >= 3
            assert all(120.8 < lng < 122.2 and 30.6 < lat < 31.9 for lng, lat in ring), d.name_zh


def test_known_places_fall_in_their_districts():
    assert district_of(XUJIAHUI) == "徐汇区"
    assert district_of(LUJIAZUI) == "浦东新区"
    assert district_of(SONGJIANG) == "松江区"


def test_the_map_draws_the_districts_under_the_stores():
    m = charts.radius_map([{"id": 1, "lat": XUJIAHUI[1], "lng": XUJIAHUI[0], "radius_m": 3000, "kind": "store",
                            "title": "XJH"}])
    assert len(m.districts) == 16 and all(d["d"].startswith("M") and d["d"].endswith("Z") for d in m.districts)
    labelled = {d["name_en"] for d in m.districts if d["x"] is not None}
    assert "Xuhui" in labelled and "Chongming" not in labelled  # only those whose label point is in view
