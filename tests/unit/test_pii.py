"""Personal data at rest: AES-GCM tokens with key ids, rotation, lookup hashes, masking."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2o.kernel import pii
from o2o.kernel.pii import Keyring, PiiError, UndecryptableValue

RING = Keyring.derive("unit-test-secret")


def test_round_trip_when_encrypting_text():
    token = RING.encrypt("13812345678")
    assert token.startswith("k1$") and "13812345678" not in token
    assert RING.decrypt(token) == "13812345678"


def test_same_text_gives_different_tokens_when_encrypted_twice():
    assert RING.encrypt("上海市浦东新区") != RING.encrypt("上海市浦东新区")


@given(st.text(max_size=400))
def test_round_trip_for_any_text(text: str):
    assert RING.decrypt(RING.encrypt(text)) == text


def test_tamper_is_detected_when_a_ciphertext_byte_changes():
    token = RING.encrypt("zhang.wei@example.com")
    kid, body = token.split("$")
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[15] ^= 0x01
    bad = f"{kid}${base64.urlsafe_b64encode(bytes(raw)).rstrip(b'=').decode()}"
    with pytest.raises(UndecryptableValue, match="failed authentication"):
        RING.decrypt(bad)


def test_relabelling_a_token_to_another_key_id_is_detected():
    ring = RING.with_new_key()
    token = RING.encrypt("13812345678")
    with pytest.raises(UndecryptableValue, match="failed authentication"):
        ring.decrypt("k2$" + token.split("$")[1])  # the key id is associated data


def test_unknown_key_id_and_garbage_are_clear_errors():
    with pytest.raises(UndecryptableValue, match="unknown key id 'k9'"):
        RING.decrypt("k9$AAAA")
    with pytest.raises(UndecryptableValue, match="no key id"):
        RING.decrypt("13812345678")
    with pytest.raises(UndecryptableValue, match="truncated"):
        RING.decrypt("k1$AAAA")


def test_other_secret_cannot_decrypt():
    with pytest.raises(UndecryptableValue):
        Keyring.derive("another secret").decrypt(RING.encrypt("x"))


def test_old_key_still_decrypts_when_a_new_key_is_active():
    old = RING.encrypt("13812345678")
    rotated = RING.with_new_key()
    assert rotated.active == "k2" and set(rotated.keys) == {"k1", "k2"}
    new = rotated.encrypt("13812345678")
    assert new.startswith("k2$") and pii.kid_of(new) == "k2"
    assert rotated.decrypt(old) == rotated.decrypt(new) == "13812345678"
    assert rotated.lookup_hash("13812345678") == RING.lookup_hash("13812345678")  # lookups survive rotation


def test_key_file_round_trip_and_add_key(tmp_path: Path):
    path = tmp_path / "keys.json"
    first = pii.new_key_file(path, base=RING)  # keeps the derived k1 and the lookup key, adds k2
    assert first.active == "k2"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    doc = json.loads(path.read_text())
    assert set(doc) == {"active", "keys", "lookup"} and set(doc["keys"]) == {"k1", "k2"}
    assert Keyring.load(path).decrypt(RING.encrypt("a")) == "a"
    third = pii.add_key(path)
    assert third.active == "k3" and Keyring.load(path).active == "k3"
    assert third.decrypt(first.encrypt("b")) == "b"
    with pytest.raises(FileExistsError):
        pii.new_key_file(path)


def test_from_settings_prefers_the_key_file(tmp_path: Path):
    path = tmp_path / "keys.json"
    ring = pii.new_key_file(path)
    from_file = Keyring.from_settings(SimpleNamespace(secret_key="ignored", key_file=path))
    assert from_file.active == ring.active and from_file.decrypt(ring.encrypt("x")) == "x"
    derived = Keyring.from_settings(SimpleNamespace(secret_key="unit-test-secret", key_file=None))
    assert derived.decrypt(RING.encrypt("y")) == "y"


def test_bad_key_files_are_clear_errors(tmp_path: Path):
    with pytest.raises(PiiError, match="does not exist"):
        Keyring.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"active": "k2", "keys": {"k1": base64.b64encode(b"x" * 32).decode()},
                               "lookup": base64.b64encode(b"y" * 32).decode()}))
    with pytest.raises(PiiError, match="active key 'k2'"):
        Keyring.load(bad)
    bad.write_text(json.dumps({"active": "k1", "keys": {"k1": base64.b64encode(b"short").decode()},
                               "lookup": base64.b64encode(b"y" * 32).decode()}))
    with pytest.raises(PiiError, match="32 bytes"):
        Keyring.load(bad)
    with pytest.raises(PiiError, match="empty"):
        Keyring.derive("")


def test_keys_never_show_in_repr():
    assert "keys" not in repr(RING) and "lookup_key" not in repr(RING)


def test_lookup_hash_normalises_phone_and_email():
    h = RING.lookup_hash
    assert h("13812345678") == h("138-1234-5678") == h("+86 138 1234 5678") == h("0086 13812345678")
    assert h("13812345678") != h("13812345679")
    assert h("Zhang.Wei@Example.com ", "email") == h("zhang.wei@example.com", "email")
    assert h("13812345678", "phone") != h("13812345678", "email")  # kinds are separate
    assert len(h("13812345678")) == 64 and int(h("13812345678"), 16) >= 0
    assert h("13812345678") != Keyring.derive("other").lookup_hash("13812345678")  # keyed, not a plain hash
    with pytest.raises(ValueError):
        h("---")


def test_masking_helpers():
    assert pii.mask_phone("13812345678") == "138****5678"
    assert pii.mask_phone("12345") == "****"
    assert pii.mask_email("zhang.wei@example.com") == "z***@example.com"
    assert pii.mask_text("浦东新区张杨路 500 弄 3 号 1201 室") == "浦东新区****"
    assert pii.mask_text("abc") == "a****"
    assert pii.mask_name("张伟") == "张*"
    assert pii.mask_name("欧阳娜娜") == "欧***"
    for f in (pii.mask_phone, pii.mask_email, pii.mask_text, pii.mask_name):
        assert f(None) is None and f("") == ""


def test_an_ip_address_is_cut_to_its_network():
    assert pii.coarse_ip("203.0.113.57") == "203.0.113.0/24"
    assert pii.coarse_ip("2001:db8:1:2::5") == "2001:db8:1::/48"
    assert pii.coarse_ip("::ffff:198.51.100.7") == "198.51.100.0/24"  # IPv4-mapped: as IPv4
    assert pii.coarse_ip("203.0.113.0/24") == "203.0.113.0/24" and pii.coarse_ip("10.0.0.0/8") == "10.0.0.0/8"
    assert pii.coarse_ip("testclient") is None and pii.coarse_ip("") == "" and pii.coarse_ip(None) is None


def test_module_functions_need_a_configured_keyring():
    before = pii.configured()
    try:
        pii.configure(None)
        with pytest.raises(pii.KeyringNotConfigured, match="configure"):
            pii.encrypt("x")
        pii.configure(RING)
        assert pii.decrypt(pii.encrypt("x")) == "x"
        assert pii.lookup_hash("13812345678") == RING.lookup_hash("13812345678")
    finally:
        pii.configure(before)


def test_encrypted_columns_refuse_comparisons():
    from o2o.customers.models import Customer

    with pytest.raises(TypeError, match="lookup hash"):
        _ = Customer.phone == "13812345678"
    assert str(Customer.phone.is_(None)).endswith("IS NULL")
    assert str(Customer.phone == None).endswith("IS NULL")  # noqa: E711
