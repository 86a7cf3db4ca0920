"""Every database test runs on SQLite and on a real PostgreSQL server the tests start themselves.

Fixtures:
- `db_kind`  "sqlite" | "postgresql" (parametrised, session scope)
- `fresh_db` a brand-new, migrated, empty Database with real commits (concurrency, e2e, demo)
- `db`       a Database whose sessions join one outer transaction, rolled back after the test
- `container`, `client`: the app wired to `fresh_db`, with a fixed clock and the relay at hand
"""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker

from o2o import bootstrap
from o2o.config import Settings, get_settings
from o2o.kernel import pii
from o2o.kernel.clock import FixedClock
from o2o.kernel.db import Database, make_engine
from o2o.kernel.migrate import upgrade
from tests import routecache
from tests.pgserver import PgServer, ensure_available

IN_CI = os.environ.get("CI", "").lower() == "true"
os.environ.setdefault("O2O_ENV", "dev")  # dev secrets, the dev SMS inbox and the payment sandbox
DB_KINDS = [k for k in os.environ.get("O2O_TEST_DBS", "sqlite,postgresql").split(",") if k]
routecache.install()  # the tests' ~1,200 apps share FastAPI's per-app route state (tests/routecache.py)


class _Pg:
    server: PgServer | None = None
    template: str | None = None


@pytest.fixture(scope="session", autouse=True)
def _pii_keyring() -> Iterator[pii.Keyring]:
    """Personal data is encrypted at rest: the keyring bootstrap.build() derives from the same settings
    the `container` fixture uses, so rows stay readable whichever of the two configured it last."""
    ring = pii.Keyring.from_settings(Settings())
    pii.configure(ring)
    yield ring
    pii.configure(None)


@pytest.fixture(autouse=True)
def _settings_of_this_test(_pii_keyring: pii.Keyring) -> Iterator[None]:
    """Every test reads the environment afresh, and leaves the tests' own keyring configured: a test
    that changed O2O_* (production mode, a key file) must not leave its settings cached, or its keys
    configured, for the next one (`o2o audit verify` then checked the chain under another key)."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
    pii.configure(_pii_keyring)


@pytest.fixture(autouse=True)
def _let_go_of_the_apps() -> Iterator[None]:
    """After each test, FastAPI's process-wide caches let go of its app's endpoints, and through them of
    its container and database (tests/routecache.py `forget_callables`)."""
    yield
    routecache.forget_callables()


@pytest.fixture(scope="session")
def _tmp_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="o2o-tests-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def _sqlite_template(_tmp_root: Path) -> Path:
    path = _tmp_root / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def require_postgresql() -> None:
    """Skip without PostgreSQL's binaries, but fail in CI, where they must be there."""
    reason = ensure_available()
    if reason:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI: {reason}")
        pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def _pg_server() -> Iterator[PgServer]:
    require_postgresql()
    server = PgServer().start()
    server.create_database("o2o_template")
    engine = make_engine(server.url("o2o_template"))
    upgrade(engine)
    engine.dispose()
    yield server
    server.stop()


class _Spares:
    """Fresh PostgreSQL databases made ahead of time. A thread copies the migrated template while the tests
    run and drops the databases they are done with: a CREATE DATABASE ... TEMPLATE costs the server ~0.1 s
    of CPU but took 0.2-0.7 s of waiting in each test's set-up on a loaded 2-core box (most of an e2e test's
    time on PostgreSQL). Copies come from "o2o_source", a copy of the template nobody connects to:
    PostgreSQL refuses to copy a database someone is connected to, and the `db` fixture works inside
    "o2o_template"."""

    AHEAD = 2
    SOURCE = "o2o_source"

    def __init__(self, server: PgServer) -> None:
        self.server = server
        server.create_database(self.SOURCE, template="o2o_template")
        self.ready: queue.Queue[str] = queue.Queue()
        self.done: list[str] = []
        self.wake = threading.Condition()
        self.stopping = False
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="pg-spares", daemon=True)
        self.thread.start()

    def take(self) -> str:
        """A new database's name, a copy of the migrated template no one has used."""
        while self.failure is None and self.thread.is_alive():
            try:
                name = self.ready.get(timeout=0.5)
            except queue.Empty:
                continue
            with self.wake:
                self.wake.notify()
            return name
        name = f"t_{uuid.uuid4().hex[:16]}"  # the thread failed: copy here, so that the error is the test's
        self.server.create_database(name, template=self.SOURCE)
        return name

    def drop(self, name: str) -> None:
        with self.wake:
            self.done.append(name)
            self.wake.notify()

    def stop(self) -> None:
        with self.wake:
            self.stopping = True
            self.wake.notify()
        self.thread.join(timeout=60)

    def _run(self) -> None:
        try:
            while True:
                with self.wake:
                    while not (self.stopping or self.done or self.ready.qsize() < self.AHEAD):
                        self.wake.wait()
                    if self.stopping:
                        return
                    gone = self.done.pop() if self.done else None
                if gone is not None:
                    self.server.drop_database(gone)
                    continue
                name = f"t_{uuid.uuid4().hex[:16]}"
                self.server.create_database(name, template=self.SOURCE)
                self.ready.put(name)
        except BaseException as exc:  # noqa: BLE001 - take() copies in the test instead, and fails there
            self.failure = exc


