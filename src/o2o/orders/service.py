"""Online orders: place (route, price, reserve), pay, cancel, expire; the state machine's history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from o2o.adapters.payments.common import ProviderError
from o2o.adapters.payments.sandbox import BadSignature, PaymentProvider, SandboxPayments
from o2o.catalog import service as catalog
from o2o.config import Settings
from o2o.customers import service as customers
from o2o.fulfillment import routing
from o2o.fulfillment import service as fulfillment
from o2o.fulfillment.schemas import NewFulfillment
from o2o.inventory import service as inventory
from o2o.inventory.exceptions import InsufficientStock, ReservationFailed
from o2o.inventory.schemas import Hold
from o2o.kernel import geo, idempotency, metrics
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.db import Database
from o2o.kernel.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from o2o.kernel.money import CURRENCY
from o2o.kernel.pagination import PageParams
from o2o.kernel.sequences import next_value
from o2o.kernel.uow import UnitOfWork
from o2o.locations import service as locations
from o2o.loyalty import service as loyalty
from o2o.loyalty.schemas import Benefits
from o2o.orders import discounts, pricing
from o2o.orders import repository as repo
from o2o.orders.exceptions import (
    AmountMismatch,
    CancelTooLate,
    InvalidSignature,
    NoLocation,
    PaymentProviderFailed,
    PlanUnavailable,
)
from o2o.orders.models import (
    CANCELLED,
    COMPLETED,
    EXPIRED,
    HOLDS_STOCK,
    PAID,
    PENDING_PAYMENT,
    PICKING,
    READY,
    SHIPPED,
    TRANSITIONS,
    Order,
    Payment,
    can_transition,
    waived_reason,
)
from o2o.orders.offline import TillDiscount, TillLine, TillSale, numbers_of, record_till_sales  # noqa: F401
from o2o.orders.schemas import (
    CouponChoice,
    DiscountOut,
    HistoryOut,
    OrderFacts,
    OrderIn,
    OrderLineOut,
    OrderOut,
    PaymentOut,
    PaymentRecord,
    QuotePart,
    RejectedOffer,
)
from o2o.promotions import checkout as promotions
from o2o.promotions.exceptions import BudgetExhausted, CouponTaken

PLACE_ATTEMPTS = 3  # a lost race for the last units re-plans with fresh stock
PAID_HOLD = timedelta(days=7)
PREPAY_TTL = timedelta(hours=2)  # how long a provider's prepay order lives: an open payment is reused within it
START_ATTEMPTS = 3  # a payment start that lost a race to another start of the order looks again


@dataclass(frozen=True)
class OrderPolicy:
    unpaid_ttl: timedelta = timedelta(minutes=30)
    max_radius_m: float = 5_000
    sourcing: Any = None  # the sourcing engine's settings (fulfillment.sourcing_settings); None: its defaults

    @classmethod
    def from_settings(cls, settings: Settings) -> OrderPolicy:
        return cls(unpaid_ttl=timedelta(minutes=settings.unpaid_order_ttl_minutes),
                   max_radius_m=settings.max_delivery_radius_m, sourcing=fulfillment.sourcing_settings(settings))


# the share of some units of a line in an amount, by largest remainder: returns refunds with it
unit_share = pricing.unit_share


def idempotency_scope(caller: str) -> str:
    """Where `place` keeps a caller's Idempotency-Keys (`caller` is e.g. "customer:7")."""
    return f"orders:{caller}"


def placed_with_key(db: Database, caller: str, key: str) -> str | None:
    """The number of the order `caller` already placed with this Idempotency-Key, if any."""
    with db.read() as s:
        rec = idempotency.find(s, idempotency_scope(caller), key)
    body = rec.body if rec is not None else None
    return str(body["number"]) if isinstance(body, dict) and "number" in body else None


def order_number(session: Session, now: datetime) -> str:
    return f"SO{now.astimezone(SHANGHAI):%Y%m%d}{next_value(session, 'order_number'):06d}"


def place(uow: UnitOfWork, data: OrderIn, policy: OrderPolicy, idempotency_key: str | None = None,
          scope: str | None = None, *, exact: bool = False, prices: Mapping[int, int] | None = None,
          held_for: str | None = None, within: Callable[[UnitOfWork, OrderOut], None] | None = None,
          till: str | None = None) -> OrderOut:
    """`scope` names the caller: one caller's Idempotency-Key never collides with another's. `exact`: the
    plan the customer confirmed, location_id in data.mode, or nothing (PlanUnavailable): no re-routing.

    For trusted callers only (never from a request body; group buying uses them): `prices` replaces the
    unit price of those SKUs (a deal's price; the list price is kept on the line); `held_for` (e.g.
    "groupbuy:12") keeps a paid order from fulfilment until `release_hold`; `within(uow, order)` runs in
    the order's transaction before the stock is reserved and the commit (its exception undoes the order).
    `till` (the clerk, e.g. "staff:12"; pos only): a sale paid at the till, completed at once: no
    fulfilment, the units reserved and taken out of stock (ledger kind pos_sale) in the same transaction.

    On SQLite, writers take turns (`WriteLock`, across processes), so everything that only reads (the
    key's earlier answer, routing, tier, prices) runs first on a read snapshot and the turn is taken for
    the writes alone; what the snapshot saw is re-checked by the writes themselves (the reserving
    UPDATE refuses stock taken meanwhile and the order is planned again; the key's unique row refuses a
    twin). On PostgreSQL it all runs in the one transaction (row locks, no turns)."""
    scope = idempotency_scope(scope or str(data.customer_id or 0))
    asked = data.model_dump(mode="json", exclude={"member_code"})  # proof of presence, not the order
    req_hash = idempotency.request_hash(asked) if idempotency_key else ""
    early = uow.db.dialect == "sqlite"
    excluded: set[str] = set()  # offers whose budget ran out while placing
    for attempt in range(PLACE_ATTEMPTS):
        plan: Plan | None = None
        if early:
            with uow.db.read() as rs:
                if idempotency_key and (rec := idempotency.lookup(rs, scope, idempotency_key, req_hash)):
                    return OrderOut.model_validate(rec.body)
                plan = prepare(rs, data, policy, exact, prices=prices, now=uow.clock.now(), excluded=excluded)
        with uow:
            if plan is None:
                if idempotency_key and (rec := idempotency.lookup(uow.session, scope, idempotency_key, req_hash)):
                    return OrderOut.model_validate(rec.body)
                plan = prepare(uow.session, data, policy, exact, prices=prices, now=uow.clock.now(),
                               excluded=excluded)
            try:
                out, reserve = _write(uow, data, plan, policy, held_for, till)
                if within is not None:
                    within(uow, out)
                if idempotency_key:
                    idempotency.remember(uow.session, scope, idempotency_key, req_hash, 201,
                                         out.model_dump(mode="json"), uow.clock.now())
                uow.commit(last=reserve)  # the stock rows' locks: from the reserving UPDATEs to COMMIT only
                metrics.ORDERS_PLACED.labels(data.channel).inc()
                return out
            except ReservationFailed:
                uow.rollback()  # someone took the last units between our read and our UPDATE
                if attempt == PLACE_ATTEMPTS - 1:
                    raise _shortage(uow.session, data, policy, exact, uow.clock.now()) from None
            except IntegrityError:
                uow.rollback()  # a concurrent retry with the same Idempotency-Key won the race
                if not idempotency_key:
                    raise
            except (CouponTaken, BudgetExhausted) as exc:
                uow.rollback()  # a coupon or a budget the deal used went meanwhile: plan again without it
                key = exc.extra.get("key")  # the offer, when promotions names it
                named = plan.deal.required if plan.deal else frozenset()
                if attempt == PLACE_ATTEMPTS - 1 or (key in named if key else bool(data.coupon_ids)):
                    raise  # the customer's own pick: they hear why
                if key:
                    excluded.add(key)
    raise Conflict("the order could not be placed after repeated conflicts; retry with the same key")


