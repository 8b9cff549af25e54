"""Peru's department boundaries (GeoJSON) as a reference asset for maps.

``comercio ingest boundaries`` (run by ``comercio build``) keeps the departments GeoJSON at
:func:`boundaries_path` under the comercio home; reports and the dashboard read it through
:func:`boundaries`, never from the download cache. Features carry ``FIRST_IDDP`` (2-digit ubigeo) and
``NOMBDEP``, in CRS84.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from comercio.config import Settings

log = logging.getLogger(__name__)

FILENAME = "peru_departamental_simple.geojson"


def boundaries_path(settings: Settings) -> Path:
    """Where the departments GeoJSON is kept once ingested: ``<home>/reference/<FILENAME>``."""
    return settings.home / "reference" / FILENAME


def boundaries(settings: Settings) -> dict[str, Any] | None:
    """The departments GeoJSON (a FeatureCollection), or ``None`` when it was never ingested or is unreadable.

    ``None`` means "no map": callers leave the map out with a note (run ``comercio build``).
    """
    path = boundaries_path(settings)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("department boundaries at %s are unreadable: %s", path, exc)
        return None
    return data if isinstance(data, dict) else None


__all__ = ["FILENAME", "boundaries", "boundaries_path"]
