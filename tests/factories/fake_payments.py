"""Local fakes of WeChat Pay API v3 and the Alipay gateway (a real HTTP server on 127.0.0.1 in a thread).

Keys are generated here (`new_key`: each unlike the fifteen handed out before it): the merchant's /
application's key pair (its private half is the file our settings name; the fake keeps the public half and
checks OUR signatures with its own code, not o2o's), and the platform's key pair (WeChat: a self-signed
certificate; Alipay: a public key file) with which the fake signs its answers and the notifications it
produces.

`fail_refunds` makes the next refund requests fail the way the platform does (WeChat: 500
SYSTEM_ERROR; Alipay: code 20000 isp.unknow-error); `bad_signatures` counts requests the fake refused.
`pay(out_trade_no)` is the customer paying at the platform; `notification(...)` is what the platform
would POST to our notify URL: (body, headers).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

_KEYS: list[rsa.RSAPrivateKey] = []
_KEY_LOCK = threading.Lock()
_handed_out = [0]
KEYS_IN_TURN = 16


def new_key() -> rsa.RSAPrivateKey:
    """A 2048-bit RSA key unlike the last KEYS_IN_TURN - 1 this process handed out. The process generates
    KEYS_IN_TURN keys and hands them out in turn (a test takes at most six): a 2048-bit key took 45 ms of CPU
    to generate, and the suite asked for hundreds. No test reads a key another test made, so a key that
    comes round again, many calls later, is as good as a new one."""
    with _KEY_LOCK:
        turn = _handed_out[0] % KEYS_IN_TURN
        _handed_out[0] += 1
        if turn == len(_KEYS):
            _KEYS.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
        return _KEYS[turn]


def write_private(key: rsa.RSAPrivateKey, path: Path) -> Path:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return path


def write_public(key: rsa.RSAPrivateKey, path: Path) -> Path:
    path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo))
    return path


def self_signed(key: rsa.RSAPrivateKey, serial: int, cn: str = "Tenpay.com Root CA") -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.now(UTC)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(serial).not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
            .sign(key, hashes.SHA256()))


def sign(key: rsa.RSAPrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def verifies(key: rsa.RSAPublicKey, message: bytes, signature: str) -> bool:
    try:
        key.verify(base64.b64decode(signature), message, padding.PKCS1v15(), hashes.SHA256())
        return True
    except (InvalidSignature, ValueError):
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True


@dataclass
class _Fake:
    tmp: Path
    trades: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    bad_signatures: int = 0
    fail_refunds: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> _Fake:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def _answer(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                status, headers, out = fake.handle(self.command, self.path,
                                                   {k.lower(): v for k, v in self.headers.items()}, body)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = _answer

        self.server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, bytes]:
        raise NotImplementedError


# --- WeChat Pay -------------------------------------------------------------------------------------

@dataclass
class FakeWeChatPay(_Fake):
    mch_id: str = "1900000109"
    app_id: str = "wxd678efh567hg6787"
    merchant_serial: str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"

    def __post_init__(self) -> None:
        self.merchant_key = new_key()
        self.platform_key = new_key()
        self.platform_serial_int = secrets.randbits(64)
        cert = self_signed(self.platform_key, self.platform_serial_int)
        self.platform_serial = format(self.platform_serial_int, "X")
        self.api_v3_key = secrets.token_hex(16)  # 32 characters
        self.merchant_key_file = write_private(self.merchant_key, self.tmp / "apiclient_key.pem")
        self.platform_cert_file = self.tmp / "wechatpay_platform.pem"
        self.platform_cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))

    def settings(self) -> dict[str, Any]:
        return {"wechatpay_mch_id": self.mch_id, "wechatpay_app_id": self.app_id,
                "wechatpay_private_key_file": self.merchant_key_file, "wechatpay_serial_no": self.merchant_serial,
                "wechatpay_api_v3_key": self.api_v3_key, "wechatpay_platform_key_file": self.platform_cert_file,
                "wechatpay_base_url": self.url}

    # the platform's signature on what it sends
    def signed_headers(self, body: bytes, key: rsa.RSAPrivateKey | None = None, serial: str | None = None,
                       timestamp: int | None = None) -> dict[str, str]:
        ts, nonce = str(int(time.time()) if timestamp is None else timestamp), secrets.token_hex(16)
        return {"Wechatpay-Timestamp": ts, "Wechatpay-Nonce": nonce,
                "Wechatpay-Signature": sign(key or self.platform_key, f"{ts}\n{nonce}\n".encode() + body + b"\n"),
                "Wechatpay-Serial": serial or self.platform_serial}

    def _check(self, method: str, path: str, headers: dict[str, str], body: bytes) -> bool:
        auth = headers.get("authorization", "")
        if not auth.startswith("WECHATPAY2-SHA256-RSA2048 "):
            return False
        fields = {}
        for part in auth.split(" ", 1)[1].split(","):
            k, _, v = part.partition("=")
            fields[k.strip()] = v.strip().strip('"')
        if fields.get("mchid") != self.mch_id or fields.get("serial_no") != self.merchant_serial:
            return False
        if abs(time.time() - int(fields.get("timestamp", "0"))) > 300:
            return False
        message = f"{method}\n{path}\n{fields['timestamp']}\n{fields.get('nonce_str', '')}\n".encode() + body + b"\n"
        return verifies(self.merchant_key.public_key(), message, fields.get("signature", ""))

    def _reply(self, status: int, data: dict | None) -> tuple[int, dict, bytes]:
        out = json.dumps(data, ensure_ascii=False).encode() if data is not None else b""
        headers = self.signed_headers(out)
        if data is not None:
            headers["content-type"] = "application/json"
        return status, headers, out

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, bytes]:
        if not self._check(method, path, headers, body):
            with self.lock:
                self.bad_signatures += 1
            return self._reply(401, {"code": "SIGN_ERROR", "message": "签名错误"})
        split = urlsplit(path)
        data = json.loads(body) if body else {}
        with self.lock:
            self.calls.append(f"{method} {split.path}")
            if split.path in ("/v3/pay/transactions/native", "/v3/pay/transactions/jsapi"):
                return self._prepay(split.path.rsplit("/", 1)[1], data)
            if split.path.startswith("/v3/pay/transactions/out-trade-no/"):
                rest = unquote(split.path[len("/v3/pay/transactions/out-trade-no/"):])
                if rest.endswith("/close"):
                    trade = self.trades.get(rest[:-len("/close")])
                    if trade is None:
                        return self._reply(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
                    if trade["trade_state"] == "NOTPAY":
                        trade["trade_state"] = "CLOSED"
                    return self._reply(204, None)
                trade = self.trades.get(rest)
                if trade is None or dict(parse_qsl(split.query)).get("mchid") != self.mch_id:
                    return self._reply(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
                return self._reply(200, self._transaction(trade))
            if split.path == "/v3/refund/domestic/refunds":
                return self._refund(data)
        return self._reply(404, {"code": "NOT_FOUND", "message": "no such API"})

    def _prepay(self, kind: str, data: dict) -> tuple[int, dict, bytes]:
        if data.get("mchid") != self.mch_id or data.get("appid") != self.app_id:
            return self._reply(400, {"code": "PARAM_ERROR", "message": "mchid/appid"})
        amount = data["amount"]["total"]
        if not isinstance(amount, int) or amount <= 0 or data["amount"].get("currency") != "CNY":
            return self._reply(400, {"code": "PARAM_ERROR", "message": "amount"})
        no = data["out_trade_no"]
        trade = self.trades.get(no)
        if trade is not None and trade["amount"] != amount:
            return self._reply(400, {"code": "INVALID_REQUEST", "message": "201 商户订单号重复"})
        if trade is None:
            trade = self.trades[no] = {"out_trade_no": no, "amount": amount, "trade_state": "NOTPAY",
                                       "prepay_id": f"wx{secrets.token_hex(14)}", "notify_url": data["notify_url"],
                                       "code_url": f"weixin://wxpay/bizpayurl?pr={secrets.token_urlsafe(6)}",
                                       "transaction_id": "", "payer": data.get("payer", {}).get("openid")}
        if kind == "jsapi":
            if not trade["payer"]:
                return self._reply(400, {"code": "PARAM_ERROR", "message": "payer.openid"})
            return self._reply(200, {"prepay_id": trade["prepay_id"]})
        return self._reply(200, {"code_url": trade["code_url"]})

    def _transaction(self, trade: dict) -> dict:
        out = {"appid": self.app_id, "mchid": self.mch_id, "out_trade_no": trade["out_trade_no"],
               "trade_state": trade["trade_state"], "trade_type": "NATIVE",
               "amount": {"total": trade["amount"], "payer_total": trade["amount"], "currency": "CNY"}}
        if trade["transaction_id"]:
            out["transaction_id"] = trade["transaction_id"]
            out["success_time"] = "2026-11-24T10:05:00+08:00"
        return out

    def _refund(self, data: dict) -> tuple[int, dict, bytes]:
        no = data["out_refund_no"]
        if no in self.refunds:  # the same out_refund_no: the same refund
            return self._reply(200, self._refund_out(self.refunds[no]))
        if self.fail_refunds > 0:
            self.fail_refunds -= 1
            return self._reply(500, {"code": "SYSTEM_ERROR", "message": "系统超时"})
        trade = self.trades.get(data["out_trade_no"])
        if trade is None or trade["trade_state"] not in ("SUCCESS", "REFUND"):
            return self._reply(404, {"code": "RESOURCE_NOT_EXISTS", "message": "订单不存在"})
        amount = data["amount"]
        refunded = sum(r["amount"] for r in self.refunds.values() if r["out_trade_no"] == trade["out_trade_no"])
        if amount["total"] != trade["amount"] or refunded + amount["refund"] > trade["amount"]:
            return self._reply(400, {"code": "PARAM_ERROR", "message": "退款金额"})
        refund = self.refunds[no] = {"out_refund_no": no, "out_trade_no": trade["out_trade_no"],
                                     "refund_id": f"50300{secrets.randbelow(10**20):020d}",
                                     "amount": amount["refund"], "total": trade["amount"], "status": "PROCESSING",
                                     "transaction_id": trade["transaction_id"]}
        trade["trade_state"] = "REFUND"
        return self._reply(200, self._refund_out(refund))

    @staticmethod
    def _refund_out(r: dict) -> dict:
        return {"refund_id": r["refund_id"], "out_refund_no": r["out_refund_no"], "out_trade_no": r["out_trade_no"],
                "transaction_id": r["transaction_id"], "channel": "ORIGINAL", "status": r["status"],
                "amount": {"refund": r["amount"], "total": r["total"], "payer_refund": r["amount"],
                           "payer_total": r["total"], "currency": "CNY"}}

    # --- what the platform does on its own ---------------------------------------------------------
    def pay(self, out_trade_no: str) -> None:
        with self.lock:
            trade = self.trades[out_trade_no]
            trade["trade_state"] = "SUCCESS"
            trade["transaction_id"] = trade["transaction_id"] or f"4200{secrets.randbelow(10**24):024d}"

    def finish_refund(self, out_refund_no: str, status: str = "SUCCESS") -> None:
        with self.lock:
            self.refunds[out_refund_no]["status"] = status

    def encrypt(self, data: dict, associated: str, key: str | None = None) -> dict:
        nonce = secrets.token_hex(6)
        cipher = AESGCM((key or self.api_v3_key).encode()).encrypt(nonce.encode(), json.dumps(data).encode(),
                                                                   associated.encode())
        return {"algorithm": "AEAD_AES_256_GCM", "ciphertext": base64.b64encode(cipher).decode(),
                "associated_data": associated, "original_type": associated, "nonce": nonce}

    def _envelope(self, event: str, resource: dict, **sign_kw: Any) -> tuple[bytes, dict[str, str]]:
        body = json.dumps({"id": secrets.token_hex(18), "create_time": "2026-11-24T10:05:00+08:00",
                           "resource_type": "encrypt-resource", "event_type": event, "summary": event,
                           "resource": resource}, ensure_ascii=False).encode()
        return body, self.signed_headers(body, **sign_kw)

    def notification(self, out_trade_no: str, amount: int | None = None, api_v3_key: str | None = None,
                     **sign_kw: Any) -> tuple[bytes, dict[str, str]]:
        """TRANSACTION.SUCCESS for a paid trade (`amount` lies about the amount, for attacker tests)."""
        tx = self._transaction(self.trades[out_trade_no])
        if amount is not None:
            tx["amount"]["total"] = amount
        return self._envelope("TRANSACTION.SUCCESS", self.encrypt(tx, "transaction", api_v3_key), **sign_kw)

    def refund_notification(self, out_refund_no: str, **sign_kw: Any) -> tuple[bytes, dict[str, str]]:
        r = self.refunds[out_refund_no]
        data = {"mchid": self.mch_id, "out_trade_no": r["out_trade_no"], "transaction_id": r["transaction_id"],
                "out_refund_no": out_refund_no, "refund_id": r["refund_id"], "refund_status": r["status"],
                "success_time": "2026-11-24T10:30:00+08:00", "user_received_account": "支付用户零钱",
                "amount": {"total": r["total"], "refund": r["amount"], "payer_total": r["total"],
                           "payer_refund": r["amount"]}}
        return self._envelope(f"REFUND.{r['status']}", self.encrypt(data, "refund"), **sign_kw)


# --- Alipay -----------------------------------------------------------------------------------------

def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _fen(yuan: str) -> int:
    whole, _, cents = yuan.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


def _signing_text(params: dict[str, str], skip: tuple[str, ...]) -> bytes:
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in skip and v != "").encode()


@dataclass
class FakeAlipay(_Fake):
    app_id: str = "2021000122600001"
    seller_id: str = "2088102177846880"
    opened: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.app_key = new_key()
        self.alipay_key = new_key()
        self.app_key_file = write_private(self.app_key, self.tmp / "app_private_key.pem")
        self.alipay_public_file = write_public(self.alipay_key, self.tmp / "alipay_public_key.pem")

    @property
    def gateway(self) -> str:
        return f"{self.url}/gateway.do"

    def settings(self) -> dict[str, Any]:
        return {"alipay_app_id": self.app_id, "alipay_private_key_file": self.app_key_file,
                "alipay_public_key_file": self.alipay_public_file, "alipay_gateway_url": self.gateway}

    def _check(self, params: dict[str, str]) -> bool:
        return (params.get("app_id") == self.app_id and params.get("sign_type") == "RSA2"
                and params.get("charset") == "utf-8" and bool(params.get("timestamp"))
                and verifies(self.app_key.public_key(), _signing_text(params, ("sign",)), params.get("sign", "")))

    def _reply(self, method: str, node: dict) -> tuple[int, dict, bytes]:
        name = method.replace(".", "_") + "_response"
        text = json.dumps(node, ensure_ascii=False, separators=(",", ":"))
        out = f'{{"{name}":{text},"sign":"{sign(self.alipay_key, text.encode())}"}}'.encode()
        return 200, {"content-type": "application/json;charset=utf-8"}, out

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, bytes]:
        params = dict(parse_qsl(body.decode() if method == "POST" else urlsplit(path).query, keep_blank_values=True))
        api = params.get("method", "")
        if not self._check(params):
            with self.lock:
                self.bad_signatures += 1
            return self._reply(api or "error", {"code": "40002", "msg": "Invalid Arguments",
                                                "sub_code": "isv.invalid-signature", "sub_msg": "验签出错"})
        biz = json.loads(params.get("biz_content") or "{}")
        if method == "GET" and api in ("alipay.trade.page.pay", "alipay.trade.wap.pay"):  # the customer's browser
            with self.lock:
                self.calls.append(api)
                trade = self._trade(biz, params)
                self.opened.append(params)
            page = (f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>支付宝收银台</title></head>"
                    f"<body><h1>支付宝收银台</h1><p class='amount'>{biz.get('total_amount')}</p>"
                    f"<p class='trade'>{trade['out_trade_no'] if trade else ''}</p></body></html>").encode()
            return 200, {"content-type": "text/html; charset=utf-8"}, page
        with self.lock:
            self.calls.append(api)
            if api == "alipay.trade.precreate":
                trade = self._trade(biz, params)
                if trade is None:
                    return self._reply(api, {"code": "40004", "msg": "Business Failed",
                                             "sub_code": "ACQ.INVALID_PARAMETER", "sub_msg": "参数无效"})
                return self._reply(api, {"code": "10000", "msg": "Success", "out_trade_no": trade["out_trade_no"],
                                         "qr_code": trade["qr_code"]})
            trade = self.trades.get(biz.get("out_trade_no", ""))
            if trade is None:
                return self._reply(api, {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST",
                                         "sub_msg": "交易不存在"})
            if api == "alipay.trade.query":
                return self._reply(api, {"code": "10000", "msg": "Success", "out_trade_no": trade["out_trade_no"],
                                         "trade_no": trade["trade_no"], "trade_status": trade["status"],
                                         "total_amount": _yuan(trade["amount"])})
            if api == "alipay.trade.close":
                if trade["status"] == "WAIT_BUYER_PAY":
                    trade["status"] = "TRADE_CLOSED"
                    return self._reply(api, {"code": "10000", "msg": "Success", "out_trade_no": trade["out_trade_no"]})
                return self._reply(api, {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_STATUS_ERROR",
                                         "sub_msg": "交易状态不合法"})
            if api == "alipay.trade.refund":
                return self._refund(api, trade, biz)
        return self._reply(api or "error", {"code": "40004", "msg": "Business Failed", "sub_code": "isv.invalid-method"})

    def _trade(self, biz: dict, params: dict[str, str]) -> dict | None:
        try:
            amount = _fen(biz["total_amount"])
        except (KeyError, ValueError):
            return None
        no = biz["out_trade_no"]
        trade = self.trades.get(no)
        if trade is None:
            trade = self.trades[no] = {"out_trade_no": no, "amount": amount, "status": "WAIT_BUYER_PAY",
                                       "trade_no": f"2026112422001{secrets.randbelow(10**15):015d}",
                                       "qr_code": f"https://qr.alipay.com/bax0{secrets.token_hex(10)}",
                                       "notify_url": params.get("notify_url", ""), "refunded": 0}
        return trade if trade["amount"] == amount else None

    def _refund(self, api: str, trade: dict, biz: dict) -> tuple[int, dict, bytes]:
        no = biz.get("out_request_no", "")
        if no in self.refunds:  # repeated out_request_no: the same refund, no money moves
            return self._reply(api, {"code": "10000", "msg": "Success", "trade_no": trade["trade_no"],
                                     "out_trade_no": trade["out_trade_no"], "fund_change": "N",
                                     "refund_fee": _yuan(self.refunds[no]["amount"])})
        if self.fail_refunds > 0:
            self.fail_refunds -= 1
            return self._reply(api, {"code": "20000", "msg": "Service Currently Unavailable",
                                     "sub_code": "isp.unknow-error", "sub_msg": "系统繁忙"})
        amount = _fen(biz["refund_amount"])
        if trade["status"] not in ("TRADE_SUCCESS",) or trade["refunded"] + amount > trade["amount"]:
            return self._reply(api, {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                                     "sub_msg": "退款金额超限"})
        trade["refunded"] += amount
        self.refunds[no] = {"out_request_no": no, "out_trade_no": trade["out_trade_no"], "amount": amount}
        return self._reply(api, {"code": "10000", "msg": "Success", "trade_no": trade["trade_no"],
                                 "out_trade_no": trade["out_trade_no"], "fund_change": "Y",
                                 "refund_fee": _yuan(trade["refunded"])})

    # --- what the customer and the platform do -------------------------------------------------------
    def open_pay_url(self, url: str) -> dict[str, str]:
        """The customer's browser opens our signed page/wap URL: the fake checks it and opens the trade."""
        split = urlsplit(url)
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        assert f"{split.scheme}://{split.netloc}{split.path}" == self.gateway
        assert self._check(params), "the pay URL is not signed with the application key"
        assert params["method"] in ("alipay.trade.page.pay", "alipay.trade.wap.pay")
        with self.lock:
            trade = self._trade(json.loads(params["biz_content"]), params)
            assert trade is not None
            self.opened.append(params)
        return params

    def pay(self, out_trade_no: str) -> None:
        with self.lock:
            self.trades[out_trade_no]["status"] = "TRADE_SUCCESS"

    def _form(self, params: dict[str, str], key: rsa.RSAPrivateKey | None) -> bytes:
        params = {k: v for k, v in params.items() if v is not None}
        params["sign_type"] = "RSA2"
        params["sign"] = sign(key or self.alipay_key, _signing_text(params, ("sign", "sign_type")))
        return urlencode(params).encode()

    def notification(self, out_trade_no: str, amount: int | None = None, key: rsa.RSAPrivateKey | None = None,
                     app_id: str | None = None, status: str | None = None) -> tuple[bytes, dict[str, str]]:
        t = self.trades[out_trade_no]
        params = {"notify_time": "2026-11-24 10:05:00", "notify_type": "trade_status_sync",
                  "notify_id": secrets.token_hex(16), "charset": "utf-8", "version": "1.0",
                  "app_id": app_id or self.app_id, "trade_no": t["trade_no"], "out_trade_no": out_trade_no,
                  "trade_status": status or t["status"], "total_amount": _yuan(t["amount"] if amount is None else amount),
                  "receipt_amount": _yuan(t["amount"]), "seller_id": self.seller_id, "subject": "订单 order",
                  "gmt_create": "2026-11-24 10:04:00", "gmt_payment": "2026-11-24 10:05:00"}
        return self._form(params, key), {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}

    def refund_notification(self, out_request_no: str) -> tuple[bytes, dict[str, str]]:
        r = self.refunds[out_request_no]
        t = self.trades[r["out_trade_no"]]
        params = {"notify_time": "2026-11-24 10:30:00", "notify_type": "trade_status_sync",
                  "notify_id": secrets.token_hex(16), "charset": "utf-8", "version": "1.0", "app_id": self.app_id,
                  "trade_no": t["trade_no"], "out_trade_no": t["out_trade_no"], "out_biz_no": out_request_no,
                  "trade_status": "TRADE_CLOSED" if t["refunded"] == t["amount"] else "TRADE_SUCCESS",
                  "total_amount": _yuan(t["amount"]), "refund_fee": _yuan(r["amount"]),
                  "gmt_refund": "2026-11-24 10:30:00.123"}
        return self._form(params, None), {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}
