"""SUNAT cuadros reader: real G1 and F1 against the figures in ../shared/data/SOURCES.md, and a hand-made
ranking table (G6 layout) written with openpyxl.

Tolerances: the published figures are rounded to 0.1 M US$, so sums must match within 0.05 M US$.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from comercio.sources.sunat_cuadros import CuadroResult, iter_sheets, read_cuadro, table_from_name
from comercio.warehouse.schema import SUNAT_CUADROS

MILLION = 1e6
TOLERANCE_MUSD = 0.05
NT = "II. Productos No Tradicionales"


@pytest.fixture(scope="module")
def cuadros_dir(shared_file: Callable[[str], Path]) -> Path:
    return shared_file("sunat/cuadros")


@pytest.fixture(scope="module")
def g1(cuadros_dir: Path) -> CuadroResult:
    return read_cuadro(cuadros_dir / "cdro_G1.xlsx")


@pytest.fixture(scope="module")
def f1(cuadros_dir: Path) -> CuadroResult:
    return read_cuadro(cuadros_dir / "cdro_F1.xlsx")


def _sum_musd(result: CuadroResult, path: str, start: date, end: date) -> float:
    rows = result.rows
    mask = pc.and_(
        pc.equal(rows["path"], path),
        pc.and_(pc.greater_equal(rows["period"], start), pc.less_equal(rows["period"], end)),
    )
    picked = rows.filter(mask)
    assert picked.num_rows > 0, f"no rows for {path!r}"
    return pc.sum(picked["value_usd"]).as_py() / MILLION


@pytest.mark.parametrize(
    ("path", "end", "expected_musd"),
    [
        ("Total", date(2024, 12, 1), 73_593.9),
        ("Total", date(2024, 11, 1), 67_249.7),
        (f"{NT} > Metal-mecanico", date(2024, 12, 1), 740.7),
        (f"{NT} > Metal-mecanico", date(2024, 11, 1), 668.9),
        (f"{NT} > Sidero-metalurgico", date(2024, 12, 1), 1_799.9),
        (f"{NT} > Agropecuario", date(2024, 12, 1), 11_120.6),
    ],
)
def test_g1_matches_published_figures(g1: CuadroResult, path: str, end: date, expected_musd: float) -> None:
    assert _sum_musd(g1, path, date(2024, 1, 1), end) == pytest.approx(expected_musd, abs=TOLERANCE_MUSD)


def test_f1_total_imports_2024(f1: CuadroResult) -> None:
    assert f1.flow == "M" and f1.value_basis == "CIF" and f1.table == "F1"
    total = _sum_musd(f1, "Total", date(2024, 1, 1), date(2024, 12, 1))
    assert total == pytest.approx(55_026.6, abs=TOLERANCE_MUSD)


def test_g1_identity_and_unit_decision(g1: CuadroResult) -> None:
    assert (g1.table, g1.flow, g1.value_basis) == ("G1", "X", "FOB")
    # The header says "Miles de US$" on every sheet, but the cells are US$: scale 1, said out loud.
    assert {s.scale for s in g1.sheets} == {1.0}
    assert all("miles" in s.header_unit for s in g1.sheets)
    assert "cells taken as US$" in g1.unit_note


def test_g1_2025_is_partial_and_preliminary(g1: CuadroResult) -> None:
    sheet_2025 = next(s for s in g1.sheets if s.year == 2025)
    assert sheet_2025.months == tuple(date(2025, m, 1) for m in range(1, 5))
    assert g1.months[-1] == date(2025, 4, 1) and g1.months[0] == date(2005, 1, 1)
    assert len(g1.months) == 20 * 12 + 4
    rows_2025 = g1.rows.filter(pc.greater_equal(g1.rows["period"], date(2025, 1, 1)))
    assert pc.max(rows_2025["period"]).as_py() == date(2025, 4, 1)
    assert pc.all(rows_2025["preliminary"]).as_py()
    # 2024 carries the publisher's note "debe considerarse como preliminar"; 2023 does not.
    by_year = {s.year: s for s in g1.sheets}
    assert by_year[2024].preliminary and "note" in by_year[2024].preliminary_reason
    assert not by_year[2023].preliminary
    rows_2023 = g1.rows.filter(pc.equal(pc.year(g1.rows["period"]), 2023))
    assert not pc.any(rows_2023["preliminary"]).as_py()


def test_rows_conform_and_grain_is_unique(g1: CuadroResult, f1: CuadroResult) -> None:
    for result in (g1, f1):
        assert result.rows.schema == SUNAT_CUADROS.schema
        assert SUNAT_CUADROS.conform(result.rows).equals(result.rows)
        keys = result.rows.group_by(["table", "path", "period"]).aggregate([("value_usd", "count")])
        assert keys.num_rows == result.rows.num_rows
        assert pc.all(pc.equal(result.rows["sector"], result.rows["path"])).as_py()
        assert set(result.rows["source"].to_pylist()) == {f"cdro_{result.table}.xlsx"}


def test_paths_levels_and_footnote_cleaning(g1: CuadroResult) -> None:
    rows_2024 = g1.rows.filter(pc.equal(g1.rows["period"], date(2024, 1, 1)))
    level = dict(zip(rows_2024["path"].to_pylist(), rows_2024["level"].to_pylist(), strict=True))
    assert level["Total"] == 0
    assert level["I. Productos Tradicionales"] == 1
    assert level[f"{NT} > Metal-mecanico"] == 2
    assert level["I. Productos Tradicionales > Minero > Plomo"] == 3  # "Plomo 1/" in the sheet
    assert level["III.Otros"] == 1  # "III.Otros 5/", publisher's spacing kept
    assert not any("/" in p or p != p.strip() for p in level)
    assert len(level) == 37  # every labelled row of the 2024 sheet, total included


def test_g1_subtotal_checks_report_the_publishers_discrepancy(g1: CuadroResult) -> None:
    children = [c for c in g1.checks if c.kind == "children"]
    annual = [c for c in g1.checks if c.kind == "annual"]
    # One check per parent and month: 2024 has Total, I, II, Minero, Pesquero, Petroleo, Agricola, Resto.
    assert sum(1 for c in children if c.sheet == "2024") == 8 * 12
    assert annual and all(c.ok for c in annual)
    # SUNAT's own G1: in 2015, 2016 and two months of 2017 "Total (I+II+III)" exceeds I+II+III.
    failed = {(c.path, c.period): c for c in g1.failed_checks}
    expected = {date(y, m, 1) for y in (2015, 2016) for m in range(1, 13)} | {
        date(2017, 1, 1),
        date(2017, 4, 1),
    }
    assert {period for _, period in failed} == expected
    assert {path for path, _ in failed} == {"Total"}
    assert all(
        c.difference > 0 and c.difference == pytest.approx(c.parent - c.children_sum) for c in failed.values()
    )
    assert failed[("Total", date(2015, 7, 1))].difference / MILLION == pytest.approx(53.49, abs=0.01)
    assert failed[("Total", date(2016, 7, 1))].difference / MILLION == pytest.approx(60.06, abs=0.01)
    assert failed[("Total", date(2017, 4, 1))].difference == pytest.approx(38_850, abs=1)


def test_f1_subtotal_checks_all_pass(f1: CuadroResult) -> None:
    assert f1.checks and not f1.failed_checks
    assert {c.kind for c in f1.checks} == {"children", "annual"}


def test_whole_g1_reads_in_under_two_seconds(cuadros_dir: Path) -> None:
    path = cuadros_dir / "cdro_G1.xlsx"
    start = time.perf_counter()
    read_cuadro(path)
    assert time.perf_counter() - start < 2.0


def test_table_names_and_sheets(cuadros_dir: Path) -> None:
    assert table_from_name(Path("cdro_G1.xlsx")) == "G1"
    assert table_from_name(Path("CDRO_f11.xls")) == "F11"
    assert table_from_name(Path("exports.xlsx")) is None
    assert iter_sheets(cuadros_dir / "cdro_F1.xlsx")[0] == "2005"


# --- hand-made ranking table, G6 layout --------------------------------------------------------------------

COUNTRIES = [
    (1, "China", 1.6e9),
    (2, "Estados Unidos", 0.7e9),
    (3, "Canadá 1/", 0.3e9),
    (None, "Resto", 0.4e9),
]


def _write_ranking(
    path: Path, *, months_2025: int = 3, unit: str = "(Miles de US$ FOB)", factor: float = 1
) -> None:
    """Two year sheets in SUNAT's ranking layout: title rows, a two-row merged header, rank + country columns,
    a total row first, notes below. 2025 lists all twelve months but only ``months_2025`` have data."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for year, n_months in ((2024, 12), (2025, months_2025)):
        ws = wb.create_sheet(str(year))
        ws["B2"] = "Cuadro G 6"
        ws["B3"] = f"EXPORTACIÓN DEFINITIVA SEGÚN PAÍS DE DESTINO, {year}"
        ws["B4"] = unit
        ws["B6"], ws["C6"] = "N°", "País de destino"
        ws.merge_cells("B6:B7")
        ws.merge_cells("C6:C7")
        names = ["Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto", "Setiembre",
                 "Octubre", "Noviembre", "Diciembre (p)" if year == 2024 else "Diciembre"]  # fmt: skip
        for i, name in enumerate(names):
            ws.cell(row=6, column=4 + i, value=name)
            ws.merge_cells(start_row=6, start_column=4 + i, end_row=7, end_column=4 + i)
        ws.cell(row=6, column=16, value="Total")
        ws.cell(row=6, column=17, value="Part. %")
        ws.cell(row=9, column=3, value="Total")
        for r, (rank, country, value) in enumerate(COUNTRIES, start=10):
            ws.cell(row=r, column=2, value=rank)
            ws.cell(row=r, column=3, value=country)
            for m in range(n_months):
                ws.cell(row=r, column=4 + m, value=(value + m * 1000) * factor)
            ws.cell(row=r, column=16, value=sum((value + m * 1000) * factor for m in range(n_months)))
            ws.cell(row=r, column=17, value=12.5)
        for m in range(n_months):
            ws.cell(row=9, column=4 + m, value=sum((v + m * 1000) * factor for _, _, v in COUNTRIES))
        ws.cell(row=9, column=16, value=sum(ws.cell(row=9, column=4 + m).value for m in range(n_months)))
        ws["B16"], ws["C16"] = "1/", "Incluye Canadá continental."
        ws["B18"] = "Fuente: Superintendencia Nacional de Aduanas y de Administración Tributaria - SUNAT"
    wb.save(path)


