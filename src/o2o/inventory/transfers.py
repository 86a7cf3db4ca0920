"""Transfers (调拨) beyond request / send: stock in transit, receipts counted per line with their
discrepancies, and batches of transfers the back-office plans for many stores at once. Use cases of
the inventory area (each one unit of work, committed here), next to o2o.inventory.service.

Stock in transit. Sending takes the units off the source's on hand (a transfer_out ledger row); until
the receipt they are on neither shelf: not in the source's stock, not in the destination's, so neither
sells them. `in_transit` tells where they are (the sent transfer requests), and for every location
on hand + what it has sent that is still on the way is what it had.

Receipts. The receiving store counts what arrived: good units go into its stock (transfer_in), damaged
units are set aside (not in stock). A count other than what was sent makes the transfer
"received_with_difference" and opens a discrepancy (missing = short, extra = over, damaged), which
head office investigates and resolves:
- written_off: the missing or damaged units are lost. Nothing moves: they left the source's stock when
  sent and never entered the destination's.
- found: the missing units turned up; they go into the receiving store's stock now (transfer_in, reason
  "found"). Damaged units stay out of stock.
- charged_to_carrier: lost, as written off, and the carrier is charged (an event for the outside).
Extra units were counted into the receiving store's stock at the receipt (they are on its shelf). The
ledger stays exact: every unit that enters or leaves a stock row is a ledger row.

Batches. A plan (lines: from, to, SKU, quantity) is previewed (each line checked, the sources' free
units counted against all their lines), then created in one transaction as that many transfer requests
with the batch's id. The batch's key makes creation idempotent: the same key again, even at the same
moment, returns the first batch. `suggest_rebalance` proposes a plan for one SKU: locations below their
safety stock (counting what is already on the way or asked for) get units from the warehouse and
from stores with more than twice their safety stock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from o2o.inventory import repository as repo
from o2o.inventory.models import (
    RECEIVED,
    RECEIVED_WITH_DIFFERENCE,
    REJECTED,
    REQUESTED,
    SENT,
    TRANSFER_IN,
    Stock,
    StockMovement,
    TransferRequest,
)
from o2o.inventory.schemas import TransferRequestOut
from o2o.inventory.transfer_models import (
    FOUND,
    INVESTIGATED,
    OPEN,
    RESOLVED,
    TransferBatch,
    TransferDiscrepancy,
)
from o2o.inventory.transfer_schemas import (
    BatchIn,
    BatchOut,
    BatchProgress,
    DiscrepancyOut,
    InvestigateIn,
    PlanLine,
    Preview,
    PreviewLine,
    ProgressRow,
    ReceiptIn,
    ResolveIn,
    TransitLine,
)
from o2o.kernel.db import Database
from o2o.kernel.errors import IllegalTransition, InvalidInput, NotFound
from o2o.kernel.pagination import Page, PageParams
from o2o.kernel.uow import UnitOfWork
from o2o.locations import service as locations

RECEIVED_STATES = (RECEIVED, RECEIVED_WITH_DIFFERENCE)


# --- stock in transit ---

def in_transit(db: Database, *, to_location_id: int | None = None, from_location_id: int | None = None,
               sku_id: int | None = None) -> list[TransitLine]:
    """Units sent and not yet received, per (from, to, SKU): on no location's shelf."""
    t = TransferRequest
    stmt = (select(t.from_location_id, t.to_location_id, t.sku_id, func.sum(t.quantity))
            .where(t.status == SENT).group_by(t.from_location_id, t.to_location_id, t.sku_id)
            .order_by(t.to_location_id, t.sku_id, t.from_location_id))
    if to_location_id is not None:
        stmt = stmt.where(t.to_location_id == to_location_id)
    if from_location_id is not None:
        stmt = stmt.where(t.from_location_id == from_location_id)
    if sku_id is not None:
        stmt = stmt.where(t.sku_id == sku_id)
    with db.read() as s:
        return [TransitLine(from_location_id=f, to_location_id=to, sku_id=k, quantity=int(q))
                for f, to, k, q in s.execute(stmt)]


