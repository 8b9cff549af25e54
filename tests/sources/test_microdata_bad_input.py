"""SUNAT microdata: hostile or damaged files (issue 16) are refused, or with quarantine set aside, clearly."""

from __future__ import annotations

import io
import math
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_sunat_microdata import EXPORT, day, export_rows

from comercio.config import Settings
from comercio.errors import ParseError
from comercio.sources.protocol import ReadOptions
from comercio.sources.sunat_microdata import DETAILS, READER, iter_microdata, read_microdata
from comercio.synth._dbfwrite import DbfWriter, header_bytes, layout
from comercio.warehouse.schema import CUSTOMS_LINES

FOB = next(f for f in EXPORT if f.name == "VFOBSERDOL")
RLEN = 1 + sum(f.length for f in EXPORT)


def january_rows() -> dict[str, list[Any]]:
    """Five good export lines, all dated January 2021 (the period of a file named x202101)."""
    cols = export_rows()
    cols["FANO"] = ["2021"] * 5
    cols["FNUM"] = [day(f"2021-01-{d:02d}") for d in (4, 5, 6, 7, 8)]
    return cols


def dbf_bytes(fields: Any, cols: dict[str, list[Any]], *, records: int | None = None) -> bytes:
    n = len(next(iter(cols.values())))
    out = io.BytesIO()
    writer = DbfWriter(out, fields, n, (2021, 1, 31))
    writer.write(cols)
    writer.close()
    raw = out.getvalue()
    if records is not None:  # the header lies about the number of records
        raw = raw[:4] + records.to_bytes(4, "little") + raw[8:]
    return raw


def patch(raw: bytes, record: int, field: Any, text: bytes) -> bytes:
    """Overwrite one field of one record (1-based) with raw text, right-aligned as dBase numbers are."""
    header_length = int.from_bytes(raw[8:10], "little")
    at = header_length + (record - 1) * RLEN + field.offset
    return raw[:at] + text.rjust(field.length) + raw[at + field.length :]


def zipped(path: Path, raw: bytes, *, stored: bool = False) -> Path:
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", method) as zf:
        zf.writestr(path.stem + ".dbf", raw)
    return path


def ingest_read(path: Path, *, quarantine: bool = False) -> tuple[pa.Table, Any]:
    result = READER.read(path, ReadOptions(Settings(home=path.parent / "home"), quarantine))
    [part] = result.parts
    assert not isinstance(part.rows, list | pa.Table)  # streamed, never materialised whole
    table = pa.Table.from_batches(list(part.rows), schema=CUSTOMS_LINES.schema)
    return table, result


@pytest.mark.parametrize("text", [b"nan", b"inf", b"-inf", b"1e308", b"NaN"])
def test_impossible_fob_is_refused_or_quarantined(tmp_path: Path, text: bytes) -> None:
    raw = patch(dbf_bytes(EXPORT, january_rows()), 2, FOB, text)
    path = zipped(tmp_path / "x202101.zip", raw)
    with pytest.raises(ParseError) as err:
        read_microdata(path)
    assert (err.value.record, err.value.field) == (2, "VFOBSERDOL")
    assert ("implausible amount" if text == b"1e308" else "finite") in err.value.reason
    table, result = ingest_read(path, quarantine=True)
    total = sum(table["value_usd"].to_pylist())
    assert table.num_rows == 4 and math.isfinite(total)
    [note] = [n for n in result.notes if "quarantined" in n]  # the others say which fields were absent
    assert "1 lines quarantined, US$ 0.00" in note and "VFOBSERDOL" in note


