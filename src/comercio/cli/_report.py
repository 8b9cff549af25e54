"""``comercio report``: write the analyses (regional report) from the warehouse."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import typer

from comercio.cli._common import Engine, console, settings
from comercio.errors import ConfigError

app = typer.Typer(
    help="Write reports (HTML, PDF, XLSX, Markdown, JSON) from the warehouse.", no_args_is_help=True
)


class Lang(StrEnum):
    es = "es"
    en = "en"


class RecordDefinition(StrEnum):
    annual = "annual"
    same_window = "same-window"


_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@app.command("regional")
def regional(
    through: str | None = typer.Option(
        None,
        "--through",
        help="last month, YYYY-MM (default: latest complete month loaded, preliminary months skipped)",
    ),
    lang: Lang = typer.Option(Lang.es, "--lang", help="es or en"),
    formats: str = typer.Option("html,pdf,xlsx,md,json", "--format", help="comma-separated formats"),
    out: Path | None = typer.Option(
        None, "--out", help="output directory (default: <reports dir>/regional-YYYY-MM-<lang>)"
    ),
    grouping: str = typer.Option("mincetur", "--grouping", help="macroregion grouping (mincetur, adex)"),
    record_definition: RecordDefinition = typer.Option(
        RecordDefinition.annual, "--record-definition", help="annual or same-window"
    ),
    engine: Engine | None = typer.Option(None, "--engine", help="duckdb or spark"),
    preliminary: bool = typer.Option(
        False,
        "--preliminary",
        help="write the report even when its last month is preliminary (marked as such in every format)",
    ),
) -> None:
    """Write the regional export report (interior regions, records, macroregions, projection)."""
    from comercio.reports import start_renderer

    if through is not None and not _MONTH.match(through):
        raise ConfigError(f"--through must be YYYY-MM, got {through!r}", field="through")
    start_renderer(formats)  # figures and PDF drawn by other processes, warmed while the facts are computed
    from comercio.reports.regional import write_regional

    s = settings(engine)
    paths = write_regional(
        s,  # the facts kept by an earlier run on the same warehouse when there are; else computed
        through=through,
        lang=lang.value,
        formats=formats,
        out=out,
        grouping=grouping,
        record_definition=record_definition.value,
        engine=s.engine,
        preliminary=preliminary,
    )
    for p in paths:
        console.print(str(p), highlight=False)


def register(root: typer.Typer) -> None:
    """Add the ``report`` command group (regional, sector) to the root CLI."""
    from comercio.cli._report_profile import register_profile
    from comercio.cli._report_sector import register_sector

    register_sector(app)
    register_profile(app)
    root.add_typer(app, name="report")
