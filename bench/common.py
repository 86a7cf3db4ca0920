"""Shared by the benchmarks: machine info, results files, percentiles, tables, databases, RSS/CPU.

Benchmarks measure; they assert nothing about time.
"""

from __future__ import annotations

import atexit
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]  # the bench's own tree: `bench` and `tests` come from here
# the `o2o` package measured: this tree's src, or another checkout's (`--baseline` runs this bench in a
# subprocess with O2O_BENCH_SRC and PYTHONPATH naming an older tree's src). SRC goes first on sys.path,
# ahead of ROOT and of the venv's editable .pth entry (which names ROOT/src).
SRC = Path(os.environ.get("O2O_BENCH_SRC") or ROOT / "src").resolve()
for _p in (str(ROOT), str(SRC)):
    while _p in sys.path:
        sys.path.remove(_p)
    sys.path.insert(0, _p)

import sqlalchemy  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

import o2o  # noqa: E402
from o2o.kernel.db import Database  # noqa: E402
from o2o.kernel.migrate import upgrade  # noqa: E402

O2O_FILE = str(Path(o2o.__file__).resolve())
if not O2O_FILE.startswith(str(SRC) + os.sep):
    raise ImportError(f"o2o imported from {O2O_FILE}, not from {SRC} (O2O_BENCH_SRC / PYTHONPATH)")

RESULTS = ROOT / "bench" / "results"
console = Console(width=None if sys.stdout.isatty() else 200)

# the honest default: every commit is durable before it is acknowledged
DURABLE_PG = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
# Shanghai urban area
LAT0, LAT1, LNG0, LNG1 = 30.95, 31.40, 121.20, 121.70


