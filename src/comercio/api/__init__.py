"""HTTP API of comercio under ``/api/v1`` (JSON/CSV): :func:`install` adds it to the app that
:func:`comercio.server.create_app` builds; ``python -m comercio.api.loadtest`` measures it on loopback."""

from __future__ import annotations

from comercio.api.app import CACHEABLE_PREFIXES, DOCS_URL, OPENAPI, PREFIX, install

__all__ = ["CACHEABLE_PREFIXES", "DOCS_URL", "OPENAPI", "PREFIX", "install"]
