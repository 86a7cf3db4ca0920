"""Local fakes of the WeChat and Douyin mini-program login APIs (a real HTTP server on 127.0.0.1 in a
thread), answering in each platform's shape.

Each fake checks OUR call as the platform does: WeChat `GET /sns/jscode2session?appid&secret&js_code&
grant_type=authorization_code`, Douyin `POST /api/apps/v2/jscode2session` with a JSON body
`{appid, secret, code}`; a wrong app id or secret, an unknown code or a code used before is answered
with the platform's error. `codes` maps the codes the fake "issued" to (openid, unionid);
`script` queues what the next calls answer instead ("busy", "rate", "http500", "sleep:<s>").
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


class _Server(ThreadingHTTPServer):
    daemon_threads = True


@dataclass
class FakePlatform:
    platform: str  # "wechat" | "douyin"
    app_id: str = "tt-app-1"
    secret: str = "app-secret-1"
    codes: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    script: list[str] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def issue(self, code: str, openid: str, unionid: str | None = None) -> str:
        self.codes[code] = (openid, unionid)
        return code

    # --- the platform's answers ----------------------------------------------------------------
    def _wechat(self, method: str, path: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if method != "GET" or path != "/sns/jscode2session":
            return 404, {"errcode": 404, "errmsg": "not found"}
        if query.get("grant_type") != "authorization_code":
            return 200, {"errcode": 40002, "errmsg": "invalid grant_type"}
        if query.get("appid") != self.app_id:
            return 200, {"errcode": 40013, "errmsg": "invalid appid"}
        if query.get("secret") != self.secret:
            return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
        code = query.get("js_code", "")
        if code in self.used:
            return 200, {"errcode": 40163, "errmsg": "code been used"}
        if code not in self.codes:
            return 200, {"errcode": 40029, "errmsg": "invalid code"}
        self.used.add(code)
        openid, unionid = self.codes[code]
        out: dict[str, Any] = {"openid": openid, "session_key": "c2Vzc2lvbi1rZXk="}
        if unionid:
            out["unionid"] = unionid
        return 200, out

    def _douyin(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method != "POST" or path != "/api/apps/v2/jscode2session":
            return 404, {"err_no": 404, "err_tips": "not found"}
        if body.get("appid") != self.app_id:
            return 200, {"err_no": 40015, "err_tips": "bad appid", "data": None}
        if body.get("secret") != self.secret:
            return 200, {"err_no": 40017, "err_tips": "bad secret", "data": None}
        code = body.get("code", "")
        if code in self.used or code not in self.codes:
            return 200, {"err_no": 40018, "err_tips": "bad code", "data": None}
        self.used.add(code)
        openid, unionid = self.codes[code]
        return 200, {"err_no": 0, "err_tips": "success",
                     "data": {"openid": openid, "unionid": unionid or "", "session_key": "c2Vzc2lvbi1rZXk=",
                              "anonymous_openid": ""}}

    def handle(self, method: str, target: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        parts = urlsplit(target)
        query = dict(parse_qsl(parts.query))
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {}
        with self.lock:
            self.calls.append({"method": method, "path": parts.path, "query": query, "body": body})
            scripted = self.script.pop(0) if self.script else "ok"
        if scripted.startswith("sleep:"):
            time.sleep(float(scripted.partition(":")[2]))
        elif scripted == "http500":
            return 500, {"error": "internal"}
        elif scripted == "busy":
            return 200, ({"errcode": -1, "errmsg": "system error"} if self.platform == "wechat"
                         else {"err_no": -1, "err_tips": "system error", "data": None})
        elif scripted == "rate":
            return (200, {"errcode": 45011, "errmsg": "api minute-quota reach limit"}) if self.platform == "wechat" \
                else (429, {"err_no": 429, "err_tips": "too many requests"})
        with self.lock:
            return self._wechat(method, parts.path, query) if self.platform == "wechat" \
                else self._douyin(method, parts.path, body)

    def start(self) -> FakePlatform:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def _answer(self, method: str) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                status, answer = fake.handle(method, self.path, raw)
                out = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

        self.server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
