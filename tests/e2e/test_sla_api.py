"""SLA through HTTP: GET /api/v1/fulfilments/at-risk and /api/v1/reports/on-time (a store role sees its
own store only: another store's id is 404, forged or huge ids refused), the admin at-risk page (every store
or one, both languages) and the console board's at-risk section."""

from __future__ import annotations

from o2o.fulfillment import service as fulfillment
from tests.e2e.test_console_support import EN, ZH, paid_pickup, shop


def test_at_risk_and_on_time_are_scoped_to_the_callers_store(client, container, auth):
    c = container
    s = shop(c, auth)
    number, fid = paid_pickup(client, s)
    other_clerk = auth.staff("clerk", store_id=s.other)
    ops = auth.staff("operator")
    c.clock.advance(minutes=25)  # 5 minutes before the 30-minute promise
    r = client.get("/api/v1/fulfilments/at-risk", headers=s.clerk)
    assert r.status_code == 200
    [row] = r.json()
    assert (row["fulfillment_id"], row["order_number"], row["minutes_left"], row["late"], row["step"]) == (
        fid, number, 5, False, "ready")
    assert client.get(f"/api/v1/fulfilments/at-risk?location_id={s.store}", headers=s.clerk).json() == [row]
    # another store's clerk: their own (empty) list; this store's id looks like an unknown one
    assert client.get("/api/v1/fulfilments/at-risk", headers=other_clerk).json() == []
    r = client.get(f"/api/v1/fulfilments/at-risk?location_id={s.store}", headers=other_clerk)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    assert [x["fulfillment_id"] for x in client.get("/api/v1/fulfilments/at-risk", headers=ops).json()] == [fid]
    for bad in ("99999999999999999999999", "-1", "abc"):
        assert client.get(f"/api/v1/fulfilments/at-risk?location_id={bad}", headers=ops).status_code == 422
    assert client.get("/api/v1/fulfilments/at-risk").status_code == 401
    assert client.get("/api/v1/fulfilments/at-risk", headers=s.customer).status_code in (403, 404)

    c.clock.advance(minutes=10)  # 5 minutes late; then ready: a promise broken
    assert client.get("/api/v1/fulfilments/at-risk", headers=s.clerk).json()[0]["minutes_left"] == -5
    fulfillment.mark_ready(c.uow(), fid, "staff:test")
    assert client.get("/api/v1/fulfilments/at-risk", headers=s.clerk).json() == []
    mine = client.get("/api/v1/reports/on-time?days=7", headers=s.clerk).json()
    assert mine == [{"location_id": s.store, "due": 1, "kept": 0, "rate": 0.0}]
    assert client.get("/api/v1/reports/on-time?days=7", headers=other_clerk).json() == []
    assert client.get("/api/v1/reports/on-time?days=30", headers=ops).json() == mine
    for bad in ("0", "367", "10000000000000000000"):
        assert client.get(f"/api/v1/reports/on-time?days={bad}", headers=ops).status_code == 422


def test_the_admin_page_and_the_console_board_show_a_late_order(client, container, auth):
    c = container
    s = shop(c, auth)
    number, fid = paid_pickup(client, s)
    ops = auth.staff("operator")
    html = client.get("/admin/fulfilment/at-risk", headers={**ops, **EN}).text
    assert "Nothing at risk" in html and 'href="/admin/fulfilment/at-risk" aria-current="page"' in html
    c.clock.advance(minutes=42)
    assert fulfillment.watch_sla(c.uow()) == (1, 1)
    html = client.get("/admin/fulfilment/at-risk", headers={**ops, **EN}).text
    assert number in html and "12 min late" in html and "Pickup" in html and "ready by 11-24 10:30" in html
    assert f'data-fulfilment="{fid}"' in html
    zh = client.get(f"/admin/fulfilment/at-risk?store={s.other}&days=30", headers={**ops, **ZH}).text
    assert number not in zh and "暂无预警" in zh and "近 30 天没有到期的承诺" in zh
    zh = client.get(f"/admin/fulfilment/at-risk?store={s.store}", headers={**ops, **ZH}).text
    assert number in zh and "超时 12 分钟" in zh and "11-24 10:30 前备好" in zh and "近 7 天 1 个承诺中准时 0 个" in zh
    # a store role is sent to its own console; its board shows the late order above the lanes
    r = client.get("/admin/fulfilment/at-risk", headers=s.clerk, follow_redirects=False)
    assert r.status_code == 303
    board = client.get(f"/console/{s.store}/board", headers={**s.clerk, **EN}).text
    assert 'id="at-risk"' in board and number in board and "12 min late" in board
    assert 'id="at-risk"' not in client.get(f"/console/{s.other}/board",
                                            headers={**auth.staff("clerk", store_id=s.other), **EN}).text
    # the live board's state counts the watch's flags: the stream refreshes the board when they change
    _, counts = fulfillment.board_state(c.db, s.store)
    assert counts["sla_at_risk"] == 1 and counts["sla_late"] == 1
