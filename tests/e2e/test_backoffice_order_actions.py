# ruff: noqa: F811 (the shared fixtures are imported from test_backoffice_access)
"""An order's page in the back-office with its actions (issue 12, point 11): cancel / refund with a reason,
resend the pickup code, move the order to another store (the reservation moves in one transaction and
is refused when the new store lacks stock), the customer linked and masked; only callers with the
right action see and use each form."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from o2o import bootstrap
from o2o.adapters.messages.models import DevMessage
from o2o.fulfillment import service as fulfillment
from o2o.inventory import service as inventory
from o2o.orders import service as orders
from o2o.orders.schemas import OrderIn
from tests.e2e.test_backoffice_access import EN, ZH, app, inline_free, staff  # noqa: F401 (fixtures)
from tests.factories.chain import build_chain, receive


@pytest.fixture
def paid(container):  # type: ignore[no-untyped-def]
    """A paid pickup order of 2 milk at Xujiahui; Jing'an has 3 milk, Lujiazui 1."""
    chain = build_chain(container)
    milk = chain.skus["milk"]
    for name, qty in (("xujiahui", 5), ("jingan", 3), ("lujiazui", 1)):
        receive(container, chain.stores[name], milk, qty)
    data = OrderIn(customer_id=chain.customer, mode="pickup", location_id=chain.stores["xujiahui"],
                   lines=[{"sku_id": milk, "quantity": 2}])
    number = orders.place(container.uow(), data, orders.OrderPolicy()).number
    started = orders.start_payment(container.uow(), container.payments, number)
    orders.sandbox_complete(container.uow(), container.payments, started.out_trade_no)
    return {"chain": chain, "number": number, "milk": milk}


