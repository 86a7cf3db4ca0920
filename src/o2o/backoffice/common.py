"""What every back-office page shares: who may use it, the layout's navigation, texts, form helpers.

Scope: the back-office is head office's. The permission table decides the action each page needs;
on top of it a caller bound to one store (store manager, clerk, a store-bound key) is out of scope:
a page (GET) sends them to /staff, which lands them in their own store's console, and any other
method answers 404, as out-of-scope ids do everywhere (o2o.kernel.auth).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from o2o.deps import PrincipalDep
from o2o.kernel.auth import Principal
from o2o.kernel.errors import NotFound
from o2o.kernel.pagination import MAX_PAGE_SIZE, PageParams
from o2o.web.templating import Texts, render, requested_locale

# (key, path, the action that opens it): the navigation shows what the caller may open
NAV = (("dashboard", "/admin", "analytics:read"), ("products", "/admin/products", "catalog:write"),
       ("stores", "/admin/stores", "locations:write"), ("stock", "/admin/stock", "inventory:read"),
       ("orders", "/admin/orders", "orders:read"), ("users", "/admin/users", "staff:read"),
       ("members", "/admin/members", "customers:read"), ("loyalty", "/admin/loyalty", "loyalty:manage"),
       ("campaigns", "/admin/campaigns", "promotions:manage"),
       ("audit", "/admin/audit", "audit:read"),
       ("reconcile", "/admin/payments/reconcile", "payments:reconcile"))

TEXTS: Texts = {
    "en": {
        "bo.brand": "O2O Back-office",
        "bo.nav": "Back-office",
        "nav.dashboard": "Dashboard",
        "nav.products": "Products",
        "nav.stores": "Stores",
        "nav.stock": "Stock",
        "nav.orders": "Orders",
        "nav.users": "Users",
        "nav.audit": "Audit log",
        "nav.loyalty": "Membership",
        "nav.campaigns": "Campaigns",
        "nav.members": "Members",
        "nav.reconcile": "Reconciliation",
        "bo.signed_in": "Signed in as {name}",
        "bo.sign_out": "Sign out",
        "bo.search": "Search",
        "bo.clear": "Clear filters",
        "bo.save": "Save",
        "bo.cancel": "Cancel",
        "bo.any": "Any",
        "bo.all": "All",
        "bo.yes": "Yes",
        "bo.no": "No",
        "bo.none": "—",
        "bo.optional": "optional",
        "bo.results": "{total} found",
        "bo.fix": "Please correct the fields marked below:",
        "bo.empty": "Nothing found",
        "bo.empty.filtered": "Nothing matches these filters.",
        "bo.empty.page": "This page is past the last one.",
        "bo.first": "Go to the first page",
        "bo.not_found": "Not found",
        "bo.not_found.lead": "There is no such {what}. It may have been removed, or the link is wrong.",
        "bo.back": "Back to the list",
        "bo.show_table": "Show the figures as a table",
        "err.required": "Required.",
        "err.too_long": "Too long (at most {max} characters).",
        "err.too_short": "Too short (at least {min} characters).",
        "err.number": "Enter a whole number.",
        "err.positive": "Enter a whole number of 1 or more.",
        "err.range": "Out of range.",
        "err.price": "Enter a price in yuan, e.g. 12.90.",
        "err.barcode": "8 to 14 digits.",
        "err.code": "Letters, digits, dot, dash or underscore.",
        "err.login": "Lower-case letters, digits, dot, dash or underscore (3 to 60).",
        "err.date": "Enter a date.",
        "err.choice": "Choose one of the options.",
        "err.taken": "Already in use.",
        "err.unknown": "No such record: choose one from the list.",
        "err.invalid": "Not valid.",
        "channel.h5": "Mobile web (H5)",
        "channel.pc": "PC web",
        "channel.app": "App",
        "channel.miniprogram": "Mini program",
        "channel.wechat": "WeChat",
        "channel.douyin": "Douyin",
        "channel.api": "API",
        "channel.pos": "Till (in store)",
        "mode.pickup": "Pickup",
        "mode.store_delivery": "Store delivery",
        "mode.parcel": "Parcel",
        "mode.auto": "Automatic",
        "status.pending_payment": "Awaiting payment",
        "status.paid": "Paid",
        "status.picking": "Picking",
        "status.short": "Short picked",
        "order.short.title": "Needs action: the store could not find everything",
        "order.short.line": "SKU {sku}: found {found} of {qty}",
        "order.short.lead": "Contact the customer: they accept the partial order (the difference is refunded) or the "
                            "order is cancelled. Nothing is handed over until then. Automatic re-sourcing from another "
                            "store is not available yet (the fulfilment engine will add it).",
        "order.short.open": "Open the pick list in the store console",
        "status.ready": "Ready",
        "status.shipped": "Shipped",
        "status.completed": "Completed",
        "status.cancelled": "Cancelled",
        "status.expired": "Expired",
        "status.new": "New",
        "status.handed_over": "Handed over",
        "status.delivered": "Delivered",
        "role.platform_admin": "Platform admin",
        "role.operator": "Operator",
        "role.store_manager": "Store manager",
        "role.clerk": "Clerk",
        "role.supplier": "Supplier",
        "role.analyst": "Analyst",
        "role.api_key": "API key",
        "kind.store": "Store",
        "kind.warehouse": "Warehouse",
    },
    "zh-CN": {
        "bo.brand": "O2O 运营后台",
        "bo.nav": "运营后台",
        "nav.dashboard": "数据看板",
        "nav.products": "商品",
        "nav.stores": "门店",
        "nav.stock": "库存",
        "nav.orders": "订单",
        "nav.users": "用户",
        "nav.audit": "审计日志",
        "nav.loyalty": "会员积分",
        "nav.campaigns": "营销活动",
        "nav.members": "会员",
        "nav.reconcile": "支付对账",
        "bo.signed_in": "当前用户：{name}",
        "bo.sign_out": "退出登录",
        "bo.search": "搜索",
        "bo.clear": "清除筛选",
        "bo.save": "保存",
        "bo.cancel": "取消",
        "bo.any": "不限",
        "bo.all": "全部",
        "bo.yes": "是",
        "bo.no": "否",
        "bo.none": "—",
        "bo.optional": "选填",
        "bo.results": "共 {total} 条",
        "bo.fix": "请更正下面标出的字段：",
        "bo.empty": "没有找到",
        "bo.empty.filtered": "没有符合这些筛选条件的记录。",
        "bo.empty.page": "这一页超出了最后一页。",
        "bo.first": "回到第一页",
        "bo.not_found": "未找到",
        "bo.not_found.lead": "没有这个{what}。它可能已被删除，或者链接有误。",
        "bo.back": "返回列表",
        "bo.show_table": "以表格查看数据",
        "err.required": "必填。",
        "err.too_long": "太长（最多 {max} 个字符）。",
        "err.too_short": "太短（至少 {min} 个字符）。",
        "err.number": "请输入整数。",
        "err.positive": "请输入不小于 1 的整数。",
        "err.range": "超出范围。",
        "err.price": "请输入以元为单位的价格，例如 12.90。",
        "err.barcode": "8 到 14 位数字。",
        "err.code": "只能使用字母、数字、点、短横线或下划线。",
        "err.login": "小写字母、数字、点、短横线或下划线（3 到 60 个字符）。",
        "err.date": "请输入日期。",
        "err.choice": "请从选项中选择。",
        "err.taken": "已被占用。",
        "err.unknown": "没有这条记录，请从列表中选择。",
        "err.invalid": "无效。",
        "channel.h5": "手机网页（H5）",
        "channel.pc": "电脑网页",
        "channel.app": "App",
        "channel.miniprogram": "小程序",
        "channel.wechat": "微信",
        "channel.douyin": "抖音",
        "channel.api": "API",
        "channel.pos": "门店收银",
        "mode.pickup": "到店自提",
        "mode.store_delivery": "门店配送",
        "mode.parcel": "快递",
        "mode.auto": "自动",
        "status.pending_payment": "待支付",
        "status.paid": "已支付",
        "status.picking": "拣货中",
        "status.short": "缺货待处理",
        "order.short.title": "需处理：门店未能找齐商品",
        "order.short.line": "SKU {sku}：找到 {found}/{qty}",
        "order.short.lead": "请联系顾客：接受部分商品（退还差额）或取消订单。处理前不会交付。从其他门店自动调货暂不可用（履约引擎将会支持）。",
        "order.short.open": "在门店工作台打开拣货单",
        "status.ready": "待取货",
        "status.shipped": "已发货",
        "status.completed": "已完成",
        "status.cancelled": "已取消",
        "status.expired": "已过期",
        "status.new": "新建",
        "status.handed_over": "已交付",
        "status.delivered": "已送达",
        "role.platform_admin": "平台管理员",
        "role.operator": "运营",
        "role.store_manager": "店长",
        "role.clerk": "店员",
        "role.supplier": "供应商",
        "role.analyst": "分析师",
        "role.api_key": "API 密钥",
        "kind.store": "门店",
        "kind.warehouse": "仓库",
    },
}


def head_office(request: Request, p: PrincipalDep) -> Principal:
    """Router dependency of every back-office page (after the app-wide guard): HQ callers only."""
    if p.store_id is not None:
        if request.method in ("GET", "HEAD"):
            raise HTTPException(303, "the back-office is for head office", headers={"Location": "/staff"})
        raise NotFound("page", request.url.path)
    return p


HeadOffice = Annotated[Principal, Depends(head_office)]
# the one router of the back-office: each page module adds its routes to it (o2o.backoffice.pages)
router = APIRouter(include_in_schema=False, dependencies=[Depends(head_office)])


async def read_form(request: Request) -> FormData:
    """The posted form (already parsed by the guard for its CSRF check; parsed once per request)."""
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]


def text(form: Mapping[str, Any], name: str, limit: int = 500) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def query_int(raw: str | None, default: int | None = None, low: int = 1, high: int = 10**12) -> int | None:
    """A whole number from the query string, or `default` when absent or not a number in range."""
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        return default
    return value if low <= value <= high else default


def page_params(request: Request, size: int = 50) -> PageParams:
    q = request.query_params
    return PageParams(page=query_int(q.get("page"), 1, 1, 100_000) or 1,
                      size=query_int(q.get("size"), size, 1, MAX_PAGE_SIZE) or size)


def pages_of(total: int, size: int) -> int:
    return max(1, math.ceil(total / size))


_PRICE = re.compile(r"^\d{1,7}(\.\d{1,2})?$")


def yuan_to_fen(raw: str) -> int | None:
    """'12.9' -> 1290; None when it is not a price in yuan with at most two decimals."""
    raw = raw.strip().replace(",", "").lstrip("¥")
    if not _PRICE.match(raw):
        return None
    whole, _, cents = raw.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


def yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def error_key(err: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """A Pydantic error as one of the texts above (with its values)."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind == "missing" or (kind in ("string_too_short", "too_short") and ctx.get("min_length", 1) <= 1):
        return "err.required", {}
    if kind == "string_too_short":
        return "err.too_short", {"min": ctx.get("min_length", "")}
    if kind == "string_too_long":
        return "err.too_long", {"max": ctx.get("max_length", "")}
    if kind.startswith("int_"):
        return "err.number", {}
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return "err.range", {}
    if kind in ("literal_error", "enum"):
        return "err.choice", {}
    return "err.invalid", {}


