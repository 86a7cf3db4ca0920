"""SQLite writers of several processes take turns on an flock, which wakes the next one at once."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from o2o.kernel.db import WriteLock, sqlite_path

PROBE = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    print("free")
except BlockingIOError:
    print("held")
"""


def _probe(lock_file: Path) -> str:
    return subprocess.run([sys.executable, "-c", PROBE, str(lock_file)], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_the_write_lock_excludes_other_processes_and_is_reentrant_in_a_thread(tmp_path: Path):
    lock = WriteLock(str(tmp_path / "o2o.db"))
    with lock:
        with lock:  # a unit of work inside another one, in the same thread
            assert _probe(tmp_path / "o2o.db.lock") == "held"
        assert _probe(tmp_path / "o2o.db.lock") == "held"
    assert _probe(tmp_path / "o2o.db.lock") == "free"


def test_threads_take_turns_on_the_write_lock(tmp_path: Path):
    lock = WriteLock(str(tmp_path / "o2o.db"))
    inside, overlaps = [0], [0]

    def work() -> None:
        for _ in range(20):
            with lock:
                inside[0] += 1
                overlaps[0] += inside[0] > 1
                time.sleep(0.0005)
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps[0] == 0


def test_only_file_databases_get_a_lock_file():
    assert sqlite_path("sqlite:////var/lib/o2o/o2o.db") == "/var/lib/o2o/o2o.db"
    assert sqlite_path("sqlite:///var/o2o.db?timeout=5") == "var/o2o.db"
    assert sqlite_path("sqlite:///:memory:") is None
    assert sqlite_path("sqlite://") is None
