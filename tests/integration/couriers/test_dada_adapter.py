"""The Dada-shaped adapter against a local fake Dada server (real HTTP): the envelope, the signature and the
field names Dada checks; refusals fail over, outages retry; a callback is confirmed by asking Dada."""

from __future__ import annotations

import time

import orjson
import pytest

from o2o.adapters.couriers import BadSignature, CourierError, Parcel, Refused
from o2o.adapters.couriers.dada import DadaCourier
from tests.factories.fake_dada import FakeDada, dada_callback

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


def test_a_callback_is_only_news_the_state_applied_is_the_one_dada_answers(fake):
    """Dada's callback signature has no secret (anyone can compute it): the adapter checks its shape, then
    asks Dada for the order's state with a signed request and returns that, whatever the callback said."""
    dada = _dada(fake)
    dada.create(PARCEL, dada.quote(PARCEL))
    fake.orders[PARCEL.origin_id].update(status=3, rider="赵师傅", phone="13912345678",
                                         updateTime="2026-11-24 10:07:00")
    now = int(time.time())
    claimed = dada_callback(PARCEL.origin_id, "Dada1", 4, now)  # says delivered; Dada says delivering
    update = dada.parse_callback(claimed, {}, now)
    assert (update.status, update.rider_name, update.rider_phone) == ("delivering", "赵师傅", "13912345678")
    assert fake.calls[-1][0] == "/api/order/status/query"
    tampered = orjson.loads(claimed) | {"order_id": "SO20261124000009-1-1"}  # signature no longer matches
    for bad in (orjson.dumps(tampered), b"not json", orjson.dumps({"order_id": PARCEL.origin_id}),
                dada_callback("SO-unknown-1-1", "Dada1", 4, now)):  # well signed, but Dada does not know it
        with pytest.raises(BadSignature):
            dada.parse_callback(bad, {}, now)
    fake.stop()
    with pytest.raises(CourierError):  # Dada unreachable: the endpoint answers 503 and Dada calls again
        dada.parse_callback(claimed, {}, now)
    fake.start()


def test_a_returns_pickup_is_refused_without_asking_dada(fake):
    """Dada's shop orders start at the shop: a pickup at a customer's is refused at once (the service fails
    over to another platform, or leaves it to the store's desk), and Dada is never asked."""
    from dataclasses import replace

    pickup = replace(PARCEL, origin_id="SO20261124000001-2-1", pickup_address="徐家汇路 1 号 2 室")
    dada = _dada(fake)
    with pytest.raises(Refused):
        dada.quote(pickup)
    with pytest.raises(Refused):
        dada.create(pickup)
    assert fake.calls == []
