"""Signatures of the Dada-shaped open platform (our simulator speaks the same), written from its documents.

- Requests: `signature` = MD5(app_secret + concatenation of "key" + "value" over the sorted top-level
  parameters except `signature` + app_secret), upper-case hex. The business fields travel as one JSON
  string in `body`.
- Callbacks of the simulated platforms: HMAC-SHA256 with the app secret over the sorted "key=value" pairs
  (every field but `signature`) joined with "&", hex. A callback whose `update_time` is further than the
  tolerance from now is stale and refused.
- Dada's own callbacks: MD5 over the values of client_id, order_id and update_time, sorted as strings and
  joined, lower-case hex, with no secret: anyone can compute it. `dada_callback_fields` checks it (a
  malformed callback is refused); the Dada adapter then asks Dada for the order's state (a request signed
  with the app secret) and applies that answer, never the callback's own fields.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import orjson

from o2o.adapters.couriers import BadSignature

TOLERANCE_S = 15 * 60


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def request_signature(app_secret: str, params: Mapping[str, Any]) -> str:
    joined = "".join(f"{k}{_text(params[k])}" for k in sorted(params) if k != "signature")
    return hashlib.md5(f"{app_secret}{joined}{app_secret}".encode()).hexdigest().upper()  # noqa: S324 (theirs)


def callback_signature(app_secret: str, fields: Mapping[str, Any]) -> str:
    canonical = "&".join(f"{k}={_text(fields[k])}" for k in sorted(fields) if k != "signature")
    return hmac.new(app_secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def signed_callback(app_secret: str, fields: Mapping[str, Any]) -> bytes:
    """The JSON body a platform POSTs: its fields plus `signature`."""
    return orjson.dumps({**fields, "signature": callback_signature(app_secret, fields)})


def verify_callback(app_secret: str, body: bytes, now: int, tolerance_s: int = TOLERANCE_S) -> dict[str, Any]:
    """The callback's fields once its signature and time check out; BadSignature otherwise."""
    data = _signed_fields(body)
    if any(isinstance(v, dict | list) for v in data.values()):
        raise BadSignature("nested values are not part of the callback")
    expected = callback_signature(app_secret, data)
    if not hmac.compare_digest(expected, data["signature"]):
        raise BadSignature("signature mismatch")
    try:
        at = int(data["update_time"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BadSignature("no update_time") from exc
    if abs(now - at) > tolerance_s:
        raise BadSignature("update_time outside tolerance (stale or from the future)")
    return data


def dada_callback_signature(fields: Mapping[str, Any]) -> str:
    values = sorted(_text(fields.get(k)) for k in ("client_id", "order_id", "update_time"))
    return hashlib.md5("".join(values).encode()).hexdigest()  # noqa: S324 (Dada's scheme, no secret)


def dada_callback_fields(body: bytes) -> dict[str, Any]:
    """A Dada callback's fields once its (secretless) signature checks out; BadSignature otherwise. Proves
    only that it is shaped as Dada sends it: the caller confirms the state with Dada."""
    data = _signed_fields(body)
    order_id = data.get("order_id")
    if not isinstance(order_id, str) or not 0 < len(order_id) <= 64:
        raise BadSignature("no order_id")
    if not hmac.compare_digest(dada_callback_signature(data), data["signature"].lower()):
        raise BadSignature("signature mismatch")
    return data


def _signed_fields(body: bytes) -> dict[str, Any]:
    """A callback body's fields: a JSON object with a `signature` string, else BadSignature."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadSignature("body is not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("signature"), str):
        raise BadSignature("no signature")
    return data
