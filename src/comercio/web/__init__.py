"""The web dashboard: server-rendered pages (Jinja2), inline SVG charts and small local JS/CSS.

Everything the browser loads comes from :data:`STATIC_DIR` (no CDN). The pages are mounted by
:func:`comercio.api.create_app`.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATES_DIR = HERE / "templates"

__all__ = ["STATIC_DIR", "TEMPLATES_DIR"]
