"""Group buying (拼团) use cases: operators' deals; shoppers open and join groups; a group forms when every
slot is paid in time (its orders go to fulfilment) or fails when time runs out (every order cancelled,
refunded and its stock released, by the worker's `close_due`).

Joining is an ordinary order (orders.service.place) at the deal's prices, held from fulfilment; the slot
is taken inside that order's transaction by one conditional UPDATE (`joined < size`), so the order and
the slot exist together or not at all. Payments and cancellations reach the group through the order's
events (handlers.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from o2o.catalog import service as catalog
from o2o.groupbuy import repository as repo
from o2o.groupbuy.exceptions import AlreadyInGroup, DealUnavailable, GroupClosed, GroupFull
from o2o.groupbuy.models import ACTIVE, FAILED_MEMBER, FAILING, JOINED, LEFT, OPEN, PAID, Deal, Group, Member
from o2o.groupbuy.schemas import DealIn, DealItemOut, DealOut, GroupOut, JoinIn, JoinOut, MemberOut
from o2o.kernel.db import Database
from o2o.kernel.errors import IllegalTransition, InvalidInput, NotFound
from o2o.kernel.uow import UnitOfWork
from o2o.locations import service as locations
from o2o.orders import service as orders
from o2o.orders.schemas import LineIn, OrderIn, OrderOut

ACTOR = "groupbuy"
log = logging.getLogger(__name__)


# --- deals (operators) ------------------------------------------------------------------------

def _is_on(d: Deal, now: datetime) -> bool:
    return d.active and d.starts_at <= now < d.ends_at and d.sold < d.stock_cap


def _deal_out(s: Session, deals: list[Deal], now: datetime, locale: str) -> list[DealOut]:
    items = repo.items(s, [d.id for d in deals])
    skus = sorted({it.sku_id for its in items.values() for it in its})
    priced = catalog.PriceStrategy(s, None, "h5", locale).price(skus) if skus else {}
    out = []
    for d in deals:
        rows = [DealItemOut(sku_id=it.sku_id, name=priced[it.sku_id].name if it.sku_id in priced else "",
                            quantity=it.quantity, price_fen=it.price_fen,
                            list_price_fen=priced[it.sku_id].price_fen if it.sku_id in priced else it.price_fen)
                for it in items.get(d.id, [])]
        out.append(DealOut(id=d.id, title_zh=d.title_zh, title_en=d.title_en,
                           title=d.title_zh if locale.startswith("zh") else d.title_en, items=rows,
                           price_fen=sum(r.price_fen * r.quantity for r in rows),
                           list_price_fen=sum(r.list_price_fen * r.quantity for r in rows),
                           group_size=d.group_size, hours=d.hours, modes=list(d.modes),
                           location_ids=list(d.location_ids), starts_at=d.starts_at, ends_at=d.ends_at,
                           stock_cap=d.stock_cap, sold=d.sold, active=d.active, on=_is_on(d, now)))
    return out


def _check_refs(s: Session, data: DealIn) -> None:
    priced = catalog.PriceStrategy(s, None).price([i.sku_id for i in data.items])
    for i, it in enumerate(data.items):
        if it.sku_id not in priced:
            raise InvalidInput(f"items[{i}].sku_id", f"unknown SKU {it.sku_id}")
    if data.location_ids:
        known = {c.id for c in locations.candidates(s, None, None, 0, list(data.location_ids))}
        for i, loc in enumerate(data.location_ids):
            if loc not in known:
                raise InvalidInput(f"location_ids[{i}]", f"no location {loc} taking online orders")


def _apply(d: Deal, data: DealIn, now: datetime) -> None:
    d.title_zh, d.title_en, d.group_size, d.hours = data.title_zh, data.title_en, data.group_size, data.hours
    d.modes, d.location_ids = list(data.modes), list(data.location_ids)
    d.starts_at, d.ends_at, d.stock_cap, d.active, d.updated_at = (
        data.starts_at, data.ends_at, data.stock_cap, data.active, now)


def create_deal(uow: UnitOfWork, data: DealIn, locale: str = "zh-CN") -> DealOut:
    with uow:
        s, now = uow.session, uow.clock.now()
        _check_refs(s, data)
        d = Deal(sold=0, created_at=now)
        _apply(d, data, now)
        s.add(d)
        s.flush()
        repo.replace_items(s, d.id, [it.model_dump() for it in data.items])
        s.flush()
        uow.describe(f"groupbuy_deal={d.id}", group_size=d.group_size, stock_cap=d.stock_cap)
        out = _deal_out(s, [d], now, locale)[0]
        uow.commit()
    return out


def update_deal(uow: UnitOfWork, deal_id: int, data: DealIn, locale: str = "zh-CN") -> DealOut:
    """Groups already open keep their size and deadline, and orders placed keep their prices; the stock
    cap cannot go below the portions handed out (422)."""
    with uow:
        s, now = uow.session, uow.clock.now()
        d = s.get(Deal, deal_id, with_for_update=True)
        if d is None:
            raise NotFound("deal", deal_id)
        if data.stock_cap < d.sold:
            raise InvalidInput("stock_cap", f"{d.sold} portions are already taken")
        _check_refs(s, data)
        _apply(d, data, now)
        repo.replace_items(s, d.id, [it.model_dump() for it in data.items])
        s.flush()
        uow.describe(f"groupbuy_deal={d.id}", active=d.active, stock_cap=d.stock_cap)
        out = _deal_out(s, [d], now, locale)[0]
        uow.commit()
    return out


def end_deal(uow: UnitOfWork, deal_id: int) -> None:
    """No new groups or members; groups already open run to their end."""
    with uow:
        d = uow.session.get(Deal, deal_id, with_for_update=True)
        if d is None:
            raise NotFound("deal", deal_id)
        d.active, d.updated_at = False, uow.clock.now()
        uow.describe(f"groupbuy_deal={d.id}", active=False)
        uow.commit()


def deals(db: Database, now: datetime, locale: str = "zh-CN", *, every: bool = False) -> list[DealOut]:
    """The deals on show (or, `every`, all of them for the operator)."""
    with db.read() as s:
        return _deal_out(s, repo.deals(s, None if every else now), now, locale)


def deal(db: Database, deal_id: int, now: datetime, locale: str = "zh-CN", *, every: bool = False) -> DealOut:
    """A deal; one not on show (inactive, not started) looks unknown unless `every` (operators)."""
    with db.read() as s:
        d = repo.deal(s, deal_id)
        if d is None or not (every or (d.active and d.starts_at <= now)):
            raise NotFound("deal", deal_id)
        return _deal_out(s, [d], now, locale)[0]


# --- groups ----------------------------------------------------------------------------------

def _group_out(g: Group, now: datetime) -> GroupOut:
    left = max(0, int((g.deadline - now).total_seconds())) if g.status == OPEN else 0
    return GroupOut(id=g.id, deal_id=g.deal_id, size=g.size, joined=g.joined, paid=g.paid,
                    missing=max(0, g.size - g.joined) if g.status == OPEN else 0, status=g.status,
                    opened_at=g.opened_at, deadline=g.deadline, closed_at=g.closed_at, seconds_left=left)


def open_groups(db: Database, deal_id: int, now: datetime) -> list[GroupOut]:
    with db.read() as s:
        d = repo.deal(s, deal_id)
        if d is None or not d.active or d.starts_at > now:
            raise NotFound("deal", deal_id)
        return [_group_out(g, now) for g in repo.open_groups(s, deal_id, now)]


def group(db: Database, group_id: int, now: datetime) -> GroupOut:
    with db.read() as s:
        g = repo.group(s, group_id)
        if g is None:
            raise NotFound("group", group_id)
        return _group_out(g, now)


def membership(db: Database, customer_id: int, group_id: int) -> str | None:
    """The number of the caller's order in this group while they hold a slot, else None."""
    with db.read() as s:
        for m in repo.members(s, group_id):
            if m.customer_id == customer_id and m.status in ACTIVE:
                return m.order_number
    return None


