"""Process state that readiness reports: set when the server process is told to stop (SIGTERM)."""

from __future__ import annotations

import threading

# set by the server on SIGTERM/SIGINT: /readyz answers 503 from then on while requests in flight finish
shutting_down = threading.Event()
