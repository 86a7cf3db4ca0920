"""The signing rules of the payment adapters, checked against independent reconstructions."""

from __future__ import annotations

import json
import time

import pytest

from o2o.adapters.payments.alipay import response_node, signing_text
from o2o.adapters.payments.common import BadSignature, ProviderError
from o2o.adapters.payments.wechatpay import (
    WeChatPay,
    WeChatPayConfig,
    authorization,
    decrypt_resource,
    encrypt_resource,
    parse_authorization,
)
from tests.factories.fake_payments import FakeWeChatPay, new_key, sign, verifies


def test_wechat_authorization_signs_method_url_time_nonce_and_body():
    key = new_key()
    header = authorization("1900000109", "SERIAL1", key, "POST", "/v3/refund/domestic/refunds?x=1", '{"a":1}',
                           timestamp=1700000000, nonce="abc")
    fields = parse_authorization(header)
    assert header.startswith("WECHATPAY2-SHA256-RSA2048 mchid=\"1900000109\",")
    assert (fields["mchid"], fields["serial_no"], fields["timestamp"], fields["nonce_str"]) == (
        "1900000109", "SERIAL1", "1700000000", "abc")
    message = b'POST\n/v3/refund/domestic/refunds?x=1\n1700000000\nabc\n{"a":1}\n'
    assert verifies(key.public_key(), message, fields["signature"])
    assert not verifies(key.public_key(), message.replace(b"POST", b"GET"), fields["signature"])
    with pytest.raises(BadSignature):
        parse_authorization("Bearer x")


def test_wechat_resource_round_trip_and_tampering():
    key = b"k" * 32
    resource = encrypt_resource(key, {"out_trade_no": "SO1", "amount": {"total": 1}}, "transaction")
    assert decrypt_resource(key, resource)["out_trade_no"] == "SO1"
    for bad in ({**resource, "associated_data": "refund"}, {**resource, "nonce": "000000000000"},
                {**resource, "algorithm": "AES-CBC"}, {**resource, "ciphertext": "AAAA"}):
        with pytest.raises(BadSignature):
            decrypt_resource(key, bad)
    with pytest.raises(BadSignature):
        decrypt_resource(b"x" * 32, resource)


def test_wechat_verifies_platform_signatures_refusing_probes_stale_and_unknown_serials(tmp_path):
    fake = FakeWeChatPay(tmp_path)
    pay = WeChatPay(WeChatPayConfig(mch_id=fake.mch_id, app_id=fake.app_id, private_key_file=fake.merchant_key_file,
                                    serial_no=fake.merchant_serial, api_v3_key=fake.api_v3_key,
                                    platform_key_file=fake.platform_cert_file, base_url="http://127.0.0.1:9"))
    body = b'{"ok":true}'
    pay.verify_signed(fake.signed_headers(body), body)  # the certificate's serial is taken from the file
    for headers in (fake.signed_headers(body, serial="OTHER"), fake.signed_headers(body, key=new_key()),
                    fake.signed_headers(body, timestamp=int(time.time()) - 301), {}):
        with pytest.raises(BadSignature):
            pay.verify_signed(headers, body)
    probe = fake.signed_headers(body)
    probe["Wechatpay-Signature"] = "WECHATPAY/SIGNTEST/" + probe["Wechatpay-Signature"]
    with pytest.raises(BadSignature):
        pay.verify_signed(probe, body)
    with pytest.raises(ProviderError):  # nobody listens on port 9: unreachable is a retryable failure
        pay.query("SO1")
    with pytest.raises(ValueError):
        WeChatPay(WeChatPayConfig(**{**pay.config.__dict__, "api_v3_key": "short"}))


def test_alipay_signing_text_sorts_and_skips_sign_and_empty_values():
    params = {"sign": "x", "b": "2", "a": "1", "c": "", "biz_content": '{"k":"中文"}'}
    assert signing_text(params) == 'a=1&b=2&biz_content={"k":"中文"}'
    assert signing_text({**params, "sign_type": "RSA2"}, ("sign", "sign_type")) == signing_text(params)


