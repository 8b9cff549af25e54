"""SUNAT microdata reader: files written in the published dBase III layout into tmp_path, read back."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import dbfread
import numpy as np
import pyarrow as pa
import pytest

from comercio.errors import ParseError
from comercio.sources.sunat_microdata import iter_microdata, read_microdata
from comercio.synth._dbfwrite import DbfWriter, layout
from comercio.warehouse.schema import CUSTOMS_LINES

EXPORT = layout(
    [("CADU", "C", 3, 0), ("FANO", "C", 4, 0), ("NDCL", "C", 6, 0), ("NSER", "N", 4, 0), ("FNUM", "D", 8, 0),
     ("NDOC", "C", 11, 0), ("UBIGEO", "C", 6, 0), ("PART_NANDI", "N", 10, 0), ("CPAIDES", "C", 2, 0),
     ("CVIATRA", "C", 2, 0), ("VFOBSERDOL", "N", 15, 2), ("VPESNET", "N", 15, 3), ("QUNIFIS", "N", 15, 3),
     ("TUNIFIS", "C", 3, 0), ("DCOM", "C", 30, 0)]
)  # fmt: skip
IMPORT = layout(
    [
        ("CODI_ADUAN", "C", 3, 0),
        ("ANO_PRESE", "C", 4, 0),
        ("NUME_CORRE", "C", 6, 0),
        ("FECH_INGSI", "D", 8, 0),
        ("LIBR_TRIBU", "C", 11, 0),
        ("VIA_TRANSP", "C", 1, 0),
        ("PAIS_ORIGE", "C", 2, 0),
        ("NUME_SERIE", "N", 4, 0),
        ("PART_NANDI", "N", 10, 0),
        ("FOB_DOLPOL", "N", 14, 2),
        ("FLE_DOLAR", "N", 14, 2),
        ("SEG_DOLAR", "N", 14, 2),
        ("PESO_NETO", "N", 14, 3),
        ("UNID_FIQTY", "N", 12, 3),
        ("UNID_FIDES", "C", 3, 0),
    ]
)


def day(iso: str) -> int:
    return (dt.date.fromisoformat(iso) - dt.date(1970, 1, 1)).days


def export_rows() -> dict[str, list[Any]]:
    return {
        "CADU": ["118", "235", "046", "145", "118"],
        "FANO": ["2016", "2017", "2017", "2007", "2007"],
        "NDCL": ["000123", "000124", "7", "000200", "000201"],
        "NSER": [1, 1, 2, 1, 1],
        "FNUM": [
            day("2016-12-31"),
            day("2017-01-01"),
            day("2017-01-02"),
            day("2007-03-31"),
            day("2007-04-01"),
        ],
        "NDOC": ["20100000001", "20100000002", "20100000003", "20100000004", "20100000005"],
        "UBIGEO": ["040101", "", "200101", "180101", "150101"],
        "PART_NANDI": [806100000, 2603000000, 7108120000, 2603000000, 6109100031],
        "CPAIDES": ["US", "CN", "", "JP", "CL"],
        "CVIATRA": ["1", "04", "4", "1", "1"],
        "VFOBSERDOL": [100.5, 2_000_000.0, 3.33, 10.0, 20.0],
        "VPESNET": [1.0, 2.0, 3.0, 4.0, 5.0],
        "QUNIFIS": [1.0, 2.0, np.nan, 4.0, 5.0],
        "TUNIFIS": ["KG", "KG", "U", "KG", "U"],
        "DCOM": ["UVAS FRESCAS", "COBRE", "ORO", "COBRE", "POLOS DE ALGODÓN"],
    }


def write(path: Path, fields: Any, cols: dict[str, list[Any]], deleted: list[bool] | None = None) -> Path:
    n = len(next(iter(cols.values())))
    with zipfile.ZipFile(path, "w") as zf, zf.open(path.stem + ".dbf", "w") as out:
        w = DbfWriter(out, fields, n, (2024, 1, 1))
        w.write(cols, deleted=np.array(deleted) if deleted else None)
        w.close()
    return path


def test_export_file_maps_fields_and_keeps_unattributed(tmp_path: Path) -> None:
    path = write(tmp_path / "xmuestra.zip", EXPORT, export_rows(), deleted=[False, False, False, False, True])
    stream = iter_microdata(path)
    table = pa.Table.from_batches(list(stream), schema=CUSTOMS_LINES.schema)
    CUSTOMS_LINES.conform(table)
    assert stream.deleted == 1 and stream.records == 5 and table.num_rows == 4
    rows = table.to_pylist()
    assert rows[0]["declaration"] == "118-2016-000123" and rows[0]["product"] == "0806100000"
    assert rows[0]["hs6"] == "080610" and rows[0]["department"] == "04" and rows[0]["partner"] == "US"
    assert rows[0]["region_basis"] == "producer_ubigeo" and rows[0]["period"] == dt.date(2016, 12, 1)
    assert rows[1]["department"] == "99" and rows[1]["region_basis"] == "unattributed"
    assert rows[1]["transport_mode"] == "4" and rows[1]["value_usd"] == 2_000_000.0
    assert rows[2]["declaration"] == "046-2017-000007" and rows[2]["partner"] is None
    assert rows[2]["quantity"] is None and rows[2]["unit"] == "U"
    assert [r["hs_version"] for r in rows] == ["2012", "2017", "2017", "2002"]
    assert {r["value_basis"] for r in rows} == {"FOB"} and not any(r["synthetic"] for r in rows)
    assert {r["source"] for r in rows} == {"xmuestra.zip"} and rows[0]["cif_usd"] is None


def test_april_2007_switches_tariff_version(tmp_path: Path) -> None:
    path = write(tmp_path / "xmuestra.zip", EXPORT, export_rows())
    versions = read_microdata(path).column("hs_version").to_pylist()
    assert versions[3:] == ["2002", "2007"]


def test_writer_output_is_readable_by_dbfread(tmp_path: Path) -> None:
    path = write(tmp_path / "xmuestra.zip", EXPORT, export_rows())
    with zipfile.ZipFile(path) as zf:
        (tmp_path / "x.dbf").write_bytes(zf.read("xmuestra.dbf"))
    recs = list(dbfread.DBF(tmp_path / "x.dbf", encoding="latin-1"))
    ours = read_microdata(path).to_pylist()
    assert [r["VFOBSERDOL"] for r in recs] == [r["fob_usd"] for r in ours]
    assert recs[4]["DCOM"] == "POLOS DE ALGODÓN" and recs[0]["FNUM"] == dt.date(2016, 12, 31)


def test_import_file_is_valued_cif(tmp_path: Path) -> None:
    cols: dict[str, list[Any]] = {
        "CODI_ADUAN": ["118", "118"], "ANO_PRESE": ["2024", "2024"], "NUME_CORRE": ["55", "55"],
        "FECH_INGSI": [day("2024-05-10")] * 2, "LIBR_TRIBU": ["20500000001"] * 2, "VIA_TRANSP": ["1", "1"],
        "PAIS_ORIGE": ["JP", "CN"], "NUME_SERIE": [1, 2], "PART_NANDI": [4011101000, 8703239020],
        "FOB_DOLPOL": [1000.10, 250.0], "FLE_DOLAR": [50.2, np.nan], "SEG_DOLAR": [3.05, 1.0],
        "PESO_NETO": [10.0, 20.0], "UNID_FIQTY": [4.0, 1.0], "UNID_FIDES": ["U", "U"],
    }  # fmt: skip
    rows = read_microdata(write(tmp_path / "ma06120524.zip", IMPORT, cols)).to_pylist()
    assert rows[0]["flow"] == "M" and rows[0]["value_basis"] == "CIF"
    assert (
        rows[0]["cif_usd"] == pytest.approx(1053.35, abs=1e-9) and rows[0]["value_usd"] == rows[0]["cif_usd"]
    )
    assert rows[1]["cif_usd"] == 251.0 and rows[1]["freight_usd"] == 0.0
    assert {r["department"] for r in rows} == {"99"} and rows[0]["declaration"] == "118-2024-000055"
    assert rows[0]["partner"] == "JP" and rows[1]["product"] == "8703239020"


def test_small_batches_stream_and_detect_duplicates_across_batches(tmp_path: Path) -> None:
    cols = export_rows()
    cols["NDCL"][4], cols["FANO"][4], cols["CADU"][4] = "000200", "2007", "145"  # same line as record 4
    path = write(tmp_path / "xmuestra.zip", EXPORT, cols)
    with pytest.raises(ParseError) as err:
        list(iter_microdata(path, batch_rows=2))
    assert err.value.record == 5 and err.value.field == "NSER" and "duplicated" in err.value.reason
    stream = iter_microdata(path, batch_rows=2, quarantine=True)
    assert sum(b.num_rows for b in stream) == 4
    assert stream.quarantine.count == 1 and stream.quarantine.value_usd == 20.0


BAD_CASES = [
    ("CADU", 1, "999", "unknown customs office"),
    ("CADU", 2, "370", "unknown customs office"),  # Chancay before 2024-10-21
    ("PART_NANDI", 2, 12345, "invalid subpartida"),
    ("VFOBSERDOL", 3, -5.0, "negative value"),
    ("NDOC", 1, "2010\x8100001", "undecodable"),
    ("UBIGEO", 3, "ABC", "invalid ubigeo"),
    ("CPAIDES", 2, "China", "ISO 3166"),
    ("FNUM", 1, -(10**9), "invalid or missing date"),
]


@pytest.mark.parametrize(("field", "record", "value", "reason"), BAD_CASES)
def test_bad_line_raises_with_record_and_field(
    tmp_path: Path, field: str, record: int, value: Any, reason: str
) -> None:
    cols = export_rows()
    cols[field][record - 1] = value
    path = write(tmp_path / "xmuestra.zip", EXPORT, cols)
    with pytest.raises(ParseError) as err:
        read_microdata(path)
    assert (err.value.record, err.value.field) == (record, field) and reason in err.value.reason
    assert "xmuestra.zip" in str(err.value)
    stream = iter_microdata(path, quarantine=True)
    assert sum(b.num_rows for b in stream) == 4
    assert stream.quarantine.count == 1 and reason in stream.quarantine.table()["reason"][0].as_py()


def test_quarantine_counts_value_and_reasons(tmp_path: Path) -> None:
    cols = export_rows()
    cols["CADU"][0], cols["VFOBSERDOL"][1] = "999", -7.0
    stream = iter_microdata(write(tmp_path / "xmuestra.zip", EXPORT, cols), quarantine=True)
    assert [b.num_rows for b in stream] == [3]
    report = stream.quarantine
    assert report.count == 2 and report.value_usd == pytest.approx(100.5 - 7.0)
    assert report.table().column("record").to_pylist() == [1, 2]


def test_corrupted_header(tmp_path: Path) -> None:
    path = write(tmp_path / "xmuestra.zip", EXPORT, export_rows())
    with zipfile.ZipFile(path) as zf:
        raw = bytearray(zf.read("xmuestra.dbf"))
    bad = tmp_path / "bad.dbf"
    raw[10] ^= 0x07  # record length no longer matches the fields
    bad.write_bytes(bytes(raw))
    with pytest.raises(ParseError, match="corrupted DBF header"):
        read_microdata(bad)
    raw[10] ^= 0x07
    raw[0] = 0x42
    bad.write_bytes(bytes(raw))
    with pytest.raises(ParseError, match="not a dBase III"):
        read_microdata(bad)


def test_truncated_zip_and_truncated_records(tmp_path: Path) -> None:
    path = write(tmp_path / "xmuestra.zip", EXPORT, export_rows())
    cut = tmp_path / "x_cut.zip"
    cut.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(ParseError, match="truncated or corrupt"):
        read_microdata(cut)
    with zipfile.ZipFile(path) as zf:
        raw = zf.read("xmuestra.dbf")
    short = tmp_path / "x_short.dbf"
    short.write_bytes(raw[: len(raw) - 200])
    with pytest.raises(ParseError) as err:
        read_microdata(short)
    assert "truncated" in err.value.reason and err.value.record is not None


def test_unknown_layout_is_refused(tmp_path: Path) -> None:
    fields = layout([("FOO", "C", 3, 0)])
    path = write(tmp_path / "data.zip", fields, {"FOO": ["abc"]})
    with pytest.raises(ParseError, match="cannot tell export from import"):
        read_microdata(path)


def test_ingest_command_refuses_or_quarantines_bad_lines(tmp_path: Path) -> None:
    """`comercio ingest sunat-microdata`: a bad line fails the whole load (nothing half-loaded), or with
    --quarantine is set aside and reported with its value."""
    import os
    import subprocess
    import sys

    cols = export_rows()
    cols["NDCL"][4], cols["FANO"][4], cols["CADU"][4] = "000200", "2007", "145"  # duplicates record 4
    path = write(tmp_path / "xmuestra.zip", EXPORT, cols)
    env = {**os.environ, "COMERCIO_HOME": str(tmp_path / "home")}
    cmd = [sys.executable, "-m", "comercio.cli", "ingest", "sunat-microdata", str(path)]
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 2 and "record 5" in run.stderr and "Traceback" not in run.stderr  # bad input
    assert not (tmp_path / "home" / "data" / "customs_lines").exists() or not any(
        (tmp_path / "home" / "data" / "customs_lines").rglob("*.parquet")
    )
    run = subprocess.run([*cmd, "--quarantine"], capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 0, run.stderr
    assert "1 lines quarantined, US$ 20.00" in run.stdout
