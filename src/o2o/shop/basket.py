"""The cart page and its forms: add, change a quantity, remove. The cart lives on the server."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.cart.service import MAX_QUANTITY
from o2o.catalog import service as catalog
from o2o.deps import ContainerDep, MaybePrincipal, Uow
from o2o.kernel.errors import InvalidInput
from o2o.loyalty import service as loyalty
from o2o.shop import availability, quickbuy
from o2o.shop.browse import product_page
from o2o.shop.common import chosen_store, owner_of, page, parse_int, remember_cart, safe_next, see_other
from o2o.shop.offers import offers
from o2o.shop.web import router
from o2o.web.templating import locale_of

Field = Annotated[str, Form(max_length=20)]


def cart_view(request: Request, c: ContainerDep, owner: Owner | None) -> dict:
    """The cart's lines priced at the chosen store, with what the store has of each."""
    chosen = chosen_store(request, c)
    lines = cart.lines(c.db, owner) if owner else []
    offer = offers(c.db, chosen.store.id if chosen else None, [ln.sku_id for ln in lines], locale_of(request))
    member = loyalty.benefits(c.db, owner.customer_id) if owner and owner.customer_id and lines else None
    pct = member.price_pct if member and member.price_pct < 100 else 100
    unit = {k: catalog.tier_price(o.price_fen, pct) for k, o in offer.items()}  # the checkout's tier price
    rows = [{"sku_id": ln.sku_id, "quantity": ln.quantity, "offer": offer.get(ln.sku_id),
             "unit_fen": unit.get(ln.sku_id, 0),
             "tier_price": pct < 100 and ln.sku_id in offer and unit[ln.sku_id] != offer[ln.sku_id].price_fen,
             "total_fen": unit[ln.sku_id] * ln.quantity if ln.sku_id in offer else 0} for ln in lines]
    subtotal = sum(r["total_fen"] for r in rows)
    wanted = {ln.sku_id: ln.quantity for ln in lines if ln.sku_id in offer and offer[ln.sku_id].active}
    lacking = any((offer[k].available or 0) < q for k, q in wanted.items())  # the page's one stock query says
    check = availability.check(c, chosen, "pickup", wanted, subtotal, locale=locale_of(request)) \
        if chosen and lacking else None
    not_placed = request.query_params.get("not_placed", "")
    tier_name = (member.tier_name_en if locale_of(request) == "en" else member.tier_name_zh) if member else ""
    return {"chosen": chosen, "rows": rows, "subtotal_fen": subtotal, "check": check, "tier_name": tier_name,
            "short": {x.sku_id: x for x in check.short} if check else {},
            "names": {k: o.name for k, o in offer.items()},
            "not_placed": not_placed if not_placed in availability.WHYS else "",
            "units": sum(ln.quantity for ln in lines), "max_quantity": MAX_QUANTITY,
            "pictures": catalog.sku_pictures(c.db, [ln.sku_id for ln in lines])}


def next_error(errors: dict[str, str]) -> tuple[str, str]:
    """The first (field, text key) of a form's errors."""
    field = next(iter(errors))
    return field, errors[field]


def _cart_page(request: Request, c: ContainerDep, p: MaybePrincipal, errors: dict[str, str] | None = None,
               status: int = 200) -> HTMLResponse:
    return page(request, c, "shop/cart.html", {**cart_view(request, c, owner_of(request, p)), "errors": errors or {}},
                status=status, no_store=True)


@router.get("/shop/cart", response_class=HTMLResponse)
def show_cart(request: Request, c: ContainerDep, p: MaybePrincipal) -> HTMLResponse:
    return _cart_page(request, c, p)


