"""Checkout: pickup (the chosen store and a slot) / store delivery / parcel, a price breakdown quoted by
the orders service, and placing the order once however often the form is sent."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, replace
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.customers import service as customers
from o2o.customers.schemas import AddressIn, AddressOut
from o2o.deps import ContainerDep, PrincipalDep
from o2o.kernel.errors import InvalidInput, Problem
from o2o.loyalty import service as loyalty
from o2o.orders import service as orders
from o2o.orders.exceptions import PlanUnavailable
from o2o.orders.schemas import LineIn, OrderIn, ShipTo
from o2o.shop import availability
from o2o.shop.common import Chosen, chosen_store, page, parse_float, parse_int, see_other, translator
from o2o.shop.explain import describe_route
from o2o.shop.offers import offers
from o2o.shop.slots import Slot, pickup_slots
from o2o.shop.web import router
from o2o.web.templating import locale_of

MODES = ("pickup", "store_delivery", "parcel")
Text = Annotated[str, Form(max_length=300)]


@dataclass
class Choice:
    """The checkout form as sent (strings, re-shown as typed)."""

    mode: str = "pickup"
    slot: str = ""
    address: str = ""  # a saved address id, or "new"
    line: str = ""
    lat: str = ""
    lng: str = ""
    save: bool = False
    idem: str = ""
    use_points: bool = False
    points: str = ""  # the points offered when the page was shown
    plan: str = ""  # "<mode>:<location id>": the plan the page showed, which placing must match
    coupon: str = ""  # "": the best of the wallet; "none": no coupon; "<coupon id>": that one
    applied: str = ""  # the coupon ids the shown quote used ("1,2"; "-" = none): placing uses exactly those
    shown_coupon: str = ""  # the coupon choice of the page the form was on, and its total (to say what changed)
    shown_total: str = ""


def policy(c: ContainerDep) -> orders.OrderPolicy:
    return orders.OrderPolicy.from_settings(c.settings)


def _scope(customer_id: int) -> str:
    return f"customer:{customer_id}"  # the scope the orders API uses for a customer's Idempotency-Key


def _placed_with(c: ContainerDep, customer_id: int, key: str) -> str | None:
    """The order a first submission of this form created, if any (a double submit finds it)."""
    return orders.placed_with_key(c.db, _scope(customer_id), key)


def _order_in(choice: Choice, customer_id: int, lines: list, chosen: Chosen | None, slots: list[Slot],
              saved: list[AddressOut], errors: dict[str, str]) -> OrderIn | None:
    """Build the order from the form and the cart; field errors (text keys) go into `errors`."""
    if choice.mode not in MODES:
        errors["mode"] = "checkout.err.mode"
        return None
    data: dict = {"customer_id": customer_id, "mode": choice.mode, "channel": "h5",
                  "lines": [LineIn(sku_id=ln.sku_id, quantity=ln.quantity) for ln in lines],
                  "location_id": chosen.store.id if chosen else None}
    if choice.mode == "pickup":
        if chosen is None:
            errors["store"] = "checkout.err.store"
        elif not slots:
            errors["slot"] = "checkout.err.closed"
        elif choice.slot not in {s.value for s in slots}:
            errors["slot"] = "checkout.err.slot"
        data["pickup_slot"] = choice.slot
    elif choice.address != "new":
        if not any(str(a.id) == choice.address for a in saved):
            errors["address"] = "checkout.err.address"
        else:
            data["address_id"] = int(choice.address)
    else:
        lat, lng, line = parse_float(choice.lat, -90, 90), parse_float(choice.lng, -180, 180), choice.line.strip()
        if not line:
            errors["line"] = "checkout.err.line"
        if lat is None:
            errors["lat"] = "checkout.err.lat"
        if lng is None:
            errors["lng"] = "checkout.err.lng"
        if line and lat is not None and lng is not None:
            data["address"] = ShipTo(line=line, lat=lat, lng=lng)
    if errors:
        return None
    if choice.use_points and (points := parse_int(choice.points, None, 1, 10**12)):
        data["points"] = points
    data["coupon_ids"] = coupon_ids(choice)
    try:
        return OrderIn(**data)
    except ValidationError:
        errors["mode"] = "checkout.err.mode"
        return None


def coupon_ids(choice: Choice, placing: bool = False) -> list[int] | None:
    """The coupons to quote (or place) with: the shopper's pick, none, or the best of the wallet. Placing
    with "the best" uses exactly the coupons the page showed (`applied`), so what is placed is what was
    shown, never a different pick made after the page."""
    if choice.coupon == "none":
        return []
    if (picked := parse_int(choice.coupon, None, 1, 2**62)) is not None:
        return [picked]
    if placing and choice.applied:
        ids = [parse_int(x, None, 1, 2**62) for x in choice.applied.split(",") if x and x != "-"]
        return [i for i in ids if i is not None][:20]
    return None


def _plan_of(raw: str) -> tuple[str, int] | None:
    """The plan a checkout page showed ("parcel:12"), or None."""
    mode, _, loc = raw.partition(":")
    location = parse_int(loc, None, 1, 2**62)
    return (mode, location) if mode in MODES and location is not None else None


def _point_of(data: OrderIn, saved: list[AddressOut]) -> tuple[float, float] | None:
    if data.address is not None:
        return data.address.lat, data.address.lng
    found = [a for a in saved if a.id == data.address_id] if data.address_id else []
    return (found[0].lat, found[0].lng) if found else None


def _problem_errors(exc: Problem, errors: dict[str, str], line_errors: dict[int, dict]) -> None:
    """The orders service's refusals, next to what they are about."""
    if exc.kind == "insufficient-stock":
        for short in exc.extra.get("lines", []):
            line_errors[int(short["sku_id"])] = {"available": int(short["available"])}
        errors["lines"] = "checkout.err.short"
    elif exc.kind == "no-location":
        errors["mode"] = "checkout.err.nolocation"
    elif exc.kind == "insufficient-points":
        errors["points"] = "checkout.err.points"
    elif exc.kind in ("coupon-taken", "coupon-not-applicable", "budget-exhausted") or (
            isinstance(exc, InvalidInput) and str(exc.extra["errors"][0]["field"]).startswith("coupon_ids")):
        errors["coupon"] = "checkout.coupon.err"
    elif isinstance(exc, InvalidInput):
        field = str(exc.extra["errors"][0]["field"])
        errors["address" if field == "address_id" else "lines" if field.startswith("lines") else "mode"] = \
            "checkout.err.invalid"
    else:
        errors["mode"] = "checkout.err.failed"


