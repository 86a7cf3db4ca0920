"""Alipay (open platform, gateway.do): page / wap pay (a signed redirect URL), QR precreate, query,
close, refund (out_request_no) and the asynchronous notification; RSA2 (SHA256withRSA) both ways.

Requests: the common parameters plus `biz_content` (JSON), signed over every non-empty parameter but
`sign`, sorted by name, joined as `k=v&...` (unencoded). Answers: `{"<method>_response": {...},
"sign": "..."}`, the signature over the exact text of the `_response` value. Notifications: a form
whose parameters but `sign` and `sign_type` are signed the same way. Amounts are yuan strings with two
decimals on the wire ("12.90") and integer fen here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import orjson

from o2o.adapters.payments.common import (
    BadSignature,
    Notification,
    ProviderError,
    RefundResult,
    TradeState,
    fen_to_yuan,
    load_private_key,
    load_public_key,
    rsa_sign,
    rsa_verify,
    yuan_to_fen,
)
from o2o.adapters.payments.sandbox import PaymentIntent

NAME = "alipay"
GATEWAY = "https://openapi.alipay.com/gateway.do"
BEIJING = timezone(timedelta(hours=8))
PAGE, WAP, QR = "page", "wap", "qr"
SUCCESS_CODE = "10000"
RETRYABLE = frozenset({"ACQ.SYSTEM_ERROR", "isp.unknow-error"})  # Alipay: try the same request again


@dataclass(frozen=True)
class AlipayConfig:
    app_id: str
    private_key_file: Path  # the application's private key
    alipay_public_key_file: Path  # Alipay's public key (not the application's)
    notify_url: str = ""
    return_url: str = ""
    gateway_url: str = GATEWAY
    timeout_s: float = 10.0


def signing_text(params: Mapping[str, Any], exclude: tuple[str, ...] = ("sign",)) -> str:
    return "&".join(f"{k}={params[k]}" for k in sorted(params)
                    if k not in exclude and params[k] not in (None, ""))


def response_node(raw: str, node: str) -> tuple[dict[str, Any], str, str]:
    """The `node` object of an answer, its exact text (what Alipay signed) and the answer's sign."""
    decoder = json.JSONDecoder()
    key = f'"{node}"'
    at = raw.find(key)
    if at < 0:
        raise ProviderError(f"Alipay answer lacks {node}", retryable=True)
    start = raw.index(":", at + len(key)) + 1
    while raw[start] in " \t\r\n":
        start += 1
    value, end = decoder.raw_decode(raw, start)
    whole = orjson.loads(raw)
    if not isinstance(value, dict):
        raise ProviderError(f"Alipay answer's {node} is not an object")
    return value, raw[start:end], str(whole.get("sign") or "")


