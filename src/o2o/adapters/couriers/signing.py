"""Signatures of the Dada-shaped open platform (our simulator speaks the same), written from its documents.

- Requests: `signature` = MD5(app_secret + concatenation of "key" + "value" over the sorted top-level
  parameters except `signature` + app_secret), upper-case hex. The business fields travel as one JSON
  string in `body`.
- Callbacks: Dada itself signs a callback with MD5 over three of its values and no secret, which anyone
  can forge; we take the callback's fields and require a keyed signature instead: HMAC-SHA256 with the
  app secret over the sorted "key=value" pairs (every field but `signature`) joined with "&", hex. A
  callback whose `update_time` is further than the tolerance from now is stale and refused.
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
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadSignature("body is not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("signature"), str):
        raise BadSignature("no signature")
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
