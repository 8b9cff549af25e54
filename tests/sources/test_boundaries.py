"""The departments GeoJSON: every department once, nothing unknown, kept for maps without naming paths."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from comercio.config import Settings
from comercio.errors import ComercioError
from comercio.sources import boundaries
from comercio.sources.protocol import ReadOptions

GEOJSON = "geo/peru_departamental_simple.geojson"


@pytest.fixture
def geo(shared_file: Callable[[str], Path]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(shared_file(GEOJSON).read_text(encoding="utf-8"))
    return data


def _read(tmp_path: Path, data: dict[str, Any]) -> list[str]:
    path = tmp_path / boundaries.FILENAME
    path.write_text(json.dumps(data), encoding="utf-8")
    result = boundaries.read(path, ReadOptions(Settings(home=tmp_path / "home")))
    return list(result.notes)


def test_the_real_file_is_kept_without_a_path(tmp_path: Path, geo: dict[str, Any]) -> None:
    notes = _read(tmp_path, geo)
    assert notes == [f"{boundaries.FILENAME}: 25 departments kept for maps"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda fs: fs[:3], "22 departments have no polygon"),
        (lambda fs: [*fs, fs[0]], "repeats department"),
        (lambda fs: [{**fs[0], "properties": {boundaries.ID_PROPERTY: "77"}}, *fs[1:]], "code 77"),
        (lambda fs: [{**fs[0], "properties": {}}, *fs[1:]], "no numeric FIRST_IDDP"),
    ],
    ids=["three-features", "duplicate", "unknown-code", "no-code"],
)
def test_a_wrong_department_set_is_refused(
    tmp_path: Path, geo: dict[str, Any], edit: Callable[[list[Any]], list[Any]], message: str
) -> None:
    bad = {**geo, "features": edit(list(geo["features"]))}
    with pytest.raises(ComercioError, match=message) as info:
        _read(tmp_path, bad)
    assert info.value.column == boundaries.ID_PROPERTY
