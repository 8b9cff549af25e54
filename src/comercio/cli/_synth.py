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


def customs(
    rows: int = typer.Option(..., "--rows", min=1_000, max=100_000_000, help="lines to write (1e3 … 1e8)"),
    seed: int = typer.Option(0, "--seed", help="random seed (same seed, same bytes)"),
    out: Path = typer.Option(..., "--out", help="output directory"),
    fmt: SynthFormat = typer.Option(SynthFormat.dbf, "--format", help="dbf (SUNAT x*.zip) or parquet"),
    start: str = typer.Option("2021-01", help="first month, YYYY-MM"),
    end: str = typer.Option("2022-12", help="last month, YYYY-MM"),
) -> None:
    """SUNAT-format export lines calibrated to the BCRP department × month marginals in the warehouse."""
    from comercio.errors import ConfigError, DataNotAvailable
    from comercio.indicators.specs import month_start
    from comercio.synth import generate, marginals_from_tables
    from comercio.warehouse import Warehouse

    wh = Warehouse(settings(), read_only=True)
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
