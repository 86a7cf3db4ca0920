"""Every active location as the hot path reads it, kept per process (placing an order, routing).

Placing an order needs the locations near the customer with their profiles; reading them took a
statement and ~40 rows per order. The table is read whole (a chain has a few thousand locations at most)
and kept per database for at most TTL_S. A change to a location written in this process (an ORM flush
inserting, updating or deleting a `Location`, and again at its commit) makes the next read fetch it anew;
one written by another process (another worker) is seen within TTL_S: a store paused there may still
be offered an order for up to that long.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.orm import Session

from o2o.locations import repository as repo
from o2o.locations.models import WAREHOUSE, Location
from o2o.locations.schemas import Profile

TTL_S = 2.0
HOURS = 10  # a row's opening hours (repo.active_rows: candidate columns, then zone, hours, ...)


@dataclass(frozen=True, slots=True)
class Table:
    """Rows as `repo.active_rows` reads them, less the cell: the candidate columns, then the profile's."""

    by_cell: dict[str, list[tuple]]
    warehouses: list[tuple]
    by_id: dict[int, tuple]
    profiles: dict[int, Profile]  # built once per read: they do not depend on the order

    def rows(self, cells: list[str], extra_ids: list[int]) -> list[tuple]:
        """Active locations in these cells, every warehouse, and the extra ids (if active), by id: the
        candidates of routing and sourcing."""
        found = {r[0]: r for r in self.warehouses}
        for c in cells:
            for r in self.by_cell.get(c, ()):
                found[r[0]] = r
        for i in extra_ids:
            r = self.by_id.get(i)
            if r is not None:
                found[i] = r
        return [found[i] for i in sorted(found)]


_lock = threading.Lock()
_tables: weakref.WeakKeyDictionary[Any, tuple[float, int, Table]] = weakref.WeakKeyDictionary()
_generation = 0


def table(session: Session) -> Table:
    """The table for the session's database, read again when older than TTL_S or after a local change."""
    bind = session.get_bind()
    now = time.monotonic()
    with _lock:
        hit, gen = _tables.get(bind), _generation
    if hit is not None and hit[1] == gen and now - hit[0] < TTL_S:
        return hit[2]
    by_cell: dict[str, list[tuple]] = defaultdict(list)
    warehouses: list[tuple] = []
    by_id: dict[int, tuple] = {}
    hours: dict[bytes, Any] = {}  # equal opening hours as one object (the engine works per hours object)
    for cell, *row in repo.active_rows(session):
        doc = row[HOURS]
        row[HOURS] = hours.setdefault(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS), doc)
        t = tuple(row)
        by_id[t[0]] = t
        by_cell[cell].append(t)
        if t[1] == WAREHOUSE:
            warehouses.append(t)
    fresh = Table(dict(by_cell), warehouses, by_id, {i: Profile(i, *t[HOURS - 1:]) for i, t in by_id.items()})
    with _lock:
        if _generation == gen:  # not changed while it was read
            _tables[bind] = (now, gen, fresh)
    return fresh


def forget() -> None:
    global _generation
    with _lock:
        _generation += 1
        _tables.clear()


@event.listens_for(Location, "after_insert")
@event.listens_for(Location, "after_update")
@event.listens_for(Location, "after_delete")
def _flushed(_mapper: Any, _connection: Any, target: Location) -> None:
    forget()
    s = Session.object_session(target)
    if s is not None:
        s.info["o2o.locations.changed"] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop("o2o.locations.changed", False):
        forget()  # readers between the flush and the commit may have cached what was there before
