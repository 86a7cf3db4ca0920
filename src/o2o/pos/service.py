"""Point-of-sale use cases: terminals, the till's look-ups and bill, and the sale.

A sale rung up at a till is an order placed through orders (channel pos, pickup at the terminal's
store, `till=`: paid and completed in its one transaction, the units reserved by the same conditional
UPDATE as online orders and taken out of stock at once, ledger kind pos_sale), with a `pos_sale` row
(the till-generated id, unique per terminal) and its `pos_tender` rows written in that transaction.
The bill comes from the online engines: catalog's prices (tier prices), promotions' best combination,
the coupons shown at the till (their codes), the member's points (orders' points redemption).

A POS sale never takes units online orders hold: the reservation's UPDATE refuses them as it refuses
a second online order, so the last unit goes to whichever commits first (409 for the other).

WeChat Pay and Alipay tenders are charged through the payment adapter (the sandbox) before the order's
transaction and refunded by it when the sale is then refused: nothing external runs inside a
transaction. A store-credit tender (the member's QR scanned) is taken off the member's balance in the
order's transaction by one conditional UPDATE (returns.spend_store_credit: balance >= amount): short, 409
store-credit-short and nothing written; a return of the sale gives it back to the store credit.

Called by other areas (returns, till sessions, offline sync), `tenders_of`, `refund_tender` and
`open_session_id` take the caller's session and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from o2o.adapters.payments.common import ProviderError
from o2o.adapters.payments.sandbox import SandboxPayments
from o2o.catalog import lookup as catalog_lookup
from o2o.catalog import service as catalog
from o2o.customers import service as customers
from o2o.iam import admin as iam_admin
from o2o.iam.schemas import ApiKeyIn
from o2o.inventory import service as inventory
from o2o.kernel import idempotency, pii
from o2o.kernel.auth import Principal
from o2o.kernel.db import Database
from o2o.kernel.errors import Conflict, InvalidInput, NotFound, Problem
from o2o.kernel.pagination import PageParams
from o2o.kernel.uow import UnitOfWork
from o2o.locations import service as locations
from o2o.loyalty import service as loyalty
from o2o.orders import service as orders
from o2o.orders.schemas import LineIn, OrderIn, OrderOut
from o2o.pos import repository as repo
from o2o.pos import tills
from o2o.pos.models import CASH, STORE_CREDIT, PosSale, PosTender, Terminal
from o2o.pos.schemas import (
    BasketIn,
    BillOut,
    ItemOut,
    MemberOut,
    NewTerminal,
    SaleIn,
    SaleOut,
    TenderOut,
    TerminalOut,
)
from o2o.promotions import service as promotions
from o2o.returns import service as returns

MEMBER_QR_PREFIX = "O2O-MEMBER:"
CONSOLE_TILL = "WEB"  # the store console's browser till (POS-lite): no key, the signed-in clerk only
WALLETS = ("wechat", "alipay")


class TillKeyRequired(Problem):
    """A till request without a valid terminal key (X-Api-Key), or without the clerk's staff sign-in."""

    status, kind, message_key = 401, "till-sign-in-required", "sign_in_required"
    headers = {"WWW-Authenticate": 'ApiKey realm="o2o-till"'}


class TillRefused(Problem):
    """The key is no till's, the till is disabled, or the clerk may not ring up at this store."""

    status, kind, message_key = 403, "till-refused", "forbidden"


class TillSaleIdTaken(Conflict):
    """A till_sale_id this terminal sent before, now with another sale (other tenders): the till's counter
    went back. Answering the first sale would leave the new one unrecorded and its wallets uncharged."""

    kind = "till-sale-id-taken"


class StoreCreditShort(Conflict):
    """The member's store credit does not cover the store-credit tender (another till may have just spent it)."""

    kind = "store-credit-short"


class PaymentRefused(Problem):
    """A WeChat Pay / Alipay tender the provider did not take (the customer's payment code refused)."""

    status, kind, message_key = 402, "payment-refused", "payment_provider_failed"


