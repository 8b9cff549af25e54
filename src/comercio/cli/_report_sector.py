"""``comercio report sector``: the sector study (SNI metalworking analysis) for any product basket."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path

import typer

from comercio.cli._common import Engine, settings


class WorldForm(StrEnum):
    wto = "wto"
    hs = "hs"


def register_sector(report_app: typer.Typer) -> None:
    """Add the ``sector`` command to the ``report`` Typer group."""

    @report_app.command("sector")
    def sector(
        basket: str = typer.Option(
            "metalmecanica",
            help="study basket: metalmecanica, quimico, siderometalurgico "
            "(`comercio reference show basket_definitions` lists each one's G1, WTO and HS forms)",
        ),
        through: str = typer.Option(
            None,
            help="last month, YYYY-MM (default: the latest G1 month, else the latest month of customs lines)",
        ),
        lang: str = typer.Option("es", help="es or en"),
        formats: str = typer.Option("html,md,json", "--format", help="comma list: html,pdf,xlsx,md,json"),
        out: Path = typer.Option(Path("reports/sector"), help="output directory"),
        world_from: int = typer.Option(
            2001, min=1948, max=date.today().year, help="first year of the world series"
        ),
        world_to: int = typer.Option(
            None,
            min=1948,
            max=date.today().year,
            help="last year of the world series (default: the year of --through, cut to the WTO data)",
        ),
        peers: str = typer.Option("CHL,COL", help="peer countries, ISO alpha-3 codes separated by commas"),
        world_form: WorldForm = typer.Option(
            None,
            help="basket of the world side: wto (the WTO product group) or hs (the HS basket, from CEPII "
            "BACI when loaded); default wto when WTO data are loaded, else hs",
        ),
        engine: Engine = typer.Option(
            None,
            help="duckdb or spark (default COMERCIO_ENGINE or duckdb); Spark runs on "
            "COMERCIO_SPARK_MASTER or COMERCIO_SPARK_REMOTE",
        ),
        demo: bool = typer.Option(
            False, help="write the demo study (es and en, every format) into the report directory"
        ),
    ) -> None:
        """The sector study from official data: WTO world trade of the group, Peru's G1 exports, F1 imports
        by use and G6 destinations of all exports; and, when SUNAT's customs lines are loaded, the basket's
        imports, exports, balance, origins and destinations from the declaration lines."""
        from comercio.reports import start_renderer

        if not demo:
            start_renderer(formats)  # figures and PDF: other processes, warmed while facts are computed
        from comercio.warehouse import Warehouse

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
                world_to=world_to,
                engine=s.engine,
                peers=tuple(peers.split(",")),
                world_form=None if world_form is None else world_form.value,
            )
        for p in paths:
            typer.echo(str(p))
