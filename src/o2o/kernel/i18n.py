"""Messages in zh-CN and en. A key names a message; `t` picks the caller's language."""

from __future__ import annotations

from collections.abc import Mapping

LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"

MESSAGES: dict[str, Mapping[str, str]] = {
    "not_found": {"en": "{what} not found", "zh-CN": "未找到{what}"},
    "invalid_input": {"en": "Invalid input", "zh-CN": "输入无效"},
    "malformed_json": {"en": "Malformed JSON body", "zh-CN": "请求体不是有效的 JSON"},
    "insufficient_stock": {"en": "Not enough stock", "zh-CN": "库存不足"},
    "no_location": {"en": "No location can fulfil this order", "zh-CN": "没有门店或仓库可以履约此订单"},
    "plan_unavailable": {"en": "The confirmed store and mode cannot serve this order",
                         "zh-CN": "所选门店和收货方式无法完成此订单"},
    "illegal_transition": {"en": "Cannot go from {src} to {dst}", "zh-CN": "不能从 {src} 变为 {dst}"},
    "cancel_too_late": {"en": "This order can no longer be cancelled: the store has started picking it",
                        "zh-CN": "门店已开始拣货，此订单无法再取消"},
    "bad_signature": {"en": "Invalid notification signature", "zh-CN": "通知签名无效"},
    "wrong_code": {"en": "Wrong pickup code", "zh-CN": "取件码错误"},
    "idempotency_conflict": {
        "en": "Idempotency-Key reused with a different request",
        "zh-CN": "Idempotency-Key 已用于另一个请求",
    },
    "busy": {"en": "Server busy, retry shortly", "zh-CN": "服务繁忙，请稍后重试"},
    "database_unavailable": {"en": "The database is unavailable for a moment, retry shortly",
                             "zh-CN": "数据库暂时不可用，请稍后重试"},
    "not_migrated": {"en": "The database is not migrated to this version: run o2o migrate",
                     "zh-CN": "数据库未迁移到当前版本：请运行 o2o migrate"},
    "shutting_down": {"en": "This server process is shutting down, retry on another",
                      "zh-CN": "该服务进程正在关闭，请重试"},
    "conflict": {"en": "Conflict", "zh-CN": "冲突"},
    "amount_mismatch": {"en": "Paid amount does not match the order", "zh-CN": "支付金额与订单不符"},
    "payment_provider_failed": {"en": "The payment provider could not be reached or refused; try again",
                                "zh-CN": "支付平台暂时不可用或拒绝了请求，请重试"},
    "unauthorized": {"en": "Not authorised", "zh-CN": "未授权"},
    "internal": {"en": "Internal error", "zh-CN": "内部错误"},
    "sign_in_required": {"en": "Sign in required", "zh-CN": "请先登录"},
    "forbidden": {"en": "Not allowed for your role", "zh-CN": "您的角色无权执行此操作"},
    "too_many_requests": {"en": "Too many attempts, try again later", "zh-CN": "尝试次数过多，请稍后再试"},
    "bad_credentials": {"en": "Wrong phone, login, code or password", "zh-CN": "账号、验证码或密码错误"},
    "reauth": {"en": "Sign in again to do this", "zh-CN": "请重新登录后再操作"},
    "platform_code_refused": {"en": "The app's sign-in code was refused: sign in again",
                              "zh-CN": "小程序登录凭证无效，请重新登录"},
    "platform_not_configured": {"en": "Sign-in through this platform is not offered here",
                                "zh-CN": "本站未开通该平台登录"},
    "platform_unavailable": {"en": "The platform's sign-in is unavailable, retry shortly",
                             "zh-CN": "平台登录暂时不可用，请稍后重试"},
    "csrf": {"en": "Form expired or forged, reload the page", "zh-CN": "表单已过期或无效，请刷新页面"},
}


def negotiate(accept_language: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Pick zh-CN or en from an Accept-Language header (q-values respected)."""
    if not accept_language:
        return default
    choices: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept_language.split(",")):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        tag = tag.strip().lower()
        if tag.startswith("zh"):
            choices.append((weight, -i, "zh-CN"))
        elif tag.startswith("en"):
            choices.append((weight, -i, "en"))
    return max(choices)[2] if choices else default


def t(key: str, locale: str = DEFAULT_LOCALE, **values: object) -> str:
    texts = MESSAGES.get(key)
    if texts is None:
        return key
    text = texts.get(locale) or texts["en"]
    return text.format(**values) if values else text
