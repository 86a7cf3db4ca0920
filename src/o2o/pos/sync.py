"""Offline tills: a till that lost the network queues its sales and uploads them later in batches.

Rules (issue 11; the README's "Offline tills" says the same for operators):

- Each sale carries the till's own id (`till_sale_id`); `pos_sale` is unique per (terminal, till_sale_id),
  so a sale already accepted is answered "duplicate" (with the order number it got) and changes nothing,
  however often it is sent again: a re-upload after a lost answer, a batch cut off halfway and re-sent,
  two uploads of the same batch at once (the terminal's row is locked for the write: the second waits
  and then finds the sales there). Another sale under an id already used (other tenders: the till's
  counter went back) is refused "till-sale-id-taken", never answered "duplicate" as if it were recorded.
- The server records what was sold at the prices the till charged (it does not price again) but checks
  that the sale is one: SKUs that exist and are for sale, lines and discounts that add up to the total,
  tenders that pay exactly the total, change only on cash, no store credit (its balance cannot be
  checked by a till that is offline), a sale time no later than `FUTURE_TOLERANCE` past the server's
  clock and no older than `MAX_AGE`, a till session of this terminal, and sizes a till makes
  (`MAX_LINE_UNITS`, `MAX_SALE_FEN`). A sale that fails is refused with its reasons; the batch's other
  sales go in.
- A member the server does not know (a wrong or erased id) does not refuse the sale: the goods were
  sold and paid. It is kept without the member (no points) and the answer warns "member-unknown".
- A sale names the till session it was rung up in (`session_id`, one of this terminal's). While that session
  is open, the sale and its tenders count in it (its expected cash at the close). A session already closed
  has its expected and counted cash stored and its Z-report final: a sale uploaded for it afterwards is
  still accepted, attached to no session, and the answer warns "session-closed" (the write transaction
  re-reads the sessions, held FOR SHARE: a close waits for the upload, or the upload sees it closed).
- Sales are applied in sale-time order (sold_at, then till_sale_id), in chunks of `CHUNK` sales, one
  transaction per chunk: an upload cut off between chunks leaves the first ones applied and the rest
  not; the re-upload reports the first ones "duplicate" and applies the rest, each sale exactly once.
- Stock falls at the store as the goods were sold, never refused for want of stock: a line sold beyond
  the count is kept and flagged for reconciliation (o2o.inventory.offline: on hand stops at what is
  reserved, the difference is an adjustment in the ledger, `sum(ledger) == on_hand` holds).
- Each sale is a completed POS order: `order.paid` and `order.completed` go out once per order (the
  sale's order is written once), and loyalty earns the member's points on the completion, once per order.

Performance: a chunk's sales are written in a fixed number of statements (o2o.orders.offline, the multi-row
INSERTs of pos_sale and pos_tender here, o2o.inventory.offline for the stock), not one transaction each.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from o2o.catalog import service as catalog
from o2o.customers import service as customers
from o2o.inventory import service as inventory
from o2o.kernel.bulk import insert_rows
from o2o.kernel.db import Database
from o2o.kernel.uow import UnitOfWork
from o2o.orders import service as orders
from o2o.orders.service import TillDiscount, TillLine, TillSale
from o2o.pos.models import OPEN, PosSale, PosTender, Terminal, TillSession
from o2o.pos.service import Till, paid_by
from o2o.pos.sync_schemas import BatchIn, BatchOut, FlaggedLineOut, OfflineSaleIn, Reason, SaleResult

CHUNK = 250  # sales per transaction
FUTURE_TOLERANCE = timedelta(minutes=10)  # a till's clock may run this much ahead of the server's
MAX_AGE = timedelta(days=366)  # a sale older than this is no till's queue (a clock gone wrong): refused
MAX_LINE_UNITS = 9_999  # units of one line a till may have sold
MAX_SALE_FEN = 100_000_000  # 1,000,000 yuan: what one sale may come to (lines before discounts)
WRITE_ATTEMPTS = 3


# --- checks a sale passes on its own (no database) ----------------------------------------------------

def static_reasons(sale: OfflineSaleIn, now: datetime) -> list[Reason]:
    """Why a sale cannot be taken as sent, from the sale alone."""
    out: list[Reason] = []
    if sale.sold_at.tzinfo is None:
        out.append(Reason(code="sold-at-no-offset", field="sold_at",
                          message="the sale time needs its offset (e.g. 2026-11-24T10:00:00+08:00)"))
    elif sale.sold_at > now + FUTURE_TOLERANCE:
        out.append(Reason(code="sold-in-future", field="sold_at",
                          message=f"sold at {sale.sold_at.isoformat()}, later than the server's clock allows"))
    elif sale.sold_at < now - MAX_AGE:
        out.append(Reason(code="too-old", field="sold_at",
                          message=f"sold at {sale.sold_at.isoformat()}: a till keeps sales at most {MAX_AGE.days} days"))
    subtotal = 0
    for i, ln in enumerate(sale.lines):
        if ln.quantity > MAX_LINE_UNITS:
            out.append(Reason(code="too-large", field=f"lines[{i}].quantity",
                              message=f"{ln.quantity} units on one line: at most {MAX_LINE_UNITS}"))
        line_total = ln.unit_price_fen * ln.quantity
        if ln.discount_fen > line_total:
            out.append(Reason(code="line-discount-too-large", field=f"lines[{i}].discount_fen",
                              message=f"a discount of {ln.discount_fen} on a line of {line_total}"))
        subtotal += line_total
    if subtotal > MAX_SALE_FEN:
        out.append(Reason(code="too-large", field="lines",
                          message=f"the lines come to {subtotal} fen: at most {MAX_SALE_FEN}"))
    off = sum(d.amount_fen for d in sale.discounts)
    if subtotal - off != sale.total_fen:
        out.append(Reason(code="totals-mismatch", field="total_fen",
                          message=f"lines {subtotal} less discounts {off} make {subtotal - off}, not {sale.total_fen}"))
    if sum(ln.discount_fen for ln in sale.lines) > off:
        out.append(Reason(code="totals-mismatch", field="lines",
                          message="the lines' discounts come to more than the bill's discounts"))
    paid = sum(t.amount_fen for t in sale.tenders)
    if paid != sale.total_fen:
        out.append(Reason(code="tenders-mismatch", field="tenders",
                          message=f"the tenders pay {paid}, the sale comes to {sale.total_fen}"))
    for i, t in enumerate(sale.tenders):
        if t.change_fen and t.kind != "cash":
            out.append(Reason(code="change-not-cash", field=f"tenders[{i}].change_fen",
                              message="only cash gives change"))
        if t.kind == "store_credit":
            out.append(Reason(code="store-credit-offline", field=f"tenders[{i}].kind",
                              message="store credit cannot be taken offline (its balance is not at the till)"))
    return out


# --- the upload -------------------------------------------------------------------------------------

def ingest(uow: UnitOfWork, till: Till, batch: BatchIn, chunk: int = CHUNK) -> BatchOut:
    """Apply an offline till's batch: each sale accepted once, refused with reasons, or found a duplicate.
    The till's clerk (who uploads, "staff:12") is recorded on the sales, their tenders and history."""
    clerk = till.clerk
    now = uow.clock.now()
    sales = batch.sales
    results: list[SaleResult | None] = [None] * len(sales)
    first_of: dict[str, int] = {}
    twins: list[tuple[int, int]] = []  # (index, index of the first with its till_sale_id)
    for i, sale in enumerate(sales):
        if sale.till_sale_id in first_of:  # sent twice in one batch: the first counts, the other is its twin
            twins.append((i, first_of[sale.till_sale_id]))
        else:
            first_of[sale.till_sale_id] = i
    with uow.db.read() as s:
        done = _accepted_before(s, till.terminal_id, list(first_of))  # accepted before: nothing else matters
        paid = _tenders_before(s, till.terminal_id, list(done)) if done else {}
        todo: list[int] = []
        for sale_id, i in first_of.items():
            if sale_id in done:
                results[i] = _seen(sales[i], done[sale_id], paid.get(sale_id, []))
            elif reasons := static_reasons(sales[i], now):
                results[i] = SaleResult(till_sale_id=sale_id, status="refused", reasons=reasons)
            else:
                todo.append(i)
        priced = catalog.PriceStrategy(s, till.location_id, "pos").price(
            {ln.sku_id for i in todo for ln in sales[i].lines})
        members = customers.existing(s, {c for i in todo if (c := sales[i].customer_id) is not None})
        asked = {sales[i].session_id for i in todo} - {None}
        sessions = set(s.scalars(select(TillSession.id).where(
            TillSession.id.in_(asked), TillSession.terminal_id == till.terminal_id))) if asked else set()
    ready: list[int] = []
    for i in todo:
        sale = sales[i]
        reasons = []
        for j, ln in enumerate(sale.lines):
            p = priced.get(ln.sku_id)
            if p is None:
                reasons.append(Reason(code="unknown-sku", field=f"lines[{j}].sku_id", message=f"no SKU {ln.sku_id}"))
            elif not p.active:
                reasons.append(Reason(code="not-for-sale", field=f"lines[{j}].sku_id",
                                      message=f"SKU {ln.sku_id} is not for sale"))
        if sale.session_id is not None and sale.session_id not in sessions:
            reasons.append(Reason(code="not-this-till", field="session_id",
                                  message=f"till session {sale.session_id} is not one of this till's"))
        if reasons:
            results[i] = SaleResult(till_sale_id=sale.till_sale_id, status="refused", reasons=reasons)
        else:
            ready.append(i)

    ready.sort(key=lambda i: (sales[i].sold_at, sales[i].till_sale_id))  # sale-time order
    for start in range(0, len(ready), max(1, chunk)):
        part = ready[start:start + chunk]
        for attempt in range(WRITE_ATTEMPTS):
            try:
                for i, res in _write_chunk(uow, till, clerk, [sales[i] for i in part], part, priced, members, now):
                    results[i] = res
                break
            except IntegrityError:  # a twin upload got in between our look and our write: look again
                if attempt == WRITE_ATTEMPTS - 1:
                    raise

    for i, first in twins:  # the twin is answered as the first: its order (duplicate), or the same refusal
        res = results[first]
        assert res is not None
        if paid_by(sales[i].tenders) != paid_by(sales[first].tenders):  # not a twin: another sale under the same id
            results[i] = SaleResult(till_sale_id=sales[i].till_sale_id, status="refused",
                                    reasons=[_taken(sales[i].till_sale_id, res.order_number)])
            continue
        results[i] = res.model_copy(update={"status": "refused" if res.status == "refused" else "duplicate",
                                            "warnings": [], "oversold": {}})
    final = [r for r in results if r is not None]
    assert len(final) == len(sales)
    count = defaultdict(int)
    for r in final:
        count[r.status] += 1
    return BatchOut(terminal_id=till.terminal_id, location_id=till.location_id, received=len(sales),
                    accepted=count["accepted"], duplicates=count["duplicate"], refused=count["refused"],
                    results=final)