def _render(request: Request, c: ContainerDep, p: PrincipalDep, choice: Choice | None,
            place: bool = False) -> Response:
    chosen = chosen_store(request, c)
    owner = Owner(customer_id=p.id)
    lines = cart.lines(c.db, owner)
    if place and not lines and choice and choice.idem and (number := _placed_with(c, p.id, choice.idem)):
        return see_other(f"/shop/orders/{number}/pay")  # a twin of this form emptied the cart meanwhile
    saved = customers.addresses(c.db, p.id)
    slots = pickup_slots(chosen.store.opening_hours, chosen.store.timezone, c.clock.now()) if chosen else []
    posted = choice is not None
    if choice is None:
        mode = request.query_params.get("mode", "pickup")
        choice = Choice(mode=mode if mode in MODES else "pickup", slot=slots[0].value if slots else "",
                        address=str(saved[0].id) if saved else "new", idem=secrets.token_urlsafe(16),
                        lat=f"{chosen.lat:.5f}" if chosen and chosen.lat is not None else "",
                        lng=f"{chosen.lng:.5f}" if chosen and chosen.lng is not None else "")
    errors: dict[str, str] = {}
    line_errors: dict[int, dict] = {}
    quoted, status, check, changed = None, 200, None, False
    offer = None
    offered = offers(c.db, chosen.store.id if chosen else None, [ln.sku_id for ln in lines], locale_of(request))
    names = {k: o.name for k, o in offered.items()}
    if lines:
        data = _order_in(choice, p.id, lines, chosen, slots, saved, errors)
        if data is not None:
            shown = _plan_of(choice.plan)
            # the storefront places only the plan the page showed: the chosen store (pickup, store
            # delivery) or the shipper quoted (parcel), never `auto`, never re-routed
            exact = data.mode != "parcel" or (place and shown is not None and shown[0] == "parcel")
            if data.mode == "parcel" and exact and shown is not None:
                data = data.model_copy(update={"location_id": shown[1]})
            try:
                if place and (shown is None or shown != (data.mode, data.location_id)):
                    changed, status = True, 409  # not the plan on the page: show the new one first
                elif place:
                    return _place(c, p, choice, data.model_copy(update={"coupon_ids": coupon_ids(choice, True)}),
                                  owner)
                quoted = orders.quote(c.db, data.model_copy(update={"points": None}), policy(c), locale_of(request),
                                      exact=exact, now=c.clock.now())
                offer = loyalty.checkout_offer(c.db, p.id, quoted.total_fen)
                if data.points and offer.points:  # what `place` will take: the offer, capped again there
                    off = min(offer.value_fen, loyalty.checkout_offer(c.db, p.id, quoted.total_fen,
                                                                      data.points).value_fen)
                    quoted = replace(quoted, discount_fen=quoted.discount_fen + off, total_fen=quoted.total_fen - off)
            except PlanUnavailable as exc:
                if place and not changed:  # the confirmed plan no longer works: nothing placed elsewhere
                    return see_other(f"/shop/cart?not_placed={exc.extra.get('why', 'short')}")
                subtotal = sum(offered[ln.sku_id].price_fen * ln.quantity for ln in lines if ln.sku_id in offered)
                check = availability.check(c, chosen, data.mode, {ln.sku_id: ln.quantity for ln in lines}, subtotal,
                                           _point_of(data, saved), refusal=exc.extra, locale=locale_of(request))
                status = 409 if posted else 200
            except Problem as exc:
                _problem_errors(exc, errors, line_errors)
                status = exc.status if exc.status in (409, 422) else 422
        elif posted:
            status = 422
    coupon_change = None
    if quoted is not None:
        used = [str(k.coupon_id) for k in quoted.coupons if k.applied]
        if posted and choice.shown_coupon != choice.coupon and (before := parse_int(choice.shown_total, None, 0,
                                                                                    10**12)) is not None:
            coupon_change = {"before": before, "after": quoted.total_fen}
        choice = replace(choice, plan=f"{quoted.mode}:{quoted.location_id}", applied=",".join(used) or "-",
                         shown_coupon=choice.coupon, shown_total=str(quoted.total_fen))
    ctx = {"check": check, "changed": changed, "back": "/shop/checkout" + (f"?mode={choice.mode}"
                                                                           if choice.mode in MODES else ""),
           "choice": asdict(choice), "lines": lines, "names": names, "saved": saved, "slots": slots, "errors": errors,
           "line_errors": line_errors, "quote": quoted, "modes": MODES,
           "coupon_change": coupon_change,
           "eta": orders.eta_minutes(quoted.mode, quoted.distance_m) if quoted else None, "points_offer": offer,
           "route": describe_route(c, quoted.location_id, quoted.mode, quoted.reason, quoted.distance_m,
                                     translator(request)) if quoted else None}
    return page(request, c, "shop/checkout.html", ctx, status=status, chosen=chosen, no_store=True)


