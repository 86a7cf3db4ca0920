"""Store credit in POS-lite and the member centre, on both databases: the member panel shows the member's
store credit; the store-credit field is offered only once their QR was scanned (found by phone: none, and a
tampered post is refused, 422, nothing written); part of a sale paid with it comes off the balance; more
than the balance is refused (409, the basket kept); the storefront's member centre shows what is left."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from o2o.customers import service as customers
from o2o.orders.models import Order
from o2o.pos.models import Terminal
from o2o.returns import service as returns
from tests.e2e.test_console_support import EN, ZH, post_form
from tests.factories import pos as till_factory
from tests.factories import tills
from tests.integration.pos.test_store_credit import give_credit

MILK = "6900000000000"


def _orders(container) -> int:  # type: ignore[no-untyped-def]
    with container.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Order)) or 0)


def _due(html: str) -> int:
    found = re.search(r'data-due="(\d+)"', html)
    assert found, html
    return int(found[1])


def test_pos_lite_takes_store_credit_only_with_the_member_qr_and_the_member_centre_shows_the_balance(
        client, container, auth):
    c = container
    till = till_factory.set_up(c, auth)
    member = till.chain.customer
    give_credit(c, member, 2_000)
    base, clerk = f"/console/{till.store}", auth.staff("clerk", store_id=till.store)
    client.get(f"{base}/pos", headers=clerk)  # makes the console's till (WEB)
    with c.db.read() as s:
        web = s.scalar(select(Terminal.id).where(Terminal.location_id == till.store, Terminal.code == "WEB"))
    tills.open_session(c, web)
    assert post_form(client, f"{base}/pos/add", clerk, barcode=MILK).status_code == 303
    # found by phone: the balance shows, the store-credit field does not, and a forged post is refused
    assert post_form(client, f"{base}/pos/member", clerk, q="13800138000").status_code == 303
    html = client.get(f"{base}/pos", headers={**clerk, **EN}).text
    assert 'data-store-credit="2000"' in html and "Store credit ¥20.00" in html and 'id="f-store_credit"' not in html
    due = _due(html)
    r = post_form(client, f"{base}/pos/finish", {**clerk, **EN}, till_sale_id="WEB-A1", store_credit="5",
                  cash=f"{(due - 500) / 100:.2f}")
    assert r.status_code == 422 and "needs the member&#39;s QR" in r.text
    assert _orders(c) == 0 and returns.store_credit(c.db, member) == 2_000
    # the member's QR: the field is offered; part of the sale paid with store credit
    post_form(client, f"{base}/pos/member", clerk, remove="1")
    qr = "O2O-MEMBER:" + customers.member_code(member, c.clock.now())
    assert post_form(client, f"{base}/pos/member", clerk, q=qr).status_code == 303
    html = client.get(f"{base}/pos", headers={**clerk, **ZH}).text
    assert "data-present" in html and 'id="f-store_credit"' in html and "储值余额 ¥20.00" in html
    due = _due(html)
    assert post_form(client, f"{base}/pos/finish", clerk, till_sale_id="WEB-A2", store_credit="abc",
                     cash="100").status_code == 422
    r = post_form(client, f"{base}/pos/finish", clerk, till_sale_id="WEB-A3", store_credit="5",
                  cash=f"{(due - 500) / 100:.2f}")
    assert r.status_code == 303 and "sale=" in r.headers["location"], r.text
    assert _orders(c) == 1 and returns.store_credit(c.db, member) == 1_500
    # more than is left: refused with the basket kept, nothing written
    for _ in range(2):
        post_form(client, f"{base}/pos/add", clerk, barcode=MILK)
    assert post_form(client, f"{base}/pos/member", clerk, q=qr).status_code == 303
    due = _due(client.get(f"{base}/pos", headers=clerk).text)
    assert due > 1_500
    r = post_form(client, f"{base}/pos/finish", {**clerk, **EN}, till_sale_id="WEB-A4",
                  store_credit=f"{due / 100:.2f}")
    alert = re.search(r"data-pos-error><p>([^<]*)<", r.text)
    assert r.status_code == 409 and alert and "does not cover" in alert[1], alert
    assert f"data-line=\"{till.chain.skus['milk']}\"" in r.text  # the basket kept
    assert _orders(c) == 1 and returns.store_credit(c.db, member) == 1_500
    # the storefront's member centre shows the balance left
    page = client.get("/shop/member", headers={**auth.customer(member), **ZH})
    assert page.status_code == 200 and 'data-store-credit="1500"' in page.text and "储值余额：¥15.00" in page.text
