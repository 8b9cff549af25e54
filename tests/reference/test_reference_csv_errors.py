"""Malformed reference CSV files fail with file, row and column named."""

from __future__ import annotations

from pathlib import Path

import pytest

from comercio.errors import ReferenceDataError
from comercio.reference._csv import ParsedFile, read_reference_csv
from comercio.reference._loader import _check_unique
from comercio.reference._schemas import TABLES

HEADER = "# title: t\n# source: s\nversion,legal_basis,in_force_from,subpartidas\n"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tariff_versions.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _read(path: Path) -> ParsedFile:
    return read_reference_csv(path, TABLES["tariff_versions"])


def test_valid_file_is_typed(tmp_path: Path) -> None:
    parsed = _read(_write(tmp_path, HEADER + "2022,D.S. x,2022-01-01,8021\n"))
    assert parsed.meta == {"title": "t", "source": "s"}
    assert parsed.table.column("subpartidas").to_pylist() == [8021]
    assert str(parsed.table.schema.field("in_force_from").type) == "date32[day]"
    assert parsed.lines == [4]


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("2022,D.S. x,2022-13-01,8021", "in_force_from", "ISO date"),
        ("22,D.S. x,2022-01-01,8021", "version", "does not match"),
        ("2022,,2022-01-01,8021", "legal_basis", "empty value"),
        ("2022,D.S. x,2022-01-01,many", "subpartidas", "does not match"),
    ],
)
def test_bad_cell_names_file_row_and_column(tmp_path: Path, row: str, column: str, reason: str) -> None:
    path = _write(tmp_path, HEADER + "2017,D.S. y,2017-01-01,7805\n" + row + "\n")
    with pytest.raises(ReferenceDataError, match=reason) as info:
        _read(path)
    assert info.value.file == str(path) and info.value.row == 5 and info.value.column == column


def test_bad_bool_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "departments.csv"
    line = "01,Amazonas,Amazonas,amazonas,AMAZONAS,Amazonas,yes,false,selva,interior"
    header = ",".join(TABLES["departments"].header)
    path.write_text(f"# title: t\n# source: s\n{header}\n{line}\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="true or false") as info:
        read_reference_csv(path, TABLES["departments"])
    assert (info.value.row, info.value.column) == (4, "interior")


def test_structure_errors(tmp_path: Path) -> None:
    with pytest.raises(ReferenceDataError, match="expected") as info:
        _read(_write(tmp_path, "# title: t\n# source: s\nversion,basis,in_force_from,subpartidas\n"))
    assert (info.value.row, info.value.column) == (3, "legal_basis")
    with pytest.raises(ReferenceDataError, match="source"):
        _read(_write(tmp_path, "# title: t\nversion,legal_basis,in_force_from,subpartidas\n"))
    with pytest.raises(ReferenceDataError, match="3 fields") as info:
        _read(_write(tmp_path, HEADER + "2022,D.S. x,2022-01-01\n"))
    assert info.value.row == 4
    with pytest.raises(ReferenceDataError, match="no data file"):
        _read(tmp_path / "missing.csv")


def test_duplicate_key_names_both_rows(tmp_path: Path) -> None:
    parsed = _read(_write(tmp_path, HEADER + "2022,a,2022-01-01,1\n2022,b,2022-01-01,2\n"))
    with pytest.raises(ReferenceDataError, match="first on row 4") as info:
        _check_unique(parsed, ("version",))
    assert info.value.row == 5
