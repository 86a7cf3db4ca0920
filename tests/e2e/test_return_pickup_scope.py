"""A courier pickup's progress is set only by the store the goods go to (the store the customer chose, else
the one that sold them) or head office, through the API and the console's returns desk, on both databases.
Another store's clerk or manager (the selling store too, when the customer chose another), a customer,
nobody signed in, a forged token, an unknown or huge id: refused, the pickup unchanged."""

from __future__ import annotations

from o2o.returns import service as returns
from tests.e2e.test_console_support import csrf
from tests.e2e.test_returns import _body, s  # noqa: F401  (the fixture: two stores, an order sold at Xujiahui)

SCHEDULED = {"status": "scheduled"}


def _history(container, rid: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.note for h in returns.get_by_id(container.db, rid).history]


def test_only_the_store_the_goods_go_to_or_head_office_sets_a_courier_pickups_progress(
        client, container, auth, s):  # noqa: F811
    made = client.post("/api/v1/returns", json=_body(s, method="courier", location_id=s.ja), headers=s.customer)
    assert made.status_code == 201, made.text
    rid = made.json()["id"]
    url = f"/api/v1/returns/{rid}/pickup"
    third = auth.staff("clerk", store_id=s.chain.stores["lujiazui"])
    # sold at Xujiahui, going to Jing'an: Xujiahui's clerk and manager and a third store's clerk find it unknown
    for who in (s.clerk_a, auth.staff("store_manager", store_id=s.xjh), third):
        r = client.post(url, json=SCHEDULED, headers=who)
        assert r.status_code == 404 and r.json()["type"].endswith("not-found"), r.text
    assert client.post(url, json=SCHEDULED, headers=s.customer).status_code in (403, 404)  # their own return
    assert client.post(url, json=SCHEDULED).status_code == 401
    assert client.post(url, json=SCHEDULED, headers={"Authorization": "Bearer forged.token.here"}).status_code == 401
    for bad in ("/api/v1/returns/99999999999999999999/pickup", "/api/v1/returns/0/pickup",
                f"/api/v1/returns/{rid + 1000}/pickup"):
        assert client.post(bad, json=SCHEDULED, headers=s.clerk_b).status_code in (404, 422), bad
    assert client.post(url, json={"status": "delivered to the moon"}, headers=s.clerk_b).status_code == 422
    got = returns.get_by_id(container.db, rid)
    assert got.pickup_status == "requested" and not [n for n in _history(container, rid) if n.startswith("pickup")]
    # Jing'an's clerk and head office may
    r = client.post(url, json=SCHEDULED, headers=s.clerk_b)
    assert r.status_code == 200 and r.json()["pickup_status"] == "scheduled"
    r = client.post(url, json={"status": "picked_up"}, headers=s.ops)
    assert r.status_code == 200 and r.json()["pickup_status"] == "picked_up"

    # no store chosen: it goes back to the store that sold it
    other = client.post("/api/v1/returns", json=_body(s, method="courier"), headers=s.customer).json()
    assert client.post(f"/api/v1/returns/{other['id']}/pickup", json=SCHEDULED, headers=s.clerk_b).status_code == 404
    r = client.post(f"/api/v1/returns/{other['id']}/pickup", json=SCHEDULED, headers=s.clerk_a)
    assert r.status_code == 200 and r.json()["pickup_status"] == "scheduled"

    # the console's desk: another store's desk shows no pickup form and its post is 404; the right one's works
    page = client.get(f"/console/{s.xjh}/returns/{rid}", headers=s.clerk_a)
    assert page.status_code == 200 and f"/returns/{rid}/pickup" not in page.text
    ours = client.get(f"/console/{s.ja}/returns/{rid}", headers=s.clerk_b)
    assert ours.status_code == 200 and f"/returns/{rid}/pickup" in ours.text
    r = client.post(f"/console/{s.xjh}/returns/{rid}/pickup", headers=s.clerk_a, follow_redirects=False,
                    data={"csrf_token": csrf(client), "status": "requested"})
    assert r.status_code == 404
    assert client.post(f"/console/{s.ja}/returns/{rid}/pickup", headers=s.clerk_a, follow_redirects=False,
                       data={"csrf_token": csrf(client), "status": "requested"}).status_code == 404  # not their desk
    assert returns.get_by_id(container.db, rid).pickup_status == "picked_up"
    r = client.post(f"/console/{s.ja}/returns/{rid}/pickup", headers=s.clerk_b, follow_redirects=False,
                    data={"csrf_token": csrf(client), "status": "scheduled"})
    assert r.status_code == 303 and "done=pickup" in r.headers["location"]
    assert returns.get_by_id(container.db, rid).pickup_status == "scheduled"
