"""The audit log is append-only and hash-chained: `o2o audit verify` names the first row that was tampered with."""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from o2o.audit import service as audit
from o2o.audit.models import AuditEntry, AuditHead
from o2o.audit.schemas import AuditFilters
from o2o.cli import app
from o2o.kernel.db import Database
from o2o.kernel.pagination import PageParams
from o2o.kernel.uow import UnitOfWork
from tests.integration.audit.conftest import T0, as_attacker, entry, record


def _verify_cli(db: Database):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["audit", "verify", "--database-url", db.url])


def test_verify_passes_when_the_chain_is_intact(fresh_db: Database):
    ids = record(fresh_db, *(entry(i) for i in range(5)))
    assert ids == [1, 2, 3, 4, 5]
    report = audit.verify(fresh_db)
    assert report.ok and report.checked == 5 and report.bad_id is None
    out = _verify_cli(fresh_db)
    assert out.exit_code == 0, out.output
    assert "OK, 5 entries" in out.output


def test_verify_passes_when_the_log_is_empty(fresh_db: Database):
    assert audit.verify(fresh_db).ok
    out = _verify_cli(fresh_db)
    assert out.exit_code == 0 and "OK, 0 entries" in out.output


def test_rows_chain_each_to_the_previous_one(fresh_db: Database):
    record(fresh_db, entry(0), entry(1))
    with fresh_db.read() as s:
        first, second = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        head = s.get(AuditHead, 1)
    assert first.prev_hash == "0" * 64
    assert second.prev_hash == first.hash
    assert (head.last_id, head.last_hash) == (2, second.hash)
    doc = audit.canonical({c: getattr(second, c) for c in audit.HASHED})
    assert second.hash == hmac.new(audit.chain_key(), first.hash.encode() + doc, hashlib.sha256).hexdigest()
    assert second.hash != hashlib.sha256(first.hash.encode() + doc).hexdigest()
    assert b'"at":"2026-11-24T02:01:00.000000+00:00"' in doc


def test_verify_fails_and_names_the_row_when_one_row_is_altered(fresh_db: Database):
    record(fresh_db, *(entry(i) for i in range(5)))
    as_attacker(fresh_db, "UPDATE audit_log SET actor_name = 'someone else' WHERE id = 3")
    report = audit.verify(fresh_db)
    assert (report.ok, report.bad_id, report.checked) == (False, 3, 2)
    assert "altered" in report.reason
    out = _verify_cli(fresh_db)
    assert out.exit_code == 1
    assert "FAILED at row 3" in out.output and "altered" in out.output


def test_verify_fails_at_the_next_row_when_a_row_is_rewritten_with_a_fresh_hash(fresh_db: Database):
    record(fresh_db, *(entry(i) for i in range(5)))
    with fresh_db.read() as s:
        row = s.get(AuditEntry, 3)
        values = {c: getattr(row, c) for c in audit.HASHED} | {"ip": "203.0.113.9"}
        forged = audit.chain_hash(row.prev_hash, values)
    as_attacker(fresh_db, "UPDATE audit_log SET ip = '203.0.113.9', hash = :h WHERE id = 3", h=forged)
    report = audit.verify(fresh_db)
    assert (report.ok, report.bad_id) == (False, 4)
    assert "prev_hash" in report.reason


def test_verify_fails_when_a_row_is_deleted(fresh_db: Database):
    record(fresh_db, *(entry(i) for i in range(5)))
    as_attacker(fresh_db, "DELETE FROM audit_log WHERE id = 3")
    report = audit.verify(fresh_db)
    assert (report.ok, report.bad_id) == (False, 4)
    assert "missing" in report.reason
    out = _verify_cli(fresh_db)
    assert out.exit_code == 1 and "FAILED at row 4" in out.output


def test_verify_fails_when_the_newest_rows_are_deleted(fresh_db: Database):
    record(fresh_db, *(entry(i) for i in range(5)))
    as_attacker(fresh_db, "DELETE FROM audit_log WHERE id >= 4")
    report = audit.verify(fresh_db)
    assert (report.ok, report.bad_id, report.checked) == (False, 5, 3)
    assert "head" in report.reason


def test_verify_fails_when_rows_are_reordered(fresh_db: Database):
    record(fresh_db, *(entry(i) for i in range(3)))
    # swap the contents of rows 1 and 2 (ids are the order of the chain)
    as_attacker(fresh_db, "UPDATE audit_log SET id = CASE id WHEN 1 THEN 1000 ELSE id END WHERE id = 1")
    as_attacker(fresh_db, "UPDATE audit_log SET id = 1 WHERE id = 2")
    as_attacker(fresh_db, "UPDATE audit_log SET id = 2 WHERE id = 1000")
    report = audit.verify(fresh_db)
    assert (report.ok, report.bad_id) == (False, 1)


