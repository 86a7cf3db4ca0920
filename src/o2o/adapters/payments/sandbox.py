"""A sandbox payment provider shaped like the real ones (WeChat Pay / Alipay style).

create -> a prepay id and a pay URL; the provider later POSTs a signed asynchronous
notification `{out_trade_no, transaction_id, amount_fen, status, paid_at}` with header
`X-Sandbox-Signature: t=<unix>,v1=<hex hmac-sha256 of "t.body">`. Replays older than the
tolerance are refused; the merchant answers 200 only after recording the result.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from o2o.adapters.payments.common import BadSignature, Notification, RefundResult, TradeState

SIGNATURE_HEADER = "X-Sandbox-Signature"
__all__ = ["BadSignature", "PaymentIntent", "PaymentProvider", "SandboxPayments"]


@dataclass(frozen=True)
class PaymentIntent:
    """What the customer needs to pay: `pay_url` to open (Alipay page/wap, the sandbox), `code_url` to show
    as a QR (WeChat Native, Alipay precreate), `client_params` for the mini-program's requestPayment."""

    provider: str
    prepay_id: str
    pay_url: str
    code_url: str = ""
    client_params: dict[str, str] | None = None


class PaymentProvider(Protocol):
    name: str

    def create(self, out_trade_no: str, amount_fen: int, description: str, method: str = "",
               payer: str | None = None) -> PaymentIntent: ...
    def parse_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification: ...
    def query(self, out_trade_no: str) -> TradeState: ...
    def close(self, out_trade_no: str) -> None: ...
    def refund(self, out_trade_no: str, amount_fen: int, refund_no: str, total_fen: int) -> RefundResult: ...


class SandboxPayments:
    name = "sandbox"

    def __init__(self, secret: str, tolerance_s: int = 300, base_url: str = "") -> None:
        self._secret = secret.encode()
        self.tolerance_s = tolerance_s
        self.base_url = base_url
        self.refunds: list[dict[str, Any]] = []

    def create(self, out_trade_no: str, amount_fen: int, description: str, method: str = "",
               payer: str | None = None) -> PaymentIntent:
        return PaymentIntent(self.name, f"sbx_{secrets.token_hex(8)}",
                             f"{self.base_url}/api/v1/sandbox/payments/{out_trade_no}/complete")

    def sign(self, body: bytes, timestamp: int | None = None) -> str:
        ts = int(time.time()) if timestamp is None else timestamp
        mac = hmac.new(self._secret, f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
        return f"t={ts},v1={mac}"

    def notification(self, out_trade_no: str, amount_fen: int, status: str = "SUCCESS",
                     timestamp: int | None = None) -> tuple[bytes, str]:
        """What the provider would POST to us once the customer paid."""
        body = orjson.dumps({"out_trade_no": out_trade_no, "transaction_id": f"SBX{secrets.token_hex(10)}",
                             "amount_fen": amount_fen, "status": status, "paid_at": int(time.time())})
        return body, self.sign(body, timestamp)

    def verify(self, body: bytes, signature: str) -> dict[str, Any]:
        try:
            parts = dict(p.split("=", 1) for p in signature.split(","))
            ts, mac = int(parts["t"]), parts["v1"]
        except (ValueError, KeyError) as exc:
            raise BadSignature("malformed signature header") from exc
        if abs(time.time() - ts) > self.tolerance_s:
            raise BadSignature("signature timestamp outside tolerance")
        expected = hmac.new(self._secret, f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, mac):
            raise BadSignature("signature mismatch")
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise BadSignature("body is not JSON") from exc
        if not isinstance(data, dict) or not {"out_trade_no", "amount_fen", "status"} <= data.keys():
            raise BadSignature("notification lacks fields")
        return data

    def parse_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        data = self.verify(body, headers.get(SIGNATURE_HEADER.lower(), headers.get(SIGNATURE_HEADER, "")))
        return Notification(self.name, "payment", str(data["out_trade_no"]), int(data["amount_fen"]),
                            str(data["status"]), str(data.get("transaction_id") or ""), raw=data)

    def query(self, out_trade_no: str) -> TradeState:
        return TradeState(out_trade_no, "NOTPAY", 0)  # the sandbox learns of payments only by its button

    def close(self, out_trade_no: str) -> None:
        return None

    def refund(self, out_trade_no: str, amount_fen: int, refund_no: str, total_fen: int = 0) -> RefundResult:
        result = {"refund_no": refund_no, "out_trade_no": out_trade_no, "amount_fen": amount_fen,
                  "status": "SUCCESS"}
        if all(r["refund_no"] != refund_no for r in self.refunds):  # idempotent by refund_no
            self.refunds.append(result)
        return RefundResult(refund_no, f"SBXRF{refund_no}", "SUCCESS", amount_fen)
