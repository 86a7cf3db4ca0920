"""`o2o staff ...`: the first platform admin of a new installation (no demo passwords outside dev)."""

from __future__ import annotations

import secrets

import typer
from rich.console import Console

from o2o import bootstrap
from o2o.iam import admin
from o2o.iam.schemas import StaffIn
from o2o.kernel.errors import Problem

app = typer.Typer(help="Staff accounts", no_args_is_help=True)
console = Console()


@app.command("create-admin")
def create_admin(login: str = typer.Option(..., help="the sign-in name, e.g. it-admin"),
                 name: str = typer.Option("Platform admin", help="display name")) -> None:
    """Create a platform admin with a random password, printed once (change it by a reset)."""
    c = bootstrap.build()
    password = secrets.token_urlsafe(15)
    try:
        with c.uow() as uow:
            admin.create_user(uow.session, StaffIn(login=login, name=name, role="platform_admin"), uow.clock.now(),
                              "cli", password_hash=c.passwords.hash(password))
            uow.commit()
    except Problem as exc:
        console.print(f"[red]cannot create {login!r}:[/] {exc.detail}")
        raise typer.Exit(2) from None
    console.print(f"[green]created[/] platform admin [bold]{login.lower()}[/]; password (shown once): "
                  f"[bold]{password}[/]")
