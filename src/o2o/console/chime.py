"""The console's new-order chime: a short two-tone WAV, generated here (no sound file from elsewhere) and
served as /static/console/chime.wav. `python -m o2o.console.chime` writes it again; a test checks the
file is exactly what this makes."""

from __future__ import annotations

import io
import math
import struct
import wave
from pathlib import Path

RATE = 16_000
TONES = ((880.0, 0.18), (1318.5, 0.32))  # A5 then E6: "ding-dong", about half a second
PATH = Path(__file__).resolve().parents[1] / "web" / "static" / "console" / "chime.wav"


def chime_wav() -> bytes:
    frames = bytearray()
    for freq, seconds in TONES:
        n = int(RATE * seconds)
        for i in range(n):
            attack = min(1.0, i / (0.01 * RATE))
            decay = math.exp(-4.0 * i / n)
            sample = 0.6 * attack * decay * math.sin(2 * math.pi * freq * i / RATE)
            frames += struct.pack("<h", int(sample * 32767))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))
    return out.getvalue()


if __name__ == "__main__":
    PATH.write_bytes(chime_wav())
    print(f"wrote {PATH} ({PATH.stat().st_size} bytes)")
