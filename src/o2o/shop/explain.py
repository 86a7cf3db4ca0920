"""Routing decisions and order progress in the shopper's words (the services speak English to the logs)."""

from __future__ import annotations

import re
from typing import Any

from o2o.deps import Container
from o2o.kernel.errors import NotFound
from o2o.kernel.history import HistoryOut
from o2o.locations import service as locations
from o2o.locations.schemas import LocationOut
from o2o.shop.common import distance_text
from o2o.shop.route_texts import TEXTS as ROUTE_TEXTS
from o2o.web import vocabulary
from o2o.web.templating import Translator

_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^chosen store has every line$"), "reason.chosen"),
    (re.compile(r"^chosen store lacks stock$"), "reason.chosen_short"),
    (re.compile(r"^chosen store cannot serve this mode$"), "reason.chosen_mode"),
    (re.compile(r"^nearest store within (?P<radius>\d+) m with every line \((?P<distance>\d+) m\)$"), "reason.nearest"),
    (re.compile(r"^no store within its radius has every line$"), "reason.no_store"),
    (re.compile(r"^parcel wanted$"), "reason.parcel_wanted"),
    (re.compile(r"^(?:warehouse|store) .+ ships by parcel$"), "reason.parcel"),
]

# an order the sourcing engine placed: its reason names costs (for the staff); the shopper hears where from
_SOURCED = re.compile(r"^(?P<n>\d+) location\(s\), -?\d+ fen by [\w-]+(?: \(.*\))?$")

# the steps an order goes through, per fulfilment mode
FLOW = {"pickup": ("pending_payment", "paid", "picking", "ready", "completed"),
        "store_delivery": ("pending_payment", "paid", "picking", "shipped", "completed"),
        "parcel": ("pending_payment", "paid", "picking", "shipped", "completed")}
ENDED = ("cancelled", "expired")


def reason_text(reason: str, t: Translator, where: str, mode: str = "") -> str:
    out = []
    for part in (p.strip() for p in reason.split(";")):
        if not part:
            continue
        sourced = _SOURCED.match(part)
        if sourced:
            said = Translator(t.locale, [ROUTE_TEXTS])
            if sourced["n"] != "1":
                out.append(said("route.split", n=sourced["n"]))
            else:
                out.append(t("reason.parcel", where=where) if mode == "parcel" else said("route.one", where=where))
            continue
        for pattern, key in _REASONS:
            m = pattern.match(part)
            if m:
                out.append(t(key, where=where, **m.groupdict()))
                break
        else:  # the other reasons (a move by head office, ...) as every page words them
            out.append(vocabulary.route_reason(part, t.locale))
    return ("；" if t.locale.startswith("zh") else "; ").join(out)


def location(c: Container, location_id: int) -> LocationOut | None:
    try:
        return locations.get(c.db, location_id)
    except NotFound:
        return None


def describe_route(c: Container, location_id: int, mode: str, reason: str, distance_m: int | None,
                   t: Translator) -> dict[str, Any]:
    """Where an order (or a quote) goes, how, and why, in the shopper's language."""
    loc = location(c, location_id)
    name = (loc.name_zh if t.locale.startswith("zh") else loc.name_en) if loc else str(location_id)
    return {"location": loc, "name": name, "address": loc.address if loc else "", "mode": mode,
            "reason": reason_text(reason, t, name, mode),
            "distance": "" if mode == "pickup" else distance_text(distance_m)}  # pickup: no way to travel


def timeline(status: str, mode: str, history: list[HistoryOut]) -> list[dict[str, Any]]:
    """The order's steps: done (with when), the current one, those still to come; an ended order
    shows what actually happened."""
    reached: dict[str, Any] = {}
    for h in history:
        reached.setdefault(h.to_status, h.at)
    if status in ENDED or status not in FLOW.get(mode, FLOW["pickup"]):
        return [{"status": h.to_status, "at": h.at, "state": "current" if i == len(history) - 1 else "done"}
                for i, h in enumerate(history)]
    steps = FLOW.get(mode, FLOW["pickup"])
    current = steps.index(status)
    return [{"status": st, "at": reached.get(st), "state": "done" if i < current else "current" if i == current
             else "todo"} for i, st in enumerate(steps)]