def test_alipay_answer_is_verified_over_the_exact_text_of_its_node():
    key = new_key()
    node_text = '{"code":"10000","msg":"Success","nested":{"a":[1,2]},"name":"张三 \\"q\\""}'
    raw = f'{{"alipay_trade_query_response": {node_text} , "sign":"{sign(key, node_text.encode())}"}}'
    node, text, signature = response_node(raw, "alipay_trade_query_response")
    assert text == node_text and node["nested"] == {"a": [1, 2]} and node["name"] == '张三 "q"'
    assert verifies(key.public_key(), text.encode(), signature)
    assert json.loads(raw)["sign"] == signature
    with pytest.raises(ProviderError):
        response_node('{"error_response":{"code":"40002"}}', "alipay_trade_query_response")


def test_wechat_platform_public_key_mode_checks_the_public_key_id(tmp_path):
    """Merchants moved to 'WeChat Pay public key' mode configure the bare key and its PUB_KEY_ID_..."""
    from tests.factories.fake_payments import write_public

    fake = FakeWeChatPay(tmp_path)
    key_file = write_public(fake.platform_key, tmp_path / "pub_key.pem")
    pay = WeChatPay(WeChatPayConfig(mch_id=fake.mch_id, app_id=fake.app_id, private_key_file=fake.merchant_key_file,
                                    serial_no=fake.merchant_serial, api_v3_key=fake.api_v3_key,
                                    platform_key_file=key_file, platform_serial="PUB_KEY_ID_0114232134912410000"))
    body = b"{}"
    pay.verify_signed(fake.signed_headers(body, serial="PUB_KEY_ID_0114232134912410000"), body)
    with pytest.raises(BadSignature):
        pay.verify_signed(fake.signed_headers(body), body)  # the certificate serial is not the key id


def test_unreadable_provider_keys_stop_the_start_with_a_clear_message(tmp_path):
    from o2o.adapters.payments.sandbox import SandboxPayments
    from o2o.config import Settings
    from o2o.payments import providers

    bad = tmp_path / "key.pem"
    bad.write_text("-----BEGIN PUBLIC KEY-----\nnot a key\n")
    settings = Settings(alipay_app_id="2021", alipay_private_key_file=bad, alipay_public_key_file=bad)
    with pytest.raises(RuntimeError, match="O2O_ALIPAY"):
        providers.build(settings, SandboxPayments("s"))
    assert providers.build(Settings(), SandboxPayments("s"))[0].keys() == {"sandbox"}


def _wechat(fake: FakeWeChatPay) -> WeChatPay:
    return WeChatPay(WeChatPayConfig(mch_id=fake.mch_id, app_id=fake.app_id, private_key_file=fake.merchant_key_file,
                                     serial_no=fake.merchant_serial, api_v3_key=fake.api_v3_key,
                                     platform_key_file=fake.platform_cert_file, base_url="http://127.0.0.1:9"))


def test_wechat_odd_timestamps_are_bad_signatures_not_crashes(tmp_path):
    """`"²".isdigit()` is true but int() refuses it; 5000 digits pass isdigit() and exceed int()'s limit:
    both raised ValueError (a 500 and a logged traceback per unauthenticated request), now BadSignature."""
    fake = FakeWeChatPay(tmp_path)
    pay = _wechat(fake)
    body = b'{"ok":true}'
    for ts in ("\u00b2", "9" * 5000, "-1", " 1700000000", ""):
        headers = {**fake.signed_headers(body), "Wechatpay-Timestamp": ts}
        with pytest.raises(BadSignature):
            pay.verify_signed(headers, body)


def test_wechat_payment_notification_in_another_currency_is_refused(tmp_path):
    """Signed and encrypted, but not a CNY payment: nothing may be recorded from it (the amount is compared
    in fen; a total of the same number in another currency is not the same payment)."""
    fake = FakeWeChatPay(tmp_path)
    pay = _wechat(fake)
    trade = {"out_trade_no": "SO1P1", "amount": 2580, "trade_state": "SUCCESS", "transaction_id": "4200001"}
    good = fake._transaction(trade)
    body, headers = fake._envelope("TRANSACTION.SUCCESS", fake.encrypt(good, "transaction"))
    assert pay.parse_notification(body, headers).amount_fen == 2580
    for bad in ({**good, "amount": {**good["amount"], "currency": "USD"}},
                {**good, "amount": {**good["amount"], "currency": None}}):
        body, headers = fake._envelope("TRANSACTION.SUCCESS", fake.encrypt(bad, "transaction"))
        with pytest.raises(BadSignature):
            pay.parse_notification(body, headers)