@dataclass(frozen=True)
class Till:
    """Who rings up: a terminal of a store and the clerk signed in at it."""

    terminal_id: int
    location_id: int
    code: str
    clerk: str  # actor, e.g. "staff:li.na"
    clerk_name: str


# --- what other areas call (the caller's session, never a commit) ------------------------------------

def tenders_of(session: Session, order_id: int) -> list[TenderOut]:
    """The tenders that paid an order rung up at a till, in the order they were taken."""
    return [TenderOut.model_validate(t) for t in repo.tenders_of(session, order_id)]

# a cash refund out of a till session: a use case of the till sessions, offered to other areas here
record_refund = tills.record_refund


def refund_tender(session: Session, tender_id: int, amount_fen: int) -> bool:
    """Count `amount_fen` as refunded on a tender, in the caller's transaction: one conditional UPDATE
    (`refunded_fen + amount <= amount_fen`), False when it would pass what the tender paid."""
    if amount_fen <= 0:
        raise ValueError("a refund is a positive amount")
    return repo.add_refund(session, tender_id, amount_fen)


def open_session_id(session: Session, terminal_id: int) -> int | None:
    """The terminal's open till session, if any."""
    return repo.open_session_id(session, terminal_id)


def till_session_id(db: Database, terminal_id: int) -> int | None:
    """The terminal's open till session (None: an online sale there is refused, 409 till-not-open)."""
    with db.read() as s:
        return repo.open_session_id(s, terminal_id)


# --- terminals ------------------------------------------------------------------------------------

def _check_store(s: Session, location_id: int) -> None:
    if locations.kind_of(s, location_id) != "store":
        raise InvalidInput("location_id", f"no store {location_id}")


def add_terminal(uow: UnitOfWork, actor: Principal, location_id: int, code: str, name: str = "") -> NewTerminal:
    """Register a till at a store with its integration key: an iam API key bound to the store with the
    scope pos:write (shown once). A code already used at that store is a Conflict."""
    code = code.strip().upper()
    if not code or len(code) > 32 or code == CONSOLE_TILL:
        raise InvalidInput("code", "a till code of 1 to 32 characters (not WEB)")
    with uow.db.read() as s:
        _check_store(s, location_id)
        if repo.terminal_by_code(s, location_id, code) is not None:
            raise Conflict(f"store {location_id} has a till {code} already")
    new_key = iam_admin.create_key(uow, actor, ApiKeyIn(name=f"POS {code} @ store {location_id}"[:80],
                                                         scopes=["pos:write"], store_id=location_id))
    try:
        with uow:
            t = Terminal(location_id=location_id, code=code, name=(name or f"Till {code}")[:80],
                         api_key_id=new_key.key.id, created_at=uow.clock.now())
            uow.session.add(t)
            uow.session.flush()
            out = TerminalOut.model_validate(t)
            uow.describe(f"pos_terminal={t.id}", location_id=location_id, code=code)
            uow.commit()
    except IntegrityError:
        iam_admin.revoke_key(uow, new_key.key.id)  # the twin registration won: its key stays, ours goes
        raise Conflict(f"store {location_id} has a till {code} already") from None
    return NewTerminal(terminal=out, key=new_key.secret)


