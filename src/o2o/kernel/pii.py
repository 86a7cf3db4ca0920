"""Personal data at rest: AES-GCM with key ids, a keyed lookup hash, and masking for display.

A token is ``<key id>$<urlsafe base64 of nonce + ciphertext + tag>``; the key id is also the
associated data, so a token cannot be relabelled to another key. Any key of the keyring opens its
tokens; new values are sealed with the active key, so keys rotate by adding a key, making it active
and re-encrypting (`o2o pii rotate`). The lookup key never rotates: it keys the HMAC that finds a
customer by phone or email without decrypting anything.

Keys come from `O2O_KEY_FILE` (JSON: ``{"active": "k2", "keys": {"k1": "<b64>", "k2": "<b64>"},
"lookup": "<b64>"}``) or, without one, are derived from `O2O_SECRET_KEY` with HKDF (key id k1).

Models declare ``mapped_column(Encrypted())`` (text), ``mapped_column(EncryptedFloat())`` (a float,
e.g. a home's coordinates: stored as a token of its repr, so it reads back exactly) or
``mapped_column(EncryptedJSON())`` (a JSON document); all seal on the way in and open on the way out,
for the ORM and for Core executemany. Encrypted columns cannot be compared or ordered in SQL (the
ciphertext is randomised): search by lookup hash, compare in Python.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import os
import re
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import JSON, Text, TypeDecorator
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import operators

KEY_BYTES = 32
NONCE_BYTES = 12
KID = re.compile(r"^[A-Za-z0-9-]{1,16}$")  # no '$' (the separator) and nothing LIKE treats specially
HKDF_SALT = b"o2o/pii/v1"


class PiiError(RuntimeError):
    """Base of the errors below."""


class KeyringNotConfigured(PiiError):
    pass


class UndecryptableValue(PiiError):
    """Unknown key id, malformed token, or a ciphertext that fails authentication (tampered / wrong key)."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, TypeError) as exc:
        raise PiiError(f"{what} is not base64") from exc


def _hkdf(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=HKDF_SALT, info=info).derive(secret)


def _check_kid(kid: str) -> None:
    if not KID.match(kid):
        raise PiiError(f"key id {kid!r} must be 1-16 letters, digits or '-'")