def transit_mismatches(db: Database) -> list[dict[str, int | str]]:
    """Transfers whose ledger rows (ref TRQ-<id>) do not say what their status says: a sent or received
    transfer took exactly its quantity out of the source; nothing came in before the receipt; a receipt
    brought in its good units plus any found later. Empty when stock in transit is where it should be."""
    t, m = TransferRequest, StockMovement
    with db.read() as s:
        moved: dict[tuple[str, int], int] = {
            (ref, loc): int(q) for ref, loc, q in s.execute(
                select(m.ref, m.location_id, func.sum(m.quantity)).where(m.ref.like("TRQ-%"))
                .group_by(m.ref, m.location_id))}
        found = dict(s.execute(select(TransferDiscrepancy.transfer_request_id, TransferDiscrepancy.found)).all())
        rows = s.execute(select(t.id, t.status, t.from_location_id, t.to_location_id, t.quantity,
                                t.received_quantity)).all()
    out: list[dict[str, int | str]] = []
    for rid, status, src, dst, qty, received in rows:
        ref = f"TRQ-{rid}"
        want_out = -qty if status in (SENT, *RECEIVED_STATES) else 0
        want_in = 0
        if status in RECEIVED_STATES:
            want_in = (qty if received is None else received) + int(found.get(rid, 0))
        got_out, got_in = moved.get((ref, src), 0), moved.get((ref, dst), 0)
        if (got_out, got_in) != (want_out, want_in):
            out.append({"transfer_request_id": rid, "status": status, "out": got_out, "expected_out": want_out,
                        "in": got_in, "expected_in": want_in})
    return out


# --- receipts ---

@dataclass(frozen=True, slots=True)
class Count:
    """What a receipt counted against what was sent: sent = received + damaged + missing - extra."""

    sent: int
    received: int
    damaged: int

    @property
    def missing(self) -> int:
        return max(0, self.sent - self.received - self.damaged)

    @property
    def extra(self) -> int:
        return max(0, self.received + self.damaged - self.sent)

    @property
    def exact(self) -> bool:
        return self.received == self.sent and self.damaged == 0


def count_of(sent: int, data: ReceiptIn) -> Count:
    """The receipt's count, or InvalidInput: more than twice what was sent is a counting error."""
    received = sent - data.damaged if data.received is None else data.received
    if received < 0:
        raise InvalidInput("damaged", f"at most the {sent} sent")
    if received + data.damaged > 2 * sent:
        raise InvalidInput("received", f"received and damaged together at most {2 * sent} (twice the {sent} sent)")
    return Count(sent, received, data.damaged)


def _into_stock(s: Session, location_id: int, sku_id: int, qty: int, ref: str, reason: str, now: datetime) -> None:
    repo.ensure_row(s, location_id, sku_id)
    if not repo.move(s, location_id, sku_id, qty):  # cannot fail for qty > 0 (on hand only grows)
        raise RuntimeError(f"stock row {location_id}/{sku_id} refused {qty} in")
    repo.add_movements(s, [{"location_id": location_id, "sku_id": sku_id, "kind": TRANSFER_IN, "quantity": qty,
                            "ref": ref, "reason": reason[:200], "at": now}])


