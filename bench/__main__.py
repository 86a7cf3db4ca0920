"""`python -m bench [reserve|place_order|routing|search|points|coupons|dashboard|promotions|pos_sync|fulfillment_sim|all] [--quick] [--big] [--clients N] [--workers N]`.

`python -m bench place_order --baseline <git-ref>` runs place_order first against the code at <git-ref>
(a git worktree, see bench/baseline.py), then against the working tree, and prints before -> after.

`all` runs each benchmark in its own process (so peak RSS and state are per benchmark) and prints
how long each took. Benchmarks measure; they assert nothing about time.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import time
from pathlib import Path

from bench.common import ROOT, console, print_table

NAMES = ("reserve", "place_order", "routing", "search", "points", "coupons", "dashboard", "promotions", "pos_sync",
         "fulfillment_sim")


def _args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name", nargs="?", default="all", choices=[*NAMES, "all"])
    p.add_argument("--quick", action="store_true", help="shorter runs (smoke test of the benchmarks)")
    p.add_argument("--big", action="store_true", help="routing: also 2,000 stores x 50,000 SKUs")
    p.add_argument("--clients", type=int, default=16, help="place_order: wrk connections of the spread/hot runs")
    p.add_argument("--burst-clients", type=int, default=200, help="place_order: connections of the flash crowd")
    p.add_argument("--seconds", type=float, default=None, help="place_order: seconds per spread/hot segment")
    p.add_argument("--workers", type=int, default=2, help="place_order: uvicorn workers (o2o serve --workers)")
    p.add_argument("--baseline", metavar="GIT_REF", help="place_order: run first against the code at GIT_REF, "
                   "then against the working tree; one before -> after table, both in the JSON")
    p.add_argument("--after", metavar="GIT_REF", help="place_order with --baseline: the code at GIT_REF instead of "
                   "the working tree")
    p.add_argument("--rounds", type=int, default=2, help="place_order with --baseline: pairs of halves, run "
                   "before, after, after, before, ... (default 2)")
    p.add_argument("--out", type=Path, help="place_order: write the JSON here instead of bench/results/")
    a = p.parse_args(argv)
    if (a.baseline or a.out) and a.name != "place_order":
        p.error("--baseline and --out apply to place_order only")
    if a.baseline and a.out:
        p.error("--baseline writes bench/results/place_order.json; --out is for a single half")
    return a


def _run_one(a: argparse.Namespace) -> None:
    mod = importlib.import_module(f"bench.{a.name}")
    if a.name == "routing":
        mod.main(quick=a.quick, big=a.big)
    elif a.name == "place_order":
        kw = {"quick": a.quick, "clients": a.clients, "burst_clients": a.burst_clients, "seconds": a.seconds,
              "workers": a.workers}
        if a.baseline:
            importlib.import_module("bench.baseline").main(a.baseline, a.after, a.rounds, **kw)
        else:
            mod.main(out=a.out, **kw)
    else:
        mod.main(quick=a.quick)


def main(argv: list[str] | None = None) -> int:
    a = _args(argv)
    if a.name != "all":
        _run_one(a)
        return 0
    extra = [f for f, on in (("--quick", a.quick), ("--big", a.big)) if on]
    extra += ["--clients", str(a.clients), "--burst-clients", str(a.burst_clients), "--workers", str(a.workers)]
    if a.seconds:
        extra += ["--seconds", str(a.seconds)]
    rows, failed = [], 0
    t_all = time.perf_counter()
    for name in NAMES:
        console.rule(f"bench {name}")
        t0 = time.perf_counter()
        rc = subprocess.run([sys.executable, "-m", "bench", name, *extra], cwd=ROOT, check=False).returncode
        failed += rc != 0
        rows.append([name, "ok" if rc == 0 else f"exit {rc}", round(time.perf_counter() - t0, 1)])
    rows.append(["total", "", round(time.perf_counter() - t_all, 1)])
    print_table("benchmarks run", ["benchmark", "status", "seconds"], rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
