"""Profiles on a warehouse holding only customs lines (hand-made, labelled synthetic, both flows, January 2023
– November 2024, every line from Lima, department 15): every figure equals the lines' sums written out in
``tests/indicators/_sector_lines_data.py``, 2024 is named with its months and compared only with January–
November 2023, the breakdowns rank the right members, the synthetic label is everywhere, and what the lines
cannot answer (unit value without net weight) keeps one sentence saying what it needs. The number of
exporters is a plain distinct count of the trader ids written here, by year, the partial year named."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from comercio.config import Settings
from comercio.reports.profiles import build_profile
from comercio.reports.profiles_facts import ProfileFacts, profile_facts
from comercio.reports.writers import Report
from comercio.warehouse import Warehouse

DATA = Path(__file__).parents[1] / "indicators" / "_sector_lines_data.py"
PARTIAL = {"es": "2024 (ene–nov)", "en": "2024 (Jan–Nov)"}


def _data() -> ModuleType:
    import importlib.util

    spec = importlib.util.spec_from_file_location("_sector_lines_data", DATA)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


D = _data()
U = D.UNIT


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("profiles_lines")
    D.build(home)
    return home


_OPEN: dict[str, Warehouse] = {}


@pytest.fixture
def wh(home: Path, engine: str) -> Warehouse:
    """The lines warehouse, read only, on the engine under test (DuckDB; Spark in the slow runs)."""
    key = f"{home}:{engine}"
    if key not in _OPEN:
        _OPEN[key] = Warehouse(Settings(home=home, engine=engine), read_only=True)
    return _OPEN[key]


def _section(r: Report, sid: str) -> str:
    s = next(s for s in r.sections if s.id == sid)
    return " ".join(s.paragraphs)


def _value(p: ProfileFacts, flow: str, year: int, measure: str = "value") -> float | None:
    return p.facts.value(
        f"profile.{{dataset}}.{{flow_word}}.{measure}.{{year}}",
        dataset="customs_lines",
        flow_word=flow,
        year=str(year),
    )


def test_region_history_equals_the_lines(wh: Warehouse) -> None:
    p = profile_facts(wh, "region", "15")
    exports_2023 = 12 * (40.0 + 5000.0) * U
    ytd, before = 11 * (50.0 + 10.0 + 5000.0) * U, 11 * (40.0 + 5000.0) * U
    assert _value(p, "exports", 2023) == pytest.approx(exports_2023)
    assert _value(p, "exports", 2024) == pytest.approx(ytd)
    assert _value(p, "exports", 2024, "growth") == pytest.approx(ytd / before - 1)
    assert _value(p, "exports", 2023, "growth") is None  # 2022 is not held: no comparison
    assert _value(p, "exports", 2024, "share") == pytest.approx(1.0)  # every line is from Lima
    fact = p.facts.get("profile.{dataset}.{flow_word}.value.{year}", dataset="customs_lines",
                       flow_word="exports", year="2024")  # fmt: skip
    assert fact is not None and fact.extra["partial"] and fact.extra["months"] == [1, 11]
    assert fact.synthetic
    record = p.facts.get("profile.{dataset}.{flow_word}.record", dataset="customs_lines", flow_word="exports")
    assert record is not None and record.extra["year"] == 2023  # the partial year never holds the record
    assert p.facts.value("coverage.{year}.share", year="2024") == pytest.approx(1.0)


def test_region_breakdowns_rank_the_lines(wh: Warehouse) -> None:
    p = profile_facts(wh, "region", "15")
    part = "profile.{flow_word}.{dimension}.{member}.{measure}"

    def get(dim: str, member: str, measure: str = "value") -> float | None:
        return p.facts.value(
            part.replace("{measure}", measure), flow_word="exports", dimension=dim, member=member
        )

    total = 11 * (50.0 + 10.0 + 5000.0) * U
    assert get("products", "260300") == pytest.approx(11 * 5000.0 * U)
    assert get("products", "847420", "share") == pytest.approx(11 * 50.0 * U / total)
    assert get("products", "847420", "growth") == pytest.approx(50.0 / 40.0 - 1)
    assert get("products", "730890", "growth") is None  # nothing a year earlier: no growth
    assert get("partner", "CN") == pytest.approx(11 * 5000.0 * U)
    assert get("partner", "BO") == pytest.approx(11 * 10.0 * U)
    assert get("customs_office", "118", "share") == pytest.approx(1.0)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_region_report_labels_the_partial_year_and_names_omissions(wh: Warehouse, lang: str) -> None:
    r = build_profile(profile_facts(wh, "region", "15"), lang)
    assert r.synthetic
    history = _section(r, "history")
    assert PARTIAL[lang] in history
    assert ("datos sintéticos" if lang == "es" else "synthetic data") in history
    table = next(t for s in r.sections if s.id == "history" for t in s.tables)
    years = [row["year"] for row in table.rows]
    assert years == ["2023", PARTIAL[lang]]  # never "2024" alone
    assert PARTIAL[lang] in (table.note or "")
    omitted = {s.id: " ".join(s.paragraphs) for s in r.sections if s.omitted}
    assert set(omitted) == {"agro"}  # no agro product among the lines
    assert "sunat-microdata" in omitted["agro"]
    assert set(r.meta["omitted"]) == {"agro"}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_product_profile(wh: Warehouse, lang: str) -> None:
    p = profile_facts(wh, "product", "847420")
    assert _value(p, "exports", 2023) == pytest.approx(12 * 40.0 * U)
    assert _value(p, "exports", 2024) == pytest.approx(11 * 50.0 * U)
    assert _value(p, "exports", 2024, "growth") == pytest.approx(50.0 / 40.0 - 1)
    part = "profile.{flow_word}.{dimension}.{member}.share"
    assert p.facts.value(part, flow_word="exports", dimension="partner", member="CL") == pytest.approx(1.0)
    assert p.facts.value(part, flow_word="exports", dimension="department", member="15") == pytest.approx(1.0)
    r = build_profile(p, lang)
    assert "0804.40" not in r.title and "8474.20" in r.title
    unit = next(s for s in r.sections if s.id == "unit_value")
    assert unit.omitted  # the hand-made lines carry no net weight
    assert "unit_value" in r.meta["omitted"]


def test_product_of_another_level_and_bad_codes(wh: Warehouse) -> None:
    from comercio.errors import ConfigError

    p = profile_facts(wh, "product", "260300")
    assert _value(p, "exports", 2024) == pytest.approx(11 * 5000.0 * U)
    with pytest.raises(ConfigError) as e:
        profile_facts(wh, "product", "12345")
    assert e.value.field == "product"
    with pytest.raises(ConfigError) as e:
        profile_facts(wh, "region", "77")
    assert e.value.field == "region"
    with pytest.raises(ConfigError) as e:
        profile_facts(wh, "partner", "ZZ")
    assert e.value.field == "partner"


@pytest.mark.parametrize("lang", ["es", "en"])
def test_partner_profile_both_flows(wh: Warehouse, lang: str) -> None:
    p = profile_facts(wh, "partner", "CL")
    assert _value(p, "exports", 2023) == pytest.approx(12 * 40.0 * U)
    assert _value(p, "imports", 2023) == pytest.approx(12 * 1000.0 * U)
    assert _value(p, "imports", 2024, "growth") == pytest.approx(0.0)
    assert _value(p, "imports", 2023, "share") == pytest.approx(1000.0 / 1150.0)
    part = "profile.{flow_word}.{dimension}.{member}.value"
    assert p.facts.value(part, flow_word="imports", dimension="products", member="090111") == pytest.approx(
        11 * 1000.0 * U
    )
    r = build_profile(p, lang)
    assert not any(s.omitted for s in r.sections)
    assert PARTIAL[lang] in _section(r, "imports")


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_refused_cut_says_why_not_which_data(home: Path, lang: str) -> None:
    """With a query bound of one row, the product's regions and destinations (several rows each) are
    refused: their sections give the refusal's reason, never "load customs lines" (the lines are there)."""
    tight = Warehouse(Settings(home=home, query_max_rows=1), read_only=True)
    p = profile_facts(tight, "product", "847420")
    assert _value(p, "exports", 2023) == pytest.approx(12 * 40.0 * U)  # the history does not go through it
    assert {"regions", "destinations"} <= set(p.omitted)
    r = build_profile(p, lang)
    for sid in ("regions", "destinations"):
        text = _section(r, sid)
        assert "1 rows" in text or "1 row" in text  # the bound named, from the refusal
        assert "sunat-microdata" not in text