def receive(uow: UnitOfWork, request_id: int, data: ReceiptIn, actor: str,
            location_id: int | None = None) -> TransferRequestOut:
    """The receiving location counts what arrived. Exactly once: the request moves sent -> received(_with
    _difference) in one conditional UPDATE; of two clerks receiving at once one applies the count, the
    other gets 409 (IllegalTransition). `location_id`, when given, must be the receiving location (else
    the request looks unknown: 404)."""
    with uow:
        s, now = uow.session, uow.clock.now()
        tr = repo.transfer_request(s, request_id)
        if tr is None or (location_id is not None and tr.to_location_id != location_id):
            raise NotFound("transfer request", request_id)
        if tr.status != SENT:
            raise IllegalTransition("transfer request", tr.status, RECEIVED)
        count = count_of(tr.quantity, data)
        dst = RECEIVED if count.exact else RECEIVED_WITH_DIFFERENCE
        if not repo.advance_transfer(s, request_id, SENT, dst, received_by=actor[:80], received_at=now,
                                     received_quantity=count.received, damaged_quantity=count.damaged):
            tr = repo.transfer_request(s, request_id)
            raise IllegalTransition("transfer request", tr.status if tr else "?", dst)
        tr = repo.transfer_request(s, request_id)
        assert tr is not None
        ref = f"TRQ-{tr.id}"
        if count.received:
            _into_stock(s, tr.to_location_id, tr.sku_id, count.received, ref,
                        data.note or tr.note or f"transfer request {tr.id}", now)
        out = TransferRequestOut.model_validate(tr)
        payload = {"transfer_request_id": tr.id, "from_location_id": tr.from_location_id,
                   "to_location_id": tr.to_location_id, "sku_id": tr.sku_id, "quantity": tr.quantity,
                   "received": count.received, "damaged": count.damaged, "status": dst}
        uow.describe(f"transfer_request={tr.id}", status=dst, received=count.received, damaged=count.damaged)
        uow.publish("inventory.transfer_received", payload)
        if not count.exact:
            d = TransferDiscrepancy(transfer_request_id=tr.id, location_id=tr.to_location_id,
                                    from_location_id=tr.from_location_id, sku_id=tr.sku_id, sent=count.sent,
                                    received=count.received, damaged=count.damaged, missing=count.missing,
                                    extra=count.extra, status=OPEN, resolution=None, found=0,
                                    opened_by=actor[:80], opened_at=now, receipt_note=data.note[:200],
                                    investigation_note="", resolution_note="")
            s.add(d)
            s.flush()
            uow.publish("inventory.transfer_discrepancy_opened", {**payload, "discrepancy_id": d.id,
                                                                   "missing": count.missing, "extra": count.extra})
        uow.commit()
        return out


# --- discrepancies: open -> investigated -> resolved ---

def _step(s: Session, discrepancy_id: int, sources: Iterable[str], dst: str, **values: object) -> TransferDiscrepancy:
    table = TransferDiscrepancy.__table__
    srcs = list(sources)
    hit = s.execute(table.update().where(table.c.id == discrepancy_id, table.c.status.in_(srcs))
                    .values(status=dst, **values)).rowcount == 1
    d = s.get(TransferDiscrepancy, discrepancy_id, populate_existing=True)
    if d is None:
        raise NotFound("transfer discrepancy", discrepancy_id)
    if not hit:
        raise IllegalTransition("transfer discrepancy", d.status, dst)
    return d


def investigate(uow: UnitOfWork, discrepancy_id: int, data: InvestigateIn, actor: str) -> DiscrepancyOut:
    with uow:
        s, now = uow.session, uow.clock.now()
        d = _step(s, discrepancy_id, (OPEN,), INVESTIGATED, investigated_by=actor[:80], investigated_at=now,
                  investigation_note=data.note[:500])
        out = DiscrepancyOut.model_validate(d)
        uow.describe(f"transfer_discrepancy={d.id}", status=INVESTIGATED)
        uow.commit()
        return out


def resolve(uow: UnitOfWork, discrepancy_id: int, data: ResolveIn, actor: str) -> DiscrepancyOut:
    """Close a discrepancy once (a conditional UPDATE from open or investigated); `found` takes the missing
    units into the receiving location's stock, with a ledger row."""
    with uow:
        s, now = uow.session, uow.clock.now()
        d = _step(s, discrepancy_id, (OPEN, INVESTIGATED), RESOLVED, resolution=data.resolution,
                  resolved_by=actor[:80], resolved_at=now, resolution_note=data.note[:500])
        if data.resolution == FOUND and d.missing:
            _into_stock(s, d.location_id, d.sku_id, d.missing, f"TRQ-{d.transfer_request_id}",
                        f"found: {data.note}" if data.note else "found", now)
            d.found = d.missing
            s.flush()
        out = DiscrepancyOut.model_validate(d)
        uow.describe(f"transfer_discrepancy={d.id}", status=RESOLVED, resolution=data.resolution)
        uow.publish("inventory.transfer_discrepancy_resolved", {
            "discrepancy_id": d.id, "transfer_request_id": d.transfer_request_id, "location_id": d.location_id,
            "from_location_id": d.from_location_id, "sku_id": d.sku_id, "missing": d.missing, "extra": d.extra,
            "damaged": d.damaged, "resolution": data.resolution, "found": d.found})
        uow.commit()
        return out


