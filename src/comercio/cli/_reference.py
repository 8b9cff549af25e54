"""``comercio reference``: list and show the reference classifications."""

from __future__ import annotations

import typer

from comercio.cli._common import OutputFormat, emit
from comercio.i18n import t

app = typer.Typer(help="Reference classifications (departments, macroregions, customs offices, …).")


@app.command("list")
def list_tables(
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json"),
) -> None:
    """List the reference tables with their row counts and published sources."""
    from comercio import reference

    rows = []
    for name in reference.names():
        info = reference.info(name)
        rows.append({"name": name, "rows": info.rows, "title": info.title, "source": info.source})
    emit(rows, fmt, title="Reference tables")


@app.command("show")
def show(
    name: str = typer.Argument(..., help="table name, e.g. departments"),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json"),
) -> None:
    """Show one reference table."""
    from comercio import reference

    table = reference.load(name)
    rows = [{k: v for k, v in r.items()} for r in table.to_pylist()]
    info = reference.info(name)
    emit(rows, fmt, title=f"{info.title} — {t('common.source', 'es')}: {info.source}")  # titles are Spanish