def test_line_outside_the_file_period_is_refused_or_quarantined(tmp_path: Path) -> None:
    cols = january_rows()
    cols["FNUM"][3] = day("2999-12-31")
    path = zipped(tmp_path / "x202101.zip", dbf_bytes(EXPORT, cols))
    with pytest.raises(ParseError) as err:
        read_microdata(path)
    assert (err.value.record, err.value.field) == (4, "FNUM")
    assert "outside the file's period (from its name x202101.zip) 2021-01-01 … 2021-01-31" in err.value.reason
    table, _ = ingest_read(path, quarantine=True)
    assert table.num_rows == 4 and max(table["period"].to_pylist()).isoformat() == "2021-01-01"


def test_line_in_the_future_is_refused_whatever_the_name(tmp_path: Path) -> None:
    cols = january_rows()
    cols["FNUM"][0] = day("2999-12-31")
    path = zipped(tmp_path / "xmuestra.zip", dbf_bytes(EXPORT, cols))
    with pytest.raises(ParseError, match="outside the plausible span 1990-01-01"):
        read_microdata(path)


@pytest.mark.parametrize(
    ("announced", "reason"), [(3, "the header announces 3 records but the file holds 5")]
)
def test_header_announcing_fewer_records(tmp_path: Path, announced: int, reason: str) -> None:
    path = zipped(tmp_path / "x202101.zip", dbf_bytes(EXPORT, january_rows(), records=announced))
    with pytest.raises(ParseError, match=reason) as err:
        read_microdata(path)
    assert err.value.record == announced + 1


def test_header_announcing_more_records(tmp_path: Path) -> None:
    path = zipped(tmp_path / "x202101.zip", dbf_bytes(EXPORT, january_rows(), records=9))
    with pytest.raises(ParseError, match="truncated: the header announces 9 records"):
        read_microdata(path)


def test_zip_crc_is_verified(tmp_path: Path) -> None:
    raw = dbf_bytes(EXPORT, january_rows())
    path = zipped(tmp_path / "x202101.zip", raw, stored=True)
    data = bytearray(path.read_bytes())
    at = data.index(b"100.50")  # a digit of record 1's FOB, still a valid number once changed
    data[at] = ord("7")
    path.write_bytes(bytes(data))
    with pytest.raises(ParseError) as err:
        read_microdata(path)
    assert "CRC" in str(err.value) and "x202101.zip" in str(err.value)


def test_nul_records_cost_bounded_time_and_memory(tmp_path: Path) -> None:
    records = 100_000
    path = tmp_path / "x202101.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr(
            "x.dbf", header_bytes(EXPORT, records, (2021, 1, 1)) + b"\x00" * (RLEN * records) + b"\x1a"
        )
    assert path.stat().st_size < 40_000
    with pytest.raises(ParseError, match="record 1"):
        read_microdata(path)
    start = time.perf_counter()
    stream = iter_microdata(path, quarantine=True)
    assert sum(b.num_rows for b in stream) == 0
    elapsed = time.perf_counter() - start
    report = stream.quarantine
    assert report.count == records and report.value_usd == 0.0
    assert report.table().num_rows == DETAILS  # described up to a bound, the rest counted
    assert sum(report.reasons.values()) == records
    assert elapsed < 60  # was minutes with one Python object per bad line; a few seconds now


def test_directory_and_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="is a directory"):
        ingest_read(tmp_path)
    with pytest.raises(ParseError, match="no such file"):
        read_microdata(tmp_path / "x202101.zip")


def test_synthetic_marker_keeps_the_label_without_leeme(tmp_path: Path) -> None:
    fields = layout([(f.name, f.type, f.length, f.decimals) for f in EXPORT] + [("SYNTH", "C", 1, 0)])
    cols = {**january_rows(), "SYNTH": ["S"] * 5}
    path = zipped(tmp_path / "x202101.zip", dbf_bytes(fields, cols))
    assert not (tmp_path / "LEEME_DATOS_SINTETICOS.txt").exists()
    table, result = ingest_read(path)
    assert result.synthetic and all(table["synthetic"].to_pylist())
    cols["SYNTH"][2] = " "
    mixed = zipped(tmp_path / "x202101b.zip", dbf_bytes(fields, cols))
    with pytest.raises(ParseError) as err:
        read_microdata(mixed)
    assert (err.value.record, err.value.field) == (3, "SYNTH") and "synthetic marker" in err.value.reason


