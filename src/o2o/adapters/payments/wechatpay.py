"""WeChat Pay API v3 (direct merchant): JSAPI / mini-program and Native (QR) payments, order query and
close, refunds, payment and refund notifications.

Requests carry `Authorization: WECHATPAY2-SHA256-RSA2048 mchid=..,nonce_str=..,timestamp=..,serial_no=..,
signature=..` (SHA256withRSA with the merchant's API key over "METHOD\\nURL\\nTIMESTAMP\\nNONCE\\nBODY\\n").
Answers and notifications are verified against the platform certificate or the platform public key
(Wechatpay-Timestamp/-Nonce/-Signature/-Serial over "TIMESTAMP\\nNONCE\\nBODY\\n"); a notification's
`resource` is AES-256-GCM encrypted with the API v3 key. Amounts are integer fen throughout.
Idempotent by out_trade_no (a second prepay with the same number returns the same prepay) and by
out_refund_no (a second refund request returns the first refund).
"""

from __future__ import annotations

import base64
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from o2o.adapters.payments.common import (
    BadSignature,
    Notification,
    ProviderError,
    RefundResult,
    TradeState,
    load_private_key,
    load_public_key,
    rsa_sign,
    rsa_verify,
)
from o2o.adapters.payments.sandbox import PaymentIntent

NAME = "wechatpay"
GATEWAY = "https://api.mch.weixin.qq.com"
SCHEMA = "WECHATPAY2-SHA256-RSA2048"
TOLERANCE_S = 300  # an answer or a notification signed longer ago than this is refused (replays)
NATIVE, JSAPI = "native", "jsapi"
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True)
class WeChatPayConfig:
    mch_id: str
    app_id: str
    private_key_file: Path  # the merchant API key (apiclient_key.pem)
    serial_no: str  # the merchant API certificate's serial number
    api_v3_key: str  # 32 bytes: decrypts notification resources
    platform_key_file: Path  # the platform certificate or the platform public key (PEM)
    platform_serial: str = ""  # its serial / public key id as sent in Wechatpay-Serial ("" = the certificate's)
    notify_url: str = ""
    base_url: str = GATEWAY
    timeout_s: float = 10.0