def _merged_lines(data: OrderIn) -> dict[int, int]:
    lines: dict[int, int] = defaultdict(int)
    for ln in data.lines:
        lines[ln.sku_id] += ln.quantity
    return dict(lines)


def _point(s: Session, data: OrderIn) -> tuple[float | None, float | None, str | None]:
    if data.address is not None:
        return data.address.lat, data.address.lng, data.address.line
    if data.address_id is not None:
        try:
            a = customers.address_of(s, data.customer_id or 0, data.address_id)
        except NotFound:
            raise InvalidInput("address_id", f"no address {data.address_id} for this customer") from None
        return a.lat, a.lng, f"{a.line} {a.door}" if a.door else a.line  # the courier needs the door
    return None, None, None


@dataclass(frozen=True)
class Routed:
    """Where an order goes. `location_id` (the order's fulfil_location_id), `mode`, `reason` and
    `distance_m` are the main part's; `parts`: (location id, mode, SKU id -> units) of every location
    that serves it (one, or several when the sourcing engine split it); `sourced`: the engine's decision,
    recorded with the order (None for the plan the customer confirmed)."""

    location_id: int
    mode: str
    reason: str
    distance_m: int | None
    parts: tuple[tuple[int, str, dict[int, int]], ...]
    sourced: Any = None


def _sourced(decision: Any) -> Routed:
    main = decision.allocations[0]
    dist = next((c.distance_m for c in decision.candidates if c.location_id == main.location_id), None)
    return Routed(main.location_id, main.mode, decision.reason, dist,
                  tuple((a.location_id, a.mode, dict(a.lines)) for a in decision.allocations), decision)


def _route(s: Session, data: OrderIn, policy: OrderPolicy, lines: dict[int, int],
           exact: bool = False, now: datetime | None = None, tier: str | None = None) -> tuple:
    """(Routed or None, the candidates' stock keyed (location, SKU), their ids, the point, why not).
    `exact`: the confirmed plan (routing v1's `confirmed`), else the sourcing engine decides: one location
    or several (at most max_split), never a partial order; "why not" is then ("sourcing", its decision)."""
    lat, lng, addr = _point(s, data)
    has_address = lat is not None
    if data.location_id is not None:
        try:
            chosen = locations.point_of(s, data.location_id)
        except NotFound:
            raise InvalidInput("location_id", f"no location {data.location_id}") from None
        if lat is None:
            lat, lng = chosen
    if exact:
        req = routing.RouteRequest(data.mode, lines, data.location_id, has_address)
        decision, why, stock, where = fulfillment.plan_confirmed(s, req, lat, lng)
        if decision is None:
            return None, stock, [data.location_id] if data.location_id else [], (lat, lng, addr), (why, where)
        return (Routed(decision.location_id, decision.mode, decision.reason, decision.distance_m,
                       ((decision.location_id, decision.mode, lines),)),
                stock, [decision.location_id], (lat, lng, addr), None)
    wanted = data.mode if data.mode != routing.AUTO else (routing.STORE_DELIVERY if has_address else routing.PICKUP)
    req = fulfillment.SourcingRequest(lines=lines, mode=wanted, now=now or datetime.now(UTC),
                                      chosen_location_id=data.location_id, has_address=has_address, tier=tier,
                                      channel=data.channel, lat=lat, lng=lng)
    sourced, stock, loc_ids = fulfillment.source_plan(s, req, policy.sourcing, policy.max_radius_m)
    if not sourced.ok:
        return None, stock, loc_ids, (lat, lng, addr), ("sourcing", sourced)
    return _sourced(sourced), stock, loc_ids, (lat, lng, addr), None


def _member(s: Session, data: OrderIn) -> Benefits | None:
    """The signed-in customer's tier benefits an order applies; None without a customer. The one query
    also proves the customer exists (InvalidInput otherwise), so it runs before routing."""
    if data.customer_id is None:
        return None
    member = loyalty.order_benefits(s, data.customer_id)
    if member is None:
        raise InvalidInput("customer_id", f"no customer {data.customer_id}")
    return member


def _tier_prices(member: Benefits | None) -> dict:
    return {"tier": member.tier, "tier_pct": member.price_pct} if member and member.price_pct < 100 else {}


def _check_skus(data: OrderIn, priced: dict) -> None:
    for i, ln in enumerate(data.lines):
        p = priced.get(ln.sku_id)
        if p is None:
            raise InvalidInput(f"lines[{i}].sku_id", f"unknown SKU {ln.sku_id}")
        if not p.active:
            raise InvalidInput(f"lines[{i}].sku_id", f"SKU {ln.sku_id} is not for sale")


@dataclass(frozen=True)
class Plan:
    """What an order will be, read but not yet written: where from, at what prices, for how much."""

    lines: dict[int, int]
    decision: Any
    point: tuple[float | None, float | None, str | None]
    member: Benefits | None
    priced: dict
    subtotal_fen: int
    fee_fen: int
    total_fen: int  # after the promotions' and coupons' discounts (points come off at writing)
    waived_fen: int
    deal: discounts.Deal | None = None  # the promotions and coupons applied (None: none on offer)


def prepare(s: Session, data: OrderIn, policy: OrderPolicy, exact: bool = False, locale: str = "zh-CN",
            prices: Mapping[int, int] | None = None, *, now: datetime | None = None, choices: bool = False,
            excluded: Collection[str] = ()) -> Plan:
    """Route and price an order on `s`, reading only (`place` and `quote` share it). Raises what placing
    raises: InvalidInput (unknown customer, address, location or SKU; a named coupon not the customer's
    or not usable here), InsufficientStock, NoLocation, PlanUnavailable. `prices` (a trusted caller's, see
    `place`) replace the strategy's unit prices, and no promotion or coupon applies on top of them.

    Promotions: the basket's offers at the routed store (one query) and the engine's best combination of
    them at `now`; the delivery fee is the mode's for the subtotal before discounts. `choices` (quote):
    the wallet's other usable coupons are read too; `excluded`: offer keys left out (a budget ran out)."""
    lines = _merged_lines(data)
    member = _member(s, data)
    decision, stock, loc_ids, point, refused = _route(s, data, policy, lines, exact, now,
                                                      member.tier if member else None)
    priced = catalog.PriceStrategy(s, decision.location_id if decision else None, data.channel, locale,
                                   **_tier_prices(member)).price(lines)
    _check_skus(data, priced)
    if prices:
        priced = {k: _overridden(p, prices[k]) if k in prices else p for k, p in priced.items()}
    if decision is None:
        if refused and refused[0] == "sourcing":
            raise _shortage_from(data, lines, stock, loc_ids, refused[1])
        raise _unavailable(data, lines, stock, refused) if refused else _shortage_from(data, lines, stock, loc_ids)
    subtotal, fee, total, waived = pricing.member_totals([(priced[k].price_fen, q) for k, q in lines.items()],
                                                         decision.mode, bool(member and member.free_store_delivery))
    deal = None if prices else discounts.deal(
        s, data, decision.location_id, member.tier if member else None, priced, lines, fee,
        now or datetime.now(UTC), choices=choices, locale=locale, excluded=excluded)
    if deal is not None:
        total -= deal.goods_fen + deal.delivery_fen
    return Plan(lines, decision, point, member, priced, subtotal, fee, total, waived, deal)