# -- numbers ------------------------------------------------------------------------------------
def pct(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of unsorted values; nan when empty."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * q / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def ms_summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p90/p99/max/mean in milliseconds of a list of durations in seconds."""
    if not seconds:
        return {"n": 0}
    return {"n": len(seconds), "p50_ms": round(pct(seconds, 50) * 1e3, 3), "p90_ms": round(pct(seconds, 90) * 1e3, 3),
            "p99_ms": round(pct(seconds, 99) * 1e3, 3), "max_ms": round(max(seconds) * 1e3, 3),
            "mean_ms": round(sum(seconds) / len(seconds) * 1e3, 3)}


def random_point(rng: random.Random) -> tuple[float, float]:
    return rng.uniform(LAT0, LAT1), rng.uniform(LNG0, LNG1)


# -- machine and results ------------------------------------------------------------------------
def pg_version() -> str | None:
    from tests.pgserver import find_pg_bin

    bin_dir = find_pg_bin()
    if bin_dir is None:
        return None
    out = subprocess.run([str(bin_dir / "postgres"), "--version"], capture_output=True, text=True, check=False)
    return out.stdout.strip() or None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _git_commit(tree: Path) -> str:
    """The short commit of the checkout holding `tree`, +dirty-src if its src has uncommitted changes."""
    top = tree.parent if tree.name == "src" else tree
    out = subprocess.run(["git", "-C", str(top), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                         check=False)
    dirty = subprocess.run(["git", "-C", str(top), "status", "--porcelain", "src"], capture_output=True, text=True,
                           check=False).stdout.strip()
    return out.stdout.strip() + ("+dirty-src" if dirty else "")


def o2o_file(env: dict[str, str] | None = None) -> str:
    """Where `import o2o` resolves for a subprocess started with env (the server's), cwd ROOT."""
    out = subprocess.run([sys.executable, "-c", "import o2o; print(o2o.__file__)"], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=False)
    return out.stdout.strip() or f"? {out.stderr.strip()[-300:]}"


def machine_info() -> dict[str, Any]:
    mem_kb = next((int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
                   if ln.startswith("MemTotal")), 0)
    return {"cpu_count": os.cpu_count(), "cpu_model": _cpu_model(), "mem_total_mb": mem_kb // 1024,
            "platform": platform.platform(), "python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version,
            "sqlalchemy": sqlalchemy.__version__, "postgresql": pg_version(),
            "date": datetime.now(UTC).isoformat(timespec="seconds"), "git": _git_commit(SRC),
            "bench_git": _git_commit(ROOT), "o2o_file": O2O_FILE,
            "loadavg_1_5_15_at_write": [round(x, 2) for x in os.getloadavg()]}


def write_result(name: str, parameters: dict[str, Any], figures: Any, notes: list[str] | None = None,
                 elapsed_s: float | None = None, path: Path | None = None) -> Path:
    """bench/results/<name>.json, or `path` (the baseline half of `--baseline` writes elsewhere)."""
    if path is None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{name}.json"
    doc = {"benchmark": name, "machine": machine_info(), "parameters": parameters, "figures": figures,
           "notes": notes or [], "elapsed_s": None if elapsed_s is None else round(elapsed_s, 1)}
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n")
    console.print(f"[dim]wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}[/]")
    return path


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = Table(title=title, title_justify="left")
    for i, col in enumerate(columns):
        table.add_column(col, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*[_fmt(v) for v in row])
    console.print(table)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return "-" if v != v else (f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}")
    return str(v)


# -- databases ----------------------------------------------------------------------------------
@contextmanager
def pg_server(settings: dict[str, str] | None = None) -> Iterator[Any]:
    """A throw-away PostgreSQL cluster, durable (fsync=on, synchronous_commit=on) unless told."""
    from tests.pgserver import PgServer

    with PgServer(settings={**DURABLE_PG, **(settings or {})}) as server:
        yield server


def pg_settings_used(server: Any) -> dict[str, str]:
    keys = ("fsync", "synchronous_commit", "full_page_writes", "shared_buffers", "max_connections")
    return {k: server.settings.get(k, "") for k in keys}


def fresh_database(kind: str, name: str, *, pg: Any = None, tmp: Path | None = None, pool_size: int = 20,
                   **kw: Any) -> Database:
    """A brand-new migrated database: a SQLite file under tmp, or a new database on the pg server."""
    if kind == "sqlite":
        assert tmp is not None
        url = f"sqlite:///{tmp / (name + '.db')}"
    else:
        pg.create_database(name)
        url = pg.url(name)
    db = Database.from_url(url, pool_size=pool_size, **kw)
    upgrade(db.engine)
    return db


def scratch_dir(prefix: str) -> Path:
    """A temporary directory removed when the process exits (SQLite files can be hundreds of MB)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, True)
    return path


def analyze(db: Database) -> None:
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def warm_pool(db: Database, n: int) -> None:
    """Open n pooled connections at once so no timed work pays for connecting."""
    conns = [db.engine.connect() for _ in range(n)]
    for c in conns:
        c.exec_driver_sql("SELECT 1")
        c.rollback()
        c.close()


# -- processes ----------------------------------------------------------------------------------
def descendants(pid: int) -> list[int]:
    """pid's children, grandchildren... found by scanning /proc (no psutil here)."""
    parent: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
                parent[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    out, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        out += kids
        frontier += kids
    return out


def vmhwm_mb(pid: int) -> float | None:
    """Peak resident set (VmHWM) of one process, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def tree_peak_rss(pid: int) -> dict[str, Any]:
    procs = {p: vmhwm_mb(p) for p in [pid, *descendants(pid)]}
    procs = {p: round(v, 1) for p, v in procs.items() if v is not None}
    return {"per_process_mb": procs, "max_mb": max(procs.values(), default=0.0),
            "sum_mb": round(sum(procs.values()), 1)}


def cpu_by_pid(pids: Sequence[int]) -> dict[int, float]:
    """utime+stime in seconds of each live process."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            out[p] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, ValueError, IndexError):
            continue
    return out


def tree_cpu(root: int) -> dict[int, float]:
    return cpu_by_pid([root, *descendants(root)])


def cpu_used(before: dict[int, float], root: int) -> dict[int, float]:
    """CPU seconds per process of the tree under root since `before` (processes born since count from 0)."""
    return {p: v - before.get(p, 0.0) for p, v in tree_cpu(root).items()}


def self_cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def self_maxrss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def now_s() -> float:
    return time.perf_counter()