def test_verify_fails_when_a_row_is_appended_without_moving_the_head(fresh_db: Database):
    record(fresh_db, entry(0), entry(1))
    with fresh_db.read() as s:
        last = s.get(AuditEntry, 2)
        values = {c: getattr(last, c) for c in audit.HASHED} | {"id": 3}
        forged = audit.chain_hash(last.hash, values)
    as_attacker(fresh_db, "INSERT INTO audit_log (id, at, actor_kind, actor_id, actor_name, role, store_id, action, "
                "target, ip, status, detail, prev_hash, hash) SELECT 3, at, actor_kind, actor_id, actor_name, role, "
                "store_id, action, target, ip, status, detail, hash, :h FROM audit_log WHERE id = 2", h=forged)
    report = audit.verify(fresh_db)
    assert (report.ok, report.bad_id) == (False, 3)
    assert "head" in report.reason


def test_the_database_refuses_to_update_or_delete_audit_rows(db: Database):
    with db.write_sessions() as s:
        audit.append(s, entry(0))
        s.commit()
    for sql in ("UPDATE audit_log SET target = 'x'", "DELETE FROM audit_log",
                "DELETE FROM audit_head", "UPDATE audit_head SET last_id = 0"):
        with db.write_sessions() as s, pytest.raises(DBAPIError) as err:
            s.execute(text(sql))
            s.flush()
        assert "append-only" in str(err.value) or "audit_head" in str(err.value), sql
    if db.dialect == "postgresql":
        with db.write_sessions() as s, pytest.raises(DBAPIError, match="append-only"):
            s.execute(text("TRUNCATE audit_log"))
    with db.read() as s:
        assert s.scalar(select(AuditEntry.target)) == "stock:0"


def test_16_threads_appending_at_once_form_one_unbroken_chain(fresh_db: Database):
    threads, per_thread = 16, 5
    start = threading.Barrier(threads)

    def work(t: int) -> list[int]:
        start.wait()
        ids: list[int] = []
        for k in range(per_thread):
            with UnitOfWork(fresh_db) as uow:
                uow.before_commit.append(lambda s, k=k: ids.append(audit.append(s, entry(t * 100 + k))))
                uow.commit()
        return ids

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(work, range(threads)))
    ids = sorted(i for r in results for i in r)
    assert ids == list(range(1, threads * per_thread + 1))  # no gap, no duplicate
    report = audit.verify(fresh_db)
    assert report.ok, report
    assert report.checked == threads * per_thread


def test_verify_passes_while_appends_are_committing(fresh_db: Database):
    done = threading.Event()

    def appender() -> None:
        for i in range(60):
            record(fresh_db, entry(i), entry(i + 1))
        done.set()

    with ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(appender), pool.submit(appender)]
        reports = []
        while not all(f.done() for f in futures):
            reports.append(audit.verify(fresh_db, batch=7))
        for f in futures:
            f.result()
    assert reports and all(r.ok for r in reports), [r for r in reports if not r.ok][:1]
    assert audit.verify(fresh_db).checked == 240


def test_entries_with_awkward_details_verify_on_both_databases(fresh_db: Database):
    record(fresh_db, entry(0, detail={"big": 1e16, "whole": 2.0, "half": 0.5, "tiny": 1.5e-10, "nan": math.nan,
                                      "nul": "a\x00b", "when": datetime(2026, 1, 1, tzinfo=UTC), "zh": "顾客 手机",
                                      "nested": {"b": [1, {"a": None, "t": True}], "a": -0.0}, 3: "int key"},
                          actor_name="名字\x00", target="x" * 500, action="GET " + "/a" * 100, actor_id=12345))
    assert audit.verify(fresh_db).ok
    with fresh_db.read() as s:
        row = s.get(AuditEntry, 1)
    assert len(row.target) == 200 and len(row.action) == 120 and row.actor_id == "12345"
    assert row.detail["nul"] == "a\ufffdb" and row.detail["nan"] == "nan" and row.detail["3"] == "int key"


def test_append_runs_inside_the_callers_transaction(fresh_db: Database):
    with UnitOfWork(fresh_db) as uow:
        audit.append(uow.session, entry(0))
        uow.rollback()
    record(fresh_db, entry(1))
    with fresh_db.read() as s:
        assert s.scalars(select(AuditEntry.id)).all() == [1]
    assert audit.verify(fresh_db).ok


