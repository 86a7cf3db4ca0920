"""`o2o pii`: keys for personal data, and re-encryption under the active key.

    o2o pii new-key --key-file var/keys.json   # create the key file (keeping the keys in use) or add a key
    O2O_KEY_FILE=var/keys.json o2o pii rotate   # re-encrypt every encrypted column with the active key

Rotation walks Base.metadata for encrypted columns, so a new area's encrypted columns are covered
without touching this file. It goes table by table in primary-key order, one transaction per batch
(rows locked while rewritten), skips values already under the active key, and can be stopped and
run again at any time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import (
    Column,
    Table,
    and_,
    bindparam,
    cast,
    func,
    not_,
    or_,
    select,
    tuple_,
    type_coerce,
    update,
)
from sqlalchemy import Text as SqlText

from o2o.kernel import pii
from o2o.kernel.db import Database, JSONDoc

app = typer.Typer(help="Personal data at rest: encryption keys and rotation", no_args_is_help=True)
console = Console()


def encrypted_columns(metadata: Any) -> dict[Table, list[Column]]:
    """Every table with encrypted columns (Encrypted, EncryptedJSON, EncryptedFloat), in a stable order."""
    out: dict[Table, list[Column]] = {}
    for table in metadata.sorted_tables:
        cols = [c for c in table.columns if isinstance(c.type, pii._Sealed)]
        if cols:
            out[table] = cols
    return out


def _stored(col: Column) -> Any:
    """The column as stored text, bypassing decryption: the token (JSON columns: the token in quotes)."""
    if isinstance(col.type, pii.EncryptedJSON):
        return cast(col, SqlText)
    return type_coerce(col, SqlText)


def _token_type(col: Column) -> Any:
    """The type the token is stored as, without the encryption: text, or a JSON string."""
    return JSONDoc if isinstance(col.type, pii.EncryptedJSON) else SqlText()


def _raw(col: Column) -> Any:
    return type_coerce(col, _token_type(col))


def _stale(col: Column, kid: str) -> Any:
    prefix = f'"{kid}$' if isinstance(col.type, pii.EncryptedJSON) else f"{kid}$"
    return and_(col.is_not(None), not_(_stored(col).startswith(prefix, autoescape=True)))


@dataclass
class RotationReport:
    rewritten: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rewritten.values())


def rotate_table(db: Database, table: Table, cols: list[Column], ring: pii.Keyring, batch: int = 1000,
                 tick: Callable[[int], None] = lambda n: None) -> int:
    """Re-encrypt the values of `cols` not under the active key; returns how many rows were rewritten."""
    pk = list(table.primary_key.columns)
    stale = or_(*(_stale(c, ring.active) for c in cols))
    key = tuple_(*pk) if len(pk) > 1 else pk[0]
    upd = (update(table).where(and_(*(c == bindparam(f"_k_{c.name}") for c in pk)))
           .values({c.name: bindparam(f"_v_{c.name}", type_=_token_type(c)) for c in cols}))
    last: tuple | None = None
    done = 0
    while True:
        with db.write_lock, db.write_sessions() as s:
            stmt = select(*pk, *(_raw(c) for c in cols)).where(stale).order_by(*pk).limit(batch).with_for_update()
            if last is not None:
                stmt = stmt.where(key > (tuple_(*last) if len(pk) > 1 else last[0]))
            rows = s.execute(stmt).all()
            if not rows:
                s.rollback()
                return done
            params = []
            for row in rows:
                ids, tokens = row[:len(pk)], row[len(pk):]
                p = {f"_k_{c.name}": v for c, v in zip(pk, ids, strict=True)}
                for c, token in zip(cols, tokens, strict=True):
                    p[f"_v_{c.name}"] = _reseal(ring, token, table.name, c.name, ids)
                params.append(p)
            s.execute(upd, params)
            s.commit()
        last = tuple(rows[-1][:len(pk)])
        done += len(rows)
        tick(len(rows))


def _reseal(ring: pii.Keyring, token: str | None, table: str, col: str, ids: Any) -> str | None:
    if token is None or pii.kid_of(token) == ring.active:
        return token
    try:
        return ring.seal(ring.open(token))
    except pii.UndecryptableValue as exc:
        raise pii.UndecryptableValue(f"{table}.{col} of row {tuple(ids)}: {exc}") from exc


def rotate(db: Database, metadata: Any, ring: pii.Keyring, batch: int = 1000, show: Console | None = None) -> RotationReport:
    report = RotationReport()
    targets = encrypted_columns(metadata)
    with db.read() as s:
        pending = {t: s.scalar(select(func.count()).select_from(t).where(or_(*(_stale(c, ring.active) for c in cols))))
                   for t, cols in targets.items()}
    progress = Progress(TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=show, disable=show is None)
    with progress:
        for table, cols in targets.items():
            task = progress.add_task(table.name, total=max(pending[table] or 0, 1))
            report.rewritten[table.name] = rotate_table(db, table, cols, ring, batch,
                                                        lambda n, task=task: progress.advance(task, n))
            progress.update(task, completed=max(pending[table] or 0, 1))
    return report


def _settings(key_file: Path | None) -> Any:
    from o2o.config import get_settings

    settings = get_settings()
    return settings.model_copy(update={"key_file": key_file}) if key_file else settings


@app.command("new-key")
def new_key(key_file: Path = typer.Option(..., "--key-file", help="the JSON key file to create or add a key to")) -> None:
    """Create a key file (keeping the keys in use, so old values stay readable) or add a key; make it active."""
    if key_file.exists():
        ring = pii.add_key(key_file)
        console.print(f"[green]added[/] key {ring.active} to {key_file} (active; keys: {', '.join(sorted(ring.keys))})")
    else:
        current = pii.Keyring.from_settings(_settings(None))
        ring = pii.new_key_file(key_file, base=current)
        console.print(f"[green]created[/] {key_file} with the keys in use ({', '.join(sorted(current.keys))}) "
                      f"and a new active key {ring.active}")
    console.print(f"Next: run the app with O2O_KEY_FILE={key_file}, then `o2o pii rotate` to re-encrypt old values.")


@app.command("rotate")
def rotate_cmd(key_file: Path | None = typer.Option(None, "--key-file", help="default: O2O_KEY_FILE"),
               batch: int = typer.Option(1000, min=1, max=100_000, help="rows per transaction")) -> None:
    """Re-encrypt every encrypted column with the active key (skips what already is; safe to re-run)."""
    from o2o import bootstrap
    from o2o.models import metadata

    c = bootstrap.build(_settings(key_file))
    ring = pii.keyring()
    console.print(f"re-encrypting with key {ring.active} (keys: {', '.join(sorted(ring.keys))})")
    try:
        report = rotate(c.db, metadata, ring, batch, show=console)
    except pii.UndecryptableValue as exc:
        console.print(f"[red]cannot rotate:[/] {exc}")
        raise typer.Exit(1) from None
    finally:
        c.db.dispose()
    for name, n in report.rewritten.items():
        console.print(f"{name:<22} {n:>9,} rows re-encrypted")
    console.print(f"[green]done[/]: {report.total:,} rows now under key {ring.active}")