def _accepted_before(s: Session, terminal_id: int, till_sale_ids: list[str]) -> dict[str, str]:
    """till_sale_id -> order number of the sales of this terminal already recorded."""
    if not till_sale_ids:
        return {}
    rows = s.execute(select(PosSale.till_sale_id, PosSale.order_id)
                     .where(PosSale.terminal_id == terminal_id, PosSale.till_sale_id.in_(till_sale_ids))).all()
    numbers = orders.numbers_of(s, [r.order_id for r in rows])
    return {r.till_sale_id: numbers.get(r.order_id, "") for r in rows}


def _tenders_before(s: Session, terminal_id: int, till_sale_ids: list[str]) -> dict[str, list[tuple[str, int]]]:
    """till_sale_id -> the tenders (kind, amount) of the sales of this terminal already recorded."""
    out: dict[str, list[tuple[str, int]]] = {sale_id: [] for sale_id in till_sale_ids}
    for sale_id, kind, amount in s.execute(
            select(PosSale.till_sale_id, PosTender.kind, PosTender.amount_fen)
            .join(PosTender, PosTender.sale_id == PosSale.id)
            .where(PosSale.terminal_id == terminal_id, PosSale.till_sale_id.in_(till_sale_ids))):
        out[sale_id].append((kind, amount))
    return {k: sorted(v) for k, v in out.items()}