def test_append_refuses_an_unknown_actor_kind_and_a_naive_time(db: Database):
    with db.write_sessions() as s:
        with pytest.raises(ValueError, match="actor_kind"):
            audit.append(s, entry(0, actor_kind="robot"))
        with pytest.raises(ValueError, match="naive"):
            audit.append(s, entry(0, at=datetime(2026, 1, 1)))


def _seed_for_search(db: Database) -> None:
    with db.write_sessions() as s:
        for e in (
            entry(0, actor_id="7", actor_name="Wang Fang", action="pii.read", target="customer:42", store_id=3),
            entry(1, actor_id="8", actor_name="Li Lei", action="POST /api/v1/stock/movements", target="sku:100_1",
                  store_id=4),
            entry(2, actor_id="7", actor_name="Wang Fang", action="PATCH /api/v1/orders/SO1", target="order:SO1",
                  store_id=3),
            entry(3, actor_kind="api_key", actor_id="k1", actor_name="ERP", action="POST /api/v1/stock/movements",
                  target="sku:1001", store_id=None, role=None),
        ):
            audit.append(s, e)
        s.commit()


def _ids(db: Database, page: PageParams | None = None, **filters) -> list[int]:  # type: ignore[no-untyped-def]
    return [e.id for e in audit.search(db, AuditFilters(**filters), page or PageParams()).items]


def test_search_filters_newest_first(db: Database):
    _seed_for_search(db)
    assert _ids(db) == [4, 3, 2, 1]
    assert _ids(db, actor="7") == [3, 1]
    assert _ids(db, actor="wang") == [3, 1]  # name prefix, any case
    assert _ids(db, actor="Fang") == []
    assert _ids(db, action="STOCK") == [4, 2]
    assert _ids(db, action="pii.read") == [1]
    assert _ids(db, target="100_") == [2]  # _ and % are literal
    assert _ids(db, target="%") == []
    assert _ids(db, store_id=3) == [3, 1]
    assert _ids(db, since=T0 + timedelta(minutes=1), until=T0 + timedelta(minutes=2)) == [3, 2]
    assert _ids(db, since=datetime(2026, 11, 24, 10, 2)) == [4, 3]  # naive: Shanghai time
    assert _ids(db, actor="7", action="orders", store_id=3) == [3]
    page = audit.search(db, AuditFilters(), PageParams(page=2, size=3))
    assert ([e.id for e in page.items], page.total, page.page, page.size) == ([1], 4, 2, 3)


def test_cli_search_prints_the_newest_entries(fresh_db: Database):
    _seed_for_search(fresh_db)
    out = CliRunner().invoke(app, ["audit", "search", "--database-url", fresh_db.url, "--action", "pii",
                                   "--limit", "10"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "Wang Fang" in out.output and "pii.read" in out.output and "Li Lei" not in out.output


def test_a_chain_rewritten_without_the_key_fails_verify(fresh_db: Database):
    """An attacker who can write the tables (drops the triggers, alters a row, recomputes every hash
    and the head with plain SHA-256) still cannot make the chain verify: it is an HMAC."""
    record(fresh_db, *(entry(i) for i in range(3)))
    with fresh_db.engine.begin() as conn:
        if fresh_db.dialect == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
    with fresh_db.write_sessions() as s:
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        prev = "0" * 64
        for row in rows:
            if row.id == 1:
                row.action = "nothing to see"
            row.prev_hash = prev
            s.flush()
            doc = audit.canonical({c: getattr(row, c) for c in audit.HASHED})
            row.hash = prev = hashlib.sha256(prev.encode() + doc).hexdigest()
        head = s.get(AuditHead, 1)
        head.last_hash = prev
        s.commit()
    report = audit.verify(fresh_db)
    assert not report.ok and report.bad_id == 1


def test_client_address_is_logged_as_its_network_when_appended(fresh_db: Database):
    """The log keeps rows for ever and refuses to rewrite them, so it never holds a full IP address:
    it is cut to its network (IPv4 /24, IPv6 /48) before the row is hashed, and the chain verifies."""
    ips = ["203.0.113.57", "2001:db8:1:2::5", "::ffff:198.51.100.7", "testclient", ""]
    record(fresh_db, *(entry(i, ip=ip) for i, ip in enumerate(ips)))
    with fresh_db.read() as s:
        stored = s.scalars(select(AuditEntry.ip).order_by(AuditEntry.id)).all()
    assert stored == ["203.0.113.0/24", "2001:db8:1::/48", "198.51.100.0/24", "testclient", ""]
    assert audit.verify(fresh_db).ok
