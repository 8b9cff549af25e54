"""The dashboard's part of the application: its pages, static assets and cacheable paths.

:func:`install` adds them to an app built by :func:`comercio.server.create_app`; the dashboard never imports
the API (both are siblings over :mod:`comercio.service`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from comercio.web import check, pages, profiles, query
from comercio.web.templating import STATIC_DIR

log = logging.getLogger(__name__)

CACHEABLE_PATHS = ("/",)
CACHEABLE_PREFIXES = ("/explorer", "/region/", "/sector", "/customs")
NOT_CACHED = ("/explorer/download",)


def install(app: FastAPI) -> None:
    """Add the dashboard pages and ``/static`` to ``app``."""
    app.include_router(pages.router)
    app.include_router(check.router)
    app.include_router(query.router)
    app.include_router(profiles.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


def warm(app: Any, paths: tuple[str, ...] = CACHEABLE_PATHS) -> dict[str, int]:
    """Answer ``paths`` once in-process, before the server says it is ready: the imports, the warehouse
    connection, the cubes behind the page, its charts and the cached answer are then in place, so the
    first visitor's page is served at once. Returns each path's status; a page that fails here is left
    to fail (and be reported) on its real request, so an empty warehouse still starts.
    """

    async def get(path: str) -> int:
        status = 0

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"localhost")],
            "client": ("127.0.0.1", 0),
            "server": ("127.0.0.1", 0),
        }
        await app(scope, receive, send)
        return status

    done: dict[str, int] = {}
    for path in paths:
        try:
            done[path] = asyncio.run(get(path))
        except Exception as exc:  # the real request reports it
            log.debug("warming %s failed: %s", path, exc)
            done[path] = 500
    return done
