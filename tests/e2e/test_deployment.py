"""The production deployment: Dockerfile and deploy/compose.yaml.

What runs everywhere: the files' shape (non-root, hashes, health check, PostgreSQL 15, several app
processes, worker, proxy that hides /metrics), the production lock agrees with requirements.lock, and
the image's layout (the app run from a bare copy of what the Dockerfile copies, no installed package)
migrates and answers `doctor`.
What needs Docker: building the image and starting the compose stack, then asking through the proxy.
That test is skipped, saying why, only when there is no docker command or no Docker daemon to talk to.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from o2o.kernel import pii
from tests.e2e.test_cli_commands import _free_port, _stop
from tests.e2e.test_serve_workers import _wait_ready

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COPIED = ("alembic.ini", "pyproject.toml", "migrations", "src")  # what the Dockerfile copies into /app


def _pins(path: Path) -> dict[str, str]:
    """name -> the whole pinned block (version and hashes) of a uv lock file."""
    text = path.read_text()
    blocks = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)( ;[^\\\n]*)?((?:\s*\\\n\s+--hash=\S+)+)", text, re.MULTILINE)
    out: dict[str, str] = {}
    for name, version, marker, hashes in blocks:  # a package may be pinned twice, under two markers
        pin = version + marker + "".join(sorted(re.findall(r"--hash=(\S+)", hashes)))
        out[name.lower()] = "|".join(sorted([*out.get(name.lower(), "").split("|"), pin])).strip("|")
    return out


def test_the_dockerfile_runs_as_non_root_from_the_hashed_lock_with_a_health_check():
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.MULTILINE)
    assert "--require-hashes" in text and "deploy/requirements.lock" in text
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*readyz", text, re.MULTILINE)
    for path in COPIED:
        assert re.search(rf"^COPY {re.escape(path)}\b|^COPY .*\b{re.escape(path)}\b", text, re.MULTILINE), path


def test_the_production_lock_is_requirements_lock_without_the_dev_tools():
    prod, full = _pins(DEPLOY / "requirements.lock"), _pins(ROOT / "requirements.lock")
    assert prod and all(full.get(name) == pin for name, pin in prod.items()), \
        {n: (p, full.get(n)) for n, p in prod.items() if full.get(n) != p}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {re.split(r"[\[<>=!~ ;]", d, maxsplit=1)[0].lower().replace("_", "-") for d in project["dependencies"]}
    missing = sorted(w for w in wanted if w not in prod)
    assert not missing, f"regenerate deploy/requirements.lock (docs/deployment.md): {missing}"
    assert "pytest" not in prod and "playwright" not in prod


def test_compose_has_postgresql_the_app_in_several_processes_the_worker_and_a_proxy():
    doc = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = doc["services"]
    assert services["db"]["image"].startswith("postgres:15")
    assert services["app"]["command"][:2] == ["serve", "--workers"]
    assert services["worker"]["command"] == ["worker"] and services["migrate"]["command"] == ["migrate"]
    assert services["proxy"]["image"].startswith("nginx")
    assert "ports" not in services["app"]  # only the proxy is published
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["proxy"]["depends_on"]["app"]["condition"] == "service_healthy"
    assert services["app"]["environment"]["O2O_KEY_FILE"].startswith("/run/secrets/")
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert re.search(r"location = /metrics \{ return 404; \}", nginx)
    # the app trusts X-Forwarded-For (first entry): nginx must overwrite it, never append to the client's
    assert re.search(r"proxy_set_header X-Forwarded-For \$remote_addr;", nginx)
    assert not re.search(r"^\s*proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for", nginx, re.MULTILINE)


def test_the_image_layout_migrates_and_answers_doctor_without_an_installed_package(tmp_path: Path):
    """The container runs `python -m o2o.cli` from /app/src (PYTHONPATH) with alembic.ini and migrations
    beside it: the same from a bare copy here."""
    app = tmp_path / "app"
    app.mkdir()
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, app / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, app / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2O_")}
    env.update(PYTHONPATH=str(app / "src"), O2O_ENV="dev", O2O_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}",
               O2O_MEDIA_DIR=str(tmp_path / "media"), COLUMNS="200")
    where = subprocess.run([sys.executable, "-c", "import o2o; print(o2o.__file__)"], env=env, cwd=app,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(app)), where
    r = subprocess.run([sys.executable, "-m", "o2o.cli", "migrate"], env=env, cwd=app, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0 and "migrated" in r.stdout, r.stdout + r.stderr
    r = subprocess.run([sys.executable, "-m", "o2o.cli", "doctor"], env=env, cwd=app, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0 and "migrations" in r.stdout, r.stdout + r.stderr
    # the image's command: `python -m o2o.cli serve --workers 2` (spawned workers re-import o2o.cli)
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "o2o.cli", "serve", "--workers", "2", "--port", str(port)],
                              env=env, cwd=app, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    try:
        _wait_ready(port)
    finally:
        code, out = _stop(server, signal.SIGTERM)
    assert code == 0, out


def _docker_unavailable() -> str | None:
    docker = shutil.which("docker")
    if docker is None:
        return "no docker command on this machine"
    r = subprocess.run([docker, "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True,
                       timeout=60, check=False)
    if r.returncode != 0:
        return "docker is installed but no Docker daemon answers: " + (r.stderr.strip().splitlines() or ["?"])[-1]
    return None


def test_compose_builds_and_serves_through_the_proxy(tmp_path: Path):
    reason = _docker_unavailable()
    if reason:
        pytest.skip(reason)
    context = tmp_path / "context"
    context.mkdir()
    for name in (*COPIED, "Dockerfile", ".dockerignore", "deploy"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, context / name, ignore=shutil.ignore_patterns("__pycache__", ".env"))
        else:
            shutil.copy(src, context / name)
    secrets_dir = context / "deploy" / "secrets"
    secrets_dir.mkdir()
    pii.new_key_file(secrets_dir / "keys.json")
    pem = secrets_dir / "alipay.pem"
    pem.write_text("-----BEGIN PUBLIC KEY-----\nnot used before a payment\n-----END PUBLIC KEY-----\n")
    for f in secrets_dir.iterdir():
        os.chown(f, 10001, 10001) if os.geteuid() == 0 else None
    token = uuid.uuid4().hex + uuid.uuid4().hex
    port = _free_port()
    (context / "deploy" / ".env").write_text("\n".join([
        f"POSTGRES_PASSWORD={uuid.uuid4().hex}", f"O2O_SECRET_KEY={uuid.uuid4().hex}{uuid.uuid4().hex}",
        f"O2O_PAYMENT_SECRET={uuid.uuid4().hex}{uuid.uuid4().hex}", f"O2O_METRICS_TOKEN={token}",
        "O2O_PUBLIC_BASE_URL=https://shop.example.test", 'O2O_ALLOWED_HOSTS=["shop.example.test","127.0.0.1"]',
        "O2O_WORKERS=2", f"O2O_HTTP_PORT={port}", 'O2O_SMS_PROVIDERS=["aliyun"]',
        "O2O_ALIYUN_SMS_ACCESS_KEY_ID=LTAI-test", "O2O_ALIYUN_SMS_ACCESS_KEY_SECRET=test-secret",
        "O2O_ALIYUN_SMS_SIGN_NAME=O2O", 'O2O_ALIYUN_SMS_TEMPLATES={"sign_in":"SMS_1"}',
        "O2O_ALIPAY_APP_ID=2021000000000000", "O2O_ALIPAY_PRIVATE_KEY_FILE=/run/o2o/alipay.pem",
        "O2O_ALIPAY_PUBLIC_KEY_FILE=/run/o2o/alipay.pem", ""]))
    project = f"o2o-test-{uuid.uuid4().hex[:8]}"
    compose = ["docker", "compose", "-p", project, "-f", str(context / "deploy" / "compose.yaml"),
               "--env-file", str(context / "deploy" / ".env")]
    try:
        up = subprocess.run([*compose, "up", "-d", "--build", "--wait", "--wait-timeout", "600"],
                            capture_output=True, text=True, timeout=1800, check=False)
        assert up.returncode == 0, up.stdout + up.stderr
        base = f"http://127.0.0.1:{port}"
        host = {"Host": "shop.example.test"}
        assert httpx.get(f"{base}/readyz", headers=host, timeout=10).json()["database"] == "postgresql"
        assert httpx.get(f"{base}/metrics", headers=host, timeout=10).status_code == 404  # not through the proxy
        assert httpx.get(f"{base}/api/v1/products", headers=host, timeout=10).status_code == 200
        inside = subprocess.run([*compose, "exec", "-T", "app", "python", "-c",
                                 "import urllib.request as u; print(u.urlopen(u.Request("
                                 "'http://127.0.0.1:8000/metrics', headers={'Authorization': "
                                 f"'Metrics {token}'}})).read().decode())"],
                                capture_output=True, text=True, timeout=60, check=False)
        assert inside.returncode == 0 and "o2o_http_requests_total" in inside.stdout, inside.stderr
        doctor = subprocess.run([*compose, "run", "--rm", "-T", "app", "doctor"], capture_output=True, text=True,
                                timeout=300, check=False)
        assert doctor.returncode == 0, doctor.stdout + doctor.stderr
        ps = json.loads("[" + ",".join(subprocess.run([*compose, "ps", "--format", "json"], capture_output=True,
                                                       text=True, check=True).stdout.split("\n")[:-1]) + "]")
        assert {s["Service"] for s in ps} >= {"db", "app", "worker", "proxy"}
    finally:
        subprocess.run([*compose, "down", "-v", "--remove-orphans"], capture_output=True, text=True, timeout=300,
                       check=False)