def _overridden(p: Any, price_fen: int) -> Any:
    """A SKU at a trusted caller's price: the list price is kept to show what it saves."""
    listed = p.list_price_fen if p.list_price_fen is not None else p.price_fen
    return p.model_copy(update={"price_fen": price_fen, "price_tier": None,
                                "list_price_fen": listed if listed != price_fen else None})


def _line_rows(plan: Plan, order_id: int | None = None) -> list[dict]:
    p, deal = plan.priced, plan.deal
    rows = [dict(order_id=order_id, sku_id=k, name=p[k].name, name_zh=p[k].name_zh or None,
                 name_en=p[k].name_en or None, quantity=q, unit_price_fen=p[k].price_fen,
                 line_total_fen=p[k].price_fen * q, list_price_fen=p[k].list_price_fen, price_tier=p[k].price_tier,
                 discount_fen=deal.line_fen(k) if deal else 0)
            for k, q in plan.lines.items()]
    return rows + [dict(order_id=order_id, sku_id=g.sku_id, name=g.name, name_zh=None, name_en=None,
                        quantity=g.quantity, unit_price_fen=0,
                        line_total_fen=0, list_price_fen=None, price_tier=None, discount_fen=0)
                   for g in discounts.gift_rows(deal)]


def _write(uow: UnitOfWork, data: OrderIn, plan: Plan, policy: OrderPolicy,
           held_for: str | None = None, till: str | None = None) -> tuple[OrderOut, Callable[[Session], None]]:
    """Writes the planned order and returns it with the reservation, which the caller runs last before
    commit. The coupons and promotion budgets the deal used are redeemed here (CouponTaken,
    BudgetExhausted: the order is not placed), the points after them on what is still to pay."""
    s, now = uow.session, uow.clock.now()
    decision, member, (lat, lng, addr), deal = plan.decision, plan.member, plan.point, plan.deal
    discounts.refuse_unused(deal)
    number = order_number(s, now)
    total = plan.total_fen
    points, points_off = (loyalty.points_discount(s, data.customer_id, data.points, total)
                          if data.points and data.customer_id else (0, 0))
    total -= points_off
    expires = now + policy.unpaid_ttl
    values = dict(number=number, customer_id=data.customer_id, channel=data.channel, utm_source=data.utm_source,
                  utm_medium=data.utm_medium, utm_campaign=data.utm_campaign, status=PENDING_PAYMENT,
                  wanted_mode=data.mode, mode=decision.mode, chosen_location_id=data.location_id,
                  fulfil_location_id=decision.location_id, route_reason=decision.reason[:300],
                  distance_m=decision.distance_m, ship_lat=lat if addr else None, ship_lng=lng if addr else None,
                  ship_address=addr, pickup_slot=data.pickup_slot, subtotal_fen=plan.subtotal_fen,
                  delivery_fee_fen=plan.fee_fen, total_fen=total, currency=CURRENCY,
                  discount_fen=points_off + (deal.goods_fen + deal.delivery_fen if deal else 0),
                  created_at=now, expires_at=expires, tier_code=member.tier if member else None,
                  delivery_fee_waived_fen=plan.waived_fen, held_for=held_for)
    if till:  # paid at the till and handed over there: completed at once
        values |= dict(status=COMPLETED, paid_at=now, completed_at=now)
    holds = [Hold(loc, k, q) for loc, _mode, part in decision.parts for k, q in part.items()]
    holds += [Hold(decision.location_id, g.sku_id, g.quantity) for g in discounts.gift_rows(deal)]
    order_id = repo.insert_order(s, values)
    if decision.sourced is not None:  # "why this store": one INSERT in the order's transaction
        fulfillment.record_decision(uow, number, decision.sourced)
    line_rows = _line_rows(plan, order_id)
    repo.insert_lines(s, line_rows)
    bill = discounts.discount_rows(deal, order_id, points, points_off)
    if bill:
        repo.insert_discounts(s, bill)
    if deal is not None and deal.result.applied:  # coupons used, budgets spent: conditional UPDATEs
        promotions.redeem(s, deal.result, order_id=order_id, customer_id=data.customer_id,
                          location_id=decision.location_id, now=now, order_total_fen=total)
    if points:  # the balance row's conditional UPDATE: another till taking them meanwhile refuses the order
        loyalty.redeem_for_order(s, data.customer_id or 0, points, order_id, number, now)
    repo.add_history(s, order_id, None, PENDING_PAYMENT, data.channel, decision.reason, now)
    uow.describe(f"order={number}", location_id=decision.location_id, total_fen=total)
    uow.publish("order.placed", {"order_id": order_id, "number": number, "total_fen": total,
                                 "location_id": decision.location_id, "mode": decision.mode,
                                 "channel": data.channel, "utm_source": data.utm_source})
    if till:
        repo.add_history(s, order_id, PENDING_PAYMENT, PAID, till, "paid at the till", now)
        repo.add_history(s, order_id, PAID, COMPLETED, till, "sold at the till", now)
        for topic in ("order.paid", "order.completed"):
            uow.publish(topic, {"order_id": order_id, "number": number, "total_fen": total})
    out = OrderOut(**{k: v for k, v in values.items() if k in OrderOut.model_fields and k != "paid_at"},
                   paid_at=values.get("paid_at"),
                   delivery_fee_waived_reason=waived_reason(values["tier_code"], plan.waived_fen),
                   lines=[OrderLineOut(**r) for r in line_rows],
                   discounts=[DiscountOut(**{k: v for k, v in r.items() if k != "order_id"}) for r in bill],
                   history=[HistoryOut(from_status=None, to_status=PENDING_PAYMENT, actor=data.channel,
                                       note=decision.reason[:300], at=now)])
    if till:  # reserve (never the units online orders hold) and take them out at once
        return out, lambda session: (inventory.reserve(session, number, holds, now, expires),
                                     inventory.commit(session, number, now, kind="pos_sale"))[0]
    return out, lambda session: inventory.reserve(session, number, holds, now, expires)


