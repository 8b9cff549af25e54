"""`comercio warehouse status`: every dataset with its grain, vintages, rows, totals and months covered; the
orphaned temporaries of interrupted runs (count and size), which the next writer sweeps."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from comercio.cli import main
from comercio.config import Settings
from comercio.warehouse import Warehouse, orphans, schema
from comercio.warehouse.status import notes, status


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
            for column, wanted in spec.total.items():  # only the declared rows (WTO: World, all products)
                t = t.filter(t[column] == wanted)
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
    wto = rows["wto_merchandise"]  # yearly: the span in years; the total is World merchandise exports only
    assert (wto["first_month"], wto["last_month"]) == ("1948", "2023")
    assert 3e14 < wto["value_total_usd"] < 6e14


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


def test_status_shows_orphaned_temporaries_and_the_next_writer_sweeps_them(
    fresh_wh: Warehouse,
    national,
    prov,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    fresh_wh.load("bcrp_national", "n", national(2), prov("a"))
    home = fresh_wh.home
    load_dir = home / "data" / "bcrp_national" / ".tmp-0123abcd"  # a killed load's Parquet files
    load_dir.mkdir()
    (load_dir / "part-00000.parquet").write_bytes(b"x" * 3000)
    old_download = home / "cache" / "bcrp" / ".file.csv.abc123.tmp"  # a killed copy into the cache
    old_download.parent.mkdir(parents=True)
    old_download.write_bytes(b"y" * 2000)
    partial = home / "cache" / "bcrp" / "file.csv.part"  # a killed HTTP transfer
    partial.write_bytes(b"z" * 1000)
    live = home / "cache" / "bcrp" / "other.csv.part"  # a transfer going on right now: not an orphan
    live.write_bytes(b"w" * 10)
    kept = home / "reference" / ".boundaries.geojson.k3y.tmp"  # a killed ingest's copy of a kept asset
    kept.parent.mkdir()
    kept.write_bytes(b"v" * 144)
    hour_ago = time.time() - 2 * orphans.STALE_S
    for p in (old_download, partial):
        os.utime(p, (hour_ago, hour_ago))

    assert orphans.measure(home) == orphans.Orphans(4, 6144)
    assert notes(fresh_wh) == [
        "orphaned temporaries of interrupted runs: 4 (6.0 KB); the next ingest or build removes them"
    ]
    monkeypatch.setenv("COMERCIO_HOME", str(home))
    main(["warehouse", "status"])
    assert "orphaned temporaries of interrupted runs: 4 (6.0 KB)" in capsys.readouterr().out
    main(["warehouse", "status", "--format", "json"])
    out = capsys.readouterr()
    assert json.loads(out.out)[0]["dataset"] == "bcrp_national" and "orphaned temporaries" in out.err

    fresh_wh.load("bcrp_national", "n", national(2), prov("a"))  # unchanged, but a writer all the same
    assert not any(p.exists() for p in (load_dir, old_download, partial, kept))
    assert live.exists()
    assert notes(fresh_wh) == []
