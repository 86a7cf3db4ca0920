"""Accounts API: sign-in (phone code, passwords), sessions, the caller's own data, staff and keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from o2o.customers import service as customers
from o2o.deps import ContainerDep, PageDep, PrincipalDep, Uow, audit_event
from o2o.iam import admin, service
from o2o.iam.guard import SESSION_COOKIE, client_ip, forget_principals, start_cookie_session
from o2o.iam.schemas import (
    ApiKeyIn,
    ApiKeyOut,
    CodeRequest,
    CodeSent,
    CodeSignIn,
    Invitation,
    InviteAccept,
    Me,
    NewApiKey,
    NewPassword,
    PasswordSignIn,
    PhoneLink,
    PlatformSignIn,
    RefreshIn,
    RotateIn,
    StaffIn,
    StaffOut,
    StaffSignIn,
    Tokens,
)
from o2o.kernel.auth import Principal
from o2o.kernel.errors import Problem
from o2o.kernel.ids import Id
from o2o.kernel.pagination import Page
from o2o.orders import service as orders


def no_store(response: Response) -> None:
    """Tokens and personal data are never kept by browsers or proxies."""
    response.headers["Cache-Control"] = "no-store"


router = APIRouter(prefix="/api/v1", tags=["accounts"], dependencies=[Depends(no_store)])


def client(request: Request) -> service.Client:
    return service.Client(ip=client_ip(request), user_agent=request.headers.get("user-agent", ""))


def _answer(request: Request, response: Response, c: ContainerDep, tokens: Tokens,
            cookie: bool) -> Tokens | dict[str, Any]:
    if not cookie:
        return tokens
    start_cookie_session(request, response, tokens.access_token)
    return {"subject": tokens.subject, "subject_id": tokens.subject_id, "expires_at": tokens.expires_at}


@router.post("/auth/otp", response_model=CodeSent, status_code=202)
def request_code(c: ContainerDep, request: Request, body: CodeRequest) -> CodeSent:
    """Send a 6-digit sign-in code by SMS (at most one a minute and five an hour per phone)."""
    return service.request_code(c.uow(), body.phone, client(request), c.settings)


@router.post("/auth/otp/verify", response_model=Tokens | dict)
def sign_in_with_code(c: ContainerDep, request: Request, response: Response, body: CodeSignIn) -> Any:
    """Sign in (or sign up) with the code; after 5 wrong codes the phone is locked for a while."""
    tokens = service.sign_in_with_code(c.uow(), body.phone, body.code, body.name, body.cookie, client(request),
                                       c.settings)
    return _answer(request, response, c, tokens, body.cookie)


PLATFORM_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "the platform refused the code (invalid, used or expired): platform-code-refused"},
    404: {"description": "sign-in through this platform is not configured here: platform-not-configured"},
    503: {"description": "the platform is down, busy or rate-limited: platform-unavailable (retry after Retry-After)"}}


@router.post("/auth/wechat", response_model=Tokens | dict, responses=PLATFORM_PROBLEMS)
def sign_in_with_wechat(c: ContainerDep, request: Request, response: Response, body: PlatformSignIn) -> Any:
    """WeChat mini-program sign-in: the wx.login code -> openid (code2session); a new openid is a new,
    unverified customer until they link a phone (POST /me/phone)."""
    tokens = service.sign_in_with_platform(c.uow(), c.logins.get("wechat"), "wechat", body.code, body.cookie,
                                           client(request), c.settings)
    return _answer(request, response, c, tokens, body.cookie)


@router.post("/auth/douyin", response_model=Tokens | dict, responses=PLATFORM_PROBLEMS)
def sign_in_with_douyin(c: ContainerDep, request: Request, response: Response, body: PlatformSignIn) -> Any:
    """Douyin mini-program sign-in: the tt.login code -> openid (jscode2session)."""
    tokens = service.sign_in_with_platform(c.uow(), c.logins.get("douyin"), "douyin", body.code, body.cookie,
                                           client(request), c.settings)
    return _answer(request, response, c, tokens, body.cookie)


@router.post("/me/phone", response_model=Tokens | dict)
def link_phone(c: ContainerDep, request: Request, response: Response, p: PrincipalDep, body: PhoneLink) -> Any:
    """Link a phone proved by its SMS code (POST /auth/otp first). When another customer holds that phone
    already, the signed-in customer is merged into them and the answer is the survivor's session."""
    tokens = service.link_phone(c.uow(), p, body.phone, body.code, body.cookie, client(request), c.settings)
    forget_principals(request)
    return _answer(request, response, c, tokens, body.cookie)


@router.post("/auth/login", response_model=Tokens | dict)
def sign_in_with_password(c: ContainerDep, request: Request, response: Response, body: PasswordSignIn) -> Any:
    tokens = service.sign_in_with_password(c.uow(), c.passwords, body.phone, body.password, body.cookie,
                                           client(request), c.settings)
    return _answer(request, response, c, tokens, body.cookie)


@router.post("/auth/staff/login", response_model=Tokens | dict)
def staff_sign_in(c: ContainerDep, request: Request, response: Response, body: StaffSignIn) -> Any:
    try:
        tokens, p = service.staff_sign_in(c.uow(), c.passwords, body.login, body.password, body.cookie,
                                          client(request), c.settings)
    except Problem as exc:
        audit_event(request, c, None, "staff.sign_in_failed" if exc.status == 401 else "staff.sign_in_locked",
                    f"login={body.login.lower()[:60]}")
        raise
    audit_event(request, c, p, "staff.sign_in", f"session={p.session_id}")
    return _answer(request, response, c, tokens, body.cookie)


