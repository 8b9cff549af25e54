"""WTO merchandise values: every layout WTO serves (written small here) reads to the same rows; bad input
fails with file, row and column, and leaves the warehouse unchanged."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from comercio.config import Settings
from comercio.errors import ComercioError, ParseError, ValidationError
from comercio.ingest import ingest
from comercio.sources.wto import read_wto
from comercio.warehouse import Warehouse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wto"

# indicator, reporter code, ISO3A, name, partner, product, year, value (million US$), flag
RECORDS: list[tuple[str, ...]] = [
    ("ITS_MTV_AX", "604", "PER", "Peru", "000", "MAMT", "2023", "608", ""),
    ("ITS_MTV_AM", "604", "PER", "Peru", "000", "MAMT", "2023", "15976", ""),
    ("ITS_MTV_AX", "158", "CHT", "Chinese Taipei", "000", "MAMT", "2023", "307741", "E"),
    ("ITS_MTV_AX", "642", "ROM", "Romania", "000", "MA", "2022", "71234.5", ""),
    ("ITS_MTV_AX", "384", "CIV", "Côte d'Ivoire", "000", "AG", "2023", "9876.25", ""),
    ("ITS_MTV_AX", "000", "", "World", "000", "TO", "2023", "23813309", ""),
    ("ITS_MTV_AM", "000", "", "World", "000", "TO", "2023", "24254541", ""),
    ("ITS_MTV_AX", "970", "", "Asia", "000", "TO", "2023", "9000000", ""),
    ("ITS_MTV_AX", "918", "EEC", "European Union", "000", "TO", "2023", "6000000", ""),
    ("ITS_MTV_AX", "918", "EEC", "European Union", "EUT", "TO", "2023", "2700000", ""),
    ("ITS_MTV_AX", "058", "BLX", "Belgium-Luxembourg", "000", "TO", "1998", "150000", "B"),
]
EXPECTED = {
    ("X", 2023, "PER", "economy", "MAMT", 608e6, None),
    ("M", 2023, "PER", "economy", "MAMT", 15976e6, None),
    ("X", 2023, "TWN", "economy", "MAMT", 307741e6, "E"),
    ("X", 2022, "ROU", "economy", "MA", 71234.5e6, None),
    ("X", 2023, "CIV", "economy", "AG", 9876.25e6, None),
    ("X", 2023, "WLD", "world", "TO", 23813309e6, None),
    ("M", 2023, "WLD", "world", "TO", 24254541e6, None),
    ("X", 2023, "R970", "region", "TO", 9e12, None),
    ("X", 2023, "EUN", "region", "TO", 6e12, None),
    ("X", 1998, "BLX", "former", "TO", 150000e6, "B"),
}
BULK = ["IndicatorCode", "ReporterCode", "ReporterISO3A", "Reporter", "PartnerCode", "ProductCode", "Year"]
BULK += ["Value", "ValueFlagCode"]
WEB = ["Indicator Code", "Reporting Economy Code", "Reporting Economy ISO3A Code", "Reporting Economy"]
WEB += ["Partner Economy Code", "Product/Sector Code", "Year", "Value", "Value Flag Code"]
# Columns are written in another order than WTO's, with extra columns, to show they are found by name.
ORDER = [7, 5, 0, 1, 2, 3, 4, 6, 8]


def _csv(header: list[str], records: list[tuple[str, ...]], *, extra: bool = True) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([header[i] for i in ORDER] + (["Unit"] if extra else []))
    for rec in records:
        writer.writerow([rec[i] for i in ORDER] + (["Million US dollar"] if extra else []))
    return buf.getvalue()


def bulk_csv(tmp: Path, records: list[tuple[str, ...]] = RECORDS, name: str = "wto.csv") -> Path:
    path = tmp / name
    path.write_text(_csv(BULK, records), encoding="utf-8")
    return path


def bulk_zip(tmp: Path, records: list[tuple[str, ...]] = RECORDS) -> Path:
    path = tmp / "merchandise_values_annual_dataset.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("merchandise_values_annual_dataset.csv", _csv(BULK, records).encode("latin-1"))
    return path


def web_csv(tmp: Path, records: list[tuple[str, ...]] = RECORDS, encoding: str = "cp1252") -> Path:
    path = tmp / "WtoData_20250101.csv"
    path.write_bytes(_csv(WEB, records).encode(encoding))
    return path


def parquet(tmp: Path, records: list[tuple[str, ...]] = RECORDS) -> Path:
    cols: dict[str, list[Any]] = {name: [] for name in BULK}
    for rec in records:
        for name, value in zip(BULK, rec, strict=True):
            cols[name].append(value or None)
    table = pa.table(
        {
            **{k: pa.array(v, pa.string()) for k, v in cols.items() if k not in ("Year", "Value")},
            "Year": pa.array([float(y) for y in cols["Year"]], pa.float64()),
            "Value": pa.array([float(v) for v in cols["Value"]], pa.float64()),
        }
    )
    path = tmp / "merchandise_values_annual_dataset.parquet"
    pq.write_table(table, path)
    return path


def rows(path: Path) -> set[tuple[Any, ...]]:
    table = read_wto(path).table
    cols = ["flow", "year", "reporter", "reporter_kind", "product_group", "value_usd", "flag"]
    return {tuple(r[c] for c in cols) for r in table.to_pylist()}


@pytest.mark.parametrize(
    "write", [bulk_csv, bulk_zip, web_csv, parquet], ids=["csv", "zip", "web", "parquet"]
)
def test_every_layout_reads_to_the_same_rows(tmp_path: Path, write: Any) -> None:
    assert rows(write(tmp_path)) == EXPECTED


def test_web_csv_in_utf8_with_a_bom_reads_too(tmp_path: Path) -> None:
    path = web_csv(tmp_path, encoding="utf-8-sig")
    assert rows(path) == EXPECTED


def test_api_json_fixture_reads_to_canonical_rows() -> None:
    """The recorded answer of api.wto.org/timeseries/v1/data (fmt=json, mode=full, head=M)."""
    result = read_wto(FIXTURES / "timeseries_ITS_MTV_AX_AM.json")
    assert result.layout == "api"
    got = {
        (r["flow"], r["year"], r["reporter"], r["product_group"]): r["value_usd"]
        for r in result.table.to_pylist()
    }
    assert got[("X", 2023, "PER", "MAMT")] == 608e6
    assert got[("M", 2023, "PER", "MAMT")] == 15976e6
    assert got[("X", 2023, "WLD", "MAMT")] == 7975910e6
    assert got[("X", 2023, "TWN", "MAMT")] == 307741e6
    assert result.excluded_partners == {"EUT": 1}


def test_only_partner_world_is_stored_and_the_rest_is_reported(tmp_path: Path) -> None:
    result = read_wto(bulk_csv(tmp_path))
    assert result.excluded_partners == {"EUT": 1}
    assert result.former == {"BLX": (1998, 1998)}
    assert result.table.column("synthetic").to_pylist() == [False] * result.table.num_rows


def _bad(records: list[tuple[str, ...]], index: int, field: int, value: str) -> list[tuple[str, ...]]:
    out = list(records)
    rec = list(out[index])
    rec[field] = value
    out[index] = tuple(rec)
    return out


# (id, field index in RECORDS, bad value, error class, message fragment, column as named in the bulk CSV)
CELL_CASES = [
    ("unknown-product", 5, "ZZZZ", ValidationError, "unknown WTO product code 'ZZZZ'", "ProductCode"),
    ("text-flag-in-value", 7, "608 E", ValidationError, "'608 E' is not a number", "Value"),
    ("nan-value", 7, "NaN", ValidationError, "'NaN' is not a number", "Value"),
    ("negative-value", 7, "-5", ValidationError, "negative value", "Value"),
    ("1e308-value", 7, "1e308", ValidationError, "value 1e\\+308 million US\\$ is implausible", "Value"),
    ("empty-value", 7, "", ValidationError, "empty value", "Value"),
    ("year-1947", 6, "1947", ValidationError, "year 1947 is outside 1948..", "Year"),
    ("year-2099", 6, "2099", ValidationError, "year 2099 is outside 1948..", "Year"),
    ("fractional-year", 6, "2023.5", ValidationError, "not a whole year", "Year"),
    ("unknown-indicator", 0, "ITS_CS_AX", ValidationError, "indicator 'ITS_CS_AX'", "IndicatorCode"),
    ("unknown-reporter", 1, "999", ValidationError, "unknown WTO reporter code '999'", "ReporterCode"),
    ("iso-mismatch", 2, "CHL", ValidationError, "ISO3A 'CHL' does not match", "ReporterISO3A"),
    ("text-flag", 8, "estimated", ValidationError, "'estimated' is not a WTO flag", "ValueFlagCode"),
    ("empty-partner", 4, "", ValidationError, "empty partner code", "PartnerCode"),
]


@pytest.mark.parametrize(("case", "field", "value", "error", "message", "column"), CELL_CASES)
def test_a_bad_cell_names_file_row_and_column(
    tmp_path: Path, case: str, field: int, value: str, error: type[ComercioError], message: str, column: str
) -> None:
    path = bulk_csv(tmp_path, _bad(RECORDS, 2, field, value))
    with pytest.raises(error, match=message) as info:
        read_wto(path)
    assert (info.value.file, info.value.row, info.value.column) == ("wto.csv", 4, column), case


def test_bad_cells_in_other_layouts_are_located_there(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="unknown WTO product") as info:
        read_wto(web_csv(tmp_path, _bad(RECORDS, 3, 5, "XX")))
    assert (info.value.row, info.value.column) == (5, "Product/Sector Code")
    with pytest.raises(ValidationError, match="not a finite number") as info:
        read_wto(parquet(tmp_path, _bad(RECORDS, 3, 7, "nan")))
    assert (info.value.record, info.value.column) == (4, "Value")
    payload = json.loads((FIXTURES / "timeseries_ITS_MTV_AX_AM.json").read_text(encoding="utf-8"))
    payload["Dataset"][1]["Value"] = -1
    bad = tmp_path / "api.json"
    bad.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(ValidationError, match="negative value") as info:
        read_wto(bad)
    assert (info.value.record, info.value.column) == (2, "Value")


def test_duplicated_reporter_year_product_indicator_rows_are_refused(tmp_path: Path) -> None:
    path = bulk_csv(tmp_path, [*RECORDS, RECORDS[0]])
    with pytest.raises(ValidationError, match="duplicated reporter-year-product-indicator") as info:
        read_wto(path)
    assert info.value.row == len(RECORDS) + 2
    assert "row 2" in str(info.value)
    # The same reporter under its WTO and its ISO spelling is the same economy: still a duplicate.
    twin = ("ITS_MTV_AX", "158", "", "Chinese Taipei", "000", "MAMT", "2023", "1", "")
    with pytest.raises(ValidationError, match="TWN 2023 MAMT"):
        read_wto(bulk_csv(tmp_path, [*RECORDS, twin]))


def test_an_extract_without_the_world_rows_of_both_flows_is_refused(tmp_path: Path) -> None:
    """The file replaces the stored table: a few reporters or one indicator would silently shrink it."""
    extract = [r for r in RECORDS if not (r[1] == "000" and r[0] == "ITS_MTV_AM")]
    with pytest.raises(ValidationError, match="no World \\(000\\) rows for imports") as info:
        read_wto(bulk_csv(tmp_path, extract))
    assert (info.value.file, info.value.column) == ("wto.csv", "ReporterCode")
    with pytest.raises(ValidationError, match="rows for exports and imports"):
        read_wto(bulk_csv(tmp_path, [r for r in RECORDS if r[1] != "000"]))


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "wto.csv"
    path.write_text("IndicatorCode,ReporterCode,PartnerCode,Year,Value\nITS_MTV_AX,604,000,2023,1\n")
    with pytest.raises(ParseError, match="missing columns ProductCode") as info:
        read_wto(path)
    assert info.value.column == "ProductCode"
    web = tmp_path / "web.csv"
    web.write_text("Indicator Code,Reporting Economy Code,Partner Economy Code,Year,Value\nx,1,2,3,4\n")
    with pytest.raises(ParseError, match="missing columns Product/Sector Code"):
        read_wto(web)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (_csv(BULK, []).encode(), "no records"),
        (bytes(range(256)) * 8, "binary|missing columns"),
        (b"PAR1" + b"\x00" * 64, "not a readable Parquet"),
        (b"PK\x03\x04" + b"\x00" * 64, "not a readable zip"),
        (b'{"Dataset": []}', "empty"),
        (b'{"Dataset": [{"Value": 1}]}', "missing columns"),
        (b'{"nope": 1}', "no 'Dataset'"),
        (b'{"Dataset": [1, 2]', "not valid JSON"),
        ("IndicatorCode,IndicatorCode\n".encode("utf-16"), "appears twice|missing columns|binary"),
    ],
    ids=[
        "empty",
        "header-only",
        "random-bytes",
        "bad-parquet",
        "bad-zip",
        "no-records",
        "api-columns",
        "no-dataset",
        "truncated-json",
        "utf16",
    ],
)
def test_unreadable_files_are_clear_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "wto.bin"
    path.write_bytes(content)
    with pytest.raises(ComercioError, match=message) as info:
        read_wto(path)
    assert info.value.file and info.value.file.startswith("wto.bin")


def test_a_zip_without_one_csv_or_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wto.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "nothing")
    with pytest.raises(ParseError, match="expected one CSV in the zip"):
        read_wto(path)
    book = tmp_path / "wto.xlsx"
    with zipfile.ZipFile(book, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(ParseError, match="a spreadsheet"):
        read_wto(book)


def _state(home: Path) -> dict[str, bytes]:
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()}


def test_bad_input_leaves_the_warehouse_unchanged_and_a_revision_is_a_new_vintage(tmp_path: Path) -> None:
    from comercio.warehouse.diff import diff

    home = tmp_path / "home"
    wh = Warehouse(Settings(home=home))
    first = ingest(wh, "wto", [bulk_csv(tmp_path)])
    assert [r.status for r in first.results] == ["loaded"]
    assert any("EUT (1 rows)" in n for n in first.notes)
    assert any("BLX 1998-1998" in n for n in first.notes)
    before = _state(home / "data")
    for case in (_bad(RECORDS, 1, 7, "-1"), [*RECORDS, RECORDS[1]], _bad(RECORDS, 1, 5, "ZZ")):
        with pytest.raises(ValidationError):
            ingest(Warehouse(Settings(home=home)), "wto", [bulk_csv(tmp_path, case, name="bad.csv")])
    assert _state(home / "data") == before
    wh = Warehouse(Settings(home=home))
    assert ingest(wh, "wto", [bulk_csv(tmp_path)]).results[0].status == "unchanged"
    # WTO revises back years: Peru's 2023 exports revised from 608 to 611.
    revised = bulk_csv(tmp_path, _bad(RECORDS, 0, 7, "611"), name="revised.csv")
    assert ingest(wh, "wto", [revised]).results[0].vintage.number == 2
    (moved,) = diff(wh, "wto_merchandise")
    assert moved.changes == [
        {
            "flow": "X",
            "year": 2023,
            "reporter": "PER",
            "product_group": "MAMT",
            "old": 608e6,
            "new": 611e6,
            "change": 3e6,
        }
    ]