def _shortage_from(data: OrderIn, lines: dict[int, int], stock: dict[tuple[int, int], int],
                   loc_ids: list[int], sourced: Any = None) -> InsufficientStock | NoLocation:
    """Why no plan: lines short everywhere within reach (InsufficientStock, with what is available), or
    every line is somewhere but no plan serves them all (NoLocation). `sourced`: the engine's refusal,
    whose reason (`why`) and per-line reasons (`lines[].why`) the error carries."""
    why = {sku: str(w) for sku, w in sourced.unfulfilled.items()} if sourced is not None else {}
    extra = {"why": sourced.reason[:300], "max_split": sourced.max_split} if sourced is not None else {}
    short = []
    for i, ln in enumerate(data.lines):
        best = max((stock.get((loc, ln.sku_id), 0) for loc in loc_ids), default=0)
        if best < lines[ln.sku_id]:
            short.append({"field": f"lines[{i}]", "sku_id": ln.sku_id, "requested": lines[ln.sku_id],
                          "available": best} | ({"why": why[ln.sku_id]} if ln.sku_id in why else {}))
    if short:
        return InsufficientStock("not enough stock within reach for some lines", lines=short, **extra)
    if sourced is not None:
        return NoLocation(f"every line is in stock somewhere, but no plan serves them all: {sourced.reason}"[:300],
                          lines=[{"sku_id": k, "requested": q} | ({"why": why[k]} if k in why else {})
                                 for k, q in lines.items()], **extra)
    return NoLocation("every line is in stock somewhere, but no single location within reach has all of them",
                      lines=[{"sku_id": k, "requested": q} for k, q in lines.items()])


def _unavailable(data: OrderIn, lines: dict[int, int], stock: dict[tuple[int, int], int],
                 refused: tuple) -> PlanUnavailable:
    """Why the confirmed plan cannot serve the order, naming the lines its location is short of."""
    why, where = refused
    loc = data.location_id or 0
    short = []
    for i, ln in enumerate(data.lines):
        have = stock.get((loc, ln.sku_id), 0)
        if have < lines[ln.sku_id] and not any(x["sku_id"] == ln.sku_id for x in short):
            short.append({"field": f"lines[{i}]", "sku_id": ln.sku_id, "requested": lines[ln.sku_id],
                          "available": max(0, have)})
    extra: dict = {"why": why, "location_id": data.location_id, "mode": data.mode, "lines": short}
    if where is not None and where.distance_m is not None:
        extra |= {"distance_m": round(where.distance_m), "radius_m": where.radius_m}
    return PlanUnavailable(f"location {data.location_id} cannot serve this order by {data.mode}: {why}", **extra)


def _shortage(s: Session, data: OrderIn, policy: OrderPolicy, exact: bool = False,
              now: datetime | None = None) -> InsufficientStock | NoLocation | PlanUnavailable:
    lines = _merged_lines(data)
    decision, stock, loc_ids, _, refused = _route(s, data, policy, lines, exact, now)
    s.rollback()
    if exact:
        return _unavailable(data, lines, stock, refused or ("short", None))
    return _shortage_from(data, lines, stock, loc_ids, refused[1] if refused and refused[0] == "sourcing" else None)


def _transition(uow: UnitOfWork, order: Order, dst: str, actor: str, note: str = "") -> None:
    if not can_transition(order.status, dst):
        raise IllegalTransition("order", order.status, dst)
    repo.add_history(uow.session, order.id, order.status, dst, actor, note, uow.clock.now())
    order.status = dst


def _path(src: str, dst: str) -> list[str]:
    """Shortest legal walk src -> dst (events may arrive late: the order catches up step by step)."""
    frontier, seen = [[src]], {src}
    while frontier:
        walk = frontier.pop(0)
        for nxt in sorted(TRANSITIONS[walk[-1]] - {CANCELLED, EXPIRED}):
            if nxt == dst:
                return walk[1:] + [dst]
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(walk + [nxt])
    return []


# how far an order is when one of its fulfilments is in a status (cancelled ones do not count)
_AS_ORDER = {"new": PAID, "picking": PICKING, "short": PICKING, "ready": READY, "shipped": SHIPPED,
             "handed_over": COMPLETED, "delivered": COMPLETED}
_RANK = {PAID: 0, PICKING: 1, READY: 2, SHIPPED: 3, COMPLETED: 4}


def progress_of(statuses: Collection[str]) -> str | None:
    """How far an order served by fulfilments in these statuses is: its least advanced open part (a
    cancelled part does not count); None without an open part."""
    parts = [_AS_ORDER[st] for st in statuses if st in _AS_ORDER]
    return min(parts, key=_RANK.__getitem__) if parts else None


def follow_fulfillment(uow: UnitOfWork, order_id: int, dst: str, actor: str) -> bool:
    """Joins the caller's unit of work: move the order along with its fulfilment, if it can get there.
    An order served from several locations (a split, a re-sourced rest) is only as far as its least
    advanced open part: completed once every part is handed over or delivered."""
    order = repo.by_id(uow.session, order_id, lock=True)
    if order is None or order.status == dst:
        return False
    statuses = [st for _loc, st in fulfillment.parts_of(uow.session, order_id)]
    if sum(st in _AS_ORDER for st in statuses) > 1:
        dst = progress_of(statuses) or dst
        if order.status == dst:
            return False
    steps = _path(order.status, dst)
    for step in steps:
        _transition(uow, order, step, actor)
        uow.publish(f"order.{step}", {"order_id": order.id, "number": order.number})
    if steps and dst == COMPLETED:
        order.completed_at = uow.clock.now()
    return bool(steps)


def facts(session: Session, order_id: int) -> OrderFacts | None:
    """Joins the caller's session (an event handler): what another area needs of an order."""
    order = repo.by_id(session, order_id)
    return OrderFacts.model_validate(order) if order is not None else None


def destination(session: Session, order_id: int) -> tuple[float, float, str] | None:
    """Joins the caller's session (couriers): where a store delivery goes (lat, lng, address line with the
    door), or None when the order has no delivery address."""
    order = repo.by_id(session, order_id)
    if order is None or order.ship_lat is None or order.ship_lng is None:
        return None
    return order.ship_lat, order.ship_lng, order.ship_address or ""


def id_of(session: Session, number: str) -> int | None:
    """Joins the caller's session: the id of the order with this number (a till sale's `within` hook)."""
    order = repo.by_number(session, number)
    return order.id if order is not None else None


def units_of(session: Session, order_id: int) -> dict[int, int]:
    """Joins the caller's session (an event handler): units per SKU on an order's lines (catalog counts
    what sells)."""
    units: dict[int, int] = {}
    for line in repo.lines_of(session, order_id):
        units[line.sku_id] = units.get(line.sku_id, 0) + line.quantity
    return units


def for_return(session: Session, number: str) -> tuple[OrderFacts, list[tuple[int, OrderLineOut]], int] | None:
    """Joins the caller's session (returns): the order's facts, its lines with their ids, and what points
    took off its bill (fen); None when there is no such order."""
    order = repo.by_number(session, number)
    if order is None:
        return None
    points = sum(d.amount_fen for d in repo.discounts_of(session, order.id) if d.kind == "points")
    return (OrderFacts.model_validate(order),
            [(ln.id, OrderLineOut.model_validate(ln)) for ln in repo.lines_of(session, order.id)], points)


def paid_by(session: Session, order_id: int) -> tuple[str, int] | None:
    """Joins the caller's session (returns): (out_trade_no, amount) of the payment that paid the order."""
    paid = repo.succeeded_payment(session, order_id)
    return (paid.out_trade_no, paid.amount_fen) if paid is not None else None


def payment_scope(caller: str) -> str:
    """Where `start_payment` keeps a caller's Idempotency-Keys (`caller` is e.g. "customer:7")."""
    return f"payments:{caller}"


