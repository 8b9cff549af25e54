"""Bad-input corpus for the SUNAT cuadros reader, built in tmp_path from the real cdro_G1.xlsx.

Each broken file differs from a good one (the real G1 cut down to its 2023-2025 sheets) by one fault; each
must raise ParseError whose message names the file and, where there is one, the sheet, the row and the column.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook

from comercio.config import Settings
from comercio.errors import ParseError, ValidationError
from comercio.sources.protocol import ReadOptions
from comercio.sources.sunat_cuadros import READER, read_cuadro

Edit = Callable[[Workbook], None]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, shared_file: Callable[[str], Path]) -> Path:
    """The real G1 with only its 2023, 2024 and 2025 sheets (smaller, so each broken copy saves fast)."""
    wb = openpyxl.load_workbook(shared_file("sunat/cuadros/cdro_G1.xlsx"))
    for name in list(wb.sheetnames):
        if name not in {"2023", "2024", "2025"}:
            del wb[name]
    path = tmp_path_factory.mktemp("g1") / "cdro_G1.xlsx"
    wb.save(path)
    return path


def _broken(base: Path, tmp_path: Path, edit: Edit) -> Path:
    wb = openpyxl.load_workbook(base)
    edit(wb)
    path = tmp_path / "cdro_G1.xlsx"
    wb.save(path)
    return path


def _raises(path: Path, **kwargs: Any) -> ParseError:
    with pytest.raises(ParseError) as info:
        read_cuadro(path, **kwargs)
    err = info.value
    assert err.file == str(path) and str(path) in str(err)
    return err


def test_the_base_corpus_file_is_good(base: Path) -> None:
    result = read_cuadro(base)
    assert len(result.months) == 12 + 12 + 4


def test_truncated_file(base: Path, tmp_path: Path) -> None:
    path = tmp_path / "cdro_G1.xlsx"
    data = base.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert "truncated or corrupt" in _raises(path).reason


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "cdro_G1.xlsx"
    path.write_bytes(b"")
    assert "empty file" in _raises(path).reason


@pytest.mark.parametrize("name", ["cdro_G1.xlsx", "cdro_G1.csv"])
def test_latin1_csv_instead_of_xlsx(base: Path, tmp_path: Path, name: str) -> None:
    wb = openpyxl.load_workbook(base, read_only=True)
    lines = [
        ";".join("" if v is None else str(v) for v in row) for row in wb["2024"].iter_rows(values_only=True)
    ]
    wb.close()
    path = tmp_path / name
    path.write_bytes("\n".join(lines).encode("latin-1"))
    assert "not an Excel workbook" in _raises(path).reason


def test_missing_month_column(base: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb["2024"]["H6"] = None  # "Marzo" between Febrero and Abril

    err = _raises(_broken(base, tmp_path, edit))
    assert (err.sheet, err.row, err.column) == ("2024", 6, "H")
    assert "'Marzo'" in err.reason and "sheet '2024', row 6, column 'H'" in str(err)


def test_text_in_a_number_cell(base: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb["2024"]["F12"] = "1.440.776.933"  # Cobre, January

    err = _raises(_broken(base, tmp_path, edit))
    assert (err.sheet, err.row, err.column) == ("2024", 12, "F")
    assert "text '1.440.776.933'" in err.reason


def test_empty_cell_in_a_month_with_data(base: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb["2023"]["G20"] = None  # Pesquero tradicional, February

    err = _raises(_broken(base, tmp_path, edit))
    assert (err.sheet, err.row, err.column) == ("2023", 20, "G")
    assert "zeros explicitly" in err.reason


def test_renamed_header(base: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        for i, col in enumerate("FGHIJKLMNOPQ", start=1):
            wb["2025"][f"{col}6"] = f"Mes {i}" if wb["2025"][f"{col}6"].value else None

    err = _raises(_broken(base, tmp_path, edit))
    assert err.sheet == "2025" and "no month header" in err.reason


def test_sheet_without_a_table(base: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        ws = wb.create_sheet("Notas")
        ws["B2"] = "Fuente: Superintendencia Nacional de Aduanas y de Administración Tributaria - SUNAT"

    err = _raises(_broken(base, tmp_path, edit))
    assert err.sheet == "Notas" and "no month header" in err.reason


def test_month_table_that_is_not_a_year_table(base: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        ws = wb.copy_worksheet(wb["2024"])
        ws.title = "Resumen"
        ws["B3"] = "EXPORTACIÓN DEFINITIVA SEGÚN SECTOR ECONÓMICO"

    err = _raises(_broken(base, tmp_path, edit))
    assert err.sheet == "Resumen" and "not a year table" in err.reason


def test_sheet_name_and_title_disagree_on_the_year(base: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb["2024"].title = "2022"

    err = _raises(_broken(base, tmp_path, edit))
    assert err.sheet == "2022" and "2024" in err.reason


def test_unknown_sheet_requested(base: Path) -> None:
    assert "no sheet named '1999'" in _raises(base, sheets=["1999"]).reason


# --- issue 16: the table's identity from its title, impossible values and years ----------------------------


def test_a_g1_workbook_saved_as_cdro_f1_is_refused_naming_both(base: Path, tmp_path: Path) -> None:
    path = tmp_path / "cdro_F1.xlsx"
    path.write_bytes(base.read_bytes())
    err = _raises(path)
    assert "file name says F1" in err.reason and "'Cuadro G 1'" in err.reason


def test_the_table_asked_must_agree_with_the_title(base: Path) -> None:
    assert "table F1 was asked but the title says 'Cuadro G 1'" in _raises(base, table="F1").reason


def test_sheets_titled_as_different_tables(base: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb["2025"]["B2"] = "Cuadro F 1"

    err = _raises(_broken(base, tmp_path, edit))
    assert "different tables" in err.reason and "sheet '2025' says 'Cuadro F 1'" in err.reason


def _untitle(wb: Workbook) -> None:
    for ws in wb.worksheets:
        ws["B2"] = None


def test_a_workbook_without_title_is_read_only_when_the_table_is_named(base: Path, tmp_path: Path) -> None:
    path = _broken(base, tmp_path, _untitle)
    err = _raises(path)
    assert "no 'Cuadro <letter> <number>' title" in err.reason and "not trusted" in err.reason
    assert read_cuadro(path, table="G1").table == "G1"


def test_one_sheet_without_the_title_of_the_others(base: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb["2024"]["B2"] = None

    err = _raises(_broken(base, tmp_path, edit))
    assert err.sheet == "2024" and "no 'Cuadro G 1' title" in err.reason


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (-5.0, "negative value -5.0"),
        (1e300, "not plausible for one cell"),
        (1e308, "not plausible for one cell"),
        (1e12, "not plausible for one cell"),
        ("n.d.", "text 'n.d.'"),
        (float("nan"), "zeros explicitly"),  # openpyxl writes NaN and inf as an empty value
        (float("inf"), "zeros explicitly"),
    ],
)
def test_impossible_values_in_a_leaf(base: Path, tmp_path: Path, value: object, reason: str) -> None:
    def edit(wb: Workbook) -> None:
        wb["2024"]["F12"] = value  # Cobre, January

    err = _raises(_broken(base, tmp_path, edit))
    assert (err.sheet, err.row, err.column) == ("2024", 12, "F")
    assert reason in err.reason


def test_a_negative_annual_total_cell(base: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        ws = wb["2023"]
        col = next(c.column_letter for c in ws[6] if c.value == "Total")
        ws[f"{col}12"] = -1.0

    err = _raises(_broken(base, tmp_path, edit))
    assert err.sheet == "2023" and err.row == 12 and "negative" in err.reason


@pytest.mark.parametrize("year", ["2099", "1800", "2004"])
def test_a_sheet_of_an_impossible_year(base: Path, tmp_path: Path, year: str) -> None:
    def edit(wb: Workbook) -> None:
        ws = wb["2023"]
        ws.title = year
        ws["B3"] = f"EXPORTACIÓN DEFINITIVA SEGÚN SECTOR ECONÓMICO, {year}"

    err = _raises(_broken(base, tmp_path, edit))
    assert err.sheet == year and f"year {year} is outside SUNAT's cuadros (2005.." in err.reason


def test_a_sheet_named_2099_under_a_2023_title(base: Path, tmp_path: Path) -> None:
    err = _raises(_broken(base, tmp_path, lambda wb: setattr(wb["2023"], "title", "2099")))
    assert err.sheet == "2099" and "2099" in err.reason


def test_the_same_year_twice(base: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb.copy_worksheet(wb["2024"]).title = "2024 (2)"

    err = _raises(_broken(base, tmp_path, edit))
    assert err.sheet == "2024 (2)" and "two sheets carry the year 2024" in err.reason


def test_a_missing_grand_total_row(base: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        ws = wb["2024"]
        row = next(c.row for c in ws["C"] if isinstance(c.value, str) and c.value.startswith("Total"))
        ws.delete_rows(row)

    err = _raises(_broken(base, tmp_path, edit))
    assert err.sheet == "2024" and "no grand-total row" in err.reason


def test_a_month_that_has_not_happened_yet(base: Path, tmp_path: Path) -> None:
    today = date.today()
    if today.month == 12:
        pytest.skip("every month of this year has happened")

    def edit(wb: Workbook) -> None:
        ws = wb["2024"]
        ws.title = str(today.year)
        ws["B3"] = f"EXPORTACIÓN DEFINITIVA SEGÚN SECTOR ECONÓMICO, {today.year}"
        del wb["2025"]

    err = _raises(_broken(base, tmp_path, edit))
    assert err.sheet == str(today.year) and "has not happened yet" in err.reason


def _ingest_refusal(path: Path) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        READER.read(path, ReadOptions(Settings()))
    assert info.value.file == str(path)
    return info.value


def test_a_deleted_leaf_row_is_refused_at_ingest(base: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb["2024"].delete_rows(12)  # Cobre: its parent no longer adds up

    path = _broken(base, tmp_path, edit)
    assert read_cuadro(path).failed_checks  # reading reports it ...
    err = _ingest_refusal(path)  # ... and the ingest refuses the file
    assert err.sheet == "2024" and err.row is not None and err.row < 12 and err.column == "F"
    assert "a row lost or changed?" in err.reason and "Enero 2024" in err.reason


def test_an_annual_total_that_does_not_add_up_is_refused_at_ingest(base: Path, tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        ws = wb["2023"]
        col = next(c.column_letter for c in ws[6] if c.value == "Total")
        ws[f"{col}12"] = ws[f"{col}12"].value + 1_000_000.0

    err = _ingest_refusal(_broken(base, tmp_path, edit))
    assert (err.sheet, err.row) == ("2023", 12) and "the annual Total of" in err.reason


def test_the_publishers_own_differences_still_load(shared_file: Callable[[str], Path]) -> None:
    result = READER.read(shared_file("sunat/cuadros/cdro_G1.xlsx"), ReadOptions(Settings()))
    assert result.refusal() is None and result.parts[0].target == ("sunat_cuadros", "G1")
    differences = result.extra["publisher_differences"]
    assert len(differences) == 26 and {d["path"] for d in differences} == {"Total"}  # 2015-2017
