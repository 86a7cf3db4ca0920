"""No plaintext phone number, e-mail or address line in the database files after the demo seed:
the raw bytes of the SQLite file (and its WAL) and of a PostgreSQL dump are searched for each value."""

from __future__ import annotations

import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from o2o.customers import service as customers
from o2o.customers.models import Address, Customer
from o2o.customers.schemas import AddressIn, CustomerIn
from o2o.demo.generator import DemoSize, generate
from o2o.kernel import idempotency
from o2o.kernel.clock import FixedClock
from o2o.kernel.db import Database
from o2o.kernel.uow import UnitOfWork
from o2o.locations.models import Location
from o2o.orders.models import Order
from tests.pgserver import PgServer

SIZE = DemoSize(stores=4, warehouses=1, skus=40, customers=120, days=7)
ANCHOR = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
PHONE, EMAIL, LINE = "13912345678", "Ce.Shi@Example.com", "徐汇区漕溪北路 88 号 1203 室"


def _seed(db: Database, clock: FixedClock) -> None:
    generate(db, SIZE, seed=11, anchor=ANCHOR)
    c = customers.create(UnitOfWork(db, clock), CustomerIn(name="测试", phone=PHONE, email=EMAIL))
    customers.add_address(UnitOfWork(db, clock), c.id, AddressIn(recipient="测试", phone=PHONE, line=LINE,
                                                                 lat=31.19, lng=121.43))
    # personal data in an event payload and in a remembered (idempotent) response must be sealed too
    with UnitOfWork(db, clock) as uow:
        uow.publish("test.pii", {"phone": PHONE, "address": LINE})
        idempotency.remember(uow.session, "test", "k1", "0" * 64, 201, {"ship_address": LINE, "email": EMAIL},
                             clock.now())
        uow.commit()


def _secrets(db: Database) -> tuple[list[str], list[str]]:
    """(personal values that must not appear, store names that must: the scan's sanity check)."""
    with db.read() as s:
        phones = [p for p in s.scalars(select(Customer.phone)) if p]
        emails = [e for e in s.scalars(select(Customer.email)) if e]
        lines = list(s.scalars(select(Address.line)))
        ship_to = [a for a in s.scalars(select(Order.ship_address)) if a]
        stores = list(s.scalars(select(Location.name_zh)))
    assert len(phones) == SIZE.customers + 1 and PHONE in phones
    assert SIZE.customers * 0.25 < len(emails) < SIZE.customers * 0.55 and EMAIL in emails
    assert ship_to and LINE in lines
    values = phones + emails + [e.lower() for e in emails] + lines + ship_to
    return sorted(set(values)), stores


def _assert_absent(raw: bytes, values: list[str], present: list[str]) -> None:
    assert all(v.encode() in raw for v in present), "the scan cannot even find the store names"
    found = [v for v in values if v.encode() in raw]
    assert found == [], f"{len(found)} plaintext personal values at rest, e.g. {found[:5]}"


def test_no_plaintext_personal_data_in_the_database_after_the_demo_seed(
        fresh_db: Database, db_kind: str, clock: FixedClock, request: pytest.FixtureRequest) -> None:
    _seed(fresh_db, clock)
    values, stores = _secrets(fresh_db)
    fresh_db.dispose()
    if db_kind == "sqlite":
        path = Path(make_url(fresh_db.url).database or "")
        with sqlite3.connect(path) as con:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw = path.read_bytes()
        wal = path.with_name(path.name + "-wal")
        if wal.exists():
            raw += wal.read_bytes()
    else:
        server: PgServer = request.getfixturevalue("_pg_server")
        pg_dump = server.bin_dir / "pg_dump"
        if not pg_dump.is_file():
            pg_dump = Path("/usr/lib/postgresql/15/bin/pg_dump")
        dump = subprocess.run([str(pg_dump), "-h", server.host, "-p", str(server.port), "-U", "postgres",
                               "--no-password", make_url(fresh_db.url).database or ""],
                              capture_output=True, check=True, timeout=120)
        raw = dump.stdout
    _assert_absent(raw, values, stores)


def test_the_scan_finds_a_phone_when_one_is_stored_in_plaintext(fresh_db: Database, db_kind: str,
                                                                 request: pytest.FixtureRequest) -> None:
    """The other half of the sanity check: the same search does see a value written in the clear."""
    with fresh_db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE leak (v TEXT)")
        conn.exec_driver_sql("INSERT INTO leak VALUES ('13700001111')")
    fresh_db.dispose()
    if db_kind == "sqlite":
        path = Path(make_url(fresh_db.url).database or "")
        with sqlite3.connect(path) as con:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw = path.read_bytes()
    else:
        server: PgServer = request.getfixturevalue("_pg_server")
        raw = subprocess.run([str(server.bin_dir / "pg_dump"), "-h", server.host, "-p", str(server.port),
                              "-U", "postgres", make_url(fresh_db.url).database or ""],
                             capture_output=True, check=True, timeout=120).stdout
    with pytest.raises(AssertionError, match="plaintext personal values"):
        _assert_absent(raw, ["13700001111"], [])
