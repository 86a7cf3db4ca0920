"""Engine, sessions and the declarative Base shared by every area."""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Engine,
    Integer,
    MetaData,
    TypeDecorator,
    create_engine,
    event,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT primary keys on PostgreSQL, INTEGER (rowid alias, autoincrementing) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")
JSONDoc = JSON().with_variant(postgresql.JSONB(), "postgresql").with_variant(sqlite.JSON(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in, timezone-aware UTC out, on both databases."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSONDoc, list[Any]: JSONDoc}


# PostgreSQL SQLSTATEs of a server that is gone or not yet back: connection exceptions (08...),
# shutting down (57P01-57P03), out of connections (53300), recovery conflicts (40001 is retried elsewhere)
_PG_UNAVAILABLE = ("08", "57P01", "57P02", "57P03", "53300")
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk I/O error")


def first_line(exc: BaseException) -> str:
    """One line saying what went wrong (a driver's error can span lines of context), for a log line."""
    text = str(exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def database_unavailable(exc: BaseException) -> bool:
    """Is this the database being unreachable (a retry later may work), rather than a bug?"""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    state = getattr(orig, "sqlstate", None)
    if state:
        return state.startswith(_PG_UNAVAILABLE)
    module = type(orig).__module__
    if module.startswith("psycopg"):  # failures before any server answered (refused, reset) carry no SQLSTATE
        return type(orig).__name__ in ("OperationalError", "InterfaceError")
    return module.startswith("sqlite3") and str(orig).startswith(_SQLITE_UNAVAILABLE)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, *, pool_size: int = 20, overflow: int = 0, pool_timeout: float = 10.0,
                busy_timeout_ms: int = 30_000, echo: bool = False) -> Engine:
    if is_sqlite(url):
        path = sqlite_path(url)
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=echo, pool_size=pool_size, max_overflow=overflow, pool_timeout=pool_timeout,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
            json_serializer=json_text, json_deserializer=orjson.loads,
        )
        _sqlite_hooks(engine, busy_timeout_ms)
        return engine
    return create_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=overflow, pool_timeout=pool_timeout,
        pool_pre_ping=False, pool_recycle=3600, json_serializer=json_text, json_deserializer=orjson.loads,
    )


def json_text(value: Any) -> str:
    """A JSON column's text: orjson (placing an order writes a sourcing record of ~40 candidates and
    events; the standard library's encoder cost a large share of that), the standard encoder for what
    orjson refuses (integers beyond 64 bits, unusual types), so nothing that was stored before fails."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(value)


def _sqlite_hooks(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys, busy timeout, and BEGIN IMMEDIATE for writers.

    pysqlite's own transaction handling is turned off so that we issue BEGIN ourselves:
    a deferred transaction that reads and then writes cannot upgrade its lock under
    concurrent writers; BEGIN IMMEDIATE queues writers on busy_timeout instead.
    Read-only work runs on `engine.execution_options(o2o_readonly=True)` and gets a
    plain deferred BEGIN, so readers never wait for writers (WAL).
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA secure_delete=ON")  # erased personal data is zeroed, not left in free pages
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        readonly = conn.get_execution_options().get("o2o_readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


class WriteLock:
    """SQLite writers take turns on locks that wake the next waiter at once: the threads of a process
    on an RLock, the processes (`o2o serve --workers N`, `o2o worker`) on an flock of `<db file>.lock`.
    Without it, writers of other processes sleep in SQLite's busy handler, whose backoff (up to 100 ms
    a nap) gave p99s of a second at 16 clients. Re-entrant within a thread; a killed holder's flock is
    released by the kernel. busy_timeout stays as the guard for writers that bypass this lock."""

    def __init__(self, path: str | None) -> None:
        self._rlock = threading.RLock()
        self._path = path
        self._fd: int | None = None
        self._pid = 0
        self._depth = 0

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():  # a forked child opens its own description
            self._fd = os.open(f"{self._path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def __enter__(self) -> WriteLock:
        self._rlock.acquire()
        try:
            if self._depth == 0 and self._path:
                fcntl.flock(self._file(), fcntl.LOCK_EX)
        except BaseException:
            self._rlock.release()
            raise
        self._depth += 1
        return self

    def __exit__(self, *exc: Any) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._fd is not None and self._pid == os.getpid():
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._rlock.release()


def sqlite_path(url: str) -> str | None:
    path = url.split("///", 1)[-1].split("?", 1)[0] if "///" in url else ""
    return path if path and path != ":memory:" and not path.startswith("file:") else None


class Database:
    """One engine and its session factories: `write_sessions` for use cases, `read()` for queries.

    On SQLite, writers also queue on `write_lock` (held by a unit of work from start to end; see
    `WriteLock`). On PostgreSQL the lock is a no-op: row locks do the work.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=False)
        self.dialect = engine.dialect.name
        self.write_lock: AbstractContextManager[Any] = (
            WriteLock(sqlite_path(self.url)) if self.dialect == "sqlite" else nullcontext())
        self.write_sessions = sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self.read_sessions = sessionmaker(
            engine.execution_options(o2o_readonly=True), expire_on_commit=False, autoflush=False
        )

    @classmethod
    def from_url(cls, url: str, **kw: Any) -> Database:
        return cls(make_engine(url, **kw))

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.read_sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