def _by_path(result: CuadroResult, period: date) -> dict[str, tuple[int, float, bool]]:
    rows = result.rows.filter(pc.equal(result.rows["period"], period)).to_pylist()
    return {r["path"]: (r["level"], r["value_usd"], r["preliminary"]) for r in rows}


def test_ranking_table_is_read_with_countries_as_paths(tmp_path: Path) -> None:
    path = tmp_path / "cdro_G6.xlsx"
    _write_ranking(path)
    result = read_cuadro(path)
    assert (result.table, result.flow, result.value_basis) == ("G6", "X", "FOB")
    jan = _by_path(result, date(2024, 1, 1))
    assert jan == {
        "Total": (0, 3.0e9, False),
        "China": (1, 1.6e9, False),
        "Estados Unidos": (1, 0.7e9, False),
        "Canadá": (1, 0.3e9, False),
        "Resto": (1, 0.4e9, False),
    }
    assert all(prelim for _, _, prelim in _by_path(result, date(2024, 12, 1)).values())  # "Diciembre (p)"
    # 2025: twelve month headers, three with data: three months of rows, all preliminary (partial year).
    assert result.months[-1] == date(2025, 3, 1) and len(result.months) == 15
    assert result.rows.num_rows == 5 * 15
    rows_2025 = result.rows.filter(pc.greater_equal(result.rows["period"], date(2025, 1, 1)))
    assert pc.all(rows_2025["preliminary"]).as_py()
    assert not result.failed_checks
    assert len([c for c in result.checks if c.kind == "annual"]) == 5 * 2
    assert {s.scale for s in result.sheets} == {1.0}


