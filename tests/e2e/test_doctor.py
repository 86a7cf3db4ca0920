"""`o2o doctor` says what a production configuration lacks, check by check, and `o2o serve` outside dev
refuses to start on the same failures (the same lines), on both databases."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from o2o.cli import app
from o2o.config import Settings, get_settings
from o2o.kernel import migrate, pii
from o2o.ops import doctor
from tests.conftest import blank_database_url
from tests.e2e.test_cli_commands import O2O, _free_port

runner = CliRunner()
STRONG = "Zq3-" + "".join(chr(ord("a") + i % 26) for i in range(40))


def _production(tmp_path: Path, url: str, **over: object) -> Settings:
    keys = tmp_path / "keys.json"
    if not keys.exists():
        pii.new_key_file(keys)
    pem = tmp_path / "provider.pem"
    pem.write_text("-----BEGIN PUBLIC KEY-----\n(doctor checks the file is there and readable)\n")
    values = dict(database_url=url, env="production", secret_key=STRONG, payment_secret=STRONG[::-1],
                  key_file=keys, media_dir=tmp_path / "media", public_base_url="https://shop.example.cn",
                  allowed_hosts=["shop.example.cn"], sms_providers=["aliyun"], aliyun_sms_access_key_id="LTAI5t",
                  aliyun_sms_access_key_secret="secret-of-aliyun", aliyun_sms_sign_name="O2O",
                  aliyun_sms_templates={"sign_in": "SMS_1"}, alipay_app_id="2021000000000000",
                  alipay_private_key_file=pem, alipay_public_key_file=pem)
    values.update(over)
    fields = Settings.model_fields
    return Settings(**{k: v for k, v in values.items() if k in fields})


def _by_name(checks: list[doctor.Check]) -> dict[str, doctor.Check]:
    return {c.name: c for c in checks}


@pytest.fixture
def url(request, db_kind, tmp_path):  # type: ignore[no-untyped-def]
    u = blank_database_url(request, db_kind, tmp_path / "doctor.db")
    from o2o.kernel.db import make_engine

    engine = make_engine(u)
    migrate.upgrade(engine)
    engine.dispose()
    return u


def test_a_good_production_configuration_passes_every_check(tmp_path, url):
    checks = doctor.run(_production(tmp_path, url))
    assert doctor.failures(checks) == [], checks
    got = _by_name(checks)
    assert got["migrations"].status == doctor.OK and got["pii key file"].status == doctor.OK
    assert got["https cookies"].status == doctor.OK and got["allowed hosts"].status == doctor.OK


def test_each_missing_piece_is_named(tmp_path, url):
    s = _production(tmp_path, url)
    cases = {
        "secrets": dict(secret_key=Settings.model_fields["secret_key"].default, key_file=None),
        "pii key file": dict(key_file=tmp_path / "missing.json"),
        "https cookies": dict(public_base_url="http://shop.example.cn"),
        "public base url": dict(public_base_url="https://127.0.0.1", allowed_hosts=["127.0.0.1"]),
        "allowed hosts": dict(allowed_hosts=["localhost"]),
        "media dir": dict(media_dir=Path("/proc/o2o-media")),
    }
    for name, over in cases.items():
        got = _by_name(doctor.run(_production(tmp_path, url, **over)))
        assert got[name].status == doctor.FAIL, (name, got[name])
    weak = _by_name(doctor.run(_production(tmp_path, url, payment_secret="short")))["secrets"]
    assert weak.status == doctor.FAIL and "O2O_PAYMENT_SECRET is shorter than 32" in weak.detail
    same = _by_name(doctor.run(_production(tmp_path, url, payment_secret="a" * 64)))["secrets"]
    assert same.status == doctor.FAIL and "different characters" in same.detail
    # the dev-secrets line is bootstrap's own, word for word
    default = _by_name(doctor.run(_production(tmp_path, url, payment_secret=Settings.model_fields[
        "payment_secret"].default)))["secrets"]
    assert default.detail == "O2O_ENV='production' (not 'dev'): set O2O_PAYMENT_SECRET to secrets of your own"
    assert s.key_file is not None
    os.chmod(s.key_file, 0o644)
    loose = _by_name(doctor.run(s))["pii key file"]
    assert loose.status == doctor.FAIL and "chmod 600" in loose.detail
    os.chmod(s.key_file, 0o600)
    Path(s.key_file).write_text('{"active": "k9"}')
    broken = _by_name(doctor.run(s))["pii key file"]
    assert broken.status == doctor.FAIL and "needs" in broken.detail


def test_providers_are_checked_from_the_settings_they_declare(tmp_path, url):
    if any(f not in Settings.model_fields for p in doctor.PROVIDERS for f in p.required):
        pytest.fail("every provider of doctor.PROVIDERS is part of this version (issue 14)")
    got = _by_name(doctor.run(_production(tmp_path, url)))
    assert got["sms providers"].detail == "aliyun configured" and got["payments providers"].detail == "alipay configured"
    half = _by_name(doctor.run(_production(tmp_path, url, aliyun_sms_access_key_id="")))["sms providers"]
    assert half.status == doctor.FAIL and "aliyun: O2O_ALIYUN_SMS_ACCESS_KEY_ID is not set" in half.detail
    made_up = _by_name(doctor.run(_production(tmp_path, url, sms_providers=["pigeon"])))["sms providers"]
    assert made_up.status == doctor.FAIL and "pigeon: unknown provider" in made_up.detail
    none = _by_name(doctor.run(_production(tmp_path, url, sms_providers=[])))["sms providers"]
    assert none.status == doctor.FAIL and "cannot sign in" in none.detail
    # payments have no list: a provider with any of its settings is enabled, and then needs them all
    gone = tmp_path / "gone.pem"
    partial = _by_name(doctor.run(_production(tmp_path, url, alipay_public_key_file=gone, wechatpay_mch_id="1900")))
    assert partial["payments providers"].status == doctor.FAIL
    assert f"alipay: O2O_ALIPAY_PUBLIC_KEY_FILE: {gone} is not a file" in partial["payments providers"].detail
    assert "wechatpay: O2O_WECHATPAY_API_V3_KEY is not set" in partial["payments providers"].detail
    nothing = _by_name(doctor.run(_production(tmp_path, url, alipay_app_id="", alipay_private_key_file=None,
                                              alipay_public_key_file=None)))["payments providers"]
    assert nothing.status == doctor.FAIL and "cannot pay" in nothing.detail
    dev = _by_name(doctor.run(_production(tmp_path, url, env="dev", alipay_app_id="", alipay_private_key_file=None,
                                          alipay_public_key_file=None)))["payments providers"]
    assert dev.status == doctor.WARN  # the sandbox does in dev


def test_database_unreachable_or_not_migrated_fails(tmp_path, request, db_kind):
    blank = blank_database_url(request, db_kind, tmp_path / "blank.db")
    if db_kind == "postgresql":
        from o2o.kernel.db import make_engine

        make_engine(blank).dispose()
        got = _by_name(doctor.run(_production(tmp_path, blank)))
        assert got["migrations"].status == doctor.FAIL and "run `o2o migrate`" in got["migrations"].detail
        port = _free_port()
        gone = _by_name(doctor.run(_production(tmp_path, f"postgresql+psycopg://o2o:pw@127.0.0.1:{port}/o2o")))
        assert gone["database"].status == doctor.FAIL and "cannot connect" in gone["database"].detail
        assert "pw" not in gone["database"].detail  # no password in the output
    else:
        got = _by_name(doctor.run(_production(tmp_path, blank)))
        assert got["database"].status == doctor.FAIL and not Path(blank.split("///")[1]).exists()


def test_doctor_command_exits_1_on_a_failure_and_0_otherwise(tmp_path, url, monkeypatch):
    for k, v in {"O2O_DATABASE_URL": url, "O2O_ENV": "production", "O2O_SECRET_KEY": STRONG,
                 "O2O_PAYMENT_SECRET": STRONG[::-1], "O2O_MEDIA_DIR": str(tmp_path / "media"),
                 "O2O_PUBLIC_BASE_URL": "https://shop.example.cn", "O2O_ALLOWED_HOSTS": '["shop.example.cn"]',
                 "O2O_SMS_PROVIDERS": "[]", "COLUMNS": "250"}.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    r = runner.invoke(app, ["doctor"])
    assert r.exit_code == 1 and "fail" in r.output and "O2O_SMS_PROVIDERS is empty" in " ".join(r.output.split())
    monkeypatch.setenv("O2O_ENV", "dev")
    get_settings.cache_clear()
    r = runner.invoke(app, ["doctor"])
    assert r.exit_code == 0 and "OK (with warnings)" in r.output, r.output


def test_serve_outside_dev_refuses_to_start_with_the_doctor_lines(tmp_path, url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2O_")}
    env.update(COLUMNS="250", O2O_DATABASE_URL=url, O2O_ENV="production", O2O_SECRET_KEY=STRONG,
               O2O_PAYMENT_SECRET="short", O2O_MEDIA_DIR=str(tmp_path / "media"),
               O2O_PUBLIC_BASE_URL="http://shop.example.cn", O2O_ALLOWED_HOSTS='["shop.example.cn"]')
    for workers in ("1", "2"):
        r = subprocess.run([O2O, "serve", "--port", str(_free_port()), "--workers", workers], env=env,
                           capture_output=True, text=True, timeout=120, cwd=tmp_path)
        out = " ".join(r.stdout.split())
        assert r.returncode == 1, r.stdout + r.stderr
        assert "not starting" in out and "O2O_PAYMENT_SECRET is shorter than 32" in out
        assert "is not https://" in out and "Traceback" not in r.stderr
