"""The offline gazetteer: real Shanghai names found in Chinese, pinyin and initials (and a homophone),
the nearest first among equals, nothing for garbage, a point reverse-geocoded to its road or building,
the file written by the demo read back."""

from __future__ import annotations

import json

import pytest

from o2o.adapters.geocoding import MAX_SUGGESTIONS, Place
from o2o.adapters.geocoding.gazetteer import REVERSE_WITHIN_M, Gazetteer, read
from o2o.demo import gazetteer as demo
from o2o.demo.geo_data import NEIGHBOURHOODS
from o2o.kernel.geo import haversine_m


@pytest.fixture(scope="module")
def g() -> Gazetteer:
    return Gazetteer(demo.places())


@pytest.mark.parametrize("typed", ["漕溪北路", "漕溪", "caoxibeilu", "caoxib", "CaoXi BeiLu", "cxbl", "曹溪北路"])
def test_a_road_is_found_in_chinese_pinyin_initials_and_a_homophone(g: Gazetteer, typed: str) -> None:
    found = g.suggest(typed)
    assert found and found[0].name == "漕溪北路", (typed, found[:3])
    assert found[0].district == "徐汇区" and found[0].kind == "road"


@pytest.mark.parametrize("typed, name", [("港汇", "港汇恒隆广场"), ("ganghui", "港汇恒隆广场"),
                                         ("东方明珠", "东方明珠广播电视塔"), ("shanghaizhongxin", "上海中心大厦"),
                                         ("徐家汇", "徐家汇")])
def test_buildings_pois_and_areas_have_their_real_names(g: Gazetteer, typed: str, name: str) -> None:
    assert name in [p.name for p in g.suggest(typed)]


def test_a_name_that_starts_with_the_query_comes_first_then_the_nearest(g: Gazetteer) -> None:
    names = [p.name for p in g.suggest("南京西路")]
    assert names[0] == "南京西路"  # the road itself, then buildings on it
    assert {"久光百货", "静安嘉里中心"} <= set(names)
    # two roads called 人民路 (Huangpu and Chongming): the nearer to `near` first
    huangpu = g.suggest("人民路", near=(31.2270, 121.4920))
    chongming = g.suggest("人民路", near=(31.6250, 121.3970))
    assert huangpu[0].district == "黄浦区" and chongming[0].district == "崇明区"


@pytest.mark.parametrize("typed", ["", "   ", "zzzzqqq", "'; DROP TABLE address; --", "\x00\x01", "火星基地"])
def test_garbage_finds_nothing_and_breaks_nothing(g: Gazetteer, typed: str) -> None:
    assert g.suggest(typed) == []


def test_suggestions_are_capped_and_huge_input_is_cut(g: Gazetteer) -> None:
    assert len(g.suggest("路", limit=50)) == MAX_SUGGESTIONS
    assert g.suggest("漕溪北路" + "x" * 100_000) == []  # the query is cut to 80 characters; no such word


def test_reverse_names_the_nearest_road_or_building_at_the_point_and_nothing_far_away(g: Gazetteer) -> None:
    xujiahui = NEIGHBOURHOODS[0]
    at = g.reverse(xujiahui.lat + 0.0005, xujiahui.lng)
    assert at is not None and at.district == "徐汇区" and at.kind in ("building", "road")
    assert (at.lat, at.lng) == (xujiahui.lat + 0.0005, xujiahui.lng)  # the pin's own spot is kept
    nearest = min((p for p in demo.places() if p.kind != "area"),
                  key=lambda p: haversine_m(at.lat, at.lng, p.lat, p.lng))
    assert at.name == nearest.name
    assert g.reverse(30.0, 123.5) is None  # the East China Sea
    assert g.reverse(float("nan"), 121.4) is None
    assert REVERSE_WITHIN_M <= 5_000


def test_the_demo_file_round_trips_with_the_chains_stores(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "var" / "gazetteer.json"
    store = {"kind": "store", "name_zh": "徐家汇店", "address": "徐汇区漕溪北路 88 号", "district": "徐汇区",
             "lat": 31.1951, "lng": 121.4369}
    n = demo.write(path, [store, {**store, "kind": "warehouse", "name_zh": "仓"}])
    places = read(path)
    assert len(places) == n and Place("O2O 徐家汇店", "徐汇区漕溪北路 88 号", "徐汇区", 31.1951, 121.4369, "poi") in places
    assert not any(p.name == "O2O 仓" for p in places)
    assert Gazetteer.from_file(path).suggest("O2O xujiahui")[0].name == "O2O 徐家汇店"
    path.write_text(json.dumps({"version": 99, "places": []}))
    with pytest.raises(ValueError, match="version"):
        read(path)
