"""A local fake of AMap's web service API (a real HTTP server on 127.0.0.1 in a thread), answering in
AMap's shape: `/v3/assistant/inputtips`, `/v3/geocode/regeo`, `/v3/geocode/geo`.

It checks OUR call as AMap does: the `key` (else INVALID_USER_KEY, infocode 10001) and, when the key has
a private key, the `sig` over the other parameters (else INVALID_USER_SIGNATURE, 10007). Its places are
given in WGS-84 and answered in GCJ-02, as AMap's are (the published transform, computed here on its
own so a client that forgot to convert is caught). `script` queues what the next calls answer instead:
an AMap status ("DAILY_QUERY_OVER_LIMIT", ...), "http500", "notjson" or "sleep:<s>".
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

INFOCODES = {"INVALID_USER_KEY": "10001", "DAILY_QUERY_OVER_LIMIT": "10003", "ACCESS_TOO_FREQUENT": "10004",
             "INVALID_USER_SIGNATURE": "10007", "INVALID_PARAMS": "20000"}


def gcj(lat: float, lng: float) -> tuple[float, float]:
    """WGS-84 -> GCJ-02 (the published formula, written out again here)."""
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lng - 105.0, lat - 35.0
    t_lat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
             + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
             + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
             + (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0)
    t_lng = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
             + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
             + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
             + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - ee * math.sin(rad) ** 2
    sq = math.sqrt(magic)
    return (lat + t_lat * 180.0 / ((a * (1 - ee)) / (magic * sq) * math.pi),
            lng + t_lng * 180.0 / (a / sq * math.cos(rad) * math.pi))


class _Server(ThreadingHTTPServer):
    daemon_threads = True


@dataclass
class FakeAmap:
    key: str = "amap-key-1"
    private_key: str = ""
    # name -> (district, address, lat, lng WGS-84)
    places: dict[str, tuple[str, str, float, float]] = field(default_factory=dict)
    script: list[str] = field(default_factory=list)
    calls: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _refuse(self, info: str) -> tuple[int, Any]:
        return 200, {"status": "0", "info": info, "infocode": INFOCODES.get(info, "10000")}

    def answer(self, path: str, q: dict[str, str]) -> tuple[int, Any]:
        with self.lock:
            self.calls.append({"path": path, **q})
            step = self.script.pop(0) if self.script else ""
        if step == "http500":
            return 500, "<html>error</html>"
        if step == "notjson":
            return 200, "<html>maintenance</html>"
        if step.startswith("sleep:"):
            time.sleep(float(step.split(":")[1]))
        elif step:
            return self._refuse(step)
        if q.get("key") != self.key:
            return self._refuse("INVALID_USER_KEY")
        if self.private_key:
            sig = q.pop("sig", "")
            raw = "&".join(f"{k}={q[k]}" for k in sorted(q)) + self.private_key
            if sig != hashlib.md5(raw.encode()).hexdigest():
                return self._refuse("INVALID_USER_SIGNATURE")
        if path == "/v3/assistant/inputtips":
            words = q.get("keywords", "")
            if not words:
                return self._refuse("INVALID_PARAMS")
            tips = []
            for name, (district, address, lat, lng) in self.places.items():
                if words in name or words in address:
                    glat, glng = gcj(lat, lng)
                    tips.append({"id": f"B0{len(tips)}", "name": name, "district": f"上海市{district}",
                                 "adcode": "310104", "location": f"{glng:.6f},{glat:.6f}", "address": address,
                                 "typecode": "060101"})
            tips.append({"id": [], "name": f"{words}(公交站)", "district": "上海市", "adcode": "310000",
                         "location": [], "address": [], "typecode": ""})  # a tip without a position
            return 200, {"status": "1", "count": str(len(tips)), "info": "OK", "infocode": "10000", "tips": tips}
        if path == "/v3/geocode/regeo":
            try:
                glng, glat = (float(v) for v in q["location"].split(","))
            except (KeyError, ValueError):
                return self._refuse("INVALID_PARAMS")
            best = min(self.places.items(), key=lambda kv: (gcj(kv[1][2], kv[1][3])[0] - glat) ** 2
                       + (gcj(kv[1][2], kv[1][3])[1] - glng) ** 2, default=None)
            if best is None:
                return 200, {"status": "1", "info": "OK", "regeocode": {"formatted_address": [],
                                                                        "addressComponent": {}}}
            name, (district, address, _, _) = best
            road, _, number = address.partition(" ")
            return 200, {"status": "1", "info": "OK", "infocode": "10000", "regeocode": {
                "formatted_address": f"上海市{district}{address}{name}",
                "addressComponent": {"city": [], "province": "上海市", "district": district,
                                     "streetNumber": {"street": road, "number": number, "direction": "东",
                                                      "distance": "12.3"}}}}
        if path == "/v3/geocode/geo":
            wanted = q.get("address", "")
            hits = [{"formatted_address": f"上海市{d}{a}", "district": d, "location": "{:.6f},{:.6f}".format(*gcj(la, ln)[::-1])}
                    for _, (d, a, la, ln) in self.places.items() if a in wanted or wanted in a]
            return 200, {"status": "1", "info": "OK", "infocode": "10000", "count": str(len(hits)), "geocodes": hits}
        return 404, {"status": "0", "info": "NOT_FOUND"}

    def start(self) -> FakeAmap:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                status, body = fake.answer(parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)))
                raw = body.encode() if isinstance(body, str) else json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
                    self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
