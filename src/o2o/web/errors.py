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

from o2o.kernel.catalogs import catalog_texts
from o2o.web.templating import COMMON, LANGUAGE_NAMES, Texts, Translator, env, locale_of

NOT_HTML = ("/api/", "/static/", "/media/", "/healthz", "/readyz", "/metrics", "/favicon.ico")
KNOWN = frozenset({400, 401, 403, 404, 405, 409, 413, 422, 429, 500, 503})
# where "home" is for a path: the front-end the visitor was in
HOMES = (("/shop", "/shop"), ("/console", "/console"), ("/admin", "/admin"), ("/staff", "/login"))

TEXTS: Texts = catalog_texts("web.errors")


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