def start_payment(uow: UnitOfWork, provider: PaymentProvider, number: str, idempotency_key: str | None = None,
                  caller: str | None = None, method: str = "", payer: str | None = None) -> PaymentOut:
    """Start paying an order, or hand back the payment already started: the order's open payment (created,
    no result yet, younger than PREPAY_TTL) is reused, so a retry after a lost reply, a double tap or two
    starts at once leave one payment. With an Idempotency-Key (scoped by `caller`) a retry answers what
    the first call answered, even once the order is paid."""
    scope = payment_scope(caller or "-")
    req_hash = (idempotency.request_hash({"order": number} | ({"provider": provider.name, "method": method}
                                                              if provider.name != "sandbox" or method else {}))
                if idempotency_key else "")
    for _ in range(START_ATTEMPTS):
        with uow.db.read() as s:
            if idempotency_key and (rec := idempotency.lookup(s, scope, idempotency_key, req_hash)) is not None:
                return PaymentOut.model_validate(rec.body)
            order = repo.by_number(s, number)
            if order is None:
                raise NotFound("order", number)
            if order.status != PENDING_PAYMENT:
                raise IllegalTransition("order", order.status, PAID)
            amount, now = order.total_fen, uow.clock.now()
            reused = repo.open_payment(s, order.id, now - PREPAY_TTL, provider.name)
            out_trade_no = reused.out_trade_no if reused else f"{number}P{now:%H%M%S%f}"[:40]
        # outside any transaction; for an open payment the provider hands out its prepay order again
        try:
            intent = provider.create(out_trade_no, amount, f"order {number}", method, payer)
        except ProviderError as exc:
            raise PaymentProviderFailed(str(exc)) from exc
        out = PaymentOut(order_number=number, out_trade_no=out_trade_no, provider=intent.provider,
                         prepay_id=intent.prepay_id, pay_url=intent.pay_url, amount_fen=amount,
                         code_url=intent.code_url, client_params=intent.client_params)
        with uow:
            s = uow.session
            order = repo.by_number(s, number, lock=True)  # one start at a time per order
            if idempotency_key and (rec := idempotency.lookup(s, scope, idempotency_key, req_hash)) is not None:
                return PaymentOut.model_validate(rec.body)  # a twin with the same key committed meanwhile
            if order is None or order.status != PENDING_PAYMENT:
                raise IllegalTransition("order", order.status if order else "?", PAID)
            current = repo.open_payment(s, order.id, uow.clock.now() - PREPAY_TTL, provider.name)
            if (current.out_trade_no if current else None) != (out_trade_no if reused else None):
                continue  # another start won, or the reused one ended meanwhile: look again
            if current is None:
                s.add(Payment(order_id=order.id, provider=intent.provider, out_trade_no=out_trade_no,
                              prepay_id=intent.prepay_id[:256] or None, amount_fen=amount, status="created",
                              created_at=uow.clock.now()))
            try:
                if idempotency_key:
                    idempotency.remember(s, scope, idempotency_key, req_hash, 201, out.model_dump(mode="json"),
                                         uow.clock.now())
                uow.commit()
            except IntegrityError:
                continue  # the same key, at once, for another order: the next look refuses it
            return out
    raise Conflict("the payment could not be started after repeated conflicts; retry")


def handle_payment_notification(uow: UnitOfWork, provider: PaymentProvider, body: bytes, signature: str) -> dict:
    """Verify, then record the result once. A replay of a handled notification is acknowledged again."""
    try:
        note = provider.verify(body, signature)
    except BadSignature as exc:
        raise InvalidSignature(str(exc)) from exc
    return record_payment_result(uow, provider.name, str(note["out_trade_no"]), int(note["amount_fen"]),
                                 str(note["status"]), str(note.get("transaction_id") or ""))


def record_payment_result(uow: UnitOfWork, provider: str, out_trade_no: str, amount_fen: int, status: str,
                          transaction_id: str) -> dict:
    """Record a verified result once (a notification, or the provider's answer to a query). Duplicates and
    a failure after a success change nothing; a success after the order ended asks for a refund."""
    with uow:
        s, now = uow.session, uow.clock.now()
        payment = repo.payment_by_trade_no(s, out_trade_no, lock=True)
        if payment is None or payment.provider != provider:
            raise NotFound("payment", out_trade_no)
        if payment.status == "succeeded":
            return {"code": "SUCCESS", "duplicate": True}
        if amount_fen != payment.amount_fen:
            raise AmountMismatch(f"paid {amount_fen} but payment asks {payment.amount_fen}")
        order = repo.by_id(s, payment.order_id, lock=True)
        assert order is not None
        if status != "SUCCESS":
            if payment.status == "created":
                payment.status, payment.notified_at = "failed", now
                uow.commit()
            return {"code": "SUCCESS"}
        payment.status, payment.notified_at = "succeeded", now
        payment.provider_txn_id = transaction_id or None
        if order.status != PENDING_PAYMENT:  # expired or cancelled meanwhile: give the money back
            uow.publish("order.refund_needed", {"order_id": order.id, "number": order.number,
                                                "out_trade_no": payment.out_trade_no, "amount_fen": payment.amount_fen})
            uow.commit()
            return {"code": "SUCCESS", "refund": True}
        _transition(uow, order, PAID, f"payment:{payment.provider}", payment.out_trade_no)
        order.paid_at = now
        inventory.extend(s, order.number, now + PAID_HOLD)
        if order.held_for is None:  # a held order (a group not formed yet) waits for release_hold
            _fulfil(uow, order)
        uow.publish("order.paid", {"order_id": order.id, "number": order.number, "total_fen": order.total_fen})
        uow.commit()
        return {"code": "SUCCESS"}


def _fulfil(uow: UnitOfWork, order: Order) -> None:
    """One fulfilment per location that holds the order's stock: what each fulfils is what the order's
    live reservations hold there (inventory keeps them by order number: they survive a crash, follow a
    reassignment, and a retried payment finds the order paid and makes none), in the mode the sourcing
    decision gave that location (the order's own mode at its main location)."""
    s = uow.session
    held = inventory.held(s, order.number)
    if len(held) <= 1:  # one location: the order's lines, as always
        lines: dict[int, int] = defaultdict(int)
        for ln in repo.lines_of(s, order.id):
            lines[ln.sku_id] += ln.quantity
        fulfillment.create_for_order(uow, NewFulfillment(order.id, order.number, order.fulfil_location_id,
                                                         order.mode, order.route_reason, dict(lines)))
        return
    modes = fulfillment.placed_modes(s, order.number)
    ordered = sorted(held, key=lambda loc: (loc != order.fulfil_location_id, loc))  # the main part first
    for loc in ordered:
        mode = order.mode if loc == order.fulfil_location_id else modes.get(loc, order.mode)
        fulfillment.create_for_order(uow, NewFulfillment(order.id, order.number, loc, mode, order.route_reason,
                                                         held[loc]))


def release_hold(uow: UnitOfWork, order_id: int, actor: str, note: str = "") -> bool:
    """Joins the caller's unit of work: a held order (see `place`) goes on to fulfilment as any other. A paid
    one gets its fulfilment now; an unpaid one will at payment. False (nothing done) when it is not held
    (released before) or gone; a cancelled or expired order stays as it is."""
    order = repo.by_id(uow.session, order_id, lock=True)
    if order is None or order.held_for is None:
        return False
    order.held_for = None
    repo.add_history(uow.session, order.id, order.status, order.status, actor, note or "hold released",
                     uow.clock.now())
    if order.status == PAID:
        _fulfil(uow, order)
    return True


