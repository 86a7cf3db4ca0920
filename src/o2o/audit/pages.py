"""The audit log's search page: its texts and what it shows (permission "audit:read", enforced app-wide).

The route is the back-office's (o2o.backoffice.audit): the page lives in its layout, menu and sign-out."""

from __future__ import annotations

import math
from typing import Any

from fastapi import Request
from pydantic import ValidationError

from o2o.audit import service
from o2o.audit.schemas import AuditFilters, AuditOut
from o2o.deps import ContainerDep
from o2o.kernel.catalogs import catalog_texts
from o2o.kernel.pagination import MAX_PAGE_SIZE, Page, PageParams
from o2o.web.templating import Texts, requested_locale

# form field -> AuditFilters field
FIELDS = {"actor": "actor", "action": "action", "target": "target", "store_id": "store_id", "from": "since",
          "to": "until"}
COLUMNS = ("id", "at", "actor", "role", "store", "action", "target", "ip", "status", "detail")

TEXTS: Texts = catalog_texts("audit.pages")


def _int(raw: str | None, default: int, high: int) -> int:
    try:
        return min(max(int(raw or default), 1), high)
    except ValueError:
        return default


def _message_key(error_type: str) -> str:
    if error_type.startswith(("int", "greater_than")):
        return "audit.bad.int"
    if error_type.startswith(("datetime", "date", "time", "timezone")):
        return "audit.bad.time"
    return "audit.bad.long"


def search_page(request: Request, c: ContainerDep) -> tuple[dict[str, Any], int]:
    """The audit search page's context and status: a GET form (no state changes, so no CSRF token), newest
    first, paged; 422 when a filter is not valid."""
    query = request.query_params
    form = {name: (query.get(name) or "").strip() for name in FIELDS}
    page_params = PageParams(page=_int(query.get("page"), 1, 100_000), size=_int(query.get("size"), 50, MAX_PAGE_SIZE))
    errors: dict[str, str] = {}
    page: Page[AuditOut] = Page[AuditOut](items=[], page=page_params.page, size=page_params.size, total=0)
    try:
        filters = AuditFilters(**{field: form[name] or None for name, field in FIELDS.items()})
    except ValidationError as exc:
        by_field = {field: name for name, field in FIELDS.items()}
        for err in exc.errors():
            name = by_field.get(str(err["loc"][0]), str(err["loc"][0])) if err["loc"] else "actor"
            errors.setdefault(name, _message_key(err["type"]))
    else:
        page = service.search(c.db, filters, page_params)

    context = {
        "form": form,
        "errors": errors,  # field -> text key, translated below
        "labels": {name: f"audit.{name}" for name in FIELDS},
        "page": page,
        "pages": max(1, math.ceil(page.total / page.size)),
        "columns": COLUMNS,
        "filtered": any(form.values()),
        "keep_lang": requested_locale(request) is not None,
        "clear_url": request.scope.get("root_path", "") + request.url.path
        + (f"?lang={requested_locale(request)}" if requested_locale(request) else ""),
    }
    return context, 422 if errors else 200
