"""O2O_LOG_FORMAT=json: one JSON object per line, naming the request id in context."""

from __future__ import annotations

import json
import logging

from o2o.kernel import logs


def _format(record: logging.LogRecord) -> dict:
    return json.loads(logs.JsonFormatter().format(record))


def _record(msg: str, *args: object, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("o2o.test", logging.WARNING, __file__, 1, msg, args, exc_info)


def test_a_line_is_one_json_object_with_the_request_id_of_its_context():
    token = logs.request_id.set("req-42")
    try:
        out = _format(_record("order %s placed\nsecond line \"quoted\"", "SO1"))
    finally:
        logs.request_id.reset(token)
    assert out["message"] == 'order SO1 placed\nsecond line "quoted"'
    assert (out["level"], out["logger"], out["request_id"]) == ("WARNING", "o2o.test", "req-42")
    assert out["time"].endswith("Z") and isinstance(out["pid"], int)
    assert "request_id" not in _format(_record("outside any request"))


def test_a_traceback_stays_inside_the_object():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        out = _format(_record("failed", exc_info=sys.exc_info()))
    assert "ValueError: boom" in out["exc"] and out["message"] == "failed"


def test_the_format_is_chosen_by_o2o_log_format(monkeypatch):
    monkeypatch.setenv("O2O_LOG_FORMAT", "json")
    assert logs.config()["handlers"]["stderr"]["formatter"] == "json"
    monkeypatch.setenv("O2O_LOG_FORMAT", "line")
    assert logs.config()["handlers"]["stderr"]["formatter"] == "line"
    assert logs.config(fmt="json")["handlers"]["stderr"]["formatter"] == "json"
