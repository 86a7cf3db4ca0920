"""Local fakes of the SMS providers' HTTP APIs (a real HTTP server on 127.0.0.1 in a thread).

Each fake checks OUR request the way the provider documents it (it recomputes the signature from
what arrived on the wire, with its own code, not o2o's), and answers in the provider's shape,
including its error codes. `script` queues what the next calls answer ("ok", an error code, an HTTP
status, or "sleep:<s>" for a timeout); `sent` lists what was accepted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Server(ThreadingHTTPServer):
    daemon_threads = True


@dataclass
class _Fake:
    script: list[str] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    calls: int = 0
    bad_signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def next_answer(self) -> str:
        with self.lock:
            self.calls += 1
            return self.script.pop(0) if self.script else "ok"

    def start(self) -> _Fake:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                status, answer = fake.handle(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                out = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json;charset=utf-8")
                self.send_header("content-length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        raise NotImplementedError


@dataclass
class FakeAliyun(_Fake):
    """Dysmsapi SendSms, RPC style, V3 signature (ACS3-HMAC-SHA256)."""

    key_id: str = "LTAI5tTestKeyId"
    secret: str = "aliyun-test-secret"

    def _verify(self, path: str, headers: dict[str, str], body: bytes) -> bool:
        auth = headers.get("authorization", "")
        if not auth.startswith("ACS3-HMAC-SHA256 "):
            return False
        parts = dict(p.split("=", 1) for p in auth[len("ACS3-HMAC-SHA256 "):].split(","))
        if parts.get("Credential") != self.key_id or headers.get("x-acs-content-sha256") != _sha(body):
            return False
        names = parts.get("SignedHeaders", "").split(";")
        if not {"host", "x-acs-action", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"} <= set(names):
            return False
        split = urlsplit(path)
        query = sorted(parse_qsl(split.query, keep_blank_values=True))
        enc = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in query)
        canonical = "\n".join(["POST", split.path or "/", enc, "".join(f"{n}:{headers.get(n, '').strip()}\n"
                                                                      for n in names),
                               ";".join(names), _sha(body)])
        want = hmac.new(self.secret.encode(), f"ACS3-HMAC-SHA256\n{_sha(canonical.encode())}".encode(),
                        hashlib.sha256).hexdigest()
        return hmac.compare_digest(want, parts.get("Signature", ""))

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        rid = f"req-{time.monotonic_ns()}"
        if not self._verify(path, headers, body):
            with self.lock:
                self.bad_signatures += 1
            return 400, {"RequestId": rid, "Code": "SignatureDoesNotMatch",
                         "Message": "Specified signature does not match our calculation."}
        if headers.get("x-acs-action") != "SendSms" or headers.get("x-acs-version") != "2017-05-25":
            return 400, {"RequestId": rid, "Code": "InvalidAction.NotFound", "Message": "bad action"}
        answer = self.next_answer()
        q = dict(parse_qsl(urlsplit(path).query))
        if answer.startswith("sleep:"):
            time.sleep(float(answer[6:]))
            answer = "ok"
        if answer.isdigit():
            return int(answer), {"RequestId": rid, "Code": "ServiceUnavailable", "Message": "try later"}
        if answer != "ok":
            return 200, {"RequestId": rid, "Code": answer, "Message": {
                "isv.BUSINESS_LIMIT_CONTROL": "触发小时级流控Permits:5",
                "isv.MOBILE_NUMBER_ILLEGAL": "非法手机号"}.get(answer, answer)}
        if not q.get("PhoneNumbers", "").isdigit() or len(q["PhoneNumbers"]) != 11:
            return 200, {"RequestId": rid, "Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}
        biz = f"{len(self.sent) + 1:06d}^{time.monotonic_ns()}"
        with self.lock:
            self.sent.append({"phone": q["PhoneNumbers"], "sign": q.get("SignName"), "template": q.get("TemplateCode"),
                              "params": json.loads(q.get("TemplateParam") or "{}"), "out_id": q.get("OutId"),
                              "biz_id": biz})
        return 200, {"RequestId": rid, "Code": "OK", "Message": "OK", "BizId": biz}


@dataclass
class FakeTencent(_Fake):
    """SMS SendSms, API 3.0 (2021-01-11), TC3-HMAC-SHA256."""

    secret_id: str = "AKIDtestSecretId"
    secret_key: str = "tencent-test-secret"
    app_id: str = "1400000001"

    def _verify(self, headers: dict[str, str], body: bytes) -> bool:
        auth = headers.get("authorization", "")
        try:
            ts = int(headers.get("x-tc-timestamp", ""))
        except ValueError:
            return False
        date = datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")
        canonical = (f"POST\n/\n\ncontent-type:{headers.get('content-type', '')}\nhost:{headers.get('host', '')}\n"
                     f"x-tc-action:{headers.get('x-tc-action', '').lower()}\n\ncontent-type;host;x-tc-action\n"
                     f"{_sha(body)}")
        to_sign = f"TC3-HMAC-SHA256\n{ts}\n{date}/sms/tc3_request\n{_sha(canonical.encode())}"
        k = hmac.new(f"TC3{self.secret_key}".encode(), date.encode(), hashlib.sha256).digest()
        k = hmac.new(k, b"sms", hashlib.sha256).digest()
        k = hmac.new(k, b"tc3_request", hashlib.sha256).digest()
        sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
        want = (f"TC3-HMAC-SHA256 Credential={self.secret_id}/{date}/sms/tc3_request, "
                f"SignedHeaders=content-type;host;x-tc-action, Signature={sig}")
        return hmac.compare_digest(want, auth) and abs(time.time() - ts) < 300

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        rid = f"tc-{time.monotonic_ns()}"
        if not self._verify(headers, body):
            with self.lock:
                self.bad_signatures += 1
            return 200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure",
                                                "Message": "The provided credentials could not be validated."},
                                      "RequestId": rid}}
        answer = self.next_answer()
        if answer.startswith("sleep:"):
            time.sleep(float(answer[6:]))
            answer = "ok"
        if answer.isdigit():
            return int(answer), {"Response": {"Error": {"Code": "InternalError", "Message": "x"}, "RequestId": rid}}
        req = json.loads(body)
        phone = req["PhoneNumberSet"][0]
        if answer in ("RequestLimitExceeded", "AuthFailure.SecretIdNotFound"):
            return 200, {"Response": {"Error": {"Code": answer, "Message": answer}, "RequestId": rid}}
        if answer != "ok":
            return 200, {"Response": {"SendStatusSet": [{"SerialNo": "", "PhoneNumber": phone, "Fee": 0,
                                                         "SessionContext": req.get("SessionContext", ""),
                                                         "Code": answer, "Message": answer, "IsoCode": "CN"}],
                                      "RequestId": rid}}
        if req.get("SmsSdkAppId") != self.app_id:
            return 200, {"Response": {"Error": {"Code": "FailedOperation.SmsSdkAppIdVerifyFail",
                                                "Message": "app id"}, "RequestId": rid}}
        serial = f"2640:{time.monotonic_ns()}"
        with self.lock:
            self.sent.append({"phone": phone, "sign": req.get("SignName"), "template": req.get("TemplateId"),
                              "params": req.get("TemplateParamSet"), "context": req.get("SessionContext"),
                              "serial": serial})
        return 200, {"Response": {"SendStatusSet": [{"SerialNo": serial, "PhoneNumber": phone, "Fee": 1,
                                                     "SessionContext": req.get("SessionContext", ""), "Code": "Ok",
                                                     "Message": "send success", "IsoCode": "CN"}],
                                  "RequestId": rid}}


ALIYUN_TEMPLATES = {"sign_in_code": "SMS_100001", "pickup_ready": "SMS_100002"}
TENCENT_TEMPLATES = {"sign_in_code": "200001", "pickup_ready": "200002"}


def provider_settings(aliyun: FakeAliyun | None, tencent: FakeTencent | None, order: list[str],
                      timeout_s: float = 2.0) -> dict[str, Any]:
    """Settings(**this) pointing the named providers at the fakes."""
    out: dict[str, Any] = {"sms_providers": order, "sms_timeout_s": timeout_s, "sms_receipt_token": "receipt-token-1"}
    if aliyun:
        out |= {"aliyun_sms_access_key_id": aliyun.key_id, "aliyun_sms_access_key_secret": aliyun.secret,
                "aliyun_sms_sign_name": "O2O商城", "aliyun_sms_templates": ALIYUN_TEMPLATES,
                "aliyun_sms_endpoint": aliyun.url}
    if tencent:
        out |= {"tencent_sms_secret_id": tencent.secret_id, "tencent_sms_secret_key": tencent.secret_key,
                "tencent_sms_app_id": tencent.app_id, "tencent_sms_sign_name": "O2O商城",
                "tencent_sms_templates": TENCENT_TEMPLATES, "tencent_sms_endpoint": tencent.url}
    return out
