"""Numbers read from forms, queries and headers: ASCII digits only. str.isdigit() also takes "²" and
"¹²", which int() refuses (a ValueError answered 500)."""

from __future__ import annotations

from starlette.requests import Request

from o2o.console.common import int_or_none
from o2o.console.live import _last_event_id


def test_console_numbers_refuse_superscripts():
    assert int_or_none("12") == 12 and int_or_none("-3", low=-5) == -3
    for raw in ("\u00b2", "-\u00b2", "\u00b9\u00b2", "1\u00b2"):
        assert int_or_none(raw) is None


def test_the_live_board_ignores_an_odd_last_event_id():
    def request(value: str) -> Request:
        return Request({"type": "http", "method": "GET", "path": "/", "headers": [
            (b"last-event-id", value.encode("latin-1"))]})

    assert _last_event_id(request("42")) == 42
    assert _last_event_id(request("\u00b2")) is None
