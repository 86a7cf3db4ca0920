"""wrk (Debian's, LuaJIT scripting) as a load generator that costs little CPU.

`run()` writes a Lua script (the caller's `request()` part, if any, plus the counting hooks below),
runs `wrk` as a subprocess and parses the one JSON line the script's `done()` prints:
status classes (2xx, 4xx, 503, other 5xx, other) counted in `response()` per thread and summed over
the threads kept by `setup()`, wrk's socket errors (connect/read/write/timeout), latency percentiles
(wrk measures every response, whatever its status) and a quantile grid so several runs can be merged
(`merge()`). wrk's own CPU time is taken from the rusage of the finished child.

    res = run("http://127.0.0.1:8000/healthz", connections=16, threads=2, seconds=5, script_dir=tmp)
"""

from __future__ import annotations

import bisect
import json
import resource
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

WRK = shutil.which("wrk") or "/usr/bin/wrk"
MARK = "WRKJSON "
CLASSES = ("2xx", "4xx", "503", "5xx", "other")
SOCKET_ERRORS = ("connect", "read", "write", "timeout")
# percentiles reported per run, for merging runs: 0.5-step to 99, then the tail
GRID = [i / 2 for i in range(1, 199)] + [99.1, 99.2, 99.3, 99.4, 99.5, 99.6, 99.7, 99.8, 99.9, 99.95, 99.99, 100.0]

COUNTING_LUA = r"""
-- status classes and the JSON report (appended by bench/wrk.py)
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

n2xx, n4xx, n503, n5xx, nother = 0, 0, 0, 0, 0
local function sample(status, body)
  return status .. " " .. string.sub(body or "", 1, 300)
end
function response(status, headers, body)
  if status >= 200 and status < 300 then n2xx = n2xx + 1
  elseif status == 503 then n503 = n503 + 1; if s503 == nil then s503 = sample(status, body) end
  elseif status >= 500 then n5xx = n5xx + 1; if s5xx == nil then s5xx = sample(status, body) end
  elseif status >= 400 then n4xx = n4xx + 1; if s4xx == nil then s4xx = sample(status, body) end
  else nother = nother + 1; if sother == nil then sother = sample(status, body) end
  end
end

local function jstr(s)
  return '"' .. string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

function done(summary, latency, requests)
  local out = {}
  local counts = {["2xx"] = "n2xx", ["4xx"] = "n4xx", ["503"] = "n503", ["5xx"] = "n5xx", other = "nother"}
  local parts = {}
  for key, var in pairs(counts) do
    local n = 0
    for _, t in ipairs(threads) do n = n + (t:get(var) or 0) end
    table.insert(parts, jstr(key) .. ":" .. n)
  end
  table.insert(out, '"status":{' .. table.concat(parts, ",") .. "}")
  parts = {}
  for _, key in ipairs({"4xx", "503", "5xx", "other"}) do
    for _, t in ipairs(threads) do
      local v = t:get("s" .. key)
      if v ~= nil then table.insert(parts, jstr(key) .. ":" .. jstr(v)); break end
    end
  end
  table.insert(out, '"samples":{' .. table.concat(parts, ",") .. "}")
  local e = summary.errors
  table.insert(out, string.format('"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"status_errors":%d',
    e.connect, e.read, e.write, e.timeout, e.status))
  table.insert(out, string.format('"duration_us":%d,"requests":%d,"bytes":%d,"threads":%d',
    summary.duration, summary.requests, summary.bytes, #threads))
  local any = summary.requests > 0
  table.insert(out, string.format('"latency_us":{"min":%.0f,"max":%.0f,"mean":%.1f,"stdev":%.1f}',
    any and latency.min or 0, any and latency.max or 0, any and latency.mean or 0, any and latency.stdev or 0))
  parts = {}
  for _, p in ipairs({@GRID@}) do
    -- wrk's percentile(100) finds no bucket (its rank is count + 1): the maximum is latency.max
    table.insert(parts, string.format("%.0f", p >= 100 and latency.max or latency:percentile(p)))
  end
  table.insert(out, '"quantiles_us":[' .. table.concat(parts, ",") .. "]")
  io.write("WRKJSON {" .. table.concat(out, ",") .. "}\n")
end
""".replace("@GRID@", ", ".join(repr(p) for p in GRID))


def lua_str(s: str) -> str:
    """A Lua string literal (JSON's escapes are valid Lua for ASCII; non-ASCII goes as UTF-8 bytes)."""
    return json.dumps(s, ensure_ascii=False)


