"""`o2o doctor`: is this configuration fit for production? Each check says ok, warn or fail and why.

`o2o serve` outside dev runs the same checks and refuses to start on any fail, with the same lines.
In dev (O2O_ENV=dev) what production needs (HTTPS, real secrets, a key file) is a warning only.

Providers are data-driven: PROVIDERS lists each real provider with the settings it needs, PROVIDER_KINDS
each kind (SMS, payments) with the setting that enables providers, if there is one. A provider whose
settings this version lacks is skipped. A new provider is one line, no new check.
"""

from __future__ import annotations

import ipaddress
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from o2o import bootstrap
from o2o.config import Settings
from o2o.kernel import migrate, pii
from o2o.kernel.db import first_line, is_sqlite, sqlite_path

OK, WARN, FAIL = "ok", "warn", "fail"
MIN_SECRET_CHARS = 32
MIN_DISTINCT_CHARS = 10
# kind -> (the setting listing the enabled providers, if the kind has one; what is lost without any)
PROVIDER_KINDS: dict[str, tuple[str | None, str]] = {
    "sms": ("sms_providers", "customers cannot sign in (sign-in sends an SMS code)"),
    "payments": (None, "customers cannot pay (the sandbox is for dev and the demo)"),
}


@dataclass(frozen=True)
class Provider:
    """One real provider: the settings it cannot work without. Enabled when its kind's list names it,
    or (kinds without a list) when any of them is set; then all must be set, paths readable files."""

    kind: str
    name: str
    required: tuple[str, ...]


PROVIDERS: list[Provider] = [
    Provider("sms", "aliyun", ("aliyun_sms_access_key_id", "aliyun_sms_access_key_secret", "aliyun_sms_sign_name",
                               "aliyun_sms_templates")),
    Provider("sms", "tencent", ("tencent_sms_secret_id", "tencent_sms_secret_key", "tencent_sms_app_id",
                                "tencent_sms_sign_name", "tencent_sms_templates")),
    Provider("payments", "wechatpay", ("wechatpay_mch_id", "wechatpay_private_key_file", "wechatpay_serial_no",
                                       "wechatpay_api_v3_key", "wechatpay_platform_key_file")),
    Provider("payments", "alipay", ("alipay_app_id", "alipay_private_key_file", "alipay_public_key_file")),
]
OWN_SECRETS = ("secret_key", "payment_secret", "metrics_token", "sms_receipt_token")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "testserver"}


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str


def _prod(settings: Settings, failing: str) -> str:
    """A production requirement: fail outside dev, a warning in dev."""
    return WARN if settings.dev else failing


def _weak(value: str) -> str | None:
    if len(value) < MIN_SECRET_CHARS:
        return f"shorter than {MIN_SECRET_CHARS} characters"
    if len(set(value)) < MIN_DISTINCT_CHARS:
        return f"fewer than {MIN_DISTINCT_CHARS} different characters"
    return None


def _secret_fields(settings: Settings) -> list[str]:
    """Our own secrets that are set (providers' keys are issued by them: only their presence is checked)."""
    return [name for name in OWN_SECRETS if getattr(settings, name, "")]


def check_environment(settings: Settings) -> Iterator[Check]:
    if settings.dev:
        yield Check("environment", WARN, "O2O_ENV=dev: dev SMS inbox, payment sandbox and dev secrets are on; "
                                         "set O2O_ENV=production to go live")
    else:
        yield Check("environment", OK, f"O2O_ENV={settings.env}")


