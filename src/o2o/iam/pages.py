"""Pages of the accounts area: staff sign-in and sign-out, and the dev SMS inbox."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from o2o.deps import ContainerDep, PrincipalDep, audit_event
from o2o.iam import service
from o2o.iam.guard import SESSION_COOKIE, client_ip, forget_principals, start_cookie_session
from o2o.kernel.catalogs import catalog_texts
from o2o.kernel.errors import Problem
from o2o.web.templating import Texts, render

router = APIRouter(tags=["account pages"], include_in_schema=False)

TEXTS: Texts = catalog_texts("iam.pages")


def _safe_next(raw: str | None) -> str:
    """Only a path on this site (no scheme, no host): no open redirect. Default: the staff landing."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/staff"
    parts = urlsplit(raw)
    return raw if not parts.scheme and not parts.netloc else "/staff"


@router.get("/staff")
def staff_home(p: PrincipalDep) -> RedirectResponse:
    """Where a signed-in staff user lands: a store role in its store console, HQ in the back-office."""
    if p.is_customer:
        return RedirectResponse("/shop", status_code=303)
    if p.store_id is not None:
        return RedirectResponse(f"/console/{p.store_id}", status_code=303)
    if p.role == "supplier":  # no supplier pages yet: their products through the API
        return RedirectResponse("/api/v1/supplier/products", status_code=303)
    return RedirectResponse("/admin", status_code=303)


def _login_page(request: Request, error: str | None = None, status: int = 200, **values: object) -> HTMLResponse:
    # the form's CSRF token (and its cookie, when missing or made for another session) come from render()
    response = render(request, "iam/login.html", {"error": error, "values": values,
                                                  "next": _safe_next(request.query_params.get("next"))},
                      texts=[TEXTS], status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return _login_page(request)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, c: ContainerDep, login: Annotated[str, Form(max_length=60)],
          password: Annotated[str, Form(max_length=200)], next: Annotated[str, Form(max_length=500)] = "") -> Response:
    try:
        tokens, p = service.staff_sign_in(c.uow(), c.passwords, login.strip(), password, True,
                                          service.Client(client_ip(request), request.headers.get("user-agent", "")),
                                          c.settings)
    except Problem as exc:
        locked = exc.status == 429
        audit_event(request, c, None, "staff.sign_in_locked" if locked else "staff.sign_in_failed",
                    f"login={login.strip().lower()[:60]}")
        minutes = max(1, int(exc.extra.get("retry_after_s", 60)) // 60)
        return _login_page(request, "login.locked" if locked else "login.failed", 429 if locked else 401,
                           login=login, minutes=minutes)
    audit_event(request, c, p, "staff.sign_in", f"session={p.session_id}")
    response = RedirectResponse(_safe_next(next), status_code=303)
    start_cookie_session(request, response, tokens.access_token)
    return response


@router.post("/logout")
def logout(c: ContainerDep, request: Request, p: PrincipalDep) -> Response:
    service.sign_out(c.uow(), p)
    forget_principals(request)
    if p.is_staff:
        audit_event(request, c, p, "staff.sign_out", f"session={p.session_id}")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/dev/inbox", response_class=HTMLResponse)
def dev_inbox(request: Request, c: ContainerDep) -> HTMLResponse:
    """Dev only (O2O_ENV=dev): what the SMS adapter 'sent', e.g. sign-in and pickup codes."""
    response = render(request, "iam/inbox.html", {"messages": c.sms.masked_inbox()}, texts=[TEXTS])
    response.headers["Cache-Control"] = "no-store"
    return response
