"""The store console's queue and hand-over pages through HTTP: what staff see (never the pickup code),
the buttons of each role, and an order from paid to handed over."""

from __future__ import annotations

import re

from tests.e2e.test_console_support import (
    EN,
    ZH,
    customer_code,
    paid_pickup,
    post_form,
    relay,
    shop,
)
from tests.factories.http import order_of, stock_row


def _lane(html: str, lane: str) -> str:
    """The HTML of one section of the board."""
    found = re.search(rf'<section class="lane lane-{lane}".*?</section>', html, re.S)
    assert found, lane
    return found.group(0)


def test_store_roles_land_on_their_store_and_hq_picks_a_location(client, container, auth):
    s = shop(container, auth)
    r = client.get("/console", headers=s.clerk, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/console/{s.store}"
    ops = auth.staff("operator")
    html = client.get("/console", headers={**ops, **EN}).text
    assert "Choose a location" in html and f'href="/console/{s.chain.warehouse}"' in html and "Jiading DC" in html
    html = client.get("/console?q=JA", headers={**ops, **ZH}).text
    assert "JA店" in html and "XJH店" not in html and "共 1 个地点" in html
    html = client.get("/console?q=nowhere", headers={**ops, **EN}).text
    assert "No location matches." in html


def test_a_paid_pickup_shows_in_new_with_its_pick_list_and_without_its_code(client, container, auth):
    s = shop(container, auth)
    number, fid = paid_pickup(client, s, quantity=2)
    code = customer_code(client, s, number)
    r = client.get(f"/console/{s.store}", headers={**s.clerk, **EN})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    html = r.text
    new = _lane(html, "new")
    assert number in new and "Pickup" in new and "milk" in new and "SKU T-milk" in new and "2×" in new
    assert f'action="/console/{s.store}/fulfillments/{fid}/picking"' in new
    assert 'name="csrf_token"' in new and "Paid 10:00" in new  # 02:00 UTC is 10:00 in Shanghai
    assert code not in html  # staff never see the pickup code
    assert "No orders" not in new and "Nothing being picked." in _lane(html, "picking")
    zh = client.get(f"/console/{s.store}", headers={**s.clerk, **ZH}).text
    assert "今日订单" in zh and "到店自提" in zh and "测试milk" in zh and "开始拣货" in zh and code not in zh
    assert '<script src="/static/console/board.js" defer></script>' in zh and "<script>" not in zh


def test_the_board_part_refreshes_alone_with_links_to_the_whole_page(client, container, auth):
    s = shop(container, auth)
    number, _ = paid_pickup(client, s)
    r = client.get(f"/console/{s.store}/board", headers=s.clerk)
    assert r.status_code == 200 and number in r.text
    assert "<html" not in r.text and 'class="board"' in r.text


def test_clerk_picks_marks_ready_and_hands_over_by_the_customers_code(client, container, auth):
    s = shop(container, auth, stock=10)
    number, fid = paid_pickup(client, s, quantity=3)
    base = f"/console/{s.store}"

    r = post_form(client, f"{base}/fulfillments/{fid}/picking", s.clerk)
    assert r.status_code == 303 and r.headers["location"] == f"{base}?done=picking&ref={number}"
    html = client.get(r.headers["location"], headers={**s.clerk, **EN}).text
    assert f"Picking started for {number}." in html and number in _lane(html, "picking")

    r = post_form(client, f"{base}/fulfillments/{fid}/ready", s.clerk)
    assert r.status_code == 303 and "done=ready" in r.headers["location"]
    relay(container)
    code = customer_code(client, s, number)
    assert any(code in sms.text for sms in container.sms.inbox)  # the customer's SMS carries the code
    html = client.get(f"{base}?done=ready&ref={number}", headers={**s.clerk, **EN}).text
    assert "The customer has been sent their pickup code" in html
    ready = _lane(html, "ready")
    assert number in ready and f'href="{base}/handover?order={fid}"' in ready and code not in html
    assert "Re-issue code" not in html  # a clerk cannot re-issue

    page = client.get(f"{base}/handover?order={fid}", headers={**s.clerk, **EN}).text
    assert number in page and f'<option value="{fid}" selected>' in page and code not in page
    r = post_form(client, f"{base}/handover", s.clerk, code=code)
    assert r.status_code == 303 and r.headers["location"] == f"{base}/handover?done=handed_over&ref={number}&order={fid}"
    done = client.get(r.headers["location"], headers={**s.clerk, **EN}).text
    assert f"{number} handed over. Order completed." in done and "Give the customer:" in done and code not in done
    relay(container)
    assert order_of(client, number, s.customer)["status"] == "completed"
    assert stock_row(client, s.store, s.milk, s.manager)["on_hand"] == 10 - 3
    assert number in _lane(client.get(base, headers=s.clerk).text, "done")


def test_a_scanned_qr_payload_hands_over_and_a_foreign_one_is_refused(client, container, auth):
    s = shop(container, auth)
    number, fid = paid_pickup(client, s)
    post_form(client, f"/console/{s.store}/fulfillments/{fid}/ready", s.clerk)
    code = customer_code(client, s, number)
    r = post_form(client, f"/console/{s.store}/handover", {**s.clerk, **EN}, scan="https://example.com/x")
    assert r.status_code == 422 and "That QR code is not a pickup code of ours." in r.text
    r = post_form(client, f"/console/{s.store}/handover", s.clerk, scan=f"O2O-PICKUP:{fid}:{code}")
    assert r.status_code == 303 and "done=handed_over" in r.headers["location"]


def test_wrong_codes_show_next_to_the_field_count_down_and_lock_until_a_manager_reissues(client, container, auth):
    s = shop(container, auth)
    number, fid = paid_pickup(client, s)
    base = f"/console/{s.store}"
    post_form(client, f"{base}/fulfillments/{fid}/ready", s.clerk)
    code = customer_code(client, s, number)
    wrong = "000000" if code != "000000" else "111111"

    r = post_form(client, f"{base}/handover", {**s.clerk, **EN}, code="12ab")
    assert r.status_code == 422 and 'id="e-code"' in r.text and "Enter the 6 digits of the pickup code." in r.text
    assert 'aria-invalid="true"' in r.text and 'value="12ab"' not in r.text  # typed codes are never echoed
    r = post_form(client, f"{base}/handover", {**s.clerk, **ZH}, code=wrong)  # no order chosen: nothing matches
    assert r.status_code == 422 and "本店没有使用此取件码的待提货订单。" in r.text
    for left in (4, 3, 2, 1):
        r = post_form(client, f"{base}/handover", {**s.clerk, **EN}, code=wrong, order=fid)
        assert r.status_code == 422 and f"Wrong code. {left} attempts left" in r.text
    r = post_form(client, f"{base}/handover", {**s.clerk, **EN}, code=wrong, order=fid)
    assert r.status_code == 422 and "this handover is locked" in r.text  # the fifth wrong code locks it
    r = post_form(client, f"{base}/handover", {**s.clerk, **EN}, code=code, order=fid)
    assert r.status_code == 422 and "this handover is locked" in r.text  # even the right code now
    html = client.get(base, headers={**s.manager, **EN}).text
    assert "Handover locked: too many wrong codes." in _lane(html, "ready") and "Re-issue code" in html

    assert post_form(client, f"{base}/fulfillments/{fid}/reissue-code", s.clerk).status_code == 403
    r = post_form(client, f"{base}/fulfillments/{fid}/reissue-code", s.manager, back="handover")
    assert r.status_code == 303 and r.headers["location"] == f"{base}/handover?done=reissued&ref={number}"
    relay(container)
    new = customer_code(client, s, number)
    assert new != code and any(new in sms.text for sms in container.sms.inbox)
    assert post_form(client, f"{base}/handover", s.clerk, code=new).status_code == 303


def test_a_button_pressed_twice_says_the_order_has_moved_on(client, container, auth):
    s = shop(container, auth)
    number, fid = paid_pickup(client, s)
    post_form(client, f"/console/{s.store}/fulfillments/{fid}/picking", s.clerk)
    r = post_form(client, f"/console/{s.store}/fulfillments/{fid}/picking", s.clerk)
    assert r.status_code == 303 and "error=illegal-transition" in r.headers["location"]
    html = client.get(r.headers["location"], headers={**s.clerk, **EN}).text
    assert f"{number} has already moved on" in html and 'role="alert"' in html


def test_a_delivery_order_is_dispatched_by_the_manager_not_the_clerk(client, container, auth):
    s = shop(container, auth)
    r = client.post("/api/v1/orders", headers=s.customer, json={
        "mode": "store_delivery", "location_id": s.store, "lines": [{"sku_id": s.milk, "quantity": 1}],
        "address": {"line": "漕溪北路 88 号", "lat": 31.2003, "lng": 121.4390}})
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    from tests.factories.http import pay

    pay(client, number, s.customer)
    fid = order_of(client, number, s.customer)["fulfillment_ids"][0]
    post_form(client, f"/console/{s.store}/fulfillments/{fid}/picking", s.clerk)
    assert "Dispatch" not in client.get(f"/console/{s.store}", headers={**s.clerk, **EN}).text
    assert "Dispatch" in client.get(f"/console/{s.store}", headers={**s.manager, **EN}).text
    assert post_form(client, f"/console/{s.store}/fulfillments/{fid}/ship", s.clerk).status_code == 403
    r = post_form(client, f"/console/{s.store}/fulfillments/{fid}/ship", s.manager)
    assert r.status_code == 303 and "done=shipped" in r.headers["location"]
    assert number in _lane(client.get(f"/console/{s.store}", headers=s.manager).text, "done")


def test_an_analyst_reads_the_queue_but_gets_no_buttons(client, container, auth):
    s = shop(container, auth)
    paid_pickup(client, s)
    html = client.get(f"/console/{s.store}", headers={**auth.staff("analyst"), **EN}).text
    assert "Start picking" not in html and "/handover" not in html


def test_lanes_are_paged(client, container, auth):
    s = shop(container, auth, stock=100)
    numbers = [paid_pickup(client, s, quantity=1)[0] for _ in range(21)]
    first = client.get(f"/console/{s.store}", headers={**s.clerk, **EN}).text
    new = _lane(first, "new")
    assert numbers[0] in new and numbers[20] not in new and "Page 1 of 2" in new
    assert f'href="/console/{s.store}?new_page=2"' in new
    second = _lane(client.get(f"/console/{s.store}?new_page=2", headers={**s.clerk, **EN}).text, "new")
    assert numbers[20] in second and numbers[0] not in second
