"""User pages: staff users with their role and store (staff:read); invite, disable, enable and reset
them (staff:manage). The rules are iam.admin's: who may manage whom comes from permissions.MANAGES
(an operator manages neither operators nor platform admins), nobody changes their own account here.
An invitation (or a reset) shows its one-time token once, on the page that answers the form: the
token is never put in a URL, and only its digest is stored."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from o2o.backoffice.common import (
    FormDep,
    HeadOffice,
    field_errors,
    location_names,
    page,
    page_params,
    pages_of,
    router,
    text,
)
from o2o.catalog import service as catalog
from o2o.deps import ContainerDep, Uow
from o2o.iam import admin
from o2o.iam.guard import forget_principals
from o2o.iam.permissions import MANAGES, ROLES
from o2o.iam.schemas import Invitation, StaffIn
from o2o.kernel.auth import Principal
from o2o.kernel.catalogs import catalog_texts
from o2o.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from o2o.kernel.ids import Id
from o2o.locations import service as locations
from o2o.web.templating import Texts, locale_of

FIELDS = ("login", "name", "role", "store_id", "supplier_id")
DONE = ("disabled", "enabled")

TEXTS: Texts = catalog_texts("backoffice.users")


def manageable(p: Principal) -> list[str]:
    """The roles this caller may invite and manage, in the table's order."""
    allowed = MANAGES.get(p.role or "", frozenset())
    return [r for r in ROLES if r in allowed]


def _users_page(request: Request, c: ContainerDep, p: Principal, *, values: dict[str, str] | None = None,
                errors: dict[str, Any] | None = None, invitation: Invitation | None = None,
                alert: tuple[str, dict[str, Any]] | None = None, status: int = 200) -> HTMLResponse:
    locale = locale_of(request)
    stores = locations.list_all(c.db, "store")
    found = admin.list_staff(c.db, p, page_params(request))
    done = request.query_params.get("done")
    ctx = {"page": found, "pages": pages_of(found.total, found.size), "roles": manageable(p),
           "store_names": location_names(locations.list_all(c.db), locale),
           "stores": [(s.id, f"{s.name_zh if locale.startswith('zh') else s.name_en} · {s.code}") for s in stores],
           "suppliers": [(s.id, s.name) for s in catalog.suppliers(c.db)],
           "values": values or {name: "" for name in FIELDS}, "errors": errors or {}, "invitation": invitation,
           "alert": alert, "done": done if done in DONE else None, "who": text(request.query_params, "who", 60),
           "can_manage": p.can("staff:manage"), "me": p.id if p.kind == "staff" else None}
    return page(request, "backoffice/users.html", ctx, [TEXTS], status)


@router.get("/admin/users", response_class=HTMLResponse)
def user_list(request: Request, c: ContainerDep, p: HeadOffice) -> HTMLResponse:
    return _users_page(request, c, p)


def _refusal(exc: Problem) -> tuple[str, dict[str, Any]]:
    if isinstance(exc, NotFound):
        return "users.err.gone", {}
    if isinstance(exc, Conflict):
        return "users.err.self", {}
    return "users.err.forbidden", {}


@router.post("/admin/users", response_class=HTMLResponse)
def invite_user(request: Request, c: ContainerDep, uow: Uow, p: HeadOffice, form: FormDep) -> HTMLResponse:
    values = {name: text(form, name, 80) for name in FIELDS}
    errors: dict[str, Any] = {}
    data: dict[str, Any] = {"login": values["login"].lower(), "name": values["name"], "role": values["role"] or None,
                            "store_id": values["store_id"] or None, "supplier_id": values["supplier_id"] or None}
    try:
        body = StaffIn(**data)
    except ValidationError as exc:
        errors = field_errors(exc, special={"login": "err.login"})
        for name in ("role", "store_id", "supplier_id"):
            if name in errors:
                errors[name] = ("err.choice", {})
        return _users_page(request, c, p, values=values, errors=errors, status=422)
    try:
        invitation = admin.invite(uow, p, body)
    except Forbidden:
        return _users_page(request, c, p, values=values, errors={"role": ("err.role", {})}, status=403)
    except InvalidInput as exc:
        errors = {str(e["field"]): ("err.choice", {}) for e in exc.extra.get("errors", [])}
        return _users_page(request, c, p, values=values, errors=errors, status=422)
    except Conflict:
        return _users_page(request, c, p, values=values, errors={"login": ("err.taken", {})}, status=409)
    return _users_page(request, c, p, invitation=invitation, status=201)


def _change(request: Request, c: ContainerDep, p: Principal, user_id: int, act: Any) -> Response:
    try:
        return act()
    except (Forbidden, Conflict, NotFound) as exc:
        return _users_page(request, c, p, alert=_refusal(exc), status=exc.status)


@router.post("/admin/users/{user_id}/disable")
def disable_user(request: Request, c: ContainerDep, uow: Uow, p: HeadOffice, user_id: Id) -> Response:
    def act() -> Response:
        out = admin.set_disabled(uow, p, user_id, True)
        forget_principals(request)  # this process stops trusting their sessions at once
        return RedirectResponse(f"/admin/users?done=disabled&who={out.login}", status_code=303)
    return _change(request, c, p, user_id, act)


@router.post("/admin/users/{user_id}/enable")
def enable_user(request: Request, c: ContainerDep, uow: Uow, p: HeadOffice, user_id: Id) -> Response:
    def act() -> Response:
        out = admin.set_disabled(uow, p, user_id, False)
        return RedirectResponse(f"/admin/users?done=enabled&who={out.login}", status_code=303)
    return _change(request, c, p, user_id, act)


@router.post("/admin/users/{user_id}/reset", response_class=HTMLResponse)
def reset_user(request: Request, c: ContainerDep, uow: Uow, p: HeadOffice, user_id: Id) -> Response:
    def act() -> Response:
        invitation = admin.reset(uow, p, user_id)
        forget_principals(request)
        return _users_page(request, c, p, invitation=invitation)
    return _change(request, c, p, user_id, act)