def new_terminal_key(uow: UnitOfWork, actor: Principal, terminal_id: int, grace_minutes: int = 0) -> NewTerminal:
    """A new integration key for a till (a key lost or leaked): iam rotates the terminal's key (the old one
    works `grace_minutes` more, 0: stops now) and the terminal signs in with the new one from now on."""
    with uow.db.read() as s:
        t = s.get(Terminal, terminal_id)
        if t is None or t.api_key_id is None:
            raise NotFound("terminal with a key", terminal_id)
        old_key = t.api_key_id
    new_key = iam_admin.rotate_key(uow, actor, old_key, grace_minutes)
    with uow:
        t = uow.session.get(Terminal, terminal_id, with_for_update=True)
        assert t is not None
        if t.api_key_id != old_key:  # another rotation won meanwhile: this key is not the till's
            iam_admin.revoke_key(uow, new_key.key.id)
            raise Conflict(f"till {terminal_id} got another key meanwhile")
        t.api_key_id = new_key.key.id
        out = TerminalOut.model_validate(t)
        uow.describe(f"pos_terminal={t.id}", new_key=new_key.key.id)
        uow.commit()
    return NewTerminal(terminal=out, key=new_key.secret)


def set_terminal_disabled(uow: UnitOfWork, terminal_id: int, disabled: bool) -> TerminalOut:
    with uow:
        t = uow.session.get(Terminal, terminal_id, with_for_update=True)
        if t is None:
            raise NotFound("terminal", terminal_id)
        t.disabled_at = (t.disabled_at or uow.clock.now()) if disabled else None
        out = TerminalOut.model_validate(t)
        uow.describe(f"pos_terminal={t.id}", disabled=disabled)
        uow.commit()
    return out


def terminals(db: Database, location_id: int | None = None) -> list[TerminalOut]:
    with db.read() as s:
        return [TerminalOut.model_validate(t) for t in repo.terminals_of(s, location_id)]


def till_for(db: Database, key_principal: Principal, clerk: Principal) -> Till:
    """The till a request rings up at: the terminal the key belongs to (a store-bound key with pos:write,
    the terminal not disabled) and the clerk signed in (staff of that store, or head office)."""
    if key_principal.kind != "api_key" or not key_principal.can("pos:write") or key_principal.store_id is None:
        raise TillRefused("the X-Api-Key is not a till's key (a store-bound key with pos:write)")
    with db.read() as s:
        t = repo.terminal_by_key(s, key_principal.id)
        if t is None or t.location_id != key_principal.store_id:
            raise TillRefused("the X-Api-Key belongs to no till")
        if t.disabled_at is not None:
            raise TillRefused(f"till {t.code} is disabled")
        terminal_id, location_id, code = t.id, t.location_id, t.code
    if clerk.kind != "staff" or not clerk.can("pos:write"):
        raise TillRefused("a till sale is rung up by a signed-in clerk with pos:write")
    if not clerk.covers(location_id):
        raise TillRefused("the clerk signed in works at another store")
    return Till(terminal_id, location_id, code, clerk.actor, clerk.name)


def console_till(uow: UnitOfWork, location_id: int, clerk: Principal) -> Till:
    """The store console's browser till (POS-lite) at a store, made the first time it is used."""
    if not clerk.covers(location_id) or not clerk.can("pos:write"):
        raise NotFound("location", location_id)
    with uow.db.read() as s:
        t = repo.terminal_by_code(s, location_id, CONSOLE_TILL)
        found = (t.id, t.disabled_at) if t is not None else None
    if found is None:
        try:
            with uow:
                _check_store(uow.session, location_id)
                t = Terminal(location_id=location_id, code=CONSOLE_TILL, name="Console (browser)",
                             api_key_id=None, created_at=uow.clock.now())
                uow.session.add(t)
                uow.session.flush()
                found = (t.id, None)
                uow.commit()
        except IntegrityError:  # made by another clerk at the same moment
            with uow.db.read() as s:
                t = repo.terminal_by_code(s, location_id, CONSOLE_TILL)
                assert t is not None
                found = (t.id, t.disabled_at)
    if found[1] is not None:
        raise TillRefused("the console's till is disabled at this store")
    return Till(found[0], location_id, CONSOLE_TILL, clerk.actor, clerk.name)


# --- look-ups -------------------------------------------------------------------------------------

def _strip_qr(code: str) -> str:
    code = code.strip()
    return code[len(MEMBER_QR_PREFIX):] if code.startswith(MEMBER_QR_PREFIX) else code


