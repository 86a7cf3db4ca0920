"""A store rejects an order it has not started (issue 13), through the API and the console, on both
databases: it is re-sourced to another store with the reservation moved (through the outbox), the pick
lists say "re-sourced to / from <store>"; another store's clerk, a forged token, a huge id, an empty
reason and a fulfilment already picking are refused, and nothing moves."""

from __future__ import annotations

from o2o import bootstrap
from o2o.fulfillment import service as fulfillment
from o2o.inventory import service as inventory
from tests.e2e.test_console_support import EN, ZH, paid_pickup, post_form, shop
from tests.factories.chain import XUJIAHUI_NEAR
from tests.factories.http import order_of, pay


def _held(container, number: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    with container.db.read() as s:
        return inventory.held(s, number)


def _paid_delivery(client, s, quantity: int) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """A paid store delivery near Xujiahui: where it comes from is ours to choose (a pickup at the store the
    customer chose is never sent elsewhere unasked: see the last test)."""
    r = client.post("/api/v1/orders", headers=s.customer, json={
        "mode": "store_delivery", "address": {"line": "徐家汇路 1 号", "lat": XUJIAHUI_NEAR[0], "lng": XUJIAHUI_NEAR[1]},
        "lines": [{"sku_id": s.milk, "quantity": quantity}]})
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    pay(client, number, s.customer)
    return number, order_of(client, number, s.customer)["fulfillment_ids"][0]


def test_a_clerk_rejects_a_new_order_and_it_goes_to_another_store_others_are_refused(client, container, auth):
    s = shop(container, auth, stock=2)
    number, fid = _paid_delivery(client, s, quantity=2)
    path = f"/api/v1/fulfillments/{fid}/reject"
    before = _held(container, number)
    assert before == {s.store: {s.milk: 2}}

    other_clerk = auth.staff("clerk", store_id=s.other)
    assert client.post(path, headers=other_clerk, json={"reason": "not ours"}).status_code in (403, 404)
    forged = {"Authorization": "Bearer " + "x" * 40}
    assert client.post(path, headers=forged, json={"reason": "x"}).status_code == 401
    assert client.post(path, headers=s.customer, json={"reason": "x"}).status_code == 403
    assert client.post(f"/api/v1/fulfillments/{2**70}/reject", headers=s.clerk,
                       json={"reason": "x"}).status_code in (404, 422)
    empty = client.post(path, headers=s.clerk, json={"reason": ""})
    assert empty.status_code == 422 and empty.headers["content-type"].startswith("application/problem+json")
    assert client.post(path, headers=s.clerk, json={"reason": "x" * 201}).status_code == 422
    assert fulfillment.get(container.db, fid).status == "new" and _held(container, number) == before

    r = client.post(path, headers=s.clerk, json={"reason": "fridge broken"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "short" and r.json()["pickup_code"] is None
    again = client.post(path, headers=s.clerk, json={"reason": "fridge broken"})
    assert again.status_code == 409
    bootstrap.relay(container).drain()  # orders.resource: the whole order goes to Jing'an
    assert _held(container, number) == {s.other: {s.milk: 2}}
    fos = fulfillment.for_order(container.db, fulfillment.get(container.db, fid).order_id)
    assert [(f.location_id, f.status) for f in fos] == [(s.store, "cancelled"), (s.other, "new")]
    assert inventory.check(container.db).ok

    # the pick lists say where it went and where it came from, in the page's language
    other_page = client.get(f"/console/{s.other}/fulfillments/{fos[1].id}", headers={**other_clerk, **EN}).text
    assert "Re-sourced from XJH Store" in other_page
    board = client.get(f"/console/{s.other}", headers={**other_clerk, **EN}).text
    assert '<p class="resourced" role="note">Re-sourced from XJH Store</p>' in board
    own_page = client.get(f"/console/{s.store}/fulfillments/{fid}", headers={**s.clerk, **ZH}).text
    assert "已转至 JA店" in own_page


def test_the_console_reject_button_needs_a_reason_and_a_new_order(client, container, auth):
    s = shop(container, auth, stock=4)
    number, fid = _paid_delivery(client, s, quantity=1)
    base = f"/console/{s.store}/fulfillments/{fid}"
    page = client.get(base, headers={**s.clerk, **EN}).text
    assert "Cannot serve this order?" in page and f'action="{base}/reject"' in page
    r = post_form(client, f"{base}/reject", s.clerk, reason="  ")
    assert r.status_code == 303 and "error=invalid-input" in r.headers["location"]
    other = auth.staff("clerk", store_id=s.other)
    assert post_form(client, f"{base}/reject", other, reason="x").status_code == 404
    assert fulfillment.get(container.db, fid).status == "new"
    r = post_form(client, f"{base}/reject", s.clerk, reason="no staff today")
    assert r.status_code == 303 and "done=rejected" in r.headers["location"]
    assert fulfillment.get(container.db, fid).status == "short"
    bootstrap.relay(container).drain()
    assert _held(container, number) == {s.other: {s.milk: 1}}
    # picking started: too late to reject
    number2, fid2 = paid_pickup(client, s, quantity=1)
    post_form(client, f"/console/{s.store}/fulfillments/{fid2}/lines/{s.milk}/tick", s.clerk, picked=1)
    r = post_form(client, f"/console/{s.store}/fulfillments/{fid2}/reject", s.clerk, reason="x")
    assert "error=illegal-transition" in r.headers["location"] and fulfillment.get(container.db, fid2).status == "picking"
    # a short pick of one of two: the found unit stays here, the other goes; the card says where
    _, fid3 = _paid_delivery(client, s, quantity=2)
    post_form(client, f"/console/{s.store}/fulfillments/{fid3}/lines/{s.milk}/short", s.clerk, found=1)
    bootstrap.relay(container).drain()
    assert fulfillment.get(container.db, fid3).status == "picking"
    board = client.get(f"/console/{s.store}", headers={**s.clerk, **ZH}).text
    assert '<p class="resourced" role="note">已转至 JA店</p>' in board


def test_a_rejected_pickup_at_the_store_the_customer_chose_waits_for_the_customer(client, container, auth):
    s = shop(container, auth, stock=2)
    number, fid = paid_pickup(client, s, quantity=2)
    r = client.post(f"/api/v1/fulfillments/{fid}/reject", headers=s.clerk, json={"reason": "fridge broken"})
    assert r.status_code == 200, r.text
    bootstrap.relay(container).drain()
    assert fulfillment.get(container.db, fid).status == "short"  # for the customer to be asked, not moved
    assert _held(container, number) == {s.store: {s.milk: 2}}
