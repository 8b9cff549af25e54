"""``comercio report profile``: the profile of a region, a product or a partner country."""

from __future__ import annotations

from pathlib import Path

import typer

from comercio.cli._common import Engine, console, settings
from comercio.errors import ConfigError


def register_profile(report_app: typer.Typer) -> None:
    """Add the ``profile`` command to the ``report`` Typer group."""

    @report_app.command("profile")
    def profile(
        region: str | None = typer.Option(None, "--region", help="a department code, e.g. 04 (Arequipa)"),
        product: str | None = typer.Option(
            None, "--product", help="an HS2/HS4/HS6 code (080440), a 10-digit line or a G1 sector (textil)"
        ),
        partner: str | None = typer.Option(None, "--partner", help="a country, ISO alpha-2 (CL)"),
        lang: str = typer.Option("es", "--lang", help="es or en"),
        formats: str = typer.Option("html,pdf,xlsx,md,json", "--format", help="comma-separated formats"),
        out: Path | None = typer.Option(
            None, "--out", help="output directory (default: <reports dir>/profile-<kind>-<code>-<lang>)"
        ),
        engine: Engine | None = typer.Option(None, "--engine", help="duckdb or spark"),
    ) -> None:
        """Write a profile: exports over each source's whole history, shares, growth, records, breakdowns."""
        from comercio.reports import start_renderer

        chosen = [(k, v) for k, v in (("region", region), ("product", product), ("partner", partner)) if v]
        if len(chosen) != 1:
            raise ConfigError("give exactly one of --region, --product or --partner", field="profile")
        if lang not in ("es", "en"):
            raise ConfigError(f"unsupported language {lang!r}; use es or en", field="lang")
        start_renderer(formats)  # figures and PDF: other processes, warmed while the facts are computed
        from comercio.reports.profiles import write_profile
        from comercio.warehouse import Warehouse

        kind, code = chosen[0]
        s = settings(engine)
        paths = write_profile(
            Warehouse(s, read_only=True), kind, code, lang=lang, formats=formats, out=out, engine=s.engine
        )
        for p in paths:
            console.print(str(p), highlight=False)
