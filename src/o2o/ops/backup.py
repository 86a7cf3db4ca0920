"""`o2o backup` / `o2o restore`: a consistent copy of the database, a manifest, and the keys apart.

A backup is three files named by the time it was taken (UTC), e.g. in var/backups:
  o2o-20261129T011500Z.sqlite | .pgdump   the database: SQLite's online backup API (one step: one read
                                           transaction, so writers carry on under WAL and the copy is one
                                           moment), or `pg_dump -Fc` on an exported snapshot
  o2o-20261129T011500Z.manifest.json       dialect, schema revision, rows per table (counted in the same
                                           snapshot as the dump), the dump's SHA-256, key fingerprints
  o2o-20261129T011500Z.keys.json           the personal-data key file (when O2O_KEY_FILE is set), never in
                                           the dump: keep it somewhere else than the dump (a vault)
Restore checks the checksum, refuses a target that has rows unless --force, needs the keys the data
was sealed with (the key file given with --keys, or the same O2O_SECRET_KEY) and checks them against
the manifest's fingerprints before writing anything, then counts every table against the manifest.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, func, inspect, select, table, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from o2o.config import Settings
from o2o.kernel import migrate, pii
from o2o.kernel.db import is_sqlite, sqlite_path

FORMAT = 1
CHUNK = 1 << 20


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Progress:
    """What the command shows: `step(name, total)` starts a bar, `advance(n)` moves it (no-ops by default)."""

    step: Callable[[str, int | None], None] = lambda name, total: None
    advance: Callable[[int], None] = lambda n: None


def pg_binary(name: str, versions_under: Path = Path("/usr/lib/postgresql")) -> str:
    """pg_dump / pg_restore: on PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted((p for p in versions_under.glob(f"*/bin/{name}") if p.is_file()),
                      key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.parent.name)] or [0])
    if versions:
        return str(versions[-1])
    raise BackupError(f"{name} not found on PATH nor in {versions_under}/*/bin: install the PostgreSQL client "
                      f"(Debian: apt-get install postgresql-client-15) or put {name} on PATH")


def _libpq(url: str) -> tuple[list[str], dict[str, str]]:
    """pg_dump/pg_restore arguments and environment for a SQLAlchemy URL: a libpq connection string of
    everything the application's own connections use (host, port, user, database, and every query
    parameter, which psycopg hands to libpq as is: `?host=/var/run/postgresql&port=5433`, sslmode, ...),
    so the tools reach the database the URL names, never PGHOST/PGPORT of the environment or the default
    socket; the password in PGPASSWORD, not on the command line where `ps` shows it."""
    u = make_url(url)
    env = dict(os.environ)
    params: dict[str, Any] = {"host": u.host, "port": u.port, "user": u.username, "dbname": u.database}
    for key, value in u.query.items():
        params[key] = ",".join(value) if isinstance(value, tuple) else value  # several hosts: a list
    password = params.pop("password", None) or u.password
    if password is not None:
        env["PGPASSWORD"] = str(password)
    conninfo = " ".join(f"{key}={_conninfo_value(str(value))}" for key, value in params.items()
                        if value not in (None, ""))
    return ["--dbname", conninfo], env


