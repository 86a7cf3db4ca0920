"""Dada's open-platform shape (达达开放平台), over HTTP with httpx; no SDK.

Requests: POST JSON `{app_key, timestamp, format: "json", v: "1.0", source_id, body: "<json string>",
signature}` (signing.request_signature) to
- `/api/order/queryDeliverFee`  quote: body `shop_no, origin_id, city_code, cargo_price (yuan),
  cargo_weight (kg), is_prepay, receiver_name, receiver_address, receiver_lat, receiver_lng,
  receiver_phone, callback`; result `distance (m), fee (yuan), deliveryNo`
- `/api/order/addAfterQuery`    create the quoted delivery: body `deliveryNo`
- `/api/order/addOrder`         create without a quote (the same body as the quote)
- `/api/order/formalCancel`     body `order_id, cancel_reason_id, cancel_reason`
- `/api/order/addTip`           body `order_id, tips (yuan), city_code, info`
- `/api/order/status/query`     body `order_id`; result `orderId, statusCode, statusMsg, transporterName,
  transporterPhone, deliveryFee, tips, updateTime ("YYYY-MM-DD HH:MM:SS", Beijing time)`
Answers: `{status: "success" | "fail", code, msg, result}`; a `fail` with a business code is a refusal
(fail over), a transport failure, HTTP 5xx or code -1 (system busy) is retried by the relay.

Callbacks: JSON `{client_id, order_id (our origin id), order_status, cancel_reason, cancel_from,
update_time, dm_id, dm_name, dm_mobile, signature}`, order_status 1 waiting, 2 assigned, 100 at store,
3 delivering, 4 delivered, 5 cancelled, 7 expired, 8 assigned by dispatch, 9 returning, 10 returned
(ended: cancelled), 1000 creation failed (cancelled). The signature: see signing.py.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import orjson

from o2o.adapters.couriers import (
    ASSIGNED,
    AT_STORE,
    CANCELLED,
    DELIVERED,
    DELIVERING,
    EXPIRED,
    RETURNING,
    WAITING,
    BadSignature,
    CourierError,
    Parcel,
    Placed,
    Quote,
    Refused,
    Update,
)
from o2o.adapters.couriers.signing import dada_callback_fields, request_signature

CODES: dict[int, str] = {1: WAITING, 2: ASSIGNED, 100: AT_STORE, 3: DELIVERING, 4: DELIVERED, 5: CANCELLED,
                         7: EXPIRED, 8: ASSIGNED, 9: RETURNING, 10: CANCELLED, 1000: CANCELLED}
CODE_OF: dict[str, int] = {WAITING: 1, ASSIGNED: 2, AT_STORE: 100, DELIVERING: 3, DELIVERED: 4, CANCELLED: 5,
                           EXPIRED: 7, RETURNING: 9}
BEIJING = ZoneInfo("Asia/Shanghai")
RETRYABLE_CODES = frozenset({-1})


def yuan(fen: int) -> float:
    return round(fen / 100, 2)


def fen(value: Any) -> int:
    return int(round(float(value) * 100))


def update_from_callback(provider: str, data: Mapping[str, Any]) -> Update:
    """A verified callback's fields -> our Update (unknown codes are refused as unsigned would be)."""
    try:
        code = int(data["order_status"])
        status = CODES[code]
        origin = str(data["order_id"])
        at = int(data["update_time"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BadSignature(f"callback fields: {exc!r}") from exc
    reason = str(data.get("cancel_reason") or "")
    if code == 10:
        reason = reason or "returned to the store"
    if code == 1000:
        reason = reason or "the platform could not create the delivery"
    return Update(provider, origin, str(data.get("client_id") or ""), status, at,
                  rider_id=str(data.get("dm_id") or ""), rider_name=str(data.get("dm_name") or ""),
                  rider_phone=str(data.get("dm_mobile") or ""), reason=reason, raw=dict(data))


class DadaCourier:
    def __init__(self, name: str, app_key: str, app_secret: str, source_id: str, shop_no: str, city_code: str,
                 base_url: str, callback_url: str, timeout_s: float = 5.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.name = name
        self.app_key, self.app_secret, self.source_id = app_key, app_secret, source_id
        self.shop_no, self.city_code = shop_no, city_code
        self.base_url, self.callback_url = base_url.rstrip("/"), callback_url
        self.timeout_s = timeout_s
        self._transport = transport

    def _call(self, path: str, body: Mapping[str, Any]) -> Any:
        params: dict[str, Any] = {"app_key": self.app_key, "timestamp": str(int(time.time())), "format": "json",
                                  "v": "1.0", "source_id": self.source_id,
                                  "body": orjson.dumps(dict(body)).decode()}
        params["signature"] = request_signature(self.app_secret, params)
        try:
            with httpx.Client(timeout=self.timeout_s, transport=self._transport) as client:
                r = client.post(self.base_url + path, json=params)
        except httpx.HTTPError as exc:
            raise CourierError(f"{self.name} {path}: {exc!r}") from exc
        if r.status_code >= 500:
            raise CourierError(f"{self.name} {path}: HTTP {r.status_code}")
        try:
            answer = r.json()
        except ValueError as exc:
            raise CourierError(f"{self.name} {path}: not JSON (HTTP {r.status_code})") from exc
        if not isinstance(answer, dict):
            raise CourierError(f"{self.name} {path}: unexpected answer")
        if answer.get("status") != "success" or answer.get("code") != 0:
            code = answer.get("code")
            message = f"{self.name} {path}: {code} {str(answer.get('msg'))[:200]}"
            if code in RETRYABLE_CODES or code is None:
                raise CourierError(message)
            raise Refused(message)
        return answer.get("result") or {}

    def _order_body(self, parcel: Parcel) -> dict[str, Any]:
        return {"shop_no": self.shop_no, "origin_id": parcel.origin_id, "city_code": self.city_code,
                "cargo_price": yuan(parcel.value_fen), "cargo_weight": round(parcel.weight_g / 1000, 3),
                "is_prepay": 0, "receiver_name": parcel.receiver_name, "receiver_address": parcel.address,
                "receiver_lat": parcel.to_lat, "receiver_lng": parcel.to_lng, "receiver_phone": parcel.receiver_phone,
                "callback": self.callback_url}

    def _shop_order(self, parcel: Parcel) -> None:
        """Dada's shop orders start at the shop: a pickup from a customer to the store is not one (refused:
        another platform, or the store's desk, takes it)."""
        if parcel.pickup_address:
            raise Refused(f"{self.name}: a pickup from a customer is not a Dada shop order ({parcel.origin_id})")

    def quote(self, parcel: Parcel) -> Quote:
        self._shop_order(parcel)
        result = self._call("/api/order/queryDeliverFee", self._order_body(parcel))
        distance = int(float(result.get("distance") or parcel.distance_m))
        return Quote(self.name, fen(result["fee"]), distance, 30 + distance // 250, str(result.get("deliveryNo") or ""))

    def create(self, parcel: Parcel, quote: Quote | None = None) -> Placed:
        self._shop_order(parcel)
        if quote is not None and quote.quote_id:
            result = self._call("/api/order/addAfterQuery", {"deliveryNo": quote.quote_id})
            fee_fen = quote.fee_fen
        else:
            result = self._call("/api/order/addOrder", self._order_body(parcel))
            fee_fen = fen(result.get("fee") or 0)
        return Placed(self.name, parcel.origin_id, str(result.get("client_id") or result.get("deliveryNo")
                                                         or (quote.quote_id if quote else "")), fee_fen)

    def cancel(self, origin_id: str, reason: str) -> None:
        self._call("/api/order/formalCancel", {"order_id": origin_id, "cancel_reason_id": 10000,
                                               "cancel_reason": reason[:100]})

    def add_tip(self, origin_id: str, tip_fen: int, total_fen: int) -> None:
        self._call("/api/order/addTip", {"order_id": origin_id, "tips": yuan(tip_fen), "city_code": self.city_code,
                                         "info": "no rider yet"})

    def query(self, origin_id: str) -> Update:
        r = self._call("/api/order/status/query", {"order_id": origin_id})
        try:
            status = CODES[int(r["statusCode"])]
            at = datetime.strptime(str(r["updateTime"]), "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
        except (KeyError, TypeError, ValueError) as exc:
            raise CourierError(f"{self.name} query: {exc!r}") from exc
        return Update(self.name, origin_id, str(r.get("orderId") or ""), status, int(at.timestamp()),
                      rider_id=str(r.get("transporterId") or ""), rider_name=str(r.get("transporterName") or ""),
                      rider_phone=str(r.get("transporterPhone") or ""), raw=dict(r))

    def parse_callback(self, body: bytes, headers: Mapping[str, str], now: int) -> Update:
        """Dada signs a callback with no secret (see signing.py), so a callback is only news that an order
        changed: once it is shaped and signed as Dada sends it, the order's state is asked of Dada (a request
        signed with our app secret) and that answer is the update. An order Dada does not know is refused
        (BadSignature); Dada unreachable raises CourierError (the endpoint answers 503, Dada calls again)."""
        fields = dada_callback_fields(body)
        try:
            return self.query(fields["order_id"])
        except Refused as exc:
            raise BadSignature(f"Dada does not know order {fields['order_id']!r}") from exc
