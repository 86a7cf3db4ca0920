"""Order pages (orders:read): search every order of the chain, and one order with its whole history,
its fulfilments' history and the routing reason. Staff never see pickup codes here: they are the
customer's proof at the counter."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from o2o.analytics import service as analytics
from o2o.analytics.schemas import OrderFilter
from o2o.backoffice.common import TEXTS as COMMON_TEXTS
from o2o.backoffice.common import (
    FormDep,
    HeadOffice,
    location_names,
    not_found,
    page,
    page_params,
    pages_of,
    query_int,
    router,
    text,
)
from o2o.customers import service as customers
from o2o.deps import ContainerDep, Uow
from o2o.fulfillment import service as fulfillment
from o2o.inventory.exceptions import InsufficientStock
from o2o.kernel import pii
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.errors import IllegalTransition, InvalidInput, NotFound
from o2o.locations import service as locations
from o2o.orders import service as orders
from o2o.web.templating import Texts, Translator, locale_of

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
        "order.customer.profile": "Member profile",
        "order.customer.masked": "Masked here; the member profile shows more to those allowed to see it.",
        "order.actions": "Actions",
        "order.actions.none": "Nothing can be done to this order from here any more.",
        "act.reason": "Reason",
        "act.reason.hint": "Kept in the order's history and the audit log.",
        "act.cancel": "Cancel the order",
        "act.cancel.lead": "The reserved stock goes back on sale and the fulfilment stops.",
        "act.cancel.refund": "The customer paid {amount}: it is refunded through the payment provider.",
        "act.cancel.go": "Cancel and refund",
        "act.cancel.go_unpaid": "Cancel the order",
        "act.reissue": "Resend the pickup code",
        "act.reissue.lead": "A new code replaces the old one (which stops working) and is sent to the customer.",
        "act.reissue.go": "Send a new code",
        "act.reassign": "Move to another store",
        "act.reassign.lead": "Before the store has started: the reservation moves to the new store in one step, "
                             "refused if it has not got every line; the customer is told.",
        "act.reassign.store": "New store",
        "act.reassign.go": "Move the order",
        "act.none_to": "No other location can serve this order.",
        "done.cancelled": "The order is cancelled.",
        "done.refund": "The order is cancelled; the refund has been asked of the payment provider.",
        "done.reissued": "A new pickup code has been sent to the customer.",
        "done.reassigned": "The order now goes to {store}; the customer is told.",
        "err.stock": "This store has not got every line of the order in stock.",
        "err.too_late": "Too late: the order is {status} now.",
        "err.cannot_serve": "This store cannot serve the order (service or delivery radius).",
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
        "order.customer.profile": "会员档案",
        "order.customer.masked": "此处已脱敏；有权限的人员可在会员档案中查看更多。",
        "order.actions": "操作",
        "order.actions.none": "此订单已无法在这里操作。",
        "act.reason": "原因",
        "act.reason.hint": "记入订单历史和审计日志。",
        "act.cancel": "取消订单",
        "act.cancel.lead": "预留的库存重新上架销售，履约停止。",
        "act.cancel.refund": "顾客已支付 {amount}，将通过支付渠道原路退款。",
        "act.cancel.go": "取消并退款",
        "act.cancel.go_unpaid": "取消订单",
        "act.reissue": "重发取件码",
        "act.reissue.lead": "生成新的取件码（旧码作废）并发送给顾客。",
        "act.reissue.go": "发送新取件码",
        "act.reassign": "改派到其他门店",
        "act.reassign.lead": "门店尚未开始处理时可改派：预留库存一次性转到新门店，新门店缺货则拒绝；系统会通知顾客。",
        "act.reassign.store": "新门店",
        "act.reassign.go": "改派订单",
        "act.none_to": "没有其他门店可以履约此订单。",
        "done.cancelled": "订单已取消。",
        "done.refund": "订单已取消，已向支付渠道发起退款。",
        "done.reissued": "新的取件码已发送给顾客。",
        "done.reassigned": "订单已改由 {store} 履约，并已通知顾客。",
        "err.stock": "该门店没有此订单所有商品的库存。",
        "err.too_late": "来不及了：订单现在是“{status}”状态。",
        "err.cannot_serve": "该门店无法履约此订单（服务类型或配送范围）。",
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


CANCELLABLE = ("pending_payment", "paid", "picking", "ready")
REASSIGNABLE = ("pending_payment", "paid")
DONE = ("cancelled", "refund", "reissued", "reassigned")


def _servable(order: Any, loc: Any) -> bool:
    """Whether the location offers the order's mode (the service checks the delivery radius too)."""
    if loc.id == order.fulfil_location_id or loc.online_paused:
        return False
    if order.mode == "pickup":
        return loc.kind == "store" and loc.can_pickup
    if order.mode == "store_delivery":
        return loc.kind == "store" and loc.can_store_delivery
    return loc.kind == "warehouse" or loc.can_parcel


