"""`o2o backup` / `o2o restore` on both databases: backup -> restore into an empty database -> every table
compared row by row -> `o2o check` passes; a backup taken while orders are being placed is one consistent
moment; the key file travels apart and a restore needs it; damaged dumps, wrong keys and non-empty
targets are refused before anything is written."""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, select
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from o2o import bootstrap
from o2o.cli import app
from o2o.config import Settings, get_settings
from o2o.inventory import service as inventory
from o2o.kernel import pii
from o2o.kernel.db import Database
from o2o.ops import backup as backups
from o2o.orders import service as orders
from o2o.orders.schemas import LineIn, OrderIn
from o2o.orders.service import OrderPolicy
from tests.conftest import blank_database_url
from tests.factories.chain import build_chain, receive

runner = CliRunner()


def flat(result) -> str:  # type: ignore[no-untyped-def]
    """The command's output on one line (rich wraps it at the terminal's width)."""
    return " ".join(result.output.split())


def rows_of(url: str) -> dict[str, list[tuple]]:
    """Every table's rows as stored (no type decoding: sealed values compare as their ciphertext),
    in primary-key order."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        meta = MetaData()
        meta.reflect(engine)
        out = {}
        with engine.connect() as conn:
            for name, table in meta.tables.items():
                order = list(table.primary_key.columns) or list(table.columns)
                out[name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
        return out
    finally:
        engine.dispose()


def _env(monkeypatch, url: str, key_file: Path | None, tmp_path: Path) -> None:
    for k, v in {"O2O_DATABASE_URL": url, "O2O_ENV": "production", "O2O_SECRET_KEY": "S3cret-" + "k" * 20 + "xyz0123",
                 "O2O_PAYMENT_SECRET": "p" * 40, "O2O_MEDIA_DIR": str(tmp_path / "media")}.items():
        monkeypatch.setenv(k, v)
    if key_file:
        monkeypatch.setenv("O2O_KEY_FILE", str(key_file))
    else:
        monkeypatch.delenv("O2O_KEY_FILE", raising=False)
    get_settings.cache_clear()


def _order(chain, sku: str, qty: int = 1) -> OrderIn:  # type: ignore[no-untyped-def]
    return OrderIn(customer_id=chain.customer, mode="pickup", location_id=chain.stores["xujiahui"],
                   lines=[LineIn(sku_id=chain.skus[sku], quantity=qty)])


@pytest.fixture
def shop(request, db_kind, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A migrated database with a chain, orders and personal data sealed under a key file."""
    keys = tmp_path / "keys.json"
    pii.new_key_file(keys)
    url = blank_database_url(request, db_kind, tmp_path / "source.db")
    _env(monkeypatch, url, keys, tmp_path)
    c = bootstrap.build(get_settings(), db=Database.from_url(url))
    from o2o.kernel.migrate import upgrade

    upgrade(c.db.engine)
    chain = build_chain(c)
    for sku in chain.skus.values():
        receive(c, chain.stores["xujiahui"], sku, 300)
    for sku in list(chain.skus)[:2]:
        orders.place(c.uow(), _order(chain, sku), OrderPolicy())
    yield c, chain, url, keys
    c.db.dispose()