def stock(container, location_id: int, sku_id: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    row = inventory.stock_of(container.db, location_id, [sku_id])[sku_id]
    return row.on_hand, row.reserved


def sms_texts(container) -> list[str]:  # type: ignore[no-untyped-def]
    """The texts the dev SMS sender kept (sealed at rest; read through the model)."""
    with container.db.read() as s:
        return [m.text for m in s.scalars(select(DevMessage))]


def error_at(html: str, field: str) -> str:
    m = re.search(rf'<small id="e-f-{field}" class="error-text">([^<]*)</small>', html)
    assert m, f"no error next to {field}"
    return m.group(1)


def test_reassign_moves_the_reservation_and_tells_the_customer(staff, container, paid):
    chain, number, milk = paid["chain"], paid["number"], paid["milk"]
    xjh, ja = chain.stores["xujiahui"], chain.stores["jingan"]
    old_fo = orders.get(container.db, number).fulfillment_ids[0]
    ops = staff("operator")
    page = ops.get(f"/admin/orders/{number}")
    assert page.status_code == 200 and inline_free(page.text)
    assert f'action="/admin/orders/{number}/reassign"' in page.text and f'<option value="{ja}">' in page.text
    assert f'<option value="{xjh}">' not in page.text  # not to where it already is
    assert "张*" in page.text and "138****8000" in page.text and "张三" not in page.text  # masked
    assert f'href="/admin/members/{chain.customer}"' in page.text

    r = ops.post(f"/admin/orders/{number}/reassign", {"location_id": str(ja), "reassign_reason": "XJH fridge broken"})
    assert r.status_code == 303, r.text
    assert "The order now goes to JA Store; the customer is told." in ops.get(r.headers["location"]).text
    assert stock(container, xjh, milk) == (5, 0) and stock(container, ja, milk) == (3, 2)  # moved, none lost
    order = orders.get(container.db, number)
    assert order.fulfil_location_id == ja and order.status == "paid"
    assert order.history[-1].note.endswith("XJH fridge broken") and order.history[-1].actor.startswith("staff:")
    assert fulfillment.get(container.db, old_fo).status == "cancelled"
    new = fulfillment.get(container.db, order.fulfillment_ids[-1])
    assert (new.location_id, new.status, new.mode) == (ja, "new", "pickup") and new.pickup_code
    assert inventory.check(container.db).ok

    bootstrap.relay(container).drain()  # the customer's message goes through the outbox
    assert any(number in t and "JA店" in t for t in sms_texts(container)), sms_texts(container)
    with container.db.read() as s:
        audit = s.execute(text("SELECT count(*) FROM audit_log WHERE target = :t"), {"t": f"order={number}"}).scalar()
    assert audit >= 1
    # picking started at the new store: it cannot be moved any more
    fulfillment.start_picking(container.uow(), new.id, "staff:clerk")
    bootstrap.relay(container).drain()
    assert f"/admin/orders/{number}/reassign" not in ops.get(f"/admin/orders/{number}").text
    r = ops.post(f"/admin/orders/{number}/reassign", {"location_id": str(xjh), "reassign_reason": "back"})
    assert r.status_code == 409 and "Too late: the order is Picking now." in r.text  # in the alert: no form now


def test_reassign_is_refused_when_the_new_store_lacks_stock(staff, container, paid):
    chain, number, milk = paid["chain"], paid["number"], paid["milk"]
    ljz, xjh = chain.stores["lujiazui"], chain.stores["xujiahui"]
    ops = staff("operator")
    r = ops.post(f"/admin/orders/{number}/reassign", {"location_id": str(ljz), "reassign_reason": "closer"})
    assert r.status_code == 409
    assert error_at(r.text, "location_id") == "This store has not got every line of the order in stock."
    assert stock(container, ljz, milk) == (1, 0) and stock(container, xjh, milk) == (5, 2)  # nothing moved
    assert orders.get(container.db, number).fulfil_location_id == xjh
    zh = ops.post(f"/admin/orders/{number}/reassign", {"location_id": str(ljz), "reassign_reason": "近"}, ZH).text
    assert "该门店没有此订单所有商品的库存。" in zh
    r = ops.post(f"/admin/orders/{number}/reassign", {"location_id": str(chain.warehouse), "reassign_reason": "x"})
    assert r.status_code == 422 and "cannot serve the order" in error_at(r.text, "location_id")  # no pickup there
    for bad in ("", "abc", "99999999999999999999", "987654321"):
        r = ops.post(f"/admin/orders/{number}/reassign", {"location_id": bad, "reassign_reason": "x"})
        assert r.status_code == 422, (bad, r.status_code)
    r = ops.post(f"/admin/orders/{number}/reassign", {"location_id": str(ljz), "reassign_reason": ""})
    assert r.status_code == 422 and error_at(r.text, "reassign_reason") == "Required."
    assert inventory.check(container.db).ok


def test_cancel_with_reason_releases_stock_and_refunds(staff, container, paid):
    chain, number, milk = paid["chain"], paid["number"], paid["milk"]
    xjh = chain.stores["xujiahui"]
    ops = staff("operator")
    page = ops.get(f"/admin/orders/{number}").text
    assert "The customer paid ¥25.80: it is refunded through the payment provider." in page
    r = ops.post(f"/admin/orders/{number}/cancel", {"cancel_reason": ""})
    assert r.status_code == 422 and error_at(r.text, "cancel_reason") == "Required."
    assert orders.get(container.db, number).status == "paid"
    r = ops.post(f"/admin/orders/{number}/cancel", {"cancel_reason": "customer called: wrong address"})
    assert r.status_code == 303
    assert "the refund has been asked of the payment provider" in ops.get(r.headers["location"]).text
    order = orders.get(container.db, number)
    assert order.status == "cancelled" and order.history[-1].note == "customer called: wrong address"
    assert stock(container, xjh, milk) == (5, 0)
    bootstrap.relay(container).drain()
    assert len(container.payments.refunds) == 1  # through the payment adapter, by the outbox event
    assert f"/admin/orders/{number}/cancel" not in ops.get(f"/admin/orders/{number}").text
    r = ops.post(f"/admin/orders/{number}/cancel", {"cancel_reason": "again"})  # posted twice: nothing more
    assert r.status_code == 409 and "Too late: the order is Cancelled now." in r.text
    bootstrap.relay(container).drain()
    assert len(container.payments.refunds) == 1


def test_resend_the_pickup_code_of_a_ready_order(staff, container, paid):
    number = paid["number"]
    fo = orders.get(container.db, number).fulfillment_ids[0]
    ops = staff("operator")
    assert f"/admin/orders/{number}/reissue" not in ops.get(f"/admin/orders/{number}").text  # not ready yet
    fulfillment.start_picking(container.uow(), fo, "staff:clerk")
    fulfillment.mark_ready(container.uow(), fo, "staff:clerk")
    bootstrap.relay(container).drain()
    before = fulfillment.get(container.db, fo).pickup_code
    page = ops.get(f"/admin/orders/{number}").text
    assert f"/admin/orders/{number}/reissue" in page and (before or "x") not in page  # staff never see the code
    r = ops.post(f"/admin/orders/{number}/reissue", {"fulfillment_id": str(fo)})
    assert r.status_code == 303
    after = fulfillment.get(container.db, fo).pickup_code
    assert after and after != before
    bootstrap.relay(container).drain()
    sent = [t for t in sms_texts(container) if number in t and "取件码" in t]
    assert len(sent) == 2 and sum(f"取件码 {after}" in t for t in sent) == 1  # when ready, then the new code once
    # someone else's fulfilment through this order's form: not found, nothing changed
    other = OrderIn(customer_id=paid["chain"].customer, mode="pickup", location_id=paid["chain"].stores["xujiahui"],
                    lines=[{"sku_id": paid["milk"], "quantity": 1}])
    other_number = orders.place(container.uow(), other, orders.OrderPolicy()).number
    assert ops.post(f"/admin/orders/{other_number}/reissue", {"fulfillment_id": str(fo)}).status_code == 404
    assert ops.post(f"/admin/orders/{number}/reissue", {"fulfillment_id": "99999999999999999999"}).status_code == 404
    assert fulfillment.get(container.db, fo).pickup_code == after


def test_only_the_right_roles_act(staff, container, paid):
    chain, number = paid["chain"], paid["number"]
    ja = chain.stores["jingan"]
    analyst = staff("analyst")
    page = analyst.get(f"/admin/orders/{number}").text
    assert "/reassign" not in page and "/cancel" not in page and "/reissue" not in page
    assert f'href="/admin/members/{chain.customer}"' in page and "138****8000" in page
    assert analyst.post(f"/admin/orders/{number}/cancel", {"cancel_reason": "x"}).status_code == 403
    assert analyst.post(f"/admin/orders/{number}/reassign", {"location_id": str(ja), "reassign_reason": "x"}).status_code == 403
    clerk = staff("clerk", store_id=chain.stores["xujiahui"])
    assert clerk.post(f"/admin/orders/{number}/cancel", {"cancel_reason": "x"}).status_code == 403
    manager = staff("store_manager", store_id=chain.stores["xujiahui"])  # may cancel in their console, not here
    assert manager.post(f"/admin/orders/{number}/cancel", {"cancel_reason": "x"}).status_code == 404
    assert manager.post(f"/admin/orders/{number}/reassign", {"location_id": str(ja), "reassign_reason": "x"}).status_code == 404
    ops = staff("operator")
    r = ops.client.post(f"/admin/orders/{number}/cancel", data={"cancel_reason": "no csrf"}, headers=EN)
    assert r.status_code == 403
    assert ops.post("/admin/orders/SO00000000000000/cancel", {"cancel_reason": "x"}).status_code == 404
    assert orders.get(container.db, number).status == "paid" and orders.get(container.db, number).fulfil_location_id \
        == chain.stores["xujiahui"]
