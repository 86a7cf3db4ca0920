"""The per-process table of locations that routing and sourcing read (locations.table), on both databases:
a change written in this process is seen by the next read; one written by another process (no ORM
events here) within the table's TTL, as the README says."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from o2o.locations import service as locations
from o2o.locations import table
from o2o.locations.schemas import LocationUpdate
from tests.factories.chain import XUJIAHUI_NEAR, build_chain, store

RADIUS_M = 5_000


def _near(container) -> set[int]:  # type: ignore[no-untyped-def]
    with container.db.read() as s:
        return {c.id for c in locations.candidates(s, XUJIAHUI_NEAR[0], XUJIAHUI_NEAR[1], RADIUS_M)}


def _pause(container, location_id: int) -> None:  # type: ignore[no-untyped-def]
    loc = locations.get(container.db, location_id)
    data = LocationUpdate.model_validate({**loc.model_dump(), "online_paused": True})
    locations.update(container.uow(), location_id, data)


def test_a_store_opened_or_paused_in_this_process_is_seen_by_the_next_read(container, monkeypatch):
    monkeypatch.setattr(table, "TTL_S", 3600.0)  # only the change itself may make it read again
    chain = build_chain(container)
    before = _near(container)
    assert chain.stores["xujiahui"] in before and chain.warehouse in before
    new = store(container, "NEW", (XUJIAHUI_NEAR[0] + 0.001, XUJIAHUI_NEAR[1]))
    assert _near(container) == before | {new}
    _pause(container, chain.stores["xujiahui"])
    assert _near(container) == (before | {new}) - {chain.stores["xujiahui"]}


def test_a_change_by_another_process_is_seen_within_the_ttl_and_not_before(container, monkeypatch):
    monkeypatch.setattr(table, "TTL_S", 3600.0)
    chain = build_chain(container)
    xjh = chain.stores["xujiahui"]
    assert xjh in _near(container)
    with container.db.engine.begin() as conn:  # as another worker would: no ORM flush in this process
        conn.execute(text("UPDATE location SET online_paused = :t WHERE id = :i"), {"t": True, "i": xjh})
    assert xjh in _near(container)  # still offered: the table is younger than its TTL
    monkeypatch.setattr(table, "TTL_S", 0.0)
    assert xjh not in _near(container)


@pytest.mark.parametrize("extra", [True, False])
def test_a_chosen_location_comes_only_when_active_and_taking_online_orders(container, extra):
    chain = build_chain(container)
    far = store(container, "FAR", (31.0322, 121.2277))  # ~25 km: outside the radius
    with container.db.read() as s:
        ids = {c.id for c in locations.candidates(s, XUJIAHUI_NEAR[0], XUJIAHUI_NEAR[1], RADIUS_M,
                                                  [far] if extra else None)}
    assert (far in ids) is extra and chain.warehouse in ids
    _pause(container, far)
    with container.db.read() as s:
        assert far not in {c.id for c in locations.candidates(s, XUJIAHUI_NEAR[0], XUJIAHUI_NEAR[1], RADIUS_M,
                                                              [far])}