def _blank(request, db_kind, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    return blank_database_url(request, db_kind, tmp_path / f"target-{uuid.uuid4().hex[:6]}.db")


def test_backup_restore_round_trip_every_row_and_check_passes(shop, request, db_kind, tmp_path, monkeypatch):
    c, _, url, keys = shop
    r = runner.invoke(app, ["backup", str(tmp_path / "bk")])
    assert r.exit_code == 0, r.output
    assert "Store the key file apart" in flat(r)
    manifest_path = next((tmp_path / "bk").glob("*.manifest.json"))
    manifest = json.loads(manifest_path.read_text())
    dump = tmp_path / "bk" / manifest["file"]
    key_copy = tmp_path / "bk" / manifest["keys"]["file"]
    assert manifest["dialect"] == db_kind and manifest["tables"]["sales_order"] >= 2 and manifest["revisions"]
    # the keys are not in the dump: not one of their base64 strings appears in it
    assert key_copy.stat().st_mode & 0o077 == 0
    raw = dump.read_bytes()
    for secret in json.loads(keys.read_text())["keys"].values():
        assert secret.encode() not in raw
    assert json.loads(key_copy.read_text()) == json.loads(keys.read_text())

    target = _blank(request, db_kind, tmp_path)
    _env(monkeypatch, target, None, tmp_path)
    refused = runner.invoke(app, ["restore", str(manifest_path)])  # the key file is needed
    assert refused.exit_code == 2 and "--keys" in flat(refused), refused.output
    r = runner.invoke(app, ["restore", str(manifest_path), "--keys", str(key_copy)])
    assert r.exit_code == 0, r.output
    assert "every count matches the manifest" in flat(r)
    assert rows_of(target) == rows_of(url)

    _env(monkeypatch, target, key_copy, tmp_path)
    checked = runner.invoke(app, ["check"])
    assert checked.exit_code == 0 and "OK" in flat(checked), checked.output
    # the personal data reads with the restored keys
    restored = bootstrap.build(get_settings(), db=Database.from_url(target))
    try:
        with restored.db.read() as s:
            from o2o.customers.models import Customer

            phones = [p for p in s.scalars(select(Customer.phone)) if p]
            assert phones and all(p.isdigit() and len(p) == 11 for p in phones)
    finally:
        restored.db.dispose()

    # a second restore into the now non-empty target is refused, and --force replaces it
    again = runner.invoke(app, ["restore", str(manifest_path), "--keys", str(key_copy)])
    assert again.exit_code == 2 and "not empty" in flat(again)
    forced = runner.invoke(app, ["restore", str(manifest_path), "--keys", str(key_copy), "--force"])
    assert forced.exit_code == 0, forced.output
    assert rows_of(target) == rows_of(url)


def test_a_damaged_dump_or_the_wrong_keys_are_refused_before_anything_is_written(shop, request, db_kind, tmp_path,
                                                                                 monkeypatch):
    r = runner.invoke(app, ["backup", str(tmp_path / "bk")])
    assert r.exit_code == 0, r.output
    manifest_path = next((tmp_path / "bk").glob("*.manifest.json"))
    manifest = json.loads(manifest_path.read_text())
    target = _blank(request, db_kind, tmp_path)
    _env(monkeypatch, target, None, tmp_path)
    other_keys = tmp_path / "other.json"
    pii.new_key_file(other_keys)
    wrong = runner.invoke(app, ["restore", str(manifest_path), "--keys", str(other_keys)])
    assert wrong.exit_code == 2 and "do not open this backup" in flat(wrong), wrong.output
    dump = tmp_path / "bk" / manifest["file"]
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    damaged = runner.invoke(app, ["restore", str(manifest_path), "--keys", str(tmp_path / "bk" / manifest["keys"]["file"])])
    assert damaged.exit_code == 2 and "checksum" in flat(damaged), damaged.output
    assert sum(len(v) for v in rows_of(target).values()) == 0  # nothing written
    manifest_path.write_text("{not json")
    assert runner.invoke(app, ["restore", str(manifest_path)]).exit_code == 2


def test_keys_derived_from_the_secret_key_need_the_same_secret(request, db_kind, tmp_path, monkeypatch):
    url = blank_database_url(request, db_kind, tmp_path / "derived.db")
    _env(monkeypatch, url, None, tmp_path)
    c = bootstrap.build(get_settings(), db=Database.from_url(url))
    from o2o.kernel.migrate import upgrade

    upgrade(c.db.engine)
    build_chain(c)
    c.db.dispose()
    r = runner.invoke(app, ["backup", str(tmp_path / "bk")])
    assert r.exit_code == 0 and "derived from O2O_SECRET_KEY" in flat(r), r.output
    manifest_path = next((tmp_path / "bk").glob("*.manifest.json"))
    target = _blank(request, db_kind, tmp_path)
    _env(monkeypatch, target, None, tmp_path)
    monkeypatch.setenv("O2O_SECRET_KEY", "another-secret-" + "z" * 30)
    get_settings.cache_clear()
    refused = runner.invoke(app, ["restore", str(manifest_path)])
    assert refused.exit_code == 2 and "O2O_SECRET_KEY" in flat(refused), refused.output
    _env(monkeypatch, target, None, tmp_path)
    assert runner.invoke(app, ["restore", str(manifest_path)]).exit_code == 0
    assert rows_of(target) == rows_of(url)


def test_a_backup_taken_while_orders_are_placed_is_one_consistent_moment(shop, request, db_kind, tmp_path,
                                                                         monkeypatch):
    """Orders keep coming (reservations, stock, outbox) while the backup runs: the restored database passes
    the stock invariants, matches the manifest's counts, and every order in it has its lines."""
    c, chain, url, keys = shop
    stop = threading.Event()
    placed: list[str] = []
    errors: list[BaseException] = []
    skus = list(chain.skus)

    def shopper() -> None:
        i = 0
        while not stop.is_set():
            try:
                placed.append(orders.place(c.uow(), _order(chain, skus[i % len(skus)]), OrderPolicy()).number)
            except Exception as exc:  # noqa: BLE001 - running out of stock ends the run, anything else fails it
                if type(exc).__name__ not in ("InsufficientStock", "NoLocation"):
                    errors.append(exc)
                    return
            i += 1

    threads = [threading.Thread(target=shopper) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        while len(placed) < 3 and not errors:
            stop.wait(0.05)
        manifest_path = backups.backup(get_settings(), tmp_path / "bk")
        during = len(placed)
        while len(placed) < during + 3 and not errors:  # orders go on being placed after the snapshot
            stop.wait(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors
    manifest = json.loads(manifest_path.read_text())
    target = _blank(request, db_kind, tmp_path)
    _env(monkeypatch, target, None, tmp_path)
    backups.restore(get_settings(), manifest_path, keys=tmp_path / "bk" / manifest["keys"]["file"])
    restored = rows_of(target)
    assert {t: len(v) for t, v in restored.items()} == manifest["tables"]
    assert 0 < manifest["tables"]["sales_order"] < len(rows_of(url)["sales_order"])  # a moment in the middle of the run
    db = Database.from_url(target)
    try:
        report = inventory.check(db)
        assert report.ok, report
        with db.read() as s:
            from sqlalchemy import func, text

            orphans = s.execute(text('SELECT count(*) FROM sales_order o WHERE NOT EXISTS '
                                     "(SELECT 1 FROM order_line l WHERE l.order_id = o.id)")).scalar_one()
            assert orphans == 0
            assert s.scalar(select(func.count()).select_from(text("order_line"))) > 0
    finally:
        db.dispose()


def test_missing_postgresql_client_binaries_are_named(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(backups.BackupError, match="pg_dump not found on PATH nor in .*/bin: install"):
        backups.pg_binary("pg_dump", versions_under=tmp_path)
    assert backups.pg_binary("pg_dump").endswith("/pg_dump")  # on this machine: /usr/lib/postgresql/*/bin


def test_a_sqlite_backup_of_a_missing_file_and_a_cross_database_restore_are_refused(tmp_path, monkeypatch):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'none.db'}", env="dev")
    with pytest.raises(backups.BackupError, match="no database file"):
        backups.backup(settings, tmp_path / "bk")
    manifest = tmp_path / "m.manifest.json"
    (tmp_path / "d.pgdump").write_bytes(b"x")
    manifest.write_text(json.dumps({"format": 1, "dialect": "postgresql", "file": "d.pgdump", "sha256": "0",
                                    "tables": {}, "keys": {"source": "key file", "fingerprints": {}, "file": None}}))
    with pytest.raises(backups.BackupError, match="cannot be restored into sqlite"):
        backups.restore(settings, manifest)


def test_backup_files_are_readable_by_the_owner_only(shop, tmp_path):
    """The dump holds every customer's (sealed) data, password hashes and tokens: whatever the umask,
    the backup directory and its files are the owner's only, like the key file."""
    import os
    import stat

    old = os.umask(0o022)
    try:
        manifest = backups.backup(get_settings(), tmp_path / "bk")
    finally:
        os.umask(old)
    doc = backups.read_manifest(manifest)
    for path in (manifest.parent, manifest, manifest.parent / doc["file"], manifest.parent / doc["keys"]["file"]):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, (path.name, oct(path.stat().st_mode))


def test_a_manifest_naming_a_dump_outside_its_directory_is_refused(shop, tmp_path):
    """The manifest names its dump by file name: a path (../, absolute) is not followed."""
    manifest = backups.backup(get_settings(), tmp_path / "bk")
    doc = json.loads(manifest.read_text())
    elsewhere = tmp_path / "elsewhere.sqlite"
    elsewhere.write_bytes((manifest.parent / doc["file"]).read_bytes())
    for name in ("../elsewhere.sqlite", str(elsewhere)):
        manifest.write_text(json.dumps({**doc, "file": name}))
        with pytest.raises(backups.BackupError, match="not a file name"):
            backups.restore(get_settings(), manifest, force=True)


def _in_query(url: str) -> str:
    """The same database with host and port as query parameters (SQLAlchemy's form for a Unix socket
    directory, `...@/o2o?host=/var/run/postgresql`)."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return f"{u.drivername}://{u.username}:{u.password}@/{u.database}?host={u.host}&port={u.port}"


def test_pg_dump_and_pg_restore_reach_the_database_the_url_names(shop, request, db_kind, tmp_path, monkeypatch):
    """Host and port given in the URL's query reach pg_dump/pg_restore too (before, only sslmode did:
    they went to PGHOST/PGPORT of the environment or the default socket, another server, while the
    emptiness check and the counts read the URL's: a restore --clean could replace another database)."""
    if db_kind != "postgresql":
        pytest.skip("PostgreSQL's client tools")
    from tests.pgserver import _free_port

    _, _, url, keys = shop
    monkeypatch.setenv("PGHOST", "127.0.0.1")
    monkeypatch.setenv("PGPORT", str(_free_port("127.0.0.1")))  # nothing listens there
    _env(monkeypatch, _in_query(url), keys, tmp_path)
    manifest = backups.backup(get_settings(), tmp_path / "bk")
    target = _blank(request, db_kind, tmp_path)
    _env(monkeypatch, _in_query(target), None, tmp_path)
    doc = backups.read_manifest(manifest)
    backups.restore(get_settings(), manifest, keys=manifest.parent / doc["keys"]["file"])
    assert rows_of(target) == rows_of(url)