def my_groups(db: Database, customer_id: int, now: datetime, locale: str = "zh-CN") -> list[MemberOut]:
    with db.read() as s:
        return [MemberOut(group=_group_out(g, now), deal_title=d.title_zh if locale.startswith("zh") else d.title_en,
                          order_number=m.order_number, status=m.status, joined_at=m.joined_at, paid_at=m.paid_at)
                for m, g, d in repo.of_customer(s, customer_id)]


@dataclass
class _Slot:
    group_id: int = 0


def open_group(uow: UnitOfWork, policy: orders.OrderPolicy, customer_id: int, deal_id: int, data: JoinIn,
               idempotency_key: str | None = None) -> JoinOut:
    """Open a group on a deal and take its first slot: an order at the deal's prices to pay within the
    unpaid-order time (else it expires and the slot frees). With the same Idempotency-Key a retry answers
    the first group and order."""
    return _join(uow, policy, customer_id, deal_id, None, data, idempotency_key)


def join_group(uow: UnitOfWork, policy: orders.OrderPolicy, customer_id: int, group_id: int, data: JoinIn,
               idempotency_key: str | None = None) -> JoinOut:
    """Take a slot in an open group: 409 group-full (every slot held), group-closed (formed, failed or out
    of time), already-in-group, deal-unavailable (ended, sold out)."""
    with uow.db.read() as s:
        g = repo.group(s, group_id)
        if g is None:
            raise NotFound("group", group_id)
        deal_id = g.deal_id
    return _join(uow, policy, customer_id, deal_id, group_id, data, idempotency_key)


