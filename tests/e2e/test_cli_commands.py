"""Every command of README's "Commands" section, run the way a user types it: `.venv/bin/o2o ...` in
a subprocess, configured only by O2O_* environment variables (tests/e2e/test_cli.py drives the same
commands in-process). SQLite in dev, as `make demo` does; PostgreSQL in production mode, with real
secrets, for the database commands."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.pgserver import PgServer

O2O = str(Path(sys.executable).with_name("o2o"))
TINY = ["--stores", "2", "--warehouses", "1", "--skus", "10", "--customers", "5", "--days", "1"]
PHONE = "13912345678"
DEMO_PASSWORD = "o2o-demo-2026"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without any O2O_* setting (the test process sets some), plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2O_")}
    env.update(COLUMNS="200", PYTHONUNBUFFERED="1", O2O_MEDIA_DIR=str(tmp_path / "media"), **extra)
    return env


def o2o(env: dict[str, str], cwd: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    r = subprocess.run([O2O, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=180)
    if ok:
        assert r.returncode == 0, f"o2o {' '.join(args)} -> {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(env: dict[str, str], cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([O2O, *args], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)


def _stop(proc: subprocess.Popen[str], sig: int = signal.SIGTERM) -> tuple[int, str]:
    """Stop a command as Ctrl-C (SIGINT) or a service manager (SIGTERM) would; its exit code and output."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the group of the process this test started, nothing else
        out, _ = proc.communicate()
        raise AssertionError(f"o2o {proc.args[1:]} did not stop on signal {sig}:\n{out}") from None
    return proc.returncode, out


@pytest.fixture
def started(tmp_path: Path) -> Iterator[list[subprocess.Popen[str]]]:
    """Long-running commands started by a test; whatever is still running at the end is stopped."""
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _wait_healthy(base: str, proc: subprocess.Popen[str], timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"o2o serve exited with {proc.returncode}:\n{proc.stdout.read()}")
        try:
            r = httpx.get(f"{base}/healthz", timeout=2)
            if r.status_code == 200:
                return r.json()
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("o2o serve did not answer /healthz")