# what a shopper may still cancel: unpaid, or paid and not picked yet (staff may cancel later steps too)
SHOPPER_CANCELLABLE = frozenset({PENDING_PAYMENT, PAID})


def cancel(uow: UnitOfWork, number: str, actor: str, reason: str = "") -> OrderOut:
    with uow:
        order = repo.by_number(uow.session, number, lock=True)
        if order is None:
            raise NotFound("order", number)
        _cancel(uow, order, actor, reason)
        uow.commit()
    return get(uow.db, number)


def cancel_by_customer(uow: UnitOfWork, number: str, customer_id: int, reason: str = "") -> OrderOut:
    """The shopper cancels their own order: unpaid, or paid and not picked yet (a paid one is refunded
    through the payment provider, by the order.refund_needed event). Once the store has started picking,
    CancelTooLate (409), also when the store starts at the same moment: the order and its fulfilments
    are locked, so one of the two wins."""
    with uow:
        order = repo.by_number(uow.session, number, lock=True)
        if order is None or order.customer_id != customer_id:
            raise NotFound("order", number)
        if order.status not in SHOPPER_CANCELLABLE or fulfillment.work_started(uow, order.id):
            if order.status in (CANCELLED, EXPIRED):
                raise IllegalTransition("order", order.status, CANCELLED)
            raise CancelTooLate(f"order {number} is {order.status}: the store has started on it",
                                current_status=order.status)
        _cancel(uow, order, f"customer:{customer_id}", reason)
        uow.commit()
    return get(uow.db, number)


def _cancel(uow: UnitOfWork, order: Order, actor: str, reason: str) -> None:
    """Joins the caller's unit of work (the order locked): cancel, release its stock and fulfilments, and
    ask for the refund of a payment that went through."""
    was, number = order.status, order.number
    _transition(uow, order, CANCELLED, actor, reason)
    if was in HOLDS_STOCK:
        inventory.release(uow.session, number)
    fulfillment.cancel_for_order(uow, order.id, actor)
    uow.publish("order.cancelled", {"order_id": order.id, "number": number, "was": was})
    paid = repo.succeeded_payment(uow.session, order.id) if was != PENDING_PAYMENT else None
    if paid is not None:  # what is still paid: a partial order accepted earlier was refunded its difference
        uow.publish("order.refund_needed", {"order_id": order.id, "number": number,
                                            "out_trade_no": paid.out_trade_no,
                                            "amount_fen": min(paid.amount_fen, order.total_fen)})


def accept_partial(uow: UnitOfWork, number: str, actor: str) -> OrderOut:
    """A short pick resolved with the customer: they take what the store found. The order's lines are
    reduced to it (a line of none is dropped), the reservation of the missing units is released, the
    fulfilment goes back to picking, and what the customer paid for the missing units is refunded
    (order.refund_needed, delivered by the payment provider)."""
    with uow:
        s = uow.session
        order = repo.by_number(s, number, lock=True)
        if order is None:
            raise NotFound("order", number)
        location_id, removed = fulfillment.accept_short(uow, order.id, actor)
        refund = gross = 0
        for sku_id, missing in sorted(removed.items()):
            inventory.release_units(s, number, location_id, sku_id, missing)
            for line in reversed([ln for ln in repo.lines_of(s, order.id) if ln.sku_id == sku_id]):
                n = min(missing, line.quantity)
                paid = pricing.refundable_fen(line, n)  # the units' share of the line's discount stays off
                refund += paid
                gross += n * line.unit_price_fen
                missing -= n
                if n == line.quantity:
                    s.delete(line)
                else:
                    line.discount_fen -= n * line.unit_price_fen - paid
                    line.quantity -= n
                    line.line_total_fen = line.quantity * line.unit_price_fen
                if missing == 0:
                    break
        refund = min(refund, order.total_fen)
        order.subtotal_fen -= min(gross, order.subtotal_fen)
        order.discount_fen = max(0, order.discount_fen - (gross - refund))
        order.total_fen -= refund
        note = "partial accepted: " + ", ".join(f"sku {sku} -{n}" for sku, n in sorted(removed.items()))
        repo.add_history(s, order.id, order.status, order.status, actor, f"{note}; refund {refund} fen",
                         uow.clock.now())
        uow.publish("order.partial_accepted", {"order_id": order.id, "number": number, "refund_fen": refund,
                                               "removed": {str(k): v for k, v in removed.items()}})
        paid = repo.succeeded_payment(s, order.id)
        if paid is not None and refund > 0:
            uow.publish("order.refund_needed", {"order_id": order.id, "number": number,
                                                "out_trade_no": paid.out_trade_no, "amount_fen": refund})
        uow.commit()
    return get(uow.db, number)


def cancel_short(uow: UnitOfWork, number: str, actor: str) -> OrderOut:
    """A short pick resolved with the customer: they do not want a partial order. Cancelled (stock
    released, a full refund) only while the fulfilment is still short: a manager who resolved it a moment
    earlier wins, and this one is IllegalTransition."""
    with uow:
        order = repo.by_number(uow.session, number, lock=True)
        if order is None:
            raise NotFound("order", number)
        if not fulfillment.is_short(uow, order.id):
            raise IllegalTransition("fulfillment", order.status, "cancelled (short pick)")
        _cancel(uow, order, actor, "short pick: the customer cancelled")
        uow.commit()
    return get(uow.db, number)


# what head office may still move to another store: the store has not started on it
REASSIGNABLE = frozenset({PENDING_PAYMENT, PAID})


def reassign(uow: UnitOfWork, number: str, location_id: int, actor: str, reason: str = "") -> OrderOut:
    """Head office moves an order to another location (a store closed for the day, a fridge broken).
    One transaction: the order and its fulfilments locked, the reservation given back at the old
    location and taken at the new one (refused with InsufficientStock, nothing moved, when the new one
    has not got every line, also when a concurrent order took the last unit first), the open fulfilment
    cancelled and a new one made there, a history row, and `order.reassigned` for the customer's message.
    The prices stay those the customer was quoted."""
    with uow:
        s, now = uow.session, uow.clock.now()
        order = repo.by_number(s, number, lock=True)
        if order is None:
            raise NotFound("order", number)
        if order.status not in REASSIGNABLE:
            raise IllegalTransition("order", order.status, "reassigned")
        old = order.fulfil_location_id
        if not 0 < location_id < 2**63:
            raise InvalidInput("location_id", f"no location {location_id}")
        if location_id == old:
            raise InvalidInput("location_id", "the order is already fulfilled there")
        target = next((c for c in locations.candidates(s, None, None, 0, [location_id]) if c.id == location_id), None)
        if target is None:
            raise InvalidInput("location_id", f"no location {location_id} taking online orders")
        distance = (geo.haversine_m(order.ship_lat, order.ship_lng, target.lat, target.lng)
                    if order.ship_lat is not None and order.ship_lng is not None else None)
        serves = {routing.PICKUP: target.kind == "store" and target.can_pickup,
                  routing.STORE_DELIVERY: target.kind == "store" and target.can_store_delivery
                  and distance is not None and distance <= target.radius_m,
                  routing.PARCEL: target.kind == "warehouse" or target.can_parcel}
        if not serves.get(order.mode, False):
            raise InvalidInput("location_id", f"{target.name} cannot serve this {order.mode} order")
        note = f"moved from location {old} to {location_id} by head office" + (f": {reason}" if reason else "")
        fulfillment.move_for_order(uow, order.id, location_id, actor, note, order.mode)
        expires = now + PAID_HOLD if order.status == PAID else order.expires_at
        try:
            inventory.move_reservation(s, number, location_id, now, expires)
        except ReservationFailed as exc:
            raise InsufficientStock(f"{target.name} has not got every line of order {number}",
                                    lines=[{"field": "location_id", "sku_id": exc.sku_id,
                                            "requested": exc.quantity}]) from None
        order.fulfil_location_id, order.distance_m = location_id, None if distance is None else round(distance)
        order.route_reason = note[:300]
        repo.add_history(s, order.id, order.status, order.status, actor, note, now)
        uow.describe(f"order={number}", from_location=old, to_location=location_id)
        uow.publish("order.reassigned", {"order_id": order.id, "number": number, "from_location_id": old,
                                         "to_location_id": location_id, "store_name": target.name,
                                         "mode": order.mode})
        uow.commit()
    return get(uow.db, number)


