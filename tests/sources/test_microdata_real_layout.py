"""SUNAT microdata as SUNAT really publishes it (SUNAT_LAYOUTS.md §1, 1a, 1b): weekly names, 44 export and
58 import fields, code fields stored as numbers, masked natural persons, deleted records; and the bad input
that goes with it (43/45 fields, a date code that does not parse, a numeric country field)."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from comercio.config import Settings
from comercio.errors import ParseError
from comercio.sources import DbfField
from comercio.sources.protocol import ReadOptions, ReadResult
from comercio.sources.sunat_microdata import (
    EXPORT_FIELDS,
    IMPORT_FIELDS,
    READER,
    iter_microdata,
    read_microdata,
)
from comercio.sources.weekly import file_name
from comercio.synth._dbfwrite import DbfWriter, layout, write_dbf_zip
from comercio.warehouse.schema import CUSTOMS_LINES

MONDAY, SUNDAY = dt.date(2025, 10, 6), dt.date(2025, 10, 12)
X_NAME = file_name("X", MONDAY, SUNDAY)  # x06121025.zip
M_NAME = file_name("M", MONDAY, SUNDAY)  # ma06121025.zip
UNNAMED = [f"EXTRA{i}" for i in range(1, 9)]  # real export files have 8 fields §1a does not name
Spec = tuple[str, str, int, int]

_EXPORT_TYPES: dict[str, Spec] = {
    s[0]: s
    for s in [("CADU", "N", 3, 0), ("FANO", "N", 4, 0), ("NDCL", "N", 8, 0), ("NSER", "N", 4, 0),
              ("FNUM", "D", 8, 0), ("FEMB", "D", 8, 0), ("FREG", "D", 8, 0), ("NDOC", "C", 11, 0),
              ("DNOMBRE", "C", 60, 0), ("UBIGEO", "N", 6, 0), ("PART_NANDI", "N", 10, 0),
              ("CPAIDES", "C", 2, 0), ("CVIATRA", "C", 2, 0), ("VFOBSERDOL", "N", 15, 2),
              ("VPESNET", "N", 17, 3), ("QUNIFIS", "N", 17, 3), ("TUNIFIS", "C", 3, 0)]
}  # fmt: skip
_IMPORT_TYPES: dict[str, Spec] = {
    s[0]: s
    for s in [("CODI_ADUAN", "N", 3, 0), ("ANO_PRESE", "N", 4, 0), ("NUME_CORRE", "N", 8, 0),
              ("FECH_INGSI", "D", 8, 0), ("LIBR_TRIBU", "C", 11, 0), ("DNOMBRE", "C", 60, 0),
              ("VIA_TRANSP", "C", 1, 0), ("PAIS_ORIGE", "C", 2, 0), ("PAIS_ADQUI", "C", 2, 0),
              ("NUME_SERIE", "N", 4, 0), ("PART_NANDI", "N", 10, 0), ("FOB_DOLPOL", "N", 14, 2),
              ("FLE_DOLAR", "N", 14, 2), ("SEG_DOLAR", "N", 14, 2), ("PESO_NETO", "N", 17, 3),
              ("UNID_FIQTY", "N", 17, 3), ("UNID_FIDES", "C", 3, 0)]
}  # fmt: skip


def fields(
    names: Sequence[str], types: dict[str, Spec], *, drop: Sequence[str] = (), change: Sequence[Spec] = ()
) -> tuple[DbfField, ...]:
    """A layout of ``names`` (fields comercio does not read: C(8)), less ``drop``, with ``change`` applied."""
    changed = {s[0]: s for s in change}
    specs = [changed.get(n) or types.get(n) or (n, "C", 8, 0) for n in names if n not in drop]
    return layout(specs)


EXPORT_44 = fields([*EXPORT_FIELDS, *UNNAMED], _EXPORT_TYPES)
IMPORT_58 = fields(IMPORT_FIELDS, _IMPORT_TYPES)


def day(d: dt.date) -> int:
    return (d - dt.date(1970, 1, 1)).days


def export_rows() -> dict[str, Any]:
    """Six records of the week 6-12 October 2025 (record 4 like record 1, a later declaration)."""
    nan = np.nan
    return {
        "CADU": [118, 46, 235, 118, 145, 118],
        "FANO": [2025] * 6,
        "NDCL": [123, 7, 88, 125, 9001, 124],
        "NSER": [1, 2, 1, 1, 1, 1],
        "FNUM": [day(MONDAY), day(MONDAY) - 200, day(SUNDAY), day(MONDAY), day(MONDAY) - 30, day(MONDAY)],
        "NDOC": ["20100000001", "10412345678", "10400000002", "20100000001", "10400000003", "20100000004"],
        "DNOMBRE": ["AGRICOLA ANDINA S.A.C.", "No Disponible", "NO DISPONIBLE.", "AGRICOLA ANDINA S.A.C.",
                    "  no disponíble...", "DISPONIBLE NORTE S.A."],
        "UBIGEO": [150101, 10101, nan, 150101, 0, 40101],
        "PART_NANDI": [806100000, 806100000, 2603000000, 806100000, 7108120000, 2603000000],
        "CPAIDES": ["US", "NL", "CN", "US", "CH", "JP"],
        "CVIATRA": ["1", "04", "1", "1", "4", "1"],
        "VFOBSERDOL": [1000.5, 250.0, 2_000_000.0, 1000.5, 30_000.0, 5.25],
        "VPESNET": [100.0, 20.0, 5000.0, 100.0, 1.5, 1.0],
        "EXTRA1": ["x"] * 6,
    }  # fmt: skip


def import_rows() -> dict[str, Any]:
    return {
        "CODI_ADUAN": [118, 46, 118],
        "ANO_PRESE": [2025] * 3,
        "NUME_CORRE": [55, 56, 55],
        "NUME_SERIE": [1, 1, 2],
        "FECH_INGSI": [day(MONDAY), day(MONDAY) - 40, day(MONDAY)],
        "LIBR_TRIBU": ["20500000001", "10400000009", "20500000001"],
        "DNOMBRE": ["IMPORTADORA SOL S.A.", "No Disponible", "IMPORTADORA SOL S.A."],
        "VIA_TRANSP": ["1", "4", "1"],
        "PAIS_ORIGE": ["CN", "CL", "DE"],
        "PAIS_ADQUI": ["US", "CL", ""],
        "PART_NANDI": [4011101000, 806100000, 8703239020],
        "FOB_DOLPOL": [1000.10, 250.0, 20_000.0],
        "FLE_DOLAR": [50.2, np.nan, 800.0],
        "SEG_DOLAR": [3.05, 1.0, 20.0],
        "PESO_NETO": [10.0, 20.0, 1500.0],
        "UNID_FIQTY": [4.0, 20.0, 1.0],
        "UNID_FIDES": ["U", "KG", "U"],
    }


def write(path: Path, fields: Sequence[DbfField], cols: dict[str, Any], deleted: Sequence[bool] = ()) -> Path:
    """A zip holding one DBF; with ``deleted``, those records carry the ``*`` flag."""
    n = len(next(iter(cols.values())))
    if not any(deleted):
        return write_dbf_zip(path, path.stem + ".dbf", fields, n, [cols], last_update=(2025, 10, 13))
    out = io.BytesIO()
    writer = DbfWriter(out, fields, n, (2025, 10, 13))
    writer.write(cols, deleted=np.array(deleted))
    writer.close()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(path.stem + ".dbf", out.getvalue())
    return path


def ingest_read(path: Path, *, quarantine: bool = False) -> tuple[pa.Table, ReadResult]:
    result = READER.read(path, ReadOptions(Settings(home=path.parent / "home"), quarantine))
    [part] = result.parts
    return pa.Table.from_batches(list(part.rows), schema=CUSTOMS_LINES.schema), result


def test_weekly_export_file_in_the_real_layout(tmp_path: Path) -> None:
    assert len(EXPORT_44) == 44 and X_NAME == "x06121025.zip"
    cols = export_rows()
    cols["NDCL"][3] = 123  # record 4: a deleted copy of record 1
    deleted = [False, False, False, True, False, False]
    table, result = ingest_read(write(tmp_path / X_NAME, EXPORT_44, cols, deleted))
    CUSTOMS_LINES.conform(table)
    rows = table.to_pylist()
    assert len(rows) == 5  # the deleted copy of record 1 is skipped, not a duplicate
    assert [r["customs_office"] for r in rows] == ["118", "046", "235", "145", "118"]
    assert [r["declaration"] for r in rows][:2] == ["118-2025-000123", "046-2025-000007"]
    assert [r["product"] for r in rows][:3] == ["0806100000", "0806100000", "2603000000"]
    assert [r["department"] for r in rows] == ["15", "01", "99", "99", "04"]  # 10101 is 010101; 0 is none
    assert [r["region_basis"] for r in rows][2:4] == ["unattributed", "unattributed"]
    assert [r["trader_masked"] for r in rows] == [False, True, True, True, False]
    assert rows[1]["trader_id"] == "10412345678" and rows[1]["value_usd"] == 250.0  # kept, in every total
    assert rows[1]["date"] == MONDAY - dt.timedelta(days=200) and rows[1]["transport_mode"] == "4"
    assert {r["file_date"] for r in rows} == {SUNDAY} and {r["acquisition_country"] for r in rows} == {None}
    assert sum(r["value_usd"] for r in rows) == pytest.approx(1000.5 + 250 + 2_000_000 + 30_000 + 5.25)
    assert list(result.notes) == [
        f"{X_NAME}: 8 fields comercio does not know, ignored: {', '.join(UNNAMED)}",
        f"{X_NAME}: deleted records (*) skipped: 1",
    ]


def test_deleted_records_are_counted(tmp_path: Path) -> None:
    stream = iter_microdata(write(tmp_path / X_NAME, EXPORT_44, export_rows(), [True] * 3 + [False] * 3))
    assert sum(b.num_rows for b in stream) == 3 and (stream.records, stream.deleted) == (6, 3)


def test_weekly_import_file_in_the_real_layout(tmp_path: Path) -> None:
    assert len(IMPORT_58) == 58 and M_NAME == "ma06121025.zip"
    table, result = ingest_read(write(tmp_path / M_NAME, IMPORT_58, import_rows()))
    rows = table.to_pylist()
    assert [r["flow"] for r in rows] == ["M"] * 3 and {r["value_basis"] for r in rows} == {"CIF"}
    assert [r["customs_office"] for r in rows] == ["118", "046", "118"]
    assert rows[0]["declaration"] == "118-2025-000055" and [r["series"] for r in rows] == [1, 1, 2]
    assert [r["partner"] for r in rows] == ["CN", "CL", "DE"]  # country of origin
    assert [r["acquisition_country"] for r in rows] == ["US", "CL", None]
    assert (
        rows[0]["fob_usd"] == 1000.10 and rows[0]["freight_usd"] == 50.2 and rows[0]["insurance_usd"] == 3.05
    )
    assert rows[0]["cif_usd"] == pytest.approx(1053.35) and rows[0]["value_usd"] == rows[0]["cif_usd"]
    assert rows[1]["freight_usd"] == 0.0 and rows[1]["cif_usd"] == 251.0
    assert [r["net_kg"] for r in rows] == [10.0, 20.0, 1500.0] and [r["unit"] for r in rows] == [
        "U",
        "KG",
        "U",
    ]
    assert [r["quantity"] for r in rows] == [4.0, 20.0, 1.0] and rows[1]["product"] == "0806100000"
    assert [r["transport_mode"] for r in rows] == ["1", "4", "1"] and rows[0]["trader_id"] == "20500000001"
    assert [r["trader_masked"] for r in rows] == [False, True, False]
    assert {r["department"] for r in rows} == {"99"} and {r["file_date"] for r in rows} == {SUNDAY}
    assert list(result.notes) == []  # all 58 fields are known


def test_line_numbered_after_the_week_or_a_year_before_it(tmp_path: Path) -> None:
    for when, record in ((day(SUNDAY) + 1, 2), (day(MONDAY) - 367, 2)):
        cols = export_rows()
        cols["FNUM"][1] = when
        with pytest.raises(ParseError) as err:
            read_microdata(write(tmp_path / X_NAME, EXPORT_44, cols))
        assert (err.value.file, err.value.record, err.value.field) == (X_NAME, record, "FNUM")
        assert (
            "never after its last day" in err.value.reason and "2024-10-05 … 2025-10-12" in err.value.reason
        )
    cols = export_rows()
    cols["FNUM"][1] = day(MONDAY) - 366  # a year before the week is still its backlog
    assert read_microdata(write(tmp_path / X_NAME, EXPORT_44, cols)).num_rows == 6


def test_a_date_code_that_does_not_parse_is_refused_by_read(tmp_path: Path) -> None:
    path = write(tmp_path / "x15220626.zip", EXPORT_44, export_rows())  # 15-22 June is not a week
    with pytest.raises(ParseError, match="date code '15220626' in the file name does not parse") as err:
        READER.read(path, ReadOptions(Settings(home=tmp_path / "home")))
    assert err.value.file == "x15220626.zip"


def test_names_without_a_code_have_no_file_date(tmp_path: Path) -> None:
    table = read_microdata(write(tmp_path / "xmuestra.zip", EXPORT_44, export_rows()))
    assert table["file_date"].null_count == table.num_rows == 6


@pytest.mark.parametrize(
    ("spec", "value", "field", "reason"),
    [
        (("CADU", "N", 4, 0), 1180, "CADU", "customs office code is not digits or longer than 3 digits"),
        (("CADU", "C", 3, 0), "1A8", "CADU", "customs office code is not digits"),
        (("UBIGEO", "N", 7, 0), 1501011, "UBIGEO", "invalid ubigeo (not digits, longer than 6 digits"),
        (("UBIGEO", "N", 6, 0), 260101, "UBIGEO", "department not 01-25"),
        (("NDCL", "C", 9, 0), "12A45", "NDCL", "invalid declaration number (not digits"),
        (("NDCL", "N", 9, 0), 123456789, "NDCL", "longer than 8 digits"),
        (("NSER", "C", 6, 0), "100000", "NSER", "invalid series number"),
        (("FANO", "C", 4, 0), "25", "FANO", "invalid declaration year (4 digits"),
    ],
)
def test_code_too_long_or_not_digits_is_a_bad_line(
    tmp_path: Path, spec: Spec, value: Any, field: str, reason: str
) -> None:
    cols = export_rows()
    if spec[1] == "C":  # stored as characters: the good records' codes written as their digits
        cols[field] = [str(v) for v in cols[field]]
    cols[field][2] = value
    path = write(tmp_path / X_NAME, fields([*EXPORT_FIELDS, *UNNAMED], _EXPORT_TYPES, change=[spec]), cols)
    with pytest.raises(ParseError) as err:
        read_microdata(path)
    assert (err.value.file, err.value.record, err.value.field) == (X_NAME, 3, field)
    assert reason in err.value.reason and f"(value {str(value)!r})" in err.value.reason
    stream = iter_microdata(path, quarantine=True)
    assert sum(b.num_rows for b in stream) == 5 and stream.quarantine.count == 1


def test_codes_stored_as_characters_read_as_numbers_do(tmp_path: Path) -> None:
    cols = export_rows()
    for name, width in (("CADU", 3), ("FANO", 4), ("NDCL", 8), ("UBIGEO", 6)):
        cols[name] = [f"{int(v):0{width}d}" if v == v else "" for v in cols[name]]
    cols["UBIGEO"][4] = ""
    change = [("CADU", "C", 3, 0), ("FANO", "C", 4, 0), ("NDCL", "C", 8, 0), ("UBIGEO", "C", 6, 0)]
    char = read_microdata(
        write(tmp_path / X_NAME, fields([*EXPORT_FIELDS, *UNNAMED], _EXPORT_TYPES, change=change), cols)
    )
    (tmp_path / "numeric").mkdir()
    numeric = read_microdata(write(tmp_path / "numeric" / X_NAME, EXPORT_44, export_rows()))
    for column in ("customs_office", "declaration", "department", "region_basis"):
        assert char[column].to_pylist() == numeric[column].to_pylist()


@pytest.mark.parametrize("flow", ["X", "M"])
def test_45_fields_the_extra_one_is_ignored_and_reported(tmp_path: Path, flow: str) -> None:
    names, types, cols = (
        ([*EXPORT_FIELDS, *UNNAMED], _EXPORT_TYPES, export_rows())
        if flow == "X"
        else (list(IMPORT_FIELDS), _IMPORT_TYPES, import_rows())
    )
    layout_ = fields([*names, "NUEVOCAMPO"], types)
    assert len(layout_) == (45 if flow == "X" else 59)
    path = write(tmp_path / file_name(flow, MONDAY, SUNDAY), layout_, cols)
    table, result = ingest_read(path)
    assert table.num_rows == len(cols["DNOMBRE"])
    expected = [*UNNAMED, "NUEVOCAMPO"] if flow == "X" else ["NUEVOCAMPO"]
    noun = "fields" if flow == "X" else "field"
    said = f"{path.name}: {len(expected)} {noun} comercio does not know, ignored: {', '.join(expected)}"
    assert list(result.notes) == [said]


def test_43_fields_a_required_one_missing_is_an_error(tmp_path: Path) -> None:
    layout_ = fields([*EXPORT_FIELDS, *UNNAMED], _EXPORT_TYPES, drop=["VFOBSERDOL"])
    assert len(layout_) == 43
    with pytest.raises(ParseError) as err:
        ingest_read(write(tmp_path / X_NAME, layout_, export_rows()))
    assert (err.value.file, err.value.field) == (X_NAME, "VFOBSERDOL")
    assert "lacks field VFOBSERDOL" in err.value.reason
    layout_ = fields(IMPORT_FIELDS, _IMPORT_TYPES, drop=["FOB_DOLPOL"])
    imports = write(tmp_path / M_NAME, layout_, import_rows())
    with pytest.raises(ParseError, match="lacks field FOB_DOLPOL") as err:
        read_microdata(imports)
    assert err.value.file == M_NAME


def test_43_fields_an_optional_one_missing_is_explained(tmp_path: Path) -> None:
    cols = export_rows()
    layout_ = fields([*EXPORT_FIELDS, *UNNAMED], _EXPORT_TYPES, drop=["UBIGEO"])
    assert len(layout_) == 43
    table, result = ingest_read(write(tmp_path / X_NAME, layout_, cols))
    assert set(table["department"].to_pylist()) == {"99"} and table.num_rows == 6
    assert set(table["region_basis"].to_pylist()) == {"unattributed"}
    said = "1 optional field absent, what they feed left empty: UBIGEO (so every line goes to department 99"
    assert f"{X_NAME}: {said}, unattributed)" in list(result.notes)
    layout_ = fields([*EXPORT_FIELDS, *UNNAMED], _EXPORT_TYPES, drop=["DMAT"])
    _, result = ingest_read(write(tmp_path / X_NAME, layout_, cols))
    assert f"{X_NAME}: 1 documented field absent (comercio does not read them): DMAT" in list(result.notes)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("No Disponible", True), ("NO DISPONIBLE", True), ("no disponible.", True),
        ("  No Disponible...", True), ("NO-DISPONIBLE", True), ("NODISPONIBLE", True),
        ("NO DISPONÍBLE", True), ("No Disponible \x81", True), ("NOE DISPONIBLE S.A.", False),
        ("NORTE DISPONIBLE SAC", False), ("DISPONIBLE", False), ("", False),
    ],
)  # fmt: skip
def test_masked_natural_persons(tmp_path: Path, name: str, masked: bool) -> None:
    cols = export_rows()
    cols["DNOMBRE"][0] = name
    table = read_microdata(write(tmp_path / X_NAME, EXPORT_44, cols))
    assert table["trader_masked"][0].as_py() is masked


def test_no_name_field_leaves_trader_masked_null(tmp_path: Path) -> None:
    layout_ = fields([*EXPORT_FIELDS, *UNNAMED], _EXPORT_TYPES, drop=["DNOMBRE"])
    table = read_microdata(write(tmp_path / X_NAME, layout_, export_rows()))
    assert table["trader_masked"].null_count == table.num_rows


@pytest.mark.parametrize(("flow", "field"), [("X", "CPAIDES"), ("M", "PAIS_ORIGE"), ("M", "PAIS_ADQUI")])
def test_a_numeric_country_field_refuses_the_file(tmp_path: Path, flow: str, field: str) -> None:
    names, types, cols = (
        ([*EXPORT_FIELDS, *UNNAMED], _EXPORT_TYPES, export_rows())
        if flow == "X"
        else (list(IMPORT_FIELDS), _IMPORT_TYPES, import_rows())
    )
    cols[field] = [249] * len(cols[field])
    layout_ = fields(names, types, change=[(field, "N", 3, 0)])
    path = write(tmp_path / file_name(flow, MONDAY, SUNDAY), layout_, cols)
    with pytest.raises(ParseError) as err:
        read_microdata(path)
    assert (err.value.file, err.value.field) == (path.name, field)
    assert "stored as a number (N3)" in err.value.reason
    assert "no table of numeric country codes" in err.value.reason


def test_ingest_command_reports_the_unknown_fields(tmp_path: Path) -> None:
    path = write(tmp_path / X_NAME, EXPORT_44, export_rows(), [False, False, False, True, False, False])
    env = {**os.environ, "COMERCIO_HOME": str(tmp_path / "home")}
    cmd = [sys.executable, "-m", "comercio.cli", "ingest", "sunat-microdata", str(path)]
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 0, run.stderr
    assert f"{X_NAME}: 8 fields comercio does not know, ignored: EXTRA1" in run.stdout
    assert f"{X_NAME}: deleted records (*) skipped: 1" in run.stdout and "5 rows" in run.stdout


@pytest.mark.parametrize(
    ("spec", "value", "reason"),
    [
        (
            ("VFOBSERDOL", "D", 8, 0),
            20000,
            "field VFOBSERDOL has type D8: a date or logical field cannot hold",
        ),
        (
            ("FNUM", "C", 10, 0),
            "2025-10-06",
            "field FNUM has type C10: a date must be 8 characters, YYYYMMDD",
        ),
        (("CADU", "L", 1, 0), "T", "field CADU has type L1"),
    ],
)
def test_a_field_with_the_wrong_type_refuses_the_file(
    tmp_path: Path, spec: Spec, value: Any, reason: str
) -> None:
    cols = export_rows()
    cols[spec[0]] = [value] * 6
    layout_ = fields([*EXPORT_FIELDS, *UNNAMED], _EXPORT_TYPES, change=[spec])
    with pytest.raises(ParseError) as err:
        read_microdata(write(tmp_path / X_NAME, layout_, cols))
    assert (err.value.file, err.value.field, err.value.record) == (X_NAME, spec[0], None)
    assert reason in err.value.reason


def test_a_truncated_import_zip_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / M_NAME, IMPORT_58, import_rows())
    path.write_bytes(path.read_bytes()[:-60])
    with pytest.raises(ParseError, match="truncated or corrupt") as err:
        read_microdata(path)
    assert err.value.file == M_NAME