@router.post("/auth/refresh", response_model=Tokens)
def refresh(c: ContainerDep, request: Request, body: RefreshIn) -> Tokens:
    """New access and refresh tokens; the old refresh token stops working (reusing it ends the session)."""
    try:
        return service.refresh(c.uow(), body.refresh_token, c.settings)
    finally:
        forget_principals(request)


@router.post("/auth/invite/accept", response_model=StaffOut)
def accept_invite(c: ContainerDep, request: Request, body: InviteAccept) -> StaffOut:
    out = admin.accept_invite(c.uow(), c.passwords, body.token, body.password)
    who = Principal("staff", out.id, out.login, role=out.role, store_id=out.store_id)
    audit_event(request, c, who, "staff.password_set", f"staff={out.id}")
    return out


@router.post("/auth/logout", status_code=204)
def sign_out(c: ContainerDep, request: Request, p: PrincipalDep, response: Response) -> None:
    service.sign_out(c.uow(), p)
    forget_principals(request)
    if p.is_staff:
        audit_event(request, c, p, "staff.sign_out", f"session={p.session_id}")
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.post("/auth/logout-all")
def sign_out_everywhere(c: ContainerDep, request: Request, p: PrincipalDep, response: Response) -> dict:
    """End every session of this account, on every device."""
    n = service.sign_out(c.uow(), p, everywhere=True)
    forget_principals(request)
    if p.is_staff:
        audit_event(request, c, p, "staff.sign_out_everywhere", f"sessions={n}")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"sessions_ended": n}


@router.get("/me", response_model=Me)
def who_am_i(c: ContainerDep, p: PrincipalDep) -> dict:
    return service.me(c.db, p)


@router.put("/me/password", status_code=204)
def set_password(c: ContainerDep, request: Request, p: PrincipalDep, body: NewPassword) -> None:
    """Needs a sign-in of the last 15 minutes; every other session of the account ends."""
    service.set_customer_password(c.uow(), c.passwords, p, body.password)
    forget_principals(request)


@router.get("/me/export")
def export_my_data(c: ContainerDep, p: PrincipalDep, response: Response) -> dict:
    """Everything we hold about the signed-in customer: profile, addresses, orders."""
    response.headers["Content-Disposition"] = f'attachment; filename="o2o-my-data-{p.id}.json"'
    return {"customer": customers.export(c.db, p.id),
            "orders": [o.model_dump(mode="json") for o in orders.all_of_customer(c.db, p.id)]}


@router.post("/me/erasure")
def erase_me(c: ContainerDep, request: Request, p: PrincipalDep, response: Response) -> dict:
    """Pseudonymise the account: orders and ledgers stay, the person's data goes; signs out everywhere.
    Needs a sign-in of the last 15 minutes."""
    service.require_recent_sign_in(c.db, p, c.clock.now())
    service.erase_customer(c.uow(), p.id)
    forget_principals(request)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"erased": True}


@router.get("/staff", response_model=Page[StaffOut])
def list_staff(c: ContainerDep, p: PrincipalDep, page: PageDep) -> Page[StaffOut]:
    return admin.list_staff(c.db, p, page)


@router.post("/staff", response_model=Invitation, status_code=201)
def invite_staff(uow: Uow, p: PrincipalDep, body: StaffIn) -> Invitation:
    """Invite a user; the response holds the one-time invitation token (send it to them)."""
    return admin.invite(uow, p, body)


@router.post("/staff/{user_id}/disable", response_model=StaffOut)
def disable_staff(uow: Uow, request: Request, p: PrincipalDep, user_id: Id) -> StaffOut:
    out = admin.set_disabled(uow, p, user_id, True)
    forget_principals(request)
    return out


@router.post("/staff/{user_id}/enable", response_model=StaffOut)
def enable_staff(uow: Uow, p: PrincipalDep, user_id: Id) -> StaffOut:
    return admin.set_disabled(uow, p, user_id, False)


@router.post("/staff/{user_id}/reset", response_model=Invitation)
def reset_staff(uow: Uow, request: Request, p: PrincipalDep, user_id: Id) -> Invitation:
    """Forget the password and end their sessions; returns a new invitation token."""
    out = admin.reset(uow, p, user_id)
    forget_principals(request)
    return out


@router.get("/api-keys", response_model=list[ApiKeyOut])
def list_keys(c: ContainerDep) -> list[ApiKeyOut]:
    return admin.list_keys(c.db)


@router.post("/api-keys", response_model=NewApiKey, status_code=201)
def create_key(uow: Uow, p: PrincipalDep, body: ApiKeyIn) -> NewApiKey:
    """A key for an integration app; the secret is in this response only."""
    return admin.create_key(uow, p, body)


@router.post("/api-keys/{key_id}/rotate", response_model=NewApiKey)
def rotate_key(uow: Uow, request: Request, p: PrincipalDep, key_id: Id, body: RotateIn | None = None) -> NewApiKey:
    out = admin.rotate_key(uow, p, key_id, (body or RotateIn()).grace_minutes)
    forget_principals(request)
    return out


@router.delete("/api-keys/{key_id}", response_model=ApiKeyOut)
def revoke_key(uow: Uow, request: Request, key_id: Id) -> ApiKeyOut:
    out = admin.revoke_key(uow, key_id)
    forget_principals(request)
    return out


@router.get("/dev/sms")
def dev_sms(c: ContainerDep) -> list[dict]:
    """Dev only: the messages the dev SMS adapter 'sent', newest first (phones masked)."""
    return [{"to": m.to, "text": m.text, "at": m.at} for m in c.sms.masked_inbox()]
