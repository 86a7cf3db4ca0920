"""`o2o pos ...`: register a store's till terminals (each with its integration key), list and disable them."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from o2o import bootstrap
from o2o.kernel.auth import Principal
from o2o.kernel.errors import Problem
from o2o.pos import service

app = typer.Typer(help="Point of sale: till terminals.", no_args_is_help=True, add_completion=False)
console = Console()
CLI = Principal("staff", 0, "cli", role="platform_admin")


@app.command("add-terminal")
def add_terminal(store: int = typer.Option(..., help="the store's location id"),
                 code: str = typer.Option(..., help="the till's label at the store, e.g. T01"),
                 name: str = typer.Option("", help="a name to show (default: Till <code>)")) -> None:
    """Register a till at a store and print its integration key (shown once): the till sends it in
    X-Api-Key, with the signed-in clerk's token in Authorization: Bearer."""
    c = bootstrap.build()
    try:
        new = service.add_terminal(c.uow(), CLI, store, code, name)
    except Problem as exc:
        console.print(f"[red]cannot add till {code!r} at store {store}:[/] {exc.detail}")
        raise typer.Exit(2) from None
    console.print(f"[green]till[/] {new.terminal.code} (terminal {new.terminal.id}) at store {store}; "
                  f"integration key (shown once):")
    print(new.key)


@app.command("terminals")
def terminals(store: int | None = typer.Option(None, help="one store's tills only")) -> None:
    """The registered tills."""
    c = bootstrap.build()
    t = Table(title="till terminals")
    for col in ("id", "store", "code", "name", "key id", "disabled"):
        t.add_column(col)
    for term in service.terminals(c.db, store):
        t.add_row(str(term.id), str(term.location_id), term.code, term.name, str(term.api_key_id or ""),
                  f"{term.disabled_at:%Y-%m-%d %H:%M}" if term.disabled_at else "")
    console.print(t)


@app.command("new-key")
def new_key(terminal: int = typer.Option(..., help="the terminal id"),
            grace_minutes: int = typer.Option(0, help="how long the old key keeps working (0: it stops now)")) -> None:
    """Give a till a new integration key (printed once); the old one stops (after the grace period)."""
    c = bootstrap.build()
    try:
        out = service.new_terminal_key(c.uow(), CLI, terminal, grace_minutes)
    except Problem as exc:
        console.print(f"[red]{exc.detail}[/]")
        raise typer.Exit(2) from None
    console.print(f"[green]till[/] {out.terminal.code} at store {out.terminal.location_id}: new integration key "
                  f"(shown once):")
    print(out.key)


@app.command("disable-terminal")
def disable_terminal(terminal: int = typer.Option(..., help="the terminal id"),
                     enable: bool = typer.Option(False, "--enable", help="enable it again instead")) -> None:
    """Disable a till (its key signs in no more for sales) or enable it again."""
    c = bootstrap.build()
    try:
        out = service.set_terminal_disabled(c.uow(), terminal, not enable)
    except Problem as exc:
        console.print(f"[red]{exc.detail}[/]")
        raise typer.Exit(2) from None
    console.print(f"till {out.code} at store {out.location_id}: {'disabled' if out.disabled_at else 'enabled'}")
