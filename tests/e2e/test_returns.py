"""Returns through HTTP on both databases: the customer asks for their own order (API and the storefront's
申请退款/退货 form with a photo), another store's clerk receives and refunds it, head office decides; and the
attacks: another customer's order and return, another store's clerk refunding, huge quantities and ids,
forged photos, a customer deciding, a store's manager deciding on another store's return."""

from __future__ import annotations

import pytest

from o2o import bootstrap
from o2o.customers import service as customers
from o2o.customers.schemas import CustomerIn
from o2o.inventory import service as inventory
from o2o.returns import service as returns
from tests.e2e.test_console_support import csrf
from tests.factories.chain import build_chain, receive
from tests.factories.returns import completed_online

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def s(container, auth):  # type: ignore[no-untyped-def]
    chain = build_chain(container)
    xjh, ja, milk = chain.stores["xujiahui"], chain.stores["jingan"], chain.skus["milk"]
    for store in (xjh, ja):
        receive(container, store, milk, 10)
    other = customers.create(container.uow(), CustomerIn(name="李四", phone="13700137000")).id

    class S:
        pass

    s = S()
    s.chain, s.xjh, s.ja, s.milk = chain, xjh, ja, milk  # type: ignore[attr-defined]
    s.number = completed_online(container, chain.customer, xjh, {milk: 2})  # type: ignore[attr-defined]
    s.line = returns.returnable(container.db, s.number)[0].order_line_id  # type: ignore[attr-defined]
    s.customer, s.other = auth.customer(chain.customer), auth.customer(other)  # type: ignore[attr-defined]
    s.clerk_a, s.clerk_b = auth.staff("clerk", store_id=xjh), auth.staff("clerk", store_id=ja)  # type: ignore[attr-defined]
    s.manager_b = auth.staff("store_manager", store_id=ja)  # type: ignore[attr-defined]
    s.ops = auth.staff("operator")  # type: ignore[attr-defined]
    return s


def _body(s, qty: int = 1, **kw):  # type: ignore[no-untyped-def]
    return {"order_number": s.number, "reason_code": "quality", "lines": [{"order_line_id": s.line, "quantity": qty}],
            **kw}


def test_a_customer_returns_at_another_store_whose_clerk_receives_and_refunds(client, container, s):
    key = {**s.customer, "Idempotency-Key": "return-1"}
    r = client.post("/api/v1/returns", json=_body(s, location_id=s.ja), headers=key)
    assert r.status_code == 201, r.text
    made = r.json()
    again = client.post("/api/v1/returns", json=_body(s, location_id=s.ja), headers=key)  # a retry: the same one
    assert again.json()["number"] == made["number"]
    assert [ln["taken"] for ln in client.get("/api/v1/returns/returnable", params={"order": s.number},
                                              headers=s.customer).json()] == [1]
    assert client.post("/api/v1/returns", json=_body(s, qty=2), headers=key).status_code == 422  # another body
    assert (made["status"], made["preferred_location_id"], made["customer_id"]) == ("requested", s.ja,
                                                                                  s.chain.customer)
    rid, line_id = made["id"], made["lines"][0]["id"]
    # the other store's clerk finds it by number and receives it at their store
    found = client.get("/api/v1/returns", params={"q": made["number"]}, headers=s.clerk_b).json()
    assert [x["id"] for x in found] == [rid]
    before = inventory.stock_of(container.db, s.ja, [s.milk])[s.milk].on_hand
    r = client.post(f"/api/v1/returns/{rid}/receive", json={"lines": [{"line_id": line_id, "resellable": 1}]},
                    headers=s.clerk_b)
    assert r.status_code == 200 and r.json()["location_id"] == s.ja
    assert inventory.stock_of(container.db, s.ja, [s.milk])[s.milk].on_hand == before + 1
    # the selling store's clerk cannot refund what another store received
    assert client.post(f"/api/v1/returns/{rid}/refund", headers=s.clerk_a).status_code == 404
    r = client.post(f"/api/v1/returns/{rid}/refund", headers=s.clerk_b)
    assert r.status_code == 200 and r.json()["status"] == "refunded"
    assert client.post(f"/api/v1/returns/{rid}/refund", headers=s.clerk_b).status_code == 409  # once
    bootstrap.relay(container).drain()
    assert [x["amount_fen"] for x in container.payments.refunds] == [r.json()["refund_fen"]] == [1290]
    mine = client.get("/api/v1/returns", headers=s.customer).json()
    assert [(x["number"], x["status"]) for x in mine] == [(made["number"], "refunded")]
    times = client.get("/api/v1/returns/times", headers=s.ops).json()
    assert [(t["location_id"], t["refunded"]) for t in times] == [(s.ja, 1)]


