"""Helpers shared by CLI commands: settings from options, output in table / csv / json, common options."""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table

from comercio.config import Settings
from comercio.errors import ConfigError

# A long line is never broken, and a table written to a pipe or a log keeps its natural width (up to 200).
_WIDTH = None if sys.stdout.isatty() else 200
console = Console(soft_wrap=True, width=_WIDTH)
console_err = Console(stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else 200)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class Lang(StrEnum):
    es = "es"
    en = "en"


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


def settings(engine: Engine | None = None) -> Settings:
    """The settings from the environment; a data directory that is not a directory is refused here."""
    s = Settings.from_env(engine=engine.value if engine is not None else None)
    for name, path in (("COMERCIO_HOME", s.home), ("COMERCIO_REPORTS", s.reports_dir)):
        if path.exists() and not path.is_dir():
            raise ConfigError(f"{name} points at a file, not a directory", field=name)
    return s


def emit(rows: list[dict[str, Any]], fmt: OutputFormat, *, title: str | None = None) -> None:
    """Print rows as a rich table, CSV or JSON (machine formats go to stdout unstyled)."""
    if fmt is OutputFormat.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    columns = list(rows[0]) if rows else []
    if fmt is OutputFormat.csv:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow(r)
        print(buf.getvalue(), end="")
        return
    table = Table(title=title)
    for c in columns:
        table.add_column(c)
    for r in rows:
        table.add_row(*["" if r[c] is None else str(r[c]) for c in columns])
    console.print(table)
