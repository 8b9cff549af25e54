"""Reference tables against the official files they must agree with (INEI GeoJSON, BCRP CSV, ISO 3166)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pycountry
import pytest

from comercio import reference
from comercio.errors import ReferenceDataError


def _departments() -> list[dict]:
    return reference.load("departments").to_pylist()


def test_names_and_info_cover_every_table() -> None:
    assert reference.names() == [
        "departments",
        "macroregions",
        "customs_offices",
        "countries",
        "product_groups",
        "baskets",
        "basket_definitions",
        "dimension_members",
        "tariff_versions",
        "wto_economies",
        "wto_products",
        "sunat_countries",
    ]
    for name in reference.names():
        meta = reference.info(name)
        assert meta.title and meta.source, name
        assert meta.path.is_file() and meta.path.suffix == ".csv"
        assert meta.rows == reference.load(name).num_rows > 0


def test_every_member_code_of_a_closed_dimension_has_both_names() -> None:
    """Region groups, natural regions and continents used by the tables have names in es and en."""
    from comercio.reference import dimensions

    used = {
        "region_group": {d["region_group"] for d in _departments()},
        "natural_region": {d["natural_region"] for d in _departments() if d["natural_region"]},
        "continent": {c["continent"] for c in reference.load("countries").to_pylist()},
    }
    for dim, codes in used.items():
        for lang in ("es", "en"):
            names = dimensions.member_names(dim, lang)
            assert codes <= set(names), (dim, lang, codes - set(names))
            assert all(names[c].strip() for c in codes), (dim, lang)
    assert dimensions.label("region_group", "no_registrado", "en") == "Not recorded"
    assert dimensions.label("department", "15", "en") == "Lima"


def test_unknown_table_is_named_in_the_error() -> None:
    with pytest.raises(ReferenceDataError, match="nope"):
        reference.load("nope")
    with pytest.raises(ReferenceDataError, match="nope"):
        reference.info("nope")


def test_departments_match_inei_geojson(shared_data: Path) -> None:
    geo = json.loads((shared_data / "geo/peru_departamental_simple.geojson").read_text(encoding="utf-8"))
    by_geo_name = Counter(d["geo_name"] for d in _departments() if d["geo_name"])
    ubigeo_of = {d["geo_name"]: d["ubigeo"] for d in _departments() if d["geo_name"]}
    features = [f["properties"] for f in geo["features"]]
    assert len(features) == 25
    for props in features:
        assert by_geo_name[props["NOMBDEP"]] == 1, props["NOMBDEP"]
        assert ubigeo_of[props["NOMBDEP"]] == props["FIRST_IDDP"]
    assert len(ubigeo_of) == len(features)


def test_every_bcrp_label_maps_to_exactly_one_department(shared_data: Path) -> None:
    with (shared_data / "bcrp/exports_by_department_monthly_2005_2022.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    labels = [r[0] for r in rows[1:] if r and r[0] != "Total"]
    table = Counter(d["bcrp_name"] for d in _departments())
    for label in labels:
        assert table[label] == 1, label
    assert set(table) == set(labels)  # and no department lacks its BCRP series


def test_department_flags_are_consistent() -> None:
    deps = {d["ubigeo"]: d for d in _departments()}
    assert len(deps) == 26 and "99" in deps
    assert deps["07"]["name"] == "Callao" and deps["15"]["name"] == "Lima" and deps["25"]["name"] == "Ucayali"
    assert deps["22"]["key"] == "san_martin" and deps["02"]["name"] == "Áncash"
    assert sorted(u for u, d in deps.items() if d["lima_callao"]) == ["07", "15"]
    interior = sorted(u for u, d in deps.items() if d["interior"])
    assert len(interior) == 23 and not {"07", "15", "99"} & set(interior)
    for d in deps.values():
        expected = "interior" if d["interior"] else "lima_callao" if d["lima_callao"] else "no_registrado"
        assert d["region_group"] == expected
        assert (d["natural_region"] is None) == (d["ubigeo"] == "99")


@pytest.mark.parametrize("grouping", ["mincetur", "adex"])
def test_macroregion_grouping_covers_interior_once(grouping: str) -> None:
    interior = sorted(d["ubigeo"] for d in _departments() if d["interior"])
    rows = [r for r in reference.load("macroregions").to_pylist() if r["grouping"] == grouping]
    assert sorted(r["department"] for r in rows) == interior
    assert {r["macroregion"] for r in rows} == {"norte", "centro", "sur", "oriente"}


def test_macroregions_follow_methodology() -> None:
    rows = reference.load("macroregions").to_pylist()
    region = {(r["grouping"], r["department"]): r["macroregion"] for r in rows}
    assert region[("mincetur", "22")] == "oriente" and region[("adex", "22")] == "norte"
    assert region[("mincetur", "01")] == "oriente" and region[("adex", "01")] == "norte"
    assert region[("mincetur", "02")] == "norte" and region[("mincetur", "11")] == "centro"
    assert region[("mincetur", "03")] == "sur" and region[("mincetur", "17")] == "oriente"


def test_customs_offices() -> None:
    table = reference.load("customs_offices")
    offices = {r["code"]: r for r in table.to_pylist()}
    assert {"118", "235", "145", "370"} <= set(offices)
    assert offices["127"]["name"] == "Pisco" and offices["127"]["department"] == "11"
    assert offices["235"]["kind"] == "air" and "Jorge Chávez" in offices["235"]["name_prose_es"]
    assert offices["370"]["valid_from"] == dt.date(2024, 10, 21) and offices["370"]["department"] == "15"
    assert offices["118"]["name_prose_es"] == "puerto del Callao"
    assert str(table.schema.field("valid_from").type) == "date32[day]"
    ubigeos = {d["ubigeo"] for d in _departments()} - {"99"}
    assert {r["department"] for r in offices.values()} <= ubigeos


def test_every_iso_country_has_a_row_and_continent() -> None:
    countries = {r["alpha2"]: r for r in reference.load("countries").to_pylist()}
    for country in pycountry.countries:
        row = countries[country.alpha_2]
        assert row["continent"], country.alpha_2
        assert row["alpha3"] == country.alpha_3 and row["numeric"] == country.numeric
    america = {r["subcontinent"] for r in countries.values() if r["continent"] == "america"}
    assert america == {"north_america", "central_america_caribbean", "south_america"}
    assert countries["PE"]["latin_america"] and not countries["US"]["latin_america"]
    assert countries["CN"]["continent"] == "asia" and countries["PE"]["name_es"] == "Perú"


def test_tariff_versions() -> None:
    assert reference.tariff_version(dt.date(2002, 1, 1)) == "2002"
    assert reference.tariff_version(dt.date(2007, 3, 31)) == "2002"
    assert reference.tariff_version(dt.date(2007, 4, 1)) == "2007"
    assert reference.tariff_version(dt.datetime(2016, 12, 31, 23, 59)) == "2012"
    assert reference.tariff_version(dt.date(2024, 10, 21)) == "2022"
    with pytest.raises(ReferenceDataError, match="2001-12-31"):
        reference.tariff_version(dt.date(2001, 12, 31))


def test_hs6() -> None:
    assert reference.hs6("0901119000") == "090111"
    assert reference.hs6(" 0806.10.00.00 ") == "080610"
    for bad in ("12345", "09011190001", "09A1119000", ""):
        with pytest.raises(ReferenceDataError, match="subpartida"):
            reference.hs6(bad)
