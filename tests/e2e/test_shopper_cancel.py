"""A shopper cancels their order from the API and the storefront: unpaid (stock released), or paid and
not picked yet (refunded through the payment provider by the order.refund_needed event), with a reason
from the list and their own words; refused clearly once the store started picking; never someone else's."""

from __future__ import annotations

import re

import pytest

from o2o import bootstrap
from o2o.inventory import service as inventory
from tests.e2e.test_console_support import EN, ZH, csrf, shop
from tests.factories.http import order_of, pay, pickup_order, stock_row


def _order(client, s, paid: bool = False, quantity: int = 2) -> str:  # type: ignore[no-untyped-def]
    number = pickup_order(client, s.store, s.milk, quantity, s.customer)
    if paid:
        pay(client, number, s.customer)
    return number


def _start_picking(client, s, number: str) -> None:  # type: ignore[no-untyped-def]
    fo = order_of(client, number, s.customer)["fulfillment_ids"][0]
    assert client.post(f"/api/v1/fulfillments/{fo}/picking", headers=s.clerk).status_code == 200


def test_a_shopper_cancels_an_unpaid_order_with_a_reason_and_the_stock_is_released(client, container, auth):
    s = shop(container, auth)
    number = _order(client, s)
    assert stock_row(client, s.store, s.milk, s.manager)["reserved"] == 2
    r = client.post(f"/api/v1/orders/{number}/cancel", headers=s.customer,
                    json={"reason_code": "too_slow", "reason": "  要等两个小时  "})
    assert r.status_code == 200, r.text
    last = r.json()["history"][-1]
    assert (r.json()["status"], last["to_status"], last["note"]) == ("cancelled", "cancelled", "too_slow: 要等两个小时")
    assert last["actor"] == f"customer:{s.chain.customer}"
    assert stock_row(client, s.store, s.milk, s.manager)["reserved"] == 0
    bootstrap.relay(container).drain()
    assert container.payments.refunds == []  # nothing was paid
    assert inventory.check(container.db).ok


def test_a_paid_order_not_yet_picked_is_cancelled_and_refunded_through_the_provider(client, container, auth):
    s = shop(container, auth)
    number = _order(client, s, paid=True)
    r = client.post(f"/api/v1/orders/{number}/cancel", headers=s.customer, json={"reason_code": "wrong_items"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    bootstrap.relay(container).drain()
    (refund,) = container.payments.refunds
    assert refund["out_trade_no"].startswith(number) and refund["amount_fen"] == 2 * 1290
    assert stock_row(client, s.store, s.milk, s.manager)["reserved"] == 0
    assert inventory.check(container.db).ok


@pytest.mark.parametrize(("lang", "title"), [(EN, "This order can no longer be cancelled: the store has started "
                                                  "picking it"), (ZH, "门店已开始拣货，此订单无法再取消")])
def test_once_picking_started_the_shopper_is_refused_clearly_but_staff_may_still_cancel(client, container, auth,
                                                                                       lang, title):
    s = shop(container, auth)
    number = _order(client, s, paid=True)
    _start_picking(client, s, number)  # the order itself follows through the relay, later
    r = client.post(f"/api/v1/orders/{number}/cancel", headers={**s.customer, **lang},
                    json={"reason_code": "changed_mind"})
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"].endswith("/cancel-too-late") and r.json()["title"] == title
    bootstrap.relay(container).drain()
    assert order_of(client, number, s.customer)["status"] == "picking"
    r = client.post(f"/api/v1/orders/{number}/cancel", headers={**s.customer, **lang}, json={"reason_code": "other"})
    assert r.status_code == 409 and r.json()["type"].endswith("/cancel-too-late")
    assert container.payments.refunds == []
    # the store manager (orders:write) still may: e.g. the shopper called the store
    r = client.post(f"/api/v1/orders/{number}/cancel", headers=s.manager, json={"reason": "customer phoned"})
    assert r.status_code == 200 and r.json()["history"][-1]["note"] == "customer phoned"
    bootstrap.relay(container).drain()
    assert len(container.payments.refunds) == 1
    assert inventory.check(container.db).ok


def test_a_shopper_cannot_cancel_someone_elses_order_and_bad_reasons_are_refused(client, container, auth):
    s = shop(container, auth)
    number = _order(client, s)
    other = auth.customer(s.chain.customer + 1000)  # a signed-in shopper who is not the owner
    assert client.post(f"/api/v1/orders/{number}/cancel", headers=other, json={}).status_code == 404
    for body, field in (({"reason_code": "because"}, "reason_code"), ({"reason": "x" * 301}, "reason"),
                        ({"reason_code": 7}, "reason_code")):
        r = client.post(f"/api/v1/orders/{number}/cancel", headers=s.customer, json=body)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field
    assert client.post("/api/v1/orders/SO99999999999999999999/cancel", headers=s.customer, json={}).status_code == 404
    assert order_of(client, number, s.customer)["status"] == "pending_payment"


def _post(client, path: str, headers, **fields):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf(client), **fields}, headers=headers, follow_redirects=False)


