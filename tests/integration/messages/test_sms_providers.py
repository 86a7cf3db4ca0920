"""Contract tests of the SMS adapters against local fakes of Aliyun and Tencent Cloud (real HTTP
servers that recompute our signatures and answer in the providers' shapes and error codes)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from o2o.adapters.messages.providers import AliyunSms, SmsError, TencentSms
from tests.factories.fake_sms import ALIYUN_TEMPLATES, TENCENT_TEMPLATES, FakeAliyun, FakeTencent

PHONE = "13912345678"


@pytest.fixture
def aliyun() -> Iterator[FakeAliyun]:
    fake = FakeAliyun().start()
    yield fake
    fake.stop()


@pytest.fixture
def tencent() -> Iterator[FakeTencent]:
    fake = FakeTencent().start()
    yield fake
    fake.stop()


def _aliyun(fake: FakeAliyun, secret: str | None = None, **kw) -> AliyunSms:
    return AliyunSms(fake.key_id, secret or fake.secret, "O2O商城", ALIYUN_TEMPLATES, endpoint=fake.url, **kw)


def _tencent(fake: FakeTencent, key: str | None = None, **kw) -> TencentSms:
    return TencentSms(fake.secret_id, key or fake.secret_key, fake.app_id, "O2O商城", TENCENT_TEMPLATES,
                      endpoint=fake.url, **kw)


def test_aliyun_send_is_signed_and_carries_template_and_parameters(aliyun):
    biz = _aliyun(aliyun).submit("+86 139-1234-5678", "sign_in_code", {"code": "123456", "minutes": "5"}, "code:7")
    assert aliyun.bad_signatures == 0
    assert aliyun.sent == [{"phone": PHONE, "sign": "O2O商城", "template": "SMS_100001",
                            "params": {"code": "123456", "minutes": "5"}, "out_id": "code:7", "biz_id": biz}]


def test_aliyun_refuses_a_wrong_secret_and_we_see_a_provider_error_not_a_recipient_one(aliyun):
    with pytest.raises(SmsError) as err:
        _aliyun(aliyun, secret="not-the-secret").submit(PHONE, "sign_in_code", {"code": "1", "minutes": "5"}, "x")
    assert (err.value.code, err.value.recipient, aliyun.bad_signatures, aliyun.sent) == \
        ("SignatureDoesNotMatch", False, 1, [])


@pytest.mark.parametrize(("answer", "code", "recipient"), [
    ("isv.BUSINESS_LIMIT_CONTROL", "isv.BUSINESS_LIMIT_CONTROL", False),
    ("isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_NUMBER_ILLEGAL", True),
    ("503", "http_503", False),
    ("isv.SMS_TEMPLATE_ILLEGAL", "isv.SMS_TEMPLATE_ILLEGAL", False),
])
def test_aliyun_errors_are_classified(aliyun, answer, code, recipient):
    aliyun.script.append(answer)
    with pytest.raises(SmsError) as err:
        _aliyun(aliyun).submit(PHONE, "sign_in_code", {"code": "1", "minutes": "5"}, "x")
    assert (err.value.code, err.value.recipient) == (code, recipient)
    assert aliyun.sent == []


def test_aliyun_timeout_is_a_provider_error(aliyun):
    aliyun.script.append("sleep:1.5")
    with pytest.raises(SmsError) as err:
        _aliyun(aliyun, timeout_s=0.3).submit(PHONE, "sign_in_code", {"code": "1", "minutes": "5"}, "x")
    assert (err.value.code, err.value.recipient) == ("timeout", False)


def test_a_kind_without_a_template_is_not_sent(aliyun):
    with pytest.raises(SmsError) as err:
        _aliyun(aliyun).submit(PHONE, "marketing", {}, "x")
    assert err.value.code == "not_configured" and aliyun.calls == 0


def test_tencent_send_is_signed_with_positional_parameters_and_plus_86(tencent):
    serial = _tencent(tencent).submit(PHONE, "pickup_ready", {"pickup_code": "884422", "order_number": "SO1"},
                                      "pickup_ready:9")
    assert tencent.bad_signatures == 0
    assert tencent.sent == [{"phone": f"+86{PHONE}", "sign": "O2O商城", "template": "200002",
                             "params": ["SO1", "884422"], "context": "pickup_ready:9", "serial": serial}]


def test_tencent_refuses_a_wrong_key(tencent):
    with pytest.raises(SmsError) as err:
        _tencent(tencent, key="forged").submit(PHONE, "sign_in_code", {"code": "1", "minutes": "5"}, "x")
    assert (err.value.code, err.value.recipient, tencent.bad_signatures) == ("AuthFailure.SignatureFailure", False, 1)


@pytest.mark.parametrize(("answer", "recipient"), [
    ("LimitExceeded.PhoneNumberDailyLimit", False),
    ("FailedOperation.InsufficientBalanceInSmsPackage", False),
    ("RequestLimitExceeded", False),
    ("InvalidParameterValue.IncorrectPhoneNumber", True),
    ("FailedOperation.PhoneNumberInBlacklist", True),
    ("502", False),
])
def test_tencent_errors_are_classified(tencent, answer, recipient):
    tencent.script.append(answer)
    with pytest.raises(SmsError) as err:
        _tencent(tencent).submit(PHONE, "sign_in_code", {"code": "1", "minutes": "5"}, "x")
    assert err.value.recipient == recipient
    assert err.value.code == (f"http_{answer}" if answer.isdigit() else answer)


def test_an_unreachable_provider_is_a_provider_error():
    dead = AliyunSms("k", "s", "sig", ALIYUN_TEMPLATES, endpoint="http://127.0.0.1:9", timeout_s=0.5)
    with pytest.raises(SmsError) as err:
        dead.submit(PHONE, "sign_in_code", {"code": "1", "minutes": "5"}, "x")
    assert (err.value.code, err.value.recipient) == ("unreachable", False)
