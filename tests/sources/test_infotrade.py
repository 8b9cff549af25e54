"""PROMPERÚ Infotrade rows: small workbooks in the published layout, written here with openpyxl."""

from __future__ import annotations

import csv
import math
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from comercio.errors import ParseError
from comercio.sources import country_code, resolve_department
from comercio.sources.infotrade import COLUMNS, read_infotrade
from comercio.warehouse.schema import INFOTRADE

SHEET = "Exportaciones"


def line(**overrides: Any) -> dict[str, Any]:
    """One shipment line with plausible values; override any column."""
    base: dict[str, Any] = {
        "FechaEmbarque": "15/03/2024",
        "Ruc": 20100000001,
        "RazonSocial": "AGRÍCOLA EJEMPLO S.A.C.",
        "Departamento": "Ica",
        "CodigoPartida": "0806100000",
        "Partida": "UVAS FRESCAS",
        "DescripcionComercial": "UVA RED GLOBE",
        "PaisDestino": "ESTADOS UNIDOS",
        "Monto": 1000.0,
        "PesoNeto": 500.0,
        "PesoBruto": 550.0,
        "Cantidad": 500.0,
        "TipoSector": "No Tradicional",
        "Sector": "AGROPECUARIO",
    }
    base.update(overrides)
    return base


LINES = [
    line(),
    line(
        FechaEmbarque="02/04/2024",
        Ruc="20500000002",
        Departamento="Lima Metropolitana",
        CodigoPartida=8471300000,
        PaisDestino="PAÍSES BAJOS",
        Monto=2500.55,
        TipoSector="No Tradicional",
        Sector="METAL-MECÁNICO",
    ),
    line(Departamento="Callao", PaisDestino="CHINA", Monto=1234.45, Cantidad=None, CodigoPartida=806100000),
    line(
        Departamento="ÁNCASH",
        PaisDestino="Corea del Sur",
        Monto=10.0,
        TipoSector="Tradicional",
        Sector="MINEROS",
    ),
]


