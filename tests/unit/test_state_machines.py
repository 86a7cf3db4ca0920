"""Order and fulfilment state machines: legal moves allowed, illegal ones refused."""

from __future__ import annotations

import pytest

from o2o.fulfillment import models as fm
from o2o.orders import models as om
from o2o.orders.service import _path


@pytest.mark.parametrize("src,dst", [
    ("pending_payment", "paid"), ("pending_payment", "expired"), ("pending_payment", "cancelled"),
    ("paid", "picking"), ("picking", "ready"), ("ready", "completed"), ("picking", "shipped"),
    ("shipped", "completed")])
def test_order_allows_when_transition_is_legal(src: str, dst: str):
    assert om.can_transition(src, dst)


@pytest.mark.parametrize("src,dst", [
    ("pending_payment", "completed"), ("paid", "pending_payment"), ("completed", "cancelled"),
    ("expired", "paid"), ("cancelled", "paid"), ("shipped", "cancelled"), ("ready", "picking")])
def test_order_refuses_when_transition_is_illegal(src: str, dst: str):
    assert not om.can_transition(src, dst)


def test_every_order_state_is_reachable_from_pending_payment():
    seen, todo = {"pending_payment"}, ["pending_payment"]
    while todo:
        for nxt in om.TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(om.STATUSES)


def test_terminal_states_go_nowhere():
    for state in ("completed", "cancelled", "expired"):
        assert om.TRANSITIONS[state] == frozenset()
    for state in ("handed_over", "delivered", "cancelled"):
        assert fm.TRANSITIONS[state] == frozenset()


def test_late_event_walks_the_order_forward_step_by_step():
    assert _path("paid", "completed") == ["picking", "ready", "completed"]
    assert _path("picking", "shipped") == ["shipped"]
    assert _path("completed", "ready") == []


@pytest.mark.parametrize("src,dst,ok", [
    ("new", "picking", True), ("picking", "ready", True), ("ready", "handed_over", True),
    ("new", "handed_over", False), ("handed_over", "ready", False), ("cancelled", "picking", False)])
def test_fulfillment_transitions(src: str, dst: str, ok: bool):
    assert fm.can_transition(src, dst) is ok