def test_attacks_on_returns_change_nothing(client, container, s):
    # another customer's order: as if it did not exist
    assert client.post("/api/v1/returns", json=_body(s), headers=s.other).status_code == 404
    assert client.get("/api/v1/returns/returnable", params={"order": s.number}, headers=s.other).status_code == 404
    # huge and impossible quantities and ids
    for body in (_body(s, qty=10**12), _body(s, qty=3), _body(s, qty=0), _body(s, qty=True),
                 {**_body(s), "lines": [{"order_line_id": 2**63, "quantity": 1}]},
                 {**_body(s), "lines": [{"order_line_id": 1, "quantity": 1}] * 101},
                 {**_body(s), "reason_code": "because"}, {**_body(s), "location_id": 2**62}):
        r = client.post("/api/v1/returns", json=body, headers=s.customer)
        assert r.status_code in (404, 409, 422), (body, r.status_code, r.text)
        assert r.status_code != 409 or r.json()["type"].endswith("return-exceeds-bought")
    assert client.get("/api/v1/returns/99999999999999999999", headers=s.customer).status_code == 404
    made = client.post("/api/v1/returns", json=_body(s, qty=2), headers=s.customer).json()
    rid = made["id"]
    # all units taken: one more is refused, by anyone
    r = client.post("/api/v1/returns", json=_body(s), headers=s.clerk_b)
    assert r.status_code == 409 and r.json()["type"].endswith("return-exceeds-bought")
    # another customer cannot read, withdraw or see photos of it
    assert client.get(f"/api/v1/returns/{rid}", headers=s.other).status_code == 404
    assert client.post(f"/api/v1/returns/{rid}/cancel", headers=s.other).status_code == 404
    assert client.get(f"/api/v1/returns/{rid}/photos/1", headers=s.other).status_code == 404
    assert client.get("/api/v1/returns", headers=s.other).json() == []
    # customers and stores do not decide for head office; nobody unsigned does anything
    assert client.post(f"/api/v1/returns/{rid}/approve", json={}, headers=s.customer).status_code == 403
    assert client.post(f"/api/v1/returns/{rid}/approve", json={}, headers=s.manager_b).status_code == 404  # not theirs
    assert client.post(f"/api/v1/returns/{rid}/receive", json={"lines": [{"line_id": 1}]}).status_code == 401
    assert client.post(f"/api/v1/returns/{rid}/receive", json={"lines": [{"line_id": 1}]},
                       headers={"Authorization": "Bearer forged.token.here"}).status_code == 401
    # receiving more than the return holds, or at a store the clerk is not of
    line_id = made["lines"][0]["id"]
    r = client.post(f"/api/v1/returns/{rid}/receive", json={"lines": [{"line_id": line_id, "resellable": 3}]},
                    headers=s.clerk_b)
    assert r.status_code == 409 and r.json()["type"].endswith("count-does-not-fit")
    r = client.post(f"/api/v1/returns/{rid}/receive", params={"location_id": s.xjh},
                    json={"lines": [{"line_id": line_id, "resellable": 1}]}, headers=s.clerk_b)
    assert r.status_code == 404
    # refusing needs a reason; head office refuses, the units are returnable again
    for note in ("", "   "):
        assert client.post(f"/api/v1/returns/{rid}/refuse", json={"note": note}, headers=s.ops).status_code == 422
    r = client.post(f"/api/v1/returns/{rid}/refuse", json={"note": "past the 7 days"}, headers=s.ops)
    assert r.status_code == 200 and r.json()["decision_note"] == "past the 7 days"
    assert client.post(f"/api/v1/returns/{rid}/receive", json={"lines": [{"line_id": line_id, "resellable": 1}]},
                       headers=s.clerk_b).status_code == 409
    assert [ln["returnable"] for ln in client.get("/api/v1/returns/returnable", params={"order": s.number},
                                                  headers=s.customer).json()] == [2]
    bootstrap.relay(container).drain()
    assert container.payments.refunds == []
    assert inventory.check(container.db).ok