def _wait_for_line(proc: subprocess.Popen[str], text: str, timeout: float = 60) -> None:
    """Read the command's output until `text` shows (the process keeps running)."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        seen.append(line)
        if text in line:
            return
    raise AssertionError(f"{text!r} never showed:\n{''.join(seen)}")


def _code_on_inbox(base: str, timeout: float = 30) -> str:
    """The sign-in code, as a user reads it on /dev/inbox (the worker, another process, sent it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = re.search(r"验证码 (\d{6})", httpx.get(f"{base}/dev/inbox", timeout=5).text)
        if m:
            return m.group(1)
        time.sleep(0.2)
    raise AssertionError("no code on /dev/inbox")


def test_every_documented_command_works_on_sqlite(tmp_path: Path, started: list[subprocess.Popen[str]]):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = _env(tmp_path, O2O_ENV="dev", O2O_DATABASE_URL=f"sqlite:///{tmp_path / 'o2o.db'}", O2O_PORT=str(port))

    assert "migrated" in o2o(env, tmp_path, "migrate").stdout
    seeded = o2o(env, tmp_path, "seed", "--seed", "42", *TINY).stdout
    assert "demo logins" in seeded and "ops" in seeded
    assert "OK" in o2o(env, tmp_path, "check").stdout

    # the API with two worker processes, and the relay in a third: a code sent by the relay shows on
    # the inbox page whichever API process answers
    serve = _start(env, tmp_path, "serve", "--workers", "2")
    started.append(serve)
    assert _wait_healthy(base, serve)["status"] == "ok"
    worker = _start(env, tmp_path, "worker")
    started.append(worker)
    _wait_for_line(worker, "relay running")
    assert httpx.post(f"{base}/api/v1/auth/otp", json={"phone": PHONE}).status_code == 202
    signed_in = httpx.post(f"{base}/api/v1/auth/otp/verify", json={"phone": PHONE, "code": _code_on_inbox(base)})
    assert signed_in.status_code == 200, signed_in.text
    staff = httpx.post(f"{base}/api/v1/auth/staff/login", json={"login": "ops", "password": DEMO_PASSWORD})
    assert staff.status_code == 200, staff.text  # audited: the audit commands below have an entry to show
    code, out = _stop(worker, signal.SIGINT)  # Ctrl-C
    assert code == 0, out
    code, out = _stop(serve)
    assert code == 0, out

    verified = o2o(env, tmp_path, "audit", "verify").stdout
    assert re.search(r"OK, [1-9]\d* entries", verified), verified
    found = o2o(env, tmp_path, "audit", "search", "--actor", "ops").stdout
    assert "staff.sign_in" in found and "ops" in found, found

    keys = tmp_path / "keys.json"
    o2o(env, tmp_path, "pii", "new-key", "--key-file", str(keys))
    with_file = {**env, "O2O_KEY_FILE": str(keys)}
    o2o(with_file, tmp_path, "pii", "rotate")
    # under the new key everything still reads, and the chain (keyed by the unchanged lookup key) holds
    assert re.search(r"OK, [1-9]\d* entries", o2o(with_file, tmp_path, "audit", "verify").stdout)
    assert "OK" in o2o(with_file, tmp_path, "check").stdout

    assert "OK (with warnings)" in o2o(with_file, tmp_path, "doctor").stdout  # dev: warnings, no failure
    backed = o2o(with_file, tmp_path, "backup", str(tmp_path / "backups")).stdout
    assert "Store the key file apart" in " ".join(backed.split())
    manifest = next((tmp_path / "backups").glob("*.manifest.json"))
    restored_db = {**env, "O2O_DATABASE_URL": f"sqlite:///{tmp_path / 'restored.db'}"}
    keys_copy = next((tmp_path / "backups").glob("*.keys.json"))
    assert "every count matches" in o2o(restored_db, tmp_path, "restore", str(manifest), "--keys", str(keys_copy)).stdout
    assert "OK" in o2o({**restored_db, "O2O_KEY_FILE": str(keys_copy)}, tmp_path, "check").stdout


@pytest.fixture
def pg_url(_pg_server: PgServer) -> Iterator[str]:
    """An empty PostgreSQL database (not even migrated)."""
    name = f"cli_{uuid.uuid4().hex[:12]}"
    _pg_server.create_database(name)
    yield _pg_server.url(name)
    _pg_server.drop_database(name)


def test_database_commands_work_on_postgresql_in_production_mode(tmp_path: Path, pg_url: str):
    env = _env(tmp_path, O2O_ENV="production", O2O_DATABASE_URL=pg_url, O2O_SECRET_KEY="s" * 40,
               O2O_PAYMENT_SECRET="p" * 40)
    assert "migrated" in o2o(env, tmp_path, "migrate").stdout
    seeded = o2o(env, tmp_path, "seed", *TINY).stdout
    assert "create-admin" in seeded  # no demo users outside dev
    created = o2o(env, tmp_path, "staff", "create-admin", "--login", "it-admin").stdout
    assert "shown once" in created
    assert "OK" in o2o(env, tmp_path, "check").stdout
    assert re.search(r"OK, \d+ entries", o2o(env, tmp_path, "audit", "verify").stdout)
    assert "audit log" in o2o(env, tmp_path, "audit", "search", "--actor", "ops").stdout
    # production without https, providers or a key file: doctor names what is missing and exits 1
    doctor = o2o(env, tmp_path, "doctor", ok=False)
    assert doctor.returncode == 1 and "fail" in doctor.stdout and "is not https://" in doctor.stdout
    o2o(env, tmp_path, "backup", str(tmp_path / "backups"))
    manifest = next((tmp_path / "backups").glob("*.manifest.json"))
    refused = o2o(env, tmp_path, "restore", str(manifest), ok=False)  # the database has rows
    assert refused.returncode == 2 and "not empty" in " ".join(refused.stdout.split())
    assert "every count matches" in o2o(env, tmp_path, "restore", str(manifest), "--force").stdout
    assert "OK" in o2o(env, tmp_path, "check").stdout
