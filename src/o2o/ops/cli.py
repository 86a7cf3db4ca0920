"""Operations commands mounted on `o2o`: doctor, backup, restore (and the check `serve` runs first)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from o2o.config import Settings, get_settings
from o2o.ops import backup as backups
from o2o.ops import doctor as checks

console = Console()
STYLE = {checks.OK: "green", checks.WARN: "yellow", checks.FAIL: "red"}


def print_checks(results: list[checks.Check], title: str = "o2o doctor") -> None:
    table = Table(title=title)
    for col in ("check", "status", "detail"):
        table.add_column(col, overflow="fold")
    for c in results:
        table.add_row(c.name, f"[{STYLE[c.status]}]{c.status}[/]", c.detail)
    console.print(table)


def doctor() -> None:
    """Check this configuration for production: secrets, keys, providers, database, media dir, hosts.
    Exits 1 when any check fails (what `serve` outside dev refuses to start on)."""
    results = checks.run(get_settings())
    print_checks(results)
    failed = checks.failures(results)
    if failed:
        console.print(f"[red]{len(failed)} check(s) failed[/]")
        raise typer.Exit(1)
    console.print("[green]OK[/]" + (" (with warnings)" if any(c.status == checks.WARN for c in results) else ""))


def refuse_to_serve_unless_fit(settings: Settings) -> None:
    """Outside dev, `serve` starts only when no doctor check fails; it prints the failing checks."""
    if settings.dev:
        return
    failed = checks.failures(checks.run(settings))
    if failed:
        print_checks(failed, title="o2o serve: not starting (O2O_ENV is not dev), fix these first")
        raise typer.Exit(1)


@contextmanager
def _bars() -> Iterator[backups.Progress]:
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as bars:
        current: list[int] = []

        def step(name: str, total: int | None) -> None:
            if current:
                bars.update(current[-1], completed=bars.tasks[-1].total or 1, total=bars.tasks[-1].total or 1)
            current.append(bars.add_task(name, total=total))

        def advance(n: int) -> None:
            bars.advance(current[-1], n)

        yield backups.Progress(step, advance)
        if current:
            bars.update(current[-1], completed=bars.tasks[-1].total or 1, total=bars.tasks[-1].total or 1)


def backup(dest: Path = typer.Argument(Path("var/backups"), help="directory for the backup's files"),
           keys_to: Path = typer.Option(None, "--keys-to", help="where to write the key file (default: beside "
                                                                 "the dump; move it elsewhere)")) -> None:
    """Back up the database (SQLite online backup / pg_dump) with a manifest; the key file apart."""
    settings = get_settings()
    try:
        with _bars() as progress:
            manifest = backups.backup(settings, dest, keys_to, progress)
    except (backups.BackupError, OSError, RuntimeError) as exc:
        console.print(f"[red]backup failed:[/] {exc}")
        raise typer.Exit(2) from None
    doc = backups.read_manifest(manifest)
    console.print(f"[green]backed up[/] {sum(doc['tables'].values())} rows in {len(doc['tables'])} tables, "
                  f"revision {', '.join(doc['revisions'])}")
    console.print(f"dump      {manifest.parent / doc['file']}\nmanifest  {manifest}")
    if doc["keys"]["file"]:
        keys = Path(doc["keys"]["file"])
        keys = keys if keys.is_absolute() else manifest.parent / keys
        console.print(f"keys      {keys}\n[yellow bold]Store the key file apart from the dump[/] (a vault, another "
                      "machine): whoever holds both reads the customers' personal data; without it the backup's "
                      "personal data cannot be read.")
    else:
        console.print("[yellow]No O2O_KEY_FILE: personal data is sealed with keys derived from O2O_SECRET_KEY; "
                      "a restore needs that same secret.[/]")
    console.print("Media files (uploaded images) are not in the dump: copy O2O_MEDIA_DIR as well.")


def restore(manifest: Path = typer.Argument(..., help="the backup's .manifest.json"),
            keys: Path = typer.Option(None, "--keys", help="the backup's key file (needed when it was taken with "
                                                           "O2O_KEY_FILE)"),
            force: bool = typer.Option(False, "--force", help="replace a database that has rows")) -> None:
    """Restore a backup into O2O_DATABASE_URL (an empty database unless --force), then count every table."""
    settings = get_settings()
    try:
        with _bars() as progress:
            doc = backups.restore(settings, manifest, keys, force, progress)
    except (backups.BackupError, OSError, RuntimeError) as exc:
        console.print(f"[red]restore failed:[/] {exc}")
        raise typer.Exit(2) from None
    console.print(f"[green]restored[/] {sum(doc['tables'].values())} rows in {len(doc['tables'])} tables "
                  f"(every count matches the manifest), revision {', '.join(doc['revisions'])}")
    if keys is not None and not settings.key_file:
        console.print(f"[yellow]Set O2O_KEY_FILE={keys} (or copy it where O2O_KEY_FILE points) before serving.[/]")
    console.print("Next: `o2o migrate` (when this code is newer than the backup), then `o2o check`.")
