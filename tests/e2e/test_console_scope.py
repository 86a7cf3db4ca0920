"""A clerk of store A gets 404 on every page and every action of store B's console, and on B's
orders and transfers reached through A's own console; HQ reaches every location."""

from __future__ import annotations

import pytest

from o2o.iam.permissions import ROLES, ROUTES
from tests.e2e.test_console_support import paid_pickup, post_form, shop
from tests.factories.chain import receive


def _console_routes() -> list[tuple[str, str]]:
    return sorted(key for key in ROUTES if key[1].startswith("/console/{location_id}"))


def test_the_console_has_every_page_the_issue_asks_for():
    paths = {path for _, path in _console_routes()}
    for suffix in ("", "/handover", "/stock", "/transfers"):
        assert "/console/{location_id}" + suffix in paths


def test_a_clerk_of_store_a_gets_404_on_every_page_and_action_of_store_b(client, container, auth):
    s = shop(container, auth)
    _, fid_b = paid_pickup(client, s)  # an order of store A (Xujiahui) ...
    clerk_b = auth.staff("clerk", store_id=s.other)  # ... and a clerk of store B (Jing'an)
    manager_b = auth.staff("store_manager", store_id=s.other)
    for method, path in _console_routes():
        url = (path.replace("{location_id}", str(s.store)).replace("{fulfillment_id}", str(fid_b))
               .replace("{request_id}", "1"))
        for role, who in (("clerk", clerk_b), ("store_manager", manager_b)):
            r = (client.get(url, headers=who, follow_redirects=False) if method == "GET"
                 else post_form(client, url, who, code="123456", sku_id=s.milk, kind="receipt", quantity=1,
                                reason="x", sku="T-milk", from_location_id=s.other))
            # a role without the action is refused outright (403); with it, store B's page does not exist
            expected = 404 if ROUTES[(method, path)].action in ROLES[role] else 403
            assert r.status_code == expected, f"{role} {method} {url}: {r.status_code}"
            assert r.json()["type"].endswith("/not-found" if expected == 404 else "/forbidden")
    assert client.get(f"/console/{s.other}", headers=clerk_b).status_code == 200


def test_another_stores_order_or_transfer_through_ones_own_console_is_404(client, container, auth):
    s = shop(container, auth)
    _, fid = paid_pickup(client, s)  # at A
    manager_b = auth.staff("store_manager", store_id=s.other)
    for step in ("picking", "ready", "ship", "reissue-code"):
        r = post_form(client, f"/console/{s.other}/fulfillments/{fid}/{step}", manager_b)
        assert r.status_code == 404, step
    r = post_form(client, f"/console/{s.other}/handover", manager_b, order=fid, code="123456")
    assert r.status_code == 422  # not an order waiting here: refused next to the field, nothing counted
    r = post_form(client, f"/console/{s.other}/handover", manager_b, scan=f"O2O-PICKUP:{fid}:123456")
    assert r.status_code == 422
    # a request A made of the warehouse: neither B's console sends it, nor receives it
    receive(container, s.chain.warehouse, s.milk, 5)
    r = post_form(client, f"/console/{s.store}/transfers", s.clerk, sku="T-milk", from_location_id=s.chain.warehouse,
                  quantity=2)
    rid = int(r.headers["location"].rsplit("ref=", 1)[1])
    for step in ("send", "reject", "receive"):
        assert post_form(client, f"/console/{s.other}/transfers/{rid}/{step}", manager_b).status_code == 404
    # ... and A's own console cannot send a request made OF another location
    assert post_form(client, f"/console/{s.store}/transfers/{rid}/send", s.manager).status_code == 404


@pytest.mark.parametrize("role", ["operator", "platform_admin"])
def test_hq_reaches_every_location(client, container, auth, role):
    s = shop(container, auth)
    hq = auth.staff(role)
    for location in (s.store, s.other, s.chain.warehouse):
        for suffix in ("", "/handover", "/stock", "/transfers"):
            assert client.get(f"/console/{location}{suffix}", headers=hq).status_code == 200
    assert client.get("/console/999999", headers=hq).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    r = client.get("/console/1/stock?q=milk", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=%2Fconsole%2F1%2Fstock")
