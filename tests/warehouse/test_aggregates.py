"""A vintage's aggregates (sidecars written by its load): where they live, what they hold, when they are
ignored, and how an older warehouse gains them (``comercio warehouse aggregate``)."""

from __future__ import annotations

import importlib.util
import json
import shutil
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from comercio.cli import app
from comercio.config import Settings
from comercio.errors import ValidationError
from comercio.warehouse import FileRef, Provenance, Warehouse, aggregates, schema

DATASET = "customs_lines"


_HELPER = Path(__file__).parents[1] / "indicators" / "_customs_lines.py"
_spec = importlib.util.spec_from_file_location("_customs_lines", _HELPER)
assert _spec is not None and _spec.loader is not None
_helper = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_helper)


def lines(rows: list[tuple[str, date, str, float, float | None]], source: str = "x1.zip") -> pa.Table:
    return _helper.line_table(  # type: ignore[no-any-return]
        [
            {"flow": f, "date": d, "declaration": str(i), "department": dept,
             "region_basis": "producer_ubigeo", "value_usd": v, "net_kg": kg,
             "file_date": date(2024, 2, 4), "source": source}
            for i, (f, d, dept, v, kg) in enumerate(rows)
        ]
    )  # fmt: skip


ROWS = [
    ("X", date(2024, 1, 30), "15", 1.5, 1.0),
    ("X", date(2024, 2, 1), "15", 2.25, None),
    ("X", date(2024, 2, 1), "15", 4.0, 3.0),
    ("M", date(2024, 2, 2), "04", 8.0, 2.0),
]


def load(home: Path, table: pa.Table, slice_: str = "x-w1") -> Warehouse:
    wh = Warehouse(Settings(home=home))
    wh.load(DATASET, slice_, table, Provenance("test", (FileRef(f"{slice_}.zip", "a" * 64),), "test/1"))
    return wh


def test_a_load_writes_its_aggregates_beside_its_data_files(tmp_path: Path) -> None:
    wh = load(tmp_path, lines(ROWS))
    (v,) = wh.vintages(DATASET)
    directory = wh.vintage_dir(v)
    spec = schema.get(DATASET)
    names = sorted(p.name for p in (directory / aggregates.DIRECTORY).iterdir())
    assert names == [aggregates.file_name(spec, k.name, k.columns) for k in aggregates.KINDS][::-1]
    assert names[0].startswith("maturity-") and names[1].startswith("region-")
    assert all(p.parent == directory for p in wh.files(DATASET))  # not data files
    region = aggregates.read(directory, DATASET, "region", aggregates.REGION)
    assert region is not None
    assert sorted(region.to_pylist(), key=repr) == sorted(
        [
            {"flow": "M", "source": "x1.zip",
             "period": date(2024, 2, 1), "customs_office": "118", "department": "04",
             "region_basis": "producer_ubigeo", "value_usd": 8.0, "net_kg": 2.0},
            {"flow": "X", "source": "x1.zip",
             "period": date(2024, 1, 1), "customs_office": "118", "department": "15",
             "region_basis": "producer_ubigeo", "value_usd": 1.5, "net_kg": 1.0},
            {"flow": "X", "source": "x1.zip",
             "period": date(2024, 2, 1), "customs_office": "118", "department": "15",
             "region_basis": "producer_ubigeo", "value_usd": 6.25, "net_kg": 3.0},
        ],
        key=repr,
    )  # fmt: skip
    maturity = aggregates.read(directory, DATASET, "maturity", aggregates.MATURITY)
    assert maturity is not None and sum(maturity.column("value_usd").to_pylist()) == 15.75
    region_file = directory / aggregates.DIRECTORY / aggregates.file_name(spec, "region", aggregates.REGION)
    meta = json.loads(pq.read_schema(region_file).metadata[b"comercio.aggregates"])
    assert meta["format"] == aggregates.FORMAT and tuple(meta["columns"]) == aggregates.REGION


def test_a_sidecar_of_other_columns_format_or_schema_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wh = load(tmp_path, lines(ROWS))
    (v,) = wh.vintages(DATASET)
    directory = wh.vintage_dir(v)
    assert aggregates.read(directory, DATASET, "region", ("period", "department")) is None
    monkeypatch.setattr(aggregates, "FORMAT", aggregates.FORMAT + 1)
    assert aggregates.read(directory, DATASET, "region", aggregates.REGION) is None
    monkeypatch.undo()
    monkeypatch.setattr(aggregates, "fingerprint", lambda spec: "another schema")
    assert aggregates.read(directory, DATASET, "region", aggregates.REGION) is None


def test_a_refused_load_leaves_no_aggregates(tmp_path: Path) -> None:
    bad = lines([("X", date(2024, 1, 30), "15", -1.0, None)])
    with pytest.raises(ValidationError):
        load(tmp_path, bad)
    data = tmp_path / "data" / DATASET
    assert not data.exists() or not any(data.rglob(aggregates.DIRECTORY))