def find_member(db: Database, now: datetime, *, phone: str | None = None, card: str | None = None,
                code: str | None = None, locale: str = "zh-CN") -> MemberOut:
    """A member at the till by phone, member card number or member QR (only the QR lets the till spend
    their points and open their wallet); the phone masked."""
    found = customers.find_member(db, phone=phone, card=card, code=_strip_qr(code) if code else None, now=now)
    if found is None:
        raise NotFound("member", "")
    return find_member_by_id(db, found, now, locale, present=bool(code))


def find_member_by_id(db: Database, customer_id: int, now: datetime, locale: str = "zh-CN",
                      present: bool = False) -> MemberOut:
    """A member the till already found (their tier and points; the phone masked)."""
    summary = loyalty.summary(db, customer_id, now, locale)
    with db.read() as s:
        phone_shown = pii.mask_phone(customers.phone_of(s, customer_id))
    return MemberOut(customer_id=customer_id, phone=phone_shown, tier=summary.tier, tier_name=summary.tier_name,
                     points=summary.balance, present=present,
                     store_credit_fen=returns.store_credit(db, customer_id))


def item_by_barcode(db: Database, location_id: int, barcode: str, locale: str = "zh-CN") -> ItemOut:
    """An item at the till by its barcode (or SKU code): the store's price for the pos channel and the
    units it may sell (on hand less what orders hold and the safety stock)."""
    brief = catalog_lookup.by_code(db, barcode, locale)
    if brief is None or not brief.active:
        raise NotFound("item", barcode)
    with db.read() as s:
        priced = catalog.PriceStrategy(s, location_id, "pos", locale).price([brief.sku_id])[brief.sku_id]
    stock = inventory.stock_of(db, location_id, [brief.sku_id]).get(brief.sku_id)
    return ItemOut(sku_id=brief.sku_id, barcode=brief.barcode, code=brief.code, name=priced.name, unit=brief.unit,
                   price_fen=priced.price_fen, available=stock.available if stock else 0)


# --- the bill ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Basket:
    order: OrderIn
    present: bool  # the member showed their QR


def _basket(db: Database, till: Till, data: BasketIn, now: datetime, present: int | None = None) -> _Basket:
    """The order a basket is, as the till may ring it up: lines by barcode, the member (their QR proves
    they are there: needed to spend points), the coupons by the codes shown (each the member's own).
    `present` (trusted callers only: the console, which checked the member's QR when it was scanned):
    the customer known to be at the till."""
    lines = []
    for i, ln in enumerate(data.lines):
        sku_id = ln.sku_id
        if ln.barcode is not None:
            brief = catalog_lookup.by_code(db, ln.barcode)
            if brief is None:
                raise InvalidInput(f"lines[{i}].barcode", f"no item with barcode {ln.barcode}")
            sku_id = brief.sku_id
        assert sku_id is not None
        lines.append(LineIn(sku_id=sku_id, quantity=ln.quantity))
    customer_id, is_there = data.customer_id, present is not None and present == data.customer_id
    if data.member_code:
        found = customers.find_member(db, code=_strip_qr(data.member_code), now=now)
        if found is None:
            raise InvalidInput("member_code", "not a member code, or no longer valid (it changes every minute)")
        if customer_id is not None and customer_id != found:
            raise InvalidInput("member_code", "this member code is another customer's")
        customer_id, is_there = found, True
    coupon_ids = []
    with db.read() as s:
        for i, code in enumerate(data.coupon_codes):
            found_coupon = promotions.coupon_for_till(s, code, till.location_id)
            if found_coupon is None:
                raise InvalidInput(f"coupon_codes[{i}]", "no such coupon at this store")
            coupon_id, owner = found_coupon
            if customer_id is None:
                customer_id = owner  # the coupon shown names its member: the sale is theirs
            elif owner != customer_id:
                raise InvalidInput(f"coupon_codes[{i}]", "this coupon belongs to another member")
            coupon_ids.append(coupon_id)
    if data.points and not is_there:
        raise InvalidInput("member_code", "spending a member's points needs their member QR")
    order = OrderIn(customer_id=customer_id, lines=lines, mode="pickup", location_id=till.location_id,
                    channel="pos", points=data.points, coupon_ids=coupon_ids)
    return _Basket(order, is_there)


