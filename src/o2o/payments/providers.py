"""Which payment providers this installation has: built from the settings by the composition root."""

from __future__ import annotations

from o2o.adapters.payments.alipay import Alipay, AlipayConfig
from o2o.adapters.payments.sandbox import PaymentProvider, SandboxPayments
from o2o.adapters.payments.wechatpay import WeChatPay, WeChatPayConfig
from o2o.config import Settings

WECHATPAY_NOTIFY = "/api/v1/payments/wechatpay/notify"
ALIPAY_NOTIFY = "/api/v1/payments/alipay/notify"


def wechatpay_configured(s: Settings) -> bool:
    return bool(s.wechatpay_mch_id and s.wechatpay_private_key_file and s.wechatpay_serial_no
                and s.wechatpay_api_v3_key and s.wechatpay_platform_key_file)


def alipay_configured(s: Settings) -> bool:
    return bool(s.alipay_app_id and s.alipay_private_key_file and s.alipay_public_key_file)


def build(s: Settings, sandbox: SandboxPayments) -> tuple[dict[str, PaymentProvider], tuple[str, ...]]:
    """(every provider by name, those offered to customers in order). The sandbox is always there to
    refund sandbox payments, but offered only in dev (O2O_ENV=dev: the demo and the tests)."""
    providers: dict[str, PaymentProvider] = {"sandbox": sandbox}
    base = s.public_base_url.rstrip("/")
    try:
        _add_configured(s, base, providers)
    except (OSError, ValueError) as exc:  # a missing or unreadable key file, a short API v3 key: say which
        raise RuntimeError(f"payment provider settings (O2O_WECHATPAY_* / O2O_ALIPAY_*): {exc}") from exc
    real = tuple(n for n in providers if n != "sandbox")
    return providers, (("sandbox",) if s.dev else ()) + real


def _add_configured(s: Settings, base: str, providers: dict[str, PaymentProvider]) -> None:
    if wechatpay_configured(s):
        assert s.wechatpay_private_key_file and s.wechatpay_platform_key_file
        providers["wechatpay"] = WeChatPay(WeChatPayConfig(
            mch_id=s.wechatpay_mch_id, app_id=s.wechatpay_app_id, private_key_file=s.wechatpay_private_key_file,
            serial_no=s.wechatpay_serial_no, api_v3_key=s.wechatpay_api_v3_key,
            platform_key_file=s.wechatpay_platform_key_file, platform_serial=s.wechatpay_platform_serial,
            notify_url=s.wechatpay_notify_url or base + WECHATPAY_NOTIFY, base_url=s.wechatpay_base_url,
            timeout_s=s.payment_timeout_s))
    if alipay_configured(s):
        assert s.alipay_private_key_file and s.alipay_public_key_file
        providers["alipay"] = Alipay(AlipayConfig(
            app_id=s.alipay_app_id, private_key_file=s.alipay_private_key_file,
            alipay_public_key_file=s.alipay_public_key_file, notify_url=s.alipay_notify_url or base + ALIPAY_NOTIFY,
            return_url=s.alipay_return_url or base + "/shop/orders", gateway_url=s.alipay_gateway_url,
            timeout_s=s.payment_timeout_s))