def test_the_pages_request_receive_and_refund_a_return(client, container, s):
    page = client.get(f"/shop/orders/{s.number}", headers={**s.customer, "Accept-Language": "zh-CN"})
    assert page.status_code == 200 and "申请退款/退货" in page.text
    form = client.get(f"/shop/orders/{s.number}/return", headers=s.customer)
    assert form.status_code == 200 and 'name="photos"' in form.text
    assert client.get(f"/shop/orders/{s.number}/return", headers=s.other).status_code == 404
    fields = {"csrf_token": csrf(client), "line": str(s.line), "qty": "1", "reason_code": "damaged",
              "reason": "盒子压坏", "method": "courier", "location_id": "", "refund_to": "original"}
    bad = client.post(f"/shop/orders/{s.number}/return", data=fields, headers=s.customer,
                      files=[("photos", ("x.png", b"<svg onload=alert(1)>", "image/png"))], follow_redirects=False)
    assert bad.status_code == 422
    r = client.post(f"/shop/orders/{s.number}/return", data=fields, headers=s.customer,
                    files=[("photos", ("box.png", PNG, "image/png"))], follow_redirects=False)
    assert r.status_code == 303, r.text
    made = returns.find(container.db, text=s.number)[1][0]
    assert (made.method, made.pickup_status, len(made.photo_ids)) == ("courier", "requested", 1)
    photo = client.get(f"/api/v1/returns/{made.id}/photos/{made.photo_ids[0]}", headers=s.clerk_b)
    assert photo.content == PNG and photo.headers["content-type"] == "image/png"
    assert made.number in client.get(r.headers["location"], headers=s.customer).text
    # the other store's desk finds it and receives it; the back-office queue lists it and refunds it
    desk = client.get(f"/console/{s.ja}/returns", params={"q": made.number}, headers=s.clerk_b,
                      follow_redirects=False)
    assert desk.status_code == 303 and desk.headers["location"].endswith(f"/returns/{made.id}")
    assert client.get(f"/console/{s.xjh}/returns", headers=s.clerk_b).status_code == 404  # not their console
    r = client.post(f"/console/{s.ja}/returns/{made.id}/receive", headers=s.clerk_b, follow_redirects=False,
                    data={"csrf_token": csrf(client), f"good_{made.lines[0].id}": "0", f"bad_{made.lines[0].id}": "1"})
    assert r.status_code == 303 and "done=received" in r.headers["location"]
    queue = client.get("/admin/returns", headers=s.ops)
    assert queue.status_code == 200 and made.number in queue.text
    r = client.post(f"/admin/returns/{made.id}/refund", headers=s.ops, data={"csrf_token": csrf(client)},
                    follow_redirects=False)
    assert r.status_code == 303 and "done=refunded" in r.headers["location"]
    assert returns.get_by_id(container.db, made.id).status == "refunded"
    assert client.get("/admin/returns", headers=s.clerk_b, follow_redirects=False).status_code in (303, 403)