def _taken(sale_id: str, number: str | None) -> Reason:
    whose = f"the sale of order {number}" if number else "another sale of this batch"
    return Reason(code="till-sale-id-taken", field="till_sale_id",
                  message=f"till_sale_id {sale_id} is {whose}, paid otherwise: a new sale needs a new till_sale_id")


def _seen(sale: OfflineSaleIn, number: str, paid: list[tuple[str, int]]) -> SaleResult:
    """A sale whose till_sale_id was accepted before: the same sale sent again (duplicate, nothing changes),
    or another sale under that id (refused: till-sale-id-taken)."""
    if paid_by(sale.tenders) == paid:
        return SaleResult(till_sale_id=sale.till_sale_id, status="duplicate", order_number=number)
    return SaleResult(till_sale_id=sale.till_sale_id, status="refused", reasons=[_taken(sale.till_sale_id, number)])


def _write_chunk(uow: UnitOfWork, till: Till, clerk: str, sales: list[OfflineSaleIn], index: list[int],
                 priced: dict, members: set[int], now: datetime) -> list[tuple[int, SaleResult]]:
    out: list[tuple[int, SaleResult]] = []
    with uow:
        s = uow.session
        conn = s.connection()
        # the sessions named, first (before the terminal's row: a close holds its session, then touches the
        # terminal's row through the session's foreign key; taken the other way round, the two would deadlock)
        still_open = _open_sessions(s, {x.session_id for x in sales} - {None})
        # one upload per terminal at a time (PostgreSQL: the row lock; SQLite: the write lock held already)
        stmt = select(Terminal.id).where(Terminal.id == till.terminal_id)
        conn.execute(stmt.with_for_update() if conn.dialect.name == "postgresql" else stmt)
        done = _accepted_before(s, till.terminal_id, [x.till_sale_id for x in sales])
        fresh = [(i, x) for i, x in zip(index, sales, strict=True) if x.till_sale_id not in done]
        session_of = {x.till_sale_id: x.session_id if x.session_id in still_open else None for _, x in fresh}
        if done:  # a twin upload recorded them between our look and this write
            paid = _tenders_before(s, till.terminal_id, list(done))
            out += [(i, _seen(x, done[x.till_sale_id], paid.get(x.till_sale_id, [])))
                    for i, x in zip(index, sales, strict=True) if x.till_sale_id in done]
        if not fresh:
            return out
        note = f"till {till.code}, offline"
        records = [TillSale(
            location_id=till.location_id, sold_at=x.sold_at, actor=clerk, note=f"{note} sale {x.till_sale_id}",
            customer_id=x.customer_id if x.customer_id in members else None,
            lines=tuple(TillLine(sku_id=ln.sku_id, name=priced[ln.sku_id].name, name_zh=priced[ln.sku_id].name_zh,
                                 name_en=priced[ln.sku_id].name_en, quantity=ln.quantity,
                                 unit_price_fen=ln.unit_price_fen, discount_fen=ln.discount_fen,
                                 list_price_fen=ln.list_price_fen) for ln in x.lines),
            discounts=tuple(TillDiscount(key=d.key, kind=d.kind, label_zh=d.label, label_en=d.label,
                                         amount_fen=d.amount_fen) for d in x.discounts))
            for _, x in fresh]
        made = orders.record_till_sales(uow, records)
        sale_ids = [int(r[1]) for r in insert_rows(conn, PosSale.__table__, [
            dict(terminal_id=till.terminal_id, till_sale_id=x.till_sale_id, order_id=order_id,
                 session_id=session_of[x.till_sale_id],
                 clerk=clerk[:80], sold_at=x.sold_at, received_at=now, offline=True)
            for (_, x), (order_id, _) in zip(fresh, made, strict=True)], returning=("till_sale_id", "id"))]
        tenders = [dict(order_id=order_id, sale_id=sale_id, session_id=session_of[x.till_sale_id], kind=t.kind,
                        amount_fen=t.amount_fen, change_fen=t.change_fen, reference=t.reference,
                        refunded_fen=0, clerk=clerk[:80], created_at=x.sold_at)
                   for (_, x), (order_id, _), sale_id in zip(fresh, made, sale_ids, strict=True) for t in x.tenders]
        insert_rows(conn, PosTender.__table__, tenders)
        units = []
        for (_, x), (_, number) in zip(fresh, made, strict=True):
            lines: dict[int, int] = defaultdict(int)
            for ln in x.lines:
                lines[ln.sku_id] += ln.quantity
            units.append((number, dict(lines)))
        short: dict[str, dict[int, int]] = {}

        def stock(session: Session) -> None:  # last: the stock rows' locks are held until COMMIT only
            short.update(inventory.sell_offline(session, till.location_id, units, now))

        uow.describe(f"pos_batch=terminal:{till.terminal_id}", sales=len(fresh))
        uow.commit(last=stock)
    for (i, x), (_, number) in zip(fresh, made, strict=True):
        warnings = ["member-unknown"] if x.customer_id is not None and x.customer_id not in members else []
        if x.session_id is not None and session_of[x.till_sale_id] is None:
            warnings.append("session-closed")  # kept out of the closed session: its Z-report stays as closed
        out.append((i, SaleResult(till_sale_id=x.till_sale_id, status="accepted", order_number=number,
                                  warnings=warnings, oversold=short.get(number, {}))))
    return out


def _open_sessions(s: Session, session_ids: set[int]) -> set[int]:
    """Of the sessions the chunk's sales name (this terminal's, checked before), those still open, held FOR
    SHARE until the chunk commits (PostgreSQL; SQLite's write lock is held already): a close waits for the
    chunk and counts its sales, or the chunk, after the close, finds the session closed."""
    if not session_ids:
        return set()
    q = select(TillSession.id).where(TillSession.id.in_(sorted(session_ids)), TillSession.status == OPEN)
    return {int(x) for x in s.scalars(q.order_by(TillSession.id).with_for_update(read=True))}


def flagged_lines(db: Database, location_id: int | None) -> list[FlaggedLineOut]:
    """Stock lines flagged for reconciliation (a till sold beyond the count), at one store or all."""
    with db.read() as s:
        return [FlaggedLineOut(**r) for r in inventory.flagged(s, location_id)]
