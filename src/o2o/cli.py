"""The `o2o` command: migrate, seed, demo, serve, worker, check."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from datetime import UTC, date, datetime, time

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from o2o import bootstrap
from o2o.audit.cli import app as audit_app
from o2o.catalog.cli import app as catalog_app
from o2o.config import get_settings
from o2o.iam.cli import app as staff_app
from o2o.kernel import logs
from o2o.kernel.clock import SHANGHAI, FixedClock
from o2o.kernel.migrate import upgrade
from o2o.ops import cli as ops_cli
from o2o.payments.cli import app as payments_app
from o2o.pii_cli import app as pii_app
from o2o.pos.cli import app as pos_app

app = typer.Typer(help="O2O omnichannel retail platform", no_args_is_help=True, add_completion=False)
console = Console()
app.add_typer(pii_app, name="pii")
app.add_typer(audit_app, name="audit")
app.add_typer(catalog_app, name="catalog")
app.add_typer(staff_app, name="staff")
app.add_typer(payments_app, name="payments")
app.add_typer(pos_app, name="pos")
app.command()(ops_cli.doctor)
app.command()(ops_cli.backup)
app.command()(ops_cli.restore)


def _container():  # type: ignore[no-untyped-def]
    return bootstrap.build()


@app.command()
def migrate() -> None:
    """Apply database migrations (Alembic) to O2O_DATABASE_URL."""
    c = _container()
    upgrade(c.db.engine)
    console.print(f"[green]migrated[/] {c.db.engine.url.render_as_string(hide_password=True)}")


def _anchor(day: str | None) -> datetime:
    """The end of the demo history: midnight (Shanghai) starting `day` (YYYY-MM-DD), today's if none. The
    same seed and day give the same chain, to the row; a date replays it any day."""
    try:
        chosen = date.fromisoformat(day) if day else datetime.now(SHANGHAI).date()
    except ValueError:
        console.print(f"[red]cannot seed:[/] --anchor {day!r} is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None
    return datetime.combine(chosen, time(0), SHANGHAI).astimezone(UTC)


@app.command()
def seed(seed: int = typer.Option(42, help="random seed: the same seed gives the same chain"),
         stores: int = typer.Option(40, min=1, max=10_000), warehouses: int = typer.Option(2, min=1, max=50),
         skus: int = typer.Option(2000, min=10, max=200_000), customers: int = typer.Option(5000, min=1),
         days: int = typer.Option(90, min=0, max=730),
         anchor: str = typer.Option(None, help="the history ends at midnight (Shanghai) starting this day, "
                                               "YYYY-MM-DD; today if not given")) -> None:
    """Generate the demo retail chain (Shanghai) into an empty database.

    The same --seed and --anchor day give the same chain, row for row (only the demo staff users'
    password hashes differ: each hash has its own random salt)."""
    from o2o.demo.generator import DemoSize, generate

    until = _anchor(anchor)
    c = bootstrap.build(clock=FixedClock(until))  # the demo users are made "at" the anchor too
    upgrade(c.db.engine)
    try:
        report = generate(c.db, DemoSize(stores=stores, warehouses=warehouses, skus=skus, customers=customers,
                                         days=days), seed=seed, console=console, anchor=until,
                                         gazetteer=c.settings.gazetteer_file, media_dir=c.settings.media_dir)
    except (RuntimeError, ValueError) as exc:
        console.print(f"[red]cannot seed:[/] {exc}")
        raise typer.Exit(2) from None
    console.print(report)
    console.print(f"Again, row for row: o2o seed --seed {seed} --anchor {until.astimezone(SHANGHAI).date()}")
    _print_logins(c)


def _print_logins(c) -> None:  # type: ignore[no-untyped-def]
    """Dev only: create (if missing) and print one demo user per role, and a customer phone to sign in
    with. Outside dev no account with a known password is ever made."""
    from o2o.demo.users import DEMO_PASSWORD, demo_customer_phone, ensure_demo_users

    if not c.settings.dev:
        console.print("No demo users outside O2O_ENV=dev: create the first admin with "
                      "[bold]o2o staff create-admin --login <name>[/].")
        return
    table = Table(title=f"demo logins (password for every staff user: {DEMO_PASSWORD})")
    for col in ("role", "login", "acts for"):
        table.add_column(col)
    for login in ensure_demo_users(c):
        table.add_row(login.role, login.login, login.scope)
    phone = demo_customer_phone(c)
    if phone:
        table.add_row("customer", phone, "sign in with a phone code; read it at /dev/inbox")
    console.print(table)


@app.command()
def check() -> None:
    """Verify the stock invariants: ledger == on_hand, reserved == live reservations, nothing negative;
    and the points: every member's balance == ledger sum == lots remaining, never below zero."""
    from o2o.inventory import service as inventory

    report = inventory.check(_container().db)
    table = Table(title="stock invariants")
    table.add_column("check")
    table.add_column("problems", justify="right")
    table.add_row("ledger sum == on_hand", str(len(report.ledger_mismatches)))
    table.add_row("reserved == live reservations", str(len(report.reserved_mismatches)))
    table.add_row("nothing negative, reserved <= on_hand", str(len(report.negatives)))
    console.print(table)
    console.print(f"{report.stock_rows} stock rows checked")
    for row in (report.ledger_mismatches + report.reserved_mismatches + report.negatives)[:20]:
        console.print(row)
    from o2o.pos import sync

    flagged = sync.flagged_lines(_container().db, None)  # not a failure: goods a till sold offline, to count
    console.print(f"{len(flagged)} stock lines flagged for reconciliation (sold offline beyond the count; "
                  "a stock count clears the flag)")
    for f in flagged[:20]:
        console.print(f"location {f.location_id} sku {f.sku_id}: {f.oversold} units oversold since "
                      f"{f.flagged_at:%Y-%m-%d %H:%M} UTC, on hand {f.on_hand}")
    from o2o.loyalty import service as loyalty

    members, points_problems = loyalty.check_all(_container().db)
    console.print(f"points: {members} members checked, {len(points_problems)} where balance, ledger sum and "
                  "lots remaining differ or fall below zero")
    for row in points_problems[:20]:
        console.print(f"customer {row[0]}: balance {row[1]}, ledger {row[2]}, lots {row[3]}")
    if not report.ok or points_problems:
        console.print("[red]FAILED[/]")
        raise typer.Exit(1)
    console.print("[green]OK[/]")


