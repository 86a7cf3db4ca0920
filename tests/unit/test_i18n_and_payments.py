"""Language negotiation; sandbox payment signatures."""

from __future__ import annotations

import pytest

from o2o.adapters.payments.sandbox import BadSignature, SandboxPayments
from o2o.kernel.i18n import negotiate, t


@pytest.mark.parametrize("header,expected", [
    (None, "zh-CN"), ("en-US,en;q=0.9", "en"), ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
    ("en;q=0.5,zh;q=0.9", "zh-CN"), ("fr", "zh-CN"), ("de,en;q=0.1", "en")])
def test_negotiate_picks_the_preferred_supported_language(header, expected):
    assert negotiate(header) == expected


def test_messages_exist_in_both_languages():
    assert t("insufficient_stock", "en") == "Not enough stock"
    assert t("insufficient_stock", "zh-CN") == "库存不足"


def test_signed_notification_verifies():
    p = SandboxPayments("s3cret")
    body, sig = p.notification("SO1P1", 1290)
    assert p.verify(body, sig)["amount_fen"] == 1290


@pytest.mark.parametrize("tamper", ["body", "signature", "secret", "old", "garbage"])
def test_bad_signature_is_refused(tamper):
    p = SandboxPayments("s3cret")
    body, sig = p.notification("SO1P1", 1290)
    if tamper == "body":
        body = body.replace(b"1290", b"1")
    elif tamper == "signature":
        sig = sig[:-2] + ("00" if not sig.endswith("00") else "11")
    elif tamper == "secret":
        p = SandboxPayments("other")
    elif tamper == "old":
        sig = p.sign(body, timestamp=1_000_000)
    else:
        sig = "nonsense"
    with pytest.raises(BadSignature):
        p.verify(body, sig)
