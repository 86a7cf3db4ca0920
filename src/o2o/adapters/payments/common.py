"""What every payment provider adapter shares: keys, RSA signatures, amounts, result shapes.

Written on `cryptography` (already our crypto library) and httpx (already our HTTP client) rather than
the providers' Python SDKs: see README "Payment providers" for why.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


class BadSignature(Exception):
    """A notification or an answer that is not signed by the provider: nothing may change."""


class ProviderError(Exception):
    """The provider refused a request or could not be reached. Raised in the relay: it retries."""

    def __init__(self, message: str, code: str = "", retryable: bool = True) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable


@dataclass(frozen=True)
class Notification:
    """A verified notification, the same shape for every provider.

    kind: "payment" or "refund"; status: SUCCESS (paid / refunded), CLOSED, FAILED, ..."""

    provider: str
    kind: str
    out_trade_no: str
    amount_fen: int
    status: str
    transaction_id: str = ""
    out_refund_no: str = ""
    refund_id: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TradeState:
    """The provider's view of one payment (order query). status: SUCCESS, NOTPAY, CLOSED, REFUND, ..."""

    out_trade_no: str
    status: str
    amount_fen: int
    transaction_id: str = ""

    @property
    def paid(self) -> bool:
        return self.status in {"SUCCESS", "REFUND"}


@dataclass(frozen=True)
class RefundResult:
    """status: SUCCESS (money returned), PROCESSING (a notification follows), ABNORMAL, CLOSED."""

    out_refund_no: str
    refund_id: str
    status: str
    amount_fen: int


def load_private_key(path: Path | str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path}: not an RSA private key")
    return key


def load_public_key(path: Path | str) -> tuple[rsa.RSAPublicKey, str]:
    """A PEM public key or X.509 certificate -> (key, serial). The serial is the certificate's, in upper-case
    hex as WeChat Pay writes it, or "" for a bare key."""
    data = Path(path).read_bytes()
    if b"BEGIN CERTIFICATE" in data:
        cert = x509.load_pem_x509_certificate(data)
        key, serial = cert.public_key(), format(cert.serial_number, "X")
    else:
        key, serial = serialization.load_pem_public_key(data), ""
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError(f"{path}: not an RSA public key")
    return key, serial


def rsa_sign(key: rsa.RSAPrivateKey, message: bytes) -> str:
    """SHA256withRSA (PKCS#1 v1.5), base64: WeChat Pay's WECHATPAY2-SHA256-RSA2048 and Alipay's RSA2."""
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa_verify(key: rsa.RSAPublicKey, message: bytes, signature_b64: str) -> bool:
    try:
        key.verify(base64.b64decode(signature_b64, validate=True), message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


_YUAN = re.compile(r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$")


def fen_to_yuan(fen: int) -> str:
    """1290 -> "12.90" (Alipay's amounts are yuan strings with two decimals; never a float)."""
    if fen < 0:
        raise ValueError("negative amount")
    return f"{fen // 100}.{fen % 100:02d}"


def yuan_to_fen(text: str) -> int:
    """"12.9" -> 1290; anything but a plain non-negative amount with at most two decimals is refused."""
    text = str(text).strip()
    m = _YUAN.match(text)
    if m is None:
        raise ValueError(f"not an amount: {text[:20]!r}")
    cents = (m.group(2) or ".")[1:].ljust(2, "0")
    return int(m.group(1)) * 100 + int(cents)
