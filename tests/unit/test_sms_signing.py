"""The providers' canonical forms, pinned: what both fakes and the real services recompute."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

from o2o.adapters.messages import signing
from o2o.adapters.messages.providers import AliyunSms, TencentSms


def test_acs3_query_is_rfc3986_encoded_and_sorted():
    q = signing.acs3_canonical_query({"b": "a b*c~d", "A": "签名", "a": "{\"code\":\"1\"}"})
    assert q == "A=%E7%AD%BE%E5%90%8D&a=%7B%22code%22%3A%221%22%7D&b=a%20b%2Ac~d"


def test_acs3_signs_only_host_content_type_and_acs_headers_lowercased_and_sorted():
    headers = {"X-Acs-Date": "2026-11-24T02:00:00Z", "host": "dysmsapi.aliyuncs.com", "User-Agent": "x",
               "x-acs-action": "SendSms", "x-acs-content-sha256": signing.sha256_hex(b"")}
    names, sig = signing.acs3_signature("secret", "POST", "/", {"k": "v"}, headers, b"")
    assert names == "host;x-acs-action;x-acs-content-sha256;x-acs-date"
    canonical = ("POST\n/\nk=v\nhost:dysmsapi.aliyuncs.com\nx-acs-action:SendSms\n"
                 f"x-acs-content-sha256:{signing.sha256_hex(b'')}\nx-acs-date:2026-11-24T02:00:00Z\n\n"
                 f"{names}\n{signing.sha256_hex(b'')}")
    want = hmac.new(b"secret", f"ACS3-HMAC-SHA256\n{signing.sha256_hex(canonical.encode())}".encode(),
                    hashlib.sha256).hexdigest()
    assert sig == want
    # an unsigned header does not change it; a signed one does
    assert signing.acs3_signature("secret", "POST", "/", {"k": "v"}, {**headers, "User-Agent": "y"}, b"")[1] == sig
    assert signing.acs3_signature("secret", "POST", "/", {"k": "w"}, headers, b"")[1] != sig


def test_aliyun_request_fixed_inputs():
    a = AliyunSms("AKID", "sk", "O2O", {"sign_in_code": "SMS_1"}, endpoint="https://dysmsapi.aliyuncs.com")
    query, headers = a.request("+8613912345678", "sign_in_code", {"code": "123456", "minutes": "5"}, "code:1",
                               now=datetime(2026, 11, 24, 2, 0, tzinfo=UTC), nonce="n1")
    assert query == {"PhoneNumbers": "13912345678", "SignName": "O2O", "TemplateCode": "SMS_1",
                     "TemplateParam": '{"code":"123456","minutes":"5"}', "OutId": "code:1"}
    assert headers["Authorization"].startswith(
        "ACS3-HMAC-SHA256 Credential=AKID,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;"
        "x-acs-signature-nonce;x-acs-version,Signature=")


def test_tc3_key_derivation_and_scope():
    body = b'{"a":1}'
    ts = 1764036000  # 2025-11-25T02:00:00Z
    sig = signing.tc3_signature("key", "sms", "sms.tencentcloudapi.com", "SendSms", "application/json; charset=utf-8",
                                body, ts, "2025-11-25")
    canonical = ("POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:sms.tencentcloudapi.com\n"
                 f"x-tc-action:sendsms\n\ncontent-type;host;x-tc-action\n{signing.sha256_hex(body)}")
    to_sign = f"TC3-HMAC-SHA256\n{ts}\n2025-11-25/sms/tc3_request\n{signing.sha256_hex(canonical.encode())}"
    k = hmac.new(b"TC3key", b"2025-11-25", hashlib.sha256).digest()
    k = hmac.new(hmac.new(k, b"sms", hashlib.sha256).digest(), b"tc3_request", hashlib.sha256).digest()
    assert sig == hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()


def test_tencent_request_fixed_inputs():
    t = TencentSms("AKIDt", "k", "1400000001", "O2O", {"pickup_ready": "9"}, endpoint="https://sms.tencentcloudapi.com")
    body, headers = t.request("13912345678", "pickup_ready", {"pickup_code": "1", "order_number": "SO"}, "r",
                              timestamp=1764036000)
    assert body == (b'{"PhoneNumberSet":["+8613912345678"],"SmsSdkAppId":"1400000001","SignName":"O2O",'
                    b'"TemplateId":"9","TemplateParamSet":["SO","1"],"SessionContext":"r"}')
    assert headers["X-TC-Timestamp"] == "1764036000" and headers["Host"] == "sms.tencentcloudapi.com"
    assert headers["Authorization"].startswith(
        "TC3-HMAC-SHA256 Credential=AKIDt/2025-11-25/sms/tc3_request, SignedHeaders=content-type;host;x-tc-action, ")
