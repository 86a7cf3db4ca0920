"""`python -m bench place_order --baseline <git-ref> [--after <git-ref>] [--rounds N]`: place_order before
and after, in one run.

The same scenarios run against the code at <git-ref> ("before") and the working tree (or the code at
`--after`), in halves ordered before, after, after, before, ... (`--rounds` pairs, default 2: ABBA).
This machine is shared and drifts (a VM whose speed changes over minutes): run back to back, the half
that ran second came out 10-20% slower whichever code it ran, so a single before-then-after pair
mixed drift into the ratio. In ABBA order a linear drift cancels; each side's figure is the mean of
its halves, and the spread of the halves is printed so noise can be told from code. One side-by-side table (per engine and scenario: orders/s, p99, 503, 5xx + socket errors,
healthz req/s, before -> after and the ratio after/before).

The ref is checked out with `git worktree add --detach /tmp/o2o-baseline-<sha>` (reused if present,
removed once the baseline half is done). The baseline half is this bench (the current bench/ code) in a
subprocess `python -m bench place_order --out <scratch>.json` whose PYTHONPATH (first) and O2O_BENCH_SRC
name the worktree's src: the seeding the bench does in-process and the `o2o serve` subprocess both
import the older `o2o` (each half records `o2o.__file__` for itself and for its server, and refuses to
run if either came from elsewhere). bench/results/place_order.json keeps the working tree's figures plus
`baseline` (ref, commit, and the baseline half's own machine, parameters, figures and notes) and
`comparison` (the table's rows).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.common import RESULTS, ROOT, _fmt, console, print_table, scratch_dir

WORKTREES = Path("/tmp")
# how the current bench meets older code (written into the results file's `baseline.bridged`)
BRIDGES = [
    "the server counts as up when GET /healthz answers 200 (798a145 has it; /readyz only came with 9dfeb2c)",
    "the seeding calls the baseline's own services: locations/catalog/customers create, iam.sign_in_session, "
    "bootstrap.build, inventory.check (signatures unchanged since 798a145; a ref where they differ fails at "
    "set-up with its traceback, there is no shim), and migrates with the baseline's own migrations",
    "shared by both halves, from the working tree: bench/ itself, tests/pgserver.py (the throw-away PostgreSQL "
    "cluster), wrk, and the venv's installed dependencies (the baseline's o2o runs on today's requirements.lock)",
]


def _git(*args: str, cwd: Path = ROOT, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True, check=check)


def resolve(ref: str) -> str:
    out = _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if out.returncode != 0:
        raise SystemExit(f"--baseline {ref}: not a commit in {ROOT}")
    return out.stdout.strip()


def add_worktree(sha: str) -> Path:
    """/tmp/o2o-baseline-<sha>, detached at sha: the existing one if it is a worktree at that commit."""
    path = WORKTREES / f"o2o-baseline-{sha[:12]}"
    registered = {Path(ln.split(" ", 1)[1]) for ln in _git("worktree", "list", "--porcelain").stdout.splitlines()
                  if ln.startswith("worktree ")}
    if path.exists():
        head = _git("rev-parse", "HEAD", cwd=path, check=False).stdout.strip()
        if path in registered and head == sha:
            console.print(f"[dim]reusing worktree {path}[/]")
            return path
        raise SystemExit(f"{path} exists but is not a worktree at {sha[:12]}; remove it and run again")
    cmd = ["worktree", "add", "--detach", *(["--force"] if path in registered else []), str(path), sha]
    out = _git(*cmd, check=False)  # --force: registered but its directory gone (an interrupted run)
    if out.returncode != 0:
        raise SystemExit(f"git {' '.join(cmd)} failed:\n{out.stderr}")
    console.print(f"[dim]git worktree add --detach {path} {sha[:12]}[/]")
    return path


def remove_worktree(path: Path) -> None:
    out = _git("worktree", "remove", "--force", str(path), check=False)
    console.print(f"[dim]git worktree remove --force {path}: {'ok' if out.returncode == 0 else out.stderr.strip()}[/]")


def run_baseline(src: Path, args: list[str], out: Path) -> dict[str, Any]:
    """This bench in a subprocess against src's o2o; its JSON document."""
    env = {**os.environ, "O2O_BENCH_SRC": str(src),
           "PYTHONPATH": os.pathsep.join([str(src), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))])}
    cmd = [sys.executable, "-m", "bench", "place_order", *args, "--out", str(out)]
    rc = subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode
    if rc != 0 or not out.exists():
        raise SystemExit(f"the baseline half failed (exit {rc}): {' '.join(cmd)}")
    return json.loads(out.read_text())


