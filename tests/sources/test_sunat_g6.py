"""SUNAT cuadro G 6 (exports by destination country) into ``sunat_destinations``.

On the mirror: the check figures of SOURCES.md (2024 Total general = G1 2024 total, the four named
countries, January-April 2025), every spelling of every sheet mapped by the reference table. On hand-made
workbooks in SUNAT's layout: unknown spellings, a Total general that does not add up, two spellings of one
country, and the ingest into a warehouse whose engine then answers exports by partner.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from comercio import reference
from comercio.config import Settings
from comercio.errors import ParseError, ValidationError
from comercio.indicators import engine as eng
from comercio.indicators.specs import Filters, Grouping
from comercio.ingest import ingest
from comercio.sources import normalize_label
from comercio.sources.protocol import ReadOptions
from comercio.sources.sunat_cuadros import (
    READER,
    DestinationsResult,
    read_cuadro,
    read_destinations,
    spellings,
)
from comercio.warehouse import Warehouse, schema

M = 1e6


@pytest.fixture(scope="module")
def g6_path(shared_file: Callable[[str], Path]) -> Path:
    return shared_file("sunat/cuadros/cdro_G6.xlsx")


@pytest.fixture(scope="module")
def g6(g6_path: Path) -> DestinationsResult:
    return read_destinations(g6_path)


def _sum(rows: pa.Table, year: int, partner: str | None = None, months: int = 12) -> float:
    mask = pc.and_(pc.equal(rows["year"], year), pc.less_equal(pc.month(rows["period"]), months))
    if partner is not None:
        mask = pc.and_(mask, pc.equal(rows["partner"], partner))
    return float(pc.sum(rows.filter(mask)["value_usd"]).as_py())


# --- the mirror ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("partner", "expected_musd"),
    [(None, 73_593.9), ("US", 9_501.9), ("CN", 24_565.0), ("CL", 2_096.9), ("CO", 933.2)],
)
def test_2024_check_figures(g6: DestinationsResult, partner: str | None, expected_musd: float) -> None:
    assert _sum(g6.rows, 2024, partner) / M == pytest.approx(expected_musd, abs=0.05)


def test_january_to_april_2025_and_the_span(g6: DestinationsResult) -> None:
    assert _sum(g6.rows, 2025, months=4) / M == pytest.approx(22_486.1, abs=0.05)
    assert g6.months[0] == date(2005, 1, 1) and g6.months[-1] == date(2025, 4, 1)
    assert len(g6.months) == 20 * 12 + 4
    assert {s.scale for s in g6.sheets} == {1.0}  # "Miles de US$" in the header, US$ in the cells


def test_the_total_equals_g1s_total(g6: DestinationsResult, shared_file: Callable[[str], Path]) -> None:
    g1 = read_cuadro(shared_file("sunat/cuadros/cdro_G1.xlsx"))
    total = g1.rows.filter(pc.equal(g1.rows["path"], "Total"))
    g1_2024 = pc.sum(total.filter(pc.equal(pc.year(total["period"]), 2024))["value_usd"]).as_py()
    assert _sum(g6.rows, 2024) == pytest.approx(g1_2024, abs=1.0)


def test_rows_conform_and_the_total_row_is_not_a_partner(g6: DestinationsResult) -> None:
    rows = g6.rows
    assert rows.schema == schema.SUNAT_DESTINATIONS.schema
    keys = pc.binary_join_element_wise(
        rows["flow"], pc.cast(rows["period"], pa.string()), rows["partner"], "|"
    )
    assert pc.count_distinct(keys).as_py() == rows.num_rows
    partners = set(rows.column("partner").to_pylist())
    assert {"US", "CN", "CL", "CO", "KR", "XZ"} <= partners and all(len(p) == 2 for p in partners)
    assert set(rows.column("table").to_pylist()) == {"G6"} and set(rows.column("flow").to_pylist()) == {"X"}
    assert not pc.any(rows["synthetic"]).as_py()
    assert pc.min(rows["value_usd"]).as_py() >= 0
    assert pc.all(pc.equal(pc.year(rows["period"]), rows["year"])).as_py()
    # SOURCES.md: 155 to 188 countries a year (2014's 188 rows name France twice: one partner merged)
    per_year = rows.group_by("year").aggregate([("partner", "count_distinct")])
    counts = per_year["partner_count_distinct"]
    assert (pc.min(counts).as_py(), pc.max(counts).as_py()) == (155, 188 - 1)


def test_preliminary_years_and_checks(g6: DestinationsResult) -> None:
    prelim = {s.year for s in g6.sheets if s.preliminary}
    assert {2024, 2025} <= prelim and 2010 not in prelim
    assert g6.total_checks > 20 * 12
    assert g6.merged == ("2014: FR = FRANCIA + FRANCE, METROPOLITAN",)


def test_every_spelling_of_the_mirror_is_in_the_reference_table(g6_path: Path) -> None:
    tree = read_cuadro(g6_path)  # the same workbook as a tree: one path per spelling
    names = set(tree.rows.column("path").to_pylist()) - {"Total"}
    assert len(names) > 250
    table = spellings()
    missing = sorted(n for n in names if normalize_label(n) not in table)
    assert missing == []
    assert table[normalize_label("ESTADOS UNIDOS")].alpha2 == "US"
    assert table[normalize_label("COREA (SUR), REPUBLICA DE")].alpha2 == "KR"
    assert table[normalize_label("AGUAS INTERNACIONALES")].kind == "other"
    assert table[normalize_label("ANTILLAS HOLANDESAS")].kind == "former"


def test_the_spellings_table_says_where_it_comes_from() -> None:
    info = reference.info("sunat_countries")
    assert "cuadro G 6" in info.source and "ISO 3166" in info.source
    assert info.rows >= 265


def test_the_reader_feeds_sunat_destinations(g6_path: Path) -> None:
    assert READER.targets(g6_path) == (("sunat_destinations", "G6"),)
    result = READER.read(g6_path, ReadOptions(Settings()))
    ((part,),) = [result.parts]
    assert (part.dataset, part.slice) == ("sunat_destinations", "G6")
    assert result.refusal() is None and result.extra["table"] == "G6"


# --- hand-made workbooks in SUNAT's G6 layout ---------------------------------------------------------------

COUNTRIES = [("CHINA", 1.6e9), ("ESTADOS UNIDOS", 0.7e9), ("COREA (SUR), REPUBLICA DE", 0.3e9)]


def _write_g6(path: Path, countries: list[tuple[str, float]] = COUNTRIES, *, total_off: float = 0.0) -> Path:
    """One 2024 sheet: title rows, header in row 6, Total general in row 9, ranked countries below."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2024"
    ws["B2"] = "Cuadro G 6"
    ws["B3"] = "RÉGIMEN ADUANERO DE EXPORTACIÓN DEFINITIVA: RANKING DE PRINCIPALES PAÍSES DE DESTINO, 2024"
    ws["B4"] = "(Miles de US$ FOB)"
    ws["B6"] = "País de destino"
    for m, name in enumerate(["Enero", "Febrero", "Marzo"]):
        ws.cell(row=6, column=5 + m, value=name)
    ws.cell(row=6, column=8, value="Total")
    ws["C9"] = "Total general"
    for m in range(3):
        ws.cell(row=9, column=5 + m, value=sum(v for _, v in countries) + (total_off if m == 1 else 0.0))
    ws.cell(row=9, column=8, value=sum(ws.cell(row=9, column=5 + m).value for m in range(3)))
    for i, (name, value) in enumerate(countries, start=1):
        ws.cell(row=9 + i, column=3, value=float(i))
        ws.cell(row=9 + i, column=4, value=name)
        for m in range(3):
            ws.cell(row=9 + i, column=5 + m, value=value)
        ws.cell(row=9 + i, column=8, value=3 * value)
    ws.cell(row=9 + len(countries) + 3, column=2, value="Fuente: SUNAT")
    wb.save(path)
    return path


