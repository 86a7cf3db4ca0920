"""Offline tills over HTTP (POST /api/v1/pos/batches, GET /api/v1/stock/flagged), both databases: uploads,
re-uploads, who may upload and what they can reach; and an upload cut off by killing the server (SIGKILL)
halfway through a batch, on PostgreSQL."""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from o2o import bootstrap
from o2o.cli import app
from o2o.config import Settings, get_settings
from o2o.inventory import service as inventory
from o2o.kernel.auth import Principal
from o2o.kernel.clock import SystemClock
from o2o.kernel.db import Database
from o2o.orders.models import Order
from o2o.pos import service as pos
from o2o.pos.models import PosSale
from tests.conftest import new_database_url
from tests.e2e.test_cli_commands import _env, _free_port, _start, _stop
from tests.e2e.test_serve_workers import _wait_ready
from tests.factories.auth import Auth
from tests.integration.pos.offline import sale, shop

ADMIN = Principal("staff", 0, "test-admin", role="platform_admin")
URL = "/api/v1/pos/batches"


def _till(container, auth, stock: list[int]):  # type: ignore[no-untyped-def]
    sh = shop(container, stock, members=2)
    new = pos.add_terminal(container.uow(), ADMIN, sh.location_id, "UP1")
    headers = {**auth.staff("clerk", store_id=sh.location_id), "X-Api-Key": new.key}
    return sh, new.terminal.id, headers


def test_a_till_uploads_re_uploads_and_is_told_per_sale(client, container, auth, monkeypatch):
    now = container.clock.now()
    sh, terminal_id, headers = _till(container, auth, [5, 5])
    a, b = sh.skus
    body = {"batch_id": "q-1", "sales": [sale(1, now, [(a, 2, 300)], customer_id=sh.members[0]),
                                         sale(2, now - timedelta(minutes=5), [(b, 7, 100)]),
                                         sale(3, now, [(a, 1, 300)], tenders=[{"kind": "cash", "amount_fen": 1}])]}
    r = client.post(URL, json=body, headers=headers)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["terminal_id"], out["location_id"]) == (terminal_id, sh.location_id)
    assert [x["status"] for x in out["results"]] == ["accepted", "accepted", "refused"]
    assert out["results"][2]["reasons"][0]["code"] == "tenders-mismatch"
    assert out["results"][1]["oversold"] == {str(b): 2}
    again = client.post(URL, json=body, headers=headers).json()
    assert [x["status"] for x in again["results"]] == ["duplicate", "duplicate", "refused"]
    assert [x["order_number"] for x in again["results"][:2]] == [x["order_number"] for x in out["results"][:2]]
    order = client.get(f"/api/v1/orders/{out['results'][0]['order_number']}", headers=auth.staff("operator"))
    assert order.status_code == 200 and order.json()["channel"] == "pos" and order.json()["status"] == "completed"

    flagged = client.get("/api/v1/stock/flagged", headers=auth.staff("clerk", store_id=sh.location_id))
    assert [(f["sku_id"], f["oversold"]) for f in flagged.json()] == [(b, 2)]
    assert inventory.check(container.db).ok
    monkeypatch.setenv("O2O_DATABASE_URL", container.db.url)
    get_settings.cache_clear()
    checked = CliRunner().invoke(app, ["check"])  # `o2o check`: the flag shown, not a failure
    assert checked.exit_code == 0, checked.output
    assert "1 stock lines flagged" in checked.output and f"sku {b}: 2 units oversold" in checked.output


