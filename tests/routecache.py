"""Test-only: the FastAPI route state of the tests' apps is built once per process, not once per app.

The tests build a new app for nearly every test (`client`, `live`: ~1,200 apps a run). FastAPI builds
the state of an included router's routes (dependants, pydantic fields and adapters, handlers) lazily, per
app, on the first request that walks past them: ~0.2 s of CPU per app (~250 routes), several seconds on a
loaded box, paid inside the first request of every test (a browser's first page load timed out on it).
Each app is built by `create_app` from the same module-level routers with the same options, so the state
is the same every time: here it is kept per (route, inclusion options) and handed to the next app that
includes the same route with equal options.

Apps are also let go of (`forget_callables`, after every test): FastAPI keeps, per process, an lru_cache
(4,096 entries) of whether each dependency or endpoint callable is a generator or a coroutine, keyed by the
callable. `create_app` defines two endpoints in its body (closures over the app's container), so that cache
held on to every test's container, database engine and compiled-statement caches: about 4,500 objects per
test, over a million after 250 tests, and every full pass of the garbage collector walked them all (one
test that asks the collector twice took 21 s in a full run).

What is not shared: an app with dependency overrides set builds its own (the cached handler would consult
the first app's overrides; no test uses overrides today), and any inclusion whose options differ (another
prefix, other dependencies, ...) misses the cache. If FastAPI's internals change shape, `install` does
nothing and the tests run as before, only slower. `disabled()` builds without the cache
(tests/unit/test_routecache.py compares the two).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import routing

_lock = threading.Lock()
_cache: dict[int, list[tuple[Any, Any, Any]]] = {}
_state = {"enabled": True, "hits": 0, "builds": 0}
_build: Callable[..., Any] | None = None


def _key(include_context: Any) -> Any:
    return dataclasses.replace(include_context, dependency_overrides_provider=None)


def _from_api_route(cls: Any, *, original_route: Any, include_context: Any) -> Any:
    assert _build is not None
    provider = include_context.dependency_overrides_provider
    if not _state["enabled"] or getattr(provider, "dependency_overrides", None):
        return _build(cls, original_route=original_route, include_context=include_context)
    key = _key(include_context)
    with _lock:
        for route, known, built in _cache.get(id(original_route), ()):
            if route is original_route and known == key:
                _state["hits"] += 1
                return built
    built = _build(cls, original_route=original_route, include_context=include_context)
    with _lock:
        _cache.setdefault(id(original_route), []).append((original_route, key, built))
        _state["builds"] += 1
    return built


def install() -> bool:
    """Share route state between the process's apps; False (and nothing changed) if FastAPI has no
    `_EffectiveRouteContext.from_api_route` of the expected shape."""
    global _build
    holder = getattr(routing, "_EffectiveRouteContext", None)
    current = getattr(holder, "from_api_route", None)
    if holder is None or current is None:
        return False
    if getattr(current, "__func__", None) is _from_api_route:
        return True
    fields = {f.name for f in dataclasses.fields(getattr(routing, "_RouterIncludeContext", object))} \
        if dataclasses.is_dataclass(getattr(routing, "_RouterIncludeContext", None)) else set()
    if "dependency_overrides_provider" not in fields or not hasattr(current, "__func__"):
        return False
    _build = current.__func__
    holder.from_api_route = classmethod(_from_api_route)
    return True


def forget_callables() -> None:
    """Empty FastAPI's per-process caches of callable kinds (generator? coroutine?), which keep every
    callable they were asked about alive: the next app asks again (microseconds per callable)."""
    from fastapi.dependencies import models

    for name in ("_is_gen_callable_cached", "_is_async_gen_callable_cached", "_is_coroutine_callable_cached"):
        cached = getattr(models, name, None)
        if cached is not None and hasattr(cached, "cache_clear"):
            cached.cache_clear()


def stats() -> dict[str, int]:
    return {"hits": int(_state["hits"]), "builds": int(_state["builds"])}


@contextmanager
def disabled() -> Iterator[None]:
    """Apps built (and first asked) inside build their own route state, as without this module."""
    before = _state["enabled"]
    _state["enabled"] = False
    try:
        yield
    finally:
        _state["enabled"] = before
