"""POS-lite: ring up a sale in the browser at the store's console till (code WEB, no key: the clerk's own
sign-in, pos:write, their store only).

Scan (a barcode scanner types into the barcode field) or type each item's barcode, change quantities with
the steppers, add the member by the member QR (the console's camera scan block) or by phone or card,
apply coupon codes and points, see the engine's bill with every discount explained, take the tenders
(cash given -> change; the member's store credit when their QR was scanned: the member panel shows the
balance) and finish; then print the receipt (the HTML receipt of the till API).

A sale needs the WEB till open (a till session, opened on the console's till page): while it is not, the
page says so and links there instead of offering to scan and take payment; a sale refused because the till
closed meanwhile (409 till-not-open) shows that message with the basket kept.

The basket lives in a signed, HttpOnly cookie scoped to this store's POS path (the clerk's id inside: it
is nobody else's); every action is a POST that changes it and shows the page again. A member scanned by
QR is marked present in it (the QR was checked then), which lets the sale spend their points.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

import orjson
from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from o2o.console.common import page, redirect, router, say, store_in_scope
from o2o.console.coupons import yuan_to_fen
from o2o.console.credit_texts import TEXTS as CREDIT_TEXTS
from o2o.console.members import MEMBER_QR_PREFIX, find
from o2o.console.texts import TEXTS
from o2o.customers import service as customers
from o2o.deps import Container, ContainerDep, PrincipalDep
from o2o.iam import service as iam
from o2o.kernel.auth import Principal
from o2o.kernel.errors import InvalidInput, Problem
from o2o.kernel.ids import Id
from o2o.kernel.money import format_cny
from o2o.locations.schemas import LocationOut
from o2o.orders import service as orders
from o2o.pos import service as pos
from o2o.pos.schemas import BasketIn, SaleIn
from o2o.web.templating import locale_of

COOKIE = "o2o_pos"
MAX_LINES = 50
PRESENT_S = 30 * 60  # a member QR scanned counts for the sale for half an hour

for _lang, _texts in CREDIT_TEXTS.items():  # the console's texts gain the store-credit tender's
    TEXTS[_lang].update(_texts)  # type: ignore[index]


def _mac(c: Container, body: bytes) -> str:
    return hmac.new(iam.secret_key(c.settings, "pos-basket"), body, hashlib.sha256).hexdigest()[:32]


def _empty(p: Principal, store_id: int) -> dict[str, Any]:
    return {"u": p.id, "l": store_id, "lines": [], "m": None, "pa": None, "pt": None, "c": []}


def _state(request: Request, c: Container, p: Principal, store_id: int) -> dict[str, Any]:
    raw = request.cookies.get(COOKIE, "")
    body, _, mac = raw.rpartition(".")
    try:
        data = base64.urlsafe_b64decode(body.encode()) if body else b""
        if data and hmac.compare_digest(mac, _mac(c, data)):
            state = orjson.loads(data)
            if state.get("u") == p.id and state.get("l") == store_id:
                return state
    except (ValueError, orjson.JSONDecodeError):
        pass
    return _empty(p, store_id)


def _save(response: Response, c: Container, store_id: int, state: dict[str, Any]) -> Response:
    data = orjson.dumps(state)
    response.set_cookie(COOKIE, base64.urlsafe_b64encode(data).decode() + "." + _mac(c, data), httponly=True,
                        secure=c.settings.https, samesite="strict", path=f"/console/{store_id}/pos")
    return response


def _present(c: Container, state: dict[str, Any]) -> int | None:
    at = state.get("pa")
    if state.get("m") and at and 0 <= c.clock.now().timestamp() - at <= PRESENT_S:
        return int(state["m"])
    return None


def _by_member_code(c: Container, text: str) -> int | None:
    """The member a valid member code names (the QR, with or without its prefix; this minute's or the last):
    the only look-up that proves the member is at the till. None for a phone, a card number or a stale code."""
    code = text.strip().replace(" ", "")
    code = code[len(MEMBER_QR_PREFIX):] if code.startswith(MEMBER_QR_PREFIX) else code
    return customers.find_member(c.db, code=code, now=c.clock.now()) if code else None


def _basket(state: dict[str, Any]) -> BasketIn | None:
    if not state["lines"]:
        return None
    return BasketIn(lines=[{"sku_id": sku, "quantity": q} for sku, q in state["lines"]], customer_id=state["m"],
                    coupon_codes=state["c"], points=state["pt"])


def _problem_text(request: Request, exc: Problem) -> str:
    if exc.status == 409 and exc.kind in ("insufficient-stock", "plan-unavailable"):
        return say(request, "pos.bad.stock")
    if exc.kind == "till-not-open":
        return say(request, "pos.till.closed")
    if exc.kind == "store-credit-short":
        return say(request, "pos.credit.short")  # the member panel shows what is left
    return say(request, "pos.bad.other", detail=str(exc.detail or exc.kind))


def _show(request: Request, c: ContainerDep, p: Principal, store: LocationOut, state: dict[str, Any],
          error: str | None = None, status_code: int = 200, sale: Any = None) -> Response:
    till = pos.console_till(c.uow(), store.id, p)
    locale = locale_of(request)
    till_open = pos.till_session_id(c.db, till.terminal_id) is not None  # else: no sale here, open the till first
    refused_closed = not till_open and error == say(request, "pos.till.closed")
    if refused_closed:
        error = None  # the till's notice says it, with the link to open it; the basket stays
    bill = member = None
    basket = _basket(state)
    if basket is not None and error is None:
        try:
            bill = pos.bill(c.db, orders.OrderPolicy.from_settings(c.settings), till, basket, c.clock.now(), locale,
                            present=_present(c, state))
        except Problem as exc:
            error, status_code = _problem_text(request, exc), 409 if exc.status == 409 else 422
    if state["m"]:
        try:
            member = pos.find_member_by_id(c.db, int(state["m"]), c.clock.now(), locale)
        except Problem:
            member = None
    names = {ln.sku_id: ln for ln in bill.lines} if bill else {}
    context = {"state": state, "bill": bill, "member": member, "present": _present(c, state) is not None,
               "till_open": till_open, "till_id": till.terminal_id, "refused_closed": refused_closed,
               "names": names, "error": error, "sale": sale, "money": format_cny, "qr_prefix": MEMBER_QR_PREFIX,
               "till_sale_id": f"WEB-{secrets.token_hex(8)}", "en": not locale.startswith("zh")}
    response = page(request, p, store, "console/pos.html", context, section="pos", status_code=status_code)
    return _save(response, c, store.id, state)


@router.get("/console/{location_id}/pos", response_class=HTMLResponse)
def pos_page(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id, sale: int | None = None) -> Response:
    store = store_in_scope(c, p, location_id)
    done = None
    if sale is not None and 0 < sale < 2**63:
        try:
            done = pos.sale(c.db, sale, store.id)
        except Problem:
            done = None
    return _show(request, c, p, store, _state(request, c, p, store.id), sale=done)


@router.post("/console/{location_id}/pos/add", response_class=HTMLResponse)
def add_item(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id, barcode: str = Form("")) -> Response:
    store = store_in_scope(c, p, location_id)
    state = _state(request, c, p, store.id)
    code = barcode.strip()[:40]
    try:
        item = pos.item_by_barcode(c.db, store.id, code, locale_of(request)) if code else None
    except Problem:
        item = None
    if item is None:
        return _show(request, c, p, store, state, say(request, "pos.bad.barcode", code=code or "—"), 422)
    lines = dict((int(k), int(v)) for k, v in state["lines"])
    if item.sku_id not in lines and len(lines) >= MAX_LINES:
        return _show(request, c, p, store, state, say(request, "pos.bad.other", detail=f"max {MAX_LINES}"), 422)
    lines[item.sku_id] = min(999, lines.get(item.sku_id, 0) + 1)
    state["lines"] = [[k, v] for k, v in lines.items()]
    return _save(redirect(f"/console/{store.id}/pos"), c, store.id, state)


@router.post("/console/{location_id}/pos/qty", response_class=HTMLResponse)
def change_qty(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id, sku: str = Form(""),
               delta: str = Form("")) -> Response:
    store = store_in_scope(c, p, location_id)
    state = _state(request, c, p, store.id)
    step = {"-1": -1, "1": 1}.get(delta.strip(), 0)
    lines = [[k, min(999, v + (step if str(k) == sku.strip() else 0))] for k, v in state["lines"]]
    state["lines"] = [[k, v] for k, v in lines if v > 0]
    return _save(redirect(f"/console/{store.id}/pos"), c, store.id, state)


@router.post("/console/{location_id}/pos/member", response_class=HTMLResponse)
def set_member(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id, q: str = Form(""),
               scan: str = Form(""), points: str = Form(""), remove: str = Form("")) -> Response:
    store = store_in_scope(c, p, location_id)
    state = _state(request, c, p, store.id)
    if remove:
        state.update(m=None, pa=None, pt=None)
    elif points.strip() or "points" in request.query_params:
        n = points.strip()
        state["pt"] = int(n) if n.isascii() and n.isdigit() and 0 < int(n) <= 10**9 else None
    else:
        text = (scan or q).strip()
        found = find(c, text)
        if found is None:
            return _show(request, c, p, store, state, say(request, "pos.bad.member"), 422)
        by_qr = _by_member_code(c, text) == found  # a card number shaped like a code (M-1001) is no QR
        state.update(m=found, pa=c.clock.now().timestamp() if by_qr else None, pt=None)
    return _save(redirect(f"/console/{store.id}/pos"), c, store.id, state)


@router.post("/console/{location_id}/pos/coupon", response_class=HTMLResponse)
def coupon(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id, code: str = Form(""),
           remove: str = Form("")) -> Response:
    store = store_in_scope(c, p, location_id)
    state = _state(request, c, p, store.id)
    if remove:
        state["c"] = [x for x in state["c"] if x != remove]
    else:
        code = code.strip().replace(" ", "")[:40]
        if not code or len(state["c"]) >= 5:
            return _show(request, c, p, store, state, say(request, "pos.bad.coupon"), 422)
        if code not in state["c"]:
            trial = {**state, "c": [*state["c"], code]}
            basket = _basket(trial)
            if basket is not None:
                try:
                    pos.bill(c.db, orders.OrderPolicy.from_settings(c.settings), pos.console_till(c.uow(), store.id, p),
                             basket, c.clock.now(), present=_present(c, trial))
                except InvalidInput:
                    return _show(request, c, p, store, state, say(request, "pos.bad.coupon"), 422)
                except Problem:
                    pass  # stock and the like: the page says so with the coupon in
            state["c"] = trial["c"]
    return _save(redirect(f"/console/{store.id}/pos"), c, store.id, state)


@router.post("/console/{location_id}/pos/clear", response_class=HTMLResponse)
def clear(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id) -> Response:
    store = store_in_scope(c, p, location_id)
    return _save(redirect(f"/console/{store.id}/pos"), c, store.id, _empty(p, store.id))


@router.post("/console/{location_id}/pos/finish", response_class=HTMLResponse)
def finish(request: Request, c: ContainerDep, p: PrincipalDep, location_id: Id, till_sale_id: str = Form(""),
           cash: str = Form(""), card: str = Form(""), wechat: str = Form(""), alipay: str = Form(""),
           store_credit: str = Form("")) -> Response:
    store = store_in_scope(c, p, location_id)
    state = _state(request, c, p, store.id)
    basket = _basket(state)
    if basket is None:
        return _show(request, c, p, store, state, say(request, "pos.basket.empty"), 422)
    amounts = {}
    for kind, raw in (("store_credit", store_credit), ("card", card), ("wechat", wechat), ("alipay", alipay),
                      ("cash", cash)):
        fen = yuan_to_fen(raw) if raw.strip() else 0
        if fen is None:
            return _show(request, c, p, store, state, say(request, "pos.bad.money"), 422)
        amounts[kind] = fen
    till = pos.console_till(c.uow(), store.id, p)
    policy = orders.OrderPolicy.from_settings(c.settings)
    present = _present(c, state)
    if amounts["store_credit"] and present is None:  # the member's QR was not scanned (or long ago)
        return _show(request, c, p, store, state, say(request, "pos.credit.qr"), 422)
    try:
        due = pos.bill(c.db, policy, till, basket, c.clock.now(), present=present).due_fen
        others = amounts["store_credit"] + amounts["card"] + amounts["wechat"] + amounts["alipay"]
        cash_part = due - others
        if cash_part < 0 or amounts["cash"] < cash_part:
            paid = others + amounts["cash"]
            return _show(request, c, p, store, state, say(request, "pos.bad.tenders",
                                                          detail=f"{format_cny(paid)} / {format_cny(due)}"), 422)
        tenders = [{"kind": k, "amount_fen": amounts[k]} for k in ("store_credit", "card", "wechat", "alipay")
                   if amounts[k]]
        if cash_part > 0:
            tenders.append({"kind": "cash", "amount_fen": cash_part, "given_fen": amounts["cash"]})
        sale = pos.sell(c.uow(), c.payments, policy, till,
                        SaleIn(**basket.model_dump(), till_sale_id=till_sale_id[:64] or f"WEB-{secrets.token_hex(8)}",
                               tenders=tenders), present=present)
    except Problem as exc:
        return _show(request, c, p, store, state, _problem_text(request, exc), 409 if exc.status == 409 else 422)
    except ValidationError as exc:  # a form field no page of ours sends (e.g. a tampered till sale id)
        where = ".".join(str(x) for x in exc.errors()[0]["loc"]) if exc.errors() else "form"
        return _show(request, c, p, store, state, say(request, "pos.bad.other", detail=where), 422)
    return _save(redirect(f"/console/{store.id}/pos", sale=sale.id), c, store.id, _empty(p, store.id))
