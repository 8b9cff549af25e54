"""The sector study from customs lines: the basket's imports (CIF), exports (FOB), balance, origins,
destinations, parts and HS subheadings, on a warehouse holding only hand-made lines of both flows
(January 2023 – November 2024; ``_sector_lines_data`` writes every expected figure out), on each engine.
2024 is January–November: never a full year; November 2024 is preliminary (maturity of the lines)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import _sector_lines_data as data
import pyarrow as pa
import pytest

from comercio.config import Settings
from comercio.errors import ConfigError
from comercio.indicators.facts import FactSet, make
from comercio.indicators.sector import SectorFacts, sector_facts
from comercio.indicators.sector_lines import full_years, lines_trade
from comercio.indicators.specs import Window
from comercio.reference import basket_forms
from comercio.warehouse import FileRef, Provenance, Warehouse, schema

STUDY = "metalmecanica"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sector_lines")
    data.build(root)
    return root


@pytest.fixture(scope="module")
def wh(home: Path) -> Warehouse:
    return Warehouse(Settings(home=home), read_only=True)


@pytest.fixture
def sf(home: Path, engine: str) -> SectorFacts:
    return sector_facts(Warehouse(Settings(home=home, engine=engine), read_only=True), STUDY, None)


def test_the_month_is_the_latest_of_the_lines_and_world_sections_say_why(sf: SectorFacts) -> None:
    assert sf.through == data.LAST
    assert sf.synthetic
    for key in ("world", "peers", "peru_imports", "subsectors"):
        assert (
            "WTO merchandise values" in sf.omitted[key]
            and "'wto_merchandise' is not loaded" in sf.omitted[key]
        )
    assert "'sunat_cuadros' is not loaded" in sf.omitted["peru_exports"]
    assert not any(k.startswith("lines_") for k in sf.omitted)


def test_imports_and_exports_by_full_year_and_year_to_date(sf: SectorFacts) -> None:
    f = sf.facts
    assert f.value("lines.{side}.value.{year}", side="imports", year="2023") == pytest.approx(
        data.IMPORTS_2023
    )
    assert f.value("lines.{side}.value.{year}", side="exports", year="2023") == pytest.approx(
        data.EXPORTS_2023
    )
    # 2024 has eleven months: never a full year
    assert not f.has("lines.{side}.value.{year}", side="imports", year="2024")
    ytd = f.get("lines.{side}.ytd.value", side="imports")
    assert ytd is not None and ytd.value == pytest.approx(data.IMPORTS_YTD)
    assert ytd.window is not None and (ytd.window["start"], ytd.window["end"]) == ("2024-01-01", "2024-11-01")
    assert ytd.extra is not None
    assert (
        ytd.extra["value_basis"] == "CIF"
        and ytd.extra["basket_code"] == STUDY
        and ytd.extra["partial"] is True
    )
    assert ytd.dataset == "customs_lines" and ytd.synthetic
    assert f.value("lines.{side}.ytd.previous", side="imports") == pytest.approx(data.IMPORTS_PREV)
    assert f.value("lines.{side}.growth", side="imports") == pytest.approx(200 / 150 - 1)
    x = f.get("lines.{side}.ytd.value", side="exports")
    assert (
        x is not None
        and x.value == pytest.approx(data.EXPORTS_YTD)
        and (x.extra or {})["value_basis"] == "FOB"
    )
    assert f.value("lines.{side}.growth", side="exports") == pytest.approx(60 / 40 - 1)
    assert not f.has("lines.{side}.annual_growth", side="imports")  # one full year only


def test_balance_is_exports_minus_imports_of_the_same_basket(sf: SectorFacts) -> None:
    f = sf.facts
    assert f.value("lines.balance.value.{year}", year="2023") == pytest.approx(
        data.EXPORTS_2023 - data.IMPORTS_2023
    )
    b = f.get("lines.balance.ytd.value")
    assert b is not None and b.value == pytest.approx(data.EXPORTS_YTD - data.IMPORTS_YTD)
    assert b.extra is not None
    assert (b.extra["exports_source"], b.extra["imports_source"]) == ("customs_lines", "customs_lines")
    assert f.value("lines.balance.ytd.previous") == pytest.approx(data.EXPORTS_PREV - data.IMPORTS_PREV)


def test_origins_and_destinations_with_shares_and_growth(sf: SectorFacts) -> None:
    f = sf.facts
    assert f.value("{direction}.top", direction="basket_origins") == ["CN", "US", "DE"]
    for partner, value in data.ORIGINS.items():
        p = {"direction": "basket_origins", "partner": partner}
        assert f.value("{direction}.{partner}.value", **p) == pytest.approx(value)
        assert f.value("{direction}.{partner}.share", **p) == pytest.approx(value / data.IMPORTS_YTD)
    assert f.value("{direction}.{partner}.growth", direction="basket_origins", partner="CN") == pytest.approx(
        0.2
    )
    assert f.value("{direction}.{partner}.growth", direction="basket_origins", partner="DE") is None  # new
    assert f.value("{direction}.top", direction="basket_destinations") == ["CL", "BO"]
    for partner, value in data.DESTINATIONS.items():
        p = {"direction": "basket_destinations", "partner": partner}
        assert f.value("{direction}.{partner}.value", **p) == pytest.approx(value)


def test_parts_and_leading_subheadings(sf: SectorFacts) -> None:
    f = sf.facts
    for path, value in data.IMPORT_PARTS.items():
        p = {"side": "imports", "sector": path}
        assert f.value("lines.{side}.sector.{sector}.value", **p) == pytest.approx(value)
        assert f.value("lines.{side}.sector.{sector}.share", **p) == pytest.approx(value / data.IMPORTS_YTD)
    for code, value in data.IMPORT_HS6.items():
        assert f.value("lines.{side}.hs6.{hs6}.value", side="imports", hs6=code) == pytest.approx(value)
    growth = f.value("lines.{side}.hs6.{hs6}.growth", side="imports", hs6="730890")
    assert growth == pytest.approx(0.0)  # the masked importer's line stays in every total


def test_preliminary_months_are_named(sf: SectorFacts) -> None:
    ytd = sf.facts.get("lines.{side}.ytd.value", side="imports")
    assert ytd is not None and (ytd.extra or {})["preliminary"] == ["2024-11"]


def test_full_years_need_all_twelve_months() -> None:
    months = (*(date(2023, m, 1) for m in range(1, 13)), date(2024, 1, 1))
    assert full_years(months, date(2024, 1, 1)) == [2023]
    assert full_years(months[1:], date(2024, 1, 1)) == []
    assert full_years(months, date(2023, 11, 1)) == []


def test_a_month_past_the_lines_is_a_usage_error(wh: Warehouse) -> None:
    with pytest.raises(ConfigError, match=r"2024-12 is after the last month.*customs lines: 2024-11"):
        sector_facts(wh, STUDY, "2024-12")
    assert sector_facts(wh, STUDY, "2024-06").through == date(2024, 6, 1)


def test_exports_from_g1_when_no_export_lines_say_so(tmp_path: Path) -> None:
    """Import lines only: the balance takes G1's exports (another basket) and names each side's source."""
    wh = data.build(tmp_path, flows="M")
    form = next(f for f in basket_forms(STUDY) if f.form == "hs" and f.role == "group")
    ytd = Window.ytd(data.LAST).as_dict()
    g1 = FactSet(
        [
            make(
                "peru.exports.value.{year}",
                900.0 * data.UNIT,
                parts={"year": "2023"},
                window=Window.year(2023).as_dict(),
            ),
            make("peru.exports.ytd.value", 1000.0 * data.UNIT, window=ytd),
            make(
                "peru.exports.ytd.previous", 800.0 * data.UNIT, window=Window.ytd(date(2023, 11, 1)).as_dict()
            ),
        ]
    )
    omitted: dict[str, str] = {}
    f = lines_trade(wh, form, data.LAST, g1, None, omitted)
    assert "no export declaration lines" in omitted["lines_exports"]
    b = f.get("lines.balance.ytd.value")
    assert b is not None and b.value == pytest.approx(1000.0 * data.UNIT - data.IMPORTS_YTD)
    assert (b.extra or {})["exports_source"] == "sunat_cuadros"
    assert f.value("lines.balance.ytd.previous") == pytest.approx(800.0 * data.UNIT - data.IMPORTS_PREV)
    assert f.value("lines.balance.value.{year}", year="2023") == pytest.approx(
        900.0 * data.UNIT - data.IMPORTS_2023
    )
    assert not f.has("lines.{side}.ytd.value", side="exports")


def test_the_demo_warehouse_reads_as_before(warehouse: Warehouse) -> None:
    """The built warehouse's only lines (a few import declarations outside the basket, 2026) add nothing."""
    sf = sector_facts(warehouse, STUDY, None)
    assert not any(f.id.startswith("lines.") for f in sf.facts)
    assert not any(k.startswith("lines_") for k in sf.omitted)
    # its lines hold one month of 2026: a month between G1's last and that one is still past the data
    with pytest.raises(
        ConfigError, match=r"2025-12 is after the last month of the loaded data \(SUNAT cuadro G1"
    ):
        sector_facts(warehouse, STUDY, "2025-12")


