"""Pick list, ticks and short picks through HTTP, on both databases: ticks are saved for every clerk, a
short pick stops the order (no ready, no hand-over, no dispatch) until a store manager records the
customer's choice: the partial order (lines reduced, the difference refunded, the missing units'
reservation released) or a cancel (the rest refunded); another store's staff see nothing of it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from o2o import bootstrap
from o2o.fulfillment import service as fulfillment
from o2o.inventory import service as inventory
from o2o.inventory.schemas import SafetyStockIn
from o2o.kernel.errors import Problem
from o2o.kernel.uow import UnitOfWork
from o2o.orders import service as orders
from tests.e2e.test_console_support import EN, ZH, customer_code, paid_pickup, post_form, relay, shop
from tests.factories.http import order_of, stock_row


def _base(s, fid: int) -> str:  # type: ignore[no-untyped-def]
    return f"/console/{s.store}/fulfillments/{fid}"


def _status(container, fid: int) -> str:  # type: ignore[no-untyped-def]
    return fulfillment.get(container.db, fid).status


def test_ticks_are_saved_and_every_clerk_sees_the_progress(client, container, auth):
    s = shop(container, auth)
    number, fid = paid_pickup(client, s, quantity=3)
    r = post_form(client, f"{_base(s, fid)}/lines/{s.milk}/tick", s.clerk, picked=1)
    assert r.status_code == 303 and r.headers["location"].endswith(f"done=ticked&ref={number}")
    assert _status(container, fid) == "picking"  # ticking a line starts the picking
    other_clerk = auth.staff("clerk", store_id=s.store)
    html = client.get(_base(s, fid), headers={**other_clerk, **EN}).text
    assert "3 of 3 picked" in html and 'class="is-picked"' in html and "Undo" in html
    board = client.get(f"/console/{s.store}", headers={**other_clerk, **EN}).text
    assert "3 of 3 picked" in board and f'href="/console/{s.store}/fulfillments/{fid}"' in board
    post_form(client, f"{_base(s, fid)}/lines/{s.milk}/tick", s.clerk, picked=0)
    assert fulfillment.get(container.db, fid).lines[0].picked == 0
    zh = client.get(_base(s, fid), headers={**s.clerk, **ZH}).text
    assert "拣货单" in zh and "已拣 0/3" in zh and "80 mm 小票" in zh and code_free(zh, client, s, number)


def code_free(html: str, client, s, number: str) -> bool:  # type: ignore[no-untyped-def]
    return customer_code(client, s, number) not in html


def test_a_short_pick_stops_ready_handover_and_dispatch_until_resolved(client, container, auth):
    s = shop(container, auth)
    number, fid = paid_pickup(client, s, quantity=3)
    code = customer_code(client, s, number)
    r = post_form(client, f"{_base(s, fid)}/lines/{s.milk}/short", s.clerk, found=1)
    assert r.status_code == 303 and "done=short" in r.headers["location"]
    fo = fulfillment.get(container.db, fid)
    assert fo.status == "short" and (fo.lines[0].picked, fo.lines[0].missing) == (1, 2)
    assert fo.history[-1].to_status == "short" and "found 1 of 3" in fo.history[-1].note
    # the event, for whoever contacts the customer (and the fulfilment engine, later)
    r = post_form(client, f"/console/{s.store}/fulfillments/{fid}/ready", s.clerk)
    assert "error=short-picked" in r.headers["location"]
    with pytest.raises(Exception) as refused:
        fulfillment.hand_over(UnitOfWork(container.db, container.clock), fid, code, "test")
    assert getattr(refused.value, "kind", "") == "short-picked"
    r = post_form(client, f"/console/{s.store}/handover", s.clerk, code=code)
    assert r.status_code == 422 and _status(container, fid) == "short"
    r = post_form(client, f"/console/{s.store}/fulfillments/{fid}/ship", s.manager)
    assert "error=short-picked" in r.headers["location"] and _status(container, fid) == "short"
    # the board puts it first, as needing action; the pick list says what to do
    board = client.get(f"/console/{s.store}", headers={**s.clerk, **EN}).text
    assert 'class="lane lane-short"' in board and board.index("lane-short") < board.index("lane lane-new")
    page = client.get(_base(s, fid), headers={**s.clerk, **EN}).text
    assert "Short: found 1 of 3" in page and "stays short for the customer to be contacted" in page and "A store manager records" in page
    manager = client.get(_base(s, fid), headers={**s.manager, **EN}).text
    assert "refund ¥25.80" in manager and "cancel-short" in manager
    # a clerk cannot resolve it (orders:write)
    r = post_form(client, f"{_base(s, fid)}/accept-partial", s.clerk)
    assert r.status_code == 403 and _status(container, fid) == "short"


def test_a_found_quantity_outside_zero_to_less_than_ordered_is_refused(client, container, auth):
    s = shop(container, auth)
    _, fid = paid_pickup(client, s, quantity=2)
    for found in ("2", "-1", "x", "99999999999999"):
        r = post_form(client, f"{_base(s, fid)}/lines/{s.milk}/short", s.clerk, found=found)
        assert "error=invalid-input" in r.headers["location"], found
    assert _status(container, fid) == "new"  # a refused short pick changes nothing, not even the status
    assert fulfillment.get(container.db, fid).lines[0].missing == 0
    r = post_form(client, f"{_base(s, fid)}/lines/999999/short", s.clerk, found=0)
    assert "error=not-found" in r.headers["location"]


def _nowhere_else(container, s) -> None:  # type: ignore[no-untyped-def]
    """Jing'an's milk kept back: a short pick finds no other store (issue 13 re-sources it otherwise)."""
    inventory.set_safety_stock(container.uow(), s.other, s.milk, SafetyStockIn(safety_stock=10))


def test_accepting_the_partial_order_reduces_lines_releases_stock_and_refunds_the_difference(client, container,
                                                                                           auth):
    s = shop(container, auth)
    _nowhere_else(container, s)
    operator = auth.staff("operator")
    number, fid = paid_pickup(client, s, quantity=3)
    assert stock_row(client, s.store, s.milk, operator)["reserved"] == 3
    post_form(client, f"{_base(s, fid)}/lines/{s.milk}/short", s.clerk, found=1)
    relay(container)
    r = post_form(client, f"{_base(s, fid)}/accept-partial", s.manager)
    assert r.status_code == 303 and "done=accepted" in r.headers["location"]
    fo = fulfillment.get(container.db, fid)
    assert fo.status == "picking" and [(ln.quantity, ln.missing) for ln in fo.lines] == [(1, 0)]
    order = order_of(client, number, s.customer)
    assert [ln["quantity"] for ln in order["lines"]] == [1] and order["total_fen"] == 1290
    assert stock_row(client, s.store, s.milk, operator)["reserved"] == 1
    bootstrap.relay(container).drain()
    assert [r["amount_fen"] for r in container.payments.refunds] == [2 * 1290]
    # resolved: it goes on as usual, and the customer gets the one unit found
    r = post_form(client, f"/console/{s.store}/fulfillments/{fid}/ready", s.clerk)
    assert "done=ready" in r.headers["location"]
    code = customer_code(client, s, number)
    r = post_form(client, f"/console/{s.store}/handover", s.clerk, code=code)
    assert r.status_code == 303 and _status(container, fid) == "handed_over"
    assert stock_row(client, s.store, s.milk, operator)["on_hand"] == 9
    assert inventory.check(container.db).ok
    # a second accept has nothing to resolve
    r = post_form(client, f"{_base(s, fid)}/accept-partial", s.manager)
    assert "error=illegal-transition" in r.headers["location"]


def test_cancelling_a_short_pick_refunds_what_is_still_paid_once(client, container, auth):
    s = shop(container, auth)
    operator = auth.staff("operator")
    number, fid = paid_pickup(client, s, quantity=3)
    post_form(client, f"{_base(s, fid)}/lines/{s.milk}/short", s.clerk, found=2)
    post_form(client, f"{_base(s, fid)}/accept-partial", s.manager)  # refunds 1 unit
    post_form(client, f"{_base(s, fid)}/lines/{s.milk}/short", s.clerk, found=0)  # then none at all
    r = post_form(client, f"{_base(s, fid)}/accept-partial", s.manager)
    assert "error=nothing-found" in r.headers["location"] and _status(container, fid) == "short"
    r = post_form(client, f"{_base(s, fid)}/cancel-short", s.manager)
    assert r.status_code == 303 and "done=cancelled" in r.headers["location"]
    assert _status(container, fid) == "cancelled" and order_of(client, number, s.customer)["status"] == "cancelled"
    bootstrap.relay(container).drain()
    assert sorted(r["amount_fen"] for r in container.payments.refunds) == [1290, 2 * 1290]  # 3 units in all
    assert stock_row(client, s.store, s.milk, operator)["reserved"] == 0
    # cancel-short only resolves short picks
    _, other = paid_pickup(client, s, quantity=1)
    r = post_form(client, f"{_base(s, other)}/cancel-short", s.manager)
    assert "error=illegal-transition" in r.headers["location"] and _status(container, other) == "new"


def test_another_stores_staff_get_404_on_the_pick_list_and_its_actions(client, container, auth):
    s = shop(container, auth)
    _, fid = paid_pickup(client, s, quantity=2)
    stranger = auth.staff("store_manager", store_id=s.other)
    assert client.get(_base(s, fid), headers=stranger).status_code == 404
    # their own store's path with our fulfilment id: 404 too
    assert client.get(f"/console/{s.other}/fulfillments/{fid}", headers=stranger).status_code == 404
    for action, fields in ((f"lines/{s.milk}/tick", {"picked": 1}), (f"lines/{s.milk}/short", {"found": 0}),
                           ("accept-partial", {}), ("cancel-short", {})):
        r = post_form(client, f"/console/{s.other}/fulfillments/{fid}/{action}", stranger, **fields)
        assert r.status_code == 404, action
    fo = fulfillment.get(container.db, fid)
    assert fo.status == "new" and fo.lines[0].picked == 0 and fo.lines[0].missing == 0
    assert client.get(f"/console/{s.store}/fulfillments/{2**63}", headers=s.clerk).status_code == 404


def test_the_short_pick_publishes_its_event_and_the_back_office_shows_it_as_needing_action(client, container, auth):
    s = shop(container, auth)
    number, fid = paid_pickup(client, s, quantity=2)
    post_form(client, f"{_base(s, fid)}/lines/{s.milk}/short", s.clerk, found=0)
    with container.db.read() as session:
        from sqlalchemy import select

        from o2o.kernel.outbox import OutboxEvent
        events = [e for e in session.scalars(select(OutboxEvent).where(OutboxEvent.topic == "fulfillment.short_picked"))]
    assert len(events) == 1
    payload = events[0].payload
    assert payload["fulfillment_id"] == fid and payload["status"] == "short"
    assert payload["lines"] == [{"sku_id": s.milk, "quantity": 2, "found": 0}]
    assert orders.get(container.db, number).status in ("paid", "picking")
    # the back-office order page shows it as needing action, in the page language, with the way to the pick list
    operator = auth.staff("operator")
    html = client.get(f"/admin/orders/{number}", headers={**operator, **EN}).text
    assert "Needs action: the store could not find everything" in html and f"SKU {s.milk}: found 0 of 2" in html
    assert f'href="/console/{s.store}/fulfillments/{fid}"' in html and "the customer chose to collect them at this store" in html
    zh = client.get(f"/admin/orders/{number}", headers={**operator, **ZH}).text
    assert "需处理：门店未能找齐商品" in zh and "缺货待处理" in zh


def test_managers_resolving_one_short_pick_at_once_resolve_it_once(client, container, auth):
    """Two accept the partial order and two cancel, at the same instant: one wins, the others are refused
    (the order and its fulfilments are locked); one refund, never more than was paid."""
    s = shop(container, auth)
    operator = auth.staff("operator")
    number, fid = paid_pickup(client, s, quantity=3)
    post_form(client, f"{_base(s, fid)}/lines/{s.milk}/short", s.clerk, found=1)
    start = threading.Barrier(4)

    def resolve(kind: str) -> str:
        start.wait()
        uow = UnitOfWork(container.db, container.clock)
        try:
            if kind == "accept":
                orders.accept_partial(uow, number, "manager")
            else:
                orders.cancel_short(uow, number, "manager")
        except Problem as exc:
            return f"refused:{exc.kind}"
        return kind

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(resolve, ["accept", "cancel", "accept", "cancel"]))
    won = [r for r in results if not r.startswith("refused")]
    assert len(won) == 1, results
    assert all(r == "refused:illegal-transition" for r in results if r.startswith("refused")), results
    bootstrap.relay(container).drain()
    refunds = [r["amount_fen"] for r in container.payments.refunds]
    if won == ["accept"]:
        assert refunds == [2 * 1290] and _status(container, fid) == "picking"
        assert stock_row(client, s.store, s.milk, operator)["reserved"] == 1
    else:
        assert refunds == [3 * 1290] and _status(container, fid) == "cancelled"
        assert stock_row(client, s.store, s.milk, operator)["reserved"] == 0
    assert inventory.check(container.db).ok
