"""`o2o audit verify` and `o2o audit search`."""

from __future__ import annotations

from datetime import datetime

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.exc import DBAPIError

from o2o import bootstrap
from o2o.audit import service
from o2o.audit.schemas import AuditFilters
from o2o.config import get_settings
from o2o.kernel.clock import SHANGHAI
from o2o.kernel.db import Database
from o2o.kernel.pagination import MAX_PAGE_SIZE, PageParams

app = typer.Typer(help="Audit log: verify the hash chain, search the entries.", no_args_is_help=True,
                  add_completion=False)
DatabaseUrl = typer.Option(None, "--database-url", help="default: O2O_DATABASE_URL")


def _database(url: str | None) -> Database:
    """The database, with the personal-data keyring configured (bootstrap.build does it, and refuses dev
    secrets outside dev): the chain is an HMAC keyed from the keyring, and entries may hold sealed data."""
    settings = get_settings()
    return bootstrap.build(settings, db=Database.from_url(url or settings.database_url, pool_size=2)).db


def _unreadable(console: Console, exc: DBAPIError) -> typer.Exit:
    console.print(f"[red]cannot read the audit log[/] (is the database migrated? `o2o migrate`): {exc.orig}",
                  soft_wrap=True)
    return typer.Exit(2)


@app.command()
def verify(database_url: str | None = DatabaseUrl) -> None:
    """Recompute the hash chain; exit 1 naming the first row that was altered, removed or inserted."""
    console = Console()
    db = _database(database_url)
    try:
        with Progress(TextColumn("verifying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task("verify", total=None)
            report = service.verify(db, lambda done, total: bar.update(task, completed=done, total=total))
    except DBAPIError as exc:
        raise _unreadable(console, exc) from None
    finally:
        db.dispose()
    if report.ok:
        console.print(f"[green]OK, {report.checked} entries[/]")
        return
    where = f"row {report.bad_id}" if report.bad_id is not None else "the head"
    console.print(f"[red]FAILED at {where}[/]: {report.reason} ({report.checked} entries verified before it)",
                  soft_wrap=True)
    raise typer.Exit(1)


@app.command()
def search(actor: str | None = typer.Option(None, help="actor id, or the start of a name"),
           action: str | None = typer.Option(None, help="part of the action"),
           target: str | None = typer.Option(None, help="part of the target"),
           store: int | None = typer.Option(None, "--store", min=1, help="store id"),
           since: datetime | None = typer.Option(None, "--from", help="at or after (Shanghai time)"),
           until: datetime | None = typer.Option(None, "--to", help="at or before (Shanghai time)"),
           limit: int = typer.Option(50, min=1, max=MAX_PAGE_SIZE),
           page: int = typer.Option(1, min=1),
           database_url: str | None = DatabaseUrl) -> None:
    """The newest entries matching the filters."""
    console = Console()
    try:
        filters = AuditFilters(actor=actor, action=action, target=target, store_id=store, since=since,
                               until=until)
    except ValidationError as exc:
        console.print(f"[red]invalid filter:[/] {exc}")
        raise typer.Exit(2) from None
    db = _database(database_url)
    try:
        result = service.search(db, filters, PageParams(page=page, size=limit))
    except DBAPIError as exc:
        raise _unreadable(console, exc) from None
    finally:
        db.dispose()
    table = Table(title=f"audit log: {len(result.items)} of {result.total} (page {result.page})")
    for name, justify in (("id", "right"), ("at (Shanghai)", "left"), ("actor", "left"), ("role", "left"),
                          ("store", "right"), ("action", "left"), ("target", "left"), ("ip", "left"),
                          ("status", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for e in result.items:
        actor_text = f"{e.actor_name} ({e.actor_kind}{' #' + e.actor_id if e.actor_id else ''})"
        table.add_row(str(e.id), f"{e.at.astimezone(SHANGHAI):%Y-%m-%d %H:%M:%S}", actor_text, e.role or "", "" if e.store_id is None else
                      str(e.store_id), e.action, e.target, e.ip, "" if e.status is None else str(e.status))
    console.print(table)
