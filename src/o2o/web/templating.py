"""Server-rendered pages: one Jinja2 environment (autoescaped), the language of a request, `t(key)` texts.

A page calls `render(request, "area/page.html", context, texts=AREA_TEXTS)`; the template gets `t`,
`locale`, `static(path)`, `url_with(**query_changes)` and `lang_url(locale)`. Texts come from the gettext
catalogs (o2o.kernel.catalogs, src/o2o/web/locale/<lang>/LC_MESSAGES/messages.po): an area's table is
`catalog_texts("<domain>")`; Jinja2's i18n extension is on, with `_()`, `gettext()`, `pgettext()`,
`ngettext()` and `{% trans %}` answering in the request's language.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from o2o.kernel.catalogs import catalog_texts, catalogs, fallbacks
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.i18n import DEFAULT_LOCALE, LOCALES, negotiate, supported
from o2o.web import vocabulary

TEMPLATES_DIR = Path(__file__).parent / "templates"
CSRF_COOKIE = "o2o_csrf"  # the same name as o2o.iam.guard.CSRF_COOKIE (web imports no area)
SESSION_COOKIE = "o2o_session"  # the same name as o2o.iam.guard.SESSION_COOKIE
LANG_COOKIE = "o2o_lang"

Texts = Mapping[str, Mapping[str, str]]  # locale -> key -> text ("{name}" placeholders)

COMMON: Texts = catalog_texts("web.templating.common")
# each language names itself: msgctxt "language:self", msgid "English" in its catalog ("中文", "繁體中文")
LANGUAGE_NAMES = {locale: catalogs().plain[locale].get(("language:self", "English"), catalogs().names[locale])
                  for locale in LOCALES}


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """Shown in the chain's zone (Asia/Shanghai); stored as UTC."""
    return value.astimezone(SHANGHAI).strftime(fmt) if value else ""


env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],
)
env.install_null_translations(newstyle=True)  # each render passes its language's callables (gettext_callables)
env.filters["local_time"] = local_time
vocabulary.install(env)  # |route_reason, |actor, |history_note, |audit_action, |role_name in the page's language
templates = Jinja2Templates(env=env)


def requested_locale(request: Request) -> str | None:
    """The locale named by `?lang=` (en, zh, zh-CN, zh-TW, any case), if a catalog has it."""
    return supported(request.query_params.get("lang"))


def gettext_callables(locale: str) -> dict[str, Any]:
    """Jinja2's i18n callables (new style: `_("Hi %(name)s", name=x)`, autoescaped) in one language."""
    return _CALLABLES.get(locale) or _CALLABLES[DEFAULT_LOCALE]


def _make_callables(locale: str) -> dict[str, Any]:
    found = catalogs()

    def finish(context: Any, text: str, variables: dict[str, Any]) -> str:
        rv: str = Markup(text) if context.eval_ctx.autoescape else text
        return rv % variables  # as Jinja2's own new-style gettext: "%%" in a message is "%"

    @jinja2.pass_context
    def gettext(__context: Any, __string: str, **variables: Any) -> str:
        return finish(__context, found.gettext(locale, __string), variables)

    @jinja2.pass_context
    def pgettext(__context: Any, __string_ctx: str, __string: str, **variables: Any) -> str:
        return finish(__context, found.gettext(locale, __string, __string_ctx), variables)

    @jinja2.pass_context
    def ngettext(__context: Any, __singular: str, __plural: str, __num: int, **variables: Any) -> str:
        variables.setdefault("num", __num)
        return finish(__context, found.ngettext(locale, __singular, __plural, __num), variables)

    @jinja2.pass_context
    def npgettext(__context: Any, __string_ctx: str, __singular: str, __plural: str, __num: int,
                  **variables: Any) -> str:
        variables.setdefault("num", __num)
        return finish(__context, found.ngettext(locale, __singular, __plural, __num, __string_ctx), variables)

    return {"gettext": gettext, "_": gettext, "ngettext": ngettext, "pgettext": pgettext, "npgettext": npgettext}


_CALLABLES = {locale: _make_callables(locale) for locale in LOCALES}


def locale_of(request: Request) -> str:
    """`?lang=` first, then the remembered choice (cookie), then Accept-Language, then zh-CN."""
    remembered = request.cookies.get(LANG_COOKIE)
    return (requested_locale(request) or (remembered if remembered in LOCALES else None)
            or negotiate(request.headers.get("accept-language")))


class Translator:
    """`t(key, **values)`: the first table that has the key in this locale, then in its fallbacks (zh-TW:
    zh-CN, then English), else the key."""

    def __init__(self, locale: str, tables: Sequence[Texts]) -> None:
        self.locale = locale if locale in LOCALES else DEFAULT_LOCALE
        self.tables = tables
        self.chain = fallbacks(self.locale)

    def __call__(self, key: str, **values: Any) -> str:
        for locale in self.chain:
            for table in self.tables:
                text = table.get(locale, {}).get(key)
                if text is not None:
                    return text.format(**values) if values else text
        return key


def url_with(request: Request, **changes: Any) -> str:
    """This page's URL (path + query, no host) with some query parameters changed; None removes one."""
    params = {k: v for k, v in request.query_params.multi_items()}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    path = request.scope.get("root_path", "") + request.url.path
    return f"{path}?{urlencode(params)}" if params else path


def render(request: Request, name: str, context: Mapping[str, Any], *, texts: Sequence[Texts] = (),
           locale: str | None = None, status_code: int = 200) -> HTMLResponse:
    locale = locale or locale_of(request)
    root = request.scope.get("root_path", "")
    guardian = getattr(request.app.state, "guardian", None)  # absent only in apps built without the guard
    # the CSRF token is bound to the session cookie: one made for another session (or before a sign-in,
    # or for a session signed out since) is replaced by one that fits this browser's session
    cookie = request.cookies.get(CSRF_COOKIE)
    csrf = (guardian.csrf.current(cookie, request.cookies.get(SESSION_COOKIE)) if guardian
            else cookie or secrets.token_urlsafe(18))
    ctx = {
        "csrf": csrf,  # forms carry it as the hidden field csrf_token; app.js sends it as X-CSRF-Token
        "principal": getattr(request.state, "principal", None),
        "path": request.url.path,
        "locale": locale,
        "t": Translator(locale, [*texts, COMMON]),
        "static": lambda path: f"{root}/static/{path}",
        "url_with": lambda **changes: url_with(request, **changes),
        "lang_url": lambda lang: url_with(request, lang=lang),
        "languages": LANGUAGE_NAMES,
        **gettext_callables(locale),
        **context,
    }
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    response.headers["Content-Language"] = locale
    response.headers["Vary"] = "Accept-Language, Cookie"
    if csrf != cookie:
        settings = request.app.state.container.settings
        response.set_cookie(CSRF_COOKIE, csrf, httponly=False, samesite="strict", path="/", secure=settings.https,
                            max_age=settings.cookie_session_days * 86400)
    if requested_locale(request):  # ?lang= sticks: the switch is remembered for the next pages
        response.set_cookie(LANG_COOKIE, locale, max_age=365 * 86400, samesite="lax", path="/")
    return response
