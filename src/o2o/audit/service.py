"""Audit log use cases: append an entry (inside the caller's transaction), verify the chain, search.

Each row's hash is sha256(prev_hash + canonical JSON of the row: id, at in ISO format and every
audited field). The client's address is logged as its network only (`client_network`), cut before
hashing: the log is append-only and chained, so nothing could cut it later. Appends lock the one
`audit_head` row, so concurrent transactions form one unbroken chain with dense ids; the lock is held
from the append to the commit, which is why `append` belongs in a unit of work's `before_commit` hook,
as late as possible.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from o2o.audit import repository as repo
from o2o.audit.models import (
    ACTION_LEN,
    ACTOR_ID_LEN,
    ACTOR_KINDS,
    ACTOR_NAME_LEN,
    GENESIS_HASH,
    IP_LEN,
    ROLE_LEN,
    TARGET_LEN,
)
from o2o.audit.schemas import AuditFilters, AuditOut
from o2o.kernel import pii
from o2o.kernel.db import Database
from o2o.kernel.pagination import Page, PageParams

# the fields that are hashed besides prev_hash, in the canonical document
HASHED = ("id", "at", "actor_kind", "actor_id", "actor_name", "role", "store_id", "action", "target", "ip",
          "status", "detail")
VERIFY_BATCH = 2_000


@dataclass(frozen=True)
class Entry:
    """One audited act. `action` e.g. "POST /api/v1/stock/movements" or "pii.read"; `target` what it touched."""

    actor_kind: str  # staff | api_key | customer | system
    actor_id: str | int | None
    actor_name: str
    action: str
    target: str = ""
    role: str | None = None
    store_id: int | None = None
    ip: str = ""
    status: int | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)
    at: datetime | None = None  # defaults to now


@dataclass(frozen=True)
class Report:
    ok: bool
    checked: int
    bad_id: int | None = None
    reason: str = ""


# ---------------------------------------------------------------- hashing


def _text(value: object, width: int) -> str:
    # PostgreSQL text cannot hold NUL; cut to the column width before hashing so the row hashes as stored
    return str(value).replace("\x00", "\ufffd")[:width]


def _plain(value: Any) -> Any:
    """JSON-safe and stable through JSON/JSONB: str keys, no NaN/inf, no NUL, unknown types as text."""
    if isinstance(value, Mapping):
        return {_text(k, 200): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return _text(value, 10_000)


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _numbers(value: Any) -> Any:
    """Whole floats hash as ints: PostgreSQL's JSONB gives 1e16 back as 10000000000000000."""
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def canonical(values: Mapping[str, Any]) -> bytes:
    doc = {k: values[k] for k in HASHED}
    doc["at"] = iso(values["at"])
    doc["detail"] = _numbers(doc["detail"])
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_key() -> bytes:
    """The chain is an HMAC under a key that is not in the database (derived from the personal-data
    keyring's lookup key, which never rotates): whoever can write the tables still cannot forge a
    chain that verifies."""
    return hmac.new(pii.keyring().lookup_key, b"o2o-audit-chain-v1", hashlib.sha256).digest()


def chain_hash(prev_hash: str, values: Mapping[str, Any], key: bytes | None = None) -> str:
    return hmac.new(key or chain_key(), prev_hash.encode("ascii") + canonical(values), hashlib.sha256).hexdigest()


def client_network(ip: str) -> str:
    """What the log keeps of a client's address: its network (203.0.113.0/24, 2001:db8:1::/48), cut
    before the row is hashed. Rows are never rewritten (triggers refuse it, and the chain would no
    longer verify), so a full address written here would be kept for ever; the full one is kept
    only on the sign-in session, for `ip_retention_days`. Text that is no address is kept as it is."""
    return pii.coarse_ip(ip) or ip


