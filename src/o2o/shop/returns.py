"""After-sales on the storefront: 申请退款/退货 on the customer's own order (items and how many, reason, photos,
bring them to any store or have a courier collect them, refund the way they paid or to store credit), and
the returns' progress on the order page (`progress`, called by the order page)."""

from __future__ import annotations

from typing import Any

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from o2o.couriers import view as courier_view
from o2o.deps import ContainerDep, PrincipalDep
from o2o.kernel.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from o2o.kernel.ids import Id
from o2o.locations import service as locations
from o2o.returns import service as returns
from o2o.returns.schemas import ReturnIn
from o2o.shop.common import not_found, page, see_other
from o2o.shop.history import _own
from o2o.shop.returns_texts import TEXTS
from o2o.shop.web import router
from o2o.web.templating import Translator, locale_of

REASONS = ("damaged", "wrong_item", "not_as_described", "quality", "changed_mind", "other")
MAX_WORDS = 200


def _form(request: Request, c: ContainerDep, p: PrincipalDep, number: str, errors: dict[str, str] | None = None,
          form: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    order = _own(c, p, number)
    lines = returns.returnable(c.db, order.number, p.id)
    stores = [s for s in locations.list_all(c.db, "store") if s.active]
    ctx = {"order": order, "lines": lines, "stores": stores, "reasons": REASONS, "errors": errors or {},
           "form": form or {"method": "store", "refund_to": "original", "qty": {}},
           "rt": Translator(locale_of(request), [TEXTS]), "can_credit": order.customer_id is not None,
           "pt": courier_view.pickup_translator(locale_of(request))}
    return page(request, c, "shop/return_new.html", ctx, status=status, no_store=True)


@router.get("/shop/orders/{number}/return", response_class=HTMLResponse)
def return_page(request: Request, c: ContainerDep, p: PrincipalDep, number: str) -> Response:
    try:
        return _form(request, c, p, number)
    except NotFound:
        return not_found(request, c, "order")


def _int(raw: str, high: int = 10_000) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 and int(raw) <= high else None


@router.post("/shop/orders/{number}/return", response_class=HTMLResponse)
def request_return(request: Request, c: ContainerDep, p: PrincipalDep, number: str,
                   line: list[str] = Form([]), qty: list[str] = Form([]), reason_code: str = Form(""),
                   reason: str = Form(""), method: str = Form("store"), location_id: str = Form(""),
                   refund_to: str = Form("original"), photos: list[UploadFile] = File([])) -> Response:
    try:
        order = _own(c, p, number)
    except NotFound:
        return not_found(request, c, "order")
    errors: dict[str, str] = {}
    wanted: dict[int, int] = {}
    typed: dict[str, str] = {}
    for raw_line, raw_qty in zip(line[:100], qty[:100], strict=False):
        line_id, n = _int(raw_line, 2**62), _int(raw_qty or "0")
        typed[raw_line[:20]] = raw_qty[:6]
        if line_id is None or n is None:
            errors["lines"] = "rt.err.qty"
        elif n > 0:
            wanted[line_id] = wanted.get(line_id, 0) + n
    if not wanted and "lines" not in errors:
        errors["lines"] = "rt.err.lines"
    if reason_code not in REASONS:
        errors["reason_code"] = "rt.err.reason"
    if len(reason.strip()) > MAX_WORDS:
        errors["reason"] = "rt.err.words"
    blobs = [f.file.read(returns.MAX_PHOTO_BYTES + 1) for f in photos[:returns.MAX_PHOTOS + 1] if f.filename]
    if len(blobs) > returns.MAX_PHOTOS or any(returns.photo_type(b) is None or len(b) > returns.MAX_PHOTO_BYTES
                                              for b in blobs):
        errors["photos"] = "rt.err.photo"
    store = _int(location_id, 2**62) if location_id else None
    form = {"qty": typed, "reason_code": reason_code[:30], "reason": reason[:MAX_WORDS + 50],
            "method": method if method in ("store", "courier") else "store", "location_id": location_id[:20],
            "refund_to": refund_to if refund_to in ("original", "store_credit") else "original"}
    if not errors:
        try:
            body = ReturnIn(order_number=order.number, reason_code=reason_code, reason=reason.strip(),  # type: ignore[arg-type]
                            method=form["method"], location_id=store, refund_to=form["refund_to"],
                            lines=[{"order_line_id": k, "quantity": q} for k, q in wanted.items()])
            made = returns.request(c.uow(), body, f"customer:{p.id}", customer_id=p.id, photos=blobs)
        except returns.ReturnTooLarge:
            errors["lines"] = "rt.err.taken"
        except returns.NotReturnable:
            errors["form"] = "rt.err.not_returnable"
        except returns.NeedsMember:
            errors["refund_to"] = "rt.err.credit"
        except InvalidInput:  # a photo the quick check above let through
            errors["photos"] = "rt.err.photo"
        except (NotFound, ValueError):
            errors["lines"] = "rt.err.qty"
        else:
            return see_other(f"/shop/orders/{order.number}?returned={made.number}#returns")
    status = 409 if "form" in errors or errors.get("lines") == "rt.err.taken" else 422
    return _form(request, c, p, order.number, errors, form, status)


@router.post("/shop/returns/{return_id}/cancel")
def withdraw(request: Request, c: ContainerDep, p: PrincipalDep, return_id: Id) -> Response:
    try:
        r = returns.cancel_by_customer(c.uow(), return_id, p.id)
    except NotFound:
        return not_found(request, c, "return")
    except (IllegalTransition, Conflict):
        r = returns.get_by_id(c.db, return_id)
        if r.customer_id != p.id:
            return not_found(request, c, "return")
    return see_other(f"/shop/orders/{r.order_number}#returns")
