"""Department boundaries GeoJSON → a reference asset (no warehouse table).

The departments file is checked (a FeatureCollection with one feature per department of the reference table,
each carrying its 2-digit ubigeo in ``FIRST_IDDP``, none unknown and none twice) and kept at
:func:`comercio.reference.boundaries.boundaries_path`, where maps read it; other files of the source
(provinces) stay in the download cache.
"""

from __future__ import annotations

import json
from pathlib import Path

from comercio import reference
from comercio.errors import ParseError, ValidationError
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
    _check_departments(path, features)
    dest = boundaries_path(options.settings)
    return ReadResult(
        keep=((path, dest),), notes=(f"{path.name}: {len(features)} departments kept for maps",)
    )


def _check_departments(path: Path, features: list[object]) -> None:
    """Every department of the reference table exactly once, and nothing else (a map missing a department
    would draw it as "no data"; an unknown or repeated code would colour the wrong polygon)."""
    expected = {
        str(code) for code in reference.load("departments").column("ubigeo").to_pylist() if code != "99"
    }
    seen: dict[str, int] = {}
    for n, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        code = str(props.get(ID_PROPERTY, "")) if isinstance(props, dict) else ""
        if not code.isdigit():
            raise ParseError(
                f"feature {n} has no numeric {ID_PROPERTY}", file=path, row=n, column=ID_PROPERTY
            )
        code = code.zfill(2)
        if code not in expected:
            raise ValidationError(
                f"feature {n} has department code {code}, which is not a department of Peru",
                file=path,
                row=n,
                column=ID_PROPERTY,
            )
        if code in seen:
            raise ValidationError(
                f"feature {n} repeats department {code} (already feature {seen[code]})",
                file=path,
                row=n,
                column=ID_PROPERTY,
            )
        seen[code] = n
    missing = sorted(expected - set(seen))
    if missing:
        raise ValidationError(
            f"{len(missing)} departments have no polygon: {', '.join(missing)}", file=path, column=ID_PROPERTY
        )


READER = Reader(read=read, targets=fixed(), files=f"the departments GeoJSON ({FILENAME})")
