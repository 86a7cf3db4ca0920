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
from o2o.kernel.pagination import MAX_PAGE_SIZE, Page, PageParams
from o2o.web.templating import Texts, requested_locale

# form field -> AuditFilters field
FIELDS = {"actor": "actor", "action": "action", "target": "target", "store_id": "store_id", "from": "since",
          "to": "until"}
COLUMNS = ("id", "at", "actor", "role", "store", "action", "target", "ip", "status", "detail")

TEXTS: Texts = {
    "en": {
        "audit.title": "Audit log",
        "audit.lead": "Every staff change and every view of unmasked personal data: who, in which role and "
                      "store, did what to which record, when, and from which address.",
        "audit.filters": "Filter the audit log",
        "audit.actor": "Actor",
        "audit.action": "Action",
        "audit.target": "Target",
        "audit.store_id": "Store ID",
        "audit.from": "From",
        "audit.to": "To",
        "audit.hint.actor": "ID, or the start of a name",
        "audit.hint.action": "e.g. pii.read or /stock",
        "audit.hint.time": "Shanghai time",
        "audit.search": "Search",
        "audit.clear": "Clear filters",
        "audit.invalid": "Some filters are not valid:",
        "audit.bad.int": "enter a whole number of 1 or more",
        "audit.bad.time": "enter a date and time",
        "audit.bad.long": "too long",
        "audit.results": "{total} entries",
        "audit.col.id": "#",
        "audit.col.at": "Time",
        "audit.col.actor": "Actor",
        "audit.col.role": "Role",
        "audit.col.store": "Store",
        "audit.col.action": "Action",
        "audit.col.target": "Target",
        "audit.col.ip": "IP",
        "audit.col.status": "Status",
        "audit.col.detail": "Detail",
        "audit.show": "Show",
        "audit.kind.staff": "staff",
        "audit.kind.api_key": "API key",
        "audit.kind.customer": "customer",
        "audit.kind.system": "system",
        "audit.empty": "No entries found",
        "audit.empty.filtered": "Nothing matches these filters.",
        "audit.empty.none": "Nothing has been recorded yet.",
        "audit.empty.page": "This page is past the last one.",
        "audit.first": "Go to the first page",
    },
    "zh-CN": {
        "audit.title": "审计日志",
        "audit.lead": "员工的每一次修改、每一次查看未脱敏的个人信息：谁、以什么角色、在哪家门店、对什么记录做了什么、"
                      "何时、从哪个地址。",
        "audit.filters": "筛选审计日志",
        "audit.actor": "操作人",
        "audit.action": "操作",
        "audit.target": "对象",
        "audit.store_id": "门店 ID",
        "audit.from": "开始时间",
        "audit.to": "结束时间",
        "audit.hint.actor": "ID 或姓名开头",
        "audit.hint.action": "例如 pii.read 或 /stock",
        "audit.hint.time": "上海时间",
        "audit.search": "搜索",
        "audit.clear": "清除筛选",
        "audit.invalid": "以下筛选条件无效：",
        "audit.bad.int": "请输入不小于 1 的整数",
        "audit.bad.time": "请输入日期和时间",
        "audit.bad.long": "太长",
        "audit.results": "共 {total} 条记录",
        "audit.col.id": "#",
        "audit.col.at": "时间",
        "audit.col.actor": "操作人",
        "audit.col.role": "角色",
        "audit.col.store": "门店",
        "audit.col.action": "操作",
        "audit.col.target": "对象",
        "audit.col.ip": "IP",
        "audit.col.status": "状态码",
        "audit.col.detail": "详情",
        "audit.show": "展开",
        "audit.kind.staff": "员工",
        "audit.kind.api_key": "API 密钥",
        "audit.kind.customer": "顾客",
        "audit.kind.system": "系统",
        "audit.empty": "没有找到记录",
        "audit.empty.filtered": "没有符合这些筛选条件的记录。",
        "audit.empty.none": "还没有任何记录。",
        "audit.empty.page": "这一页超出了最后一页。",
        "audit.first": "回到第一页",
    },
}


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