def test_real_file_is_not_synthetic(tmp_path: Path) -> None:
    _, result = ingest_read(zipped(tmp_path / "x202101.zip", dbf_bytes(EXPORT, january_rows())))
    assert not result.synthetic


def good_lines(n: int = 3) -> pa.Table:
    rows = {name: pa.nulls(n, CUSTOMS_LINES.schema.field(name).type) for name in CUSTOMS_LINES.columns}
    rows["synthetic"] = pa.array([True] * n)
    return pa.table(rows, schema=CUSTOMS_LINES.schema)


def test_corrupt_parquet(tmp_path: Path) -> None:
    path = tmp_path / "lines.parquet"
    pq.write_table(good_lines(), path)
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(ParseError, match="not a readable Parquet file") as err:
        ingest_read(path)
    assert err.value.file == "lines.parquet"
    (tmp_path / "noise.parquet").write_bytes(np.random.default_rng(1).bytes(2048))
    with pytest.raises(ParseError, match="not a readable Parquet file"):
        ingest_read(tmp_path / "noise.parquet")


def test_parquet_of_another_schema(tmp_path: Path) -> None:
    path = tmp_path / "other.parquet"
    pq.write_table(pa.table({"a": [1, 2], "value_usd": [1.0, 2.0]}), path)
    with pytest.raises(ParseError, match="not a file of customs lines: columns missing flow") as err:
        ingest_read(path)
    assert err.value.column == "flow"
    wrong = good_lines().set_column(
        CUSTOMS_LINES.columns.index("value_usd"), "value_usd", pa.array(["1", "2", "x"])
    )
    pq.write_table(wrong, tmp_path / "typed.parquet")
    with pytest.raises(ParseError, match="column has type string, expected double") as err:
        ingest_read(tmp_path / "typed.parquet")
    assert err.value.column == "value_usd"


def test_good_parquet_streams_and_keeps_its_label(tmp_path: Path) -> None:
    path = tmp_path / "lines.parquet"
    pq.write_table(good_lines(), path)
    table, result = ingest_read(path)
    assert table.num_rows == 3 and result.synthetic


@pytest.mark.parametrize("shipped", ["2999-12-31", "1800-01-01"])
def test_impossible_shipment_date(tmp_path: Path, shipped: str) -> None:
    fields = layout([(f.name, f.type, f.length, f.decimals) for f in EXPORT] + [("FEMB", "C", 8, 0)])
    cols = {**january_rows(), "FEMB": ["20210110", "", shipped.replace("-", ""), "20210201", "20210111"]}
    path = zipped(tmp_path / "x202101.zip", dbf_bytes(fields, cols))
    with pytest.raises(ParseError) as err:
        read_microdata(path)
    assert (err.value.record, err.value.field) == (3, "FEMB") and "shipment date" in err.value.reason
    table, _ = ingest_read(path, quarantine=True)
    assert table.num_rows == 4  # blank and next-month shipment dates are fine


@pytest.mark.parametrize("delta", [-RLEN, RLEN])
def test_zip_member_size_is_verified(tmp_path: Path, delta: int) -> None:
    import struct

    path = zipped(tmp_path / "x202101.zip", dbf_bytes(EXPORT, january_rows()))
    data = bytearray(path.read_bytes())
    entry = data.find(b"PK\x01\x02")  # the central directory entry: uncompressed size at offset 24
    (size,) = struct.unpack_from("<I", data, entry + 24)
    struct.pack_into("<I", data, entry + 24, size + delta)
    path.write_bytes(bytes(data))
    with pytest.raises(ParseError) as err:
        read_microdata(path)
    assert err.value.file == "x202101.zip"
