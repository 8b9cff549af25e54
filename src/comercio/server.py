"""The application factory: one FastAPI app holding the application service, the API and the dashboard.

The API (:mod:`comercio.api`) and the dashboard (:mod:`comercio.web`) are siblings that both call the one
:class:`~comercio.service.IndicatorService` kept in ``app.state.service``; this module is the only place that
imports both. It also adds security headers on every response, a bounded cache of rendered GET answers (keyed
by the warehouse's current vintages, so a new load is served at once), HEAD on every GET route and, when
origins are given, CORS (off by default). Everything it serves is read-only: no route writes a file.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from comercio import api, web
from comercio.api.middleware import HeadAsGet, ResponseCache, SecurityHeaders
from comercio.config import Settings
from comercio.service import IndicatorService

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}


def create_app(
    settings: Settings | None = None,
    *,
    cors_origins: Sequence[str] = (),
    cache_size: int = 256,
    dashboard: bool = True,
) -> FastAPI:
    """A new app serving ``/api/v1`` (JSON/CSV) and, unless ``dashboard=False``, the web pages."""
    settings = settings or Settings.from_env()
    app = FastAPI(**api.OPENAPI)
    app.state.settings = settings
    service = app.state.service = IndicatorService(settings, cache_size=cache_size)
    api.install(app)
    paths: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = api.CACHEABLE_PREFIXES
    exclude: tuple[str, ...] = ()
    if dashboard:
        web.install(app)
        paths, prefixes, exclude = web.CACHEABLE_PATHS, prefixes + web.CACHEABLE_PREFIXES, web.NOT_CACHED
    app.add_middleware(
        ResponseCache,
        paths=paths,
        prefixes=prefixes,
        exclude=exclude,
        maxsize=512,
        ttl=600.0,
        version=service.wh.version,
    )
    app.add_middleware(SecurityHeaders, headers=SECURITY_HEADERS, skip_csp=(api.DOCS_URL,))
    app.add_middleware(HeadAsGet)
    if cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "HEAD"],
            allow_headers=["Content-Type"],
        )
    return app


__all__ = ["SECURITY_HEADERS", "create_app"]