def test_hand_made_g6(tmp_path: Path) -> None:
    result = read_destinations(_write_g6(tmp_path / "cdro_G6.xlsx"))
    jan = result.rows.filter(pc.equal(result.rows["period"], date(2024, 1, 1)))
    assert dict(zip(jan["partner"].to_pylist(), jan["value_usd"].to_pylist(), strict=True)) == {
        "CN": 1.6e9,
        "US": 0.7e9,
        "KR": 0.3e9,
    }
    assert result.rows.num_rows == 9 and result.total_checks == 3 + 4


def test_an_unknown_spelling_is_an_error_naming_it(tmp_path: Path) -> None:
    path = _write_g6(tmp_path / "cdro_G6.xlsx", [*COUNTRIES, ("ATLANTIDA", 1.0e6)])
    with pytest.raises(ParseError) as info:
        read_destinations(path)
    err = info.value
    assert (err.file, err.sheet, err.row, err.column) == (str(path), "2024", 13, "D")
    assert "unknown country spelling 'ATLANTIDA'" in err.reason and "sunat_countries" in str(err)


def test_a_total_general_that_does_not_add_up_is_refused(tmp_path: Path) -> None:
    path = _write_g6(tmp_path / "cdro_G6.xlsx", total_off=250_000.0)
    with pytest.raises(ValidationError) as info:
        read_destinations(path)
    err = info.value
    assert (err.sheet, err.row, err.column) == ("2024", 9, "F")
    assert "Total general for Febrero 2024" in err.reason and "250,000.00" in err.reason


