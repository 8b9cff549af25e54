"""``comercio query``: any cut of the data as a long (or wide) table; ``comercio search``: product and country
codes by name.

The options are the one parameter vocabulary of :meth:`comercio.query.Query.from_params` (the API's
``GET /api/v1/query`` and the dashboard's builder take the same names), so a query reads the same
everywhere; ``comercio search`` answers like ``GET /api/v1/search``. The table goes to stdout (CSV without
a byte-order mark, for pipes) or to ``--out`` (CSV with one, for Excel); what it was computed from (dataset,
vintages, synthetic data, incomplete periods, notes) goes to stderr, and travels inside JSON and XLSX files.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from comercio.cli._common import Engine, console_err, settings
from comercio.errors import ComercioError, ConfigError

FORMATS = ("csv", "json", "xlsx")
MAX_VINTAGES = 3  # named one by one on stderr; more are counted (files and JSON list them all)
# the option each query parameter comes from, to name it in errors
OPTIONS = {
    "compare": "--compare",
    "base": "--base",
    "where": "--where",
    "by": "--by",
    "measures": "--measures",
}


def _option(field: str | None) -> str:
    return OPTIONS.get(field or "", f"--{field}") if field else "query"


def _build(params: dict[str, Any]) -> Any:
    from comercio.query import Query

    try:
        return Query.from_params(params)
    except ComercioError as exc:
        raise ConfigError(f"{_option(exc.field)}: {exc.reason}", hint=exc.hint) from None


def _format(fmt: str | None, out: Path | None) -> str:
    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out is not None else ""
        fmt = suffix if suffix in FORMATS else "csv"
    if fmt not in FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "xlsx" and out is None and sys.stdout.isatty():
        raise ConfigError("--format xlsx writes a file: give --out FILE.xlsx (or redirect stdout)")
    return fmt


def _tell(result: Any, out: Path | None) -> None:
    """What the table was computed from, on stderr (stdout keeps only the table)."""
    where = f" → {out.name}" if out is not None else ""
    n = len(result.vintages)
    vintages = ", ".join(result.vintages) if n <= MAX_VINTAGES else f"{n} vintages"
    console_err.print(
        f"{len(result.rows)} rows from {result.dataset} ({vintages or 'no vintage'}) "
        f"in {result.seconds:.2f} s{where}",
        highlight=False,
    )
    if not result.rows:
        console_err.print("warning: no rows: no member matches the filters in these months", highlight=False)
    if result.synthetic:
        console_err.print("warning: synthetic data, not official figures", highlight=False)
    if result.partial:
        console_err.print(f"incomplete periods: {', '.join(result.partial)}", highlight=False)
    for note in result.notes:
        console_err.print(f"note: {note}", highlight=False)


def query(
    flow: str = typer.Option("X", "--flow", help="X (exports) or M (imports)"),
    start: str = typer.Option(..., "--from", help="first month, YYYY-MM"),
    end: str = typer.Option(..., "--to", help="last month, YYYY-MM"),
    freq: str = typer.Option("year", "--freq", help="month, quarter, year, ytd or rolling12"),
    by: str | None = typer.Option(None, "--by", help="breakdowns, comma-separated (department, hs6 …)"),
    where: list[str] | None = typer.Option(None, "--where", help="a filter DIM=CODE[,CODE…]; repeatable"),
    measures: str = typer.Option(
        "value", "--measures", help="value, net_kg, unit_value, growth, share, contribution, rank"
    ),
    compare: int = typer.Option(1, "--compare", help="growth against the same period N years earlier"),
    base: int | None = typer.Option(None, "--base", help="growth against this base year instead"),
    dataset: str | None = typer.Option(None, "--dataset", help="answer from this dataset only"),
    wide: bool = typer.Option(False, "--wide", help="periods as columns (one row per member)"),
    lang: str = typer.Option("es", "--lang", help="language of headers and labels: es or en"),
    fmt: str | None = typer.Option(
        None, "--format", help="csv, json or xlsx (default: --out's suffix, else csv)"
    ),
    out: Path | None = typer.Option(None, "--out", help="write to this file instead of stdout"),
    engine: Engine | None = typer.Option(None, "--engine", help="duckdb or spark"),
) -> None:
    """Any cut of the data: flow × months × frequency × breakdowns × filters × measures (CSV to stdout)."""
    params: dict[str, Any] = {
        "flow": flow,
        "from": start,
        "to": end,
        "freq": freq,
        "by": by or "",
        "where": list(where or []),
        "measures": measures,
        "compare": str(compare),
        "base": "" if base is None else str(base),
        "dataset": dataset or "",
        "wide": "1" if wide else "",
        "lang": lang,
    }
    q = _build(params)
    kind = _format(fmt, out)
    from comercio.query import QueryRefused, run
    from comercio.query.output import render, write
    from comercio.warehouse import Warehouse

    s = settings(engine)
    try:
        result = run(Warehouse(s, read_only=True), q, engine=s.engine)
    except QueryRefused as exc:  # named by the option, like every other error of this command
        if exc.field not in params:
            raise
        raise QueryRefused(f"--{exc.field}: {exc.reason}", would_answer=exc.would_answer) from None
    except ComercioError as exc:
        if exc.field not in params:  # not about one of the options: say it as it is
            raise
        raise ConfigError(f"--{exc.field}: {exc.reason}", hint=exc.hint) from None
    if out is not None:
        write(result, kind, out)
    else:
        sys.stdout.buffer.write(render(result, kind, bom=False))
        sys.stdout.flush()
    _tell(result, out)


def search(
    text: str = typer.Argument(..., help="a product or country name (Spanish or English) or a code"),
    kind: str = typer.Option("any", "--kind", help="product, partner or any"),
    lang: str = typer.Option("es", "--lang", help="language of the labels: es or en"),
    limit: int = typer.Option(20, "--limit", help="at most this many answers (1-100)"),
    engine: Engine | None = typer.Option(None, "--engine", help="duckdb or spark"),
) -> None:
    """Find product codes (HS, NANDINA) and partner countries by name: tab-separated code, level, label."""
    from comercio.query.search import search as find
    from comercio.warehouse import Warehouse

    try:
        hits = find(text, kind, lang, limit, wh=Warehouse(settings(engine), read_only=True))
    except ComercioError as exc:
        raise ConfigError(f"{_option(exc.field) if exc.field != 'q' else 'TEXT'}: {exc.reason}") from None
    if not hits:
        console_err.print(f"nothing matches {text!r}", highlight=False)
        raise typer.Exit(1)
    for h in hits:
        print(f"{h.code}\t{h.dimension}\t{h.level}\t{h.label}")


def register(root: typer.Typer) -> None:
    root.command("query")(query)
    root.command("search")(search)