# an order whose fulfilment may still be re-sourced (paid, the rest not yet handed over)
RESOURCEABLE = frozenset({PAID, PICKING, READY})


KEPT = "kept"


def resource(uow: UnitOfWork, order_id: int, fulfillment_id: int, policy: OrderPolicy,
             actor: str = "router") -> str:
    """Joins the caller's unit of work (the relay's handler of fulfillment.short_picked and
    fulfillment.rejected): what the store could not serve goes to other locations (fulfillment.reallocate:
    the reservation moved, a fulfilment per new location, the decision recorded). Idempotent: a
    redelivered event finds the fulfilment no longer short (IllegalTransition) and moves nothing. A lost
    race for the new locations' last units plans again with fresh stock. Without a plan the fulfilment
    stays short for someone to contact the customer (accept_partial / cancel_short). So does a pickup at
    the store the customer chose: sending them to another store is theirs to agree to, not ours to decide.

    Returns "ok", "unfulfillable", "kept" (a chosen pickup store's part, left for the customer to be asked)
    or "moved-on" (nothing to do: resolved meanwhile, or the order ended)."""
    s, now = uow.session, uow.clock.now()
    order = repo.by_id(s, order_id, lock=True)
    if order is None or order.status not in RESOURCEABLE:
        return "moved-on"
    mode = order.mode if order.mode in (routing.PICKUP, routing.STORE_DELIVERY, routing.PARCEL) else routing.PICKUP
    has_address = order.ship_lat is not None and order.ship_lng is not None
    lat, lng = (order.ship_lat, order.ship_lng) if has_address else (None, None)
    for attempt in range(PLACE_ATTEMPTS):
        try:
            with s.begin_nested():
                found = fulfillment.where_is(s, fulfillment_id)
                if found is None or found[0] != order.id:
                    return "moved-on"
                failed = found[1]
                if mode == routing.PICKUP and failed == order.chosen_location_id:
                    return KEPT  # the customer chose to collect here: asked first, never sent elsewhere unasked
                if lat is None:  # a pickup without an address: near the store that failed
                    lat, lng = locations.point_of(s, failed)
                # the store the customer chose stays named: a "keep the chosen pickup store" rule then keeps
                # a short pickup for the customer to be contacted instead of sending them to another store
                req = fulfillment.SourcingRequest(lines={}, mode=mode, now=now, has_address=has_address,
                                                  chosen_location_id=order.chosen_location_id,
                                                  tier=order.tier_code, channel=order.channel, lat=lat, lng=lng)
                decision = fulfillment.reallocate(uow, fulfillment_id, req, actor, policy.sourcing,
                                                  PAID_HOLD.days, policy.max_radius_m)
                if decision.ok:
                    _resourced(uow, order, failed, [a.location_id for a in decision.allocations], actor)
        except IllegalTransition:
            return "moved-on"  # no longer short or new: a redelivery, or someone resolved it meanwhile
        except ReservationFailed:
            if attempt == PLACE_ATTEMPTS - 1:
                raise  # the relay retries later, with fresh stock
            continue
        return decision.status
    return "moved-on"


def _resourced(uow: UnitOfWork, order: Order, failed: int, to: list[int], actor: str) -> None:
    """The order follows a re-sourcing: a history row; its main location moves when that one gave up all
    of its part (the store staff and the customer's page then name where the order is now)."""
    s = uow.session
    if order.fulfil_location_id == failed and all(
            st == "cancelled" for loc, st in fulfillment.parts_of(s, order.id) if loc == failed):
        order.fulfil_location_id = to[0]
    note = f"re-sourced from location {failed} to {', '.join(map(str, to))}"
    repo.add_history(s, order.id, order.status, order.status, actor, note, uow.clock.now())
    uow.describe(f"order={order.number}", resourced_from=failed, resourced_to=",".join(map(str, to)))


def expire_unpaid(db: Database, uow_factory: Callable[[], UnitOfWork], limit: int = 200) -> int:
    """Expire unpaid orders past their deadline and release their stock, one transaction each."""
    uow = uow_factory()
    with db.read() as s:
        due = repo.due_unpaid(s, uow.clock.now(), limit)
    done = 0
    for number in due:
        uow = uow_factory()
        with uow:
            order = repo.by_number(uow.session, number, lock=True)
            if order is None or order.status != PENDING_PAYMENT or order.expires_at > uow.clock.now():
                continue
            _transition(uow, order, EXPIRED, "system", "unpaid")
            inventory.release(uow.session, number, status="expired")
            uow.publish("order.expired", {"order_id": order.id, "number": number})
            uow.commit()
            done += 1
    return done


def get(db: Database, number: str) -> OrderOut:
    with db.read() as s:
        order = repo.by_number(s, number)
        if order is None:
            raise NotFound("order", number)
        out = OrderOut.model_validate(order)
        out.lines = [OrderLineOut.model_validate(ln) for ln in repo.lines_of(s, order.id)]
        out.discounts = [DiscountOut.model_validate(d) for d in repo.discounts_of(s, order.id)]
        out.history = [HistoryOut.model_validate(h) for h in repo.history_of(s, order.id)]
        order_id = order.id
    fos = fulfillment.for_order(db, order_id)
    out.fulfillment_ids = [f.id for f in fos]
    out.pickup_code = next((f.pickup_code for f in fos if f.pickup_code and f.status != "cancelled"), None)
    return out


def recent(db: Database, customer_id: int | None, page: PageParams, location_id: int | None = None) -> list[OrderOut]:
    with db.read() as s:
        return [OrderOut.model_validate(o)
                for o in repo.recent(s, customer_id, page.offset, page.size, location_id)]


def all_of_customer(db: Database, customer_id: int) -> list[OrderOut]:
    """Every order of a customer with its lines (their data export)."""
    with db.read() as s:
        out = []
        for o in repo.recent(s, customer_id, 0, 1_000_000):
            item = OrderOut.model_validate(o)
            item.lines = [OrderLineOut.model_validate(ln) for ln in repo.lines_of(s, o.id)]
            out.append(item)
        return out


