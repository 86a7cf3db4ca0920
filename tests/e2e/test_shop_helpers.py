"""The storefront's pure helpers: pickup slots from opening hours, and finding a place by district or
store name without a geocoder."""

from __future__ import annotations

from datetime import UTC, datetime

from o2o.locations.schemas import LocationOut
from o2o.shop.common import distance_text, safe_next
from o2o.shop.explain import reason_text, timeline
from o2o.shop.slots import pickup_slots
from o2o.shop.stores import district_label, locate, nearest
from o2o.shop.texts import TEXTS
from o2o.web.templating import Translator

TUESDAY_10 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def hours(open_: str, close: str) -> dict:
    return {d: [[open_, close]] for d in WEEK}


def test_slots_start_after_the_lead_time_and_run_until_closing_today_and_tomorrow():
    slots = pickup_slots(hours("08:00", "22:00"), "Asia/Shanghai", TUESDAY_10)
    today = [s for s in slots if s.day == "today"]
    tomorrow = [s for s in slots if s.day == "tomorrow"]
    assert today[0].value == "2026-11-24 11:00-12:00" and today[-1].label == "21:00-22:00" and len(today) == 11
    assert tomorrow[0].value == "2026-11-25 08:00-09:00" and len(tomorrow) == 14


def test_slots_follow_the_stores_days_split_hours_midnight_closing_and_zone():
    split = {"tue": [["09:00", "12:00"], ["14:00", "16:00"]], "wed": []}
    assert [s.label for s in pickup_slots(split, "Asia/Shanghai", TUESDAY_10)] == ["11:00-12:00", "14:00-15:00",
                                                                                   "15:00-16:00"]
    late = pickup_slots(hours("00:00", "24:00"), "Asia/Shanghai", datetime(2026, 11, 24, 15, 10, tzinfo=UTC))
    assert late[0].value == "2026-11-25 00:00-01:00" and late[-1].label == "23:00-00:00"  # 23:10 now: none today
    assert len(late) == 24 and {s.day for s in late} == {"tomorrow"}
    tokyo = pickup_slots(hours("08:00", "22:00"), "Asia/Tokyo", TUESDAY_10)  # 11:00 there
    assert tokyo[0].label == "12:00-13:00"
    assert pickup_slots({"tue": [["bad", "x"]], "wed": "closed"}, "Nowhere/Zone", TUESDAY_10) == []


def _store(i: int, district: str, lat: float, lng: float, name: str = "") -> LocationOut:
    return LocationOut(id=i, code=f"S{i}", kind="store", name_zh=name or f"店{i}", name_en=f"Store {i}",
                       district=district, address=f"{district}某路 {i} 号", lat=lat, lng=lng, h3_cell="x",
                       timezone="Asia/Shanghai", opening_hours={}, can_pickup=True, can_store_delivery=True,
                       can_parcel=False, delivery_radius_m=3000, hourly_capacity=1, daily_capacity=1, active=True)


STORES = [_store(1, "徐汇区", 31.19, 121.43), _store(2, "徐汇区", 31.21, 121.45), _store(3, "浦东新区", 31.24, 121.50,
                                                                                     "陆家嘴店")]


def test_a_district_is_found_either_way_round_in_both_languages_at_the_mean_of_its_stores():
    for q in ("徐汇", "徐汇区", "徐汇区漕溪北路 88 号", "XUHUI", " xuhui "):
        place = locate(STORES, q)
        assert place is not None and place.district == "徐汇区", q
        assert (round(place.lat, 4), round(place.lng, 4)) == (31.2, 121.44)
    assert locate(STORES, "浦东").district == "浦东新区" and locate(STORES, "pudong").district == "浦东新区"
    assert district_label("浦东新区", "en") == "Pudong (浦东新区)" and district_label("浦东新区", "zh-CN") == "浦东新区"


