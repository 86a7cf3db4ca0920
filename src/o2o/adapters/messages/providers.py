"""Real SMS providers: Aliyun (Dysmsapi SendSms) and Tencent Cloud (SMS SendSms, API 3.0), and a
sender that fails over between them.

No SDK: Aliyun's (`alibabacloud_dysmsapi20170525`) brings the Tea/Darabonba stack (6+ packages,
its own HTTP client and retry policy) and Tencent's full SDK is a very large package; each would
take our timeouts and our retry decisions away from us. The two calls we make are one signed POST
each (signing.py, from the providers' documentation), sent with httpx, which we already use.

Messages are templates: a provider sends only a pre-approved template (id per message kind, from the
settings) under an approved signature name, with the parameters filled in. Aliyun takes them as a
JSON object by name, Tencent as a list by position (`KINDS` fixes the order).

Failover (`FailoverSms`): providers are tried in the configured order. A failure that says nothing
about the recipient (timeout, connection refused, HTTP 5xx, throttling, a daily limit, a template
or key that provider does not know) tries the next provider; an error about the recipient (an
illegal number, a blacklisted one) is final: it is recorded and no other provider is tried. When
every provider failed, the handler raises and the relay retries the event later with backoff.
Each event is sent at most once through at most one provider: the send is recorded (`sms_send`,
unique per event) in the relay's transaction, and a redelivered event finds it and sends nothing.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from o2o.adapters.messages import signing
from o2o.adapters.messages.models import SmsSend
from o2o.kernel import pii
from o2o.kernel.clock import Clock
from o2o.kernel.logs import current_request_id
from o2o.kernel.pii import mask_phone

log = logging.getLogger("o2o.sms")

# message kind -> its parameters, in the order Tencent's positional templates take them
KINDS: dict[str, tuple[str, ...]] = {
    "sign_in_code": ("code", "minutes"),
    "pickup_ready": ("order_number", "pickup_code"),
    "order_reassigned": ("order_number", "store_name"),
    "points_expiring": ("points", "date"),
}


class SmsError(Exception):
    """A provider did not take the message. `recipient`: the error is about the phone number (final)."""

    def __init__(self, provider: str, code: str, message: str = "", recipient: bool = False) -> None:
        super().__init__(f"{provider}: {code} {message}".strip())
        self.provider, self.code, self.message, self.recipient = provider, code, message, recipient


class SmsUnavailable(Exception):
    """Every provider failed (transiently): the relay retries the event later."""


class Provider(Protocol):
    name: str

    def submit(self, phone: str, kind: str, params: Mapping[str, str], ref: str) -> str:
        """Hand the message over; return the provider's message id, or raise SmsError."""


def _cn_digits(phone: str) -> str:
    return pii.normalise(phone, "phone")


def _post(client: httpx.Client, provider: str, url: str, **kw: Any) -> httpx.Response:
    try:
        return client.post(url, **kw)
    except httpx.TimeoutException as exc:
        raise SmsError(provider, "timeout", type(exc).__name__) from exc
    except httpx.TransportError as exc:
        raise SmsError(provider, "unreachable", type(exc).__name__) from exc


def _json(provider: str, r: httpx.Response) -> dict[str, Any]:
    try:
        body = r.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise SmsError(provider, f"http_{r.status_code}", "not a JSON object")
    return body