def test_an_older_warehouse_gains_its_aggregates_once(tmp_path: Path) -> None:
    wh = load(tmp_path, lines(ROWS))
    load(tmp_path, lines(ROWS[:1], source="x2.zip"), slice_="x-w2")
    directories = [wh.vintage_dir(v) for v in wh.vintages(DATASET)]
    region = aggregates.file_name(schema.get(DATASET), "region", aggregates.REGION)
    written = {d: (d / aggregates.DIRECTORY / region).read_bytes() for d in directories}
    for d in directories:  # as an older comercio wrote them
        for p in (d / aggregates.DIRECTORY).iterdir():
            p.unlink()
        (d / aggregates.DIRECTORY).rmdir()
    runner = CliRunner()
    env = {"COMERCIO_HOME": str(tmp_path)}
    first = runner.invoke(app, ["warehouse", "aggregate"], env=env)
    assert first.exit_code == 0, first.output
    assert "2 vintages gained aggregates" in first.output
    for d in directories:
        assert aggregates.valid(d, DATASET)
        again = pq.read_table(d / aggregates.DIRECTORY / region)
        assert again.equals(pq.read_table(pa.BufferReader(written[d])))
    second = runner.invoke(app, ["warehouse", "aggregate"], env=env)
    assert second.exit_code == 0 and "Every vintage has its aggregates" in second.output
    assert not list((tmp_path / "data" / DATASET).glob(".tmp-*"))


def test_a_vintage_of_an_older_schema_gains_them_only_when_its_files_hold_the_columns(tmp_path: Path) -> None:
    wh = load(tmp_path, lines(ROWS))
    (v,) = wh.vintages(DATASET)
    directory = wh.vintage_dir(v)
    region = aggregates.read(directory, DATASET, "region", aggregates.REGION)
    for p in (directory / aggregates.DIRECTORY).iterdir():
        p.unlink()
    data = wh.settings.data_dir
    assert aggregates.backfill(data, [(DATASET, v.vintage, directory, None)]) == 1  # same columns and types
    assert aggregates.read(directory, DATASET, "region", aggregates.REGION) == region
    old = tmp_path / "old" / "v1"
    old.mkdir(parents=True)
    pq.write_table(lines(ROWS).drop_columns(["net_kg"]), old / "part-00000.parquet")
    assert aggregates.backfill(data, [(DATASET, "old", old, None)]) == 0
    assert not (old / aggregates.DIRECTORY).exists()


def test_the_index_gives_the_sidecars_rows_and_a_later_vintage_is_read_from_its_own(tmp_path: Path) -> None:
    wh = load(tmp_path, lines(ROWS))
    load(tmp_path, lines(ROWS[:2], source="x2.zip"), slice_="x-w2")
    assert aggregates.complete(wh.catalog, wh.settings.data_dir) == 0  # loads wrote the sidecars
    base = wh.settings.data_dir / DATASET
    names = sorted(p.name.split("-")[0] for p in (base / aggregates.INDEX).iterdir())
    assert names == sorted([*(k.name for k in aggregates.KINDS), "files", "records"])  # and the listing
    load(tmp_path, lines(ROWS[2:], source="x3.zip"), slice_="x-w3")  # after the index
    vintages = Warehouse(Settings(home=tmp_path)).vintages(DATASET)
    directories = [wh.vintage_dir(v) for v in vintages]
    for k in aggregates.KINDS:
        plain, found = aggregates.read_many(directories, DATASET, k.name, k.columns)
        ids = [v.vintage for v in vintages]
        indexed, also = aggregates.read_many(directories, DATASET, k.name, k.columns, ids=ids, base=base)
        assert plain is not None and indexed is not None and found == also == [True, True, True]
        rows = sorted(plain.to_pylist(), key=repr)
        assert sorted(indexed.to_pylist(), key=repr) == rows
        # a vintage the index names but the catalog no longer lists is left out
        fewer, _ = aggregates.read_many(directories[1:], DATASET, k.name, k.columns, ids=ids[1:], base=base)
        assert fewer is not None and sorted(fewer.to_pylist(), key=repr) == sorted(
            [{**r, "vintage": r["vintage"] - 1} for r in rows if r["vintage"] > 0], key=repr
        )
    # the indexed vintages' rows come from the index itself: gone from their own sidecars, still read
    expected = {
        k.name: aggregates.read_many(directories, DATASET, k.name, k.columns)[0] for k in aggregates.KINDS
    }
    for directory in directories[:2]:
        shutil.rmtree(directory / aggregates.DIRECTORY)
    ids = [v.vintage for v in vintages]
    for k in aggregates.KINDS:
        assert aggregates.read_many(directories, DATASET, k.name, k.columns)[1] == [False, False, True]
        indexed, also = aggregates.read_many(directories, DATASET, k.name, k.columns, ids=ids, base=base)
        assert indexed is not None and also == [True, True, True]
        assert sorted(indexed.to_pylist(), key=repr) == sorted(expected[k.name].to_pylist(), key=repr)
