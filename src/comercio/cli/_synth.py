"""``comercio synth``: calibrated synthetic twins (SUNAT export lines, CEPII BACI world trade)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path

import typer

from comercio.cli._common import console, settings

FIRST_BACI_YEAR = 1995  # CEPII BACI starts in 1995 (HS92)


class SynthFormat(StrEnum):
    dbf = "dbf"
    parquet = "parquet"


class SynthFlow(StrEnum):
    x = "x"
    m = "m"
    both = "both"


def customs(
    rows: int = typer.Option(..., "--rows", min=1_000, max=100_000_000, help="lines to write (1e3 … 1e8)"),
    seed: int = typer.Option(0, "--seed", help="random seed (same seed, same bytes)"),
    out: Path = typer.Option(..., "--out", help="output directory"),
    fmt: SynthFormat = typer.Option(SynthFormat.dbf, "--format", help="dbf (SUNAT x*.zip) or parquet"),
    start: str = typer.Option("2021-01", help="first month, YYYY-MM"),
    end: str = typer.Option("2022-12", help="last month, YYYY-MM"),
    weeks: str | None = typer.Option(
        None,
        "--weeks",
        help="SUNAT's weekly files: YYYY-MM-DD:YYYY-MM-DD (the weeks ending in it)",
    ),
    flow: SynthFlow = typer.Option(SynthFlow.both, "--flow", help="weekly: x (exports), m (imports), both"),
) -> None:
    """SUNAT-format export lines calibrated to the BCRP department × month marginals in the warehouse.

    With ``--weeks``: SUNAT's weekly export and import files as they are published (see
    ``comercio.synth.weekly``), calibrated to BCRP, SUNAT G1 and F1.
    """
    from comercio.errors import ConfigError, DataNotAvailable
    from comercio.indicators.specs import month_start
    from comercio.synth import generate, marginals_from_tables
    from comercio.warehouse import Warehouse

    wh = Warehouse(settings(), read_only=True)
    if weeks is not None:
        if fmt is not SynthFormat.dbf:
            raise ConfigError("--weeks writes weekly DBF files only; leave out --format", field="format")
        _weekly(wh, rows, seed, out, weeks, flow)
        return
    if not wh.has("bcrp_departments"):
        raise DataNotAvailable(
            "the twin is calibrated on BCRP departmental series", hint="run `comercio build`"
        )
    first, last = month_start(start), month_start(end)
    if last < first:
        raise ConfigError(f"--end {end} is before --start {start}", field="end")
    t = wh.table("bcrp_departments", "duckdb")
    t = t.filter((t.period >= first) & (t.period <= last))
    dept = wh.execute(t.select("period", "department", "value_usd"), engine="duckdb")
    result = generate(
        rows, seed, out, fmt=fmt.value, marginals=marginals_from_tables(dept), start=first, end=last
    )
    console.print(
        f"datos sintéticos: {result.rows:,} lines, US$ {result.total:,.2f} in {len(result.files)} files"
        f" → {out}"
    )


def _weekly(wh: object, rows: int, seed: int, out: Path, weeks: str, flow: SynthFlow) -> None:
    from comercio.errors import ConfigError
    from comercio.sources.download import progress_bar
    from comercio.synth.weekly import generate_weekly, targets_from_warehouse

    try:
        first, last = (date.fromisoformat(part) for part in weeks.split(":"))
    except ValueError:
        raise ConfigError(
            f"--weeks {weeks!r} is not YYYY-MM-DD:YYYY-MM-DD",
            field="weeks",
            hint="e.g. 2022-01-03:2025-11-30",
        ) from None
    if last < first:
        raise ConfigError(f"--weeks ends ({last}) before it starts ({first})", field="weeks")
    flows = {"x": "X", "m": "M", "both": "XM"}[flow.value]
    targets, bcrp_months = targets_from_warehouse(wh, first, last, flows)  # type: ignore[arg-type]
    with progress_bar(True) as bar:
        task = None if bar is None else bar.add_task("synth", total=rows, unit="lines")
        advance = None if bar is None or task is None else (lambda n: bar.advance(task, n))
        result = generate_weekly(
            rows, seed, out, first=first, last=last, targets=targets, flows=flows,
            bcrp_months=bcrp_months, advance=advance,
        )  # fmt: skip
    rate = result.rows / result.seconds if result.seconds else 0.0
    console.print(
        f"datos sintéticos: {result.rows:,} lines in {len(result.files)} weekly files → {out}"
        f" ({result.seconds:,.1f} s, {rate:,.0f} lines/s)"
    )
    for name, s in result.flows.items():
        total = sum(s.target_cents.values())
        pending = sum(s.unpublished_cents.values())
        console.print(
            f"  {'exports' if name == 'X' else 'imports'}: {s.lines:,} lines, US$ {total / 100:,.2f};"
            f" {s.corrections:,} corrected in a later week, {s.deleted:,} deleted records"
            + (f", {s.masked:,} masked exporters" if name == "X" else "")
            + f"; not yet published at the range's end: US$ {pending / 100:,.2f}"
            f" ({pending / total if total else 0:.1%})"
        )
    for key, used in sorted(result.substitutes.items()):
        console.print(f"  {key}: not published, calibrated on {used:%Y-%m}")


def baci(
    rows_per_year: int = typer.Option(
        20_000, "--rows-per-year", min=100, max=10_000_000, help="trade flows per year"
    ),
    seed: int = typer.Option(0, "--seed", help="random seed (same seed, same bytes)"),
    out: Path = typer.Option(..., "--out", help="output directory"),
    first_year: int = typer.Option(
        2001, "--from", min=FIRST_BACI_YEAR, max=date.today().year, help="first year (1995 or later)"
    ),
    last_year: int = typer.Option(
        date.today().year - 2, "--to", min=FIRST_BACI_YEAR, max=date.today().year, help="last year"
    ),
) -> None:
    """A CEPII BACI-format release zip of synthetic world trade (calibrated to published sector shares)."""
    from comercio.errors import ConfigError
    from comercio.synth import generate_baci

    if last_year < first_year:
        raise ConfigError(f"--to {last_year} is before --from {first_year}", field="to")

    path = generate_baci(out, years=range(first_year, last_year + 1), rows_per_year=rows_per_year, seed=seed)
    console.print(f"datos sintéticos: {path}")


def register(root: typer.Typer) -> None:
    root.command("synth")(customs)
    root.command("synth-baci")(baci)