@pytest.mark.parametrize("lang", ["es", "en"])
def test_spreadsheet_never_names_the_partial_year_alone(home: Path, tmp_path: Path, lang: str) -> None:
    from openpyxl import load_workbook

    from comercio.reports.profiles import write_profile

    wh = Warehouse(Settings(home=home), read_only=True)
    write_profile(wh, "partner", "CL", lang=lang, formats="xlsx", out=tmp_path)
    wb = load_workbook(tmp_path / "report.xlsx")
    names = [ws.title for ws in wb.worksheets]
    assert f"{'Exportaciones' if lang == 'es' else 'Exports'}, {PARTIAL[lang]}" in names
    for ws in wb.worksheets:
        assert "2024" not in ws.title or PARTIAL[lang] in ws.title
        for row in ws.iter_rows(values_only=True):
            assert "2024" not in row  # a year cell of the partial year always names its months
    imports = wb[f"{'Importaciones' if lang == 'es' else 'Imports'}, {PARTIAL[lang]}"]
    cells = [row for row in imports.iter_rows(values_only=True) if row and row[0] == "090111"]
    assert cells and cells[0][2] == pytest.approx(11 * 1000.0 * U / 1e6)  # US$ millions, a number


EXPORTERS = "profile.{dataset}.exporters.{year}"
MASKED = "profile.{dataset}.exporters_masked.{year}"


