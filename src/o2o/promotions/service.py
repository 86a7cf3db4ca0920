"""Promotions and coupons: the operators' rules, claiming, issuing, the wallet, redeeming at a till, results.

Functions taking a `UnitOfWork` are use cases (they commit); those taking a `Session` join the caller's
transaction (the relay's handlers). The online checkout's part is `checkout.py`.

Quantity is taken by ONE conditional UPDATE on the template (`issued_qty + n <= total_qty`), run last
before COMMIT so the hot row's lock is held the least; the limits per customer, phone, device and address
are unique keys (`coupon_claim`: template, subject, slot 1..N), so a twin or a flood fails on the key,
never on a read that another transaction could overtake.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from o2o.customers import service as customers
from o2o.kernel import idempotency, pii
from o2o.kernel.db import Database
from o2o.kernel.errors import InvalidInput, NotFound
from o2o.kernel.geo import haversine_m
from o2o.kernel.pagination import PageParams
from o2o.kernel.uow import UnitOfWork
from o2o.locations import service as locations
from o2o.loyalty import service as loyalty
from o2o.orders import service as orders
from o2o.promotions import checkout, codes
from o2o.promotions.exceptions import (
    NO_LOCATION,
    NOT_YOUR_TIER,
    STORE_CLOSED,
    TOO_FAR,
    BudgetExhausted,
    ClaimLimit,
    CouponTaken,
    NoSuchCoupon,
    NotEligible,
    NotRedeemable,
    SoldOut,
)
from o2o.promotions.models import (
    EXPIRED,
    ISSUED,
    USED,
    VOID,
    Coupon,
    CouponClaim,
    CouponTemplate,
    Promotion,
    PromotionUse,
)
from o2o.promotions.schemas import (
    CenterItem,
    CouponOut,
    IssueIn,
    IssueOut,
    LookupOut,
    PromotionIn,
    PromotionOut,
    RedeemIn,
    RedeemOut,
    ResultsOut,
    TemplateIn,
    TemplateOut,
    WalletOut,
)

MAX_SEGMENT = 50_000  # customers one issue reaches at most
CODE_ATTEMPTS = 5
CLAIM_ATTEMPTS = 3


def _en(locale: str) -> bool:
    return locale.startswith("en")


# --- rules (operators) ----------------------------------------------------------------------------

def _rule_values(data: PromotionIn | TemplateIn) -> dict:
    v = data.model_dump()
    for k in ("sku_ids", "category_ids", "location_ids"):
        v[k] = sorted(set(v[k]))
    v["tier_codes"] = sorted(set(v["tier_codes"]))
    return v


def _check_store(s: Session, store_id: int | None) -> None:
    if store_id is not None and locations.kind_of(s, store_id) != "store":
        raise InvalidInput("store_id", f"no store {store_id}")


def create_promotion(uow: UnitOfWork, data: PromotionIn) -> PromotionOut:
    with uow:
        now = uow.clock.now()
        p = Promotion(**_rule_values(data), spent_fen=0, created_at=now, updated_at=now)
        uow.session.add(p)
        uow.session.flush()
        uow.describe(f"promotion={p.id}", kind=p.kind)
        out = PromotionOut.model_validate(p)
        uow.commit()
        checkout.forget()  # this process's cached automatic promotions (others see it within the TTL)
        return out


def update_promotion(uow: UnitOfWork, promotion_id: int, data: PromotionIn) -> PromotionOut:
    with uow:
        p = uow.session.get(Promotion, promotion_id)
        if p is None:
            raise NotFound("promotion", promotion_id)
        values = _rule_values(data)
        if values["budget_fen"] is not None and values["budget_fen"] < p.spent_fen:
            raise InvalidInput("budget_fen", f"{p.spent_fen} fen have been given already")
        before = PromotionOut.model_validate(p).model_dump(mode="json")
        for k, v in values.items():
            setattr(p, k, v)
        p.updated_at = uow.clock.now()
        uow.session.flush()
        out = PromotionOut.model_validate(p)
        uow.describe(f"promotion={p.id}", before=before, after=out.model_dump(mode="json"))
        uow.commit()
        checkout.forget()  # this process's cached automatic promotions (others see it within the TTL)
        return out


def end_promotion(uow: UnitOfWork, promotion_id: int) -> PromotionOut:
    """Stops it (active = false); what it gave stays on the orders and in the results."""
    with uow:
        p = uow.session.get(Promotion, promotion_id)
        if p is None:
            raise NotFound("promotion", promotion_id)
        p.active, p.updated_at = False, uow.clock.now()
        uow.session.flush()
        out = PromotionOut.model_validate(p)
        uow.describe(f"promotion={p.id}")
        uow.commit()
        checkout.forget()  # this process's cached automatic promotions (others see it within the TTL)
        return out


def promotions(db: Database, page: PageParams) -> list[PromotionOut]:
    with db.read() as s:
        rows = s.scalars(select(Promotion).order_by(Promotion.id.desc()).offset(page.offset).limit(page.size))
        return [PromotionOut.model_validate(p) for p in rows]


def promotion(db: Database, promotion_id: int) -> PromotionOut:
    with db.read() as s:
        p = s.get(Promotion, promotion_id)
        if p is None:
            raise NotFound("promotion", promotion_id)
        return PromotionOut.model_validate(p)


def create_template(uow: UnitOfWork, data: TemplateIn) -> TemplateOut:
    with uow:
        now = uow.clock.now()
        _check_store(uow.session, data.store_id)
        t = CouponTemplate(**_rule_values(data), spent_fen=0, issued_qty=0, created_at=now, updated_at=now)
        uow.session.add(t)
        uow.session.flush()
        uow.describe(f"coupon_template={t.id}", kind=t.kind)
        out = TemplateOut.model_validate(t)
        uow.commit()
        return out


def update_template(uow: UnitOfWork, template_id: int, data: TemplateIn) -> TemplateOut:
    with uow:
        t = uow.session.get(CouponTemplate, template_id)
        if t is None:
            raise NotFound("coupon_template", template_id)
        _check_store(uow.session, data.store_id)
        values = _rule_values(data)
        if values["total_qty"] is not None and values["total_qty"] < t.issued_qty:
            raise InvalidInput("total_qty", f"{t.issued_qty} have been issued already")
        if values["budget_fen"] is not None and values["budget_fen"] < t.spent_fen:
            raise InvalidInput("budget_fen", f"{t.spent_fen} fen have been given already")
        before = TemplateOut.model_validate(t).model_dump(mode="json")
        for k, v in values.items():
            setattr(t, k, v)
        t.updated_at = uow.clock.now()
        uow.session.flush()
        out = TemplateOut.model_validate(t)
        uow.describe(f"coupon_template={t.id}", before=before, after=out.model_dump(mode="json"))
        uow.commit()
        return out


def end_template(uow: UnitOfWork, template_id: int) -> TemplateOut:
    """Stops claims and issues (active = false): coupons of it are no longer usable either."""
    with uow:
        t = uow.session.get(CouponTemplate, template_id)
        if t is None:
            raise NotFound("coupon_template", template_id)
        t.active, t.updated_at = False, uow.clock.now()
        uow.session.flush()
        out = TemplateOut.model_validate(t)
        uow.describe(f"coupon_template={t.id}")
        uow.commit()
        return out


def templates(db: Database, page: PageParams) -> list[TemplateOut]:
    with db.read() as s:
        rows = s.scalars(select(CouponTemplate).order_by(CouponTemplate.id.desc())
                         .offset(page.offset).limit(page.size))
        return [TemplateOut.model_validate(t) for t in rows]


def template(db: Database, template_id: int) -> TemplateOut:
    with db.read() as s:
        t = s.get(CouponTemplate, template_id)
        if t is None:
            raise NotFound("coupon_template", template_id)
        return TemplateOut.model_validate(t)


# --- issuing (shared by claims, operator issues and automatic issues) ------------------------------

def _validity(t: CouponTemplate, now: datetime) -> tuple[datetime, datetime]:
    start = t.valid_from if t.valid_from is not None and t.valid_days is None else now
    if t.valid_days is not None:
        until = now + timedelta(days=t.valid_days)
        if t.valid_until is not None:
            until = min(until, t.valid_until)
    else:
        until = t.valid_until  # type: ignore[assignment]
    return start, until


def _insert_coupon(s: Session, t: CouponTemplate, customer_id: int, now: datetime, via: str,
                   savepoint: bool = True) -> Coupon:
    """A coupon with a fresh random code. A code clash (68 random bits: never in practice) draws again in a
    savepoint; without one (a claim, which retries as a whole) it is an IntegrityError for the caller."""
    start, until = _validity(t, now)
    for _ in range(CODE_ATTEMPTS if savepoint else 1):
        c = Coupon(template_id=t.id, customer_id=customer_id, code=codes.new_code(), status=ISSUED, via=via,
                   store_id=t.store_id, valid_from=start, valid_until=until, issued_at=now, discount_fen=0)
        if not savepoint:
            s.add(c)
            s.flush()
            return c
        try:
            with s.begin_nested():
                s.add(c)
                s.flush()
            return c
        except IntegrityError:
            continue
    raise RuntimeError("could not draw a unique coupon code")


def _slots(s: Session, template_id: int, subjects: Iterable[str]) -> dict[str, int]:
    """How many slots each subject holds for the template (one query)."""
    subjects = list(subjects)
    rows = s.execute(select(CouponClaim.subject, func.count()).where(
        CouponClaim.template_id == template_id, CouponClaim.subject.in_(subjects)).group_by(CouponClaim.subject))
    held = {subject: int(n) for subject, n in rows}
    return {subject: held.get(subject, 0) for subject in subjects}


def _take_slots(s: Session, t: CouponTemplate, subjects: list[str], coupon_id: int, now: datetime) -> None:
    """The next slot of each subject (past the limit: ClaimLimit). A twin taking the same slot at the same
    moment makes the INSERT fail on the unique key (IntegrityError: the caller refuses the claim)."""
    held = _slots(s, t.id, subjects)
    for subject in subjects:
        slot = held[subject] + 1
        if slot > t.per_customer_limit:
            raise ClaimLimit(f"limit of {t.per_customer_limit} reached ({subject.split(':', 1)[0]})")
        s.add(CouponClaim(template_id=t.id, subject=subject, slot=slot, coupon_id=coupon_id, created_at=now))
    s.flush()


def _take_quantity(s: Session, template_id: int, n: int) -> bool:
    """ONE conditional UPDATE: n more coupons of the template, only if they fit."""
    result = s.execute(update(CouponTemplate).where(
        CouponTemplate.id == template_id, CouponTemplate.active.is_(True),
        (CouponTemplate.total_qty.is_(None)) | (CouponTemplate.issued_qty + n <= CouponTemplate.total_qty))
        .values(issued_qty=CouponTemplate.issued_qty + n))
    return result.rowcount == 1  # type: ignore[attr-defined]


def _subjects(s: Session, customer_id: int, device_id: str | None, address_line: str | None) -> list[str]:
    out = [f"customer:{customer_id}"]
    phone = customers.phone_of(s, customer_id)
    if phone:
        out.append(f"phone:{pii.lookup_hash(phone, 'phone')}")
    if device_id:
        out.append(f"device:{pii.lookup_hash(device_id.strip(), 'device')}")
    if address_line:
        out.append(f"address:{pii.lookup_hash(' '.join(address_line.split()).lower(), 'address')}")
    return out


# --- claiming (the storefront's coupon centre) -----------------------------------------------------

@dataclass(frozen=True)
class Where:
    """Where a customer is, for LBS exclusives: home (profile) and the location a claim gives."""

    home: tuple[float, float] | None
    last: tuple[float, float] | None

    def distance_to(self, point: tuple[float, float]) -> int | None:
        found = [haversine_m(p[0], p[1], point[0], point[1]) for p in (self.home, self.last) if p is not None]
        return int(min(found)) if found else None


def _where(db: Database, customer_id: int, lat: float | None, lng: float | None) -> Where:
    c = customers.get(db, customer_id)
    home = (c.home_lat, c.home_lng) if c.home_lat is not None and c.home_lng is not None else None
    return Where(home, (lat, lng) if lat is not None and lng is not None else None)


def _claimable_now(t: CouponTemplate, now: datetime) -> bool:
    return t.active and t.claimable and t.auto_issue == "none" and t.claim_from <= now < t.claim_until


def _eligible(t: CouponTemplate, tier: str, where: Where,
              store_point: tuple[float, float] | None) -> tuple[bool, int | None, str, str]:
    """(may claim, distance to the LBS store, why not, NotEligible's code)."""
    if t.tier_codes and tier not in t.tier_codes:
        return False, None, f"for {', '.join(t.tier_codes)} members", NOT_YOUR_TIER
    if t.store_id is None:
        return True, None, "", ""
    if store_point is None:
        return False, None, "the store is closed", STORE_CLOSED
    d = where.distance_to(store_point)
    if d is None:
        return False, None, "share your location or set your home address", NO_LOCATION
    if d > t.radius_m:
        return False, d, f"for customers within {t.radius_m} m of the store", TOO_FAR
    return True, d, "", ""


def claim(uow: UnitOfWork, customer_id: int, template_id: int, *, lat: float | None = None,
          lng: float | None = None, device_id: str | None = None) -> CouponOut:
    """A customer claims one coupon of a template in the coupon centre: eligible (open, tier, LBS radius),
    under the limits (customer, phone, device, address: unique slots), and while quantity lasts (ONE
    conditional UPDATE, last before COMMIT). A twin claim committed meanwhile makes the slot's INSERT fail:
    the claim is tried again on fresh reads (and then refused at the limit, or takes the next slot)."""
    db = uow.db
    where = _where(db, customer_id, lat, lng)
    with db.read() as rs:
        tier = loyalty.order_benefits(rs, customer_id).tier
    addresses = customers.addresses(db, customer_id)
    address_line = (f"{addresses[-1].district} {addresses[-1].line} {addresses[-1].door or ''}"
                    if addresses else None)
    for attempt in range(CLAIM_ATTEMPTS):
        try:
            return _claim_once(uow, customer_id, template_id, where, tier, device_id, address_line)
        except IntegrityError as exc:
            if attempt == CLAIM_ATTEMPTS - 1:
                raise ClaimLimit("another claim of yours was made at the same moment; try again") from exc
    raise AssertionError("unreachable")


def _claim_once(uow: UnitOfWork, customer_id: int, template_id: int, where: Where, tier: str,
                device_id: str | None, address_line: str | None) -> CouponOut:
    with uow:
        s, now = uow.session, uow.clock.now()
        t = s.get(CouponTemplate, template_id)
        if t is None or not _claimable_now(t, now):
            raise NotFound("coupon_template", template_id)
        point = _store_point(s, t.store_id)
        ok, _, why, code = _eligible(t, tier, where, point)
        if not ok:
            raise NotEligible(why, code)
        if t.total_qty is not None and t.issued_qty >= t.total_qty:
            raise SoldOut("every coupon of this template has been claimed")  # fast path; the UPDATE decides
        if _spent(t):
            raise SoldOut("this campaign's budget is spent")  # its coupons would give nothing
        c = _insert_coupon(s, t, customer_id, now, "claim", savepoint=False)
        _take_slots(s, t, _subjects(s, customer_id, device_id, address_line), c.id, now)
        out = _coupon_out(c, t, now, "zh-CN")
        uow.describe(f"coupon={c.id}", template_id=t.id)
        uow.publish("promotions.coupon_issued", {"coupon_id": c.id, "template_id": t.id,
                                                 "customer_id": customer_id, "via": "claim"})

        def take(session: Session) -> None:
            if not _take_quantity(session, template_id, 1):
                raise SoldOut("every coupon of this template has been claimed")
        uow.commit(last=take)
        return out


def _spent(t: CouponTemplate) -> bool:
    """The campaign's budget is spent: its coupons give nothing more (checkout no longer offers them)."""
    return t.budget_fen is not None and t.spent_fen >= t.budget_fen


def _store_point(s: Session, store_id: int | None) -> tuple[float, float] | None:
    if store_id is None:
        return None
    try:
        return locations.point_of(s, store_id)
    except NotFound:
        return None


def center(db: Database, customer_id: int, now: datetime, lat: float | None = None, lng: float | None = None,
           locale: str = "zh-CN") -> list[CenterItem]:
    """The templates this customer may claim now (tier, LBS radius from home or the given location), with
    the LBS store and the distance, how many are left and how many the customer holds."""
    where = _where(db, customer_id, lat, lng)
    tier = loyalty.benefits(db, customer_id).tier
    out = []
    with db.read() as s:
        rows = list(s.scalars(select(CouponTemplate).where(
            CouponTemplate.active.is_(True), CouponTemplate.claimable.is_(True), CouponTemplate.auto_issue == "none",
            CouponTemplate.claim_from <= now, CouponTemplate.claim_until > now).order_by(CouponTemplate.id)))
        held = dict(s.execute(select(CouponClaim.template_id, func.count()).where(
            CouponClaim.subject == f"customer:{customer_id}",
            CouponClaim.template_id.in_([t.id for t in rows])).group_by(CouponClaim.template_id)).all())
        for t in rows:
            point = _store_point(s, t.store_id)
            ok, distance, _, _ = _eligible(t, tier, where, point)
            if not ok:
                continue
            remaining = 0 if _spent(t) else None if t.total_qty is None else max(0, t.total_qty - t.issued_qty)
            claimed = int(held.get(t.id, 0))
            store_name = None
            if t.store_id is not None:
                loc = locations.get(db, t.store_id)
                store_name = loc.name_en if _en(locale) else loc.name_zh
            zh, en = checkout.label(t)
            out.append(CenterItem(
                template_id=t.id, kind=t.kind, name=t.name_en if _en(locale) else t.name_zh, label_zh=zh, label_en=en,
                channel=t.channel, claim_until=t.claim_until, valid_from=t.valid_from, valid_until=t.valid_until,
                valid_days=t.valid_days, remaining=remaining, limit=t.per_customer_limit, claimed=claimed,
                can_claim=claimed < t.per_customer_limit and remaining != 0, store_id=t.store_id,
                store_name=store_name, distance_m=distance))
    return out


# --- the wallet -------------------------------------------------------------------------------------

def _state(c: Coupon, now: datetime) -> str:
    if c.status == ISSUED:
        return "expired" if c.valid_until <= now else "usable"
    return c.status


def _coupon_out(c: Coupon, t: CouponTemplate, now: datetime, locale: str) -> CouponOut:
    zh, en = checkout.label(t)
    return CouponOut(id=c.id, code=c.code, code_display=codes.display(c.code), template_id=t.id, kind=t.kind,
                     name=t.name_en if _en(locale) else t.name_zh, label_zh=zh, label_en=en, state=_state(c, now),
                     valid_from=c.valid_from, valid_until=c.valid_until, store_id=c.store_id, channel=t.channel,
                     min_fen=t.min_fen, off_fen=t.off_fen, pct_off=t.pct_off, cap_fen=t.cap_fen, issued_at=c.issued_at,
                     used_at=c.used_at, via=c.via)


def wallet(db: Database, customer_id: int, now: datetime, locale: str = "zh-CN", limit: int = 200) -> WalletOut:
    """The customer's coupons: usable (soonest to expire first), used, expired (and void) — newest first."""
    with db.read() as s:
        rows = s.execute(select(Coupon, CouponTemplate).join(CouponTemplate, CouponTemplate.id == Coupon.template_id)
                         .where(Coupon.customer_id == customer_id).order_by(Coupon.id.desc()).limit(limit))
        items = [_coupon_out(c, t, now, locale) for c, t in rows]
    usable = sorted((i for i in items if i.state == "usable"), key=lambda i: (i.valid_until, i.id))
    return WalletOut(usable=usable, used=[i for i in items if i.state == USED],
                     expired=[i for i in items if i.state in (EXPIRED, VOID)])


# --- operator issue -----------------------------------------------------------------------------------

def _segment(db: Database, data: IssueIn) -> list[int]:
    if data.customer_ids is not None:
        return list(dict.fromkeys(data.customer_ids))
    seg = data.segment
    assert seg is not None
    if seg.tier is not None:
        return loyalty.members_of_tier(db, seg.tier, MAX_SEGMENT)
    found: dict[int, None] = {}
    page = 1
    while len(found) < MAX_SEGMENT:
        batch = orders.recent(db, None, PageParams(page=page, size=100), location_id=seg.ordered_at)
        if not batch:
            break
        found.update({o.customer_id: None for o in batch if o.customer_id is not None})
        page += 1
        if page > 100_000:
            break
    return list(found)[:MAX_SEGMENT]


def issue(uow: UnitOfWork, template_id: int, data: IssueIn, *, key: str | None = None,
          scope: str = "staff") -> IssueOut:
    """An operator issues one coupon to each customer of a list or segment. Idempotent by `key` (a retry
    answers the first result and issues nothing more); quantity all or nothing (one conditional UPDATE
    for all); customers unknown or at their limit are skipped and named."""
    scope = f"coupon-issue:{scope}"
    req_hash = idempotency.request_hash({"template_id": template_id, **data.model_dump(mode="json")})
    targets = _segment(uow.db, data)
    with uow:
        s, now = uow.session, uow.clock.now()
        if key and (rec := idempotency.lookup(s, scope, key, req_hash)) is not None:
            return IssueOut.model_validate(rec.body)
        t = s.get(CouponTemplate, template_id)
        if t is None:
            raise NotFound("coupon_template", template_id)
        if not t.active or now >= t.claim_until:
            raise NotRedeemable("this template is no longer active")
        if t.budget_fen is not None and t.spent_fen >= t.budget_fen:
            raise BudgetExhausted("this template's budget is spent")
        held = _slots(s, t.id, [f"customer:{c}" for c in targets]) if targets else {}
        eligible, skipped = [], []
        for cid in targets:
            # a segment's ids come from the customers' own rows; a typed list's are checked one by one
            if held[f"customer:{cid}"] >= t.per_customer_limit or (
                    data.customer_ids is not None and not customers.exists(s, cid)):
                skipped.append(cid)
            else:
                eligible.append(cid)
        if eligible and not _take_quantity(s, t.id, len(eligible)):
            raise SoldOut(f"{len(eligible)} coupons do not fit: "
                          f"{(t.total_qty or 0) - t.issued_qty} left of this template")
        try:
            for cid in eligible:
                c = _insert_coupon(s, t, cid, now, "issue")
                s.add(CouponClaim(template_id=t.id, subject=f"customer:{cid}", slot=held[f"customer:{cid}"] + 1,
                                  coupon_id=c.id, created_at=now))
            s.flush()
        except IntegrityError as exc:
            raise ClaimLimit("a customer claimed at the same moment; issue again (same key)") from exc
        s.refresh(t)
        out = IssueOut(template_id=t.id, issued=len(eligible), skipped=skipped, issued_qty=t.issued_qty,
                       total_qty=t.total_qty)
        if key:
            idempotency.remember(s, scope, key, req_hash, 201, out.model_dump(mode="json"), now)
        uow.describe(f"coupon_template={t.id}", issued=len(eligible), skipped=len(skipped))
        uow.publish("promotions.coupons_issued", {"template_id": t.id, "count": len(eligible)})
        uow.commit()
        return out


# --- automatic issue (the relay's handlers) -----------------------------------------------------------

def auto_issue(s: Session, customer_id: int, trigger: str, now: datetime, location_id: int | None = None) -> int:
    """Joins the relay's transaction: one coupon of each live template issued automatically on `trigger`
    (signup | first_visit; first_visit templates with a store only for a visit there). Once per customer
    and template (slot 1 of the customer's key): a redelivery or a second visit issues nothing. Quantity
    by the conditional UPDATE; a template sold out is skipped. Returns the coupons issued."""
    rows = list(s.scalars(select(CouponTemplate).where(
        CouponTemplate.active.is_(True), CouponTemplate.auto_issue == trigger, CouponTemplate.claim_from <= now,
        CouponTemplate.claim_until > now).order_by(CouponTemplate.id)))
    issued = 0
    for t in rows:
        if trigger == "first_visit" and t.store_id is not None and t.store_id != location_id:
            continue
        subject = f"customer:{customer_id}"
        if s.scalar(select(func.count()).select_from(CouponClaim).where(
                CouponClaim.template_id == t.id, CouponClaim.subject == subject)):
            continue
        try:
            with s.begin_nested():
                if not _take_quantity(s, t.id, 1):
                    continue
                c = _insert_coupon(s, t, customer_id, now, trigger)
                s.add(CouponClaim(template_id=t.id, subject=subject, slot=1, coupon_id=c.id, created_at=now))
                s.flush()
                issued += 1
        except IntegrityError:
            continue  # issued meanwhile by a twin
    return issued


# --- redeeming at a till or in the store console ------------------------------------------------------

def _by_code(s: Session, code: str) -> tuple[Coupon, CouponTemplate] | None:
    norm = codes.normalise(code)
    if norm is None:
        return None
    row = s.execute(select(Coupon, CouponTemplate).join(CouponTemplate, CouponTemplate.id == Coupon.template_id)
                    .where(Coupon.code == norm)).first()
    return (row[0], row[1]) if row else None


def _for_store(t: CouponTemplate, c: Coupon, store_id: int) -> bool:
    """Whether staff of `store_id` may see and redeem it: the template's stores and the LBS store."""
    if c.store_id is not None and c.store_id != store_id:
        return False
    return not t.location_ids or store_id in {int(x) for x in t.location_ids}


def _why_not(c: Coupon, t: CouponTemplate, store_id: int, now: datetime) -> str | None:
    if c.status == USED:
        return "used already"
    if c.status == VOID:
        return "void"
    if c.valid_until <= now:
        return "expired"
    if c.valid_from > now:
        return "not valid yet"
    if not t.active:
        return "the campaign has ended"
    if t.channel == "online":
        return "valid online only"
    if not _for_store(t, c, store_id):
        return "not valid at this store"
    return None


def lookup(db: Database, code: str, store_id: int, now: datetime, locale: str = "zh-CN") -> LookupOut:
    """The till's look-up: what the coupon gives and whether it can be redeemed here; the owner masked.
    A wrong code, or a coupon of another store's, is only 'no such coupon'."""
    with db.read() as s:
        found = _by_code(s, code)
        if found is None or not _for_store(found[1], found[0], store_id):
            raise NoSuchCoupon()
        c, t = found
        zh, en = checkout.label(t)
        why = _why_not(c, t, store_id, now)
        return LookupOut(code_display=codes.display(c.code), kind=t.kind, name=t.name_en if _en(locale) else t.name_zh,
                         label_zh=zh, label_en=en, state=_state(c, now), valid_from=c.valid_from,
                         valid_until=c.valid_until, owner=pii.mask_phone(customers.phone_of(s, c.customer_id)),
                         store_id=c.store_id, redeemable_here=why is None, why_not=why, min_fen=t.min_fen,
                         off_fen=t.off_fen, pct_off=t.pct_off, cap_fen=t.cap_fen)


def coupon_for_till(session: Session, code: str, store_id: int) -> tuple[int, int] | None:
    """(coupon id, owner's customer id) of a coupon code shown at a till of `store_id` (a POS sale uses it
    through the order's coupon_ids); None for a wrong code or another store's coupon. Reads only."""
    found = _by_code(session, code)
    if found is None or not _for_store(found[1], found[0], store_id):
        return None
    return found[0].id, found[0].customer_id


def till_discount(t: CouponTemplate, bill_fen: int | None) -> int:
    """What a coupon takes off a till's bill: threshold (每满: per min reached) and percent (capped) need the
    bill; gifts, free services and free delivery take nothing off it."""
    if t.kind not in ("threshold", "percent"):
        return 0
    if bill_fen is None:
        raise InvalidInput("bill_fen", f"a {t.kind} coupon needs the bill to work out its discount")
    if bill_fen < t.min_fen:
        raise NotRedeemable(f"the bill must reach {t.min_fen} fen")
    if t.kind == "threshold":
        times = (bill_fen // t.min_fen if t.min_fen else 1) if t.repeat else 1
        return min(bill_fen, t.off_fen * times)
    off = bill_fen * t.pct_off // 100
    return min(off, t.cap_fen) if t.cap_fen else off


def redeem_at_till(uow: UnitOfWork, store_id: int, data: RedeemIn, actor: str, *, key: str | None = None,
                   locale: str = "zh-CN") -> RedeemOut:
    """A clerk redeems a coupon scanned or typed at the till or in the console (a gift, a free service, or a
    discount on an in-store bill): only staff of a store in the template's scope (and the LBS store), single
    use by ONE conditional UPDATE (two tills at once: one wins, the other gets 409 coupon-taken), the
    template's budget by one more. Idempotent by `key` (a re-send answers the first result)."""
    scope = f"coupon-redeem:{store_id}"
    req_hash = idempotency.request_hash(data.model_dump(mode="json"))
    try:
        return _redeem_once(uow, store_id, data, actor, key, scope, req_hash)
    except (CouponTaken, IntegrityError):
        if key:  # a re-send of the same key at the same moment: the first one's answer
            with uow.db.read() as s:
                if (rec := idempotency.lookup(s, scope, key, req_hash)) is not None:
                    return RedeemOut.model_validate(rec.body)
        raise


def _redeem_once(uow: UnitOfWork, store_id: int, data: RedeemIn, actor: str, key: str | None, scope: str,
                 req_hash: str) -> RedeemOut:
    with uow:
        s, now = uow.session, uow.clock.now()
        if key and (rec := idempotency.lookup(s, scope, key, req_hash)) is not None:
            return RedeemOut.model_validate(rec.body)
        found = _by_code(s, data.code)
        if found is None or not _for_store(found[1], found[0], store_id):
            raise NoSuchCoupon()
        c, t = found
        why = _why_not(c, t, store_id, now)
        if why == "used already":
            raise CouponTaken("this coupon has been used already")
        if why:
            raise NotRedeemable(why)
        discount = till_discount(t, data.bill_fen)
        taken = s.execute(update(Coupon).where(
            Coupon.id == c.id, Coupon.status == ISSUED, Coupon.valid_from <= now, Coupon.valid_until > now)
            .values(status=USED, location_id=store_id, used_at=now, discount_fen=discount, used_by=actor[:120]))
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise CouponTaken("this coupon has just been used at another till")
        s.add(PromotionUse(order_id=None, key=checkout.coupon_key(c.id), kind=t.kind, template_id=t.id, coupon_id=c.id,
                           customer_id=c.customer_id, location_id=store_id, amount_fen=discount, at=now))
        zh, en = checkout.label(t)
        out = RedeemOut(coupon_id=c.id, code_display=codes.display(c.code), kind=t.kind, label_zh=zh, label_en=en,
                        discount_fen=discount, gift_sku_id=t.gift_sku_id, location_id=store_id, used_at=now)
        if key:
            idempotency.remember(s, scope, key, req_hash, 201, out.model_dump(mode="json"), now)
        uow.describe(f"coupon={c.id}", store_id=store_id, discount_fen=discount)
        uow.publish("promotions.coupon_redeemed", {"coupon_id": c.id, "template_id": t.id, "location_id": store_id,
                                                   "customer_id": c.customer_id, "discount_fen": discount})

        def spend(session: Session) -> None:
            """The template's budget (a row every till of the campaign updates): last before COMMIT."""
            if discount > 0 and session.execute(update(CouponTemplate).where(
                    CouponTemplate.id == t.id,
                    (CouponTemplate.budget_fen.is_(None)) | (CouponTemplate.spent_fen + discount <= CouponTemplate.budget_fen))
                    .values(spent_fen=CouponTemplate.spent_fen + discount)).rowcount != 1:  # type: ignore[attr-defined]
                raise BudgetExhausted("this campaign's budget is spent")
        uow.commit(last=spend)
        return out


# --- results ---------------------------------------------------------------------------------------

def _results(s: Session, column, ident: int) -> tuple[int, int, int, int]:  # type: ignore[no-untyped-def]
    """(uses, orders, gmv, cost) of the live (not released) uses where `column == ident`."""
    live = (column == ident, PromotionUse.released_at.is_(None))
    uses, cost = s.execute(select(func.count(), func.coalesce(func.sum(PromotionUse.amount_fen), 0)).where(*live)).one()
    per_order = dict(s.execute(select(PromotionUse.order_id, func.max(PromotionUse.order_total_fen))
                               .where(*live, PromotionUse.order_id.is_not(None))
                               .group_by(PromotionUse.order_id)).all())
    gmv = 0
    for order_id, total in per_order.items():
        if total is None:
            facts = orders.facts(s, order_id)
            total = facts.total_fen if facts else 0
        gmv += int(total)
    return int(uses), len(per_order), gmv, int(cost)


def template_results(db: Database, template_id: int) -> ResultsOut:
    with db.read() as s:
        t = s.get(CouponTemplate, template_id)
        if t is None:
            raise NotFound("coupon_template", template_id)
        issued = int(s.scalar(select(func.count()).select_from(Coupon).where(Coupon.template_id == t.id)) or 0)
        redeemed = int(s.scalar(select(func.count()).select_from(Coupon).where(
            Coupon.template_id == t.id, Coupon.status == USED)) or 0)
        _, n_orders, gmv, cost = _results(s, PromotionUse.template_id, t.id)
        return ResultsOut(id=t.id, issued=issued, redeemed=redeemed, orders=n_orders, gmv_fen=gmv, cost_fen=cost,
                          budget_fen=t.budget_fen, spent_fen=t.spent_fen)


def promotion_results(db: Database, promotion_id: int) -> ResultsOut:
    with db.read() as s:
        p = s.get(Promotion, promotion_id)
        if p is None:
            raise NotFound("promotion", promotion_id)
        uses, n_orders, gmv, cost = _results(s, PromotionUse.promotion_id, p.id)
        return ResultsOut(id=p.id, issued=None, redeemed=uses, orders=n_orders, gmv_fen=gmv, cost_fen=cost,
                          budget_fen=p.budget_fen, spent_fen=p.spent_fen if p.budget_fen is not None else cost)
