"""The ``comercio`` command line: thin Typer commands over the library (no business logic here).

No traceback reaches a user: :func:`main` turns every exception into one line on stderr. Errors comercio
raises on purpose (bad input, bad settings) and usage errors exit 2; anything else is a bug, printed as one
line asking to report it, exit 1. ``--debug`` (anywhere on the line) or ``COMERCIO_DEBUG=1`` also prints
the traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Sequence
from typing import Any

import typer
from rich.markup import escape

from comercio.cli import _check, _data, _facts, _indicators, _query, _reference, _report, _serve, _synth
from comercio.cli._common import console_err
from comercio.errors import ComercioError, scrub, show_path

app = typer.Typer(
    name="comercio",
    help="Peru's foreign-trade statistics: fetch official data, build the warehouse, compute and publish.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(_reference.app, name="reference")
app.add_typer(_data.warehouse_app, name="warehouse")
for _module in (_data, _report, _check, _serve, _synth, _indicators, _facts, _query):
    _module.register(app)


def _help_defaults(group: typer.Typer) -> dict[str, Any]:
    """``--help`` is off by default in every command group, said as a plain ``False``.

    Typer otherwise gives an unset help flag no value and coerces that through Pydantic, whose import is a
    third of the start-up of ``comercio report regional --help``; groups only route, so this is their one
    option to settle. (The command's own ``--help`` is given, hence already a bool.)
    """
    defaults: dict[str, Any] = {"help": False}
    for sub in group.registered_groups:
        if sub.name and sub.typer_instance is not None:
            defaults[sub.name] = _help_defaults(sub.typer_instance)
    return defaults


app.info.context_settings = {"default_map": _help_defaults(app)}

BAD_INPUT, INTERNAL = 2, 1


@app.callback()
def _root(
    debug: bool = typer.Option(
        False, "--debug", help="on an error, also print the Python traceback (or set COMERCIO_DEBUG=1)"
    ),
) -> None:
    """Peru's foreign-trade statistics: fetch official data, build the warehouse, compute and publish."""


def _debug_requested(argv: Sequence[str]) -> bool:
    return "--debug" in argv or os.environ.get("COMERCIO_DEBUG", "").strip().lower() not in (
        "",
        "0",
        "false",
        "no",
    )


def _say(text: str) -> None:
    """One line on stderr; the text is data, not markup (a reason may contain "[…]"), and never wrapped."""
    console_err.print(f"[bold red]error:[/] {escape(text)}", markup=True, highlight=False, soft_wrap=True)


def _os_error(exc: OSError) -> str:
    """An operating-system error as the user should read it: the path, then the reason."""
    reason = exc.strerror or type(exc).__name__
    if exc.errno in (errno.EEXIST, errno.ENOTDIR):
        reason = f"{reason}: a file is where a directory is needed"
    paths = [show_path(str(p)) for p in (exc.filename, exc.filename2) if p is not None]
    return f"{' → '.join(paths)}: {reason}" if paths else scrub(str(exc))


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app; print every error as one plain line (no traceback) and exit non-zero."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = _debug_requested(args)
    args = [a for a in args if a != "--debug"]
    try:
        # Without standalone mode click *returns* the code of a `typer.Exit` instead of exiting.
        code = app(args=args, standalone_mode=False)
    except ComercioError as exc:
        _trace(debug)
        _say(exc.display())
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        console_err.print("aborted")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:
        import click

        # Usage errors: Typer >= 0.29 raises its own vendored click's exceptions.
        if isinstance(exc, click.ClickException | typer.TyperException) and hasattr(exc, "show"):
            exc.show()
            sys.exit(getattr(exc, "exit_code", BAD_INPUT))
        _trace(debug)
        if isinstance(exc, BrokenPipeError):  # `comercio … | head`: the reader left, nothing to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(INTERNAL)
        if isinstance(exc, OSError):  # a path that cannot be read or written: the user's to fix
            _say(_os_error(exc))
            sys.exit(BAD_INPUT)
        detail = scrub(str(exc)).replace("\n", " ").strip()
        _say(
            f"internal error ({type(exc).__name__}{': ' + detail[:300] if detail else ''}); please report it"
            f"{'' if debug else ', with the output of the same command run with --debug'}"
        )
        sys.exit(INTERNAL)
    if isinstance(code, int) and code != 0:
        sys.exit(code)
    if argv is None and args[:1] == ["report"]:
        _leave()


def _leave() -> None:
    """End a report command that finished, from the command line, without the interpreter's teardown of
    every module it imported (Ibis, DuckDB, PyArrow, Altair: 0.1-0.5 s, decision 0021): its files are
    written and closed and its processes stopped; the output is flushed and the exit handlers run here.
    A thread still running (none of comercio's) is waited for by the usual exit instead."""
    import atexit
    import threading

    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a reader that left (`| head`): the usual exit says so
        return
    atexit._run_exitfuncs()
    with contextlib.suppress(OSError):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(0)


def _trace(debug: bool) -> None:
    if debug:
        import traceback

        traceback.print_exc()
