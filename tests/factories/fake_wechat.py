"""A local fake of the WeChat API's two calls we make (stable_token, subscribe/send): a real HTTP
server on 127.0.0.1. It checks the app id and secret, hands out tokens, refuses a stale or unknown
token (42001 / 40001) and a message to an openid that gave no consent (43101)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class _Server(ThreadingHTTPServer):
    daemon_threads = True


@dataclass
class FakeWechat:
    app_id: str = "wx0123456789abcdef"
    secret: str = "wechat-test-secret"
    token_calls: int = 0
    tokens: list[str] = field(default_factory=list)  # the last one is valid
    sent: list[dict[str, Any]] = field(default_factory=list)
    refused_openids: set[str] = field(default_factory=set)
    script: list[str] = field(default_factory=list)  # next send answers: "ok", "expire", "busy", "500"
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeWechat:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
                split = urlsplit(self.path)
                with fake.lock:
                    status, answer = fake.handle(split.path, parse_qs(split.query), body)
                out = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, path: str, query: dict[str, list[str]], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if path == "/cgi-bin/stable_token":
            if body.get("grant_type") != "client_credential" or body.get("appid") != self.app_id:
                return 200, {"errcode": 40013, "errmsg": "invalid appid"}
            if body.get("secret") != self.secret:
                return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
            self.token_calls += 1
            if body.get("force_refresh") or not self.tokens:
                self.tokens.append(f"token-{len(self.tokens) + 1}")
            return 200, {"access_token": self.tokens[-1], "expires_in": 7200}
        if path == "/cgi-bin/message/subscribe/send":
            token = (query.get("access_token") or [""])[0]
            answer = self.script.pop(0) if self.script else "ok"
            if answer == "500":
                return 500, {}
            if answer == "busy":
                return 200, {"errcode": -1, "errmsg": "system error"}
            if answer == "expire" and self.tokens:
                self.tokens.append(f"token-{len(self.tokens) + 1}")  # the old one stops working
            if not self.tokens or token != self.tokens[-1]:
                return 200, {"errcode": 42001 if token in self.tokens else 40001, "errmsg": "access_token expired"}
            if body.get("touser") in self.refused_openids:
                return 200, {"errcode": 43101, "errmsg": "user refuse to accept the msg"}
            self.sent.append(body)
            return 200, {"errcode": 0, "errmsg": "ok", "msgid": 7000 + len(self.sent)}
        return 404, {"errcode": 404}