@dataclass(frozen=True)
class Keyring:
    """Key id -> 32-byte AES key, which one seals new values, and the (separate) lookup-hash key."""

    keys: Mapping[str, bytes] = field(repr=False)
    active: str
    lookup_key: bytes = field(repr=False)
    _aead: dict[str, AESGCM] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise PiiError(f"active key {self.active!r} is not in the keyring ({', '.join(sorted(self.keys))})")
        for kid, key in self.keys.items():
            _check_kid(kid)
            if len(key) != KEY_BYTES:
                raise PiiError(f"key {kid!r} must be {KEY_BYTES} bytes, not {len(key)}")
        if len(self.lookup_key) != KEY_BYTES:
            raise PiiError(f"the lookup key must be {KEY_BYTES} bytes, not {len(self.lookup_key)}")
        object.__setattr__(self, "keys", dict(self.keys))
        object.__setattr__(self, "_aead", {kid: AESGCM(key) for kid, key in self.keys.items()})

    # -- where keys come from ------------------------------------------------------------------
    @classmethod
    def derive(cls, secret: str) -> Keyring:
        """Key k1 and the lookup key from one secret (HKDF-SHA256; the secret is not stored)."""
        if not secret:
            raise PiiError("O2O_SECRET_KEY is empty: personal data needs a secret key or O2O_KEY_FILE")
        raw = secret.encode()
        return cls({"k1": _hkdf(raw, b"enc:k1")}, "k1", _hkdf(raw, b"lookup"))

    @classmethod
    def generate(cls) -> Keyring:
        return cls({"k1": secrets.token_bytes(KEY_BYTES)}, "k1", secrets.token_bytes(KEY_BYTES))

    @classmethod
    def load(cls, path: Path) -> Keyring:
        try:
            doc = json.loads(Path(path).read_text())
        except FileNotFoundError:
            raise PiiError(f"key file {path} does not exist (create it with `o2o pii new-key --key-file {path}`)") \
                from None
        except ValueError as exc:
            raise PiiError(f"key file {path} is not JSON: {exc}") from exc
        try:
            keys = {str(kid): _unb64(str(b), f"key {kid!r} in {path}") for kid, b in dict(doc["keys"]).items()}
            return cls(keys, str(doc["active"]), _unb64(str(doc["lookup"]), f"the lookup key in {path}"))
        except (KeyError, TypeError, AttributeError) as exc:
            raise PiiError(f"key file {path} needs \"active\", \"keys\" and \"lookup\": {exc!r}") from exc

    @classmethod
    def from_settings(cls, settings: Any) -> Keyring:
        """The key file when `key_file` is set, otherwise keys derived from `secret_key`."""
        key_file = getattr(settings, "key_file", None)
        if key_file:
            return cls.load(Path(key_file))
        return cls.derive(str(settings.secret_key))

    def to_json(self) -> dict[str, Any]:
        return {"active": self.active, "keys": {kid: _b64(k) for kid, k in self.keys.items()},
                "lookup": _b64(self.lookup_key)}

    def with_new_key(self) -> Keyring:
        """This keyring plus a fresh random key (k<n+1>), made active. Old keys stay to open old values."""
        numbers = [int(m.group(1)) for kid in self.keys if (m := re.fullmatch(r"k(\d+)", kid))]
        kid = f"k{max(numbers, default=0) + 1}"
        return Keyring({**self.keys, kid: secrets.token_bytes(KEY_BYTES)}, kid, self.lookup_key)

    # -- sealing -------------------------------------------------------------------------------
    def seal(self, data: bytes) -> str:
        nonce = os.urandom(NONCE_BYTES)
        kid = self.active
        ct = self._aead[kid].encrypt(nonce, data, kid.encode())
        return f"{kid}${base64.urlsafe_b64encode(nonce + ct).rstrip(b'=').decode()}"

    def open(self, token: str) -> bytes:
        kid, sep, body = token.partition("$")
        if not sep:
            raise UndecryptableValue("not an encrypted value (no key id)")
        aead = self._aead.get(kid)
        if aead is None:
            raise UndecryptableValue(f"unknown key id {kid!r}: the keyring has {', '.join(sorted(self.keys))}")
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (ValueError, TypeError):
            raise UndecryptableValue(f"malformed ciphertext for key {kid!r}") from None
        if len(raw) < NONCE_BYTES + 16:
            raise UndecryptableValue(f"truncated ciphertext for key {kid!r}")
        try:
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], kid.encode())
        except InvalidTag:
            raise UndecryptableValue(f"ciphertext for key {kid!r} failed authentication "
                                     "(tampered with, or the key is not the one it was sealed with)") from None

    def encrypt(self, text: str) -> str:
        return self.seal(text.encode())

    def decrypt(self, token: str) -> str:
        return self.open(token).decode()

    def encrypt_float(self, value: float) -> str:
        """The token of repr(float(value)): the shortest text that reads back as exactly this float."""
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"EncryptedFloat columns take a real number, not {type(value).__name__}")
        return self.seal(repr(float(value)).encode())  # float() first: repr(np.float64(1.5)) is not "1.5"

    def decrypt_float(self, token: str) -> float:
        return float(self.open(token))

    def lookup_hash(self, value: str, kind: str = "phone") -> str:
        norm = normalise(value, kind)
        return hmac.new(self.lookup_key, f"{kind}:{norm}".encode(), hashlib.sha256).hexdigest()


def kid_of(token: str) -> str:
    return token.partition("$")[0]


def normalise(value: str, kind: str = "phone") -> str:
    """phone: digits only, a +86/0086 country code dropped; email: trimmed, lower case; else trimmed."""
    if kind == "phone":
        out = re.sub(r"\D", "", value)
        for cc in ("0086", "86"):
            if out.startswith(cc) and len(out) == 11 + len(cc):
                out = out[len(cc):]
    elif kind == "email":
        out = value.strip().lower()
    else:
        out = value.strip()
    if not out:
        raise ValueError(f"empty {kind} cannot be hashed for lookup")
    return out


