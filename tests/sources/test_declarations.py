"""SUNAT declaration-consultation CSV: the real Callao tyre sample and small bad files in its layout."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from comercio.errors import ParseError
from comercio.sources.declarations import read_declarations
from comercio.warehouse.schema import CUSTOMS_LINES

SAMPLE = "sunat/declarations/imports_4011101000_callao_2026-05.csv"
HEADER = (
    "clave,dua,aduana,anio,correlativo,fecha,ruc,agente,partida,canal,n_series,fob,cif,peso_neto,peso_bruto"
)
GOOD = (
    "118-2026-1-4011101000,118-2026-1,118,2026,1,2026-05-12,20100000001,1234,4011101000,VERDE,3,"
    "100.5,120.25,10,11"
)


@pytest.fixture(scope="module")
def sample(shared_file: Callable[[str], Path]) -> pa.Table:
    return read_declarations(shared_file(SAMPLE))


def cents(values: list[float]) -> Decimal:
    return sum((Decimal(repr(v)) for v in values), Decimal(0)).quantize(Decimal("0.01"))


def test_real_sample_rows_and_sums(sample: pa.Table) -> None:
    assert sample.num_rows == 111
    assert cents(sample["fob_usd"].to_pylist()) == Decimal("8533433.77")
    assert cents(sample["cif_usd"].to_pylist()) == Decimal("9189810.77")
    assert sample["value_usd"].equals(sample["cif_usd"])


def test_real_sample_canonical_columns(sample: pa.Table) -> None:
    assert sample.schema == CUSTOMS_LINES.schema
    assert CUSTOMS_LINES.conform(sample).num_rows == 111
    assert set(sample["flow"].to_pylist()) == {"M"}
    assert set(sample["customs_office"].to_pylist()) == {"118"}
    assert set(sample["department"].to_pylist()) == {"99"}
    assert set(sample["region_basis"].to_pylist()) == {"unattributed"}
    assert set(sample["product"].to_pylist()) == {"4011101000"}
    assert set(sample["hs6"].to_pylist()) == {"401110"}
    assert set(sample["hs_version"].to_pylist()) == {"2022"}
    assert set(sample["value_basis"].to_pylist()) == {"CIF"}
    assert set(sample["period"].to_pylist()) == {date(2026, 5, 1)}
    for column in ("series", "partner", "freight_usd", "insurance_usd", "quantity", "unit", "transport_mode"):
        assert sample[column].null_count == 111, column
    assert sample["synthetic"].to_pylist() == [False] * 111
    assert all(len(r) == 11 and r.isdigit() for r in sample["trader_id"].to_pylist())
    assert len(set(sample["declaration"].to_pylist())) == 111


def write(tmp_path: Path, *lines: str, header: str = HEADER) -> Path:
    path = tmp_path / "dua.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def test_small_good_file(tmp_path: Path) -> None:
    table = read_declarations(write(tmp_path, GOOD, GOOD.replace("-1,", "-2,").replace(",1,2026", ",2,2026")))
    assert table.num_rows == 2
    assert table["fob_usd"].to_pylist() == [100.5, 100.5]
    assert table["declaration"].to_pylist() == ["118-2026-1", "118-2026-2"]
    assert table["date"].to_pylist()[0] == date(2026, 5, 12)


def test_aduana_zero_padded(tmp_path: Path) -> None:
    table = read_declarations(write(tmp_path, GOOD.replace(",118,2026,", ",19,2026,")))
    assert table["customs_office"].to_pylist() == ["019"]


BAD_CELLS = [
    (GOOD.replace(",100.5,", ",cien,"), "fob", "'cien' is not a number"),
    (GOOD.replace(",2026-05-12,", ",12-05-2026x,"), "fecha", "is not a date"),
    (GOOD.replace(",4011101000,VERDE", ",40111,VERDE"), "partida", "does not have 10 digits"),
    (GOOD.replace(",120.25,", ",,"), "cif", "value is empty"),
    (GOOD.replace(",20100000001,", ",2010,"), "ruc", "11-digit RUC"),
    (GOOD.replace(",120.25,", ",50,"), "cif", "below FOB"),
    (GOOD.replace(",2026-05-12,", ",1999-05-12,"), "fecha", "no tariff version"),
]
NEVER_DATA = [  # issue 16: values that are never data
    (
        GOOD.replace(",2026-05-12,", ",2099-05-12,"),
        "fecha",
        "date 2099-05-12 is outside the plausible span",
    ),
    (GOOD.replace(",2026-05-12,", ",0001-01-01,"), "fecha", "outside the plausible span 1990-01-01"),
    (GOOD.replace(",100.5,", ",-100.5,"), "fob", "'-100.5' is not a non-negative number"),
    (GOOD.replace(",120.25,", ",nan,"), "cif", "'nan' is not a non-negative number"),
    (GOOD.replace(",10,11", ",-10,11"), "peso_neto", "'-10' is not a non-negative number"),
    (GOOD.replace(",120.25,", ",1e308,"), "cif", "'1e308' is implausible"),
    (GOOD.replace(",100.5,", ",1e300,"), "fob", "'1e300' is implausible"),
]


@pytest.mark.parametrize(("line", "column", "reason"), BAD_CELLS + NEVER_DATA)
def test_bad_cell_names_file_row_column(tmp_path: Path, line: str, column: str, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        read_declarations(write(tmp_path, GOOD.replace("-1,", "-9,").replace(",1,2026", ",9,2026"), line))
    error = caught.value
    assert (error.file, error.row, error.column) == ("dua.csv", 3, column)
    assert reason in error.reason
    assert "dua.csv" in str(error) and "row 3" in str(error) and repr(column) in str(error)


def test_missing_column(tmp_path: Path) -> None:
    header = HEADER.replace(",cif", "")
    with pytest.raises(ParseError) as caught:
        read_declarations(write(tmp_path, GOOD, header=header))
    assert (caught.value.row, caught.value.column) == (1, "cif")
    assert "missing column" in caught.value.reason


def test_short_row_and_repeated_key(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="expected 15 cells, found 14") as caught:
        read_declarations(write(tmp_path, GOOD.rsplit(",", 1)[0]))
    assert caught.value.row == 2
    with pytest.raises(ParseError, match="repeats row 2") as caught:
        read_declarations(write(tmp_path, GOOD, GOOD))
    assert (caught.value.row, caught.value.column) == (3, "dua")


# --- what is never data (issue 16; its bad cells are NEVER_DATA above) ----------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (bytes(range(256)) * 8, "NUL bytes"),
        (f"{HEADER}\n{GOOD}\n".encode("utf-16"), "UTF-16"),
        (f"{HEADER},fob\n{GOOD},1\n".encode(), "column 'fob' appears twice"),
        (f"{HEADER}\n".encode(), "no data lines"),
        (b"", "missing column"),
    ],
)
def test_not_a_declarations_csv(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "dua.csv"
    path.write_bytes(content)
    with pytest.raises(ParseError, match=reason) as caught:
        read_declarations(path)
    assert caught.value.file == "dua.csv"


def test_directory_and_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="is a directory"):
        read_declarations(tmp_path)
    with pytest.raises(ParseError, match="no such file"):
        read_declarations(tmp_path / "absent.csv")


def test_date_outside_the_month_the_name_gives(tmp_path: Path) -> None:
    path = tmp_path / "imports_callao_2026-05.csv"
    path.write_text(
        f"{HEADER}\n{GOOD}\n{GOOD.replace('-1,', '-2,').replace(',2026-05-12,', ',2026-07-01,')}\n"
    )
    with pytest.raises(ParseError, match="outside the file's month 2026-05") as caught:
        read_declarations(path)
    assert (caught.value.row, caught.value.column) == (3, "fecha")
    assert read_declarations(write(tmp_path, GOOD.replace(",2026-05-12,", ",2026-07-01,"))).num_rows == 1
