"""The user's exporter → department table (``comercio ingest exporter-regions FILE``): read, refused clearly
when it is not such a table, loaded as one slice, and applied only to lines without a producer UBIGEO."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from comercio.cli import main
from comercio.config import Settings
from comercio.errors import ParseError
from comercio.ingest import ingest
from comercio.sources.exporter_regions import read_exporter_regions
from comercio.warehouse import FileRef, Provenance, Warehouse
from comercio.warehouse.schema import CUSTOMS_LINES, EXPORTER_REGIONS


def csv_file(tmp_path: Path, text: str | bytes, name: str = "regions.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def test_reads_the_table(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "\ufeffTrader_ID;Name;Department;Basis\n"
        "20100000001;Agro SAC;15;ruc_register\n"
        "\n"
        "20100000002;Minera SA;4;ruc_register\n"  # the spreadsheet dropped the leading zero
        "20100000003;Pesca SA; 02 ;infotrade\n",
    )
    table = read_exporter_regions(path)
    assert table.schema == EXPORTER_REGIONS.schema
    assert table.to_pylist() == [
        {"trader_id": "20100000001", "department": "15", "basis": "ruc_register", "source": "regions.csv"},
        {"trader_id": "20100000002", "department": "04", "basis": "ruc_register", "source": "regions.csv"},
        {"trader_id": "20100000003", "department": "02", "basis": "infotrade", "source": "regions.csv"},
    ]


@pytest.mark.parametrize(
    ("text", "row", "column", "reason"),
    [
        ("trader_id,basis\n20100000001,x\n", 1, "department", "missing column(s) department"),
        (
            "trader_id,department,basis\n2010000001,15,ruc\n",
            2,
            "trader_id",
            "'2010000001' is not a RUC (11 digits)",
        ),
        (
            "trader_id,department,basis\n20100000001,26,ruc\n",
            2,
            "department",
            "'26' is not a department ubigeo",
        ),
        (
            "trader_id,department,basis\n20100000001,99,ruc\n",
            2,
            "department",
            "'99' is not a department ubigeo",
        ),
        ("trader_id,department,basis\n20100000001,15,\n", 2, "basis", "'' is not a short lower-case name"),
        (
            "trader_id,department,basis\n20100000001,15,RUC register\n",
            2,
            "basis",
            "is not a short lower-case",
        ),
        (
            "trader_id,department,basis\n20100000001,15,unattributed\n",
            2,
            "basis",
            "a name comercio uses itself",
        ),
        (
            "trader_id,department,basis\n20100000001,15,ruc\n20100000002,15,ruc\n20100000001,13,ruc\n",
            4,
            "trader_id",
            "exporter 20100000001 is already listed on row 2",
        ),
        ("trader_id,department,department,basis\n", 1, "department", "column 'department' appears twice"),
        ("trader_id,department,basis\n", 2, None, "no rows below the header"),
        ("", None, None, "the file is empty"),
    ],
)
def test_what_is_not_such_a_table_is_refused_with_row_and_column(
    tmp_path: Path, text: str, row: int | None, column: str | None, reason: str
) -> None:
    with pytest.raises(ParseError) as caught:
        read_exporter_regions(csv_file(tmp_path, text))
    error = caught.value
    assert (error.file, error.row, error.column) == ("regions.csv", row, column)
    assert reason in error.reason


def test_text_that_is_not_utf8_names_its_row(tmp_path: Path) -> None:
    raw = b"trader_id,department,basis\n20100000001,15,ruc\n" + "20100000002,15,padrón\n".encode("latin-1")
    with pytest.raises(ParseError, match="not UTF-8") as caught:
        read_exporter_regions(csv_file(tmp_path, raw))
    assert caught.value.row == 3
    with pytest.raises(ParseError, match="UTF-16"):
        read_exporter_regions(csv_file(tmp_path, "trader_id".encode("utf-16")))


def test_the_cli_prints_file_row_and_column_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COMERCIO_HOME", str(tmp_path / "home"))
    path = csv_file(tmp_path, "trader_id,department,basis\n20100000001,31,ruc_register\n")
    with pytest.raises(SystemExit) as code:
        main(["ingest", "exporter-regions", str(path)])
    assert code.value.code == 2
    err = capsys.readouterr().err
    assert "regions.csv" in err and "row 2" in err and "department" in err and "'31'" in err
    assert "Traceback" not in err and str(tmp_path) not in err


def _lines() -> pa.Table:
    rows = [
        ("118-2025-000001", "99", "unattributed", 10.0),
        ("118-2025-000002", "04", "producer_ubigeo", 20.0),
    ]
    base = dict.fromkeys(CUSTOMS_LINES.columns)
    records = [
        base
        | {
            "flow": "X",
            "date": date(2025, 3, 3),
            "period": date(2025, 3, 1),
            "declaration": d,
            "series": 1,
            "customs_office": "118",
            "department": dep,
            "region_basis": basis,
            "trader_id": "20100000001",
            "trader_masked": False,
            "value_usd": v,
            "value_basis": "FOB",
            "file_date": date(2025, 3, 9),
            "synthetic": False,
            "source": "x1.zip",
        }
        for d, dep, basis, v in rows
    ]
    return pa.Table.from_pylist(records, schema=CUSTOMS_LINES.schema)


def test_ingest_loads_one_table_that_a_new_file_replaces(tmp_path: Path) -> None:
    wh = Warehouse(Settings(home=tmp_path / "home"))
    prov = Provenance("sunat-microdata", (FileRef("x1.zip", "0" * 64),), "sunat-microdata/1")
    wh.load("customs_lines", "microdata-x1", _lines(), prov)
    first = csv_file(tmp_path, "trader_id,department,basis\n20100000001,13,ruc_register\n", "a.csv")
    report = ingest(wh, "exporter-regions", [first])
    assert [(r.dataset, r.slice, r.status) for r in report.results] == [
        ("exporter_regions", "table", "loaded")
    ]
    assert "a.csv: 1 exporters, basis ruc_register" in report.notes
    assert ingest(wh, "exporter-regions", [first]).results[0].status == "unchanged"

    def departments() -> list[tuple[str, str, str]]:
        t = wh.table("customs_lines")
        rows = wh.execute(t.select("declaration", "department", "region_basis").order_by("declaration"))
        return [tuple(r.values()) for r in rows.to_pylist()]

    assert departments() == [
        ("118-2025-000001", "13", "ruc_register"),
        ("118-2025-000002", "04", "producer_ubigeo"),
    ]
    second = csv_file(tmp_path, "trader_id,department,basis\n20100000001,20,infotrade\n", "b.csv")
    ingest(wh, "exporter-regions", [second])
    assert [v.slice for v in wh.vintages("exporter_regions")] == ["table"]
    assert departments()[0] == ("118-2025-000001", "20", "infotrade")
