"""Throw-away PostgreSQL server on Debian's binaries, for tests and benchmarks.

Dependency-free apart from psycopg. As root, PostgreSQL runs as ``nobody``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql

DEFAULT_SETTINGS: dict[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
    "shared_buffers": "256MB",
}
START_TIMEOUT = 30.0


class PgServerError(RuntimeError):
    pass


def find_pg_bin() -> Path | None:
    """Directory holding initdb/pg_ctl/postgres: pg_config, newest /usr/lib/postgresql/*/bin, then PATH."""
    if pg_config := shutil.which("pg_config"):
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and (Path(out.stdout.strip()) / "initdb").is_file():
            return Path(out.stdout.strip())
    versions = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").is_file()]
    if versions:
        return max(versions, key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.name)] or [0])
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _as_postgres_user() -> list[str]:
    """Command prefix dropping root to ``nobody`` (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return []
    nobody = pwd.getpwnam("nobody")
    if setpriv := shutil.which("setpriv"):
        return [setpriv, f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups", "--"]
    if runuser := shutil.which("runuser"):
        return [runuser, "-u", "nobody", "--"]
    raise PgServerError("running as root but neither setpriv nor runuser is available")


def ensure_available() -> str | None:
    """Reason why a server cannot be started here, or None when it can."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        return "PostgreSQL server binaries not found (apt-get install postgresql)"
    missing = [b for b in ("initdb", "pg_ctl", "postgres") if not (bin_dir / b).is_file()]
    if missing:
        return f"{bin_dir} lacks {', '.join(missing)}"
    if os.geteuid() == 0:
        try:
            _as_postgres_user()
        except (KeyError, PgServerError) as exc:
            return f"cannot drop root privileges for PostgreSQL: {exc}"
    return None


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _has_c_utf8() -> bool:
    out = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False)
    return any(line.lower().replace("-", "") == "c.utf8" for line in out.stdout.split())


class PgServer:
    """A private PostgreSQL cluster on 127.0.0.1; user ``postgres``, trust auth."""

    host: str = "127.0.0.1"

    def __init__(self, settings: Mapping[str, str | int | bool] | None = None, bin_dir: Path | None = None) -> None:
        found = bin_dir or find_pg_bin()
        if found is None:
            raise PgServerError(ensure_available() or "PostgreSQL binaries not found")
        self.bin_dir: Path = found
        self.settings: dict[str, str] = dict(DEFAULT_SETTINGS)
        for key, value in (settings or {}).items():
            self.settings[key] = ("on" if value else "off") if isinstance(value, bool) else str(value)
        self.port: int = 0
        self.base_dir: Path | None = None
        self.data_dir: Path | None = None
        self.log_file: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> PgServer:
        if self._proc is not None:
            return self
        self.base_dir = Path(tempfile.mkdtemp(prefix="pgserver-"))
        self.data_dir, self.log_file = self.base_dir / "data", self.base_dir / "server.log"
        atexit.register(self.stop)
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.base_dir, nobody.pw_uid, nobody.pw_gid)  # nobody must traverse the data dir's parent
        try:
            locale = ["--locale=C.UTF-8"] if _has_c_utf8() else ["--no-locale"]
            self._run(["initdb", "-D", str(self.data_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8", *locale, "-N"])
            for attempt in range(3):  # the free port may be taken before postgres binds it
                self.port = _free_port(self.host)
                if self._launch():
                    return self
                if attempt == 2 or "could not bind" not in self.log_tail():
                    break
            raise PgServerError(f"PostgreSQL exited or was not accepting connections after {START_TIMEOUT:.0f}s;"
                               f" log tail:\n{self.log_tail()}")
        except BaseException:
            self.stop()
            raise

    def _launch(self) -> bool:
        assert self.data_dir is not None and self.log_file is not None
        settings = {**self.settings, "port": str(self.port), "listen_addresses": self.host,
                    "unix_socket_directories": str(self.data_dir)}
        args = [str(self.bin_dir / "postgres"), "-D", str(self.data_dir)]
        args += [a for k, v in settings.items() for a in ("-c", f"{k}={v}")]
        with self.log_file.open("ab") as log:
            self._proc = subprocess.Popen([*_as_postgres_user(), *args], stdout=log, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, cwd=self.base_dir, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._proc = None
                return False
            try:
                with psycopg.connect(self.conninfo(), connect_timeout=2) as conn:
                    conn.execute("select 1")
                return True
            except psycopg.OperationalError:
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        atexit.unregister(self.stop)
        if self._proc is not None and self.data_dir is not None:
            if self._proc.poll() is None:
                pg_ctl = [str(self.bin_dir / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "immediate", "-w"]
                subprocess.run([*_as_postgres_user(), *pg_ctl], capture_output=True, cwd=self.base_dir, check=False)
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None
        if self.base_dir is not None:
            shutil.rmtree(self.base_dir, ignore_errors=True)
            self.base_dir = self.data_dir = self.log_file = None

    def crash(self) -> None:
        """kill -9 the server and its backends (its own process group), as a crash would."""
        if self._proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()
            self._proc = None

    def resume(self) -> None:
        """Start a crashed server again on the same data and port (it runs crash recovery)."""
        if self._proc is None and not self._launch():
            raise PgServerError(f"PostgreSQL did not come back; log tail:\n{self.log_tail()}")

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- addressing ------------------------------------------------------------------------------
    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL."""
        return f"postgresql+psycopg://postgres@{self.host}:{self.port}/{dbname}"

    def conninfo(self, dbname: str = "postgres") -> str:
        """libpq/psycopg connection string."""
        return f"host={self.host} port={self.port} user=postgres dbname={dbname}"

    def log_tail(self, lines: int = 30) -> str:
        if self.log_file is None or not self.log_file.exists():
            return "(no log)"
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])

    # -- helpers ---------------------------------------------------------------------------------
    def create_database(self, name: str, template: str | None = None) -> None:
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(query)

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def pgbench(self, args: list[str], dbname: str = "postgres") -> str:
        exe = self.bin_dir / "pgbench"
        binary = str(exe) if exe.is_file() else shutil.which("pgbench")
        if binary is None:
            raise PgServerError("pgbench not found")
        cmd = [binary, "-h", self.host, "-p", str(self.port), "-U", "postgres", *args, dbname]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise PgServerError(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stderr}{out.stdout}")
        return out.stdout

    def pgbench_tps(self, dbname: str, clients: int, seconds: int, scale: int = 10) -> float:
        self.pgbench(["-i", "-s", str(scale)], dbname)
        out = self.pgbench(["-N", "-c", str(clients), "-j", str(min(2, clients)), "-T", str(seconds)], dbname)
        match = re.search(r"tps = ([\d.]+) \((?:without initial connection time|excluding connections)", out)
        if match is None:
            raise PgServerError(f"no tps in pgbench output:\n{out}")
        return float(match.group(1))

    def _run(self, argv: list[str]) -> None:
        cmd = [*_as_postgres_user(), str(self.bin_dir / argv[0]), *argv[1:]]
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=self.base_dir, check=False)
        if out.returncode != 0:
            raise PgServerError(f"{argv[0]} failed ({out.returncode}):\n{out.stderr}{out.stdout}")