def get_discrepancy(db: Database, discrepancy_id: int) -> DiscrepancyOut:
    with db.read() as s:
        d = s.get(TransferDiscrepancy, discrepancy_id)
        if d is None:
            raise NotFound("transfer discrepancy", discrepancy_id)
        return DiscrepancyOut.model_validate(d)


def discrepancy_of(db: Database, request_ids: Iterable[int]) -> dict[int, DiscrepancyOut]:
    """transfer request id -> its discrepancy, for those that have one."""
    ids = sorted(set(request_ids))
    if not ids:
        return {}
    with db.read() as s:
        rows = s.scalars(select(TransferDiscrepancy).where(TransferDiscrepancy.transfer_request_id.in_(ids)))
        return {d.transfer_request_id: DiscrepancyOut.model_validate(d) for d in rows}


def discrepancies(db: Database, statuses: Iterable[str], location_id: int | None, page: PageParams,
                  batch_id: int | None = None) -> Page[DiscrepancyOut]:
    """Oldest first (a queue): some statuses or all, at one receiving location or all."""
    d = TransferDiscrepancy
    stmt = select(d)
    if wanted := list(statuses):
        stmt = stmt.where(d.status.in_(wanted))
    if location_id is not None:
        stmt = stmt.where(d.location_id == location_id)
    if batch_id is not None:
        stmt = stmt.where(d.transfer_request_id.in_(select(TransferRequest.id).where(
            TransferRequest.batch_id == batch_id)))
    with db.read() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.scalars(stmt.order_by(d.id).offset(page.offset).limit(page.size))
        return Page[DiscrepancyOut](items=[DiscrepancyOut.model_validate(r) for r in rows], page=page.page,
                                    size=page.size, total=total)


# --- the back-office's list of transfers ---

def search(db: Database, page: PageParams, *, statuses: Iterable[str] = (), location_id: int | None = None,
           sku_id: int | None = None, batch_id: int | None = None) -> Page[TransferRequestOut]:
    """Newest first; a location matches as the source or the destination."""
    t = TransferRequest
    stmt = select(t)
    if wanted := list(statuses):
        stmt = stmt.where(t.status.in_(wanted))
    if location_id is not None:
        stmt = stmt.where((t.from_location_id == location_id) | (t.to_location_id == location_id))
    if sku_id is not None:
        stmt = stmt.where(t.sku_id == sku_id)
    if batch_id is not None:
        stmt = stmt.where(t.batch_id == batch_id)
    with db.read() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.scalars(stmt.order_by(t.id.desc()).offset(page.offset).limit(page.size))
        return Page[TransferRequestOut](items=[TransferRequestOut.model_validate(r) for r in rows], page=page.page,
                                        size=page.size, total=total)


# --- planned batches ---

def preview(db: Database, lines: list[PlanLine]) -> Preview:
    """Each line checked (two locations, both existing) and each source's free units counted against all
    of its lines, in line order (a line the source cannot cover any more, or an unknown SKU, is "short")."""
    sku_ids = sorted({x.sku_id for x in lines})
    kinds = {loc.id: loc.kind for loc in locations.list_all(db)}
    with db.read() as s:
        free = repo.available(s, sorted({x.from_location_id for x in lines}), sku_ids)
    left = dict(free)
    out: list[PreviewLine] = []
    for x in lines:
        key = (x.from_location_id, x.sku_id)
        available = free.get(key, 0)
        problem = None
        if x.from_location_id == x.to_location_id:
            problem = "same-location"
        elif x.from_location_id not in kinds:
            problem = "no-from"
        elif x.to_location_id not in kinds:
            problem = "no-to"
        elif left.get(key, 0) < x.quantity:
            problem = "short"
        if problem is None:
            left[key] = left.get(key, 0) - x.quantity
        out.append(PreviewLine(line=x, available=available, problem=problem))
    return Preview(lines=out, units=sum(x.quantity for x in lines),
                   destinations=len({x.to_location_id for x in lines}), ok=all(p.problem is None for p in out))


