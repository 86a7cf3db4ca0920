"""Prometheus metrics (prometheus-client), served at /metrics.

Multi-process: under `o2o serve --workers N` the parent gives every worker the same
PROMETHEUS_MULTIPROC_DIR (prometheus-client's multiprocess mode: each process writes its values to
memory-mapped files there; the worker answering a scrape sums every process's files). Aggregating
in the client's own files was chosen over asking each worker over HTTP: with SO_REUSEPORT a scrape
reaches one worker at random, and the files survive a worker that is killed and replaced (its
counters stay counted; its live gauges are dropped by `mark_process_dead`). One process (`o2o serve`
without --workers, the tests) keeps the values in memory.

The hot path costs one dict lookup and two in-memory (or mmap) increments per request: the labelled
children are cached by (method, route template, status). Route *templates* only
(`/api/v1/orders/{number}`), never raw paths, and unmatched paths share one label: a scanner
cannot blow up the number of series.

Outbox backlog and the age of its oldest event are read from the database at scrape time (the
database is the one truth whichever process scrapes).
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, event, func, select

from o2o.kernel.outbox import OutboxEvent

disable_created_metrics()  # no `*_created` series: nothing here needs a counter's creation time
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
UNMATCHED = "<unmatched>"
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("o2o_http_requests_total", "HTTP requests answered, by method, route template and status",
                   ["method", "route", "status"])
LATENCY = Histogram("o2o_http_request_duration_seconds",
                    "Time from a request's arrival to its answer (queueing for a slot included), by route template",
                    ["method", "route"], buckets=BUCKETS)
ORDERS_PLACED = Counter("o2o_orders_placed_total", "Orders placed (committed), by channel", ["channel"])
RESERVATION_CONFLICTS = Counter("o2o_reservation_conflicts_total",
                                "Stock reservations that lost a race for the last units (the order is retried)")
POOL_IN_USE = Gauge("o2o_db_pool_connections_in_use", "Database connections checked out of the pool (all processes)",
                    multiprocess_mode="livesum")
POOL_SIZE = Gauge("o2o_db_pool_size", "Database connections the pools may hold (all processes)",
                  multiprocess_mode="livesum")

_pools: weakref.WeakSet[Engine] = weakref.WeakSet()
_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def route_template(scope: dict[str, Any]) -> str:
    """The matched route's template (set by the router on the scope), or one label for the unmatched."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path or UNMATCHED


def observe_request(scope: dict[str, Any], status: int, seconds: float) -> None:
    method = scope.get("method", "GET")
    if method not in METHODS:
        method = "OTHER"
    key = (method, route_template(scope), status)
    pair = _children.get(key)
    if pair is None:
        pair = _children[key] = (REQUESTS.labels(key[0], key[1], str(status)), LATENCY.labels(key[0], key[1]))
    pair[0].inc()
    pair[1].observe(seconds)


def instrument_pool(engine: Engine, size: int) -> None:
    """Count this process's checked-out connections (pool events: exact, no polling); once per engine."""
    if engine in _pools:
        return
    _pools.add(engine)
    POOL_SIZE.inc(size)
    event.listen(engine, "checkout", lambda *_: POOL_IN_USE.inc())
    event.listen(engine, "checkin", lambda *_: POOL_IN_USE.dec())


class OutboxCollector(Collector):
    """Undelivered outbox events and the age of the oldest, read at scrape time."""

    def __init__(self, read_session: Any, clock: Any = None) -> None:
        self.read_session = read_session
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self.read_session() as s:
            count, oldest = s.execute(select(func.count(), func.min(OutboxEvent.created_at))
                                      .where(OutboxEvent.published_at.is_(None))).one()
        now = self.clock.now() if self.clock else datetime.now(UTC)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        yield GaugeMetricFamily("o2o_outbox_backlog_events", "Outbox events not yet delivered", value=count)
        yield GaugeMetricFamily("o2o_outbox_oldest_age_seconds",
                                "Age of the oldest undelivered outbox event (0 when none)",
                                value=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)


def render(extra: Collector | None = None) -> bytes:
    """The exposition text: every process's values (multiprocess mode) or this one's, plus `extra`."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        if extra:
            registry.register(extra)
        return generate_latest(registry)
    out = generate_latest(REGISTRY)
    if extra:
        registry = CollectorRegistry()
        registry.register(extra)
        out += generate_latest(registry)
    return out


def allowed(client_host: str | None, authorization: str | None, token: str) -> bool:
    """With a token set: only `Authorization: Metrics <token>` (compared in constant time; Prometheus:
    `authorization: {type: Metrics, credentials: ...}`; not `Bearer`, which the sign-in guard takes for
    a user's access token). Without: only callers on loopback or private networks (a reverse proxy must
    not forward /metrics)."""
    if token:
        scheme, _, sent = (authorization or "").partition(" ")
        return scheme.lower() == "metrics" and bool(sent.strip()) and \
            secrets.compare_digest(sent.strip().encode(), token.encode())
    try:
        ip = ipaddress.ip_address(client_host or "")
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_private


_CLIENT_FILE = re.compile(r"^(counter|histogram|summary|gauge_[a-z]+)_\d+\.db$")  # prometheus-client's names


def prepare_multiprocess_dir(path: str) -> None:
    """Before the workers start: an empty directory (values of an earlier run would be added in)."""
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if _CLIENT_FILE.match(name):  # the client's files only: not a SQLite database that shares the directory
            os.unlink(os.path.join(path, name))


def process_dead(pid: int) -> None:
    """A worker exited: drop its live gauges (its counters stay counted)."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)
