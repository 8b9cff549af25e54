"""Product and country search on a warehouse built from the mirror (ref_hs2022, ref_nandina, references)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from comercio.errors import ConfigError
from comercio.query.search import Hit, search


def _codes(hits: list[Hit]) -> list[str]:
    return [h.code for h in hits]


@pytest.fixture
def wh(warehouse: Any) -> Any:
    assert warehouse.has("ref_nandina") and warehouse.has("ref_hs2022")  # comercio build loads both
    return warehouse


def test_palta_finds_the_avocado_subheading_in_spanish(wh: Any) -> None:
    hits = search("palta", "product", "es", wh=wh)
    assert hits[0] == Hit("080440", "hs6", "Aguacates (paltas)", "palta", "hs6")
    assert "08044000" in _codes(hits)  # and the NANDINA line, after it
    assert _codes(search("PALTAS", "product", wh=wh))[0] == "080440"  # case and plural


def test_avocado_in_english_labels_in_english(wh: Any) -> None:
    hits = search("avocado", "product", "en", wh=wh)
    assert hits[0].code == "080440" and hits[0].label == "Fruit, edible; avocados, fresh or dried"
    nandina = next(h for h in hits if h.code == "08044000")
    assert nandina.label.endswith("› Aguacates (paltas)") and nandina.dimension == "product"


@pytest.mark.parametrize("text", ["cafe", "café", "CAFÉ", "Cafe"])
def test_cafe_with_or_without_accent_finds_heading_0901(wh: Any, text: str) -> None:
    hits = search(text, "product", "es", wh=wh)
    assert hits[0].code == "0901" and hits[0].level == "hs4" and hits[0].label == "Café"


def test_chile_is_the_country_first(wh: Any) -> None:
    hits = search("chile", "any", "es", wh=wh)
    assert hits[0] == Hit("CL", "country", "Chile", "Chile", "partner")
    assert search("chile", "partner", "en", wh=wh)[0].label == "Chile"


def test_country_names_aliases_and_accents(wh: Any) -> None:
    assert search("Perú", "partner", wh=wh)[0].code == "PE"
    assert search("united states", "partner", "en", wh=wh)[0].code == "US"
    assert search("estados unidos", "partner", wh=wh)[0].code == "US"  # before "Islas … de los …"
    assert search("COREA (SUR), REPUBLICA DE", "partner", wh=wh)[0].code == "KR"  # SUNAT's spelling
    assert search("DEU", "partner", wh=wh)[0].code == "DE"  # alpha-3
    assert search("asia", "partner", wh=wh)[0] == Hit("asia", "continent", "Asia", "Asia", "continent")


def test_ranking_exact_name_then_prefix_then_any_word(wh: Any) -> None:
    hits = search("cobre", "product", wh=wh, limit=40)
    first = [h for h in hits if h.matched == "cobre"]
    assert first and hits[: len(first)] == first  # the product group "cobre" (its headings) first
    assert {"2603", "7403"} <= set(_codes(first))
    assert "260300" in _codes(hits)  # "Minerales de cobre y sus concentrados": a word matches


def test_codes_find_their_subcodes_in_order(wh: Any) -> None:
    hits = search("0804.40", "product", wh=wh)
    assert _codes(hits) == ["080440", "08044000"]
    assert _codes(search("0901", "product", wh=wh))[:2] == ["0901", "090111"]


def test_leaf_labels_are_shown_with_their_parent(wh: Any) -> None:
    hits = search("09011190", "product", "es", wh=wh)
    assert hits[0].label.endswith("› Los demás") and len(hits[0].label) > len("Los demás")


def test_no_match_and_bad_arguments(wh: Any) -> None:
    assert search("zzzqqq", wh=wh) == []
    assert search("   ", wh=wh) == []
    with pytest.raises(ConfigError, match="kind"):
        search("palta", "region", wh=wh)
    with pytest.raises(ConfigError, match="limit"):
        search("palta", limit=0, wh=wh)


def test_search_is_quick_once_indexed(wh: Any) -> None:
    search("palta", wh=wh)
    start = time.perf_counter()
    for text in ("palta", "avocado", "café", "chile", "mineral de cobre"):
        search(text, wh=wh)
    assert (time.perf_counter() - start) / 5 < 0.5


def test_names_give_every_code_its_label(wh: Any) -> None:
    from comercio.query.search import names

    es, en = names("product", "es", wh), names("product", "en", wh)
    assert es["080440"] == "Aguacates (paltas)" and en["080440"] == "Fruit, edible; avocados, fresh or dried"
    assert es["0901"] == "Café" and es["08044000"] == "Aguacates (paltas)"
    assert len(es) > 13000  # 6 939 HS codes (TOTAL aside) and 7 644 NANDINA lines
    assert names("partner", "en", wh)["US"] == "United States"
    assert names("product", "es", wh) is es  # memoised per warehouse version


def test_a_label_flagged_as_cut_ends_in_an_ellipsis(wh: Any) -> None:
    (hit,) = search("01061200", "product", "es", wh=wh)  # "… manatíes y": cut at a line break in the PDF
    assert hit.label.endswith("manatíes y…")


@pytest.mark.parametrize(
    ("text", "lang", "code"),
    [
        ("coffee", "en", "0901"),
        ("uvas", "es", "080610"),
        ("grapes", "en", "080610"),
        ("arándanos", "es", "081040"),
        ("blueberries", "en", "081040"),
        ("espárragos", "es", "070920"),
        ("quinua", "es", "100850"),
        ("quinoa", "en", "100850"),
        ("harina de pescado", "es", "230120"),
    ],
)
def test_peru_s_main_exports_by_their_common_names(wh: Any, text: str, lang: str, code: str) -> None:
    assert search(text, "product", lang, wh=wh)[0].code == code
