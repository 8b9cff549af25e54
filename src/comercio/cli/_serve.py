"""``comercio serve``: the HTTP API and the dashboard on uvicorn (loopback by default)."""

from __future__ import annotations

from typing import Annotated

import typer

from comercio.cli._common import Engine, settings

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")  # uvicorn's


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: Annotated[
            str, typer.Option(help="Address to listen on (keep 127.0.0.1 unless behind a proxy)")
        ] = ("127.0.0.1"),
        port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port")] = 8000,
        cors_origin: Annotated[
            list[str] | None, typer.Option(help="Allow cross-origin requests from this origin (repeatable)")
        ] = None,
        engine: Annotated[Engine | None, typer.Option(help="Compute engine")] = None,
        log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
    ) -> None:
        """Serve the API (/api/v1, OpenAPI at /api/v1/docs) and the dashboard from a read-only warehouse."""
        import uvicorn

        from comercio.errors import ConfigError
        from comercio.server import create_app
        from comercio.web.app import warm

        if log_level not in LOG_LEVELS:
            raise ConfigError(f"unknown --log-level {log_level!r}; choose one of {', '.join(LOG_LEVELS)}")

        app_ = create_app(settings(engine), cors_origins=tuple(cors_origin or ()))
        warm(app_)  # before uvicorn says it is ready: the first page is then served at once
        uvicorn.run(app_, host=host, port=port, log_level=log_level, server_header=False)
