"""`o2o catalog reindex`: rebuild the product search index (after the tokenising rules change)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from o2o import bootstrap
from o2o.catalog.admin import make_thumbnails
from o2o.catalog.search import service as product_search
from o2o.config import get_settings
from o2o.kernel.db import Database

app = typer.Typer(help="Catalog: the product search index, picture thumbnails.", no_args_is_help=True, add_completion=False)


@app.command()
def reindex(database_url: str | None = typer.Option(None, "--database-url", help="default: O2O_DATABASE_URL")) -> None:
    """Rebuild every product's search row (names tokenised with pinyin); units sold are kept."""
    settings = get_settings()
    db = bootstrap.build(settings, db=Database.from_url(database_url or settings.database_url, pool_size=2)).db
    console = Console()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task("Reindexing", total=None)
        n = product_search.reindex_all(db, lambda done, total: bar.update(task, completed=done, total=total))
    console.print(f"reindexed {n:,} products")


@app.command()
def thumbnails(database_url: str | None = typer.Option(None, "--database-url", help="default: O2O_DATABASE_URL")
               ) -> None:
    """Write the WebP thumbnails (160/320/640 px) of pictures uploaded before thumbnails existed.
    Idempotent: pictures that have them are skipped."""
    settings = get_settings()
    db = bootstrap.build(settings, db=Database.from_url(database_url or settings.database_url, pool_size=2)).db
    pictures, written, bad = make_thumbnails(db, settings.media_dir)
    Console().print(f"{pictures:,} pictures: {written:,} thumbnails written"
                    + (f", {bad:,} pictures missing or not decodable" if bad else ""))