def write_xlsx(
    path: Path, lines: list[dict[str, Any]], *, total: float | str | None = "sum", title: bool = False
) -> Path:
    """Workbook in Infotrade's layout: optional title row, header, lines, closing TOTAL row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    if title:
        sheet.append(["Exportaciones por región - PROMPERÚ Infotrade"])
    sheet.append(list(COLUMNS))
    for item in lines:
        sheet.append([item[c] for c in COLUMNS])
    if total is not None:
        amount = math.fsum(i["Monto"] for i in lines) if total == "sum" else total
        sheet.append([None, None, "TOTAL", None, None, None, None, None, amount])
    workbook.save(path)
    return path


def test_rows_in_canonical_layout(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "infotrade_2024.xlsx", LINES)
    result = read_infotrade(path)
    rows = result.rows
    assert rows.schema == INFOTRADE.schema
    assert rows.num_rows == len(LINES)  # TOTAL row dropped
    assert rows["department"].to_pylist() == ["11", "15", "07", "02"]
    assert rows["partner"].to_pylist() == ["US", "NL", "CN", "KR"]
    assert rows["product"].to_pylist() == ["0806100000", "8471300000", "0806100000", "0806100000"]
    assert rows["hs6"].to_pylist() == ["080610", "847130", "080610", "080610"]
    assert rows["date"].to_pylist()[1] == date(2024, 4, 2)
    assert rows["period"].to_pylist()[1] == date(2024, 4, 1)
    assert rows["trader_id"].to_pylist()[:2] == ["20100000001", "20500000002"]
    assert rows["sector"].to_pylist()[1:4] == [
        "No Tradicional > METAL-MECÁNICO",
        "No Tradicional > AGROPECUARIO",
        "Tradicional > MINEROS",
    ]
    assert rows["quantity"].to_pylist()[2] is None
    assert set(rows["region_basis"].to_pylist()) == {"infotrade"}
    assert set(rows["flow"].to_pylist()) == {"X"}
    assert set(rows["source"].to_pylist()) == {"infotrade_2024.xlsx"}
    assert result.total_check.ok
    assert result.total_check.row == len(LINES) + 2
    assert result.total_check.computed_usd == pytest.approx(4745.0)


def test_title_rows_above_header_and_no_total(tmp_path: Path) -> None:
    result = read_infotrade(write_xlsx(tmp_path / "t.xlsx", LINES[:2], total=None, title=True))
    assert result.rows.num_rows == 2
    assert result.total_check.declared_usd is None


def test_csv_gives_same_rows_as_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "infotrade.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(COLUMNS)
        for item in LINES:
            writer.writerow(["" if item[c] is None else item[c] for c in COLUMNS])
    from_csv = read_infotrade(path).rows.drop_columns(["source"])
    from_xlsx = read_infotrade(write_xlsx(tmp_path / "i.xlsx", LINES)).rows.drop_columns(["source"])
    assert from_csv.equals(from_xlsx)


@pytest.mark.parametrize(
    ("bad", "column", "reason"),
    [
        (line(Monto="mil"), "Monto", "'mil' is not a number"),
        (line(FechaEmbarque="31/02/2024"), "FechaEmbarque", "not a date"),
        (line(Departamento="Lima Sur"), "Departamento", "unknown department 'Lima Sur'"),
        (line(PaisDestino="ATLANTIDA"), "PaisDestino", "unknown country"),
        (line(CodigoPartida="08061"), "CodigoPartida", "does not have 10 digits"),
    ],
)
def test_bad_cells_name_file_sheet_row_column(
    tmp_path: Path, bad: dict[str, Any], column: str, reason: str
) -> None:
    lines = [LINES[0], bad, LINES[1]]
    path = write_xlsx(tmp_path / "bad.xlsx", lines, total=None if column == "Monto" else "sum")
    with pytest.raises(ParseError) as caught:
        read_infotrade(path)
    error = caught.value
    assert (error.file, error.sheet, error.row, error.column) == ("bad.xlsx", SHEET, 3, column)
    assert reason in error.reason
    assert "bad.xlsx" in str(error) and "row 3" in str(error)


def test_total_mismatch_names_both_numbers(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "tot.xlsx", LINES, total=5000.0)
    with pytest.raises(ParseError) as caught:
        read_infotrade(path)
    error = caught.value
    assert (error.row, error.column) == (len(LINES) + 2, "Monto")
    assert "5,000.00" in error.reason and "4,745.00" in error.reason


def test_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(",".join(c for c in COLUMNS if c != "PaisDestino") + "\n", encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        read_infotrade(path)
    assert (caught.value.row, caught.value.column) == (1, "PaisDestino")


@pytest.mark.parametrize(
    ("label", "ubigeo"),
    [
        ("Madre De Dios", "17"),
        ("No Registrado", "99"),
        ("Lima Metropolitana", "15"),
        ("  callao ", "07"),
        ("HUÁNUCO", "10"),
        ("San Martin", "22"),
        ("Narnia", None),
        ("", None),
    ],
)
def test_resolve_department(label: str, ubigeo: str | None) -> None:
    assert resolve_department(label) == ubigeo


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("ESTADOS UNIDOS", "US"),
        ("PAISES BAJOS", "NL"),
        ("España", "ES"),
        ("HOLANDA", "NL"),
        ("ATLANTIDA", None),
    ],
)
def test_country_code(name: str, code: str | None) -> None:
    assert country_code(name) == code


# --- what is never data (issue 16) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "column", "reason"),
    [
        (line(FechaEmbarque="01/01/0001"), "FechaEmbarque", "date 0001-01-01 is outside the plausible span"),
        (line(FechaEmbarque="31/12/2999"), "FechaEmbarque", "date 2999-12-31 is outside the plausible span"),
        (line(FechaEmbarque="31/12/1989"), "FechaEmbarque", "outside the plausible span 1990-01-01"),
        (line(Monto=-5.0), "Monto", "-5.0 is negative"),
        (line(Monto="-5"), "Monto", "'-5' is negative"),
        (line(PesoNeto=-1.0), "PesoNeto", "is negative"),
        (line(Cantidad=-2.0), "Cantidad", "is negative"),
        (line(Monto=1e300), "Monto", "1e+300 is implausible"),
        (line(Monto="1e308"), "Monto", "'1e308' is implausible"),
        (line(PesoNeto=1e308), "PesoNeto", "is implausible"),
        (dict(LINES[0]), "FechaEmbarque", "the line repeats row 2 cell for cell"),
    ],
)
def test_never_data(tmp_path: Path, bad: dict[str, Any], column: str, reason: str) -> None:
    path = write_xlsx(tmp_path / "bad.xlsx", [LINES[0], bad, LINES[1]], total=None)
    with pytest.raises(ParseError) as caught:
        read_infotrade(path)
    error = caught.value
    assert (error.file, error.sheet, error.row, error.column) == ("bad.xlsx", SHEET, 3, column)
    assert reason in error.reason


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (bytes(range(256)) * 8, "NUL bytes"),
        (";".join(COLUMNS).encode("utf-16"), "UTF-16"),
        ((";".join(COLUMNS) + ";Monto\n").encode(), "column 'Monto' appears twice"),
        ((";".join(COLUMNS) + "\n").encode(), "no data lines"),
    ],
)
def test_bad_csv(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ParseError, match=reason) as caught:
        read_infotrade(path)
    assert caught.value.file == "bad.csv"


def test_directory_and_missing_path(tmp_path: Path) -> None:
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(ParseError, match="is a directory"):
        read_infotrade(tmp_path / "dir.xlsx")
    with pytest.raises(ParseError, match="no such file"):
        read_infotrade(tmp_path / "absent.csv")