def check_secrets(settings: Settings) -> Iterator[Check]:
    problem = bootstrap.dev_secrets_problem(settings)
    if problem:
        yield Check("secrets", FAIL, problem)
        return
    weak = []
    for name in _secret_fields(settings):
        if name == "secret_key" and settings.key_file:
            continue  # personal data keys come from the key file; the secret key is not used for them
        why = _weak(str(getattr(settings, name)))
        if why:
            weak.append(f"O2O_{name.upper()} is {why}")
    if weak:
        yield Check("secrets", _prod(settings, FAIL), "; ".join(weak) + " (make one: python -c \"import secrets; "
                                                       "print(secrets.token_urlsafe(48))\")")
    elif settings.dev:
        yield Check("secrets", WARN, "dev: built-in dev secrets allowed")
    else:
        yield Check("secrets", OK, "set, not the dev defaults, at least "
                                   f"{MIN_SECRET_CHARS} characters: " + ", ".join(_secret_fields(settings)))


def check_key_file(settings: Settings) -> Iterator[Check]:
    if not settings.key_file:
        yield Check("pii key file", WARN if not settings.dev else OK,
                    "O2O_KEY_FILE not set: personal-data keys derive from O2O_SECRET_KEY and cannot rotate; "
                    "create a key file with `o2o pii new-key --key-file <path>`")
        return
    path = Path(settings.key_file)
    if not path.is_file():
        yield Check("pii key file", FAIL, f"{path} does not exist (create it with `o2o pii new-key --key-file {path}`)")
        return
    if not os.access(path, os.R_OK):
        yield Check("pii key file", FAIL, f"{path} is not readable by this user (uid {os.geteuid()})")
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    try:
        ring = pii.Keyring.load(path)
    except pii.PiiError as exc:
        yield Check("pii key file", FAIL, str(exc))
        return
    if mode & 0o077:
        yield Check("pii key file", _prod(settings, FAIL),
                    f"{path} is readable by others (mode {mode:o}): chmod 600 {path}")
        return
    yield Check("pii key file", OK, f"{path}: mode {mode:o}, {len(ring.keys)} key(s), active {ring.active}")


def _unset(settings: Settings, field: str) -> str | None:
    """Why a provider's setting is missing (None: it is fine): empty, or a path that is no readable file."""
    value = getattr(settings, field)
    if value in (None, "", [], {}, ()):
        return f"O2O_{field.upper()} is not set"
    if isinstance(value, Path):
        if not value.is_file():
            return f"O2O_{field.upper()}: {value} is not a file"
        if not os.access(value, os.R_OK):
            return f"O2O_{field.upper()}: {value} is not readable"
    return None


def check_providers(settings: Settings) -> Iterator[Check]:
    fields = type(settings).model_fields
    for kind, (list_field, loss) in PROVIDER_KINDS.items():
        name = f"{kind} providers"
        specs = [p for p in PROVIDERS if p.kind == kind and all(f in fields for f in p.required)]
        if not specs:
            yield Check(name, WARN, f"no real {kind} provider in this version: {loss} outside dev")
            continue
        listed = list(getattr(settings, list_field) or []) if list_field and list_field in fields else None
        known = {p.name for p in specs}
        problems = [f"{n}: unknown provider (known: {', '.join(sorted(known))})" for n in listed or [] if n not in known]
        enabled = []
        for spec in specs:
            missing = [why for f in spec.required if (why := _unset(settings, f))]
            on = spec.name in listed if listed is not None else len(missing) < len(spec.required)
            if not on:
                continue
            enabled.append(spec.name)
            problems += [f"{spec.name}: {why}" for why in missing]
        if problems:
            yield Check(name, FAIL, "; ".join(problems))
        elif not enabled:
            how = f"O2O_{list_field.upper()} is empty" if listed is not None and list_field else \
                "none configured (" + ", ".join(sorted(known)) + ")"
            yield Check(name, _prod(settings, FAIL), f"{how}: {loss}")
        else:
            yield Check(name, OK, ", ".join(enabled) + " configured")