# -- key files -----------------------------------------------------------------------------------
def write_key_file(path: Path, ring: Keyring) -> None:
    """Atomically, readable by the owner only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(ring.to_json(), f, indent=2)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def new_key_file(path: Path, base: Keyring | None = None) -> Keyring:
    """A new key file: fresh random keys, or `base` (e.g. the keys derived from O2O_SECRET_KEY, so
    what they sealed stays readable, and its lookup key, so lookup hashes stay valid) plus a new
    active key."""
    if Path(path).exists():
        raise FileExistsError(f"{path} exists: add a key to it instead")
    ring = base.with_new_key() if base is not None else Keyring.generate()
    write_key_file(path, ring)
    return ring


def add_key(path: Path) -> Keyring:
    """Add a fresh key to an existing key file and make it active; returns the new keyring."""
    ring = Keyring.load(path).with_new_key()
    write_key_file(path, ring)
    return ring


# -- the process-wide keyring (bootstrap.build configures it) -----------------------------------
_keyring: Keyring | None = None


def configure(ring: Keyring | None) -> None:
    global _keyring
    _keyring = ring


def configured() -> Keyring | None:
    return _keyring


def keyring() -> Keyring:
    if _keyring is None:
        raise KeyringNotConfigured("no keyring for personal data: call o2o.kernel.pii.configure("
                                   "Keyring.from_settings(settings)) first (bootstrap.build does)")
    return _keyring


def encrypt(text: str) -> str:
    return keyring().encrypt(text)


def decrypt(token: str) -> str:
    return keyring().decrypt(token)


def lookup_hash(value: str, kind: str = "phone") -> str:
    """HMAC-SHA256 (hex) of the normalised value: equal inputs give equal hashes, for unique lookups."""
    return keyring().lookup_hash(value, kind)


# -- column types ----------------------------------------------------------------------------------
class _Sealed(TypeDecorator[Any]):
    """Base of the encrypted column types (`o2o pii rotate` finds columns by this class)."""

    cache_ok = True

    class comparator_factory(TypeDecorator.Comparator[Any]):  # noqa: N801 (SQLAlchemy's name)
        """Only IS [NOT] NULL: a randomised ciphertext never equals anything."""

        def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
            if op in (operators.is_, operators.is_not) or (
                    op in (operators.eq, operators.ne) and all(o is None for o in other)):
                return super().operate(op, *other, **kwargs)
            raise TypeError(f"{self.expr} is encrypted and cannot be used in SQL with {op.__name__}: "
                            "search by its lookup hash instead")

        def reverse_operate(self, op: Any, other: Any, **kwargs: Any) -> Any:
            raise TypeError(f"{self.expr} is encrypted and cannot be used in SQL with {op.__name__}")


class Encrypted(_Sealed):
    """A string sealed with the active key (stored as text; None stays NULL)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise TypeError(f"Encrypted columns take str, not {type(value).__name__}")
        return keyring().encrypt(value)

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else keyring().decrypt(value)


class EncryptedFloat(_Sealed):
    """A float sealed as the text of its repr (stored as text; None stays NULL; exact round trip)."""

    impl = Text
    cache_ok = True

    @property
    def python_type(self) -> type:
        return float

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else keyring().encrypt_float(value)

    def process_result_value(self, value: Any, dialect: Any) -> float | None:
        return None if value is None else keyring().decrypt_float(value)


class EncryptedJSON(_Sealed):
    """A JSON document sealed whole; the column stays JSON (holding one string: the token)."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.JSONB())
        return dialect.type_descriptor(JSON())

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return keyring().seal(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS))

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return None if value is None else orjson.loads(keyring().open(value))


# -- masking for display -----------------------------------------------------------------------------
MASK = "****"


def mask_phone(phone: str | None) -> str | None:
    """13812345678 -> 138****5678."""
    if not phone:
        return phone
    return f"{phone[:3]}{MASK}{phone[-4:]}" if len(phone) >= 8 else MASK


def mask_email(email: str | None) -> str | None:
    """zhang.wei@example.com -> z***@example.com."""
    if not email:
        return email
    local, at, domain = email.partition("@")
    if not at:
        return mask_text(email)
    return f"{local[:1]}***@{domain}"


def mask_text(text: str | None) -> str | None:
    """An address line: its first few characters (the district, at most 4), then ****."""
    if not text:
        return text
    return text[:min(4, len(text) // 2)] + MASK


def mask_name(name: str | None) -> str | None:
    """张伟 -> 张*; 欧阳娜娜 -> 欧***."""
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1) if len(name) > 1 else "*"


IPV4_PREFIX, IPV6_PREFIX = 24, 48  # what is kept of a client's address: its network, not the host


def coarse_ip(ip: str | None) -> str | None:
    """A client address cut down to its network, in CIDR form: 203.0.113.57 -> 203.0.113.0/24,
    2001:db8:1:2::5 -> 2001:db8:1::/48 (an IPv4-mapped IPv6 address as IPv4). Idempotent (a network
    given is cut to at most that width); "" stays ""; anything that is not an address (a test
    client's name) gives None."""
    if not ip:
        return ip
    try:
        net = ipaddress.ip_network(ip.strip(), strict=False)
    except ValueError:
        return None
    if isinstance(net, ipaddress.IPv6Network) and net.network_address.ipv4_mapped is not None:
        net = ipaddress.ip_network(f"{net.network_address.ipv4_mapped}/{max(net.prefixlen - 96, 0)}", strict=False)
    prefix = IPV4_PREFIX if net.version == 4 else IPV6_PREFIX
    return str(net.supernet(new_prefix=prefix) if net.prefixlen > prefix else net)
