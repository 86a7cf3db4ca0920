"""Order pages (orders:read): search every order of the chain, and one order with its whole history,
its fulfilments' history and the routing reason. Staff never see pickup codes here: they are the
customer's proof at the counter."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from o2o.analytics import service as analytics
from o2o.analytics.schemas import OrderFilter
from o2o.backoffice.common import (
    location_names,
    not_found,
    page,
    page_params,
    pages_of,
    query_int,
    router,
)
from o2o.deps import ContainerDep
from o2o.fulfillment import service as fulfillment
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.errors import NotFound
from o2o.locations import service as locations
from o2o.orders import service as orders
from o2o.web.templating import Texts, locale_of

STATUSES = ("pending_payment", "paid", "picking", "ready", "shipped", "completed", "cancelled", "expired")
CHANNELS = ("h5", "pc", "app", "miniprogram", "wechat", "douyin", "api", "pos")
MODES = ("pickup", "store_delivery", "parcel")

TEXTS: Texts = {
    "en": {
        "orders.title": "Orders",
        "orders.lead": "Every order of the chain, online and at the till, newest first.",
        "orders.filters": "Search orders",
        "orders.number": "Order number",
        "orders.number.hint": "The whole number or its start, e.g. SO20261124",
        "orders.status": "Status",
        "orders.store": "Store or warehouse",
        "orders.channel": "Channel",
        "orders.mode": "Fulfilment",
        "orders.from": "Placed from",
        "orders.to": "Placed until",
        "orders.date.hint": "Shanghai date, inclusive",
        "orders.bad.order": "The end is before the start.",
        "orders.invalid": "Some filters are not valid:",
        "orders.none": "There are no orders yet.",
        "orders.col.number": "Order",
        "orders.col.placed": "Placed",
        "orders.col.status": "Status",
        "orders.col.channel": "Channel",
        "orders.col.mode": "Fulfilment",
        "orders.col.store": "Fulfilled by",
        "orders.col.total": "Total",
        "order.what": "order",
        "order.title": "Order {number}",
        "order.summary": "Summary",
        "order.customer": "Customer",
        "order.customer.none": "walk-in (till)",
        "order.channel": "Channel",
        "order.wanted": "Mode asked for",
        "order.mode": "Mode routed",
        "order.chosen": "Store chosen by the customer",
        "order.fulfil": "Fulfilled by",
        "order.distance": "Distance",
        "order.route": "Routing reason",
        "order.placed": "Placed",
        "order.paid": "Paid",
        "order.expires": "Pays by",
        "order.not_paid": "not paid",
        "order.lines": "Lines",
        "order.col.sku": "SKU",
        "order.col.item": "Item",
        "order.col.qty": "Qty",
        "order.col.price": "Unit price",
        "order.col.total": "Line total",
        "order.subtotal": "Subtotal",
        "order.fee": "Delivery fee",
        "order.discount": "Discount",
        "order.total": "Total",
        "order.history": "Order history",
        "order.history.from": "{src} → {dst}",
        "order.history.start": "→ {dst}",
        "order.by": "by {actor}",
        "order.fulfilments": "Fulfilment",
        "order.fulfilments.none": "No fulfilment yet (orders get one when paid; till sales need none).",
        "order.fulfilment": "Fulfilment #{id} · {mode} at {store}",
        "order.fulfilment.reason": "Why here",
        "order.fulfilment.ready": "Ready at",
        "order.fulfilment.closed": "Closed at",
        "order.fulfilment.code": "The pickup code is shown to the customer only.",
        "order.metres": "{m} m",
    },
    "zh-CN": {
        "orders.title": "订单",
        "orders.lead": "全链的每一笔订单，含线上和门店收银，最新的在前。",
        "orders.filters": "搜索订单",
        "orders.number": "订单号",
        "orders.number.hint": "完整订单号或其开头，例如 SO20261124",
        "orders.status": "状态",
        "orders.store": "门店或仓库",
        "orders.channel": "渠道",
        "orders.mode": "履约方式",
        "orders.from": "下单日期起",
        "orders.to": "下单日期止",
        "orders.date.hint": "上海日期，含当天",
        "orders.bad.order": "结束日期早于开始日期。",
        "orders.invalid": "以下筛选条件无效：",
        "orders.none": "还没有订单。",
        "orders.col.number": "订单",
        "orders.col.placed": "下单时间",
        "orders.col.status": "状态",
        "orders.col.channel": "渠道",
        "orders.col.mode": "履约方式",
        "orders.col.store": "履约门店",
        "orders.col.total": "金额",
        "order.what": "订单",
        "order.title": "订单 {number}",
        "order.summary": "概要",
        "order.customer": "顾客",
        "order.customer.none": "散客（门店收银）",
        "order.channel": "渠道",
        "order.wanted": "顾客选择的方式",
        "order.mode": "路由结果",
        "order.chosen": "顾客选择的门店",
        "order.fulfil": "履约门店",
        "order.distance": "距离",
        "order.route": "路由原因",
        "order.placed": "下单时间",
        "order.paid": "支付时间",
        "order.expires": "支付截止",
        "order.not_paid": "未支付",
        "order.lines": "商品明细",
        "order.col.sku": "SKU",
        "order.col.item": "商品",
        "order.col.qty": "数量",
        "order.col.price": "单价",
        "order.col.total": "小计",
        "order.subtotal": "商品金额",
        "order.fee": "配送费",
        "order.discount": "优惠",
        "order.total": "合计",
        "order.history": "订单历史",
        "order.history.from": "{src} → {dst}",
        "order.history.start": "→ {dst}",
        "order.by": "操作人 {actor}",
        "order.fulfilments": "履约",
        "order.fulfilments.none": "还没有履约单（订单支付后生成；门店收银无需履约）。",
        "order.fulfilment": "履约单 #{id} · {store} {mode}",
        "order.fulfilment.reason": "分配原因",
        "order.fulfilment.ready": "备好时间",
        "order.fulfilment.closed": "结束时间",
        "order.fulfilment.code": "取件码只向顾客本人展示。",
        "order.metres": "{m} 米",
    },
}
FIELDS = ("number", "status", "store", "channel", "mode", "from", "to")


def _date(raw: str, name: str, errors: dict[str, Any]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = ("err.date", {})
        return None


def _filters(request: Request) -> tuple[OrderFilter, dict[str, str], dict[str, Any]]:
    q = request.query_params
    form = {name: (q.get(name) or "").strip()[:40] for name in FIELDS}
    errors: dict[str, Any] = {}
    first, last = _date(form["from"], "from", errors), _date(form["to"], "to", errors)
    if first and last and last < first:
        errors["to"] = ("orders.bad.order", {})
    for name, allowed in (("status", STATUSES), ("channel", CHANNELS), ("mode", MODES)):
        if form[name] and form[name] not in allowed:
            errors[name] = ("err.choice", {})
    f = OrderFilter(
        number=form["number"] or None, status=form["status"] or None, channel=form["channel"] or None,
        mode=form["mode"] or None, location_id=query_int(form["store"]),
        since=datetime.combine(first, time(0), SHANGHAI) if first else None,
        until=datetime.combine(last + timedelta(days=1), time(0), SHANGHAI) if last else None)
    return f, form, errors


@router.get("/admin/orders", response_class=HTMLResponse)
def order_list(request: Request, c: ContainerDep) -> HTMLResponse:
    locale = locale_of(request)
    f, form, errors = _filters(request)
    params = page_params(request)
    found = analytics.search_orders(c.db, f, params) if not errors else None
    locs = locations.list_all(c.db)
    names = location_names(locs, locale)
    ctx = {"form": form, "errors": errors, "page": found, "pages": pages_of(found.total, found.size) if found else 1,
           "names": names, "stores": [(loc.id, f"{names[loc.id]} · {loc.code}") for loc in locs],
           "statuses": STATUSES, "channels": CHANNELS, "modes": MODES, "filtered": any(form.values())}
    return page(request, "backoffice/orders.html", ctx, [TEXTS], 422 if errors else 200)


@router.get("/admin/orders/{number}", response_class=HTMLResponse)
def order_page(request: Request, c: ContainerDep, number: str) -> HTMLResponse:
    try:
        order = orders.get(c.db, number.strip().upper()[:24])
    except NotFound:
        return not_found(request, "order.what", "/admin/orders", [TEXTS])
    locale = locale_of(request)
    names = location_names(locations.list_all(c.db), locale)
    # the pickup code stays with the customer: dropped here, before anything reaches the template
    shown = order.model_dump(exclude={"pickup_code"})
    fulfilments = [fulfillment.get(c.db, fid).model_dump(exclude={"pickup_code"}) for fid in order.fulfillment_ids]
    ctx = {"order": shown, "fulfilments": fulfilments, "names": names}
    return page(request, "backoffice/order.html", ctx, [TEXTS])