def test_the_order_page_offers_a_confirm_dialog_with_the_reasons_and_cancels(client, container, auth):
    s = shop(container, auth)
    number = _order(client, s, paid=True)
    html = client.get(f"/shop/orders/{number}", headers={**s.customer, **ZH}).text
    assert '<dialog id="cancel-dialog"' in html and 'commandfor="cancel-dialog" command="show-modal"' in html
    assert "确定取消订单" in html and "您已支付 ¥25.80，将原路退回。" in html
    assert [m for m in re.findall(r'name="reason_code" value="([a-z_]+)"', html)] == [
        "changed_mind", "wrong_items", "wrong_place", "too_slow", "better_price", "other"]
    r = _post(client, f"/shop/orders/{number}/cancel", {**s.customer, **ZH}, reason_code="better_price",
              reason="隔壁便宜")
    assert r.status_code == 303 and r.headers["location"] == f"/shop/orders/{number}?cancelled=1"
    html = client.get(r.headers["location"], headers={**s.customer, **ZH}).text
    assert "订单已取消，已支付的 ¥25.80 正在原路退回。" in html
    assert "取消原因：</strong> 其他地方更便宜 · 隔壁便宜" in html and "已取消" in html
    assert '<dialog id="cancel-dialog"' not in html
    html = client.get(r.headers["location"], headers={**s.customer, **EN}).text
    assert "Why it was cancelled:</strong> I found a better price" in html and "Cancelled" in html
    bootstrap.relay(container).drain()
    assert len(container.payments.refunds) == 1


def test_the_page_form_names_a_missing_reason_and_a_refusal_after_picking(client, container, auth):
    s = shop(container, auth)
    number = _order(client, s, paid=True)
    r = _post(client, f"/shop/orders/{number}/cancel", {**s.customer, **EN}, reason_code="", reason="")
    assert r.status_code == 422 and 'id="e-reason_code" class="error-text">Choose a reason.<' in r.text
    r = _post(client, f"/shop/orders/{number}/cancel", {**s.customer, **ZH}, reason_code="other", reason="字" * 201)
    assert r.status_code == 422 and "最多 200 个字。" in r.text and 'value="other" checked' in r.text
    _start_picking(client, s, number)
    r = _post(client, f"/shop/orders/{number}/cancel", {**s.customer, **ZH}, reason_code="other")
    assert r.status_code == 409 and "门店已开始拣货，订单无法再取消。" in r.text
    assert order_of(client, number, s.customer)["status"] in ("paid", "picking")
    bootstrap.relay(container).drain()
    html = client.get(f"/shop/orders/{number}", headers={**s.customer, **ZH}).text
    assert "无法在此取消" in html and '<dialog id="cancel-dialog"' not in html


def test_the_cancel_page_of_someone_elses_order_is_not_found(client, container, auth):
    s = shop(container, auth)
    number = _order(client, s)
    other = auth.customer(s.chain.customer + 1000)
    assert client.get(f"/shop/orders/{number}/cancel", headers=other).status_code == 404
    assert _post(client, f"/shop/orders/{number}/cancel", other, reason_code="other").status_code == 404
    assert order_of(client, number, s.customer)["status"] == "pending_payment"
    page = client.get(f"/shop/orders/{number}/cancel", headers={**s.customer, **EN}).text
    assert "Cancel order" in page and f'href="/shop/orders/{number}">Keep the order</a>' in page
