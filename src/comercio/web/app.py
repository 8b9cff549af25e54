"""The dashboard's part of the application: its pages, static assets and cacheable paths.

:func:`install` adds them to an app built by :func:`comercio.server.create_app`; the dashboard never imports
the API (both are siblings over :mod:`comercio.service`).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from comercio.web import pages
from comercio.web.templating import STATIC_DIR

CACHEABLE_PATHS = ("/",)
CACHEABLE_PREFIXES = ("/explorer", "/region/", "/sector", "/customs")
NOT_CACHED = ("/explorer/download",)


def install(app: FastAPI) -> None:
    """Add the dashboard pages and ``/static`` to ``app``."""
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