def _bill(db: Database, policy: orders.OrderPolicy, basket: _Basket, now: datetime, locale: str) -> BillOut:
    q = orders.quote(db, basket.order, policy, locale, exact=True, now=now)
    points = points_fen = 0
    if basket.order.points and basket.order.customer_id:
        offer = loyalty.checkout_offer(db, basket.order.customer_id, q.total_fen, basket.order.points)
        if offer.balance < basket.order.points:
            raise InvalidInput("points", f"the member has {offer.balance} points")
        points, points_fen = offer.points, offer.value_fen
    return BillOut(location_id=q.location_id, customer_id=basket.order.customer_id, lines=q.lines,
                   discounts=list(q.discounts), subtotal_fen=q.subtotal_fen, discount_fen=q.discount_fen + points_fen,
                   points=points, points_fen=points_fen, due_fen=q.total_fen - points_fen)


def bill(db: Database, policy: orders.OrderPolicy, till: Till, data: BasketIn, now: datetime,
         locale: str = "zh-CN", *, present: int | None = None) -> BillOut:
    """What the basket costs at this till now, from the same engines as online, writing nothing."""
    return _bill(db, policy, _basket(db, till, data, now, present), now, locale)


# --- the sale ------------------------------------------------------------------------------------

def _scope(terminal_id: int) -> str:
    return f"pos-sale:{terminal_id}"


def _charge(provider: SandboxPayments, till: Till, data: SaleIn) -> dict[int, str]:
    """Charge the WeChat Pay / Alipay tenders (the customer's payment code) through the adapter; returns
    each one's transaction id by tender index. Outside any transaction."""
    refs: dict[int, str] = {}
    try:
        for i, t in enumerate(data.tenders):
            if t.kind in WALLETS:
                trade = _trade_no(till, data.till_sale_id, i)
                provider.create(trade, t.amount_fen, f"till {till.code} sale {data.till_sale_id}", "micropay")
                body, signature = provider.notification(trade, t.amount_fen)
                note = provider.verify(body, signature)
                if note.get("status") != "SUCCESS" or int(note["amount_fen"]) != t.amount_fen:
                    raise PaymentRefused(f"tenders[{i}]: the {t.kind} payment did not go through")
                refs[i] = str(note.get("transaction_id") or trade)[:64]
    except (ProviderError, PaymentRefused) as exc:
        _refund(provider, till, data, refs)
        raise PaymentRefused(str(exc)) from None
    return refs


def _trade_no(till: Till, till_sale_id: str, i: int) -> str:
    return f"POS{till.terminal_id}-{till_sale_id}-{i}"[:64]


def _refund(provider: SandboxPayments, till: Till, data: SaleIn, refs: dict[int, str]) -> None:
    for i in refs:
        t = data.tenders[i]
        trade = _trade_no(till, data.till_sale_id, i)
        provider.refund(trade, t.amount_fen, f"{trade}R", t.amount_fen)