# -- before -> after ----------------------------------------------------------------------------
COLS = {"orders_per_s": 4, "p99_ms": 6, "n503": 9}  # indexes into place_order._rows


def _by_scenario(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    from bench.place_order import _rows

    p = doc["parameters"]
    out = {}
    for e in doc["figures"]["engines"]:
        for r in _rows(e, p["connections"], p["flash_connections"]):
            row = {k: None if r[i] == "-" else r[i] for k, i in COLS.items()}
            row["n2xx"] = r[7]
            row["n5xx_plus_socket_errors"] = r[10] + r[11]
            row["healthz_req_per_s"] = r[12]
            out[(r[0], r[1])] = row
    out[("postgresql", "pgbench -N (ceiling)")] = {"tps": doc["figures"]["pgbench_tps"]}
    return out


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and v == v else None


def _ratio(before: Any, after: Any) -> float | None:
    b, a = _num(before), _num(after)
    return round(a / b, 3) if a is not None and b else None


def _arrow(c: dict[str, Any] | None) -> str:
    if c is None:
        return ""
    b, a = (_fmt(v) if v is not None else "-" for v in (c["before"], c["after"]))
    return f"{b} -> {a}"


def _x(c: dict[str, Any] | None) -> str:
    return "-" if c is None or c["ratio"] is None else f"{c['ratio']:.2f}"


def print_comparison(rows: list[dict[str, Any]], ref: str, sha: str, after_name: str = "working tree",
                     halves: int = 1) -> None:
    table = []
    for r in rows:
        if "tps" in r:
            table.append([r["engine"], r["scenario"], _arrow(r["tps"]) + " tps", _x(r["tps"]), "", "", "", "", "", ""])
            continue
        rate = "orders_per_s" if _num(r["orders_per_s"]["after"]) is not None else "n2xx"  # one-shot: a count
        table.append([r["engine"], r["scenario"], _arrow(r[rate]) + (" 2xx" if rate == "n2xx" else ""), _x(r[rate]),
                      _arrow(r["p99_ms"]), _x(r["p99_ms"]), _arrow(r["n503"]), _arrow(r["n5xx_plus_socket_errors"]),
                      _arrow(r["healthz_req_per_s"]), _x(r["healthz_req_per_s"])])
    print_table(f"place_order before -> after: {ref} ({sha[:12]}) -> {after_name} (means of {halves} halves a side; "
                "x = after / before; one-shot: how many of its orders sent at once got a 2xx)",
                ["engine", "scenario", "orders/s", "x", "p99 ms", "x", "503", "5xx + sock err", "healthz req/s", "x"],
                table)


def _mean_rows(docs: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Per scenario, the mean of each numeric field over the halves (None when a half lacks it)."""
    per = [_by_scenario(d) for d in docs]
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for key in dict.fromkeys(k for p in per for k in p):
        rows = [p.get(key, {}) for p in per]
        out[key] = {}
        for f in dict.fromkeys(f for r in rows for f in r):
            vals = [_num(r.get(f)) for r in rows]
            nums = [v for v in vals if v is not None]
            out[key][f] = round(sum(nums) / len(nums), 1) if nums and len(nums) == len(vals) else None
    return out


def _spread_of(docs: list[dict[str, Any]]) -> list[float | None]:
    """Spread orders/s per half (SQLite and PostgreSQL), in the order the halves ran."""
    return [_num(_by_scenario(d).get((e, "spread"), {}).get("orders_per_s")) for d in docs for e in ("sqlite", "postgresql")]


def compare(before: dict[Any, dict[str, Any]], after: dict[Any, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for key in [*after, *(k for k in before if k not in after)]:
        rb, ra = before.get(key, {}), after.get(key, {})
        row: dict[str, Any] = {"engine": key[0], "scenario": key[1]}
        for f in dict.fromkeys([*ra, *rb]):
            row[f] = {"before": rb.get(f), "after": ra.get(f), "ratio": _ratio(rb.get(f), ra.get(f))}
        out.append(row)
    return out


def main(ref: str, after_ref: str | None = None, rounds: int = 2, **kw: Any) -> int:
    """kw: place_order.main's quick, clients, burst_clients, seconds, workers."""
    sha = resolve(ref)
    after_sha = resolve(after_ref) if after_ref else None
    args = ["--clients", str(kw["clients"]), "--burst-clients", str(kw["burst_clients"]),
            "--workers", str(kw["workers"]), *(["--quick"] if kw["quick"] else []),
            *(["--seconds", str(kw["seconds"])] if kw["seconds"] else [])]
    scratch = scratch_dir("bench-baseline-")
    path = add_worktree(sha)
    after_path = add_worktree(after_sha) if after_sha else None
    after_src = after_path / "src" if after_path else ROOT / "src"
    after_name = f"{after_ref} = {after_sha[:12]}" if after_sha else "the working tree"
    order = [side for r in range(max(1, rounds)) for side in (("before", "after") if r % 2 == 0 else ("after", "before"))]
    docs: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    try:
        for i, side in enumerate(order):
            src, name = (path / "src", f"{ref} = {sha[:12]}") if side == "before" else (after_src, after_name)
            console.rule(f"place_order half {i + 1}/{len(order)}: {side.upper()}: {name}, o2o from {src}")
            docs[side].append(run_baseline(src, args, scratch / f"half-{i + 1}-{side}.json"))
    finally:
        remove_worktree(path)
        if after_path:
            remove_worktree(after_path)
    before, after = _mean_rows(docs["before"]), _mean_rows(docs["after"])
    rows = compare(before, after)
    print_comparison(rows, ref, sha, after_name, len(docs["before"]))
    halves = [{"half": i + 1, "side": side, "spread_orders_per_s_sqlite_pg": None} for i, side in enumerate(order)]
    seen = {"before": 0, "after": 0}
    for h in halves:
        h["spread_orders_per_s_sqlite_pg"] = _spread_of([docs[h["side"]][seen[h["side"]]]])
        seen[h["side"]] += 1
    print_table("spread orders/s of each half, in the order they ran (sqlite, postgresql)",
                ["half", "side", "sqlite", "postgresql"],
                [[h["half"], h["side"], *h["spread_orders_per_s_sqlite_pg"]] for h in halves])
    doc = docs["after"][-1]
    doc["baseline"] = {"ref": ref, "commit": sha, "worktree": str(path),
                       "o2o_file": docs["before"][0]["parameters"]["code"]["o2o_file"],
                       "server_o2o_file": docs["before"][0]["parameters"]["code"]["server_o2o_file"],
                       "bridged": BRIDGES, "halves": [{k: d[k] for k in ("machine", "parameters", "figures", "notes",
                                                                          "elapsed_s")} for d in docs["before"]]}
    doc["after_halves"] = [{k: d[k] for k in ("parameters", "figures", "elapsed_s")} for d in docs["after"]]
    doc["after_ref"] = {"ref": after_ref, "commit": after_sha} if after_sha else None
    doc["order_of_halves"] = halves
    doc["comparison"] = rows
    doc["notes"].append("baseline: the same bench code run against `baseline.commit` and against the working tree "
                        "(or `after_ref`), each from its own src first on PYTHONPATH, in halves ordered before, "
                        "after, after, before (ABBA) so the machine's drift cancels; each side's figures are the "
                        "mean of its halves (`order_of_halves` shows each half's spread figure); comparison: "
                        "ratio = after / before. Compare the healthz and pgbench rows to tell code from noise.")
    result = RESULTS / "place_order.json"
    result.write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n")
    console.print(f"[dim]wrote {result.relative_to(ROOT)} ({after_name}, with baseline {sha[:12]}, "
                  f"{len(order)} halves)[/]")
    return 0
