"""An online till sale needs an open till session, on both databases: POST /api/v1/pos/sales on a till that
was never opened, or after its shift closed, answers 409 till-not-open (problem+json, titled in zh-CN and
en) and charges nothing, writes nothing; once opened the same sale goes in. POS-lite (/console/{id}/pos,
the console's WEB till) says the till is closed and links to the till page (which lists WEB before the
first POS-lite visit) instead of offering the scan field; a sale refused because the shift closed while
the basket was built keeps the basket."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from o2o.inventory import service as inventory
from o2o.inventory.models import StockMovement
from o2o.kernel.outbox import OutboxEvent
from o2o.orders.models import Order
from o2o.pos.models import PosSale, PosTender, Terminal
from tests.e2e.test_console_support import EN, ZH, post_form
from tests.factories import pos as till_factory
from tests.factories import tills

API = "/api/v1/pos"
MILK = "6900000000000"
SALE = {"till_sale_id": "T01-0001", "lines": [{"barcode": MILK, "quantity": 2}],
        "tenders": [{"kind": "wechat", "amount_fen": 1290}, {"kind": "cash", "amount_fen": 1290, "given_fen": 2000}]}


@pytest.fixture
def charges(container, monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """The trade numbers the payment adapter was asked to charge."""
    made: list[str] = []
    create = container.payments.create

    def counting(out_trade_no: str, *args: Any, **kwargs: Any) -> Any:
        made.append(out_trade_no)
        return create(out_trade_no, *args, **kwargs)

    monkeypatch.setattr(container.payments, "create", counting)
    return made


def _written(container) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    with container.db.read() as s:
        return tuple(int(s.scalar(select(func.count()).select_from(t)) or 0)
                     for t in (Order, PosSale, PosTender, StockMovement, OutboxEvent))


def _refused(r) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == 409, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"].endswith("/till-not-open")


def test_a_sale_on_a_till_not_open_or_closed_again_is_refused_409_and_nothing_is_charged_or_written(
        client, container, auth, charges):
    till = till_factory.set_up(container, auth, open_till=False)
    h, milk = {**till.headers, "Idempotency-Key": "sale-1"}, till.chain.skus["milk"]
    before = _written(container)
    en = client.post(f"{API}/sales", json=SALE, headers={**h, **EN})
    _refused(en)
    assert en.json()["title"] == "The till is not open: open a till session first"
    zh = client.post(f"{API}/sales", json=SALE, headers={**h, **ZH})
    _refused(zh)
    assert zh.json()["title"] == "收银机未开班：请先开班再收款"
    assert charges == [] and container.payments.refunds == []  # the WeChat Pay tender was never charged
    assert _written(container) == before  # no order, sale, tender, stock movement, event, idempotency answer
    assert inventory.stock_of(container.db, till.store, [milk])[milk].on_hand == 10
    # the clerk opens the till: the same request (same key) goes in, in that session
    opened = client.post(f"{API}/tills/{till.terminal_id}/open", json={"float_fen": 10_000}, headers=till.headers)
    assert opened.status_code == 201, opened.text
    sold = client.post(f"{API}/sales", json=SALE, headers=h)
    assert sold.status_code == 201, sold.text
    assert sold.json()["session_id"] == opened.json()["id"] and len(charges) == 1
    # a re-send of that sale answers it, even once the shift is closed
    closed = client.post(f"{API}/till-sessions/{opened.json()['id']}/close",
                         json={"counted": {"cash": 11_290, "wechat": 1_290}}, headers=till.headers)
    assert closed.status_code == 200, closed.text
    assert client.post(f"{API}/sales", json=SALE, headers=h).json()["id"] == sold.json()["id"]
    # closed: the next sale is refused again, nothing charged or written
    after = _written(container)
    _refused(client.post(f"{API}/sales", json={**SALE, "till_sale_id": "T01-0002"}, headers=till.headers))
    assert len(charges) == 1 and _written(container) == after
    assert inventory.stock_of(container.db, till.store, [milk])[milk].on_hand == 8


def test_pos_lite_sends_the_clerk_to_open_the_web_till_and_keeps_the_basket_when_the_shift_closed(
        client, container, auth, charges):
    till = till_factory.set_up(container, auth, open_till=False)
    base, clerk = f"/console/{till.store}", auth.staff("clerk", store_id=till.store)
    # the till page lists the console's own till before POS-lite was ever visited
    page = client.get(f"{base}/till", headers={**clerk, **EN}).text
    with container.db.read() as s:
        web = s.scalar(select(Terminal.id).where(Terminal.location_id == till.store, Terminal.code == "WEB"))
    assert web is not None and f"{base}/till?terminal={web}" in page
    # POS-lite: the till is not open: it says so and links there; no scan field, no payment
    html = client.get(f"{base}/pos", headers={**clerk, **EN}).text
    assert "data-till-closed" in html and "The till is not open" in html
    assert f'href="{base}/till?terminal={web}"' in html and 'id="f-barcode"' not in html
    assert "收银机未开班" in client.get(f"{base}/pos", headers={**clerk, **ZH}).text
    # the clerk opens WEB on the till page, and POS-lite sells
    r = post_form(client, f"{base}/till/open", clerk, terminal_id=web, float_yuan="100")
    assert r.status_code == 303, r.text
    html = client.get(f"{base}/pos", headers={**clerk, **EN}).text
    assert "data-till-closed" not in html and 'id="f-barcode"' in html
    assert post_form(client, f"{base}/pos/add", clerk, barcode=MILK).status_code == 303
    html = client.get(f"{base}/pos", headers={**clerk, **EN}).text
    assert f'data-line="{till.chain.skus["milk"]}"' in html and 'action="/console/' in html
    # the shift is closed meanwhile (a manager at the till page): the sale is refused, the basket kept
    session_id = int(re.search(r'data-session="(\d+)"', client.get(f"{base}/till?terminal={web}", headers=clerk).text)[1])
    tills.close_session(container, session_id, 10_000)
    before = _written(container)
    refused = post_form(client, f"{base}/pos/finish", {**clerk, **EN}, till_sale_id="WEB-1", wechat="12.90")
    assert refused.status_code == 409 and "The till is not open" in refused.text
    assert f'data-line="{till.chain.skus["milk"]}"' in refused.text and 'data-due="1290"' in refused.text
    assert charges == [] and _written(container) == before
    kept = client.get(f"{base}/pos", headers={**clerk, **EN}).text
    assert f'data-line="{till.chain.skus["milk"]}"' in kept and "data-till-closed" in kept