def script(request_lua: str = "") -> str:
    return request_lua.rstrip() + "\n" + COUNTING_LUA


def run(url: str, *, connections: int, threads: int, seconds: int, script_dir: Path, label: str,
        request_lua: str = "", timeout_s: int = 10) -> dict[str, Any]:
    """One wrk run; figures in requests/s and milliseconds, `quantiles_us` kept for `merge()`."""
    script_dir.mkdir(parents=True, exist_ok=True)
    path = script_dir / f"{label}.lua"
    path.write_text(script(request_lua))
    cmd = [WRK, f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", f"--timeout={int(timeout_s)}s",
           "-s", str(path), url]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, capture_output=True, check=False, timeout=seconds + timeout_s + 60)
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    stdout = out.stdout.decode(errors="replace")
    line = next((ln for ln in stdout.splitlines() if ln.startswith(MARK)), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {' '.join(cmd)}\n{stdout[-2000:]}\n"
                           f"{out.stderr.decode(errors='replace')[-2000:]}")
    raw = json.loads(line[len(MARK):])
    secs = raw["duration_us"] / 1e6
    res = _figures(raw["status"], raw["requests"], secs, raw["quantiles_us"], raw["latency_us"]["max"])
    res.update({"label": label, "command": " ".join(cmd[:-3] + ["-s", f"{label}.lua", url]),
                "connections": connections, "threads": threads, "socket_errors": raw["socket_errors"],
                "samples": raw["samples"], "bytes": raw["bytes"],
                "latency_mean_ms": round(raw["latency_us"]["mean"] / 1e3, 3),
                "wrk_cpu_s": round((ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime), 2),
                "quantiles_us": raw["quantiles_us"]})
    res["wrk_cpu_cores"] = round(res["wrk_cpu_s"] / secs, 2) if secs else None
    return res


def _figures(status: dict[str, int], requests: int, seconds: float, quantiles_us: Sequence[float],
             max_us: float) -> dict[str, Any]:
    q = dict(zip(GRID, quantiles_us, strict=True))
    return {"seconds": round(seconds, 2), "requests": requests, "status": {k: status.get(k, 0) for k in CLASSES},
            "requests_per_s": round(requests / seconds, 1) if seconds else 0.0,
            "ok_per_s": round(status.get("2xx", 0) / seconds, 1) if seconds else 0.0,
            "latency_ms": {"p50": q[50.0] / 1e3, "p90": q[90.0] / 1e3, "p99": q[99.0] / 1e3, "max": max_us / 1e3}}


def merged_quantile(runs: Sequence[dict[str, Any]], p: float) -> float:
    """The p-th percentile (µs) of the union of the runs' responses, each run's distribution taken as
    its quantile grid weighted by its request count (exact at grid points of a single run)."""
    pts: list[tuple[float, float]] = []
    for r in runs:
        prev = 0.0
        for g, v in zip(GRID, r["quantiles_us"], strict=True):
            pts.append((v, r["requests"] * (g - prev) / 100))
            prev = g
    if not pts:
        return float("nan")
    pts.sort()
    total = sum(w for _, w in pts)
    cum = []
    acc = 0.0
    for _, w in pts:
        acc += w
        cum.append(acc)
    i = bisect.bisect_left(cum, total * p / 100 - 1e-9)
    return pts[min(i, len(pts) - 1)][0]


def merge(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Several runs (e.g. the spread segments) as one: counts summed, rates over the summed seconds,
    percentiles from the merged quantile grids."""
    status = {k: sum(r["status"][k] for r in runs) for k in CLASSES}
    requests = sum(r["requests"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    out = _figures(status, requests, seconds, [merged_quantile(runs, g) for g in GRID],
                   max((r["latency_ms"]["max"] * 1e3 for r in runs), default=0.0))
    out["socket_errors"] = {k: sum(r["socket_errors"][k] for r in runs) for k in SOCKET_ERRORS}
    out["segments"] = len(runs)
    out["wrk_cpu_cores"] = round(sum(r["wrk_cpu_s"] for r in runs) / seconds, 2) if seconds else None
    return out


def round_ms(res: dict[str, Any]) -> dict[str, Any]:
    """Latency figures rounded for the results file; the quantile grid dropped."""
    res = {k: v for k, v in res.items() if k != "quantiles_us"}
    res["latency_ms"] = {k: round(v, 3) for k, v in res["latency_ms"].items()}
    return res
