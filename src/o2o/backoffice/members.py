"""Member pages of the back-office (customers:read): the member list with filters (tier, joined between,
has orders, channel) and its CSV export, one member's 360 profile, and merging two members who are one
person (customers:merge: operators and platform admins; one transaction, audited, explained under
GET /api/v1/customers/{id}/merges).

Phones are masked in the list and the export for staff without pii:read (they are for finding a member,
not for copying the customer base out); pii:read holders see them unmasked there and in the profile,
each page, export and profile read audited (pii.read).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from pydantic import ValidationError

from o2o.analytics import service as analytics
from o2o.analytics.members import MemberFilter, MemberRow
from o2o.backoffice.common import FormDep, not_found, page, page_params, pages_of, query_int, router, text
from o2o.backoffice.orders import CHANNELS
from o2o.console.members import money, profile_view
from o2o.console.texts import TEXTS as CONSOLE_TEXTS
from o2o.customers import service as customers
from o2o.customers.schemas import MergeIn
from o2o.deps import ContainerDep, PrincipalDep, Uow, audit_event
from o2o.kernel import pii
from o2o.kernel.auth import Principal
from o2o.kernel.catalogs import catalog_texts
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.errors import NotFound, Problem
from o2o.kernel.ids import Id
from o2o.loyalty import service as loyalty
from o2o.web.templating import Texts, locale_of

FIELDS = ("tier", "from", "to", "orders", "channel")
HAS_ORDERS = ("yes", "no")

TEXTS: Texts = catalog_texts("backoffice.members")


def _date(raw: str, name: str, errors: dict[str, Any]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = ("err.date", {})
        return None


def _tiers(c: ContainerDep) -> list[str]:
    return [t.code for t in loyalty.get_rules(c.db).tiers]


def _filters(request: Request, tiers: list[str]) -> tuple[MemberFilter, dict[str, str], dict[str, Any]]:
    q = request.query_params
    form = {name: (q.get(name) or "").strip()[:40] for name in FIELDS}
    errors: dict[str, Any] = {}
    first, last = _date(form["from"], "from", errors), _date(form["to"], "to", errors)
    if first and last and last < first:
        errors["to"] = ("members.bad.order", {})
    for name, allowed in (("tier", tiers), ("channel", CHANNELS), ("orders", HAS_ORDERS)):
        if form[name] and form[name] not in allowed:
            errors[name] = ("err.choice", {})
    f = MemberFilter(tier=form["tier"] or None, channel=form["channel"] or None,
                     has_orders={"yes": True, "no": False}.get(form["orders"]),
                     since=datetime.combine(first, time(0), SHANGHAI) if first else None,
                     until=datetime.combine(last + timedelta(days=1), time(0), SHANGHAI) if last else None)
    return f, form, errors


def _phones_unmasked(request: Request, c: ContainerDep, p: Principal, what: str) -> bool:
    """pii:read holders (chain-wide: a store-bound caller sees its list masked, as a clerk does) see the
    list's and the export's phones unmasked, each page or export audited like a profile read."""
    if not p.can("pii:read") or p.store_id is not None:
        return False
    audit_event(request, c, p, "pii.read", what)
    return True


def _shown(row: MemberRow, unmasked: bool = False) -> dict[str, Any]:
    phone = (row.phone if unmasked else pii.mask_phone(row.phone)) or ""
    return {"id": row.id, "name": pii.mask_name(row.name), "phone": phone,
            "joined_at": row.joined_at, "tier": row.tier, "points": row.points, "orders": row.orders,
            "last_order_at": row.last_order_at, "channels": row.channels}


@router.get("/admin/members", response_class=HTMLResponse)
def member_list(request: Request, c: ContainerDep, p: PrincipalDep) -> HTMLResponse:
    tiers = _tiers(c)
    f, form, errors = _filters(request, tiers)
    params = page_params(request)
    found = analytics.search_members(c.db, f, params) if not errors else None
    unmasked = bool(found and found.items) and _phones_unmasked(
        request, c, p, f"members,list page={params.page} " + ",".join(str(r.id) for r in found.items))
    ctx = {"form": form, "errors": errors, "page": found,
           "rows": [_shown(r, unmasked) for r in found.items] if found else [],
           "pages": pages_of(found.total, found.size) if found else 1, "tiers": tiers, "channels": CHANNELS,
           "filtered": any(form.values()),
           "export_url": "/admin/members.csv" + (f"?{request.url.query}" if request.url.query else "")}
    return page(request, "backoffice/members.html", ctx, [TEXTS], 422 if errors else 200)


def _csv(rows: Iterator[MemberRow], header: list[str], unmasked: bool = False) -> Iterator[str]:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    buf.write("\ufeff")  # Excel reads UTF-8 with a BOM
    out.writerow(header)
    for n, r in enumerate(rows, 1):
        s = _shown(r, unmasked)
        out.writerow([s["id"], s["name"], s["phone"], s["joined_at"].astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                      s["tier"], s["points"], s["orders"],
                      s["last_order_at"].astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if s["last_order_at"] else "",
                      " ".join(s["channels"])])
        if n % 500 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


@router.get("/admin/members.csv")
def member_csv(request: Request, c: ContainerDep, p: PrincipalDep) -> Response:
    f, _, errors = _filters(request, _tiers(c))
    if errors:
        return RedirectResponse("/admin/members?" + request.url.query, status_code=303)
    texts = TEXTS["zh-CN" if locale_of(request).startswith("zh") else "en"]
    header = [texts[f"members.col.{k}"] for k in ("id", "name", "phone", "joined", "tier", "points", "orders", "last",
                                                   "channels")]
    stamp = datetime.now(SHANGHAI).strftime("%Y%m%d-%H%M")
    unmasked = _phones_unmasked(request, c, p, f"members,csv {request.url.query}"[:200])
    return StreamingResponse(_csv(analytics.member_lines(c.db, f), header, unmasked),
                             media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="members-{stamp}.csv"',
                                      "Cache-Control": "no-store"})


def _profile_page(request: Request, c: ContainerDep, p: PrincipalDep, customer_id: int,
                  merge_error: tuple[str, dict[str, Any]] | None = None, status: int = 200) -> HTMLResponse:
    try:
        view = profile_view(request, c, p, customer_id)
    except NotFound:
        return not_found(request, "member.what", "/admin/members", [TEXTS])
    merged = query_int(request.query_params.get("merged"))
    ctx = {"view": view, "money": money, "day": lambda v: v.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if v else "—",
           "merged": merged, "merge_error": merge_error, "customer_id": customer_id,
           "can_merge": p.can("customers:merge")}
    return page(request, "backoffice/member.html", ctx, [TEXTS, CONSOLE_TEXTS], status)


@router.get("/admin/members/{customer_id}", response_class=HTMLResponse)
def member_page(request: Request, c: ContainerDep, p: PrincipalDep, customer_id: Id) -> HTMLResponse:
    return _profile_page(request, c, p, customer_id)


@router.post("/admin/members/{customer_id}/merge", response_class=HTMLResponse)
def merge_member(request: Request, c: ContainerDep, p: PrincipalDep, uow: Uow, form: FormDep,
                 customer_id: Id) -> Response:
    try:
        body = MergeIn(merged_id=query_int(text(form, "merged_id", 20), 0, 0, 2**63 - 1) or 0,
                       reason=text(form, "reason", 200))
    except ValidationError:
        return _profile_page(request, c, p, customer_id, ("err.number", {}), 422)
    try:
        customers.merge(uow, customer_id, body.merged_id, f"staff:{p.id} {p.name}", body.reason or "back-office merge")
    except NotFound as exc:
        if exc.extra.get("id") == str(customer_id):
            return not_found(request, "member.what", "/admin/members", [TEXTS])
        return _profile_page(request, c, p, customer_id, ("member.merge.unknown", {}), 404)
    except Problem as exc:
        return _profile_page(request, c, p, customer_id, ("member.merge.bad", {"detail": exc.detail or exc.kind}), 409)
    return RedirectResponse(f"/admin/members/{customer_id}?merged={body.merged_id}", status_code=303)