def test_who_may_upload_and_what_an_upload_can_reach(client, container, auth):
    now = container.clock.now()
    sh, _, headers = _till(container, auth, [5])
    other, _, other_headers = _till(container, auth, [5])
    one = {"sales": [sale(1, now, [(sh.skus[0], 1, 300)])]}
    key_only = {"X-Api-Key": headers["X-Api-Key"]}
    assert client.post(URL, json=one, headers=key_only).status_code == 401  # a key without a clerk
    assert client.post(URL, json=one, headers={**headers, "X-Api-Key": "o2o_forged_0000"}).status_code == 401
    assert client.post(URL, json=one, headers={"Authorization": "Bearer forged"}).status_code == 401
    assert client.post(URL, json=one).status_code == 401
    other_clerk = {**other_headers, "X-Api-Key": headers["X-Api-Key"]}  # another store's clerk at this till
    assert client.post(URL, json=one, headers=other_clerk).status_code == 403
    assert client.post(URL, json=one, headers=auth.customer(sh.members[0])).status_code == 403
    # another store's till: its sales go to its own store, never this one; this till's session is not its
    with container.db.write_sessions() as s:
        from o2o.pos.models import TillSession
        sess = TillSession(terminal_id=sh.till.terminal_id, location_id=sh.location_id,
                           opened_by="staff:x", opened_at=now, float_fen=0, status="open")
        s.add(sess)
        s.commit()
        session_id = sess.id
    theirs = client.post(URL, json={"sales": [{**sale(1, now, [(sh.skus[0], 1, 300)]), "session_id": session_id}]},
                         headers=other_headers).json()
    assert theirs["location_id"] == other.location_id
    assert [x["code"] for x in theirs["results"][0]["reasons"]] == ["not-this-till"]
    mine = client.post(URL, json=one, headers=other_headers).json()
    assert mine["results"][0]["status"] == "accepted" and mine["location_id"] == other.location_id
    with container.db.read() as s:
        assert s.scalar(select(Order.fulfil_location_id).where(
            Order.number == mine["results"][0]["order_number"])) == other.location_id
    assert client.get("/api/v1/stock/flagged", params={"location_id": other.location_id},
                      headers=auth.staff("clerk", store_id=sh.location_id)).status_code == 404

    # huge numbers: past what any till makes -> the batch is malformed (422); past a sale's bounds -> refused
    huge = sale(2, now, [(sh.skus[0], 1, 300)])
    for bad in ({**huge, "lines": [{"sku_id": sh.skus[0], "quantity": 10**12, "unit_price_fen": 1}]},
                {**huge, "total_fen": 2**63}, {**huge, "lines": [{"sku_id": 2**64, "quantity": 1, "unit_price_fen": 1}]},
                {**huge, "sold_at": 1700000000}, {**huge, "till_sale_id": "a b"}):
        assert client.post(URL, json={"sales": [bad]}, headers=headers).status_code == 422, bad
    assert client.post(URL, json={"sales": [huge] * 1001}, headers=headers).status_code in (413, 422)
    big = client.post(URL, json={"sales": [sale(3, now, [(sh.skus[0], 999_999, 1)]),
                                           sale(4, now, [(sh.skus[0], 1, 99_000_000_000)])]}, headers=headers).json()
    assert [[x["code"] for x in r["reasons"]] for r in big["results"]] == [["too-large"], ["too-large"]]
    assert inventory.check(container.db).ok


def test_an_upload_cut_off_by_killing_the_server_is_applied_once_when_sent_again(request, tmp_path: Path):
    """PostgreSQL: `o2o serve` in a subprocess takes a batch of 500; the test holds a lock on the stock row
    only the second half (in sale-time order) sells, so the server commits the first transaction (250
    sales) and waits inside the second; then it is killed with SIGKILL. The same batch sent again (to a
    new app) is accepted for the 250 missing sales and answered duplicate for the 250 others; sent a
    third time, duplicate for all 500."""
    url = new_database_url(request, "postgresql")
    db = Database.from_url(url, pool_size=5)
    request.addfinalizer(db.dispose)
    settings = Settings(database_url=url, payment_secret="test-secret", cheap_password_hashing=True)
    container = bootstrap.build(settings, db=db, clock=SystemClock())
    auth = Auth(container)
    sh, _, headers = _till(container, auth, [1000, 1000])
    first_half, second_half = sh.skus
    start = datetime.now(UTC) - timedelta(days=1)
    sales = [sale(n, start + timedelta(minutes=n), [(first_half if n < 250 else second_half, 1, 100)])
             for n in range(500)]
    body = {"sales": sales[::-1]}  # sent newest first: the order applied is the sale time's

    env = _env(tmp_path, O2O_DATABASE_URL=url, O2O_ENV="dev", O2O_PAYMENT_SECRET="test-secret")
    port = _free_port()
    server = _start(env, tmp_path, "serve", "--port", str(port))
    blocker = db.engine.connect()
    try:
        _wait_ready(port)
        blocker.execute(text("SELECT on_hand FROM stock WHERE location_id = :l AND sku_id = :s FOR UPDATE"),
                        {"l": sh.location_id, "s": second_half})
        answers: list[object] = []
        post = threading.Thread(target=lambda: answers.append(_post(port, body, headers)), daemon=True)
        post.start()
        deadline = time.monotonic() + 120
        while _count(db, PosSale) < 250 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.5)
        assert _count(db, PosSale) == 250  # the first transaction in, the second waiting on the lock
        os.killpg(server.pid, signal.SIGKILL)  # the process group this test started
        post.join(30)
        assert answers and isinstance(answers[0], Exception)  # the till never got an answer
    finally:
        blocker.rollback()
        blocker.close()
        if server.poll() is None:
            _stop(server, signal.SIGKILL)
    assert _count(db, PosSale) == 250 and _count(db, Order) == 250

    from fastapi.testclient import TestClient

    from o2o.main import create_app
    with TestClient(create_app(container)) as client:
        again = client.post(URL, json=body, headers=headers).json()
        third = client.post(URL, json=body, headers=headers).json()
    assert (again["accepted"], again["duplicates"]) == (250, 250)
    assert (third["accepted"], third["duplicates"]) == (0, 500)
    assert _count(db, PosSale) == 500 and _count(db, Order) == 500
    assert inventory.check(db).ok


def _post(port: int, body: dict, headers: dict) -> object:
    try:
        return httpx.post(f"http://127.0.0.1:{port}{URL}", json=body, headers=headers, timeout=120)
    except Exception as exc:  # noqa: BLE001 - the connection dies with the server: that is the point
        return exc


def _count(db: Database, model: type) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)

