"""Department boundaries GeoJSON → a reference asset (no warehouse table).

The departments file is checked (a FeatureCollection whose features carry ``FIRST_IDDP``) and kept at
:func:`comercio.reference.boundaries.boundaries_path`, where maps read it; other files of the source
(provinces) stay in the download cache.
"""

from __future__ import annotations

import json
from pathlib import Path

from comercio.errors import ParseError
from comercio.reference.boundaries import FILENAME, boundaries_path
from comercio.sources.protocol import Reader, ReadOptions, ReadResult, fixed

ID_PROPERTY = "FIRST_IDDP"


def read(path: Path, options: ReadOptions) -> ReadResult:
    """Check the departments GeoJSON and ask for it to be kept as a reference asset."""
    path = Path(path)
    if path.name != FILENAME:
        return ReadResult(notes=(f"{path.name}: kept in the download cache (not used by maps)",))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ParseError(f"not a readable GeoJSON file ({exc})", file=path) from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise ParseError("not a GeoJSON FeatureCollection with features", file=path)
    for n, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict) or not str(props.get(ID_PROPERTY, "")).isdigit():
            raise ParseError(f"feature {n} has no numeric {ID_PROPERTY}", file=path, column=ID_PROPERTY)
    dest = boundaries_path(options.settings)
    return ReadResult(
        keep=((path, dest),), notes=(f"{path.name}: {len(features)} departments kept for maps ({dest})",)
    )


READER = Reader(read=read, targets=fixed(), files=f"the departments GeoJSON ({FILENAME})")
