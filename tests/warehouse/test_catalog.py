"""The DuckDB catalog: vintages, the current one per slice, provenance round trip, one writer at a time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from comercio.config import Settings
from comercio.warehouse import Provenance, Warehouse
from comercio.warehouse.catalog import Catalog

Make = Callable[..., pa.Table]
MakeProv = Callable[..., Provenance]


def test_missing_catalog_reads_as_empty_and_is_not_created(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "nothing" / "catalog.duckdb")
    assert catalog.vintages() == []
    assert catalog.current("bcrp_departments", "departments") is None
    assert catalog.referenced_paths() == set()
    assert not catalog.path.exists()
    assert Warehouse(Settings(home=tmp_path / "nothing"), read_only=True).datasets() == []


def test_one_current_vintage_per_slice(fresh_wh: Warehouse, national: Make, prov: MakeProv) -> None:
    fresh_wh.load("bcrp_national", "a", national(2), prov("a1"))
    fresh_wh.load("bcrp_national", "b", national(3), prov("b1"))
    fresh_wh.load("bcrp_national", "a", national(4), prov("a2"))
    cat = fresh_wh.catalog
    every = cat.vintages("bcrp_national")
    assert [(v.slice, v.number, v.current) for v in every] == [
        ("a", 1, False),
        ("a", 2, True),
        ("b", 1, True),
    ]
    assert [v.number for v in cat.vintages("bcrp_national", slice_="a")] == [1, 2]
    assert [(v.slice, v.number) for v in cat.vintages(current_only=True)] == [("a", 2), ("b", 1)]
    current = cat.current("bcrp_national", "a")
    assert current is not None and current.rows == 4
    assert cat.referenced_paths() == {"bcrp_national/a/v1", "bcrp_national/a/v2", "bcrp_national/b/v1"}
    # the gateway unions the current vintage of every slice
    t = fresh_wh.table("bcrp_national", "duckdb")
    assert fresh_wh.execute(t.aggregate(n=t.count()), engine="duckdb").to_pylist() == [{"n": 7}]


def test_provenance_round_trips_through_the_catalog(
    fresh_wh: Warehouse, national: Make, prov: MakeProv
) -> None:
    p = Provenance(
        "bcrp",
        (prov("x").files[0], prov("y", retrieved_at="2026-03-01T00:00:00Z").files[0]),
        "bcrp/1",
        synthetic=True,
        extra={"table": "G1", "differences": [{"path": "Total", "difference_usd": 1.5}]},
    )
    loaded = fresh_wh.load("bcrp_national", "s", national(5), p).vintage
    [read] = fresh_wh.vintages("bcrp_national")
    assert read == loaded
    assert read.synthetic is True
    assert read.extra == {"table": "G1", "differences": [{"path": "Total", "difference_usd": 1.5}]}
    assert [f["name"] for f in read.files] == ["x.csv", "y.csv"]
    assert read.retrieved_at == "2026-03-01T00:00:00Z"  # the latest of the files
    assert read.as_dict()["vintage"] == read.vintage and "path" not in read.as_dict()
    # the fingerprint ignores the order of the files but not the parser
    swapped = Provenance("bcrp", tuple(reversed(p.files)), "bcrp/1")
    assert swapped.sha256 == p.sha256
    assert Provenance("bcrp", p.files, "bcrp/2").sha256 != p.sha256


def test_writers_wait_for_each_other(fresh_wh: Warehouse, national: Make, prov: MakeProv) -> None:
    done = threading.Event()

    def load() -> None:
        fresh_wh.load("bcrp_national", "s", national(3), prov("a"))
        done.set()

    with fresh_wh.catalog.writer_lock():
        worker = threading.Thread(target=load)
        worker.start()
        time.sleep(0.5)
        assert not done.is_set(), "a second writer must wait for the lock"
        assert fresh_wh.vintages() == []
    worker.join(timeout=30)
    assert done.is_set()
    assert [v.number for v in fresh_wh.vintages()] == [1]
