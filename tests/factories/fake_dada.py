"""A local fake of Dada's open platform (a real HTTP server on 127.0.0.1 in a thread), answering in Dada's
shape: `/api/order/queryDeliverFee`, `/api/order/addAfterQuery`, `/api/order/addOrder`,
`/api/order/formalCancel`, `/api/order/addTip`, `/api/order/status/query`.

It checks OUR call as Dada does, written here on its own (not through the adapter's signing code): the
envelope's fields (`app_key`, `timestamp`, `format`, `v`, `source_id`, `body` as a JSON string,
`signature`), the app key, the signature (MD5 of secret + sorted key+value pairs + secret, upper case),
and each business body's field names. `script` queues what the next calls answer instead: "http500",
"busy" (code -1) or "fail:<code>" (a business refusal).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ENVELOPE = {"app_key", "timestamp", "format", "v", "source_id", "body", "signature"}
ORDER_FIELDS = {"shop_no", "origin_id", "city_code", "cargo_price", "cargo_weight", "is_prepay", "receiver_name",
                "receiver_address", "receiver_lat", "receiver_lng", "receiver_phone", "callback"}
BODIES = {"/api/order/queryDeliverFee": ORDER_FIELDS, "/api/order/addOrder": ORDER_FIELDS,
          "/api/order/addAfterQuery": {"deliveryNo"},
          "/api/order/formalCancel": {"order_id", "cancel_reason_id", "cancel_reason"},
          "/api/order/addTip": {"order_id", "tips", "city_code", "info"},
          "/api/order/status/query": {"order_id"}}


class _Server(ThreadingHTTPServer):
    daemon_threads = True


def dada_callback(order_id: str, client_id: str, status: int, update_time: int, **extra: Any) -> bytes:
    """A callback as Dada sends it: signed with MD5 over three of its values and no secret."""
    fields = {"client_id": client_id, "order_id": order_id, "order_status": status, "cancel_reason": "",
              "cancel_from": 0, "update_time": update_time, "dm_id": 0, "dm_name": "", "dm_mobile": "", **extra}
    sig = hashlib.md5("".join(sorted([client_id, order_id, str(update_time)])).encode()).hexdigest()
    return json.dumps({**fields, "signature": sig}).encode()


def dada_md5(secret: str, params: dict[str, Any]) -> str:
    joined = "".join(f"{k}{params[k]}" for k in sorted(params) if k != "signature")
    return hashlib.md5(f"{secret}{joined}{secret}".encode()).hexdigest().upper()


@dataclass
class FakeDada:
    app_key: str = "dada-app-key"
    app_secret: str = "dada-app-secret"
    source_id: str = "73753"
    script: list[str] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)  # origin id -> what we know of it
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @staticmethod
    def _fail(code: int, msg: str) -> tuple[int, Any]:
        return 200, {"status": "fail", "code": code, "msg": msg, "result": None}

    @staticmethod
    def _ok(result: Any) -> tuple[int, Any]:
        return 200, {"status": "success", "code": 0, "msg": "成功", "result": result}

    def answer(self, path: str, raw: bytes) -> tuple[int, Any]:
        try:
            env = json.loads(raw)
        except ValueError:
            return self._fail(2001, "not json")
        if not isinstance(env, dict) or set(env) != ENVELOPE:
            return self._fail(2002, f"envelope fields {sorted(env) if isinstance(env, dict) else env}")
        if env["app_key"] != self.app_key or env["source_id"] != self.source_id:
            return self._fail(2003, "unknown app_key")
        if env["format"] != "json" or env["v"] != "1.0" or not str(env["timestamp"]).isdigit():
            return self._fail(2004, "bad envelope values")
        if env["signature"] != dada_md5(self.app_secret, env):
            return self._fail(2005, "signature mismatch")
        body = json.loads(env["body"])
        with self.lock:
            self.calls.append((path, body))
            step = self.script.pop(0) if self.script else ""
        if step == "http500":
            return 500, "<html>error</html>"
        if step == "busy":
            return self._fail(-1, "系统繁忙")
        if step.startswith("fail:"):
            return self._fail(int(step.split(":")[1]), "超出配送范围")
        wanted = BODIES.get(path)
        if wanted is None:
            return 404, {"status": "fail", "code": 404, "msg": "no such api"}
        if set(body) != wanted:
            return self._fail(2006, f"body fields {sorted(body)} != {sorted(wanted)}")
        with self.lock:
            if path == "/api/order/queryDeliverFee":
                no = f"Dada{body['origin_id']}"
                self.orders[body["origin_id"]] = {"deliveryNo": no, "status": 0, "tips": 0.0, **body}
                return self._ok({"distance": 1234.0, "fee": 7.5, "deliverFee": 7.5, "deliveryNo": no})
            if path == "/api/order/addAfterQuery":
                found = next((o for o in self.orders.values() if o["deliveryNo"] == body["deliveryNo"]), None)
                if found is None:
                    return self._fail(2105, "deliveryNo expired")
                found["status"] = 1
                return self._ok({})
            if path == "/api/order/addOrder":
                self.orders[body["origin_id"]] = {"deliveryNo": f"Dada{body['origin_id']}", "status": 1,
                                                  "tips": 0.0, **body}
                return self._ok({"distance": 1234.0, "fee": 7.5, "deliverFee": 7.5})
            order = self.orders.get(body["order_id"])
            if order is None:
                return self._fail(2076, "order not found")
            if path == "/api/order/formalCancel":
                order["status"] = 5
                return self._ok({"deduct_fee": 0.0})
            if path == "/api/order/addTip":
                order["tips"] += float(body["tips"])
                return self._ok({})
            return self._ok({"orderId": body["order_id"], "statusCode": order["status"], "statusMsg": "",
                             "transporterName": order.get("rider", ""), "transporterPhone": order.get("phone", ""),
                             "deliveryFee": 7.5, "tips": order["tips"],
                             "updateTime": order.get("updateTime", "2026-11-24 10:05:00")})

    def start(self) -> FakeDada:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, body = fake.answer(self.path, raw)
                out = body.encode() if isinstance(body, str) else json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(out)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
