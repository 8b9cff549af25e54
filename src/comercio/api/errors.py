"""What an API error may show: messages without an absolute path of this machine.

Shared by the application's error handlers (:mod:`comercio.api.app`) and the routes that answer an error
with a body of their own (:mod:`comercio.api.query`).
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path, PurePath

from fastapi import Request

from comercio.errors import ComercioError


def _roots(request: Request) -> list[str]:
    """Directories whose absolute paths an error must not show: the data and report directories, the
    installation, the working directory and the interpreter's prefix (longest first)."""
    import comercio

    settings = request.app.state.settings
    paths = [settings.home, settings.reports_dir, Path(comercio.__file__).parent.parent, Path.cwd()]
    paths.append(Path(sys.prefix))
    found = {str(p) for p in paths} | {str(Path(p).resolve()) for p in paths}
    return sorted((r for r in found if r not in ("", "/", ".")), key=len, reverse=True)


def scrub(text: str, request: Request) -> str:
    """``text`` without an absolute path of this machine (paths under a known root become relative)."""
    for root in _roots(request):
        text = text.replace(root + "/", "").replace(root, "…")
    return text


def public_message(exc: ComercioError, request: Request) -> str:
    """The error's message with the file named by its name alone and no absolute path of this machine."""
    shown = copy.copy(exc)
    if shown.file:
        shown.file = PurePath(shown.file).name
    return scrub(shown.message, request)