def test_a_missing_total_general_is_refused(tmp_path: Path) -> None:
    path = _write_g6(tmp_path / "cdro_G6.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["2024"].delete_rows(9)
    wb.save(path)
    with pytest.raises(ParseError, match="no 'Total general' row") as info:
        read_destinations(path)
    assert info.value.sheet == "2024"


def test_two_spellings_of_one_country_are_summed_and_reported(tmp_path: Path) -> None:
    countries = [("FRANCIA", 5.0e9), ("CHILE", 2.0e9), ("FRANCE, METROPOLITAN", 1.0e9)]
    result = read_destinations(_write_g6(tmp_path / "cdro_G6.xlsx", countries))
    jan = result.rows.filter(pc.equal(result.rows["period"], date(2024, 1, 1)))
    assert dict(zip(jan["partner"].to_pylist(), jan["value_usd"].to_pylist(), strict=True)) == {
        "CL": 2.0e9,
        "FR": 6.0e9,
    }
    assert result.merged == ("2024: FR = FRANCIA + FRANCE, METROPOLITAN",)


def test_ingest_loads_g6_and_the_engine_answers_exports_by_partner(tmp_path: Path) -> None:
    path = _write_g6(tmp_path / "cdro_G6.xlsx")
    settings = Settings(home=tmp_path / "home")
    wh = Warehouse(settings)
    report = ingest(wh, "sunat-cuadros", [path], settings=settings)
    assert [(r.dataset, r.slice) for r in report.results] == [("sunat_destinations", "G6")]
    series = eng.series(Warehouse(settings, read_only=True), Grouping("partner"), Filters())
    assert series.dataset == "sunat_destinations"
    by_partner = {r["member"]: r["value"] for r in series.rows() if r["period"] == date(2024, 3, 1)}
    assert by_partner == {"CN": 1.6e9, "US": 0.7e9, "KR": 0.3e9}


@pytest.mark.parametrize("rank", [-5.0, 7.0, None])
def test_ranks_run_one_two_three_down_the_table(tmp_path: Path, rank: float | None) -> None:
    path = _write_g6(tmp_path / "cdro_G6.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["2024"]["C11"] = rank  # ESTADOS UNIDOS, second
    wb.save(path)
    with pytest.raises(ParseError) as info:
        read_destinations(path)
    err = info.value
    assert (err.sheet, err.row, err.column) == ("2024", 11, "C")
    assert "expected 2" in err.reason and "'ESTADOS UNIDOS'" in err.reason
