"""Whether the shopper's plan (their store, a way to receive) can serve the cart; if not, which lines and
why, and the real alternatives: the nearest store that has everything (with its distance from the
shopper), reducing or removing a line, a parcel with its fee and time. Nothing here moves an order: each
alternative is a choice the shopper makes, shown again before placing.

One read transaction: the locations within reach (one query) and their stock of the cart's SKUs (one
query), whatever the number of lines."""

from __future__ import annotations

from dataclasses import dataclass, field

from o2o.catalog import service as catalog
from o2o.catalog.schemas import PricedSku
from o2o.deps import Container
from o2o.inventory import service as inventory
from o2o.kernel import geo
from o2o.kernel.errors import NotFound
from o2o.locations import service as locations
from o2o.locations.schemas import Candidate, LocationOut
from o2o.orders import service as orders
from o2o.shop.common import LOW_STOCK, Chosen

__all__ = ["LOW_STOCK", "Check", "Option", "ShortLine", "check"]
REACH_M = 10_000  # stores farther than this from the shopper are not offered
MAX_SIMILAR_LINES = 5  # similar products are looked for (one query each) for at most this many short lines
WHYS = ("short", "out-of-range", "mode", "no-address", "unknown-location")


@dataclass(frozen=True)
class ShortLine:
    sku_id: int
    requested: int
    available: int  # 0: sold out at the store


@dataclass(frozen=True)
class Option:
    """Another location that has every line, how it would serve the cart, what that costs."""

    location: LocationOut
    mode: str
    distance_m: int | None  # from the shopper's position or address (None: no position known)
    fee_fen: int
    free_from_fen: int


@dataclass(frozen=True)
class Check:
    mode: str
    store: LocationOut | None
    why: str = ""  # "" when the plan serves the cart, else one of WHYS
    short: list[ShortLine] = field(default_factory=list)
    distance_m: int | None = None  # the address's distance from the store (store delivery)
    radius_m: int | None = None
    nearest: Option | None = None  # the nearest store with every line that serves `mode`
    parcel: Option | None = None  # the nearest shipper with every line
    origin: str = ""  # where distances are measured from: "position", "address" or "store"
    similar: dict[int, list[PricedSku]] = field(default_factory=dict)  # short SKU -> in stock at the store

    @property
    def ok(self) -> bool:
        return not self.why


def _location(c: Container, location_id: int) -> LocationOut | None:
    try:
        return locations.get(c.db, location_id)
    except NotFound:
        return None


def _has_all(loc: int, lines: dict[int, int], stock: dict[tuple[int, int], int]) -> bool:
    return all(stock.get((loc, k), 0) >= q for k, q in lines.items())


def _serves(cand: Candidate, mode: str, has_address: bool) -> bool:
    if cand.kind != "store":
        return False
    if mode == "store_delivery":
        return cand.can_store_delivery and has_address and cand.distance_m is not None \
            and cand.distance_m <= cand.radius_m
    return cand.can_pickup


def check(c: Container, chosen: Chosen | None, mode: str, lines: dict[int, int], subtotal_fen: int,
          address: tuple[float, float] | None = None, refusal: dict | None = None, locale: str = "zh-CN") -> Check:
    """The plan `mode` at the chosen store (parcel: any shipper) for `lines` (sku -> quantity).

    `refusal`: the orders service's PlanUnavailable for this plan (its `why`, distance and radius),
    when the caller already asked it; else the plan is judged on stock here (the cart's view)."""
    store = chosen.store if chosen else None
    if not lines:
        return Check(mode, store)
    if address is not None:
        point, origin = address, "address"
    elif chosen is not None and chosen.lat is not None and chosen.lng is not None:
        point, origin = (chosen.lat, chosen.lng), "position"
    elif store is not None:
        point, origin = (store.lat, store.lng), "store"
    else:
        point, origin = None, ""
    with c.db.read() as s:
        cands = locations.candidates(s, point[0] if point else None, point[1] if point else None, REACH_M,
                                     [store.id] if store else [])
        stock = inventory.available(s, [x.id for x in cands], lines.keys()) if cands else {}
    short = [] if store is None else [ShortLine(k, q, max(0, stock.get((store.id, k), 0)))
                                      for k, q in lines.items() if stock.get((store.id, k), 0) < q]
    why, distance, radius = "", None, None
    if refusal is not None:
        why = str(refusal.get("why", "short"))
        why = why if why in WHYS else "short"
        distance, radius = refusal.get("distance_m"), refusal.get("radius_m")
    elif mode != "parcel" and store is None:
        why = "unknown-location"
    elif mode != "parcel" and short:
        why = "short"
    if not why:
        return Check(mode, store, origin=origin)
    has_address = address is not None
    rounded = {x.id: round(x.distance_m) if x.distance_m is not None and origin != "" else None for x in cands}
    nearest = None
    if mode != "parcel":
        stores = sorted((x for x in cands if x.id != (store.id if store else None) and _serves(x, mode, has_address)
                         and (x.distance_m or 0) <= REACH_M and _has_all(x.id, lines, stock)),
                        key=lambda x: (x.distance_m or 0, x.id))
        if stores and (loc := _location(c, stores[0].id)) is not None:
            fee, free_from = orders.delivery_fee(mode, subtotal_fen)
            nearest = Option(loc, mode, rounded[loc.id], fee, free_from)
    shippers = sorted((x for x in cands if (x.kind == "warehouse" or x.can_parcel) and _has_all(x.id, lines, stock)),
                      key=lambda x: (x.kind != "warehouse", x.distance_m if x.distance_m is not None else 1e12))
    parcel = None
    if mode != "parcel" and shippers and (loc := _location(c, shippers[0].id)) is not None:
        fee, free_from = orders.delivery_fee("parcel", subtotal_fen)
        parcel = Option(loc, "parcel", rounded[loc.id], fee, free_from)
    if why == "out-of-range" and distance is None and store is not None and address is not None:
        distance, radius = round(geo.haversine_m(address[0], address[1], store.lat, store.lng)), \
            store.delivery_radius_m
    similar = catalog.similar_in_stock(c.db, [x.sku_id for x in short[:MAX_SIMILAR_LINES]], store.id, locale) \
        if store is not None and short and why == "short" else {}
    return Check(mode, store, why, short, distance, radius, nearest, parcel, origin, similar)