def test_lines_past_the_last_g1_month_leave_out_only_the_g1_section(tmp_path: Path) -> None:
    """G1 to June 2024 and lines to November 2024: November is the study's month, G1's section says why it
    is left out; without a month, G1's last month is the study's and the lines answer it too."""
    wh = data.build(tmp_path)
    spec = schema.SUNAT_CUADROS
    common = {"table": "G1", "flow": "X", "value_basis": "FOB", "source": "g1.xlsx", "synthetic": False}
    rows = [
        {**common, "path": path, "level": level, "sector": path, "period": m, "value_usd": v}
        for m in data.months()
        if m <= date(2024, 6, 1)
        for path, level, v in (("Total", 0, 1e9), ("Total > Metal-mecánico", 1, 5e7))
    ]
    table = pa.Table.from_pylist([{c: r.get(c) for c in spec.columns} for r in rows], schema=spec.schema)
    wh.load("sunat_cuadros", "G1", table, Provenance("test", (FileRef("g1.xlsx", "d" * 64),), "test/1"))
    sf = sector_facts(wh, STUDY, "2024-11")
    assert sf.through == data.LAST and "SUNAT cuadro G1: 2024-06" in sf.omitted["peru_exports"]
    assert sf.facts.value("lines.balance.ytd.value") == pytest.approx(data.EXPORTS_YTD - data.IMPORTS_YTD)
    latest = sector_facts(wh, STUDY, None)
    assert latest.through == date(2024, 6, 1) and latest.facts.value("peru.exports.ytd.value") == 6 * 5e7
    assert latest.facts.value("lines.{side}.ytd.value", side="imports") == pytest.approx(
        6 * 200.0 * data.UNIT
    )
    with pytest.raises(ConfigError, match=r"G1: 2024-06; customs lines: 2024-11\).*up to 2024-11"):
        sector_facts(wh, STUDY, "2024-12")