def _distinct(rows: list[dict[str, Any]], year: int, masked: bool | None = None) -> int:
    """Distinct trader ids of the export lines of Lima in ``year`` (``masked``: of lines so flagged)."""
    return len(
        {
            r["trader_id"]
            for r in rows
            if r["flow"] == "X" and r["department"] == "15" and r["period"].year == year
            and r["trader_id"] is not None and (masked is None or r["trader_masked"] is masked)
        }
    )  # fmt: skip


def test_region_exporters_are_the_distinct_ids_of_the_lines(wh: Warehouse) -> None:
    p = profile_facts(wh, "region", "15")
    rows = D.rows()
    for year in (2023, 2024):
        f = p.facts.get(EXPORTERS, dataset="customs_lines", year=str(year))
        assert f is not None and f.value == _distinct(rows, year) and f.synthetic
        no_id = [r for r in rows if r["flow"] == "X" and r["period"].year == year and r["trader_id"] is None]
        assert f.extra["without_id"] == len(no_id)  # the masked importer-less lines: counted apart
        assert p.facts.value(MASKED, dataset="customs_lines", year=str(year)) == _distinct(rows, year, True)
    f = p.facts.get(EXPORTERS, dataset="customs_lines", year="2024")
    assert f is not None and f.extra["partial"] and f.extra["months"] == [1, 11]


@pytest.fixture(scope="module")
def repeated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Warehouse, list[dict[str, Any]]]:
    """The same export lines with ids that repeat across lines and months (three traders in Lima, one of them
    masked, one in Arequipa) and a line of Lima without an id."""
    import pyarrow as pa

    from comercio.warehouse import FileRef, Provenance, schema

    rows = D.rows("X")
    for i, r in enumerate(rows):
        trader = ("20100000001", "20100000002", "10400000003", "20400000004")[i % 4]
        r["trader_id"] = None if i == 5 else trader
        r["trader_masked"] = trader.startswith("10")
        r["department"] = "04" if trader == "20400000004" else "15"
    home = tmp_path_factory.mktemp("profiles_exporters")
    wh = Warehouse(Settings(home=home))
    spec = schema.CUSTOMS_LINES
    table = pa.Table.from_pylist([{c: r.get(c) for c in spec.columns} for r in rows], schema=spec.schema)
    wh.load(
        "customs_lines",
        "all",
        table,
        Provenance("test", (FileRef("h.csv", "d" * 64),), "t/1", synthetic=True),
    )
    return Warehouse(Settings(home=home), read_only=True), rows


@pytest.mark.parametrize("lang", ["es", "en"])
def test_exporters_count_repeated_ids_once(
    repeated: tuple[Warehouse, list[dict[str, Any]]], lang: str
) -> None:
    wh, rows = repeated
    p = profile_facts(wh, "region", "15")
    for year in (2023, 2024):
        assert p.facts.value(EXPORTERS, dataset="customs_lines", year=str(year)) == _distinct(rows, year)
        assert p.facts.value(MASKED, dataset="customs_lines", year=str(year)) == _distinct(rows, year, True)
    assert _distinct(rows, 2024) == 3 and _distinct(rows, 2024, True) == 1  # the rows are what they claim
    r = build_profile(p, lang)
    s = next(s for s in r.sections if s.id == "exporters")
    assert not s.omitted
    table = s.tables[0]
    assert [row["year"] for row in table.rows] == ["2023", PARTIAL[lang]]  # never "2024" alone
    assert [row["exporters"] for row in table.rows] == [3, 3]
    assert [row["masked"] for row in table.rows] == [1, 1]
    note = table.note or ""
    assert PARTIAL[lang] in note and ("sintéticos" if lang == "es" else "synthetic") in note
    text = " ".join(s.paragraphs)
    assert PARTIAL[lang] in text and ("datos sintéticos" if lang == "es" else "synthetic data") in text
    assert "RUC" in r.title or "RUC" in " ".join(c.label for c in table.columns)
