"""Atomic, idempotent loads: vintages with provenance, no-op reloads, failed loads that change nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from _weekly_files import SUNDAYS, write_week
from comercio.config import Settings
from comercio.errors import LoadError, ValidationError, WarehouseError
from comercio.ingest import ingest
from comercio.warehouse import Provenance, Warehouse

Make = Callable[..., pa.Table]
MakeProv = Callable[..., Provenance]


def _listing(wh: Warehouse) -> list[str]:
    base = wh.settings.data_dir
    return sorted(str(p.relative_to(base)) for p in base.rglob("*")) if base.exists() else []


def _sum(wh: Warehouse, dataset: str) -> tuple[int, float]:
    t = wh.table(dataset, "duckdb")
    row = wh.execute(t.aggregate(n=t.count(), v=t.value_usd.sum()), engine="duckdb").to_pylist()[0]
    return int(row["n"]), float(row["v"])


def test_first_load_is_vintage_1_with_provenance(fresh_wh: Warehouse, national: Make, prov: MakeProv) -> None:
    table = national(24)
    p = prov("national-a")
    result = fresh_wh.load("bcrp_national", "national", table, p)

    assert result.status == "loaded"
    v = result.vintage
    assert (v.dataset, v.slice, v.number, v.current) == ("bcrp_national", "national", 1, True)
    assert v.source == "test" and v.parser == "test/1"
    assert v.sha256 == p.sha256 and len(v.sha256) == 64
    assert v.files[0]["name"] == "national-a.csv" and v.files[0]["sha256"] == p.files[0].sha256
    assert v.retrieved_at == "2026-01-02T03:04:05Z"
    assert v.rows == 24
    assert v.value_total == pytest.approx(pc.sum(table["value_usd"]).as_py())
    assert [x.vintage for x in fresh_wh.vintages(current_only=False)] == [v.vintage]
    assert _sum(fresh_wh, "bcrp_national") == (24, pytest.approx(v.value_total))
    assert "vintage 1" in result.summary()


def test_same_provenance_again_is_a_noop(fresh_wh: Warehouse, national: Make, prov: MakeProv) -> None:
    first = fresh_wh.load("bcrp_national", "national", national(12), prov("a"))
    before = _listing(fresh_wh)
    # Different data under the same provenance: the fingerprint decides, the data is not even read.
    again = fresh_wh.load("bcrp_national", "national", national(3), prov("a"))
    assert again.status == "unchanged"
    assert again.vintage == first.vintage
    assert _listing(fresh_wh) == before
    assert len(fresh_wh.vintages(current_only=False)) == 1


def test_new_provenance_makes_vintage_2_and_keeps_vintage_1(
    fresh_wh: Warehouse, national: Make, prov: MakeProv
) -> None:
    fresh_wh.load("bcrp_national", "national", national(12), prov("a"))
    second = fresh_wh.load("bcrp_national", "national", national(13, value=1001.0), prov("b"))
    assert second.vintage.number == 2
    every = fresh_wh.vintages(current_only=False)
    assert [(v.number, v.current) for v in every] == [(1, False), (2, True)]
    assert fresh_wh.vintage_dir(every[0]).is_dir()  # history kept for `comercio diff`
    assert _sum(fresh_wh, "bcrp_national")[0] == 13  # queries see only the current vintage


def test_revised_bcrp_file_becomes_vintage_2(home_copy: Path, modified_bcrp: Callable[..., Any]) -> None:
    wh = Warehouse(Settings(home=home_copy))
    path, _, _ = modified_bcrp()
    report = ingest(wh, "bcrp", [path])
    assert [(r.dataset, r.status, r.vintage.number) for r in report.results] == [
        ("bcrp_departments", "loaded", 2),
        ("bcrp_department_totals", "loaded", 2),
    ]
    again = ingest(wh, "bcrp", [path])
    assert [r.status for r in again.results] == ["unchanged", "unchanged"]
    assert len(wh.vintages("bcrp_departments", current_only=False)) == 2


def _failing_batches(table: pa.Table, fail_after: int) -> Iterator[pa.RecordBatch]:
    for i, batch in enumerate(table.to_batches(max_chunksize=5)):
        if i == fail_after:
            raise RuntimeError("source connection lost")
        yield batch


def test_iterator_failing_midway_leaves_everything_as_before(
    fresh_wh: Warehouse, national: Make, prov: MakeProv
) -> None:
    fresh_wh.load("bcrp_national", "national", national(12), prov("a"))
    files, vintages = _listing(fresh_wh), fresh_wh.vintages(current_only=False)
    answer = _sum(fresh_wh, "bcrp_national")

    with pytest.raises(RuntimeError, match="connection lost"):
        fresh_wh.load("bcrp_national", "national", _failing_batches(national(40), 3), prov("b"))

    assert _listing(fresh_wh) == files
    assert fresh_wh.vintages(current_only=False) == vintages
    assert _sum(fresh_wh, "bcrp_national") == answer
    # and the next load numbers on from the last recorded vintage
    assert fresh_wh.load("bcrp_national", "national", national(12), prov("c")).vintage.number == 2


def test_conform_error_leaves_everything_as_before(
    fresh_wh: Warehouse, national: Make, prov: MakeProv
) -> None:
    fresh_wh.load("bcrp_national", "national", national(12), prov("a"))
    files, vintages = _listing(fresh_wh), fresh_wh.vintages(current_only=False)

    broken = national(12).drop_columns(["value_basis"])
    with pytest.raises(LoadError) as err:
        fresh_wh.load("bcrp_national", "national", broken, prov("b"))
    assert "value_basis" in err.value.reason and err.value.file == "b.csv"

    assert _listing(fresh_wh) == files
    assert fresh_wh.vintages(current_only=False) == vintages


def test_a_first_load_that_fails_leaves_no_dataset(
    fresh_wh: Warehouse, national: Make, prov: MakeProv
) -> None:
    with pytest.raises(LoadError):
        fresh_wh.load(
            "bcrp_national", "x", national(3).append_column("extra", pa.array([1, 2, 3])), prov("a")
        )
    assert fresh_wh.vintages(current_only=False) == []
    assert not fresh_wh.has("bcrp_national")
    assert not any(p.is_file() for p in fresh_wh.settings.data_dir.rglob("*"))


def test_empty_input_without_schema_is_refused(fresh_wh: Warehouse, national: Make, prov: MakeProv) -> None:
    with pytest.raises(ValidationError, match="no rows"):
        fresh_wh.load("ref_anything", "x", iter([]), prov("a"), conform=False)
    assert fresh_wh.vintages(current_only=False) == []


def test_read_only_warehouse_refuses_loads(built_home: Path, national: Make, prov: MakeProv) -> None:
    wh = Warehouse(Settings(home=built_home), read_only=True)
    with pytest.raises(WarehouseError, match="read-only"):
        wh.load("bcrp_national", "national", national(1), prov("a"))


def test_partitioned_dataset_writes_one_file_series_per_year(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pyarrow as pa

    from comercio.config import Settings
    from comercio.warehouse import FileRef, Provenance, Warehouse

    wh = Warehouse(Settings(home=tmp_path))
    n = 6
    table = pa.table(
        {
            "year": [2001, 2001, 2002, 2002, 2003, 2003],
            "exporter": ["PER"] * n,
            "importer": ["CHL"] * n,
            "hs6": ["730890", "847130", "730890", "847130", "730890", "847130"],
            "hs_version": ["HS17"] * n,
            "value_usd": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "quantity_t": [None] * n,
            "synthetic": [True] * n,
            "source": ["t"] * n,
        }
    )
    result = wh.load("world_trade", "t", table, Provenance("test", (FileRef("t.zip", "x"),), "test/1"))
    files = sorted(p.name for p in wh.vintage_dir(result.vintage).glob("*.parquet"))
    assert files == [f"part-year={y}-00000.parquet" for y in (2001, 2002, 2003)]
    t = wh.table("world_trade")
    totals = wh.execute(t.group_by("year").aggregate(v=t.value_usd.sum()).order_by("year")).to_pylist()
    assert totals == [{"year": 2001, "v": 3.0}, {"year": 2002, "v": 7.0}, {"year": 2003, "v": 11.0}]


def test_a_vintage_written_with_older_columns_is_reloaded_not_unchanged(tmp_path: Path) -> None:
    """A customs-lines vintage written before ``file_date`` existed (by an older comercio) is a changed file:
    ingesting the same weekly file again reloads it with today's columns."""
    wh = Warehouse(Settings(home=tmp_path / "home"))
    week = write_week(tmp_path / "mirror", SUNDAYS[0])
    (first,) = ingest(wh, "sunat-microdata", [week]).results
    assert first.status == "loaded" and first.vintage.extra.get("schema")
    again = ingest(wh, "sunat-microdata", [week]).results
    assert [r.status for r in again] == ["unchanged"]
    # What an older comercio left: the files without file_date, a provenance without the fingerprint.
    for part in (wh.settings.data_dir / first.vintage.path).glob("*.parquet"):
        pq.write_table(pq.read_table(part).drop_columns(["file_date"]), part)
    con = duckdb.connect(str(wh.catalog.path))
    for vintage, extra in con.execute("SELECT vintage, extra FROM loads").fetchall():
        kept = {k: v for k, v in json.loads(extra).items() if k != "schema"}
        con.execute("UPDATE loads SET extra = ? WHERE vintage = ?", [json.dumps(kept), vintage])
    con.close()
    old = Warehouse(Settings(home=tmp_path / "home"))
    assert "schema" not in old.vintages("customs_lines")[0].extra
    (reloaded,) = ingest(old, "sunat-microdata", [week]).results
    assert reloaded.status == "loaded" and reloaded.vintage.number == 2
    t = old.table("customs_lines", "duckdb")
    assert old.execute(t.aggregate(n=t.file_date.notnull().sum()), engine="duckdb").to_pylist()[0]["n"] == 3