def _conninfo_value(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fingerprints(ring: pii.Keyring) -> dict[str, str]:
    """Per key id (and the lookup key) a keyed digest: says which keys the data needs, reveals none."""
    out = {kid: hmac.new(key, b"o2o-backup-fingerprint", hashlib.sha256).hexdigest()[:32]
           for kid, key in sorted(ring.keys.items())}
    out["lookup"] = hmac.new(ring.lookup_key, b"o2o-backup-fingerprint", hashlib.sha256).hexdigest()[:32]
    return out


def sha256_of(path: Path, progress: Progress) -> str:
    digest = hashlib.sha256()
    progress.step(f"checksum {path.name}", path.stat().st_size)
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            progress.advance(len(chunk))
    return digest.hexdigest()


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def count_tables(conn: Connection, progress: Progress) -> dict[str, int]:
    names = sorted(inspect(conn).get_table_names())
    progress.step("counting rows", len(names))
    counts = {}
    for name in names:
        counts[name] = int(conn.execute(select(func.count()).select_from(table(name))).scalar_one())
        progress.advance(1)
    return counts


def revisions(conn: Connection) -> list[str]:
    return sorted(migrate.current(conn))


@contextmanager
def _connect(url: str) -> Iterator[Connection]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _private(path: Path) -> Path:
    """An empty file only its owner may read, made before anything is written into it (a dump holds the
    customers' sealed data, password hashes and tokens: never world-readable, whatever the umask)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    os.chmod(path, 0o600)  # an existing file keeps its mode through O_CREAT
    return path


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


# -- backup ----------------------------------------------------------------------------------------------

def backup(settings: Settings, dest: Path, keys_to: Path | None = None, progress: Progress | None = None) -> Path:
    """Write a backup into `dest`; returns the manifest's path."""
    progress = progress or Progress()
    ring = pii.Keyring.from_settings(settings)  # fails early when the key file is missing or broken
    if not dest.exists():
        dest.mkdir(mode=0o700, parents=True)
        os.chmod(dest, 0o700)
    name = f"o2o-{_stamp()}"
    url = settings.database_url
    if is_sqlite(url):
        dump, counts, revs = _backup_sqlite(url, dest / f"{name}.sqlite", progress)
        dialect = "sqlite"
    else:
        dump, counts, revs = _backup_postgresql(url, dest / f"{name}.pgdump", progress)
        dialect = "postgresql"
    keys = None
    if settings.key_file:
        keys = keys_to or dest / f"{name}.keys.json"
        pii.write_key_file(keys, pii.Keyring.load(Path(settings.key_file)))
    manifest = {
        "format": FORMAT, "created_at": datetime.now(UTC).isoformat(), "dialect": dialect,
        "revisions": revs, "tables": counts, "file": dump.name, "bytes": dump.stat().st_size,
        "sha256": sha256_of(dump, progress), "keys": {
            "source": "key file" if settings.key_file else "derived from O2O_SECRET_KEY",
            "active": ring.active, "fingerprints": fingerprints(ring),
            "file": keys.name if keys and keys.parent == dest else (str(keys) if keys else None)},
    }
    path = dest / f"{name}.manifest.json"
    tmp = _private(path.with_suffix(".tmp"))
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    tmp.replace(path)
    return path


def _backup_sqlite(url: str, out: Path, progress: Progress) -> tuple[Path, dict[str, int], list[str]]:
    src_path = sqlite_path(url)
    if not src_path or not Path(src_path).is_file():
        raise BackupError(f"{url}: no database file to back up")
    progress.step("sqlite online backup", None)
    tmp = _private(out.with_suffix(".partial"))
    src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(tmp)
    try:
        # one step (pages=-1): the copy is read in one transaction, a single moment of the database, while
        # writers go on (WAL); in small steps every write by another process would restart the copy
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()
    tmp.replace(out)
    with _connect(f"sqlite:///{out}") as conn:
        return out, count_tables(conn, progress), revisions(conn)


def _backup_postgresql(url: str, out: Path, progress: Progress) -> tuple[Path, dict[str, int], list[str]]:
    pg_dump = pg_binary("pg_dump")
    args, env = _libpq(url)
    tmp = _private(out.with_suffix(".partial"))  # pg_dump truncates it, keeping the mode
    with _connect(url) as conn:
        # the counts and pg_dump read the same snapshot: the manifest describes exactly what was dumped
        conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        revs = revisions(conn)
        counts = count_tables(conn, progress)
        progress.step("pg_dump", None)
        r = subprocess.run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                            f"--file={tmp}", *args], env=env, capture_output=True, text=True, check=False)
        conn.rollback()
    if r.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed ({r.returncode}): {r.stderr.strip()[:500]}")
    tmp.replace(out)
    return out, counts, revs


# -- restore ---------------------------------------------------------------------------------------------

def read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise BackupError(f"{path}: no such manifest") from None
    except ValueError as exc:
        raise BackupError(f"{path}: not a manifest ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: manifest format {manifest.get('format')!r}, this version reads {FORMAT}")
    return manifest


def _rows_in(url: str) -> dict[str, int]:
    """Tables of the target that hold rows (the migration bookkeeping aside)."""
    if is_sqlite(url):
        path = sqlite_path(url)
        if not path or not Path(path).exists():
            return {}
    with _connect(url) as conn:
        counts = count_tables(conn, Progress())
    return {t: n for t, n in counts.items() if n and t != "alembic_version"}