@app.command()
def serve(host: str = typer.Option(None), port: int = typer.Option(None), workers: int = typer.Option(1, min=1),
          relay: bool = typer.Option(False, help="also run the outbox relay in this process")) -> None:
    """Serve the API (and pages) with uvicorn."""
    import uvicorn

    from o2o import serving

    s = get_settings()
    host, port = host or s.host, port or s.port
    ops_cli.refuse_to_serve_unless_fit(s)  # outside dev: any failing `o2o doctor` check stops it here
    if workers > 1:
        logs.setup()
        raise typer.Exit(serving.serve(host, port, workers, logs.config()))
    from o2o.main import create_app, settled

    config = uvicorn.Config(settled(create_app(run_relay=relay, warm=True)), host=host, port=port, log_config=logs.config(),
                            access_log=False)
    serving.DrainingServer(config, s.shutdown_drain_s).run()


@app.command()
def worker() -> None:
    """Run the outbox relay and the periodic jobs (unpaid-order expiry) until stopped."""
    logs.setup()
    c = _container()
    thread = bootstrap.relay_thread(c)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    thread.start()
    console.print("[green]relay running[/] (Ctrl-C to stop)")
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    thread.stop()
    thread.join(timeout=10)


def _seed_demo(seed: int) -> None:
    """`o2o demo`'s seeding, run in a child process of its own."""
    from o2o.demo.generator import DemoSize, generate

    c = _container()
    console.print(generate(c.db, DemoSize(), seed=seed, console=console, gazetteer=c.settings.gazetteer_file,
                           media_dir=c.settings.media_dir))


@app.command()
def demo(seed: int = typer.Option(42), host: str = typer.Option(None), port: int = typer.Option(None)) -> None:
    """Migrate, seed the demo chain when the database is empty, serve API + relay, print the URLs.

    Runs with O2O_ENV=dev unless told otherwise: dev secrets, dev SMS inbox, payment sandbox."""
    import os

    import uvicorn

    from o2o import serving
    from o2o.locations.models import Location
    from o2o.main import create_app, settled

    os.environ.setdefault("O2O_ENV", "dev")
    # two simulated same-city courier platforms (issue 13): store deliveries get a rider (1-5 min), callbacks
    os.environ.setdefault("O2O_COURIERS", '["sim-a", "sim-b"]')
    os.environ.setdefault("O2O_COURIER_SIM", '{"sim-a": {"refuse": 0.1, "reassign": 0.15, "lose": 0.05}, '
                                             '"sim-b": {"base_fee_fen": 550, "cancel": 0.05}}')
    get_settings.cache_clear()
    s = get_settings()
    host, port = host or s.host, port or s.port
    if "O2O_PUBLIC_BASE_URL" not in os.environ:  # the sandbox's and the simulated couriers' callbacks come here
        os.environ["O2O_PUBLIC_BASE_URL"] = f"http://{host}:{port}"
        get_settings.cache_clear()
    try:  # taken before seeding (minutes on a slow machine), and held until the server listens on it
        sock = serving.listening_socket(host, port, shared=False)
    except OSError as exc:
        console.print(f"[red]cannot start:[/] {host}:{port} is not free ({exc.strerror or exc}); is another "
                      f"o2o demo running? Choose another port: make demo PORT=8100, o2o demo --port 8100 "
                      f"or O2O_PORT=8100", soft_wrap=True)
        raise typer.Exit(1) from None
    c = _container()
    upgrade(c.db.engine)
    with c.db.read() as session:
        empty = not session.scalar(select(func.count()).select_from(Location))
    if empty:  # in a child process: the server does not keep the generator's memory (~450 -> ~240 MB resident)
        import multiprocessing

        child = multiprocessing.get_context("spawn").Process(target=_seed_demo, args=(seed,), name="o2o-demo-seed")
        child.start()
        child.join()
        if child.exitcode != 0:
            console.print(f"[red]the demo chain could not be generated[/] (exit code {child.exitcode})")
            raise typer.Exit(1)
    base = f"http://{host}:{port}"
    console.rule("O2O demo")
    _print_logins(c)
    console.print(f"Storefront    {base}/shop\nStore console {base}/console (clerk, manager)\n"
                  f"Back-office   {base}/admin (ops, admin)")
    console.print(f"API docs      {base}/docs\nOpenAPI       {base}/openapi.json\nHealth        {base}/healthz")
    console.print(f"Staff sign-in {base}/login\nAudit log     {base}/admin/audit (admin)\n"
                  f"Dev SMS inbox {base}/dev/inbox")
    console.print(f"Database      {c.db.engine.url.render_as_string(hide_password=True)}")
    sys.stdout.flush()
    config = uvicorn.Config(settled(create_app(c, run_relay=True, warm=True)), host=host, port=port,
                            log_config=logs.config(),
                            access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    app()
