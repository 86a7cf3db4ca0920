"""Client IP addresses are kept whole on sign-in sessions and one-time codes for `ip_retention_days`
only: then the worker's periodic job cuts them to their network (IPv4 /24, IPv6 /48)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from o2o import bootstrap
from o2o.iam import service as iam
from o2o.iam.service import Client

FULL = ["203.0.113.57", "2001:db8:1:2::5", "::ffff:198.51.100.7", "testclient", ""]
CUT = ["203.0.113.0/24", "2001:db8:1::/48", "198.51.100.0/24", "", ""]


def _jobs(container) -> None:  # type: ignore[no-untyped-def]
    """One round of the worker's periodic jobs (a new worker: nothing throttled yet)."""
    for job in bootstrap.relay_thread(container).periodic:
        job()


def _ips(container, table: str) -> list[str]:  # type: ignore[no-untyped-def]
    with container.db.read() as s:
        return list(s.scalars(text(f"SELECT ip FROM {table} ORDER BY id")))


def test_ip_addresses_keep_only_their_network_when_older_than_the_retention_period(container) -> None:  # type: ignore[no-untyped-def]
    settings, clock = container.settings, container.clock
    assert settings.ip_retention_days == 30
    for i, ip in enumerate(FULL):
        iam.sign_in_session(container.uow(), "staff", i + 1, False, Client(ip, "Mozilla/5.0"), settings)
    iam.request_code(container.uow(), "13800138000", Client("192.0.2.33"), settings)
    clock.advance(days=29)
    iam.sign_in_session(container.uow(), "staff", 9, True, Client("192.0.2.99"), settings)

    _jobs(container)  # nothing is 30 days old yet
    assert _ips(container, "auth_session") == [*FULL, "192.0.2.99"]
    assert _ips(container, "otp_code") == ["192.0.2.33"]

    clock.advance(days=1, seconds=1)
    _jobs(container)
    assert _ips(container, "auth_session") == [*CUT, "192.0.2.99"]  # the newer session keeps its address
    assert _ips(container, "otp_code") == ["192.0.2.0/24"]
    assert iam.forget_addresses(container.uow, clock.now()) == 1  # only the newer one was left to cut
    assert _ips(container, "auth_session")[-1] == "192.0.2.0/24"


def test_forgetting_addresses_works_in_batches(container) -> None:  # type: ignore[no-untyped-def]
    for i in range(7):
        iam.sign_in_session(container.uow(), "customer", i + 1, True, Client(f"10.1.{i}.{i + 1}"), container.settings)
    container.clock.advance(days=31)
    assert iam.forget_addresses(container.uow, container.clock.now() - timedelta(days=30), batch=3) == 7
    assert _ips(container, "auth_session") == [f"10.1.{i}.0/24" for i in range(7)]