def test_header_scale_is_applied_when_cells_really_are_thousands(tmp_path: Path) -> None:
    path = tmp_path / "cdro_G6.xlsx"
    _write_ranking(path, factor=1e-3)  # the same figures, now truly in thousands of US$
    result = read_cuadro(path)
    assert {s.scale for s in result.sheets} == {1000.0}
    assert _by_path(result, date(2024, 1, 1))["China"][1] == pytest.approx(1.6e9)
    assert "multiplied by 1000" in result.unit_note
    forced = read_cuadro(path, scale=1.0)
    assert _by_path(forced, date(2024, 1, 1))["China"][1] == pytest.approx(1.6e6)


def test_a_wrong_subtotal_is_reported_with_its_size(tmp_path: Path) -> None:
    path = tmp_path / "cdro_G6.xlsx"
    _write_ranking(path)
    wb = openpyxl.load_workbook(path)
    wb["2024"]["E9"] = wb["2024"]["E9"].value + 250_000  # February total off by US$ 250 000
    wb.save(path)
    result = read_cuadro(path, sheets=["2024"])
    failed = [(c.path, c.period, c.kind, c.difference) for c in result.failed_checks]
    assert failed == [
        ("Total", date(2024, 2, 1), "children", pytest.approx(250_000)),
        ("Total", date(2024, 1, 1), "annual", pytest.approx(-250_000)),
    ]