def _place(c: ContainerDep, p: PrincipalDep, choice: Choice, data: OrderIn, owner: Owner) -> Response:
    """Place once per form (Idempotency-Key), emptying the ordered lines of the cart in the same commit."""
    uow = c.uow()
    skus = [ln.sku_id for ln in data.lines]
    uow.before_commit.append(lambda s: cart.clear_in(s, owner, skus))
    out = orders.place(uow, data, policy(c), choice.idem or None, scope=_scope(p.id), exact=True)
    if choice.save and data.address is not None:
        customers.add_address(c.uow(), p.id, AddressIn(line=data.address.line, lat=data.address.lat,
                                                       lng=data.address.lng, label=""))
    return see_other(f"/shop/orders/{out.number}/pay")


@router.get("/shop/checkout", response_class=HTMLResponse)
def checkout(request: Request, c: ContainerDep, p: PrincipalDep) -> Response:
    return _render(request, c, p, None)


@router.post("/shop/checkout")
def place_order(request: Request, c: ContainerDep, p: PrincipalDep,
                mode: Annotated[str, Form(max_length=20)] = "", slot: Annotated[str, Form(max_length=40)] = "",
                address: Annotated[str, Form(max_length=20)] = "", line: Text = "",
                lat: Annotated[str, Form(max_length=30)] = "", lng: Annotated[str, Form(max_length=30)] = "",
                save: Annotated[str, Form(max_length=5)] = "", idem: Annotated[str, Form(max_length=64)] = "",
                action: Annotated[str, Form(max_length=10)] = "place",
                use_points: Annotated[str, Form(max_length=5)] = "",
                points: Annotated[str, Form(max_length=15)] = "",
                plan: Annotated[str, Form(max_length=40)] = "", coupon: Annotated[str, Form(max_length=24)] = "",
                applied: Annotated[str, Form(max_length=500)] = "",
                shown_coupon: Annotated[str, Form(max_length=24)] = "",
                shown_total: Annotated[str, Form(max_length=15)] = "") -> Response:
    """`action=quote` re-prices the choice; `action=place` places the order and goes to payment."""
    idem = idem.strip()
    if action == "place" and idem and (number := _placed_with(c, p.id, idem)):
        return see_other(f"/shop/orders/{number}/pay")  # the same form sent again: the first order
    if action == "to_parcel":  # the shopper chose the parcel the page offered: quote it, place nothing
        mode, action = "parcel", "quote"
    choice = Choice(mode=mode, slot=slot, address=address, line=line, lat=lat, lng=lng, save=bool(save),
                    idem=idem or secrets.token_urlsafe(16), use_points=bool(use_points), points=points, plan=plan,
                    coupon=coupon.strip(), applied=applied.strip(), shown_coupon=shown_coupon.strip(),
                    shown_total=shown_total.strip())
    return _render(request, c, p, choice, place=action == "place")