def sell(uow: UnitOfWork, provider: SandboxPayments, policy: orders.OrderPolicy, till: Till, data: SaleIn,
         idempotency_key: str | None = None, *, offline: bool = False, present: int | None = None) -> SaleOut:
    """Ring up a sale. The tenders must add up to what is due (422 naming `tenders`); a re-send with the
    same Idempotency-Key answers the first result (another body: 422 idempotency-conflict), and a
    till_sale_id the terminal sent before answers that sale (with other tenders: 409 till-sale-id-taken).
    Stock short at the store: 409. An online sale needs an open till session on its terminal: none, 409
    till-not-open before any tender is charged (a session closed while paying: the same 409, the wallet
    tenders refunded); `offline` sales are kept without one."""
    now = uow.clock.now()
    if data.sold_at is not None and data.sold_at.tzinfo is None:
        raise InvalidInput("sold_at", "a time with its zone, e.g. 2026-11-29T10:00:00+08:00")
    scope, req_hash = _scope(till.terminal_id), idempotency.request_hash(data.model_dump(mode="json"))
    with uow.db.read() as s:
        if idempotency_key and (rec := idempotency.lookup(s, scope, idempotency_key, req_hash)) is not None:
            return SaleOut.model_validate(rec.body)
        earlier = repo.sale_by_till_id(s, till.terminal_id, data.till_sale_id)
        earlier_id = earlier.id if earlier is not None else None
        if earlier_id is None and not offline:
            tills.require_open_session(s, till.terminal_id)  # 409 till-not-open before any tender is charged
    if earlier_id is not None:
        return _same_sale(sale(uow.db, earlier_id, till.location_id), data)
    basket = _basket(uow.db, till, data, now, present)
    due = _bill(uow.db, policy, basket, now, "zh-CN").due_fen
    paid = sum(t.amount_fen for t in data.tenders)
    if paid != due:
        raise InvalidInput("tenders", f"the tenders add up to {paid} fen but {due} fen is due")
    credit = sum(t.amount_fen for t in data.tenders if t.kind == STORE_CREDIT)
    member = basket.order.customer_id
    if credit:
        if member is None or not basket.present:
            raise InvalidInput("member_code", "spending a member's store credit needs their member QR")
        if offline:
            raise InvalidInput("tenders", "store credit cannot be taken offline")
        if (balance := returns.store_credit(uow.db, member)) < credit:  # before any wallet is charged
            raise StoreCreditShort(f"the member has {balance} fen of store credit, not {credit}", balance_fen=balance)
    refs = _charge(provider, till, data)
    made: list[SaleOut] = []

    def record(u: UnitOfWork, order: OrderOut) -> None:
        """In the order's transaction: the sale and its tenders, in the till's open session (closed meanwhile:
        409 till-not-open, the sale rolled back and its wallet tenders refunded; offline: no session)."""
        if order.total_fen != due:  # a price or an offer changed since the bill: the till shows it again
            raise Conflict(f"the bill changed to {order.total_fen} fen while paying; ring it up again")
        s = u.session
        order_id = orders.id_of(s, order.number)
        assert order_id is not None
        session_id = None if offline else tills.require_open_session(s, till.terminal_id, lock=True)
        if credit and not returns.spend_store_credit(s, member or 0, credit, now):  # spent meanwhile: all rolled back
            raise StoreCreditShort(f"the member's store credit does not cover {credit} fen (spent meanwhile)")
        row = PosSale(terminal_id=till.terminal_id, till_sale_id=data.till_sale_id, order_id=order_id,
                      session_id=session_id, clerk=till.clerk[:80], sold_at=data.sold_at or now,
                      received_at=now, offline=offline)
        s.add(row)
        s.flush()
        tenders = [PosTender(order_id=order_id, sale_id=row.id, session_id=session_id, kind=t.kind,
                             amount_fen=t.amount_fen, change_fen=(t.given_fen or t.amount_fen) - t.amount_fen
                             if t.kind == CASH else 0, reference=refs.get(i, t.reference),
                             refunded_fen=0, clerk=till.clerk[:80], created_at=now)
                   for i, t in enumerate(data.tenders)]
        s.add_all(tenders)
        s.flush()
        out = _out(row, till.code, till.location_id, order, tenders)
        if idempotency_key:
            idempotency.remember(s, scope, idempotency_key, req_hash, 201, out.model_dump(mode="json"), now)
        u.describe(f"pos_sale={row.id}", order=order.number, terminal=till.terminal_id, total_fen=due)
        u.publish("pos.sale_recorded", {"sale_id": row.id, "order_id": order_id, "number": order.number,
                                        "terminal_id": till.terminal_id, "location_id": till.location_id,
                                        "session_id": session_id, "total_fen": due})
        made.append(out)

    try:
        orders.place(uow, basket.order, policy, None, f"pos:{till.terminal_id}", exact=True, till=till.clerk,
                     within=record)
    except IntegrityError:
        _refund(provider, till, data, refs)  # a twin of this sale committed first: its answer stands
        with uow.db.read() as s:
            if idempotency_key and (rec := idempotency.lookup(s, scope, idempotency_key, req_hash)) is not None:
                return SaleOut.model_validate(rec.body)
            twin = repo.sale_by_till_id(s, till.terminal_id, data.till_sale_id)
            twin_id = twin.id if twin is not None else None
        if twin_id is None:
            raise
        return _same_sale(sale(uow.db, twin_id, till.location_id), data)
    except BaseException:
        _refund(provider, till, data, refs)
        raise
    return made[-1]


