"""One log format for every process (`serve` and its workers, `worker`, `demo`): one line per event,
with the time, level, process id and logger; request lines name their request id.

`O2O_LOG_FORMAT=json`: one JSON object per line instead (time, level, pid, logger, message,
request_id, and the traceback as `exc`), for a log collector. The request id of the HTTP request
being served (or, in the relay, of the request that caused the event being handled) is in a context
variable: the ASGI guard sets it, the outbox stores it with each event, the relay sets it again
while it handles the event, so one id follows an order from the HTTP call to the SMS.
"""

from __future__ import annotations

import contextvars
import logging.config
import time
from typing import Any

import orjson

FORMAT = "%(asctime)s %(levelname)s pid=%(process)d %(name)s: %(message)s"

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("o2o_request_id", default="")


def current_request_id() -> str:
    return request_id.get()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname, "pid": record.process, "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            out["request_id"] = rid
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(out).decode()


def config(level: str = "INFO", fmt: str | None = None) -> dict[str, Any]:
    """A dictConfig for uvicorn's `log_config` (applied again in each worker process) and for `setup`.
    `fmt`: "line" or "json" (default: O2O_LOG_FORMAT, else "line")."""
    if fmt is None:
        import os

        fmt = os.environ.get("O2O_LOG_FORMAT", "line")
    chosen = "json" if fmt == "json" else "line"
    handler = {"class": "logging.StreamHandler", "formatter": chosen, "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"line": {"format": FORMAT}, "json": {"()": JsonFormatter}},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": "WARNING"},
        "loggers": {
            "o2o": {"level": level},
            "uvicorn": {"level": "WARNING"},
            "uvicorn.error": {"level": "WARNING"},
            "uvicorn.access": {"level": "WARNING", "propagate": False, "handlers": []},
        },
    }


def setup(level: str = "INFO", fmt: str | None = None) -> None:
    logging.config.dictConfig(config(level, fmt))