@pytest.fixture(scope="session")
def _pg_spares(_pg_server: PgServer) -> Iterator[_Spares]:
    spares = _Spares(_pg_server)
    yield spares
    spares.stop()


@pytest.fixture(scope="session", params=DB_KINDS)
def db_kind(request: pytest.FixtureRequest) -> str:
    return request.param


def new_database_url(request: pytest.FixtureRequest, kind: str) -> str:
    """A fresh migrated database (copied from the migrated template)."""
    if kind == "sqlite":
        template: Path = request.getfixturevalue("_sqlite_template")
        path = template.parent / f"{uuid.uuid4().hex}.db"
        shutil.copy(template, path)
        return f"sqlite:///{path}"
    server: PgServer = request.getfixturevalue("_pg_server")
    spares: _Spares = request.getfixturevalue("_pg_spares")
    name = spares.take()
    request.addfinalizer(lambda: spares.drop(name))
    return server.url(name)


def blank_database_url(request: pytest.FixtureRequest, kind: str, path: Path) -> str:
    """A brand-new database with no tables at all (the migration tests take it to an old revision):
    a file at `path` on SQLite, a new database on the tests' PostgreSQL server."""
    if kind == "sqlite":
        return f"sqlite:///{path}"
    server: PgServer = request.getfixturevalue("_pg_server")
    name = f"m_{uuid.uuid4().hex[:16]}"
    server.create_database(name)
    request.addfinalizer(lambda: server.drop_database(name))
    return server.url(name)


@pytest.fixture
def fresh_db(request: pytest.FixtureRequest, db_kind: str) -> Iterator[Database]:
    db = Database.from_url(new_database_url(request, db_kind), pool_size=40, pool_timeout=30)
    yield db
    db.dispose()


@pytest.fixture
def db(request: pytest.FixtureRequest, db_kind: str) -> Iterator[Database]:
    """Sessions join one outer transaction (savepoint per commit); everything is rolled back."""
    if db_kind == "sqlite":
        url = f"sqlite:///{request.getfixturevalue('_sqlite_template')}"
    else:
        url = request.getfixturevalue("_pg_server").url("o2o_template")
    engine = make_engine(url)
    conn = engine.connect()
    outer = conn.begin()
    database = Database(engine)
    database.write_sessions = sessionmaker(bind=conn, expire_on_commit=False, autoflush=False,
                                           join_transaction_mode="create_savepoint")
    database.read_sessions = database.write_sessions
    yield database
    outer.rollback()
    conn.close()
    engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 24, 2, 0, tzinfo=UTC))  # 10:00 in Shanghai


@pytest.fixture
def container(fresh_db: Database, clock: FixedClock):  # type: ignore[no-untyped-def]
    settings = Settings(database_url=fresh_db.url, payment_secret="test-secret", cheap_password_hashing=True)
    return bootstrap.build(settings, db=fresh_db, clock=clock)


@pytest.fixture
def auth(container):  # type: ignore[no-untyped-def]
    """Signed-in callers: auth.staff("clerk", store_id=...), auth.customer(id), auth.key([...])."""
    from tests.factories.auth import Auth

    return Auth(container)


@pytest.fixture
def client(container):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from o2o.main import create_app

    with TestClient(create_app(container)) as c:
        yield c


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark by folder: tests/unit -> unit, tests/integration -> integration, tests/e2e -> e2e,
    tests/browser -> browser."""
    for item in items:
        parts = Path(str(item.fspath)).parts
        for mark in ("unit", "integration", "e2e", "browser"):
            if mark in parts:
                item.add_marker(getattr(pytest.mark, mark))