def authorization(mch_id: str, serial_no: str, key: Any, method: str, url: str, body: str,
                  timestamp: int | None = None, nonce: str | None = None) -> str:
    """The Authorization header of one request; `url` is the path with its query string."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_hex(16)
    signature = rsa_sign(key, f"{method}\n{url}\n{ts}\n{nonce}\n{body}\n".encode())
    return (f'{SCHEMA} mchid="{mch_id}",nonce_str="{nonce}",signature="{signature}",'
            f'timestamp="{ts}",serial_no="{serial_no}"')


def parse_authorization(header: str) -> dict[str, str]:
    """The fields of an Authorization header (the fake platform uses it to check ours)."""
    schema, _, rest = header.partition(" ")
    if schema != SCHEMA:
        raise BadSignature("not a WECHATPAY2-SHA256-RSA2048 header")
    fields = {}
    for part in rest.split(","):
        k, _, v = part.strip().partition("=")
        fields[k] = v.strip('"')
    if not {"mchid", "nonce_str", "signature", "timestamp", "serial_no"} <= fields.keys():
        raise BadSignature("authorization lacks fields")
    return fields


def decrypt_resource(api_v3_key: bytes, resource: Mapping[str, Any]) -> dict[str, Any]:
    if resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise BadSignature("unknown resource algorithm")
    try:
        plain = AESGCM(api_v3_key).decrypt(str(resource["nonce"]).encode(),
                                           base64.b64decode(str(resource["ciphertext"])),
                                           str(resource.get("associated_data") or "").encode())
        data = orjson.loads(plain)
    except Exception as exc:  # tampered, wrong key, not JSON
        raise BadSignature("resource does not decrypt") from exc
    if not isinstance(data, dict):
        raise BadSignature("resource is not an object")
    return data


def encrypt_resource(api_v3_key: bytes, data: Mapping[str, Any], original_type: str,
                     associated_data: str = "transaction") -> dict[str, str]:
    """The inverse of decrypt_resource (what the platform does; the tests' fake uses it)."""
    nonce = secrets.token_hex(6)
    cipher = AESGCM(api_v3_key).encrypt(nonce.encode(), orjson.dumps(dict(data)), associated_data.encode())
    return {"algorithm": "AEAD_AES_256_GCM", "ciphertext": base64.b64encode(cipher).decode(),
            "associated_data": associated_data, "original_type": original_type, "nonce": nonce}


def _header(headers: Mapping[str, str], name: str) -> str:
    return str(headers.get(name) or headers.get(name.lower()) or "")


class WeChatPay:
    name = NAME

    def __init__(self, config: WeChatPayConfig, transport: httpx.BaseTransport | None = None) -> None:
        if len(config.api_v3_key.encode()) != 32:
            raise ValueError("the WeChat Pay API v3 key is 32 bytes")
        self.config = config
        self._key = load_private_key(config.private_key_file)
        self._platform, cert_serial = load_public_key(config.platform_key_file)
        self._platform_serial = config.platform_serial or cert_serial
        self._api_v3_key = config.api_v3_key.encode()
        self._http = httpx.Client(base_url=config.base_url, timeout=config.timeout_s, transport=transport,
                                  headers={"Accept": "application/json", "User-Agent": "o2o-wechatpay/1"})

    # --- signing ----------------------------------------------------------------------------
    def verify_signed(self, headers: Mapping[str, str], body: bytes) -> None:
        """An answer's or a notification's Wechatpay-* headers: platform key, serial, freshness."""
        ts, nonce = _header(headers, "Wechatpay-Timestamp"), _header(headers, "Wechatpay-Nonce")
        signature, serial = _header(headers, "Wechatpay-Signature"), _header(headers, "Wechatpay-Serial")
        if not (ts and nonce and signature):
            raise BadSignature("Wechatpay-* signature headers missing")
        if self._platform_serial and serial != self._platform_serial:
            raise BadSignature(f"signed with an unknown platform key ({serial[:40]!r})")
        # ASCII digits only: str.isdigit() takes "²" (int() refuses it) and any length (int() stops at 4300)
        if not _TIMESTAMP.fullmatch(ts) or abs(time.time() - int(ts)) > TOLERANCE_S:
            raise BadSignature("signature timestamp outside tolerance")
        if signature.startswith("WECHATPAY/SIGNTEST/"):
            raise BadSignature("a signature probe")
        if not rsa_verify(self._platform, f"{ts}\n{nonce}\n".encode() + body + b"\n", signature):
            raise BadSignature("signature mismatch")

    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        body = orjson.dumps(payload).decode() if payload is not None else ""
        headers = {"Authorization": authorization(self.config.mch_id, self.config.serial_no, self._key,
                                                  method, path, body)}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        try:
            r = self._http.request(method, path, content=body.encode() if body else None, headers=headers)
        except httpx.HTTPError as exc:
            raise ProviderError(f"WeChat Pay unreachable: {exc!r}") from exc
        try:
            self.verify_signed(r.headers, r.content)
        except BadSignature as exc:
            raise ProviderError(f"WeChat Pay answer not signed by the platform: {exc}") from exc
        data = orjson.loads(r.content) if r.content else {}
        if r.status_code >= 400:
            code = str(data.get("code", r.status_code)) if isinstance(data, dict) else str(r.status_code)
            message = str(data.get("message", "")) if isinstance(data, dict) else ""
            raise ProviderError(f"WeChat Pay {method} {path}: {r.status_code} {code} {message}"[:300], code,
                                retryable=r.status_code >= 500 or code in {"SYSTEM_ERROR", "FREQUENCY_LIMITED"})
        return data if isinstance(data, dict) else {}

    # --- payments ---------------------------------------------------------------------------
    def create(self, out_trade_no: str, amount_fen: int, description: str, method: str = "",
               payer: str | None = None) -> PaymentIntent:
        """Native (a QR's code_url) unless `method` is jsapi with the payer's openid (the mini-program)."""
        body: dict[str, Any] = {"appid": self.config.app_id, "mchid": self.config.mch_id,
                                "description": description[:127], "out_trade_no": out_trade_no,
                                "notify_url": self.config.notify_url,
                                "amount": {"total": amount_fen, "currency": "CNY"}}
        if method == JSAPI:
            if not payer:
                raise ProviderError("a JSAPI payment needs the payer's openid", "PARAM_ERROR", retryable=False)
            body["payer"] = {"openid": payer}
            data = self._call("POST", "/v3/pay/transactions/jsapi", body)
            prepay_id = str(data["prepay_id"])
            return PaymentIntent(NAME, prepay_id, "", client_params=self.request_payment_params(prepay_id))
        data = self._call("POST", "/v3/pay/transactions/native", body)
        code_url = str(data["code_url"])
        # Native has no prepay_id: its code_url is the handle
        return PaymentIntent(NAME, code_url, "", code_url=code_url)

    def request_payment_params(self, prepay_id: str, timestamp: int | None = None,
                               nonce: str | None = None) -> dict[str, str]:
        """What wx.requestPayment needs, signed with the merchant key."""
        ts, nonce = str(int(time.time()) if timestamp is None else timestamp), nonce or secrets.token_hex(16)
        package = f"prepay_id={prepay_id}"
        sign = rsa_sign(self._key, f"{self.config.app_id}\n{ts}\n{nonce}\n{package}\n".encode())
        return {"appId": self.config.app_id, "timeStamp": ts, "nonceStr": nonce, "package": package,
                "signType": "RSA", "paySign": sign}

    def query(self, out_trade_no: str) -> TradeState:
        try:
            data = self._call("GET", f"/v3/pay/transactions/out-trade-no/{quote(out_trade_no)}"
                                     f"?mchid={quote(self.config.mch_id)}")
        except ProviderError as exc:
            if exc.code == "ORDER_NOT_EXIST":
                return TradeState(out_trade_no, "NOTEXIST", 0)
            raise
        amount = data.get("amount") or {}
        return TradeState(str(data.get("out_trade_no", out_trade_no)), str(data.get("trade_state", "")),
                          int(amount.get("total", 0)), str(data.get("transaction_id") or ""))

    def close(self, out_trade_no: str) -> None:
        self._call("POST", f"/v3/pay/transactions/out-trade-no/{quote(out_trade_no)}/close",
                   {"mchid": self.config.mch_id})

    def refund(self, out_trade_no: str, amount_fen: int, refund_no: str, total_fen: int) -> RefundResult:
        data = self._call("POST", "/v3/refund/domestic/refunds",
                          {"out_trade_no": out_trade_no, "out_refund_no": refund_no,
                           "notify_url": self.config.notify_url,
                           "amount": {"refund": amount_fen, "total": total_fen, "currency": "CNY"}})
        amount = data.get("amount") or {}
        return RefundResult(str(data.get("out_refund_no", refund_no)), str(data.get("refund_id") or ""),
                            str(data.get("status", "PROCESSING")), int(amount.get("refund", amount_fen)))

    # --- notifications ------------------------------------------------------------------------
    def parse_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        self.verify_signed(headers, body)
        try:
            envelope = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise BadSignature("body is not JSON") from exc
        if not isinstance(envelope, dict) or not isinstance(envelope.get("resource"), dict):
            raise BadSignature("notification lacks its resource")
        data = decrypt_resource(self._api_v3_key, envelope["resource"])
        event = str(envelope.get("event_type", ""))
        amount = data.get("amount") or {}
        if data.get("mchid", self.config.mch_id) != self.config.mch_id:
            raise BadSignature("notification for another merchant")
        if not isinstance(amount, dict) or amount.get("currency", "CNY") != "CNY":
            raise BadSignature("notification of an amount not in CNY")
        try:
            if event.startswith("REFUND."):
                return Notification(NAME, "refund", str(data["out_trade_no"]), int(amount["refund"]),
                                    str(data.get("refund_status") or event.split(".", 1)[1]),
                                    str(data.get("transaction_id") or ""), str(data["out_refund_no"]),
                                    str(data.get("refund_id") or ""), raw=data)
            return Notification(NAME, "payment", str(data["out_trade_no"]), int(amount["total"]),
                                str(data.get("trade_state", "")), str(data.get("transaction_id") or ""), raw=data)
        except (KeyError, TypeError, ValueError) as exc:
            raise BadSignature("notification lacks fields") from exc