def _join(uow: UnitOfWork, policy: orders.OrderPolicy, customer_id: int, deal_id: int, group_id: int | None,
          data: JoinIn, idempotency_key: str | None) -> JoinOut:
    scope = f"groupbuy:{f'group{group_id}' if group_id else f'deal{deal_id}'}:customer:{customer_id}"
    if idempotency_key and (number := orders.placed_with_key(uow.db, scope, idempotency_key)):
        return _joined(uow, number)
    now = uow.clock.now()
    with uow.db.read() as s:  # refuse early what would be refused anyway: no order is written for it
        d = repo.deal(s, deal_id)
        if d is None or not d.active or d.starts_at > now:
            raise NotFound("deal", deal_id)
        if group_id is not None:
            g = repo.group(s, group_id)
            assert g is not None
            _check_group(g, now)
            if repo.is_member(s, group_id, customer_id):
                raise AlreadyInGroup(f"you are already in group {group_id}")
        if not _is_on(d, now):
            raise DealUnavailable(f"deal {deal_id} has ended or is sold out")
        if data.mode not in d.modes:
            raise InvalidInput("mode", f"this deal is for {', '.join(d.modes)}")
        if d.location_ids and data.location_id not in d.location_ids:
            raise InvalidInput("location_id", "this deal is served by the stores "
                               + ", ".join(str(x) for x in d.location_ids) + " only: name one")
        items = repo.items(s, [deal_id]).get(deal_id, [])
        size, deadline = d.group_size, min(now + timedelta(hours=d.hours), d.ends_at)
        exact = bool(d.location_ids)
    if not items:
        raise DealUnavailable(f"deal {deal_id} has nothing to sell")
    order_in = OrderIn(customer_id=customer_id, lines=[LineIn(sku_id=it.sku_id, quantity=it.quantity) for it in items],
                       mode=data.mode, location_id=data.location_id, address_id=data.address_id, channel="h5",
                       utm_source="groupbuy", utm_campaign=f"deal{deal_id}")
    slot = _Slot(group_id or 0)

    def within(u: UnitOfWork, order: OrderOut) -> None:
        """In the order's transaction, before its stock is reserved: the slot, then the deal's portion."""
        s, at = u.session, u.clock.now()
        if group_id is None:  # opening: a new group each attempt (an attempt rolled back took its group along)
            slot.group_id = repo.insert_group(s, deal_id, customer_id, size, at, deadline)
        if not repo.take_slot(s, slot.group_id, at):
            g = repo.group(s, slot.group_id)
            assert g is not None
            s.refresh(g)
            _check_group(g, at)
            raise GroupFull(f"group {slot.group_id} is full")
        if not repo.take_portion(s, deal_id, at):
            raise DealUnavailable(f"deal {deal_id} has ended or is sold out")
        try:
            with s.begin_nested():
                s.add(Member(group_id=slot.group_id, customer_id=customer_id, order_number=order.number,
                             status=JOINED, joined_at=at))
        except IntegrityError:
            raise AlreadyInGroup(f"you are already in group {slot.group_id}") from None
        u.describe(f"groupbuy_group={slot.group_id}", order=order.number)
        u.publish("groupbuy.joined", {"group_id": slot.group_id, "deal_id": deal_id, "order_number": order.number,
                                      "customer_id": customer_id})

    out = orders.place(uow, order_in, policy, idempotency_key, scope=scope, exact=exact,
                       prices={it.sku_id: it.price_fen for it in items}, held_for=f"groupbuy:deal{deal_id}",
                       within=within)
    return _joined(uow, out.number, out)


def _check_group(g: Group, now: datetime) -> None:
    if g.status != OPEN or g.deadline <= now:
        raise GroupClosed(f"group {g.id} is {g.status if g.status != OPEN else 'out of time'}")
    if g.joined >= g.size:
        raise GroupFull(f"group {g.id} is full")


def _joined(uow: UnitOfWork, number: str, order: OrderOut | None = None) -> JoinOut:
    order = order or orders.get(uow.db, number)
    with uow.db.read() as s:
        m = repo.member_by_number(s, number)
        if m is None:
            raise NotFound("group member", number)
        g = repo.group(s, m.group_id)
        assert g is not None
        return JoinOut(group=_group_out(g, uow.clock.now()), order_number=number, total_fen=order.total_fen,
                       expires_at=order.expires_at)


