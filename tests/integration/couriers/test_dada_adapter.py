"""The Dada-shaped adapter against a local fake Dada server (real HTTP): the envelope, the signature and the
field names Dada checks; refusals fail over, outages retry; callbacks are verified with the app secret."""

from __future__ import annotations

import hashlib
import hmac
import time

import orjson
import pytest

from o2o.adapters.couriers import BadSignature, CourierError, Parcel, Refused
from o2o.adapters.couriers.dada import DadaCourier
from tests.factories.fake_dada import FakeDada

PARCEL = Parcel(origin_id="SO20261124000001-1-1", store_code="store-1", from_lat=31.1955, from_lng=121.4374,
                to_lat=31.2003, to_lng=121.4390, address="徐家汇路 1 号 2 室", receiver_name="O2O SO20261124000001",
                receiver_phone="13800138000", value_fen=2580, weight_g=1500, distance_m=555)


@pytest.fixture
def fake():  # type: ignore[no-untyped-def]
    f = FakeDada().start()
    yield f
    f.stop()


def _dada(fake: FakeDada, secret: str | None = None) -> DadaCourier:
    return DadaCourier("dada", fake.app_key, secret or fake.app_secret, fake.source_id, "shop-1", "021", fake.url,
                       "https://o2o.example/api/v1/couriers/dada/callback", timeout_s=5)


def test_quote_create_tip_query_cancel_in_dadas_shape(fake):
    dada = _dada(fake)
    quote = dada.quote(PARCEL)
    assert (quote.fee_fen, quote.distance_m, quote.quote_id) == (750, 1234, f"Dada{PARCEL.origin_id}")
    placed = dada.create(PARCEL, quote)
    assert (placed.fee_fen, placed.platform_order_id) == (750, quote.quote_id)
    dada.add_tip(PARCEL.origin_id, 300, 300)
    state = dada.query(PARCEL.origin_id)
    assert state.status == "waiting" and state.origin_id == PARCEL.origin_id
    dada.cancel(PARCEL.origin_id, "no rider in time")
    assert dada.query(PARCEL.origin_id).status == "cancelled"
    paths = [p for p, _ in fake.calls]
    assert paths == ["/api/order/queryDeliverFee", "/api/order/addAfterQuery", "/api/order/addTip",
                     "/api/order/status/query", "/api/order/formalCancel", "/api/order/status/query"]
    sent = fake.calls[0][1]
    assert (sent["cargo_price"], sent["cargo_weight"], sent["receiver_phone"]) == (25.8, 1.5, "13800138000")
    assert fake.orders[PARCEL.origin_id]["tips"] == 3.0  # yuan


def test_a_wrong_secret_is_refused_by_the_platform(fake):
    with pytest.raises(Refused, match="2005"):
        _dada(fake, secret="not-the-secret").quote(PARCEL)


def test_a_business_refusal_fails_over_and_an_outage_is_retried(fake):
    dada = _dada(fake)
    fake.script = ["fail:2076"]
    with pytest.raises(Refused):
        dada.quote(PARCEL)
    for step in ("http500", "busy"):
        fake.script = [step]
        with pytest.raises(CourierError) as caught:
            dada.quote(PARCEL)
        assert not isinstance(caught.value, Refused)
    fake.stop()
    with pytest.raises(CourierError):
        dada.quote(PARCEL)
    fake.start()


def _signed(secret: str, fields: dict) -> bytes:  # type: ignore[type-arg]
    canonical = "&".join(f"{k}={fields[k]}" for k in sorted(fields))
    return orjson.dumps({**fields, "signature": hmac.new(secret.encode(), canonical.encode(),
                                                         hashlib.sha256).hexdigest()})


def test_callbacks_are_verified_with_the_app_secret(fake):
    dada = _dada(fake)
    now = int(time.time())
    fields = {"client_id": "Dada1", "order_id": PARCEL.origin_id, "order_status": 3, "cancel_reason": "",
              "cancel_from": 0, "update_time": now, "dm_id": 88, "dm_name": "赵师傅", "dm_mobile": "13912345678"}
    update = dada.parse_callback(_signed(fake.app_secret, fields), {}, now)
    assert (update.status, update.rider_name, update.rider_phone, update.at) == ("delivering", "赵师傅",
                                                                                  "13912345678", now)
    for bad in (_signed("forged", fields), _signed(fake.app_secret, {**fields, "update_time": now - 3600}),
                _signed(fake.app_secret, {**fields, "order_status": 77}),
                # Dada's own callback signature (md5 of three values, no secret) is not enough here
                orjson.dumps({**fields, "signature": hashlib.md5("".join(sorted(
                    [fields["client_id"], fields["order_id"], str(now)])).encode()).hexdigest()})):
        with pytest.raises(BadSignature):
            dada.parse_callback(bad, {}, now)
