"""The web dashboard: server-rendered pages (Jinja2), inline SVG charts from :mod:`comercio.reports` and
small local JS/CSS, over the application service (:mod:`comercio.service`).

Everything the browser loads comes from :data:`STATIC_DIR` (no CDN). :func:`install` mounts the pages on the
app that :func:`comercio.server.create_app` builds.
"""

from __future__ import annotations

from comercio.web.app import CACHEABLE_PATHS, CACHEABLE_PREFIXES, NOT_CACHED, install
from comercio.web.templating import STATIC_DIR, TEMPLATES_DIR

__all__ = ["CACHEABLE_PATHS", "CACHEABLE_PREFIXES", "NOT_CACHED", "STATIC_DIR", "TEMPLATES_DIR", "install"]
