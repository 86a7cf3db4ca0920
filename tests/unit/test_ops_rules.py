"""Rules of the operations code that need no database: secret strength, the /metrics gate, route labels,
key fingerprints."""

from __future__ import annotations

from o2o.kernel import metrics, pii
from o2o.ops import backup, doctor


def test_secret_strength():
    assert doctor._weak("x" * 31) and "shorter than 32" in doctor._weak("x" * 31)
    assert "different characters" in doctor._weak("ab" * 40)
    assert doctor._weak("Zq3-abcdefghijklmnopqrstuvwxyz0123456789") is None


def test_metrics_gate():
    assert metrics.allowed("127.0.0.1", None, "") and metrics.allowed("10.0.0.8", "Metrics whatever", "")
    assert not metrics.allowed("1.2.3.4", None, "")
    assert metrics.allowed("1.2.3.4", "Metrics t0ken", "t0ken") and metrics.allowed("1.2.3.4", "METRICS t0ken", "t0ken")
    for forged in (None, "", "Metrics", "Metrics ", "Metrics t0ke", "Metrics t0kenn", "Bearer t0ken", "t0ken",
                   "Metrics " + "t0ken" * 10_000):
        assert not metrics.allowed("127.0.0.1", forged, "t0ken"), forged


def test_route_labels_are_templates_or_one_label_for_the_unmatched():
    class Route:
        path = "/api/v1/orders/{number}"

    assert metrics.route_template({"route": Route}) == "/api/v1/orders/{number}"
    assert metrics.route_template({"path": "/wp-admin/x"}) == metrics.UNMATCHED


def test_fingerprints_name_the_keys_without_revealing_them():
    ring = pii.Keyring.generate()
    fp = backup.fingerprints(ring)
    assert fp == backup.fingerprints(pii.Keyring(ring.keys, ring.active, ring.lookup_key))
    assert set(fp) == {*ring.keys, "lookup"}
    other = backup.fingerprints(pii.Keyring.generate())
    assert all(fp[k] != other[k] for k in fp)
    rotated = backup.fingerprints(ring.with_new_key())
    assert rotated["k1"] == fp["k1"] and rotated["lookup"] == fp["lookup"] and "k2" in rotated
    raw = str(ring.to_json())
    assert not any(v in raw for v in fp.values())