def test_heading_rows_shape_paths_but_yield_no_rows(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2024"
    ws["B2"] = "Cuadro F 99"  # the table is told by its title, never by the file name
    ws["B4"] = "(US$ FOB)"  # an import table valued FOB: the header wins
    ws.append([])
    ws["B6"], ws["F6"], ws["G6"] = "CUODE", "Enero", "Febrero"
    ws["C7"], ws["F7"], ws["G7"] = "Total", 15.0, 7.0
    ws["C8"] = "BIENES DE CONSUMO"  # a heading: no values of its own
    ws["D9"], ws["F9"], ws["G9"] = "Alimentos", 10.0, 0.0
    ws["D10"], ws["F10"], ws["G10"] = "Bebidas", 5.0, 7.0
    path = tmp_path / "cdro_F99.xlsx"
    wb.save(path)
    result = read_cuadro(path)
    assert result.rows.column("path").to_pylist()[2:4] == ["BIENES DE CONSUMO > Alimentos"] * 2
    assert set(result.rows.column("level").to_pylist()) == {0, 2}
    assert pc.sum(result.rows["value_usd"]).as_py() == 44.0
    assert (result.flow, result.value_basis) == ("M", "FOB")
    assert isinstance(result.rows, pa.Table) and not result.failed_checks


@pytest.mark.parametrize(
    ("note", "preliminary"),
    [
        ("Nota: las cifras de 2024 son preliminares.", True),
        ("Nota: cifras preliminares.", True),
        ("Nota: las cifras de 2023 eran preliminares hasta su regularización.", False),
        ("Nota: se consideran las exportaciones regularizadas.", False),
    ],
)
def test_preliminary_notes_apply_to_their_own_year(tmp_path: Path, note: str, preliminary: bool) -> None:
    path = tmp_path / "cdro_G6.xlsx"
    _write_ranking(path)
    wb = openpyxl.load_workbook(path)
    wb["2024"]["B17"] = note
    wb.save(path)
    result = read_cuadro(path, sheets=["2024"])
    # December is marked "(p)" in the header either way; January follows the note.
    assert {r[2] for r in _by_path(result, date(2024, 1, 1)).values()} == {preliminary}
    assert {r[2] for r in _by_path(result, date(2024, 12, 1)).values()} == {True}