def _order_page(request: Request, c: ContainerDep, number: str, errors: dict[str, Any] | None = None,
                form: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    try:
        order = orders.get(c.db, number.strip().upper()[:24])
    except NotFound:
        return not_found(request, "order.what", "/admin/orders", [TEXTS])
    locale = locale_of(request)
    locs = locations.list_all(c.db)
    names = location_names(locs, locale)
    p = request.state.principal
    # the pickup code stays with the customer: dropped here, before anything reaches the template
    shown = order.model_dump(exclude={"pickup_code"})
    fulfilments = [fulfillment.get(c.db, fid).model_dump(exclude={"pickup_code"}) for fid in order.fulfillment_ids]
    started = any(f["status"] not in ("new", "cancelled") for f in fulfilments)
    customer = None
    if order.customer_id:
        try:
            who = customers.get(c.db, order.customer_id)
            customer = {"id": who.id, "name": pii.mask_name(who.name) or "", "phone": pii.mask_phone(who.phone) or "",
                        "profile": p.can("customers:read")}
        except NotFound:
            customer = {"id": order.customer_id, "name": "", "phone": "", "profile": False}
    actions = {
        "cancel": p.can("orders:write") and order.status in CANCELLABLE,
        "reissue": [f["id"] for f in fulfilments if f["mode"] == "pickup" and f["status"] == "ready"]
        if p.can("fulfillment:reissue") else [],
        "reassign": p.can("orders:write") and order.status in REASSIGNABLE and not started,
    }
    targets = [(loc.id, f"{names[loc.id]} · {loc.code}") for loc in locs if _servable(order, loc)]
    done = request.query_params.get("done")
    ctx = {"order": shown, "fulfilments": fulfilments, "names": names, "customer": customer, "actions": actions,
           "targets": targets, "paid_fen": order.total_fen if order.paid_at else None, "errors": errors or {},
           "form": form or {}, "done": done if done in DONE else None,
           "done_store": names.get(order.fulfil_location_id, "")}
    return page(request, "backoffice/order.html", ctx, [TEXTS], status)


@router.get("/admin/orders/{number}", response_class=HTMLResponse)
def order_page(request: Request, c: ContainerDep, number: str) -> HTMLResponse:
    return _order_page(request, c, number)


def _status_name(request: Request, exc: IllegalTransition) -> str:
    status = str(exc.extra.get("current_status", ""))
    return Translator(locale_of(request), [COMMON_TEXTS])(f"status.{status}") if status in STATUSES else status


def _back(number: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/admin/orders/{number}?done={done}#actions", status_code=303)


def _reason(form: Any, errors: dict[str, Any], name: str) -> str:
    reason = text(form, name, 400)
    if not reason:
        errors[name] = ("err.required", {})
    elif len(reason) > 200:
        errors[name] = ("err.too_long", {"max": 200})
    return reason


@router.post("/admin/orders/{number}/cancel", response_class=HTMLResponse)
def cancel_order(request: Request, c: ContainerDep, uow: Uow, p: HeadOffice, form: FormDep, number: str) -> Response:
    """Cancel with a reason (orders:write): the stock is released, a paid order refunded (the existing
    order.refund_needed event, handled by the payment adapter)."""
    errors: dict[str, Any] = {}
    reason = _reason(form, errors, "cancel_reason")
    values = {"cancel_reason": reason}
    if errors:
        return _order_page(request, c, number, errors, values, 422)
    try:
        out = orders.cancel(uow, number.strip().upper()[:24], p.actor, reason)
    except NotFound:
        return not_found(request, "order.what", "/admin/orders", [TEXTS])
    except IllegalTransition as exc:
        errors["cancel_reason"] = ("err.too_late", {"status": _status_name(request, exc)})
        return _order_page(request, c, number, errors, values, 409)
    return _back(out.number, "refund" if out.paid_at else "cancelled")


@router.post("/admin/orders/{number}/reissue", response_class=HTMLResponse)
def reissue_code(request: Request, c: ContainerDep, uow: Uow, p: HeadOffice, form: FormDep, number: str) -> Response:
    """Resend the pickup code (fulfillment:reissue): the fulfilment must be this order's, ready, pickup."""
    try:
        order = orders.get(c.db, number.strip().upper()[:24])
    except NotFound:
        return not_found(request, "order.what", "/admin/orders", [TEXTS])
    fid = query_int(text(form, "fulfillment_id", 20))
    if fid is None or fid not in order.fulfillment_ids:
        raise NotFound("fulfillment", text(form, "fulfillment_id", 20))
    try:
        fulfillment.reissue_code(uow, fid, p.actor)
    except IllegalTransition:
        return _order_page(request, c, number, {"fulfillment_id": ("err.too_late", {"status": "?"})}, {}, 409)
    return _back(order.number, "reissued")


@router.post("/admin/orders/{number}/reassign", response_class=HTMLResponse)
def reassign_order(request: Request, c: ContainerDep, uow: Uow, p: HeadOffice, form: FormDep,
                   number: str) -> Response:
    """Move the order to another store (orders:write): one transaction, refused when the store has not
    got every line; the customer is told (order.reassigned)."""
    errors: dict[str, Any] = {}
    values = {"location_id": text(form, "location_id", 20), "reassign_reason": text(form, "reassign_reason", 400)}
    location_id = query_int(values["location_id"])
    if location_id is None:
        errors["location_id"] = ("err.choice", {})
    reason = _reason(form, errors, "reassign_reason")
    if errors:
        return _order_page(request, c, number, errors, values, 422)
    try:
        out = orders.reassign(uow, number.strip().upper()[:24], location_id or 0, p.actor, reason)
    except NotFound:
        return not_found(request, "order.what", "/admin/orders", [TEXTS])
    except InsufficientStock:
        return _order_page(request, c, number, {"location_id": ("err.stock", {})}, values, 409)
    except InvalidInput:
        return _order_page(request, c, number, {"location_id": ("err.cannot_serve", {})}, values, 422)
    except IllegalTransition as exc:
        errors["location_id"] = ("err.too_late", {"status": _status_name(request, exc)})
        return _order_page(request, c, number, errors, values, 409)
    return _back(out.number, "reassigned")
