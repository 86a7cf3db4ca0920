"""The rules layer: ordered strategies head office configures per channel and region, no code change.

A rule is a JSON document validated here (the `sourcing_rule` table stores it with its position and
whether it is enabled). Rules apply in position order to every request they match (`when`: channels,
regions, modes; an empty list matches all). Exclusions add up; for `max_split` the first matching rule
wins. Each rule that changed something says so in the decision (its `trace`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Literal

import annotated_types
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter

from o2o.fulfillment.sourcing import schedule
from o2o.fulfillment.sourcing.types import PARCEL, PICKUP, STORE, WAREHOUSE, Node, Request
from o2o.kernel.ids import MAX_ID

HHMM = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


def _not_a_boolean(value: object) -> object:
    if isinstance(value, bool):  # JSON true is not the number 1 (lax mode would read it so)
        raise ValueError("a whole number, not true or false")
    return value


LocationId = Annotated[int, annotated_types.Ge(1), annotated_types.Le(MAX_ID), BeforeValidator(_not_a_boolean)]
SplitLimit = Annotated[int, annotated_types.Ge(1), annotated_types.Le(10), BeforeValidator(_not_a_boolean)]
Mode = Literal["pickup", "store_delivery", "parcel"]


class When(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    channels: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field([], max_length=20)
    regions: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field([], max_length=50)
    modes: list[Mode] = Field([], max_length=3)

    def matches(self, req: Request) -> bool:
        return ((not self.channels or req.channel in self.channels)
                and (not self.regions or req.region in self.regions)
                and (not self.modes or req.mode in self.modes))


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    when: When = When()


class KeepChosenPickupStore(_Rule):
    """A pickup order comes only from the store the customer chose."""
    kind: Literal["keep_chosen_pickup_store"]


class ExcludeLocations(_Rule):
    """Never source from these locations (e.g. the flagship store)."""
    kind: Literal["exclude_locations"]
    location_ids: list[LocationId] = Field(min_length=1, max_length=500)


class TwentyFourHourAtNight(_Rule):
    """Between `start` and `end` (each store's local time) only stores open around the clock."""
    kind: Literal["night_only_24h_stores"]
    start: HHMM = "22:00"
    end: HHMM = "07:00"


class ParcelOnlyFromWarehouses(_Rule):
    """Parcels leave only from warehouses (stores keep their stock for walk-in and same-day)."""
    kind: Literal["parcel_only_from_warehouses"]


class MaxSplit(_Rule):
    """The most locations one order may come from (overrides the setting)."""
    kind: Literal["max_split"]
    value: SplitLimit


RuleSpec = Annotated[KeepChosenPickupStore | ExcludeLocations | TwentyFourHourAtNight | ParcelOnlyFromWarehouses
                     | MaxSplit, Field(discriminator="kind")]
SPEC = TypeAdapter(RuleSpec)


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    name: str
    spec: RuleSpec


@dataclass(slots=True)
class Outcome:
    excluded: dict[int, str] = field(default_factory=dict)  # location id -> "rule:<name>"
    max_split: int | None = None
    trace: list[str] = field(default_factory=list)


def apply(rules: Iterable[Rule], req: Request, nodes: Iterable[Node],
          modes: Mapping[int, str]) -> Outcome:
    """What the rules matching `req` do to these nodes (`modes`: location id -> the mode it would serve)."""
    out = Outcome()
    nodes = list(nodes)
    local: dict[str, int] = {}
    for rule in rules:
        spec = rule.spec
        if not spec.when.matches(req):
            continue
        tag = f"rule:{rule.name}"
        hit: list[int] = []
        if isinstance(spec, MaxSplit):
            if out.max_split is None:
                out.max_split = spec.value
                out.trace.append(f"{rule.name}: at most {spec.value} location(s)")
            continue
        for n in nodes:
            if n.id in out.excluded:
                continue
            if isinstance(spec, KeepChosenPickupStore):
                drop = req.mode == PICKUP and req.chosen_location_id is not None and n.id != req.chosen_location_id
            elif isinstance(spec, ExcludeLocations):
                drop = n.id in spec.location_ids
            elif isinstance(spec, TwentyFourHourAtNight):
                if n.timezone not in local:
                    local[n.timezone] = schedule.local_minute(req.now, n.timezone)[1]
                drop = (n.kind == STORE and schedule.in_window(local[n.timezone], spec.start, spec.end)
                        and not schedule.always_open(n.hours))
            else:  # ParcelOnlyFromWarehouses
                drop = modes.get(n.id) == PARCEL and n.kind != WAREHOUSE
            if drop:
                out.excluded[n.id] = tag
                hit.append(n.id)
        if hit:
            out.trace.append(f"{rule.name}: ruled out {len(hit)} location(s)")
    return out
