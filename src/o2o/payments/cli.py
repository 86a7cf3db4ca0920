"""`o2o payments reconcile`: import a provider's daily statement and list every difference."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from o2o import bootstrap
from o2o.config import get_settings
from o2o.kernel.db import Database
from o2o.kernel.errors import InvalidInput
from o2o.payments import service
from o2o.payments.schemas import StatementOut

app = typer.Typer(help="Payments: reconcile the providers' daily statements.", no_args_is_help=True,
                  add_completion=False)
KIND_LABEL = {"missing_ours": "missing on our side", "missing_theirs": "missing at the provider",
              "amount_mismatch": "amount differs", "status_mismatch": "status differs"}


def _yuan(fen: int | None) -> str:
    return "" if fen is None else f"{fen // 100}.{fen % 100:02d}"


def table(out: StatementOut) -> Table:
    t = Table(title=f"{out.provider} {out.bill_date}: {out.rows} statement lines, {out.differences} differences")
    for name in ("difference", "record", "out_trade_no", "out_refund_no", "ours (¥)", "theirs (¥)", "our status",
                 "their status"):
        t.add_column(name, justify="right" if "¥" in name else "left")
    for d in out.items:
        t.add_row(KIND_LABEL.get(d.kind, d.kind), d.record, d.out_trade_no, d.out_refund_no or "", _yuan(d.ours_fen),
                  _yuan(d.theirs_fen), d.our_status or "", d.their_status or "")
    return t


@app.command()
def reconcile(provider: str = typer.Option(..., "--provider", help="wechatpay or alipay"),
              file: Path = typer.Option(..., "--file", exists=True, dir_okay=False, readable=True,
                                        help="the statement as downloaded (WeChat trade bill CSV, Alipay 账务明细 CSV)"),
              bill_date: str | None = typer.Option(None, "--date", help="YYYY-MM-DD; default: the statement's own day"),
              database_url: str | None = typer.Option(None, "--database-url", help="default: O2O_DATABASE_URL")) -> None:
    """Exit 0 when the statement and our records agree, 1 when there are differences, 2 on a bad file."""
    console = Console(width=None if sys.stdout.isatty() else 200)  # piped to a file or a log: whole lines
    day: date | None = None
    if bill_date:
        try:
            day = datetime.strptime(bill_date, "%Y-%m-%d").date()
        except ValueError:
            console.print(f"[red]--date {bill_date!r}: YYYY-MM-DD[/]")
            raise typer.Exit(2) from None
    settings = get_settings()
    c = bootstrap.build(settings, db=Database.from_url(database_url or settings.database_url, pool_size=2))
    try:
        out = service.reconcile(c.uow(), provider, file.read_bytes(), file.name, "cli", day)
    except InvalidInput as exc:
        console.print(f"[red]{exc.detail}[/]", soft_wrap=True)
        raise typer.Exit(2) from None
    finally:
        c.db.dispose()
    if not out.items:
        console.print(f"[green]{out.provider} {out.bill_date}: {out.rows} statement lines, all match[/]")
        return
    console.print(table(out))
    raise typer.Exit(1)