def _batch_out(b: TransferBatch, created: bool) -> BatchOut:
    return BatchOut.model_validate(b).model_copy(update={"created": created})


def find_batch(db: Database, key: str) -> BatchOut | None:
    with db.read() as s:
        b = s.scalars(select(TransferBatch).where(TransferBatch.key == key)).first()
        return _batch_out(b, False) if b else None


def create_batch(uow: UnitOfWork, data: BatchIn, actor: str) -> BatchOut:
    """Create every transfer request of the plan in one transaction, or none (InvalidInput names the first
    bad line). The same key again (even at the same moment) returns the first batch, created=False."""
    if (found := find_batch(uow.db, data.key)) is not None:
        return found
    for i, x in enumerate(data.lines):
        if x.from_location_id == x.to_location_id:
            raise InvalidInput(f"lines.{i}.to_location_id", "must differ from from_location_id")
    try:
        with uow:
            s, now = uow.session, uow.clock.now()
            if (b := s.scalars(select(TransferBatch).where(TransferBatch.key == data.key)).first()) is not None:
                return _batch_out(b, False)
            known = {loc.id for loc in locations.list_all(uow.db)}
            for i, x in enumerate(data.lines):
                for field, loc in (("from_location_id", x.from_location_id), ("to_location_id", x.to_location_id)):
                    if loc not in known:
                        raise InvalidInput(f"lines.{i}.{field}", f"no location {loc}")
            b = TransferBatch(key=data.key, name=data.name, origin=data.origin, lines=len(data.lines),
                              units=sum(x.quantity for x in data.lines), created_by=actor[:80], created_at=now)
            s.add(b)
            s.flush()  # the key's unique index: a concurrent creator of the same key waits here, then fails
            note = (data.note or data.name)[:200]
            try:
                s.execute(TransferRequest.__table__.insert(), [
                    {"from_location_id": x.from_location_id, "to_location_id": x.to_location_id, "sku_id": x.sku_id,
                     "quantity": x.quantity, "status": REQUESTED, "note": note, "decision_note": "",
                     "requested_by": actor[:80], "requested_at": now, "batch_id": b.id} for x in data.lines])
            except IntegrityError:
                raise InvalidInput("lines", "a line names a SKU that does not exist") from None
            out = _batch_out(b, True)
            uow.describe(f"transfer_batch={b.id}", lines=b.lines, units=b.units, origin=b.origin)
            uow.publish("inventory.transfer_batch_created", {"batch_id": b.id, "lines": b.lines, "units": b.units})
            uow.commit()
            return out
    except IntegrityError:
        if (found := find_batch(uow.db, data.key)) is not None:
            return found
        raise


def get_batch(db: Database, batch_id: int) -> BatchOut:
    with db.read() as s:
        b = s.get(TransferBatch, batch_id)
        if b is None:
            raise NotFound("transfer batch", batch_id)
        return _batch_out(b, True)


def batches(db: Database, page: PageParams) -> Page[BatchOut]:
    with db.read() as s:
        total = s.scalar(select(func.count()).select_from(TransferBatch)) or 0
        rows = s.scalars(select(TransferBatch).order_by(TransferBatch.id.desc()).offset(page.offset)
                         .limit(page.size))
        return Page[BatchOut](items=[_batch_out(b, True) for b in rows], page=page.page, size=page.size, total=total)


