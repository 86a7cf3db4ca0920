"""A shopper cancels their order: unpaid, or paid and not picked yet (refunded through the payment
provider), with a reason from a list and their own words. The order page opens the form in a confirm
dialog; `/shop/orders/{number}/cancel` is the same form as a page (for browsers without dialogs)."""

from __future__ import annotations

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from o2o.deps import ContainerDep, PrincipalDep
from o2o.kernel.errors import IllegalTransition, NotFound
from o2o.orders import service as orders
from o2o.orders.exceptions import CancelTooLate
from o2o.orders.schemas import CANCEL_REASONS, CancelIn, OrderOut
from o2o.shop.common import not_found, page, see_other
from o2o.shop.history import _own
from o2o.shop.web import router

MAX_WORDS = 200


def _form_page(request: Request, c: ContainerDep, order: OrderOut, errors: dict[str, str] | None = None,
               form: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    ctx = {"order": order, "cancel_reasons": CANCEL_REASONS, "cancel_errors": errors or {},
           "cancel_form": form or {}}
    return page(request, c, "shop/cancel.html", ctx, status=status, no_store=True)


@router.get("/shop/orders/{number}/cancel", response_class=HTMLResponse)
def cancel_page(request: Request, c: ContainerDep, p: PrincipalDep, number: str) -> Response:
    try:
        order = _own(c, p, number)
    except NotFound:
        return not_found(request, c, "order")
    if order.status not in orders.SHOPPER_CANCELLABLE:
        return see_other(f"/shop/orders/{order.number}")
    return _form_page(request, c, order)


@router.post("/shop/orders/{number}/cancel")
def cancel(request: Request, c: ContainerDep, p: PrincipalDep, number: str, reason_code: str = Form(""),
           reason: str = Form("")) -> Response:
    try:
        order = _own(c, p, number)
    except NotFound:
        return not_found(request, c, "order")
    form = {"reason_code": reason_code[:40], "reason": reason[:MAX_WORDS + 50]}
    errors: dict[str, str] = {}
    if reason_code not in CANCEL_REASONS:
        errors["reason_code"] = "cancel.err.reason"
    if len(reason.strip()) > MAX_WORDS:
        errors["reason"] = "cancel.err.words"
    if not errors:
        body = CancelIn(reason_code=reason_code, reason=reason.strip())  # type: ignore[arg-type]
        try:
            orders.cancel_by_customer(c.uow(), order.number, p.id, body.note())
        except CancelTooLate:
            errors["form"] = "cancel.err.too_late"
        except IllegalTransition:
            errors["form"] = "cancel.err.ended"
        else:
            return see_other(f"/shop/orders/{order.number}?cancelled=1")
        order = orders.get(c.db, order.number)
    return _form_page(request, c, order, errors, form, status=409 if "form" in errors else 422)