# --- reactions to the orders' events (handlers.py) ------------------------------------------------

def member_paid(uow: UnitOfWork, order_id: int, number: str) -> bool:
    """Joins the caller's unit of work (order.paid): count the payment; the payment that fills the group
    in time forms it, and every member's order goes on to fulfilment. True when this formed the group."""
    s, now = uow.session, uow.clock.now()
    m = repo.member_by_number(s, number)
    if m is None:
        return False
    facts = orders.facts(s, order_id)
    paid_at = (facts.paid_at if facts and facts.paid_at else None) or now
    if not repo.move_member(s, m.id, JOINED, PAID, paid_at=paid_at, order_id=order_id):
        return False
    repo.count_paid(s, m.group_id)
    if not repo.succeed(s, m.group_id, paid_at, now):
        return False
    for other in repo.members(s, m.group_id):
        if other.status == PAID and other.order_id is not None:
            orders.release_hold(uow, other.order_id, ACTOR, f"group {m.group_id} formed")
    uow.publish("groupbuy.group_succeeded", {"group_id": m.group_id})
    return True


def member_left(uow: UnitOfWork, number: str) -> bool:
    """Joins the caller's unit of work (order.cancelled / order.expired): the member gives up their slot
    (free again while the group is open) and the deal's portion."""
    s, now = uow.session, uow.clock.now()
    m = repo.member_by_number(s, number)
    if m is None:
        return False
    if repo.move_member(s, m.id, JOINED, LEFT, left_at=now):
        was_paid = False
    elif repo.move_member(s, m.id, PAID, LEFT, left_at=now):
        was_paid = True
    else:
        return False
    g = repo.group(s, m.group_id)
    assert g is not None
    repo.free_slot(s, m.group_id, was_paid)
    repo.give_back_portion(s, g.deal_id)
    return True


def merge_customers(session: Session, from_id: int, into_id: int, now: datetime) -> int:
    """A customer merge step (joins the merge's transaction): the merged-away customer's group places and
    the groups they opened move to the survivor (see repository.move_customer). Returns the places moved."""
    return repo.move_customer(session, from_id, into_id)


# --- the worker: groups out of time fail --------------------------------------------------------

def close_due(db: Database, uow_factory: Callable[[], UnitOfWork], limit: int = 100) -> int:
    """Fail the groups whose time ran out: each member's order is cancelled (its stock released, a payment
    refunded through the provider by orders' own events), one transaction per step. The group is marked
    `failing` first, so a restart (or another worker) finishes what was started; every step is
    conditional, so running it twice does nothing twice. Returns the number of groups failed."""
    now = uow_factory().clock.now()
    with db.read() as s:
        due = repo.due(s, now, limit)
    done = 0
    for group_id in due:
        try:
            done += _fail(db, uow_factory, group_id)
        except Exception:  # one group's trouble must not stop the others, nor the relay's round
            log.exception("group %s could not be failed; the next round tries again", group_id)
    return done


def _fail(db: Database, uow_factory: Callable[[], UnitOfWork], group_id: int) -> int:
    """One group out of time: failing, every member's order cancelled, failed (see close_due)."""
    with uow_factory() as u:
        if repo.start_failing(u.session, group_id, u.clock.now()):
            u.publish("groupbuy.group_failing", {"group_id": group_id})
        u.commit()
    with db.read() as s:
        g = repo.group(s, group_id)
        if g is None or g.status != FAILING:
            return 0  # it formed at the last moment
        pending = [(m.id, m.order_number) for m in repo.members(s, group_id) if m.status in ACTIVE]
        deal_id = g.deal_id
    for member_id, number in pending:
        with suppress(IllegalTransition):  # ended already (expired unpaid, cancelled by the shopper)
            orders.cancel(uow_factory(), number, ACTOR, f"group {group_id} did not form in time")
        with uow_factory() as u:
            s = u.session
            if (repo.move_member(s, member_id, JOINED, FAILED_MEMBER, left_at=u.clock.now())
                    or repo.move_member(s, member_id, PAID, FAILED_MEMBER, left_at=u.clock.now())):
                repo.give_back_portion(s, deal_id)
            u.commit()
    with uow_factory() as u:
        failed = repo.finish_failing(u.session, group_id, u.clock.now())
        if failed:
            u.publish("groupbuy.group_failed", {"group_id": group_id})
        u.commit()
    return int(failed)