class AliyunSms:
    """Dysmsapi 2017-05-25 `SendSms`, RPC style: the parameters in the query string of a POST, signed
    with the V3 signature (ACS3-HMAC-SHA256)."""

    name = "aliyun"
    VERSION = "2017-05-25"
    # about the recipient: final (anything else: try the next provider)
    RECIPIENT_ERRORS = frozenset({"isv.MOBILE_NUMBER_ILLEGAL", "isv.BLACK_KEY_CONTROL_LIMIT",
                                  "isv.MOBILE_COUNT_OVER_LIMIT", "isv.PHONE_NUMBER_ILLEGAL"})

    def __init__(self, key_id: str, secret: str, sign_name: str, templates: Mapping[str, str],
                 endpoint: str = "https://dysmsapi.aliyuncs.com", timeout_s: float = 5.0,
                 client: httpx.Client | None = None) -> None:
        self.key_id, self.secret, self.sign_name = key_id, secret, sign_name
        self.templates = dict(templates)
        self.endpoint = endpoint.rstrip("/")
        self.host = urlsplit(self.endpoint).netloc
        self.client = client or httpx.Client(timeout=timeout_s)

    def request(self, phone: str, kind: str, params: Mapping[str, str], ref: str,
                now: datetime | None = None, nonce: str | None = None) -> tuple[dict[str, str], dict[str, str]]:
        """(query parameters, headers) of the signed request."""
        template = self.templates.get(kind)
        if not template:
            raise SmsError(self.name, "not_configured", f"no template for {kind!r}")
        query = {"PhoneNumbers": _cn_digits(phone), "SignName": self.sign_name, "TemplateCode": template,
                 "TemplateParam": json.dumps(dict(params), ensure_ascii=False, separators=(",", ":")),
                 "OutId": ref[:64]}
        now = now or datetime.now(UTC)
        headers = {"host": self.host, "x-acs-action": "SendSms", "x-acs-version": self.VERSION,
                   "x-acs-date": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "x-acs-signature-nonce": nonce or secrets.token_hex(16),
                   "x-acs-content-sha256": signing.sha256_hex(b"")}
        names, signature = signing.acs3_signature(self.secret, "POST", "/", query, headers, b"")
        headers["Authorization"] = signing.acs3_authorization(self.key_id, names, signature)
        return query, headers

    def submit(self, phone: str, kind: str, params: Mapping[str, str], ref: str) -> str:
        query, headers = self.request(phone, kind, params, ref)
        url = f"{self.endpoint}/?{signing.acs3_canonical_query(query)}"
        r = _post(self.client, self.name, url, headers=headers, content=b"")
        if r.status_code >= 500:
            raise SmsError(self.name, f"http_{r.status_code}")
        body = _json(self.name, r)
        code = str(body.get("Code", ""))
        if r.status_code == 200 and code == "OK" and body.get("BizId"):
            return str(body["BizId"])
        raise SmsError(self.name, code or f"http_{r.status_code}", str(body.get("Message", ""))[:120],
                       recipient=code in self.RECIPIENT_ERRORS)