def test_a_store_name_or_address_matches_when_no_district_does_and_nothing_matches_nonsense():
    place = locate(STORES, "陆家嘴")
    assert place is not None and place.district == "" and [s.id for s in place.stores] == [3]
    assert (place.lat, place.lng) == (31.24, 121.5)
    assert locate(STORES, "火星") is None and locate(STORES, "   ") is None
    assert [n.store.id for n in nearest(STORES, 31.24, 121.5)] == [3, 2, 1]


def test_small_helpers_format_distances_keep_redirects_on_the_shop_and_explain_routes():
    assert (distance_text(555), distance_text(1234), distance_text(None)) == ("555 m", "1.2 km", "")
    assert safe_next("/shop/checkout") == "/shop/checkout"
    for evil in ("//evil.example/shop", "https://evil.example/shop", "/admin", "/shop\\evil", None):
        assert safe_next(evil) == "/shop"
    en, zh = Translator("en", [TEXTS]), Translator("zh-CN", [TEXTS])
    why = "chosen store lacks stock; nearest store within 3000 m with every line (1200 m)"
    assert reason_text(why, en, "JA Store") == ("your store does not have everything; "
                                               "JA Store is the nearest store with every item (1200 m)")
    assert reason_text(why, zh, "静安店") == "您选的门店没有备齐所有商品；静安店是备齐所有商品的最近门店（1200 米）"
    assert reason_text("something new", en, "x") == "something new"


def test_timeline_marks_done_current_and_coming_steps_and_shows_what_happened_to_an_ended_order():
    from o2o.kernel.history import HistoryOut

    h = [HistoryOut(from_status=None, to_status="pending_payment", actor="h5", note="", at=TUESDAY_10),
         HistoryOut(from_status="pending_payment", to_status="paid", actor="p", note="", at=TUESDAY_10)]
    steps = timeline("paid", "pickup", h)
    assert [(s["status"], s["state"]) for s in steps] == [("pending_payment", "done"), ("paid", "current"),
                                                          ("picking", "todo"), ("ready", "todo"),
                                                          ("completed", "todo")]
    assert [s["status"] for s in timeline("paid", "parcel", h)][3] == "shipped"
    ended = h[:1] + [HistoryOut(from_status="pending_payment", to_status="expired", actor="system", note="",
                                at=TUESDAY_10)]
    assert [(s["status"], s["state"]) for s in timeline("expired", "pickup", ended)] == [
        ("pending_payment", "done"), ("expired", "current")]


def test_every_text_exists_in_both_languages_and_every_key_the_templates_use_is_defined():
    import importlib
    import pkgutil
    import re
    from pathlib import Path

    import o2o.shop
    from o2o.web.templating import COMMON, TEMPLATES_DIR

    # the storefront's texts: shop/texts.py and the pages' own *_texts modules (members, 关注 ...)
    catalogs = [TEXTS] + [importlib.import_module(f"o2o.shop.{m.name}").TEXTS
                          for m in pkgutil.iter_modules(o2o.shop.__path__) if m.name.endswith("_texts")]
    keys = set(COMMON["en"])
    for catalog in catalogs:
        assert set(catalog["en"]) == set(catalog["zh-CN"])
        keys |= set(catalog["en"])
    used = set()
    for path in Path(TEMPLATES_DIR, "shop").glob("*.html"):
        used |= set(re.findall(r"(?<![\w.])t\('([a-z_.]+[a-z_])'", path.read_text()))
    for path in Path(__file__).resolve().parents[2].joinpath("src", "o2o", "shop").glob("*.py"):
        used |= set(re.findall(r'"((?:[a-z]+\.)+err\.[a-z_]+)"', path.read_text()))
    assert used and used - keys == set()
    for prefix, names in (("status.", ("pending_payment", "paid", "picking", "ready", "shipped", "completed",
                                       "cancelled", "expired")),
                          ("fo.", ("new", "picking", "ready", "handed_over", "shipped", "delivered", "cancelled")),
                          ("mode.", ("pickup", "store_delivery", "parcel"))):
        assert {prefix + n for n in names} <= keys
