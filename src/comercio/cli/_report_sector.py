"""``comercio report sector``: the sector study (SNI metalworking analysis) for any product basket."""

from __future__ import annotations

from pathlib import Path

import typer

from comercio.cli._common import Engine, settings
from comercio.warehouse import Warehouse


def register_sector(report_app: typer.Typer) -> None:
    """Add the ``sector`` command to the ``report`` Typer group."""

    @report_app.command("sector")
    def sector(
        basket: str = typer.Option("metalmecanica", help="product basket (see `comercio reference baskets`)"),
        through: str = typer.Option(None, help="last month, YYYY-MM (default: latest G1 month)"),
        lang: str = typer.Option("es", help="es or en"),
        formats: str = typer.Option("html,md,json", "--format", help="comma list: html,pdf,xlsx,md,json"),
        out: Path = typer.Option(Path("reports/sector"), help="output directory"),
        world_from: int = typer.Option(2001, help="first year of the world series"),
        engine: Engine = typer.Option(None, help="duckdb or spark (default COMERCIO_ENGINE or duckdb)"),
        demo: bool = typer.Option(
            False, help="ingest a synthetic BACI twin first (labelled datos sintéticos)"
        ),
    ) -> None:
        """World trade of a basket by continent and Peru's exports of the matching G1 group."""
        s = settings(engine)
        if demo:
            from comercio.demo import sector_study

            paths = sector_study(Warehouse(s), s)
        else:
            from comercio.reports.sector import write_sector

            paths = write_sector(
                Warehouse(s, read_only=True),
                basket=basket,
                through=through,
                lang=lang,
                formats=formats,
                out=out,
                world_from=world_from,
                engine=s.engine,
            )
        for p in paths:
            typer.echo(str(p))
