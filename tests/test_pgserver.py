"""The throw-away PostgreSQL server used by integration tests and benchmarks."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest

from tests.pgserver import PgServer, ensure_available


def require_postgres() -> None:
    reason = ensure_available()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def server() -> Iterator[PgServer]:
    require_postgres()
    with PgServer() as pg:
        yield pg


def test_server_settings_and_address(server: PgServer) -> None:
    assert server.data_dir is not None and server.data_dir.is_dir()
    assert server.url("x") == f"postgresql+psycopg://postgres@127.0.0.1:{server.port}/x"
    with psycopg.connect(server.conninfo()) as conn:
        assert conn.execute("show fsync").fetchone() == ("off",)
        assert conn.execute("show max_connections").fetchone() == ("300",)
        assert conn.execute("show listen_addresses").fetchone() == ("127.0.0.1",)


def test_create_database_and_select(server: PgServer) -> None:
    server.create_database("pgserver_smoke")
    try:
        with psycopg.connect(server.conninfo("pgserver_smoke")) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
            assert conn.execute("show server_encoding").fetchone() == ("UTF8",)
    finally:
        server.drop_database("pgserver_smoke")
    with psycopg.connect(server.conninfo()) as conn:
        rows = conn.execute("select 1 from pg_database where datname = 'pgserver_smoke'").fetchall()
    assert rows == []


def test_pgbench_tps(server: PgServer) -> None:
    server.create_database("pgserver_bench")
    try:
        assert server.pgbench_tps("pgserver_bench", clients=2, seconds=2, scale=1) > 0
    finally:
        server.drop_database("pgserver_bench")


def test_stop_removes_everything() -> None:
    require_postgres()
    pg = PgServer(settings={"fsync": True, "work_mem": "8MB"}).start()
    base = pg.base_dir
    assert base is not None
    with psycopg.connect(pg.conninfo()) as conn:
        assert conn.execute("show fsync").fetchone() == ("on",)
        assert conn.execute("show work_mem").fetchone() == ("8MB",)
    pg.stop()
    assert not base.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(pg.conninfo(), connect_timeout=2)
    pg.stop()  # idempotent