def _row_values(entry: Entry) -> dict[str, Any]:
    if entry.actor_kind not in ACTOR_KINDS:
        raise ValueError(f"actor_kind must be one of {ACTOR_KINDS}, not {entry.actor_kind!r}")
    at = entry.at or datetime.now(UTC)
    if at.tzinfo is None:
        raise ValueError("naive datetime given to the audit log")
    return {
        "at": at.astimezone(UTC),
        "actor_kind": entry.actor_kind,
        "actor_id": None if entry.actor_id is None else _text(entry.actor_id, ACTOR_ID_LEN),
        "actor_name": _text(entry.actor_name, ACTOR_NAME_LEN),
        "role": None if entry.role is None else _text(entry.role, ROLE_LEN),
        "store_id": entry.store_id,
        "action": _text(entry.action, ACTION_LEN),
        "target": _text(entry.target, TARGET_LEN),
        "ip": _text(client_network(entry.ip), IP_LEN),
        "status": entry.status,
        "detail": _plain(dict(entry.detail)),
    }


# ---------------------------------------------------------------- use cases


def append(session: Session, entry: Entry) -> int:
    """Append one entry inside the caller's transaction (never commits); returns its id.

    Locks the head row until that transaction ends: call it last, from `uow.before_commit`.
    """
    values = _row_values(entry)
    last_id, last_hash = repo.lock_head(session)
    values["id"] = last_id + 1
    values["prev_hash"] = last_hash
    values["hash"] = chain_hash(last_hash, values)
    repo.insert(session, values)
    repo.move_head(session, values["id"], values["hash"])
    return values["id"]


def verify(db: Database, progress: Callable[[int, int], None] | None = None,
           batch: int = VERIFY_BATCH) -> Report:
    """Recompute the chain in id order; the first row that does not fit is named in the report.

    Finds an altered row (its hash), a deleted, inserted or reordered row (an id gap or a prev_hash that
    is not the previous row's hash) and a head that does not point at the last row. Appends that commit
    while it runs are checked too: it reads on until the head and the last row agree.
    `progress(checked, expected_total)` is called after each batch.
    """
    checked, prev_id, prev_hash = 0, 0, GENESIS_HASH
    key = chain_key()
    with db.read() as session:
        head = repo.head(session) or (0, GENESIS_HASH)
        while True:
            rows = repo.batch_after(session, prev_id, batch)
            for row in rows:
                values = row._asdict()
                if row.id != prev_id + 1:
                    reason = (f"row {row.id} follows row {prev_id}: rows {prev_id + 1}..{row.id - 1} are missing"
                              if row.id > prev_id + 1 else f"row {row.id} is out of order")
                    return Report(False, checked, row.id, reason)
                if row.prev_hash != prev_hash:
                    return Report(False, checked, row.id, f"prev_hash does not match the hash of row {prev_id} "
                                  "(that row was rewritten, or rows were removed or inserted)")
                if chain_hash(row.prev_hash, values, key) != row.hash:
                    return Report(False, checked, row.id, "contents do not match the row's hash (row altered)")
                checked, prev_id, prev_hash = checked + 1, row.id, row.hash
            if progress:
                progress(checked, max(head[0], checked))
            if len(rows) == batch:
                continue
            head = repo.head(session)  # read after the rows: appends committed meanwhile move it forward
            if head is None:  # created by the first append: there must be no rows yet
                if prev_id == 0:
                    return Report(True, 0)
                return Report(False, checked, prev_id, "the audit_head row is missing")
            if head[0] > prev_id:
                more = repo.batch_after(session, prev_id, 1)
                if more:
                    continue
                return Report(False, checked, head[0], f"the head points at row {head[0]}, but the last row "
                              f"is {prev_id}: rows {prev_id + 1}..{head[0]} are missing")
            if head != (prev_id, prev_hash):
                return Report(False, checked, prev_id or None,
                              f"the head (row {head[0]}) does not match the last row {prev_id}")
            return Report(True, checked)


def search(db: Database, filters: AuditFilters, page: PageParams) -> Page[AuditOut]:
    with db.read() as session:
        rows, total = repo.search(session, filters, page.offset, page.size)
        return Page[AuditOut](items=[AuditOut.model_validate(r) for r in rows], page=page.page, size=page.size,
                              total=total)
