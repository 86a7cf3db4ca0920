"""No plaintext name, phone number, e-mail, address line or home / address / delivery coordinate in
the database files after the demo seed: the raw bytes of the SQLite file (and its WAL) and of a PostgreSQL
dump are searched for each value (a coordinate in each form it would take there in the clear)."""

from __future__ import annotations

import sqlite3
import struct
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from o2o.catalog.models import Product
from o2o.customers import service as customers
from o2o.customers.models import Address, Customer
from o2o.customers.schemas import AddressIn, CustomerIn
from o2o.demo.generator import DemoSize, generate
from o2o.iam.models import StaffUser
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
NAME, RECIPIENT = "欧阳测试", "司马收货"  # names that cannot be part of any store, product or staff text
HOME = (31.187654, 121.436789)  # a home with 6 decimals, like the seeded ones


def _seed(db: Database, clock: FixedClock) -> None:
    generate(db, SIZE, seed=11, anchor=ANCHOR)
    c = customers.create(UnitOfWork(db, clock), CustomerIn(name=NAME, phone=PHONE, email=EMAIL,
                                                           home_lat=HOME[0], home_lng=HOME[1]))
    customers.add_address(UnitOfWork(db, clock), c.id, AddressIn(recipient=RECIPIENT, phone=PHONE, line=LINE,
                                                                 lat=HOME[0], lng=HOME[1]))
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
    values = phones + emails + [e.lower() for e in emails] + lines + ship_to + _names(db)
    return sorted(set(values)), stores


def _names(db: Database) -> list[str]:
    """Customers' and recipients' names. A demo name that is also part of some text meant to be in the
    clear (a staff member's name, a product's, a street's) is left out, as equal coordinates are below."""
    with db.read() as s:
        names = {n for n in s.scalars(select(Customer.name))} | {r for r in s.scalars(select(Address.recipient)) if r}
        public = [*s.scalars(select(StaffUser.name)), *s.scalars(select(Product.name_zh)),
                  *s.scalars(select(Location.name_zh)), *s.scalars(select(Location.address))]
    assert {NAME, RECIPIENT} <= names and len(names) > SIZE.customers * 0.9
    kept = sorted(n for n in names if not any(n in text for text in public))
    assert {NAME, RECIPIENT} <= set(kept) and len(kept) > SIZE.customers * 0.8
    return kept


def _coordinates(db: Database) -> tuple[list[float], list[float]]:
    """(home, address and ship-to coordinates that must not appear, the locations' that must: the
    scan's sanity check). A personal coordinate equal to a location's is left out: that value is
    meant to be in the clear, in the location's row."""
    with db.read() as s:
        personal = {x for row in s.execute(select(Customer.home_lat, Customer.home_lng)) for x in row}
        personal |= {x for row in s.execute(select(Address.lat, Address.lng)) for x in row}
        personal |= {x for row in s.execute(select(Order.ship_lat, Order.ship_lng)) for x in row}
        public = {x for row in s.execute(select(Location.lat, Location.lng)) for x in row}
    personal.discard(None)
    assert set(HOME) <= personal and len(personal) > SIZE.customers
    assert sum(1 for x in personal if len(repr(x).partition(".")[2]) == 6) > SIZE.customers  # 6 decimals
    return sorted(personal - public), sorted(public)


def _in_the_clear(raw: bytes, x: float, db_kind: str) -> bool:
    """Whether float x is in the raw bytes as it would be stored in the clear. SQLite: a REAL column
    holds 8 big-endian IEEE-754 bytes, a TEXT column the number's text (looked for where it does not
    follow a digit, '.' or ':', so 31.24169 is not found in a time 09:50:31.241693). pg_dump: the
    shortest text that reads back exactly (Python's repr), as one tab-separated COPY field."""
    text = repr(x).encode()
    if db_kind != "sqlite":
        return b"\t" + text + b"\t" in raw or b"\t" + text + b"\n" in raw
    if struct.pack(">d", x) in raw:
        return True
    at = raw.find(text)
    while at >= 0:
        if at == 0 or raw[at - 1] not in b"0123456789.:":
            return True
        at = raw.find(text, at + 1)
    return False


def _assert_absent(raw: bytes, values: list[str], present: list[str]) -> None:
    assert all(v.encode() in raw for v in present), "the scan cannot even find the store names"
    found = [v for v in values if v.encode() in raw]
    assert found == [], f"{len(found)} plaintext personal values at rest, e.g. {found[:5]}"


def _assert_no_coordinates(raw: bytes, db_kind: str, values: list[float], present: list[float]) -> None:
    missing = [x for x in present if not _in_the_clear(raw, x, db_kind)]
    assert missing == [], f"the scan cannot even find the locations' coordinates, e.g. {missing[:5]}"
    found = [x for x in values if _in_the_clear(raw, x, db_kind)]
    assert found == [], f"{len(found)} plaintext coordinates at rest, e.g. {found[:5]}"


def _raw_bytes(db: Database, db_kind: str, request: pytest.FixtureRequest) -> bytes:
    """The SQLite file and its WAL (after a checkpoint), or a plain-text pg_dump of the database."""
    db.dispose()
    if db_kind == "sqlite":
        path = Path(make_url(db.url).database or "")
        with sqlite3.connect(path) as con:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw = path.read_bytes()
        wal = path.with_name(path.name + "-wal")
        if wal.exists():
            raw += wal.read_bytes()
        return raw
    server: PgServer = request.getfixturevalue("_pg_server")
    pg_dump = server.bin_dir / "pg_dump"
    if not pg_dump.is_file():
        pg_dump = Path("/usr/lib/postgresql/15/bin/pg_dump")
    dump = subprocess.run([str(pg_dump), "-h", server.host, "-p", str(server.port), "-U", "postgres",
                           "--no-password", make_url(db.url).database or ""],
                          capture_output=True, check=True, timeout=120)
    return dump.stdout


def test_no_plaintext_personal_data_in_the_database_after_the_demo_seed(
        fresh_db: Database, db_kind: str, clock: FixedClock, request: pytest.FixtureRequest) -> None:
    _seed(fresh_db, clock)
    values, stores = _secrets(fresh_db)
    coordinates, locations = _coordinates(fresh_db)
    raw = _raw_bytes(fresh_db, db_kind, request)
    _assert_absent(raw, values, stores)
    _assert_no_coordinates(raw, db_kind, coordinates, locations)


def test_the_scan_finds_a_phone_when_one_is_stored_in_plaintext(fresh_db: Database, db_kind: str,
                                                                 request: pytest.FixtureRequest) -> None:
    """The other half of the sanity check: the same search does see values written in the clear, a
    phone number and a name as text, and coordinates in a float column and in a text column (as a
    coordinate written past EncryptedFloat into one of the sealed columns would be kept)."""
    with fresh_db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE leak (v TEXT, lat DOUBLE PRECISION, lng TEXT, n TEXT)")
        conn.exec_driver_sql("INSERT INTO leak VALUES ('13700001111', 31.187654, 121.436789, '欧阳漏网')")
    raw = _raw_bytes(fresh_db, db_kind, request)
    for value in ("13700001111", "欧阳漏网"):
        with pytest.raises(AssertionError, match="plaintext personal values"):
            _assert_absent(raw, [value], [])
    for x in (31.187654, 121.436789):
        with pytest.raises(AssertionError, match="plaintext coordinates"):
            _assert_no_coordinates(raw, db_kind, [x], [])