def scope_of(db: Database, number: str) -> tuple[int | None, int]:
    """(customer id, fulfilling location id) of an order; 404 when there is none."""
    with db.read() as s:
        found = repo.owner_of(s, number)
    if found is None:
        raise NotFound("order", number)
    return found


def is_customer_of(db: Database, customer_id: int, location_id: int) -> bool:
    """Whether the customer is one of the store's own: ordered there, or was served (picked up, delivered)
    from it. A store role's pii:read reaches only these customers."""
    with db.read() as s:
        return repo.has_order_at(s, customer_id, location_id)


def served_at(db: Database, customer_id: int, location_id: int) -> bool:
    """Whether the store completed an order of the customer's (the till's proof that a customer without
    their member code is one of the store's own: an order staff placed in their name does not count)."""
    with db.read() as s:
        return repo.served_at(s, customer_id, location_id)


def sandbox_complete(uow: UnitOfWork, provider: SandboxPayments, out_trade_no: str) -> dict:
    """The sandbox's 'customer paid' button: the provider signs a notification and delivers it."""
    with uow.db.read() as s:
        payment = repo.payment_by_trade_no(s, out_trade_no)
        if payment is None:
            raise NotFound("payment", out_trade_no)
        amount = payment.amount_fen
    body, signature = provider.notification(out_trade_no, amount)
    return handle_payment_notification(uow, provider, body, signature)


def payment_records(db: Database, provider: str, since: datetime, until: datetime,
                    trade_nos: set[str]) -> list[PaymentRecord]:
    """For reconciliation: `provider`'s payments that succeeded (notified) in [since, until) and its
    refunds asked in that window, plus every payment and refund of the trades in `trade_nos`."""
    from sqlalchemy import and_, or_, select

    from o2o.orders.models import PaymentRefund

    out: list[PaymentRecord] = []
    with db.read() as s:
        named = Payment.out_trade_no.in_(sorted(trade_nos)) if trade_nos else None
        in_day = and_(Payment.status == "succeeded", Payment.notified_at >= since, Payment.notified_at < until)
        for p in s.scalars(select(Payment).where(Payment.provider == provider,
                                                 or_(in_day, named) if named is not None else in_day)
                           .order_by(Payment.id)):
            out.append(PaymentRecord("payment", p.out_trade_no, p.amount_fen, p.status))
        refund_day = and_(PaymentRefund.created_at >= since, PaymentRefund.created_at < until)
        for r, no in s.execute(select(PaymentRefund, Payment.out_trade_no)
                               .join(Payment, Payment.id == PaymentRefund.payment_id)
                               .where(Payment.provider == provider,
                                      or_(refund_day, named) if named is not None else refund_day)
                               .order_by(PaymentRefund.id)):
            out.append(PaymentRecord("refund", no, r.amount_fen, r.status, r.out_refund_no))
    return out


def erase_customer(session: Session, customer_id: int) -> int:
    """Joins the caller's transaction (a customer's erasure): blank the ship-to address of the customer's
    orders and round its coordinates to ~1 km. Amounts, lines, history and ledgers stay. Returns the
    number of orders touched; a second call changes nothing."""
    from sqlalchemy import select

    n = 0
    for order in session.scalars(select(Order).where(Order.customer_id == customer_id).order_by(Order.id)):
        if order.ship_address:
            order.ship_address = ""
            n += 1
        if order.ship_lat is not None and order.ship_lng is not None:
            order.ship_lat, order.ship_lng = round(order.ship_lat, 2), round(order.ship_lng, 2)
    session.flush()
    return n


# --- quote: the checkout's price breakdown ----------------------------------------------------

@dataclass(frozen=True)
class Quote:
    """What `place` would decide for this order now: where, how, and for how much."""

    location_id: int
    mode: str
    reason: str
    distance_m: int | None
    lines: list[OrderLineOut]
    subtotal_fen: int
    delivery_fee_fen: int
    discount_fen: int
    total_fen: int
    currency: str = CURRENCY
    tier: str | None = None  # the member's tier (None: no customer)
    tier_name_zh: str = ""
    tier_name_en: str = ""
    delivery_fee_waived_fen: int = 0  # the store-delivery fee the tier's free store delivery waived
    # promotions and coupons: what applies ("满200减30", amount), what does not and why, and the wallet's
    # usable coupons the shopper may pick instead (OrderIn.coupon_ids)
    discounts: tuple[DiscountOut, ...] = ()
    rejected: tuple[RejectedOffer, ...] = ()
    coupons: tuple[CouponChoice, ...] = ()
    goods_discount_fen: int = 0
    delivery_discount_fen: int = 0
    parts: tuple[QuotePart, ...] = ()  # every location of the plan and its lines (several: a split)


def eta_minutes(mode: str, distance_m: int | None) -> tuple[int, int] | None:
    """The delivery time window (minutes from now) of a routed mode and distance (a Quote's), as shown
    before payment; None for pickup."""
    return pricing.eta_minutes(mode, distance_m)


def configure_store_delivery(fee_fen: int, free_from_fen: int) -> None:
    """The store-delivery fee rule from the settings (see pricing.configure_store_delivery)."""
    pricing.configure_store_delivery(fee_fen, free_from_fen)


def delivery_fee(mode: str, subtotal_fen: int) -> tuple[int, int]:
    """(the fee of a mode for this subtotal, the subtotal from which it is free)."""
    return pricing.delivery_fee(mode, subtotal_fen), pricing.DELIVERY_FEES[mode][1]


def quote(db: Database, data: OrderIn, policy: OrderPolicy, locale: str = "zh-CN", *, exact: bool = False,
          now: datetime | None = None) -> Quote:
    """Route and price exactly like `place`, but reserve nothing and write nothing (a read-only
    transaction). Raises what `place` raises for the same order: InvalidInput (unknown customer,
    address, location or SKU; a named coupon not usable), InsufficientStock (lines short everywhere
    within reach, with what is available) or NoLocation. Line names are in `locale`. Promotions and
    coupons at `now` (the caller's clock; the system's if None): a named coupon the basket does not
    qualify for is not an error here but a `rejected` entry with its reason. Points are not counted."""
    with db.read() as s:
        plan = prepare(s, data, policy, exact, locale, now=now, choices=True)
    member, decision, deal = plan.member, plan.decision, plan.deal
    return Quote(location_id=decision.location_id, mode=decision.mode, reason=decision.reason[:300],
                 distance_m=decision.distance_m, lines=[OrderLineOut(**r) for r in _line_rows(plan)],
                 subtotal_fen=plan.subtotal_fen, delivery_fee_fen=plan.fee_fen,
                 discount_fen=plan.subtotal_fen + plan.fee_fen - plan.total_fen, total_fen=plan.total_fen,
                 tier=member.tier if member else None, tier_name_zh=member.tier_name_zh if member else "",
                 tier_name_en=member.tier_name_en if member else "", delivery_fee_waived_fen=plan.waived_fen,
                 discounts=tuple(discounts.applied_out(deal)), rejected=tuple(discounts.rejected_out(deal)),
                 coupons=tuple(discounts.coupon_choices(deal)),
                 goods_discount_fen=deal.goods_fen if deal else 0,
                 delivery_discount_fen=deal.delivery_fen if deal else 0,
                 parts=tuple(QuotePart(location_id=loc, mode=mode, lines=part) for loc, mode, part in decision.parts))
