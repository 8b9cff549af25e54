"""Baskets and product groups: valid HS codes, longest-prefix classification, sub-baskets agreeing with G1."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from comercio import reference
from comercio.errors import ReferenceDataError


@pytest.fixture(scope="module")
def hs2022(shared_file: Callable[[str], Path]) -> dict[int, set[str]]:
    """HS2022 codes by level (2, 4, 6) from the WCO nomenclature file in the shared data."""
    path = shared_file("hs/hs2022_en.csv")
    levels: dict[int, set[str]] = {2: set(), 4: set(), 6: set()}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            # level 5 is the TOTAL row; 99/9999/999999 is UN Comtrade's "not specified", not a WCO code
            if row["level"] in {"2", "4", "6"} and not row["hscode"].startswith("99"):
                levels[int(row["level"])].add(row["hscode"])
    return levels


def _as_subpartidas(hs6_codes: set[str]) -> list[str]:
    return sorted(code + "0000" for code in hs6_codes)


@pytest.mark.parametrize("table", ["baskets", "product_groups"])
def test_every_prefix_exists_in_hs2022(table: str, hs2022: dict[int, set[str]]) -> None:
    known = hs2022[2] | hs2022[4] | hs2022[6]
    for prefix in reference.load(table).column("prefix").to_pylist():
        assert prefix[:6] in known, f"{table}: prefix {prefix} is not an HS2022 code"


def test_no_prefix_twice_within_a_basket() -> None:
    rows = reference.load("baskets").to_pylist()
    counts = Counter((r["basket"], r["version"], r["prefix"]) for r in rows)
    assert counts and max(counts.values()) == 1
    assert {"g1", "agro", "metalmecanica_g1", "metalmecanica"} <= set(reference.basket_names())
    assert Counter(reference.load("product_groups").column("prefix").to_pylist()).most_common(1)[0][1] == 1


@pytest.mark.parametrize(
    ("code", "path"),
    [
        ("2603000000", "Tradicionales > Mineros > Cobre"),
        ("7403110000", "Tradicionales > Mineros > Cobre"),
        ("7108120000", "Tradicionales > Mineros > Oro"),
        ("2301201100", "Tradicionales > Pesqueros > Harina de pescado"),
        ("0901119000", "Tradicionales > Agrícolas > Café"),
        ("2711110000", "Tradicionales > Petróleo y gas natural > Gas natural"),
        ("2711120000", "Tradicionales > Petróleo y gas natural > Derivados"),
        ("0806100000", "No Tradicionales > Agropecuario"),
        ("0901210000", "No Tradicionales > Agropecuario"),
        ("0307430000", "No Tradicionales > Pesquero"),
        ("6109100031", "No Tradicionales > Textil"),
        ("8474200000", "No Tradicionales > Metal-mecánico"),
        ("7408110000", "No Tradicionales > Sidero-metalúrgico"),
        ("2510100000", "No Tradicionales > Minería no metálica"),
        ("7113190000", "No Tradicionales > Varios (inc. joyería)"),
    ],
)
def test_g1_known_codes(code: str, path: str) -> None:
    assert reference.classify([code], "g1").to_pylist() == [path]


def test_g1_covers_every_hs2022_subheading(hs2022: dict[int, set[str]]) -> None:
    out = reference.classify(_as_subpartidas(hs2022[6]), "g1")
    assert out.null_count == 0
    sectors = {p.split(" > ")[1] for p in out.to_pylist()}
    assert len(sectors) == 4 + 11  # 4 traditional groups, 11 non-traditional sectors


@pytest.mark.parametrize(
    ("basket", "keep"),
    [
        (
            "agro",
            lambda p: (
                (p or "").startswith("Tradicionales > Agrícolas") or p == "No Tradicionales > Agropecuario"
            ),
        ),
        ("metalmecanica_g1", lambda p: p == "No Tradicionales > Metal-mecánico"),
    ],
)
def test_sub_baskets_agree_with_g1(
    basket: str, keep: Callable[[str | None], bool], hs2022: dict[int, set[str]]
) -> None:
    prefixes = reference.load("baskets").column("prefix").to_pylist()
    codes = sorted(set(_as_subpartidas(hs2022[6])) | {p.ljust(10, "0") for p in prefixes})
    g1 = reference.classify(codes, "g1").to_pylist()
    sub = reference.classify(codes, basket).to_pylist()
    mismatched = [c for c, a, b in zip(codes, g1, sub, strict=True) if keep(a) != (b is not None)]
    assert mismatched == []
    if basket == "agro":
        assert all(a == b for a, b in zip(g1, sub, strict=True) if b is not None)


def test_broad_metalmecanica_is_hs_73_and_82_to_90(hs2022: dict[int, set[str]]) -> None:
    codes = sorted(hs2022[6])  # an HS basket classifies 6-digit codes directly
    out = reference.classify(codes, "metalmecanica").to_pylist()
    chapters = {f"{c:02d}" for c in range(82, 91)} | {"73"}
    assert [c for c, p in zip(codes, out, strict=True) if (p is not None) != (c[:2] in chapters)] == []


def test_classify_inputs_and_nulls() -> None:
    cafe = "Tradicionales > Agrícolas > Café"
    assert reference.classify(pa.array([901119000, None], pa.int64()), "g1").to_pylist() == [cafe, None]
    chunked = pa.chunked_array([["0901119000"], [" 0901.11.90.00 ", "9999999999"]])
    assert reference.classify(chunked, "g1").to_pylist() == [cafe, cafe, None]
    dictionary = pa.array(["0901119000", "0901119000"]).dictionary_encode()
    assert reference.classify(dictionary, "g1@2022").to_pylist() == [cafe, cafe]
    assert reference.classify([], "g1").to_pylist() == []
    assert reference.classify(["0301110000"], "agro").to_pylist() == [None]  # fish is not agro


def test_classify_many_codes_keeps_order() -> None:
    codes = pa.array(["2603000000", "0806100000", None] * 100_000)
    out = reference.classify(codes, "g1")
    assert len(out) == len(codes) and out.null_count == 100_000
    assert (
        out[3].as_py() == "Tradicionales > Mineros > Cobre"
        and out[4].as_py() == "No Tradicionales > Agropecuario"
    )


def test_unknown_basket_or_version() -> None:
    with pytest.raises(ReferenceDataError, match="unknown basket 'nope'"):
        reference.classify(["0101"], "nope")
    with pytest.raises(ReferenceDataError, match="no version '1999'"):
        reference.classify(["0101"], "g1@1999")
    with pytest.raises(ReferenceDataError, match="strings or integers"):
        reference.classify(pa.array([1.5]), "g1")


def test_product_groups() -> None:
    groups = reference.product_group(["2603000000", "0810400000", "1801001900", "0804400000", "0101210000"])
    assert groups.to_pylist() == ["cobre", "arandanos", "cacao", "palta", None]
    rows = reference.load("product_groups").to_pylist()
    required = {"cobre", "oro", "plata", "zinc", "plomo", "hierro", "estano", "molibdeno", "harina_pescado"}
    required |= {"aceite_pescado", "cafe", "cacao", "aceite_palma", "arandanos", "uva", "palta", "mango"}
    required |= {"esparrago", "jengibre", "quinua", "banano_organico", "mandarina", "fresas", "gas_natural"}
    required |= {"petroleo", "fosfatos", "polos_algodon"}
    assert required <= {r["group"] for r in rows}
    for r in rows:  # one name and category per group
        same = [s for s in rows if s["group"] == r["group"]]
        assert {(s["name_es"], s["name_en"], s["category"]) for s in same} == {
            (r["name_es"], r["name_en"], r["category"])
        }


# --- study baskets in three forms (basket_definitions.csv) ----------------------------------------------


def test_metalworking_exists_in_its_three_forms_with_their_names() -> None:
    names = {f.form: f.name("es") for f in reference.basket_forms("metalmecanica", "group")}
    assert names == {
        "g1": "grupo metal-mecánico del cuadro G1",
        "wto": "maquinaria y equipo de transporte (CUCI 7) de la OMC",
        "hs": "canasta SA 73, 82–90",
    }
    wto = reference.group_form("metalmecanica", "wto")
    assert (
        wto is not None
        and wto.code == "MAMT"
        and wto.source("es").startswith("OMC")
        and wto.source("en").startswith("WTO")
    )
    assert wto.extra() == {"basket": "metalmecanica", "basket_form": "wto", "basket_code": "MAMT"}
    assert all(f.definition(lang) for f in reference.basket_forms("metalmecanica") for lang in ("es", "en"))


def test_every_study_has_a_g1_and_a_wto_group() -> None:
    assert {"metalmecanica", "quimico", "siderometalurgico"} <= set(reference.basket_studies())
    for study in reference.basket_studies():
        assert reference.group_form(study, "g1") is not None, study
        assert reference.group_form(study, "wto") is not None, study


def test_wto_codes_are_wto_product_groups_and_subsectors_lie_inside_their_group() -> None:
    parent = {r["code"]: r["parent"] for r in reference.load("wto_products").to_pylist()}
    for study in reference.basket_studies():
        group = reference.group_form(study, "wto")
        assert group is not None and group.code in parent
        for part in reference.basket_forms(study, "subsector"):
            chain, code = [], part.code
            while code:
                chain.append(code)
                code = parent[code]
            assert group.code in chain[1:], (study, part.code, chain)


def test_hs_and_f1_forms_name_existing_baskets_and_use_groups() -> None:
    hs = [f for s in reference.basket_studies() for f in reference.basket_forms(s) if f.form == "hs"]
    assert hs and {f.code for f in hs} <= set(reference.basket_names())
    f1 = [f for f in reference.basket_forms("metalmecanica") if f.form == "f1"]
    assert {f.code for f in f1} == {"capital", "7", "8", "9", "24", "25"}
    assert all(f.role == "context" for f in f1)


def test_unknown_study_basket_lists_the_known_ones_without_a_path() -> None:
    with pytest.raises(ReferenceDataError, match="unknown basket 'acero'; known baskets: metalmecanica") as e:
        reference.basket_forms("acero")
    assert "/" not in str(e.value)
