"""``comercio check``: check every figure of a published text against the warehouse and write the report."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from comercio.cli._common import Engine, console, settings
from comercio.errors import ConfigError

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LANGS = ("es", "en")


def _published(value: str | None) -> str | None:
    """``--published`` as YYYY-MM-DD (a real calendar day), else a one-line error naming the option."""
    if value is None:
        return None
    from datetime import date

    try:
        if not _DAY.match(value.strip()):
            raise ValueError(value)
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ConfigError(f"--published must be a date YYYY-MM-DD, got {value!r}") from None


def _formats(value: str) -> list[str]:
    from comercio.check.render import parse_formats

    try:
        return parse_formats(value)
    except ConfigError as exc:
        raise ConfigError(f"--format: {exc.reason}") from None


def check(
    source: str = typer.Argument(
        ..., metavar="FILE|-", help="the text: .txt, .md, .html or .pdf, or - for stdin"
    ),
    lang: str = typer.Option("es", "--lang", help="language of the text and of the report: es or en"),
    published: str | None = typer.Option(
        None, "--published", help="publication date YYYY-MM-DD (resolves 'a noviembre', 'el año pasado')"
    ),
    formats: str = typer.Option(
        "md,html,json,xlsx", "--format", help="comma-separated: md, html, json, xlsx"
    ),
    out: Path | None = typer.Option(
        None, "--out", help="output directory (default: <reports dir>/check/<file name without suffix>)"
    ),
    engine: Engine | None = typer.Option(None, "--engine", help="duckdb or spark"),
) -> None:
    """Check every figure of a published text against the loaded data; write the check report."""
    if lang not in LANGS:
        raise ConfigError(f"--lang must be one of {', '.join(LANGS)}, got {lang!r}")
    day = _published(published)
    names = _formats(formats)
    from comercio.check import check_text
    from comercio.check.reading import read_text
    from comercio.check.render import write
    from comercio.warehouse import Warehouse

    text, name = read_text(source)
    s = settings(engine)
    report = check_text(
        Warehouse(s, read_only=True), text, lang=lang, published=day, source=name, engine=s.engine
    )
    target = out if out is not None else s.reports_dir / "check" / (Path(name).stem or "stdin")
    paths = write(report, names, target, lang)
    counts = report.counts
    console.print(
        f"{len(report.claims) + len(report.skipped)} figures in {name} ({report.seconds:.1f} s): "
        + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()),
        highlight=False,
    )
    if report.synthetic:
        console.print("warning: some figures were computed from synthetic data", highlight=False)
    for p in paths:
        console.print(str(p), highlight=False)


def register(root: typer.Typer) -> None:
    """Add the ``check`` command to the root CLI."""
    root.command("check")(check)
