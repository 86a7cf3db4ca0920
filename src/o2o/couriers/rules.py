"""The courier state machine's rule, pure (no database): which report of a platform moves a delivery.

A report is newer when its (rank, platform time) is above the current one's: a status never goes back,
and within one rank (a rider reassigned) the later report wins. Once delivered, cancelled or expired,
nothing moves. `fold` applies a sequence of reports as the service does one callback at a time, so any
order of the same reports (duplicates included) ends in the same state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from o2o.adapters.couriers import FINAL, RANK


@dataclass(frozen=True)
class State:
    status: str
    at: int = 0
    rider_id: str = ""


def newer(current: State, status: str, at: int) -> bool:
    if current.status in FINAL:
        return False
    return (RANK[status], at) > (RANK.get(current.status, 0), current.at)


def fold(start: State, reports: Iterable[State]) -> State:
    state = start
    for r in reports:
        if newer(state, r.status, r.at):
            state = State(r.status, r.at, r.rider_id or state.rider_id)
    return state