def check_database(settings: Settings) -> Iterator[Check]:
    url = settings.database_url
    shown = url if is_sqlite(url) else urlsplit(url)._replace(netloc=urlsplit(url).hostname or "").geturl()
    if is_sqlite(url) and (path := sqlite_path(url)) and not Path(path).is_file():
        yield Check("database", FAIL, f"{path} does not exist: run `o2o migrate`")
        return
    args: dict[str, Any] = {} if is_sqlite(url) else {"connect_timeout": 5}
    engine = create_engine(url, connect_args=args, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current, heads = migrate.current(conn), migrate.heads()
    except SQLAlchemyError as exc:
        yield Check("database", FAIL, f"{shown}: cannot connect: {first_line(exc)}")
        return
    finally:
        engine.dispose()
    if is_sqlite(url) and not settings.dev:
        yield Check("database", WARN, f"{shown} reachable; SQLite: one machine only, PostgreSQL is the production "
                                      "database (docs/deployment.md)")
    else:
        yield Check("database", OK, f"{shown} reachable")
    if current != heads:
        yield Check("migrations", FAIL, f"at {', '.join(sorted(current)) or 'nothing'}, this code needs "
                                        f"{', '.join(sorted(heads))}: run `o2o migrate`")
    else:
        yield Check("migrations", OK, f"{engine.dialect.name} at head {', '.join(sorted(heads))}")


def check_media_dir(settings: Settings) -> Iterator[Check]:
    path = Path(settings.media_dir)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-"):
            pass
    except OSError as exc:
        yield Check("media dir", FAIL, f"{path} is not writable: {exc.strerror or exc}")
        return
    yield Check("media dir", OK, f"{path} writable")


def _is_local(host: str) -> bool:
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_public_url(settings: Settings) -> Iterator[Check]:
    url = urlsplit(settings.public_base_url)
    host = url.hostname or ""
    if not settings.https:
        yield Check("https cookies", _prod(settings, FAIL),
                    f"O2O_PUBLIC_BASE_URL={settings.public_base_url} is not https://: session cookies are sent "
                    "without Secure and no HSTS header goes out")
    else:
        yield Check("https cookies", OK, "Secure cookies and HSTS (O2O_PUBLIC_BASE_URL is https://)")
    if _is_local(host):
        yield Check("public base url", _prod(settings, FAIL),
                    f"O2O_PUBLIC_BASE_URL={settings.public_base_url} points at this machine: payment return and "
                    "notification links would not reach it")
    else:
        yield Check("public base url", OK, settings.public_base_url)
    hosts = settings.allowed_hosts
    if any("*" in h for h in hosts):
        yield Check("allowed hosts", FAIL, "O2O_ALLOWED_HOSTS has a wildcard: the Host-header guard is off")
    elif host and host not in hosts:
        yield Check("allowed hosts", _prod(settings, FAIL),
                    f"{host} (of O2O_PUBLIC_BASE_URL) is not in O2O_ALLOWED_HOSTS {hosts}: its requests get 400")
    elif "testserver" in hosts and not settings.dev:
        yield Check("allowed hosts", WARN, "O2O_ALLOWED_HOSTS still lists the test client's 'testserver'")
    else:
        yield Check("allowed hosts", OK, ", ".join(hosts))
    insecure = [o for o in settings.cors_origins if not o.startswith("https://")]
    if insecure and not settings.dev:
        yield Check("cors origins", WARN, f"plain-http origins trusted with credentials: {', '.join(insecure)}")


def check_metrics(settings: Settings) -> Iterator[Check]:
    if settings.metrics_token:
        yield Check("metrics", OK, "/metrics needs `Authorization: Metrics <O2O_METRICS_TOKEN>`")
    else:
        yield Check("metrics", OK, "/metrics answers loopback and private networks only (no O2O_METRICS_TOKEN); "
                                   "the reverse proxy must not forward /metrics")


CHECKS: list[Callable[[Settings], Iterator[Check]]] = [
    check_environment, check_secrets, check_key_file, check_providers, check_database, check_media_dir,
    check_public_url, check_metrics]


def run(settings: Settings) -> list[Check]:
    return [check for fn in CHECKS for check in fn(settings)]


def failures(checks: list[Check]) -> list[Check]:
    return [c for c in checks if c.status == FAIL]
