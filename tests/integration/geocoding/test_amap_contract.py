"""The AMap geocoder against a local fake of AMap's API (a real HTTP server): the key and the `sig`
signature sent as AMap checks them, answers read in AMap's shape (empty fields as [], tips without a
position skipped, GCJ-02 converted back to WGS-84 within a metre), and every refusal or fault mapped to a
clear 503 problem (misconfigured: INVALID_USER_KEY, a wrong signature; unavailable: quota, rate,
HTTP 500, not JSON, timeout)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from o2o.adapters.geocoding import GeocoderMisconfigured, GeocoderUnavailable
from o2o.adapters.geocoding.amap import AmapGeocoder, gcj_to_wgs, sign, wgs_to_gcj
from o2o.kernel.geo import haversine_m
from tests.factories.fake_amap import FakeAmap, gcj

GANGHUI = (31.19530, 121.43650)
PLACES = {"港汇恒隆广场": ("徐汇区", "虹桥路 1号", *GANGHUI),
          "美罗城": ("徐汇区", "肇嘉浜路 1111号", 31.19720, 121.43900)}


@pytest.fixture
def fake() -> Iterator[FakeAmap]:
    f = FakeAmap(places=dict(PLACES), private_key="sig-secret").start()
    yield f
    f.stop()


def client(fake: FakeAmap, **kw) -> AmapGeocoder:  # type: ignore[no-untyped-def]
    return AmapGeocoder(kw.pop("key", fake.key), kw.pop("private_key", fake.private_key), fake.url,
                        timeout_s=kw.pop("timeout_s", 2.0))


def test_suggestions_come_back_in_wgs84_with_the_key_and_signature_checked(fake: FakeAmap) -> None:
    found = client(fake).suggest("港汇", near=GANGHUI)
    assert [p.name for p in found] == ["港汇恒隆广场"]  # the tip without a position is skipped
    p = found[0]
    assert p.district == "徐汇区" and p.address == "虹桥路 1号"
    assert haversine_m(p.lat, p.lng, *GANGHUI) < 1.0  # GCJ-02 converted back
    call = fake.calls[-1]
    assert call["key"] == fake.key and call["city"] == "上海" and call["citylimit"] == "true"
    glat, glng = gcj(*GANGHUI)
    lng_s, lat_s = call["location"].split(",")
    assert abs(float(lat_s) - glat) < 1e-5 and abs(float(lng_s) - glng) < 1e-5  # `near` sent in GCJ-02


def test_reverse_names_the_road_and_number_at_the_pin(fake: FakeAmap) -> None:
    at = client(fake).reverse(*GANGHUI)
    assert at is not None and at.name == "虹桥路1号" and at.district == "徐汇区" and at.kind == "road"
    assert at.address.startswith("上海市徐汇区虹桥路") and (at.lat, at.lng) == GANGHUI


def test_geocode_of_a_whole_address_in_wgs84_or_none_when_unknown(fake: FakeAmap) -> None:
    found = client(fake).geocode("虹桥路 1号")
    assert found is not None and found.district == "徐汇区" and haversine_m(found.lat, found.lng, *GANGHUI) < 1.0
    assert fake.calls[-1]["address"] == "虹桥路 1号" and fake.calls[-1]["city"] == "上海"
    assert client(fake).geocode("火星路 1 号") is None


def test_a_wrong_key_is_misconfigured_not_retried_as_busy(fake: FakeAmap) -> None:
    with pytest.raises(GeocoderMisconfigured) as err:
        client(fake, key="stolen-or-typo").suggest("港汇")
    assert err.value.extra["reason"] == "INVALID_USER_KEY" and err.value.status == 503
    assert int(err.value.headers["Retry-After"]) >= 60


def test_a_forged_or_missing_signature_is_refused_by_the_service(fake: FakeAmap) -> None:
    with pytest.raises(GeocoderMisconfigured) as err:
        client(fake, private_key="wrong-secret").suggest("港汇")
    assert err.value.extra["reason"] == "INVALID_USER_SIGNATURE"
    with pytest.raises(GeocoderMisconfigured):
        client(fake, private_key="").reverse(*GANGHUI)


@pytest.mark.parametrize("step, reason, retry", [("DAILY_QUERY_OVER_LIMIT", "DAILY_QUERY_OVER_LIMIT", 3600),
                                                  ("ACCESS_TOO_FREQUENT", "ACCESS_TOO_FREQUENT", 1),
                                                  ("http500", "HTTP_500", 1), ("notjson", "NOT_JSON", 1)])
def test_quota_rate_and_server_faults_are_unavailable_with_a_retry_after(fake: FakeAmap, step: str, reason: str,
                                                                         retry: int) -> None:
    fake.script.append(step)
    with pytest.raises(GeocoderUnavailable) as err:
        client(fake).suggest("港汇")
    assert not isinstance(err.value, GeocoderMisconfigured)
    assert err.value.extra["reason"] == reason and err.value.headers["Retry-After"] == str(retry)
    assert client(fake).suggest("港汇")  # the next call is answered again


def test_a_slow_service_times_out_as_unavailable(fake: FakeAmap) -> None:
    fake.script.append("sleep:1.5")
    with pytest.raises(GeocoderUnavailable) as err:
        client(fake, timeout_s=0.3).suggest("港汇")
    assert err.value.extra["reason"] == "unreachable"


def test_the_signature_is_amaps_md5_over_the_sorted_parameters() -> None:
    # the example of AMap's documentation: parameters sorted, joined with &, the private key appended
    assert sign({"key": "abc", "address": "北京市", "output": "JSON"}, "secret") == \
        __import__("hashlib").md5("address=北京市&key=abc&output=JSONsecret".encode()).hexdigest()


@pytest.mark.parametrize("lat, lng", [(31.2304, 121.4737), (31.6250, 121.3970), (30.74, 121.342)])
def test_the_datum_conversion_round_trips_within_a_metre(lat: float, lng: float) -> None:
    glat, glng = wgs_to_gcj(lat, lng)
    assert 300 < haversine_m(lat, lng, glat, glng) < 800  # Shanghai's offset is ~500 m
    back = gcj_to_wgs(glat, glng)
    assert haversine_m(lat, lng, *back) < 1.0
    assert wgs_to_gcj(48.85, 2.35) == (48.85, 2.35)  # outside China: no offset