@router.post("/shop/cart/add")
def add_to_cart(request: Request, c: ContainerDep, uow: Uow, p: MaybePrincipal, sku_id: Field = "",
                quantity: Field = "", product_id: Field = "",
                next: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Add to the cart (an anonymous visitor's cart is created on the first add), back to the product
    (or to `next`: the list's stepper). The list's script asks for JSON: the line and the cart bar."""
    pid = parse_int(product_id, None, 1, 2**62)
    sku, qty = parse_int(sku_id, None, 1, 2**62), parse_int(quantity, None, 1, MAX_QUANTITY)
    errors = {}
    if sku is None:
        errors["sku_id"] = "cart.err.sku"
    if qty is None:
        errors["quantity"] = "cart.err.quantity"
    owner = owner_of(request, p)
    token = None
    if owner is None:
        token = cart.new_token()
        owner = Owner(token=token)
    if not errors:
        try:
            cart.add(uow, owner, sku, qty)  # type: ignore[arg-type]
        except InvalidInput as exc:
            field = exc.extra["errors"][0]["field"]
            errors[field] = "cart.err.sku" if field == "sku_id" else "cart.err.quantity"
    if errors and quickbuy.wants_json(request):
        field, key = next_error(errors)
        return quickbuy.refused(request, field, key)
    if errors:
        values = {"sku_id": sku_id, "quantity": quantity}
        if pid is not None:
            return product_page(request, c, pid, errors, values, status=422)
        return _cart_page(request, c, p, errors, status=422)
    if quickbuy.wants_json(request):
        response: Response = quickbuy.answer(request, c, owner, chosen_store(request, c), sku)  # type: ignore[arg-type]
    elif next:
        response = see_other(safe_next(next, "/shop/products"))
    else:
        response = see_other(f"/shop/products/{pid}?added=1" if pid else "/shop/cart")
    if token:
        remember_cart(response, c, token)
    return response


@router.post("/shop/cart/update")
def update_cart(request: Request, c: ContainerDep, uow: Uow, p: MaybePrincipal, sku_id: Field = "",
                quantity: Field = "", next: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Change a line's quantity (0 removes it)."""
    sku, qty = parse_int(sku_id, None, 1, 2**62), parse_int(quantity, None, 0, MAX_QUANTITY)
    owner = owner_of(request, p)
    if (sku is None or qty is None) and quickbuy.wants_json(request):
        return quickbuy.refused(request, "quantity" if sku else "sku_id", "cart.err.quantity" if sku else "cart.err.sku")
    if sku is None or qty is None:
        return _cart_page(request, c, p, {f"quantity-{sku_id}" if sku else "sku_id":
                                          "cart.err.quantity" if sku else "cart.err.sku"}, status=422)
    if owner is not None:
        try:
            cart.update(uow, owner, sku, qty)
        except InvalidInput:
            if quickbuy.wants_json(request):
                return quickbuy.refused(request, "sku_id", "cart.err.sku")
            return _cart_page(request, c, p, {f"quantity-{sku}": "cart.err.sku"}, status=422)
    if quickbuy.wants_json(request):
        return quickbuy.answer(request, c, owner, chosen_store(request, c), sku)
    return see_other(safe_next(next, "/shop/cart"))


@router.post("/shop/cart/remove")
def remove_from_cart(request: Request, c: ContainerDep, uow: Uow, p: MaybePrincipal, sku_id: Field = "",
                     next: Annotated[str, Form(max_length=500)] = "") -> Response:
    sku = parse_int(sku_id, None, 1, 2**62)
    owner = owner_of(request, p)
    if sku is None:
        return _cart_page(request, c, p, {"sku_id": "cart.err.sku"}, status=422)
    if owner is not None:
        cart.remove(uow, owner, sku)
    return see_other(safe_next(next, "/shop/cart"))


@router.post("/shop/cart/replace")
def replace_in_cart(request: Request, c: ContainerDep, uow: Uow, p: MaybePrincipal, sku_id: Field = "",
                    with_sku: Field = "", next: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Swap a line the store lacks for the similar product the page offered, same quantity."""
    sku, other = parse_int(sku_id, None, 1, 2**62), parse_int(with_sku, None, 1, 2**62)
    owner = owner_of(request, p)
    if sku is None or other is None:
        return _cart_page(request, c, p, {"sku_id": "cart.err.sku"}, status=422)
    if owner is not None:
        try:
            cart.replace(uow, owner, sku, other)
        except InvalidInput:
            return _cart_page(request, c, p, {"sku_id": "cart.err.sku"}, status=422)
    return see_other(safe_next(next, "/shop/cart"))
