"""One log format for every process (`serve` and its workers, `worker`, `demo`): one line per event,
with the time, level, process id and logger; request lines name their request id."""

from __future__ import annotations

import logging.config
from typing import Any

FORMAT = "%(asctime)s %(levelname)s pid=%(process)d %(name)s: %(message)s"


def config(level: str = "INFO") -> dict[str, Any]:
    """A dictConfig for uvicorn's `log_config` (applied again in each worker process) and for `setup`."""
    handler = {"class": "logging.StreamHandler", "formatter": "line", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"line": {"format": FORMAT}},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": "WARNING"},
        "loggers": {
            "o2o": {"level": level},
            "uvicorn": {"level": "WARNING"},
            "uvicorn.error": {"level": "WARNING"},
            "uvicorn.access": {"level": "WARNING", "propagate": False, "handlers": []},
        },
    }


def setup(level: str = "INFO") -> None:
    logging.config.dictConfig(config(level))