def field_errors(exc: ValidationError, rename: Mapping[str, str] | None = None,
                 special: Mapping[str, str] | None = None) -> dict[str, tuple[str, dict[str, Any]]]:
    """field name in the form -> (text key, values); `special` names the one text that explains a
    field's rule (e.g. barcode -> err.barcode), shown for any failure but a missing value."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for err in exc.errors():
        loc = ".".join(str(x) for x in err.get("loc", ()) if not isinstance(x, int)) or "form"
        name = (rename or {}).get(loc, loc)
        key = error_key(err)
        if special and name in special and key[0] != "err.required":
            key = (special[name], {})
        out.setdefault(name, key)
    return out


def nav_for(p: Principal | None, path: str) -> list[dict[str, Any]]:
    items = []
    for key, href, action in NAV:
        if p is not None and p.can(action):
            current = path == href if href == "/admin" else path == href or path.startswith(href + "/")
            items.append({"key": key, "href": href, "current": current})
    return items


def page(request: Request, template: str, context: Mapping[str, Any], texts: Sequence[Texts] = (),
         status_code: int = 200) -> HTMLResponse:
    """Render a back-office page: shared texts and navigation, money formatting, never cached."""
    p = getattr(request.state, "principal", None)
    ctx = {"nav": nav_for(p, request.url.path), "yuan": yuan, "keep_lang": requested_locale(request) is not None,
           "errors": {}, **context}
    response = render(request, template, ctx, texts=[*texts, TEXTS], status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def not_found(request: Request, what_key: str, back: str, texts: Sequence[Texts] = ()) -> HTMLResponse:
    return page(request, "backoffice/not_found.html", {"what_key": what_key, "back": back}, texts, 404)


def location_names(locations: Sequence[Any], locale: str) -> dict[int, str]:
    return {loc.id: (loc.name_zh if locale == "zh-CN" else loc.name_en) for loc in locations}
