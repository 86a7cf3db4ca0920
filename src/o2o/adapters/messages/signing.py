"""Request signing of the SMS providers, written from their documentation (no SDK: see providers.py).

Both functions are pure (the time and nonce are arguments) so a test's fake provider recomputes the
signature of what it received with the same code path a provider would follow, and unit tests pin
them to fixed inputs.

- Aliyun, V3 signature `ACS3-HMAC-SHA256` (help.aliyun.com "V3 request structure and signature"): a
  canonical request (method, path, sorted RFC 3986 query, the signed `host`/`x-acs-*`/`content-type`
  headers, the body's SHA-256) hashed, then HMAC-SHA256 with the AccessKey secret, hex.
- Tencent Cloud API 3.0, `TC3-HMAC-SHA256`: a canonical request over `content-type;host;x-tc-action`
  and the body's SHA-256; the key is derived HMAC("TC3"+SecretKey, date) -> service -> "tc3_request".
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote

ACS3 = "ACS3-HMAC-SHA256"
TC3 = "TC3-HMAC-SHA256"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _pct(value: str) -> str:
    """RFC 3986 percent-encoding: everything but A-Z a-z 0-9 - _ . ~ (spaces as %20, '*' as %2A)."""
    return quote(value, safe="-_.~")


def acs3_canonical_query(params: Mapping[str, str]) -> str:
    return "&".join(f"{_pct(k)}={_pct(v)}" for k, v in sorted(params.items()))


def acs3_signature(secret: str, method: str, path: str, params: Mapping[str, str],
                   headers: Mapping[str, str], body: bytes) -> tuple[str, str]:
    """(signed header names joined with ';', hex signature). `headers` must hold `host`, the
    `x-acs-*` headers (with `x-acs-content-sha256` = sha256_hex(body)) and `content-type` if sent."""
    signed = {k.lower(): v.strip() for k, v in headers.items()
              if k.lower() in ("host", "content-type") or k.lower().startswith("x-acs-")}
    names = sorted(signed)
    canonical = "\n".join([
        method.upper(), path or "/", acs3_canonical_query(params),
        "".join(f"{n}:{signed[n]}\n" for n in names), ";".join(names), sha256_hex(body),
    ])
    to_sign = f"{ACS3}\n{sha256_hex(canonical.encode())}"
    return ";".join(names), hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def acs3_authorization(key_id: str, signed_headers: str, signature: str) -> str:
    return f"{ACS3} Credential={key_id},SignedHeaders={signed_headers},Signature={signature}"


def tc3_signature(secret_key: str, service: str, host: str, action: str, content_type: str,
                  body: bytes, timestamp: int, date: str) -> str:
    """Hex signature of a POST / with a JSON body. `date` is the UTC date (YYYY-MM-DD) of `timestamp`."""
    canonical = "\n".join([
        "POST", "/", "",
        f"content-type:{content_type}\nhost:{host}\nx-tc-action:{action.lower()}\n",
        "content-type;host;x-tc-action", sha256_hex(body),
    ])
    scope = f"{date}/{service}/tc3_request"
    to_sign = f"{TC3}\n{timestamp}\n{scope}\n{sha256_hex(canonical.encode())}"

    def _h(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    k = _h(_h(_h(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    return hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()


def tc3_authorization(secret_id: str, service: str, date: str, signature: str) -> str:
    return (f"{TC3} Credential={secret_id}/{date}/{service}/tc3_request, "
            f"SignedHeaders=content-type;host;x-tc-action, Signature={signature}")
