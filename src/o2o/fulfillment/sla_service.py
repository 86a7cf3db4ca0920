"""SLA watch, the database side (issue 13): the promise given at payment, the watch the worker runs
every minute (`fulfillment.at_risk` before a promise is missed, `fulfillment.late` once it is), the
at-risk lists and the on-time rate per store. `o2o.fulfillment.service` re-exports these.

The watch announces each fulfilment once per kind, however many workers run it and however often it is
restarted: the flag is set by a conditional UPDATE (`... WHERE at_risk_at IS NULL`) checked by its row
count, and the event goes to the outbox in the same transaction. A second worker's UPDATE of the same
row waits for the first one's commit (PostgreSQL row lock; SQLite's write lock) and then matches nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict
from sqlalchemy import and_, case, func, select, update
from sqlalchemy.orm import Session

from o2o.config import Settings
from o2o.fulfillment import sla
from o2o.fulfillment.models import CANCELLED, FulfillmentOrder
from o2o.fulfillment.sla import OnTime, SlaSettings
from o2o.kernel.clock import as_utc
from o2o.kernel.db import Database
from o2o.kernel.uow import UnitOfWork
from o2o.locations import service as locations

BATCH = 500  # fulfilments flagged per transaction of the watch
AT_RISK, LATE = "fulfillment.at_risk", "fulfillment.late"
_settings = [SlaSettings()]


def sla_settings(settings: Settings) -> SlaSettings:
    """The promises and the warning lead of the deployment (O2O_SLA_*)."""
    return SlaSettings(pickup_minutes=settings.sla_pickup_minutes,
                       store_delivery_minutes=settings.sla_store_delivery_minutes,
                       parcel_minutes=settings.sla_parcel_minutes, night_minutes=settings.sla_night_minutes,
                       night_start=settings.sla_night_start, night_end=settings.sla_night_end,
                       warning_minutes=settings.sla_warning_minutes)


def configure_sla(settings: SlaSettings) -> None:
    """At start (bootstrap.build): the promises new fulfilments get."""
    _settings[0] = settings


def current_sla() -> SlaSettings:
    return _settings[0]


def promise_for(session: Session, order_id: int, location_id: int, mode: str, now: datetime) -> datetime | None:
    """The promise of a new fulfilment (inside its unit of work). One promise per order and mode: a
    fulfilment made later for the same order (a split, a move to another store, a re-sourcing) keeps
    the promise the customer was given first; else the location's zone and hours decide (sla.promise)."""
    fo = FulfillmentOrder
    earlier = session.scalar(select(func.min(fo.promised_at)).where(fo.order_id == order_id, fo.mode == mode))
    if earlier is not None:
        return earlier
    profile = locations.profiles(session, [location_id]).get(location_id)
    return sla.promise(mode, now, profile.timezone if profile else "Asia/Shanghai",
                       profile.opening_hours if profile else None, _settings[0])


# --- the watch --------------------------------------------------------------------------------------

def _flag(uow: UnitOfWork, column: str, horizon: datetime, now: datetime) -> int:
    """Flag (and announce) the fulfilments whose promise is due by `horizon` and not yet flagged."""
    fo = FulfillmentOrder
    flag = getattr(fo, column)
    topic = AT_RISK if column == "at_risk_at" else LATE
    announced = 0
    while True:
        rows = uow.session.execute(
            select(fo.id, fo.order_id, fo.order_number, fo.location_id, fo.mode, fo.status, fo.promised_at)
            .where(fo.due_at <= horizon, flag.is_(None)).order_by(fo.due_at, fo.id).limit(BATCH)).all()
        for fid, order_id, number, loc, mode, status, promised in rows:
            won = uow.session.execute(update(fo).where(fo.id == fid, flag.is_(None), fo.due_at.is_not(None))
                                      .values({column: now}).execution_options(synchronize_session=False))
            if won.rowcount == 1:  # type: ignore[attr-defined]
                announced += 1
                uow.publish(topic, {"fulfillment_id": fid, "order_id": order_id, "order_number": number,
                                    "location_id": loc, "mode": mode, "status": status, "step": sla.STEP.get(mode),
                                    "promised_at": as_utc(promised).isoformat(),
                                    "minutes_left": sla.minutes_left(as_utc(promised), now)})
        if len(rows) < BATCH:
            return announced


