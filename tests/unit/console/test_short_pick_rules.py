"""Short picks and the console's chime, without a database: the short state's only ways out, and the WAV
served to browsers is exactly the one the code generates (no sound file from elsewhere)."""

from __future__ import annotations

import io
import wave

import pytest

from o2o.console import chime, live
from o2o.fulfillment import models as fm


@pytest.mark.parametrize("src,dst,ok", [
    ("picking", "short", True), ("short", "picking", True), ("short", "cancelled", True),
    ("new", "short", False),  # a short pick starts the picking first (history shows both steps)
    ("short", "ready", False), ("short", "handed_over", False), ("short", "shipped", False),
    ("ready", "short", False), ("handed_over", "short", False)])
def test_a_short_pick_leaves_only_by_acceptance_or_cancel(src: str, dst: str, ok: bool):
    assert fm.can_transition(src, dst) is ok


def test_a_short_pick_is_open_work_of_the_store():
    assert "short" in fm.OPEN  # it keeps its pickup code and its place on the board


def test_the_served_chime_is_the_generated_one_and_short():
    assert chime.PATH.read_bytes() == chime.chime_wav()
    with wave.open(io.BytesIO(chime.PATH.read_bytes())) as w:
        seconds = w.getnframes() / w.getframerate()
        assert w.getnchannels() == 1 and w.getsampwidth() == 2 and 0.3 < seconds < 1.0


@pytest.mark.parametrize("path,streams", [
    ("/console/12/events", True), ("/console/12/board", False), ("/console/12/events/x", False),
    ("/console/abc/events", False), ("/api/v1/console/12/events", False), ("/console/" + "9" * 20 + "/events", False)])
def test_only_the_console_event_streams_pass_the_in_flight_limit(path: str, streams: bool):
    assert bool(live.STREAMS.match(path)) is streams
