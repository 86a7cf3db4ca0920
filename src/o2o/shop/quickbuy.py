"""Quick buying from the product list: what the floating cart bar shows (items, total at the chosen
store, how much more for free store delivery) and the answer to the list's +/- steppers when they
are sent by fetch (JSON) rather than as a form post (a redirect back to the list)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from o2o.cart import service as cart
from o2o.cart.schemas import Owner
from o2o.catalog import service as catalog
from o2o.deps import ContainerDep
from o2o.kernel.errors import PROBLEM_JSON
from o2o.kernel.money import format_cny
from o2o.loyalty import service as loyalty
from o2o.orders import service as orders
from o2o.shop.common import Chosen, translator
from o2o.shop.offers import offers
from o2o.web.templating import locale_of


def wants_json(request: Request) -> bool:
    """The list's script asks for JSON (Accept: application/json); a plain form post does not."""
    return "application/json" in request.headers.get("accept", "")


def bar(request: Request, c: ContainerDep, owner: Owner | None, chosen: Chosen | None) -> dict:
    """The floating cart bar: units, subtotal as the cart page prices it (the store's price, a member's
    tier price), the store-delivery fee rule (orders' own: the numbers checkout charges; a tier with
    free store delivery has nothing left to reach) and each SKU's quantity in the cart."""
    lines = cart.lines(c.db, owner) if owner else []
    offer = offers(c.db, chosen.store.id if chosen else None, [ln.sku_id for ln in lines], locale_of(request))
    member = loyalty.benefits(c.db, owner.customer_id) if owner and owner.customer_id and lines else None
    pct = member.price_pct if member and member.price_pct < 100 else 100
    subtotal = sum(catalog.tier_price(offer[ln.sku_id].price_fen, pct) * ln.quantity for ln in lines
                   if ln.sku_id in offer)
    fee, free_from = orders.delivery_fee("store_delivery", subtotal)
    waived = bool(member and member.free_store_delivery)
    remaining = 0 if waived else max(0, free_from - subtotal)
    tier = (member.tier_name_en if locale_of(request) == "en" else member.tier_name_zh) if waived and member else ""
    return {"units": sum(ln.quantity for ln in lines), "subtotal_fen": subtotal, "free_from_fen": free_from,
            "remaining_fen": remaining, "fee_fen": 0 if waived else fee, "tier": tier,
            "progress": 100 if waived or not free_from else min(100, subtotal * 100 // free_from),
            "quantities": {ln.sku_id: ln.quantity for ln in lines}}


def bar_text(request: Request, info: dict) -> dict[str, str]:
    """The bar's sentences in the page's language (the script puts them in place)."""
    t = translator(request)
    money = format_cny
    return {"units": t("quick.units", n=info["units"]), "total": money(info["subtotal_fen"]),
            "progress": t("quick.free_member", tier=info["tier"]) if info["tier"]
            else t("quick.free_now") if info["remaining_fen"] == 0 and info["units"]
            else t("quick.more_for_free", amount=money(info["remaining_fen"]), free=money(info["free_from_fen"]))}


def answer(request: Request, c: ContainerDep, owner: Owner | None, chosen: Chosen | None, sku_id: int) -> JSONResponse:
    """After a stepper's add or update: the line's quantity and the bar, for the script."""
    info = bar(request, c, owner, chosen)
    return JSONResponse({"sku_id": sku_id, "quantity": info["quantities"].get(sku_id, 0), "units": info["units"],
                         "subtotal_fen": info["subtotal_fen"], "remaining_fen": info["remaining_fen"],
                         "free_from_fen": info["free_from_fen"], "progress": info["progress"],
                         "text": bar_text(request, info)}, headers={"Cache-Control": "no-store"})


def refused(request: Request, field: str, message_key: str) -> JSONResponse:
    """problem+json for a stepper the server refused (the script shows the detail)."""
    detail = translator(request)(message_key)
    return JSONResponse({"type": "about:blank", "title": "Invalid input", "status": 422, "detail": detail,
                         "errors": [{"field": field, "message": detail}]}, status_code=422, media_type=PROBLEM_JSON)
