"""The shopper's address book: addresses as people give them. Search a street, building or POI (the
geocoder's suggestions as one types), confirm the spot on a map pin (tap or drag; the pin's position is
reverse-geocoded), add the door number, recipient, phone and a label (家/公司). Nobody types
coordinates: the page's script fills them from the picked place and the pin. Everything personal is
sealed at rest by the customers area."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.customers import service as customers
from o2o.customers.routes import limit_geocoding
from o2o.customers.schemas import AddressIn
from o2o.deps import Container, ContainerDep, PrincipalDep
from o2o.kernel.errors import Problem
from o2o.kernel.money import format_cny
from o2o.shop import texts
from o2o.shop.address_texts import TEXTS
from o2o.shop.common import (
    chosen_store,
    distance_text,
    here,
    name_in,
    parse_float,
    parse_int,
    safe_next,
    see_other,
)
from o2o.shop.web import router
from o2o.web.templating import locale_of, render

LABELS = {"home": "家", "work": "公司", "": ""}
FIELD_ERRORS = {"recipient": "addr.err.recipient", "phone": "addr.err.phone", "door": "addr.err.door",
                "line": "addr.err.place", "lat": "addr.err.place", "lng": "addr.err.place",
                "district": "addr.err.place", "label": "addr.err.label"}
Short = Annotated[str, Form(max_length=100)]


def _page(request: Request, c: Container, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    p = request.state.principal
    locale = locale_of(request)
    ctx = {"chosen": chosen_store(request, c), "money": format_cny, "distance": distance_text,
           "cart_count": sum(ln.quantity for ln in cart.lines(c.db, Owner(customer_id=p.id))),
           "name": name_in(locale), "here": here(request), "is_customer": True, "dev": c.settings.dev, **context}
    response = render(request, template, ctx, texts=[TEXTS, texts.TEXTS], locale=locale, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/shop/addresses", response_class=HTMLResponse)
def address_book(request: Request, c: ContainerDep, p: PrincipalDep) -> Response:
    return _page(request, c, "shop/addresses.html", {"saved": customers.addresses(c.db, p.id),
                                                      "added": request.query_params.get("added") == "1"})


def _form(request: Request, c: Container, form: dict[str, str], errors: dict[str, str], status: int = 200,
          found: list | None = None) -> HTMLResponse:
    chosen = chosen_store(request, c)
    start = (chosen.lat, chosen.lng) if chosen and chosen.lat is not None else (31.2304, 121.4737)
    return _page(request, c, "shop/address_new.html", {"form": {"q": "", **form}, "errors": errors, "start": start,
                                                        "found": found or []}, status=status)


@router.get("/shop/addresses/new", response_class=HTMLResponse)
def new_address(request: Request, c: ContainerDep, p: PrincipalDep) -> Response:
    """Without a script the search works too: `?q=` lists the suggestions as links, `&pick=N` takes one."""
    nxt = safe_next(request.query_params.get("next"), "/shop/addresses")
    form = {**dict.fromkeys(("place", "line", "district", "lat", "lng", "door", "recipient", "phone"), ""),
            "next": nxt, "label": "home"}
    q = (request.query_params.get("q") or "")[:80]
    found, errors = [], {}
    if q.strip() and c.geocoder is not None:
        chosen = chosen_store(request, c)
        near = (chosen.lat, chosen.lng) if chosen and chosen.lat is not None and chosen.lng is not None else None
        limit_geocoding(request, p)  # the API's budget: the page's search is the same paid service
        try:
            found = c.geocoder.suggest(q, near=near)
        except Problem:  # the geocoding service is down or refuses: say so at the field
            errors["place"] = "addr.err.place"
        if not found and not errors:
            errors["place"] = "addr.nothing"
        pick = parse_int(request.query_params.get("pick"), None, 0, len(found) - 1) if found else None
        if pick is not None:
            at = found[pick]
            line = at.address if at.name in at.address else f"{at.address} {at.name}"
            form.update(place=at.name, line=line, district=at.district, lat=f"{at.lat:.6f}", lng=f"{at.lng:.6f}")
            found = []
    return _form(request, c, {**form, "q": q}, errors, found=found)


@router.post("/shop/addresses")
def save_address(request: Request, c: ContainerDep, p: PrincipalDep, place: Short = "",
                 line: Annotated[str, Form(max_length=300)] = "", district: Short = "",
                 lat: Annotated[str, Form(max_length=30)] = "", lng: Annotated[str, Form(max_length=30)] = "",
                 door: Short = "", recipient: Short = "", phone: Annotated[str, Form(max_length=30)] = "",
                 label: Annotated[str, Form(max_length=10)] = "", next: Annotated[str, Form(max_length=500)] = ""
                 ) -> Response:
    form = {"place": place, "line": line, "district": district, "lat": lat, "lng": lng, "door": door,
            "recipient": recipient, "phone": phone, "label": label, "next": safe_next(next, "/shop/addresses")}
    errors: dict[str, str] = {}
    la, ln = parse_float(lat, -90, 90), parse_float(lng, -180, 180)
    if la is None or ln is None or not line.strip():
        errors["place"] = "addr.err.place"
    if not recipient.strip():
        errors["recipient"] = "addr.err.recipient"
    if label not in LABELS:
        errors["label"] = "addr.err.label"
    if not errors:
        try:
            data = AddressIn(label=LABELS[label], recipient=recipient.strip(), phone=phone.strip().replace(" ", ""),
                             district=district.strip(), line=line.strip(), door=door.strip(), lat=la, lng=ln)
        except ValidationError as exc:
            for err in exc.errors():
                field = str(err["loc"][0]) if err["loc"] else "place"
                key = "place" if field in ("line", "lat", "lng", "district") else field
                errors.setdefault(key, FIELD_ERRORS.get(field, "addr.err.place"))
        else:
            customers.add_address(c.uow(), p.id, data)
            target = form["next"]
            return see_other(target + ("&" if "?" in target else "?") + "added=1"
                             if target == "/shop/addresses" else target)
    return _form(request, c, form, errors, status=422)