class Alipay:
    name = NAME

    def __init__(self, config: AlipayConfig, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self._key = load_private_key(config.private_key_file)
        self._alipay_key, _ = load_public_key(config.alipay_public_key_file)
        self._http = httpx.Client(timeout=config.timeout_s, transport=transport)

    def _params(self, method: str, biz: dict[str, Any], notify: bool = False, return_url: bool = False,
                now: datetime | None = None) -> dict[str, str]:
        params = {"app_id": self.config.app_id, "method": method, "format": "JSON", "charset": "utf-8",
                  "sign_type": "RSA2", "version": "1.0",
                  "timestamp": (now or datetime.now(UTC)).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
                  "biz_content": orjson.dumps(biz).decode()}
        if notify and self.config.notify_url:
            params["notify_url"] = self.config.notify_url
        if return_url and self.config.return_url:
            params["return_url"] = self.config.return_url
        params["sign"] = rsa_sign(self._key, signing_text(params).encode())
        return params

    def _call(self, method: str, biz: dict[str, Any], notify: bool = False) -> dict[str, Any]:
        try:
            r = self._http.post(self.config.gateway_url, data=self._params(method, biz, notify),
                                headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise ProviderError(f"Alipay unreachable: {exc!r}") from exc
        if r.status_code >= 400:
            raise ProviderError(f"Alipay {method}: HTTP {r.status_code}")
        node, text, sign = response_node(r.text, method.replace(".", "_") + "_response")
        if not sign or not rsa_verify(self._alipay_key, text.encode(), sign):
            raise ProviderError(f"Alipay {method}: answer not signed by Alipay")
        if node.get("code") != SUCCESS_CODE:
            code = str(node.get("sub_code") or node.get("code") or "")
            raise ProviderError(f"Alipay {method}: {node.get('code')} {code} {node.get('sub_msg', '')}"[:300], code,
                                retryable=str(node.get("code")) == "20000" or code in RETRYABLE)
        return node

    # --- payments ---------------------------------------------------------------------------
    def create(self, out_trade_no: str, amount_fen: int, description: str, method: str = "",
               payer: str | None = None) -> PaymentIntent:
        """page (desktop, the default) and wap (phone): a signed URL to send the customer to; qr: a
        precreate whose qr_code is shown on our page."""
        biz = {"out_trade_no": out_trade_no, "total_amount": fen_to_yuan(amount_fen), "subject": description[:256]}
        if method == QR:
            node = self._call("alipay.trade.precreate", biz, notify=True)
            code = str(node["qr_code"])
            return PaymentIntent(NAME, code, "", code_url=code)
        api, product = (("alipay.trade.wap.pay", "QUICK_WAP_WAY") if method == WAP
                        else ("alipay.trade.page.pay", "FAST_INSTANT_TRADE_PAY"))
        params = self._params(api, {**biz, "product_code": product}, notify=True, return_url=True)
        return PaymentIntent(NAME, out_trade_no, f"{self.config.gateway_url}?{urlencode(params)}")

    def query(self, out_trade_no: str) -> TradeState:
        try:
            node = self._call("alipay.trade.query", {"out_trade_no": out_trade_no})
        except ProviderError as exc:
            if exc.code == "ACQ.TRADE_NOT_EXIST":
                return TradeState(out_trade_no, "NOTEXIST", 0)
            raise
        status = {"WAIT_BUYER_PAY": "NOTPAY", "TRADE_SUCCESS": "SUCCESS", "TRADE_FINISHED": "SUCCESS",
                  "TRADE_CLOSED": "CLOSED"}.get(str(node.get("trade_status")), str(node.get("trade_status")))
        return TradeState(out_trade_no, status, yuan_to_fen(str(node.get("total_amount", "0"))),
                          str(node.get("trade_no") or ""))

    def close(self, out_trade_no: str) -> None:
        try:
            self._call("alipay.trade.close", {"out_trade_no": out_trade_no})
        except ProviderError as exc:
            if exc.code != "ACQ.TRADE_NOT_EXIST":  # never scanned: nothing to close at Alipay
                raise

    def refund(self, out_trade_no: str, amount_fen: int, refund_no: str, total_fen: int) -> RefundResult:
        node = self._call("alipay.trade.refund", {"out_trade_no": out_trade_no, "out_request_no": refund_no,
                                                  "refund_amount": fen_to_yuan(amount_fen)})
        # fund_change "N" on a repeated out_request_no: the first refund already moved the money
        return RefundResult(refund_no, str(node.get("trade_no") or ""), "SUCCESS",
                            yuan_to_fen(str(node.get("refund_fee", fen_to_yuan(amount_fen)))))

    # --- notifications ------------------------------------------------------------------------
    def verify_params(self, params: Mapping[str, str]) -> None:
        sign = str(params.get("sign") or "")
        if not sign or params.get("sign_type", "RSA2") != "RSA2":
            raise BadSignature("unsigned, or not RSA2")
        if not rsa_verify(self._alipay_key, signing_text(params, ("sign", "sign_type")).encode(), sign):
            raise BadSignature("signature mismatch")
        if params.get("app_id") != self.config.app_id:
            raise BadSignature("notification for another application")

    def parse_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        try:
            params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadSignature("not a form") from exc
        self.verify_params(params)
        try:
            out_trade_no = params["out_trade_no"]
            if params.get("refund_fee") and params.get("out_biz_no"):  # a refund changed the trade
                return Notification(NAME, "refund", out_trade_no, yuan_to_fen(params["refund_fee"]), "SUCCESS",
                                    params.get("trade_no", ""), params["out_biz_no"], params.get("trade_no", ""),
                                    raw=params)
            status = {"TRADE_SUCCESS": "SUCCESS", "TRADE_FINISHED": "SUCCESS", "TRADE_CLOSED": "CLOSED",
                      "WAIT_BUYER_PAY": "NOTPAY"}.get(params.get("trade_status", ""), "UNKNOWN")
            return Notification(NAME, "payment", out_trade_no, yuan_to_fen(params["total_amount"]), status,
                                params.get("trade_no", ""), raw=params)
        except (KeyError, ValueError) as exc:
            raise BadSignature("notification lacks fields") from exc
