"""Till sessions over HTTP on both databases: the API (open, cash moves, close, Z-report, report) and the
console's till pages, the back-office report; and an attacker's tries: another store's till and shift,
someone else's shift, huge, negative and malformed amounts, forged ids."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tests.e2e.test_console_support import EN, ZH, post_form
from tests.factories import tills as f
from tests.factories.chain import JINGAN, XUJIAHUI, store

API = "/api/v1/pos"


@dataclass
class Tills:
    store: int
    other: int
    till: int
    other_till: int
    clerk: dict[str, str]
    clerk2: dict[str, str]
    manager: dict[str, str]
    other_clerk: dict[str, str]


@pytest.fixture
def t(container, auth) -> Tills:  # type: ignore[no-untyped-def]
    a, b = store(container, "XJH", XUJIAHUI), store(container, "JA", JINGAN)
    return Tills(a, b, f.terminal(container, a), f.terminal(container, b), auth.staff("clerk", store_id=a),
                 auth.staff("clerk", store_id=a), auth.staff("store_manager", store_id=a),
                 auth.staff("clerk", store_id=b))


def _open(client, t: Tills, float_fen: int = 50_000, who=None) -> dict:  # type: ignore[no-untyped-def]
    r = client.post(f"{API}/tills/{t.till}/open", json={"float_fen": float_fen}, headers=who or t.clerk)
    assert r.status_code == 201, r.text
    return r.json()


def test_a_shift_over_the_api_ends_in_a_z_report_with_the_differences_and_the_report(client, container, t, auth):
    s = _open(client, t)
    again = client.post(f"{API}/tills/{t.till}/open", json={"float_fen": 1}, headers=t.clerk2)
    assert again.status_code == 409 and again.json()["type"].endswith("/till-open")
    f.sale(container, t.till, t.store, s["id"], [("cash", 7_250, 2_750)])
    f.sale(container, t.till, t.store, s["id"], [("alipay", 3_000, 0)])
    key = {"Idempotency-Key": "drop-1"}
    m1 = client.post(f"{API}/till-sessions/{s['id']}/cash-moves", json={"kind": "out", "amount_fen": 20_000,
                                                                        "reason": "bank drop"}, headers={**t.clerk2, **key})
    m2 = client.post(f"{API}/till-sessions/{s['id']}/cash-moves", json={"kind": "out", "amount_fen": 20_000,
                                                                        "reason": "bank drop"}, headers={**t.clerk2, **key})
    assert m1.status_code == m2.status_code == 201 and m1.json() == m2.json()  # a retry moves the cash once
    assert m1.json()["actor"].startswith("staff:clerk-")
    x = client.get(f"{API}/till-sessions/{s['id']}", headers=t.clerk).json()
    assert x["lines"][0] == {"kind": "cash", "expected_fen": 37_250, "counted_fen": None, "difference_fen": None}
    tills = client.get(f"{API}/tills", headers=t.clerk).json()
    assert [(x["code"], x["session"]["id"]) for x in tills] == [("T01", s["id"])]
    r = client.post(f"{API}/till-sessions/{s['id']}/close", json={"counted": {"cash": 36_250, "alipay": 3_000}},
                    headers=t.clerk)
    assert r.status_code == 200, r.text
    z = r.json()
    assert {ln["kind"]: ln["difference_fen"] for ln in z["lines"]} == {"cash": -1_000, "card": 0, "wechat": 0,
                                                                       "alipay": 0}
    assert (z["sales_count"], z["cash_out_fen"], z["session"]["status"]) == (2, 20_000, "closed")
    twice = client.post(f"{API}/till-sessions/{s['id']}/close", json={"counted": {"cash": 1}}, headers=t.clerk)
    assert twice.status_code == 409 and twice.json()["type"].endswith("/till-closed")
    day = "2026-11-24"
    for who in (t.manager, auth.staff("operator"), auth.staff("analyst")):
        rep = client.get(f"{API}/till-reports", params={"date_from": day, "date_to": day}, headers=who)
        assert rep.status_code == 200 and rep.json()["by_tender"][0]["difference_fen"] == -1_000
    assert client.get(f"{API}/till-reports", params={"date_from": day, "date_to": day},
                      headers=t.clerk).status_code == 403  # clerks count, managers see the report
    mine = client.get(f"{API}/till-reports", params={"date_from": day, "date_to": day}, headers=t.manager).json()
    assert mine["location_id"] == t.store and mine["daily"] == [{"day": day, "location_id": t.store,
                                                                 "cash_difference_fen": -1_000}]


def test_an_attacker_reaches_no_other_stores_till_nor_someone_elses_shift(client, t, auth):
    s = _open(client, t)
    eve = t.other_clerk
    assert client.get(f"{API}/tills", params={"location_id": t.store}, headers=eve).status_code == 404
    assert client.post(f"{API}/tills/{t.till}/open", json={"float_fen": 0}, headers=eve).status_code == 404
    assert client.get(f"{API}/till-sessions/{s['id']}", headers=eve).status_code == 404
    body = {"kind": "out", "amount_fen": 100, "reason": "mine now"}
    assert client.post(f"{API}/till-sessions/{s['id']}/cash-moves", json=body, headers=eve).status_code == 404
    assert client.post(f"{API}/till-sessions/{s['id']}/close", json={"counted": {"cash": 0}},
                       headers=eve).status_code == 404
    assert client.get(f"{API}/till-reports", params={"date_from": "2026-11-24", "date_to": "2026-11-24",
                                                     "location_id": t.store},
                      headers=auth.staff("store_manager", store_id=t.other)).status_code == 404
    # a colleague of the same store cannot close the clerk's shift; the store manager can
    r = client.post(f"{API}/till-sessions/{s['id']}/close", json={"counted": {"cash": 0}}, headers=t.clerk2)
    assert r.status_code == 403 and r.json()["type"].endswith("/not-your-till")
    # more out than the drawer holds
    r = client.post(f"{API}/till-sessions/{s['id']}/cash-moves", json={**body, "amount_fen": 50_001}, headers=t.clerk)
    assert r.status_code == 409 and r.json()["type"].endswith("/not-enough-cash")
    assert client.post(f"{API}/till-sessions/{s['id']}/close", json={"counted": {"cash": 50_000}},
                       headers=t.manager).status_code == 200
    assert client.get(f"{API}/till-sessions/{2**63}", headers=t.clerk).status_code == 404
    assert client.post(f"{API}/tills/99999999/open", json={"float_fen": 0}, headers=t.clerk).status_code == 404
    assert client.get(f"{API}/till-sessions/{s['id']}", headers={"Authorization": "Bearer forged"}).status_code == 401


BAD = [
    ("open", {"float_fen": -1}), ("open", {"float_fen": 10**20}), ("open", {"float_fen": True}),
    ("open", {"float_fen": "1e3"}), ("open", {}),
    ("move", {"kind": "out", "amount_fen": 0, "reason": "x"}), ("move", {"kind": "out", "amount_fen": -5, "reason": "x"}),
    ("move", {"kind": "in", "amount_fen": 10**12, "reason": "x"}), ("move", {"kind": "refund", "amount_fen": 5, "reason": "x"}),
    ("move", {"kind": "in", "amount_fen": 5, "reason": "   "}), ("move", {"kind": "in", "amount_fen": 5, "reason": "x" * 201}),
    ("close", {"counted": {"cash": -1}}), ("close", {"counted": {"cash": 10**15}}), ("close", {"counted": {"card": 5}}),
    ("close", {"counted": {"cash": 5, "bitcoin": 5}}), ("close", {"counted": {"cash": 1.5}}),
]


def test_huge_negative_and_malformed_amounts_are_refused_with_422(client, t):
    s = _open(client, t, 100)
    urls = {"open": f"{API}/tills/{t.till}/open", "move": f"{API}/till-sessions/{s['id']}/cash-moves",
            "close": f"{API}/till-sessions/{s['id']}/close"}
    for path, body in BAD:
        r = client.post(urls[path], json=body, headers=t.clerk)
        assert r.status_code == 422, (path, body, r.text)
    z = client.get(f"{API}/till-sessions/{s['id']}", headers=t.clerk).json()
    assert z["session"]["status"] == "open" and z["moves"] == []


def test_the_console_till_opens_moves_closes_and_prints_the_z_report(client, t, auth):
    base = f"/console/{t.store}/till"
    html = client.get(base, headers={**t.clerk, **EN}).text
    assert "Open till T01" in html and 'data-till-state="closed"' in html
    bad = post_form(client, f"{base}/open", {**t.clerk, **EN}, terminal_id=t.till, float_yuan="lots")
    assert bad.status_code == 422 and "Enter an amount in yuan" in bad.text
    r = post_form(client, f"{base}/open", t.clerk, terminal_id=t.till, float_yuan="500")
    assert r.status_code == 303
    sid = int(re.search(r'data-session="(\d+)"', client.get(r.headers["location"], headers={**t.clerk, **EN}).text)[1])
    r = post_form(client, f"{base}/sessions/{sid}/move", t.clerk, kind="out", amount="600", reason="bank drop")
    assert r.status_code == 409 and "¥500.00" in r.text  # not that much in the drawer
    r = post_form(client, f"{base}/sessions/{sid}/move", t.clerk, kind="out", amount="120.50", reason="bank drop")
    assert r.status_code == 303
    r = post_form(client, f"{base}/sessions/{sid}/close", t.clerk, count_cash="369.50", count_card="")
    assert r.status_code == 303 and r.headers["location"] == f"{base}/sessions/{sid}?did=closed"
    z = client.get(r.headers["location"], headers={**t.clerk, **ZH}).text
    assert 'data-line="cash" data-difference="-1000"' in z and "短款" in z and "Z 报表" in z
    assert client.get(f"/console/{t.other}/till/sessions/{sid}", headers=t.other_clerk).status_code == 404
    assert client.get(f"/console/{t.store}/till", headers=t.other_clerk).status_code == 404
    hq = auth.staff("operator")  # head office reaches every store, a shift only under its own store's pages
    assert client.get(f"/console/{t.other}/till/sessions/{sid}", headers=hq).status_code == 404
    assert client.get(f"/console/{t.store}/till/sessions/{sid}", headers=hq).status_code == 200
    rep = client.get(f"{base}/report", headers={**t.manager, **EN})
    assert rep.status_code == 200 and 'data-sessions="1"' in rep.text


def test_the_back_office_charts_the_daily_cash_difference_per_store(client, t, auth):
    s = _open(client, t)
    client.post(f"{API}/till-sessions/{s['id']}/close", json={"counted": {"cash": 49_000}}, headers=t.clerk)
    hq = auth.staff("operator")
    html = client.get("/admin/tills", params={"from": "2026-11-20", "to": "2026-11-24"}, headers={**hq, **EN}).text
    assert 'data-sessions="1"' in html and "<polyline" in html and "-¥10.00" in html
    assert client.get("/admin/tills", params={"from": "2026-11-24", "to": "2026-01-01"},
                      headers={**hq, **EN}).status_code == 422
    away = client.get("/admin/tills", headers=t.manager, follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/staff"
