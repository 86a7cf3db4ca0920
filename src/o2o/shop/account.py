"""Shoppers sign in with a phone code: phone -> code (sent by SMS) -> signed in, the cart merged."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from o2o.cart import service as cart
from o2o.deps import ContainerDep, MaybePrincipal, PrincipalDep
from o2o.iam import service as iam
from o2o.iam.guard import (
    SESSION_COOKIE,
    SIGN_INS_PER_IP_MINUTE,
    client_ip,
    forget_principals,
    start_cookie_session,
)
from o2o.kernel.errors import Problem, TooManyRequests
from o2o.kernel.pii import mask_phone
from o2o.shop.common import CART_COOKIE, owner_of, page, safe_next, see_other
from o2o.shop.web import router

PHONE_COOKIE = "o2o_signin"  # the phone a code was just sent to (so the code form need not ask again)
PHONE = re.compile(r"^1[3-9][0-9]{9}$")
CODE = re.compile(r"^[0-9]{6}$")
Next = Annotated[str, Form(max_length=500)]


def _client(request: Request) -> iam.Client:
    return iam.Client(client_ip(request), request.headers.get("user-agent", ""))


def _limit_ip(request: Request) -> None:
    """The same per-IP budget as the API's sign-in routes (30 a minute)."""
    request.app.state.guardian.limits.hit(SIGN_INS_PER_IP_MINUTE, "sign-in", client_ip(request))


def _wait(exc: Problem) -> dict[str, int]:
    seconds = int(exc.extra.get("retry_after_s", 60))
    return {"seconds": seconds, "minutes": max(1, -(-seconds // 60))}


def _phone_page(request: Request, c: ContainerDep, next_url: str, phone: str = "", error: str | None = None,
                wait: dict[str, int] | None = None, status: int = 200) -> HTMLResponse:
    ctx = {"step": "phone", "phone": phone, "next": next_url, "error": error, "wait": wait or {}}
    return page(request, c, "shop/signin.html", ctx, status=status, no_store=True)


def _code_page(request: Request, c: ContainerDep, next_url: str, phone: str, error: str | None = None,
               wait: dict[str, int] | None = None, status: int = 200) -> HTMLResponse:
    ctx = {"step": "code", "masked": mask_phone(phone), "next": next_url, "error": error, "wait": wait or {}}
    return page(request, c, "shop/signin.html", ctx, status=status, no_store=True)


@router.get("/shop/signin", response_class=HTMLResponse)
def signin(request: Request, c: ContainerDep, p: MaybePrincipal) -> Response:
    next_url = safe_next(request.query_params.get("next"))
    if p is not None and p.is_customer:
        return see_other(next_url)
    return _phone_page(request, c, next_url)


@router.post("/shop/signin")
def send_code(request: Request, c: ContainerDep, phone: Annotated[str, Form(max_length=20)] = "",
              next: Next = "") -> Response:
    """Send the code by SMS (rate limits and lock-outs come from the accounts service)."""
    next_url, phone = safe_next(next), phone.strip().replace(" ", "")
    if not PHONE.match(phone):
        return _phone_page(request, c, next_url, phone, "signin.err.phone", status=422)
    try:
        _limit_ip(request)
        iam.request_code(c.uow(), phone, _client(request), c.settings)
    except TooManyRequests as exc:
        key = "signin.err.locked" if exc.kind == "locked" else "signin.err.wait"
        return _phone_page(request, c, next_url, phone, key, _wait(exc), status=429)
    response = see_other(f"/shop/signin/code?next={quote(next_url, safe='')}")
    response.set_cookie(PHONE_COOKIE, phone, max_age=15 * 60, httponly=True, samesite="strict",
                        secure=c.settings.https, path="/shop/signin")
    return response


@router.get("/shop/signin/code", response_class=HTMLResponse)
def code_form(request: Request, c: ContainerDep) -> Response:
    next_url = safe_next(request.query_params.get("next"))
    phone = request.cookies.get(PHONE_COOKIE, "")
    if not PHONE.match(phone):  # no code asked for on this browser (or long ago): ask for the phone first
        return _phone_page(request, c, next_url)
    return _code_page(request, c, next_url, phone)


@router.post("/shop/signin/code")
def verify_code(request: Request, c: ContainerDep, code: Annotated[str, Form(max_length=10)] = "",
                next: Next = "") -> Response:
    """Sign in (or sign up) with the code; the anonymous cart joins the customer's."""
    next_url, code = safe_next(next), code.strip()
    phone = request.cookies.get(PHONE_COOKIE, "")
    if not PHONE.match(phone):
        return _phone_page(request, c, next_url, error="signin.err.again", status=422)
    if not CODE.match(code):
        return _code_page(request, c, next_url, phone, "signin.err.code_format", status=422)
    try:
        _limit_ip(request)
        tokens = iam.sign_in_with_code(c.uow(), phone, code, "", True, _client(request), c.settings)
    except TooManyRequests as exc:
        key = "signin.err.locked" if exc.kind == "locked" else "signin.err.busy"
        return _code_page(request, c, next_url, phone, key, _wait(exc), status=429)
    except Problem:
        return _code_page(request, c, next_url, phone, "signin.err.code", status=422)
    anonymous = owner_of(request, None)
    if anonymous is not None and anonymous.token:
        cart.merge(c.uow(), anonymous.token, tokens.subject_id)
    response = see_other(next_url)
    start_cookie_session(request, response, tokens.access_token)
    response.delete_cookie(CART_COOKIE, path="/")
    response.delete_cookie(PHONE_COOKIE, path="/shop/signin")
    return response


@router.post("/shop/signout")
def signout(request: Request, c: ContainerDep, p: PrincipalDep) -> Response:
    iam.sign_out(c.uow(), p)
    forget_principals(request)
    response = see_other("/shop")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
