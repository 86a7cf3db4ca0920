"""Browser tests: the app served by uvicorn on 127.0.0.1, driven by Debian's Chromium through Playwright.

Fixtures:
- `live`     the app (with its relay) on a free port over `container`'s fresh database; `.url(path)`
- `browser`  one headless Chromium per test module (`/usr/bin/chromium`; never downloaded)
- `open_page(size)` a new page at "phone" (390x844) or "desktop" (1440x900); every request that
             would leave 127.0.0.1 is aborted and fails the test
- `shot(page, name)` a screenshot into artifacts/screenshots/<name>-<size>.png (git-ignored)
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import IN_CI

CHROMIUM = os.environ.get("O2O_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1440, "height": 900}}
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# Generous waits: on a loaded 2-core CI box the app, its relay, Chromium and the other workers share two
# cores, and a first page load (document, styles, scripts, fonts) took over 10 s there now and then. A
# wait ends as soon as its condition holds, so a passing test is not slower; only a failure takes longer.
ACTION_TIMEOUT_MS = 20_000
NAVIGATION_TIMEOUT_MS = 30_000
EXPECT_TIMEOUT_MS = 15_000
API_TIMEOUT_S = 30.0  # the tests' own httpx calls to the live app (httpx's default is 5 s)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Live:
    def __init__(self, container, port: int) -> None:  # type: ignore[no-untyped-def]
        self.container = container
        self.port = port
        self.base = f"http://127.0.0.1:{port}"

    def url(self, path: str = "/") -> str:
        return self.base + path


@pytest.fixture
def live(container) -> Iterator[Live]:  # type: ignore[no-untyped-def]
    import uvicorn

    from o2o.main import create_app

    port = _free_port()
    container.settings.public_base_url = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(uvicorn.Config(create_app(container, run_relay=True), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield Live(container, port)
    server.should_exit = True
    thread.join(timeout=10)


def chromium(extra_args: Sequence[str] = ()) -> Iterator[Any]:
    """Debian's Chromium, headless, with CHROMIUM_ARGS and `extra_args`, for one module's `browser` fixture
    (missing: a failure under CI, else a skip)."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM} (Debian package `chromium`; .ci/run installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *extra_args])
        yield b
        b.close()


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """Per module: Playwright's sync API keeps an event loop running in this thread while it lives,
    which other tests' asyncio.run() would trip over."""
    yield from chromium()


@pytest.fixture
def open_page(browser, live) -> Iterator[Callable]:  # type: ignore[no-untyped-def]
    """`open_page("phone")` -> a Playwright page; requests off 127.0.0.1 are blocked and reported."""
    contexts, escaped = [], []

    def guard(route, request) -> None:  # type: ignore[no-untyped-def]
        host = urlsplit(request.url).hostname
        if request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            escaped.append(request.url)
            route.abort()

    def make(size: str = "phone", locale: str = "zh-CN"):  # type: ignore[no-untyped-def]
        ctx = browser.new_context(viewport=SIZES[size], locale=locale, base_url=live.base,
                                  is_mobile=size == "phone", has_touch=size == "phone")
        ctx.route("**/*", guard)
        ctx.set_default_timeout(ACTION_TIMEOUT_MS)
        ctx.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        contexts.append(ctx)
        page = ctx.new_page()
        page.o2o_size = size  # type: ignore[attr-defined]
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    assert escaped == [], f"requests left 127.0.0.1: {escaped}"


@pytest.fixture
def shot() -> Callable:
    def take(page, name: str) -> Path:  # type: ignore[no-untyped-def]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}-{getattr(page, 'o2o_size', 'page')}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    return take


def sign_in_staff(page, login: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """Through the /login page, as a person would."""
    page.goto("/login")
    page.locator("#login").fill(login)
    page.locator("#password").fill(password)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