def progress(db: Database, batch_id: int) -> BatchProgress:
    """Per destination: how many of the batch's lines are requested, sent, received (exactly or with a
    difference), rejected, and the units received so far."""
    batch = get_batch(db, batch_id)
    t = TransferRequest

    def n(*states: str):  # type: ignore[no-untyped-def]
        return func.sum(case((t.status.in_(states), 1), else_=0))

    stmt = (select(t.to_location_id, func.count(), func.sum(t.quantity), n(REQUESTED), n(SENT), n(*RECEIVED_STATES),
                   n(RECEIVED_WITH_DIFFERENCE), n(REJECTED), func.sum(func.coalesce(t.received_quantity, 0)))
            .where(t.batch_id == batch_id).group_by(t.to_location_id).order_by(t.to_location_id))
    with db.read() as s:
        rows = [ProgressRow(to_location_id=to, lines=int(c), units=int(u), requested=int(rq), sent=int(se),
                            received=int(rc), with_difference=int(wd), rejected=int(rj), received_units=int(ru))
                for to, c, u, rq, se, rc, wd, rj, ru in s.execute(stmt)]
    fields = ("lines", "units", "requested", "sent", "received", "with_difference", "rejected", "received_units")
    totals = ProgressRow(to_location_id=0, **{f: sum(getattr(r, f) for r in rows) for f in fields})
    return BatchProgress(batch=batch, rows=rows, totals=totals)


# --- rebalancing suggestion ---

@dataclass(frozen=True, slots=True)
class Position:
    """One location's position in a SKU: on hand, reserved, safety stock, and units already coming (sent
    to it or asked for by it and not received)."""

    location_id: int
    warehouse: bool
    on_hand: int
    reserved: int
    safety_stock: int
    incoming: int = 0

    @property
    def need(self) -> int:
        """Units short of its safety stock (what a store below it should get)."""
        if self.warehouse:
            return 0
        return max(0, self.safety_stock - (self.on_hand - self.reserved + self.incoming))

    @property
    def spare(self) -> int:
        """Units it can give: a warehouse everything free, a store what it has beyond twice its safety stock."""
        free = self.on_hand - self.reserved
        keep = self.safety_stock if self.warehouse else 2 * self.safety_stock
        return max(0, free - keep)


def plan_rebalance(sku_id: int, positions: Iterable[Position]) -> list[PlanLine]:
    """Greedy: the neediest location first, served by the warehouses first, then by the stores with the
    most to spare (ties by location id); a need no one can cover is left (partly) uncovered."""
    ps = list(positions)
    spare = {p.location_id: p.spare for p in ps}
    donors = sorted((p for p in ps if p.spare > 0), key=lambda p: (not p.warehouse, -p.spare, p.location_id))
    lines: dict[tuple[int, int], int] = defaultdict(int)
    for p in sorted((p for p in ps if p.need > 0), key=lambda p: (-p.need, p.location_id)):
        need = p.need
        for d in donors:
            if need == 0:
                break
            give = min(need, spare[d.location_id])
            if give <= 0 or d.location_id == p.location_id:
                continue
            spare[d.location_id] -= give
            lines[(d.location_id, p.location_id)] += give
            need -= give
    return [PlanLine(from_location_id=f, to_location_id=to, sku_id=sku_id, quantity=q)
            for (f, to), q in sorted(lines.items(), key=lambda kv: (kv[0][1], kv[0][0]))]


def suggest_rebalance(db: Database, sku_id: int) -> list[PlanLine]:
    """A plan for one SKU from the stock rows now (see plan_rebalance); units on the way to a location or
    asked for by it count as already there."""
    t = TransferRequest
    with db.read() as s:
        rows = list(s.scalars(select(Stock).where(Stock.sku_id == sku_id)))
        coming = dict(s.execute(select(t.to_location_id, func.sum(t.quantity))
                                .where(t.sku_id == sku_id, t.status.in_((REQUESTED, SENT)))
                                .group_by(t.to_location_id)).all())
    kinds = {loc.id: loc.kind for loc in locations.list_all(db) if loc.active}
    positions = [Position(r.location_id, kinds[r.location_id] == "warehouse", r.on_hand, r.reserved, r.safety_stock,
                          int(coming.get(r.location_id, 0))) for r in rows if r.location_id in kinds]
    return plan_rebalance(sku_id, positions)
