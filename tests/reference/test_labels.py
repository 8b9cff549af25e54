"""SUNAT's G1 labels in display form: one function for prose, tables and charts (issue 12, Writing)."""

from __future__ import annotations

import pytest

from comercio.reference import display_label, display_path
from comercio.reference.dimensions import label


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Metal-mecanico", "Metalmecánico"),
        ("Metal-Mecánica", "Metalmecánica"),
        ("Quimico", "Químico"),
        ("III.Otros", "Otros"),
        ("III. Otros", "Otros"),
        ("II.Productos No Tradicionales", "Productos no tradicionales"),
        ("Mineria no metalica", "Minería no metálica"),
        ("Minería no Metálica", "Minería no metálica"),
        ("Sidero-metalurgico", "Siderometalúrgico"),
        ("Petroleo y gas natural", "Petróleo y gas natural"),
        ("Varios (incluye joyeria)", "Varios (incluye joyería)"),
        ("Harina de pescado", "Harina de pescado"),
    ],
)
def test_display_label(raw: str, shown: str) -> None:
    assert display_label(raw) == shown


def test_display_path_and_the_sector_dimension_use_it() -> None:
    path = "II.Productos No Tradicionales > Metal-mecanico"
    assert display_path(path) == "Productos no tradicionales > Metalmecánico"
    assert label("sector", path, "es") == "Metalmecánico"
    assert label("sector", path, "en") == "Metalmecánico"


def test_english_member_names() -> None:
    """English reads naturally: "Not recorded", "the Amazon (Oriente)", one word for the selva."""
    assert label("department", "99", "en") == "Not recorded"
    assert label("region_group", "no_registrado", "en") == "Not recorded"
    assert label("macroregion", "oriente", "en") == "Amazon (Oriente)"
    assert label("natural_region", "selva", "en") == "Amazon"


def test_destinations_that_are_no_country_have_names() -> None:
    """SUNAT's G6 destinations outside ISO 3166-1 (international waters, free zones, former countries) are
    named, never shown as a bare code."""
    from comercio.reference import load
    from comercio.reference.dimensions import label

    codes = {r["alpha2"] for r in load("sunat_countries").to_pylist() if r["kind"] in ("other", "former")}
    assert codes
    for lang in ("es", "en"):
        for code in codes:
            assert label("partner", code, lang) != code, (code, lang)
    assert label("partner", "XZ", "es") == "Aguas internacionales"
    assert label("partner", "YU", "en") == "Yugoslavia"


def test_country_names_in_english_prose_take_their_article() -> None:
    from comercio.reference.dimensions import in_prose, label

    assert in_prose("partner", "US", "en") == "the United States"
    assert in_prose("partner", "USA", "en") == "the United States"  # alpha-3 alias
    assert in_prose("partner", "NL", "en") == "the Netherlands"
    assert in_prose("partner", "CN", "en") == "China"
    assert in_prose("partner", "US", "es") == "Estados Unidos"
    assert label("partner", "US", "en") == "United States"  # tables keep the bare name
    assert label("partner", "CD", "en") == "Democratic Republic of the Congo"