def _check_keys(manifest: dict[str, Any], settings: Settings, keys: Path | None) -> pii.Keyring:
    wanted: dict[str, str] = manifest["keys"]["fingerprints"]
    if keys is not None:
        ring = pii.Keyring.load(keys)
        where = str(keys)
    elif manifest["keys"]["source"] == "key file":
        raise BackupError("this backup was sealed with a key file: give it with --keys <file> (the "
                          f"{manifest['keys']['file']} written beside the backup, or its copy in your vault)")
    else:
        ring = pii.Keyring.from_settings(settings)
        where = "O2O_SECRET_KEY" if not settings.key_file else str(settings.key_file)
    have = fingerprints(ring)
    wrong = sorted(k for k, fp in wanted.items() if have.get(k) != fp)
    if wrong:
        raise BackupError(f"the keys from {where} do not open this backup's personal data (key(s) "
                          f"{', '.join(wrong)} differ or are missing): give the key file of the backup with --keys, "
                          "or set the O2O_SECRET_KEY in use when it was taken")
    return ring


def restore(settings: Settings, manifest_path: Path, keys: Path | None = None, force: bool = False,
            progress: Progress | None = None) -> dict[str, Any]:
    """Restore the backup into O2O_DATABASE_URL; returns the manifest. Nothing is written before every
    check passed (checksum, keys, an empty target or --force)."""
    progress = progress or Progress()
    manifest = read_manifest(manifest_path)
    name = str(manifest.get("file") or "")
    if not name or Path(name).name != name or name in (".", ".."):
        raise BackupError(f"{manifest_path}: the dump's name {name[:80]!r} is not a file name (the dump lies beside "
                          "its manifest)")
    dump = Path(manifest_path).parent / name
    if not dump.is_file():
        raise BackupError(f"{dump}: the dump named by the manifest is missing")
    url = settings.database_url
    dialect = "sqlite" if is_sqlite(url) else "postgresql"
    if manifest["dialect"] != dialect:
        raise BackupError(f"a {manifest['dialect']} backup cannot be restored into {dialect}")
    if sha256_of(dump, progress) != manifest["sha256"]:
        raise BackupError(f"{dump}: checksum differs from the manifest: the file is damaged or not this backup's")
    ring = _check_keys(manifest, settings, keys)
    busy = _rows_in(url)
    if busy and not force:
        shown = ", ".join(f"{t} ({n})" for t, n in sorted(busy.items())[:5])
        raise BackupError(f"the target database is not empty ({len(busy)} tables with rows: {shown}...): restore "
                          "into an empty database, or replace everything in it with --force")
    if dialect == "sqlite":
        _restore_sqlite(url, dump, progress)
    else:
        _restore_postgresql(url, dump, progress)
    with _connect(url) as conn:
        counts = count_tables(conn, progress)
    differ = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
    if differ:
        raise BackupError(f"restored, but rows differ from the manifest (table: expected, found): {differ}")
    if keys is not None and settings.key_file and not Path(settings.key_file).exists():
        pii.write_key_file(Path(settings.key_file), ring)
    return manifest


def _restore_sqlite(url: str, dump: Path, progress: Progress) -> None:
    path = sqlite_path(url)
    if not path:
        raise BackupError(f"{url}: restore needs a database file")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    dst = sqlite3.connect(path, timeout=30)
    try:
        pages = src.execute("PRAGMA page_count").fetchone()[0]
        progress.step("sqlite restore", pages)
        done = [0]

        def moved(status: int, remaining: int, total: int) -> None:
            progress.advance(total - remaining - done[0])
            done[0] = total - remaining

        src.backup(dst, pages=256, progress=moved)
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        dst.close()
        src.close()


def _restore_postgresql(url: str, dump: Path, progress: Progress) -> None:
    pg_restore = pg_binary("pg_restore")
    args, env = _libpq(url)
    progress.step("pg_restore", None)
    # --clean --if-exists: a migrated but empty target (or one emptied with --force) is replaced whole;
    # one transaction: a failed restore leaves the target as it was
    r = subprocess.run([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                        "--exit-on-error", *args, str(dump)], env=env, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise BackupError(f"pg_restore failed ({r.returncode}): {r.stderr.strip()[:800]}")
