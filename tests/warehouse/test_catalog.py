"""The DuckDB catalog: vintages, the current one per slice, provenance round trip, one writer at a time (the
others wait, bounded, saying so), readers that read the last committed snapshot and never wait."""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from comercio.config import Settings
from comercio.errors import WarehouseError
from comercio.warehouse import Provenance, Warehouse
from comercio.warehouse import catalog as catalog_module
from comercio.warehouse.catalog import Catalog
from comercio.warehouse.loads import schema_fingerprint

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
    assert read.extra == {
        "table": "G1",
        "differences": [{"path": "Total", "difference_usd": 1.5}],
        "schema": schema_fingerprint("bcrp_national"),  # the columns it was written with
    }
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


def test_every_commit_publishes_the_snapshot(fresh_wh: Warehouse, national: Make, prov: MakeProv) -> None:
    cat = fresh_wh.catalog
    assert not cat.snapshot_path.exists()
    fresh_wh.load("bcrp_national", "a", national(2), prov("a1"))
    first = json.loads(cat.snapshot_path.read_text(encoding="utf-8"))["loads"]
    assert [(r["vintage"], r["current"], r["path"]) for r in first] == [
        (cat.current("bcrp_national", "a").vintage, True, "bcrp_national/a/v1")  # type: ignore[union-attr]
    ]
    fresh_wh.load("bcrp_national", "a", national(3), prov("a2"))
    second = json.loads(cat.snapshot_path.read_text(encoding="utf-8"))["loads"]
    assert [(r["number"], r["current"]) for r in second] == [(1, False), (2, True)]
    assert not list(cat.path.parent.glob(".*.tmp")), "the temporary snapshot was renamed into place"


@contextlib.contextmanager
def _held_by_another_thread(hold: Callable[[], contextlib.AbstractContextManager[object]]) -> Iterator[None]:
    """Run the block while another thread is inside ``hold()``; that thread leaves when the block ends."""
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with hold():
            held.set()
            release.wait(30)

    worker = threading.Thread(target=holder)
    worker.start()
    try:
        assert held.wait(30)
        yield
    finally:
        release.set()
        worker.join(30)


def test_readers_read_the_snapshot_while_a_writer_holds_the_lock(
    fresh_wh: Warehouse, national: Make, prov: MakeProv
) -> None:
    fresh_wh.load("bcrp_national", "a", national(2), prov("a1"))
    home = fresh_wh.home
    before = Warehouse(Settings(home=home), read_only=True).vintages(current_only=False)
    # another thread holds the lock and the DuckDB write connection
    with _held_by_another_thread(fresh_wh.catalog.session):
        reader = Warehouse(Settings(home=home), read_only=True)
        assert reader.catalog.writer_since() is not None
        started = time.monotonic()
        assert reader.vintages(current_only=False) == before
        assert time.monotonic() - started < 2, "a reader never waits for the writer"
        # the snapshot is the only thing a reader reads then: without it, a clear error (never DuckDB's)
        reader.catalog.snapshot_path.rename(home / "moved.json")
        fresh = Catalog(reader.catalog.path)
        with (
            pytest.raises(WarehouseError, match="snapshot is not there yet") as err,
            pytest.MonkeyPatch.context() as mp,
        ):
            mp.setattr(catalog_module, "SNAPSHOT_WAIT_S", 0.2)
            fresh.vintages()
        assert str(home) not in str(err.value) and "PID" not in str(err.value)
        (home / "moved.json").rename(reader.catalog.snapshot_path)
    assert Warehouse(Settings(home=home), read_only=True).catalog.writer_since() is None


def test_a_stale_snapshot_is_repaired_by_the_next_writer(
    fresh_wh: Warehouse, national: Make, prov: MakeProv
) -> None:
    fresh_wh.load("bcrp_national", "a", national(2), prov("a1"))
    cat = fresh_wh.catalog
    good = cat.snapshot_path.read_text(encoding="utf-8")
    cat.snapshot_path.write_text('{"format": 1, "loads": []}', encoding="utf-8")  # killed after its commit
    # with no writer active, readers read the DuckDB file itself: the stale snapshot misleads nobody
    assert [v.number for v in Warehouse(Settings(home=fresh_wh.home), read_only=True).vintages()] == [1]
    with cat.writer_lock():
        assert cat.snapshot_path.read_text(encoding="utf-8") == good


def test_a_second_writer_waits_then_gives_up_clearly(
    fresh_wh: Warehouse, capfd: pytest.CaptureFixture[str]
) -> None:
    other = Catalog(fresh_wh.catalog.path, writer_wait_s=1.5)
    with _held_by_another_thread(fresh_wh.catalog.writer_lock):
        started = time.monotonic()
        with pytest.raises(WarehouseError) as err, other.writer_lock():
            pass
        assert 1.5 <= time.monotonic() - started < 5
    message = str(err.value)
    assert "another comercio process is still loading after 1.5 s" in message
    assert "COMERCIO_WRITER_WAIT_S" in message
    said = capfd.readouterr().err
    assert re.search(r"another comercio process is loading \(since \d\d:\d\d\); waiting…", said)
    for text in (message, said):
        assert str(fresh_wh.home) not in text and "PID" not in text and "lock" not in text.lower()


def test_the_writer_lock_is_reentrant_and_sweeps_once(tmp_path: Path) -> None:
    calls: list[int] = []
    cat = Catalog(tmp_path / "catalog.duckdb", on_writer_start=lambda: calls.append(1))
    with cat.writer_lock():
        with cat.writer_lock(), cat.session():
            pass
        assert calls == [1]
    with cat.writer_lock():
        pass
    assert calls == [1, 1]
    assert not cat.path.exists(), "taking the lock creates no catalog"


def test_the_version_changes_exactly_with_the_current_vintages(
    fresh_wh: Warehouse, national: Make, prov: MakeProv
) -> None:
    reader = Warehouse(Settings(home=fresh_wh.home), read_only=True)
    assert reader.version() == ()
    fresh_wh.load("bcrp_national", "a", national(2), prov("a1"))
    v1 = reader.version()
    assert len(v1) == 1
    fresh_wh.load("bcrp_national", "a", national(2), prov("a1"))  # unchanged: no new vintage
    with fresh_wh.catalog.writer_lock():  # a writer that commits nothing
        pass
    assert reader.version() == v1
    fresh_wh.load("bcrp_national", "a", national(3), prov("a2"))
    assert reader.version() != v1
