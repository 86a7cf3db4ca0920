"""The audit log inside the back-office (its layout: menu, sign-out, brand). What the page searches and
shows is the audit area's (o2o.audit.pages); never cached (names, addresses and IPs)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from o2o.audit.pages import TEXTS, search_page
from o2o.backoffice.common import page, router
from o2o.deps import ContainerDep


@router.get("/admin/audit", response_class=HTMLResponse, name="audit_page")
def audit_page(request: Request, c: ContainerDep) -> HTMLResponse:
    """Search the audit log: who did what to which record, when and from where; newest first, paged."""
    context, status = search_page(request, c)
    return page(request, "admin/audit.html", context, [TEXTS], status)
