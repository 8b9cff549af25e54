"""English names of basket paths (``baskets.csv`` column ``path_en``): every path has one, with as many
levels as the Spanish path, and :func:`comercio.reference.path_name` returns it in English only."""

from __future__ import annotations

from comercio import reference
from comercio.reference.labels import PATH_SEPARATOR


def test_every_path_has_one_english_name_with_its_levels() -> None:
    names: dict[tuple[str, str], set[str]] = {}
    for r in reference.load("baskets").to_pylist():
        if not r["path"]:
            assert not r["path_en"], r  # an excluded prefix has no name in any language
            continue
        assert r["path_en"], r
        assert len(r["path_en"].split(PATH_SEPARATOR)) == len(r["path"].split(PATH_SEPARATOR)), r
        names.setdefault((r["basket"], r["path"]), set()).add(r["path_en"])
    assert all(len(v) == 1 for v in names.values())


def test_path_name_in_english_and_spanish() -> None:
    path = "Metalmecánica > Maquinaria y equipo de transporte (≈ CUCI 7)"
    assert reference.path_name("metalmecanica", path, "en") == (
        "Metalworking > Machinery and transport equipment (≈ SITC 7)"
    )
    assert reference.path_name("metalmecanica@2022", path, "en").endswith("(≈ SITC 7)")
    assert reference.path_name("metalmecanica", path, "es") == path
    assert reference.path_name("metalmecanica", "Not a path", "en") == "Not a path"