def watch(uow: UnitOfWork, warning_minutes: int | None = None) -> tuple[int, int]:
    """One run of the watch (the worker: every minute): fulfilments whose promise is within the warning
    lead or past get `fulfillment.at_risk` once; those past it `fulfillment.late` once. Returns how many
    of each this run announced."""
    lead = _settings[0].warning_minutes if warning_minutes is None else warning_minutes
    with uow:
        now = uow.clock.now()
        at_risk = _flag(uow, "at_risk_at", now + timedelta(minutes=lead), now)
        late = _flag(uow, "late_at", now, now)
        if at_risk or late:
            uow.describe("fulfillment_sla", at_risk=at_risk, late=late)
        uow.commit()
    return at_risk, late


# --- the lists and the rate -----------------------------------------------------------------------------

class AtRiskOut(BaseModel):
    """A fulfilment whose promise is within the warning lead or past (minutes_left < 0: late)."""

    model_config = ConfigDict(from_attributes=True)
    fulfillment_id: int
    order_id: int
    order_number: str
    location_id: int
    mode: str
    status: str
    step: str  # what the mode promises: ready, delivered, shipped
    promised_at: datetime
    minutes_left: int
    late: bool


class OnTimeOut(BaseModel):
    location_id: int
    due: int
    kept: int
    rate: float | None


def at_risk(db: Database, now: datetime, location_id: int | None = None, warning_minutes: int | None = None,
            limit: int = 200) -> list[AtRiskOut]:
    """Fulfilments still waiting for their promised step whose promise is within the warning lead or
    past, the most overdue first (the due_at index: only waiting ones are in it)."""
    lead = _settings[0].warning_minutes if warning_minutes is None else warning_minutes
    fo = FulfillmentOrder
    stmt = select(fo.id, fo.order_id, fo.order_number, fo.location_id, fo.mode, fo.status, fo.promised_at).where(
        fo.due_at <= now + timedelta(minutes=lead))
    if location_id is not None:
        stmt = stmt.where(fo.location_id == location_id)
    with db.read() as s:
        rows = s.execute(stmt.order_by(fo.due_at, fo.id).limit(limit)).all()
    out = []
    for fid, order_id, number, loc, mode, status, promised in rows:
        promised = as_utc(promised)
        out.append(AtRiskOut(fulfillment_id=fid, order_id=order_id, order_number=number, location_id=loc, mode=mode,
                             status=status, step=sla.STEP.get(mode, ""), promised_at=promised,
                             minutes_left=sla.minutes_left(promised, now), late=promised <= now))
    return out


def flag_counts(session: Session, location_id: int) -> dict[str, int]:
    """For the console's live board: this location's fulfilments the watch has flagged and that still
    wait (the board refreshes when these change)."""
    fo = FulfillmentOrder
    row = session.execute(select(func.count(fo.at_risk_at), func.count(fo.late_at)).where(
        fo.location_id == location_id, fo.due_at.is_not(None))).one()
    return {k: int(v) for k, v in (("sla_at_risk", row[0]), ("sla_late", row[1])) if v}


def on_time(db: Database, now: datetime, days: int, location_ids: list[int] | None = None) -> list[OnTimeOut]:
    """Per location: the promises that fell due in the last `days` days (up to now; cancelled ones left
    out) and how many were kept (the promised step reached by promised_at). Locations without a promise
    due in the period are not listed. Most promises due first."""
    fo = FulfillmentOrder
    since = now - timedelta(days=days)
    kept = func.sum(case((and_(fo.promise_met_at.is_not(None), fo.promise_met_at <= fo.promised_at), 1), else_=0))
    stmt = (select(fo.location_id, func.count(), kept)
            .where(fo.promised_at > since, fo.promised_at <= now, fo.status != CANCELLED)
            .group_by(fo.location_id))
    if location_ids is not None:
        stmt = stmt.where(fo.location_id.in_(location_ids))
    with db.read() as s:
        rows = [OnTime(loc, int(n), int(k or 0)) for loc, n, k in s.execute(stmt)]
    rows.sort(key=lambda r: (-r.due, r.location_id))
    return [OnTimeOut(location_id=r.location_id, due=r.due, kept=r.kept, rate=r.rate) for r in rows]
