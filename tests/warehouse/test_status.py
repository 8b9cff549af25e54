"""`comercio warehouse status`: every dataset with its grain, vintages, rows, totals and months covered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from comercio.cli import main
from comercio.config import Settings
from comercio.warehouse import Warehouse, schema
from comercio.warehouse.status import status


def _status_json(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> list[dict]:
    monkeypatch.setenv("COMERCIO_HOME", str(home))
    main(["warehouse", "status", "--format", "json"])
    return list(json.loads(capsys.readouterr().out))


def test_status_json_lists_every_dataset(
    built_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = {r["dataset"]: r for r in _status_json(built_home, monkeypatch, capsys)}
    wh = Warehouse(Settings(home=built_home), read_only=True)
    assert set(rows) == set(wh.datasets())
    assert {"bcrp_departments", "bcrp_department_totals", "sunat_cuadros", "customs_lines"} <= set(rows)
    assert {"ref_departments", "ref_hs2022"} <= set(rows)

    for name, row in rows.items():
        spec = schema.DATASETS.get(name)
        assert row["grain"] == (" × ".join(spec.grain) if spec else "reference table")
        assert row["vintages"] >= row["slices"] >= 1
        t = wh.table(name, "duckdb")
        counted = wh.execute(t.aggregate(n=t.count()), engine="duckdb").to_pylist()[0]["n"]
        assert row["rows"] == counted, name
        if spec is not None and "value_usd" in spec.columns:
            if "level" in spec.columns:  # a hierarchical table's total is its top level, not every subtotal
                t = t.filter(t.level == 0)
            total = wh.execute(t.aggregate(v=t.value_usd.sum()), engine="duckdb").to_pylist()[0]["v"]
            assert row["value_total_usd"] == pytest.approx(total, abs=0.01), name
        else:
            assert row["value_total_usd"] is None, name
        assert row["synthetic"] is False

    bcrp = rows["bcrp_departments"]
    assert (bcrp["first_month"], bcrp["last_month"]) == (
        "2005-01",
        "2022-12",
    )  # SOURCES.md: 2005-01 … 2022-12
    assert bcrp["current"] == "departments@v1"
    cuadros = rows["sunat_cuadros"]
    assert cuadros["slices"] == 2 and cuadros["current"] == "F1@v1, G1@v1"
    assert cuadros["first_month"] == "2005-01" and cuadros["last_month"] == "2025-05"  # F1 runs to 2025-05
    assert rows["ref_departments"]["first_month"] is None


def test_status_counts_history(fresh_wh: Warehouse, national, prov) -> None:  # type: ignore[no-untyped-def]
    fresh_wh.load("bcrp_national", "n", national(2), prov("a"))
    fresh_wh.load("bcrp_national", "n", national(5), prov("b"))
    [row] = status(fresh_wh)
    assert (row["slices"], row["vintages"], row["current"], row["rows"]) == (1, 2, "n@v2", 5)


def test_status_of_an_empty_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _status_json(tmp_path / "empty", monkeypatch, capsys) == []
    main(["warehouse", "status"])
    assert "empty" in capsys.readouterr().out