class TencentSms:
    """Tencent Cloud SMS `SendSms` (API 3.0, version 2021-01-11), JSON body, TC3-HMAC-SHA256."""

    name = "tencent"
    VERSION = "2021-01-11"
    SERVICE = "sms"
    CONTENT_TYPE = "application/json; charset=utf-8"
    RECIPIENT_ERRORS = frozenset({"InvalidParameterValue.IncorrectPhoneNumber",
                                  "FailedOperation.PhoneNumberInBlacklist",
                                  "FailedOperation.PhoneNumberParseFail",
                                  "UnsupportedOperation.UnsupportedRegion"})

    def __init__(self, secret_id: str, secret_key: str, app_id: str, sign_name: str,
                 templates: Mapping[str, str], region: str = "ap-guangzhou",
                 endpoint: str = "https://sms.tencentcloudapi.com", timeout_s: float = 5.0,
                 client: httpx.Client | None = None) -> None:
        self.secret_id, self.secret_key, self.app_id, self.sign_name = secret_id, secret_key, app_id, sign_name
        self.templates = dict(templates)
        self.region = region
        self.endpoint = endpoint.rstrip("/")
        self.host = urlsplit(self.endpoint).netloc
        self.client = client or httpx.Client(timeout=timeout_s)

    def request(self, phone: str, kind: str, params: Mapping[str, str], ref: str,
                timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
        template = self.templates.get(kind)
        if not template:
            raise SmsError(self.name, "not_configured", f"no template for {kind!r}")
        order = KINDS.get(kind, tuple(params))
        body = json.dumps({"PhoneNumberSet": [f"+86{_cn_digits(phone)}"], "SmsSdkAppId": self.app_id,
                           "SignName": self.sign_name, "TemplateId": template,
                           "TemplateParamSet": [str(params[k]) for k in order], "SessionContext": ref[:128]},
                          ensure_ascii=False, separators=(",", ":")).encode()
        ts = int(timestamp if timestamp is not None else time.time())
        date = datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")
        signature = signing.tc3_signature(self.secret_key, self.SERVICE, self.host, "SendSms",
                                          self.CONTENT_TYPE, body, ts, date)
        headers = {"Content-Type": self.CONTENT_TYPE, "Host": self.host, "X-TC-Action": "SendSms",
                   "X-TC-Version": self.VERSION, "X-TC-Timestamp": str(ts), "X-TC-Region": self.region,
                   "Authorization": signing.tc3_authorization(self.secret_id, self.SERVICE, date, signature)}
        return body, headers

    def submit(self, phone: str, kind: str, params: Mapping[str, str], ref: str) -> str:
        body, headers = self.request(phone, kind, params, ref)
        r = _post(self.client, self.name, f"{self.endpoint}/", headers=headers, content=body)
        if r.status_code >= 500:
            raise SmsError(self.name, f"http_{r.status_code}")
        answer = _json(self.name, r).get("Response")
        if not isinstance(answer, dict):
            raise SmsError(self.name, f"http_{r.status_code}", "no Response")
        if isinstance(answer.get("Error"), dict):  # the whole request failed (auth, throttling, ...)
            code = str(answer["Error"].get("Code", ""))
            raise SmsError(self.name, code, str(answer["Error"].get("Message", ""))[:120],
                           recipient=code in self.RECIPIENT_ERRORS)
        status = (answer.get("SendStatusSet") or [None])[0]
        if not isinstance(status, dict):
            raise SmsError(self.name, "no_status")
        code = str(status.get("Code", ""))
        if code == "Ok" and status.get("SerialNo"):
            return str(status["SerialNo"])
        raise SmsError(self.name, code or "no_code", str(status.get("Message", ""))[:120],
                       recipient=code in self.RECIPIENT_ERRORS)


@dataclass
class FailoverSms:
    """The SmsSender for production: the configured providers in order (see the module's doc)."""

    providers: Sequence[Provider]
    clock: Clock

    def send(self, to: str, text: str, dedupe_key: str, *, session: Session, kind: str = "",
             params: Mapping[str, str] | None = None) -> None:
        if session.scalar(select(SmsSend.id).where(SmsSend.dedupe_key == dedupe_key)) is not None:
            return  # this event's SMS went out already (or was refused for good)
        params = {k: str(v) for k, v in (params or {}).items()}
        failures: list[str] = []
        for provider in self.providers:
            try:
                message_id: str | None = provider.submit(to, kind, params, dedupe_key)
                status, error = "sent", None
            except SmsError as exc:
                if not exc.recipient:
                    log.warning("SMS %s to %s: %s failed (%s), trying the next provider",
                                kind, mask_phone(to), provider.name, exc)
                    failures.append(str(exc))
                    continue
                message_id, status, error = None, "rejected", f"{exc.code} {exc.message}".strip()[:200]
            self._record(session, provider.name, message_id, to, kind, status, error, dedupe_key)
            log.info("SMS %s to %s: %s via %s%s", kind, mask_phone(to), status, provider.name,
                     f" ({error})" if error else "")
            return
        raise SmsUnavailable("no SMS provider took the message: " + "; ".join(failures))

    def _record(self, session: Session, provider: str, message_id: str | None, to: str, kind: str,
                status: str, error: str | None, dedupe_key: str) -> None:
        session.add(SmsSend(dedupe_key=dedupe_key, kind=kind, provider=provider, provider_message_id=message_id,
                            phone=to, phone_hash=pii.lookup_hash(to), status=status, error=error,
                            sent_at=self.clock.now(), request_id=current_request_id() or None))
        session.flush()

    def purge(self, before: datetime) -> int:
        return 0
