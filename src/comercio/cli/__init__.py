"""The ``comercio`` command line: thin Typer commands over the library (no business logic here)."""

from __future__ import annotations

import sys

import typer
from rich.markup import escape

from comercio.cli import _data, _facts, _indicators, _reference, _report, _serve, _synth
from comercio.cli._common import console_err
from comercio.errors import ComercioError

app = typer.Typer(
    name="comercio",
    help="Peru's foreign-trade statistics: fetch official data, build the warehouse, compute and publish.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(_reference.app, name="reference")
app.add_typer(_data.warehouse_app, name="warehouse")
for _module in (_data, _report, _serve, _synth, _indicators, _facts):
    _module.register(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app; print comercio's errors plainly (no traceback) and exit non-zero."""
    try:
        # Without standalone mode click *returns* the code of a `typer.Exit` instead of exiting.
        code = app(args=argv, standalone_mode=False)
    except ComercioError as exc:
        # The message is data, not markup (a reason may contain "[…]"); one line, never wrapped.
        console_err.print(
            f"[bold red]error:[/] {escape(exc.message)}", markup=True, highlight=False, soft_wrap=True
        )
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        console_err.print("aborted")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # usage errors: Typer >= 0.29 raises its own vendored click's exceptions
        import click

        if isinstance(exc, click.ClickException | typer.TyperException) and hasattr(exc, "show"):
            exc.show()
            sys.exit(getattr(exc, "exit_code", 2))
        raise
    if isinstance(code, int) and code != 0:
        sys.exit(code)
