"""Run work in threads at once and collect what went wrong (concurrency tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def each_in_a_thread(work: Callable[[T], object], batches: Sequence[T]) -> list[BaseException]:
    """`work(batch)` for every batch, each in its own thread, all started before any is joined; the
    exceptions they raised (empty when none did)."""
    errors: list[BaseException] = []

    def run(batch: T) -> None:
        try:
            work(batch)
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(b,)) for b in batches]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return errors
