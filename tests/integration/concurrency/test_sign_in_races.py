"""Parallel guessing gets no more tries than serial guessing, and a code signs in only once."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from o2o import bootstrap
from o2o.iam import service
from o2o.kernel.errors import Problem

PHONE = "13512345678"
THREADS = 16


def _parallel(fn, n: int = THREADS) -> list:  # type: ignore[no-untyped-def]
    start = threading.Barrier(n)

    def run(i: int):  # type: ignore[no-untyped-def]
        start.wait()
        try:
            return fn(i)
        except Problem as exc:
            return exc.status

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def _code(container) -> str:
    service.request_code(container.uow(), PHONE, service.Client("1.2.3.4"), container.settings)
    bootstrap.relay(container).run_once()
    return container.sms.inbox[0].text.split("验证码 ")[1][:6]


def test_sixteen_parallel_wrong_guesses_get_only_max_failures_tries(container):
    code = _code(container)
    wrong = [f"{(int(code) + 1 + i) % 1_000_000:06d}" for i in range(THREADS)]

    def guess(i: int) -> int:
        service.sign_in_with_code(container.uow(), PHONE, wrong[i], "", False, service.Client("1.2.3.4"),
                                  container.settings)
        return 200

    outcome = Counter(_parallel(guess))
    assert outcome == {401: container.settings.max_failures, 429: THREADS - container.settings.max_failures}
    assert _parallel(lambda i: guess(0), 1) == [429]


def test_one_code_used_by_sixteen_requests_at_once_signs_in_once(container):
    code = _code(container)

    def use(i: int) -> int:
        service.sign_in_with_code(container.uow(), PHONE, code, "", False, service.Client("1.2.3.4"),
                                  container.settings)
        return 200

    outcome = Counter(_parallel(use))
    # the rest were refused: a used code counts as a wrong one, so the phone ends up locked too
    assert outcome[200] == 1 and outcome[401] + outcome[429] == THREADS - 1
    assert outcome[401] == container.settings.max_failures


def test_sixteen_parallel_code_requests_for_one_phone_send_one_code(container):
    def ask(i: int) -> int:
        service.request_code(container.uow(), PHONE, service.Client(f"10.0.0.{i}"), container.settings)
        return 202

    outcome = Counter(_parallel(ask))
    assert outcome == {202: 1, 429: THREADS - 1}
    bootstrap.relay(container).run_once()
    assert len(container.sms.inbox) == 1
