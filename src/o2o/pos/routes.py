"""The till API (`/api/v1/pos/...`): member and item look-ups, the bill, the sale and its receipt.

A till request carries two credentials: the terminal's integration key in `X-Api-Key` (an iam API key
bound to the store, scope pos:write, registered with `o2o pos add-terminal`) and the clerk's staff
access token in `Authorization: Bearer` (the clerk signs in through the staff sign-in). The guard
checks the clerk (pos:write); `current_till` then checks the key, its terminal (not disabled) and that
the clerk works at that store. A key alone, a customer's token or another store's clerk is refused.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import Field

from o2o.deps import ContainerDep, IdempotencyKey, PrincipalDep, Uow
from o2o.iam import admin as iam_admin
from o2o.kernel.auth import Principal
from o2o.kernel.ids import Id
from o2o.kernel.inputs import Input
from o2o.orders import service as orders
from o2o.pos import receipt, service
from o2o.pos.schemas import BasketIn, BillOut, ItemOut, MemberOut, NewTerminal, SaleIn, SaleOut, TerminalOut
from o2o.web.templating import locale_of

router = APIRouter(prefix="/api/v1/pos", tags=["pos"])
KEY_HEADER = "x-api-key"


def current_till(request: Request, c: ContainerDep, p: PrincipalDep) -> service.Till:
    """The till of a request: the terminal's key (X-Api-Key) and the signed-in clerk (Bearer)."""
    if p.kind != "staff":
        raise service.TillKeyRequired("a till request carries the clerk's staff token (Authorization: Bearer) and the "
                             "till's key (X-Api-Key)")
    key = request.headers.get(KEY_HEADER)
    if not key:
        raise service.TillKeyRequired("the till's key goes in X-Api-Key")
    found = iam_admin.principal_for_key(c.db, key, c.clock.now())
    if found is None:
        raise service.TillKeyRequired("the till's key is unknown, expired or revoked")
    return service.till_for(c.db, found[0], p)


TillDep = Annotated[service.Till, Depends(current_till)]


def _policy(c: ContainerDep) -> orders.OrderPolicy:
    return orders.OrderPolicy.from_settings(c.settings)


@router.get("/members", response_model=MemberOut, responses={404: {"description": "no such member"}})
def member(c: ContainerDep, till: TillDep, request: Request,
           phone: Annotated[str | None, Query(pattern=r"^1[3-9][0-9]{9}$")] = None,
           card: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
           code: Annotated[str | None, Query(min_length=1, max_length=64)] = None) -> MemberOut:
    """A member by phone, member card number or member QR (`code`, as scanned). Only the QR lets the till
    spend the member's points; the phone is masked."""
    return service.find_member(c.db, c.clock.now(), phone=phone, card=card, code=code, locale=locale_of(request))


@router.get("/items/{barcode}", response_model=ItemOut, responses={404: {"description": "no item has it"}})
def item(c: ContainerDep, till: TillDep, request: Request, barcode: str) -> ItemOut:
    """An item by barcode (EAN-13) or SKU code: the store's price at the till and what it may sell."""
    return service.item_by_barcode(c.db, till.location_id, barcode[:40], locale_of(request))


@router.post("/quotes", response_model=BillOut,
             responses={409: {"description": "not enough stock at the store"}})
def quote(c: ContainerDep, till: TillDep, request: Request, body: BasketIn) -> BillOut:
    """The bill of a basket from the same engines as online: tier prices, promotions, the coupons shown,
    the points (needs the member QR). Writes nothing."""
    return service.bill(c.db, _policy(c), till, body, c.clock.now(), locale_of(request))


@router.post("/sales", response_model=SaleOut, status_code=201,
             responses={409: {"description": "till-not-open: the till has no open session (nothing charged); "
                                             "till-sale-id-taken: the till_sale_id is another sale's; "
                                             "store-credit-short: the member's store credit does not cover "
                                             "the store_credit tender; "
                                             "not enough stock at the store, a coupon used meanwhile"},
                        402: {"description": "a WeChat Pay / Alipay tender was refused"}})
def sell(uow: Uow, c: ContainerDep, till: TillDep, body: SaleIn, idempotency_key: IdempotencyKey = None) -> SaleOut:
    """Ring up a sale: an order with channel pos at the till's store, paid by the tenders (they must add up
    to what is due: 422 naming `tenders`; cash `given_fen` -> change), completed at once: stock falls at the
    store, the member earns points, coupons are used once. A re-send with the same Idempotency-Key or the
    same till_sale_id answers the first sale. The till must be open (a till session): else 409 till-not-open.
    A `store_credit` tender spends the member's store credit (their member QR in `member_code`, else 422)."""
    return service.sell(uow, c.payments, _policy(c), till, body, idempotency_key)


def _sale_scope(request: Request, c: ContainerDep, p: Principal) -> int | None:
    """A till (key + clerk) sees its store's sales; without a key, a store's staff theirs, HQ any."""
    if request.headers.get(KEY_HEADER):
        return current_till(request, c, p).location_id
    if p.kind != "staff":
        raise service.TillRefused("a till's or a store's staff only")
    return p.store_id


@router.get("/sales/{sale_id}", response_model=SaleOut)
def get_sale(request: Request, c: ContainerDep, p: PrincipalDep, sale_id: Id) -> SaleOut:
    return service.sale(c.db, sale_id, _sale_scope(request, c, p))


@router.get("/sales/{sale_id}/receipt", response_class=HTMLResponse,
            responses={200: {"content": {"text/html": {}, "application/pdf": {}}}})
def get_receipt(request: Request, c: ContainerDep, p: PrincipalDep, sale_id: Id,
                format: Annotated[Literal["html", "pdf"], Query()] = "html") -> Response:
    """The printable receipt (80 mm roll): HTML to print from a browser, or `?format=pdf`."""
    sale = service.sale(c.db, sale_id, _sale_scope(request, c, p))
    data = receipt.data_of(c.db, sale, locale_of(request))
    if format == "pdf":
        return Response(receipt.pdf(data), media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="receipt-{sale.order_number}.pdf"',
                                 "Cache-Control": "no-store"})
    return receipt.html(request, data)


class TerminalIn(Input):
    location_id: Id
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field("", max_length=80)


@router.post("/terminals", response_model=NewTerminal, status_code=201)
def add_terminal(uow: Uow, p: PrincipalDep, body: TerminalIn) -> NewTerminal:
    """Register a till at a store; its integration key (shown once) is an API key bound to the store with
    the scope pos:write."""
    return service.add_terminal(uow, p, body.location_id, body.code, body.name)


@router.get("/terminals", response_model=list[TerminalOut])
def list_terminals(c: ContainerDep, location_id: Id | None = None) -> list[TerminalOut]:
    return service.terminals(c.db, location_id)
