"""What the pages show of a delivery (admin order page, console cards, storefront order page) and of a return's
courier pickup (the return on the order page, the returns desk, the refund queue), in the page's language:
plain dicts for the templates under web/templates/couriers/."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from o2o.couriers import service
from o2o.couriers.pickup_texts import TEXTS as PICKUP_TEXTS
from o2o.couriers.schemas import DeliveryOut
from o2o.couriers.texts import TEXTS
from o2o.kernel.db import Database
from o2o.web.templating import Translator

TIP_STEP_FEN = 300  # the console's tip button raises the tip by this much
ACTIVE_STEPS = frozenset({"dispatching", "waiting", "assigned", "at_store", "delivering", "returning"})


@dataclass
class Badge:
    """A delivery on a console card: a small badge and one line."""

    id: int
    status: str
    label: str
    line: str
    tip_label: str = ""  # the tip button's text while no rider has the order
    can_tip: bool = False
    rider: bool = False


@dataclass
class Shown:
    """A delivery on the storefront's order page: the rider's progress as steps, and the ETA."""

    id: int
    status: str
    label: str
    rider: str = ""
    steps: list[dict[str, Any]] = field(default_factory=list)
    eta: datetime | None = None
    ended: bool = False


def translator(locale: str) -> Translator:
    return Translator(locale, [TEXTS])


def _rider(ct: Translator, d: DeliveryOut) -> str:
    if not d.rider_name:
        return ""
    return ct("courier.rider_line", name=d.rider_name, phone=d.rider_phone or "") if d.rider_phone else d.rider_name


def badges(db: Database, fulfillment_ids: list[int], locale: str) -> dict[int, Badge]:
    """fulfilment id -> its delivery's badge (console cards)."""
    ct = translator(locale)
    out = {}
    for fid, d in service.for_fulfillments(db, fulfillment_ids).items():
        rider = _rider(ct, d)
        tip = f"{ct('courier.tip')} ¥{d.tip_fen / 100:g}" if d.tip_fen else ""
        line = " · ".join(x for x in (rider or (ct("courier.no_rider") if d.status in ACTIVE_STEPS else ""),
                                      d.provider or "", tip) if x)
        out[fid] = Badge(d.id, d.status, ct(f"courier.status.{d.status}"), line,
                         ct("courier.raise_tip", amount=f"{TIP_STEP_FEN / 100:g}"), d.status == "waiting", bool(rider))
    return out


def for_customer(db: Database, fulfillment_ids: list[int], locale: str, now: datetime) -> dict[str, Any]:
    """The storefront order page's context: `couriers` (one per store delivery) and `ct` (its texts)."""
    ct = translator(locale)
    shown = []
    for d in service.for_fulfillments(db, fulfillment_ids).values():
        at, ended = service.progress(d)
        steps = _steps(ct, "courier", at)
        shown.append(Shown(d.id, d.status, ct(f"courier.status.{d.status}"), _rider(ct, d), steps,
                           service.eta(d, now), ended))
    return {"couriers": shown, "ct": ct}


# the history notes o2o.couriers.service writes, read back in the page's language (a platform's own words,
# a refusal's or a cancellation's reason, stay as the platform gave them)
NOTES: list[tuple[re.Pattern[str], str]] = [(re.compile(p), key) for p, key in (
    (r"^ready for a courier$", "courier.note.ready"),
    (r"^(?P<p>\S+) refused to quote: (?P<why>.*)$", "courier.note.refused"),
    (r"^(?P<p>\S+) refused: (?P<why>.*)$", "courier.note.refused"),
    (r"^placed with (?P<p>\S+) for (?P<fee>\d+) fen \((?P<n>\d+) quoted\)$", "courier.note.placed"),
    (r"^no rider within (?P<m>[\d.]+) min at (?P<p>\S+); failing over$", "courier.note.no_rider"),
    (r"^(?P<p>\S+) (?P<s>cancelled|expired)(: (?P<why>.*))?; failing over$", "courier.note.platform_ended"),
    (r"^tip raised by (?P<a>\d+) fen to (?P<t>\d+) fen$", "courier.note.tip"),
    (r"^rider reassigned$", "courier.note.reassigned"),
    (r"^the order was cancelled$", "courier.note.order_cancelled"),
    (r"^the order has no delivery address$", "courier.note.no_address"),
    (r"^no courier would take the delivery$", "courier.note.none_left"),
    (r"^(?P<why>.*) \(the rider had the goods: the store follows up\)$", "courier.note.in_transit"),
)]


def note(ct: Translator, text: str) -> str:
    for pattern, key in NOTES:
        m = pattern.match(text)
        if m is None:
            continue
        v = {k: x or "" for k, x in m.groupdict().items()}
        for money in ("fee", "a", "t"):
            if money in v:
                v[money] = f"¥{int(v[money]) / 100:.2f}"
        if "s" in v:
            v["s"] = ct(f"courier.status.{v['s']}")
            key = key + "_why" if v["why"] else key
        return ct(key, **v)
    return text


def for_staff(db: Database, fulfillment_ids: list[int], locale: str) -> dict[str, Any]:
    """The admin order page's context: `deliveries` (with attempts and history, notes in the page's
    language; the rider's phone masked) and `ct` (their texts)."""
    ct = translator(locale)
    found = service.for_fulfillments(db, fulfillment_ids)
    shown = []
    for _, d in sorted(found.items()):
        full = service.get(db, d.id)
        full.history = [h.model_copy(update={"note": note(ct, h.note)}) for h in full.history]
        shown.append(full)
    return {"deliveries": shown, "ct": ct}


def _steps(t: Translator, prefix: str, at: int) -> list[dict[str, Any]]:
    """The courier's steps for a timeline, those before `at` done (the last one too once reached)."""
    return [{"key": key, "label": t(f"{prefix}.step.{key}"),
             "state": "done" if i < at or (i == at and key == "delivered") else "current" if i == at else "todo"}
            for i, key in enumerate(service.STEPS)]


# --- a return's courier pickup (issue 11) ----------------------------------------------------------------------

ENDED = frozenset({"failed", "cancelled", "expired"})


@dataclass
class Pickup:
    """A return's courier pickup as a page shows it: its status, the rider's line, the steps, its store."""

    id: int
    status: str
    label: str
    line: str  # the rider (phone masked) and the platform, for staff
    location_id: int
    rider: str = ""  # the rider alone, for the customer
    steps: list[dict[str, Any]] = field(default_factory=list)
    ended: bool = False  # left the steps (no courier, cancelled, expired): the store follows up
    reporting: bool = True  # the courier reports the progress (the desk's hand-set form is not needed)


def pickup_translator(locale: str) -> Translator:
    return Translator(locale, [PICKUP_TEXTS, TEXTS])


def for_returns(db: Database, return_ids: list[int], locale: str) -> dict[str, Any]:
    """The return pages' context: `pickups` (return id -> Pickup; the rider's phone masked) and `pt` (texts)."""
    pt = pickup_translator(locale)
    shown: dict[int, Pickup] = {}
    for return_id, d in service.for_returns(db, return_ids).items():
        at, ended = service.progress(d)
        steps = _steps(pt, "pickup", at)
        rider = _rider(pt, d)
        line = " · ".join(x for x in (rider or (pt("pickup.no_rider") if d.status in ACTIVE_STEPS else ""),
                                      d.provider or "") if x)
        shown[return_id] = Pickup(d.id, d.status, pt(f"pickup.status.{d.status}"), line, d.location_id, rider,
                                  steps, ended, d.status not in ENDED)
    return {"pickups": shown, "pt": pt}
