"""HTML error pages for browsers (403, 404, 500, 503 and the rest), in the page's language, with a way back.

A request gets one when it is a page request: its path is not an API or an asset (`/api/`, `/static/`,
`/media/`, probes) and its Accept header names text/html, as a browser's navigation does. Everything
else (integrations, the pages' own fetches, curl) keeps problem+json. The kernel decides nothing here:
`kernel.errors.install` and the ASGI guard call `page_for` / `asgi_page`, given to them by `o2o.main`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse

from o2o.web.templating import COMMON, LANGUAGE_NAMES, Texts, Translator, env, locale_of

NOT_HTML = ("/api/", "/static/", "/media/", "/healthz", "/readyz", "/metrics", "/favicon.ico")
KNOWN = frozenset({400, 401, 403, 404, 405, 409, 413, 422, 429, 500, 503})
# where "home" is for a path: the front-end the visitor was in
HOMES = (("/shop", "/shop"), ("/console", "/console"), ("/admin", "/admin"), ("/staff", "/login"))

TEXTS: Texts = {
    "en": {
        "error.code": "Error {status}",
        "error.home": "Go to the home page",
        "error.home./shop": "Back to the shop",
        "error.home./console": "Back to the store console",
        "error.home./admin": "Back to the back-office",
        "error.home./login": "Go to staff sign-in",
        "error.back": "Back to the previous page",
        "error.request_id": "If you contact support, give this reference: {id}",
        "error.400.title": "The request could not be understood",
        "error.400.lead": "Something in the address or the form was not valid. Go back and try again.",
        "error.401.title": "Please sign in",
        "error.401.lead": "This page needs you to be signed in.",
        "error.403.title": "You cannot open this page",
        "error.403.lead": "Your account or role does not allow this. Sign in with another account, or ask a "
                          "manager for access.",
        "error.404.title": "Page not found",
        "error.404.lead": "The address may be mistyped, or what it pointed to was moved or removed.",
        "error.405.title": "This page cannot be used this way",
        "error.405.lead": "Open it from a link or a form of this site.",
        "error.409.title": "This changed meanwhile",
        "error.409.lead": "Someone or something changed it since you opened the page. Reload and try again.",
        "error.413.title": "Too much data",
        "error.413.lead": "What was sent is too large.",
        "error.422.title": "Some of what was sent is not valid",
        "error.422.lead": "Go back, correct the form and try again.",
        "error.429.title": "Too many attempts",
        "error.429.lead": "Wait a moment, then try again.",
        "error.500.title": "Something went wrong on our side",
        "error.500.lead": "The error has been recorded. Try again in a moment.",
        "error.503.title": "We are busy right now",
        "error.503.lead": "Too many people are using the site at this moment. Try again in a few seconds.",
        "error.other.title": "The page could not be shown",
    },
    "zh-CN": {
        "error.code": "错误 {status}",
        "error.home": "返回首页",
        "error.home./shop": "返回商城",
        "error.home./console": "返回门店工作台",
        "error.home./admin": "返回运营后台",
        "error.home./login": "前往员工登录",
        "error.back": "返回上一页",
        "error.request_id": "如需联系客服，请提供此编号：{id}",
        "error.400.title": "无法理解该请求",
        "error.400.lead": "地址或表单中有无效的内容。请返回后重试。",
        "error.401.title": "请先登录",
        "error.401.lead": "此页面需要登录后才能查看。",
        "error.403.title": "您无权打开此页面",
        "error.403.lead": "您的账号或角色没有此权限。请换一个账号登录，或联系主管开通权限。",
        "error.404.title": "页面不存在",
        "error.404.lead": "地址可能输错了，或者它指向的内容已被移动或删除。",
        "error.405.title": "不能这样使用此页面",
        "error.405.lead": "请从本站的链接或表单打开它。",
        "error.409.title": "内容已发生变化",
        "error.409.lead": "在您打开页面之后，它已被修改。请刷新后重试。",
        "error.413.title": "数据太大",
        "error.413.lead": "提交的内容过大。",
        "error.422.title": "提交的部分内容无效",
        "error.422.lead": "请返回，更正表单后重试。",
        "error.429.title": "尝试次数过多",
        "error.429.lead": "请稍等片刻再试。",
        "error.500.title": "系统出了点问题",
        "error.500.lead": "错误已被记录。请稍后再试。",
        "error.503.title": "当前访问人数较多",
        "error.503.lead": "此刻使用的人太多。请过几秒钟再试。",
        "error.other.title": "无法显示此页面",
    },
}


def wants_html(path: str, accept: str | None) -> bool:
    """A browser's page request: not an API or asset path, and text/html accepted."""
    return not path.startswith(NOT_HTML) and "text/html" in (accept or "")


def _home(path: str) -> str:
    return next((home for prefix, home in HOMES if path == prefix or path.startswith(prefix + "/")), "/")


def _back(request: Request) -> str | None:
    """The previous page, when it is one of ours (the Referer's path, never another site)."""
    ref = request.headers.get("referer") or ""
    parts = urlsplit(ref)
    if not ref or parts.netloc != request.headers.get("host", "") or not parts.path.startswith("/"):
        return None
    back = parts.path + (f"?{parts.query}" if parts.query else "")
    return back if back != request.url.path + (f"?{request.url.query}" if request.url.query else "") else None


def render_error(request: Request, status: int, detail: str = "") -> HTMLResponse:
    """The error page itself. Rendered without the session (no cookies set, nothing read from the
    database): it must work while the app is busy or broken."""
    locale = locale_of(request)
    key = str(status) if status in KNOWN else "other"
    t = Translator(locale, [TEXTS, COMMON])
    home = _home(request.url.path)
    rid = str(request.scope.get("state", {}).get("request_id", ""))
    ctx: Mapping[str, Any] = {
        "csrf": "", "principal": None, "path": request.url.path, "locale": locale, "t": t,
        "static": lambda p: f"{request.scope.get('root_path', '')}/static/{p}",
        "url_with": lambda **_: request.url.path, "lang_url": lambda lang: f"{request.url.path}?lang={lang}",
        "languages": LANGUAGE_NAMES, "status": status, "key": key, "detail": detail if key == "other" else "",
        "home": home, "home_label": t(f"error.home.{home}") if home != "/" else t("error.home"),
        "back": _back(request), "request_id": rid if status >= 500 else "",
    }
    html = env.get_template("error.html").render(ctx)
    return HTMLResponse(html, status_code=status, headers={
        "Content-Language": locale, "Vary": "Accept, Accept-Language, Cookie", "Cache-Control": "no-store"})


def page_for(request: Request, status: int, title: str = "") -> HTMLResponse | None:
    """For kernel.errors: the HTML page when the request is a browser's page request, else None."""
    if status < 400 or not wants_html(request.url.path, request.headers.get("accept")):
        return None
    return render_error(request, status, title)


def asgi_page(scope: dict[str, Any], status: int) -> tuple[list[tuple[bytes, bytes]], bytes] | None:
    """For kernel.asgi.Guard (busy 503, a crash's 500), before the app: (headers, body) or None."""
    if scope.get("type") != "http":
        return None
    request = Request(scope)
    if not wants_html(request.url.path, request.headers.get("accept")):
        return None
    response = render_error(request, status)
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()]
    return headers, bytes(response.body)
