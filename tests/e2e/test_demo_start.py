"""`o2o demo`: a port already taken is one clear line before anything is seeded (and the README's ways to
choose another work: --port and O2O_PORT); the start banner lists the storefront, the store console and
the back-office with the demo sign-ins."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

from tests.e2e.test_cli_commands import TINY, _env, _free_port, _start, _stop, o2o, started  # noqa: F401


def test_a_busy_port_is_one_clear_line_before_seeding(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        db = tmp_path / "o2o.db"
        env = _env(tmp_path, O2O_ENV="dev", O2O_DATABASE_URL=f"sqlite:///{db}", O2O_PORT=str(port))
        t0 = time.monotonic()
        r = o2o(env, tmp_path, "demo", ok=False)
        took = time.monotonic() - t0
    assert r.returncode == 1
    lines = [line for line in r.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, r.stdout
    assert f"cannot start: 127.0.0.1:{port} is not free" in lines[0]
    assert "make demo PORT=8100, o2o demo --port 8100 or O2O_PORT=8100" in lines[0]
    assert not db.exists() and took < 30  # nothing migrated, nothing seeded


def _banner(proc: subprocess.Popen[str], until: str, timeout: float = 90) -> str:
    deadline, seen = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        if not line and proc.poll() is not None:
            break
        seen.append(line)
        if until in line:
            return "".join(seen)
    raise AssertionError("".join(seen))


def test_the_banner_lists_shop_console_and_admin_and_the_port_option_wins(tmp_path: Path, started):  # noqa: F811
    db = tmp_path / "o2o.db"
    env = _env(tmp_path, O2O_ENV="dev", O2O_DATABASE_URL=f"sqlite:///{db}", O2O_PORT=str(_free_port()))
    o2o(env, tmp_path, "seed", "--seed", "42", *TINY)  # a tiny chain: the demo serves it as it is
    port = _free_port()
    demo = _start(env, tmp_path, "demo", "--port", str(port))
    started.append(demo)
    out = _banner(demo, "Database")
    base = f"http://127.0.0.1:{port}"
    for line in (f"Storefront    {base}/shop", f"Store console {base}/console (clerk, manager)",
                 f"Back-office   {base}/admin (ops, admin)"):
        assert line in out, out
    assert "demo logins" in out and "clerk" in out and "o2o-demo-2026" in out
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    assert httpx.get(f"{base}/shop", timeout=10).status_code == 200
    code, _ = _stop(demo)
    assert code in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it has shut down