def paid_by(tenders: Iterable[Any]) -> list[tuple[str, int]]:
    """What tells a sale sent again from another sale under the same till_sale_id: its tenders (kind, amount)."""
    return sorted((t.kind, t.amount_fen) for t in tenders)


def _same_sale(first: SaleOut, data: SaleIn) -> SaleOut:
    """The sale recorded under the till_sale_id, when `data` is that sale sent again (the same tenders);
    another sale under the same id is refused (409 till-sale-id-taken, naming the first sale's order)."""
    if paid_by(first.tenders) != paid_by(data.tenders):
        raise TillSaleIdTaken(f"till_sale_id {data.till_sale_id} is the sale of order {first.order_number}, paid "
                              "otherwise: give this sale a new till_sale_id")
    return first


def _out(row: PosSale, code: str, location_id: int, order: OrderOut, tenders: list[PosTender]) -> SaleOut:
    return SaleOut(id=row.id, till_sale_id=row.till_sale_id, terminal_id=row.terminal_id, terminal_code=code,
                   location_id=location_id, session_id=row.session_id, order_number=order.number, clerk=row.clerk,
                   sold_at=row.sold_at, received_at=row.received_at, offline=row.offline,
                   customer_id=order.customer_id, lines=order.lines, discounts=order.discounts,
                   subtotal_fen=order.subtotal_fen, discount_fen=order.discount_fen, total_fen=order.total_fen,
                   tenders=[TenderOut.model_validate(t) for t in tenders],
                   change_fen=sum(t.change_fen for t in tenders))


def sale(db: Database, sale_id: int, location_id: int | None) -> SaleOut:
    """A sale as its receipt shows it; a sale of another store (`location_id`) is not found."""
    with db.read() as s:
        row = s.get(PosSale, sale_id)
        t = s.get(Terminal, row.terminal_id) if row is not None else None
        if row is None or t is None or (location_id is not None and t.location_id != location_id):
            raise NotFound("sale", sale_id)
        facts = orders.facts(s, row.order_id)
        tenders = repo.tenders_of(s, row.order_id)
        code, loc = t.code, t.location_id
        s.expunge_all()
    assert facts is not None
    return _out(row, code, loc, orders.get(db, facts.number), tenders)


def points_earned(db: Database, customer_id: int | None, order_id_of_sale: int) -> int | None:
    """Points the sale's order earned (None: not yet, the relay credits them shortly after the sale)."""
    if customer_id is None:
        return None
    for e in loyalty.history(db, customer_id, PageParams(page=1, size=50)).entries:
        if e.order_id == order_id_of_sale and e.kind == "earn":
            return e.points
    return None


def order_id_of(db: Database, sale_id: int) -> int:
    with db.read() as s:
        row = s.get(PosSale, sale_id)
        if row is None:
            raise NotFound("sale", sale_id)
        return row.order_id
