"""The region cube and the maturity rows assembled from the vintages' aggregates give the full scan's figures
(docs/decisions/0024-vintage-aggregates.md): weekly twin files, a correction of an earlier week, a vintage
written without aggregates, and an ``exporter_regions`` table that re-attributes departments."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from _customs_lines import line_table

from comercio.config import Settings
from comercio.indicators import assembled
from comercio.indicators import engine as eng
from comercio.indicators import maturity as mat
from comercio.warehouse import FileRef, Provenance, Warehouse, aggregates, schema

DATASET = "customs_lines"
# flow, date, file_date, office, department, basis, trader, value, net_kg
Row = tuple[str, date, date | None, str, str, str, str, float, float | None]

WEEK_1: list[Row] = [
    ("X", date(2024, 1, 29), date(2024, 2, 4), "118", "15", "producer_ubigeo", "201", 100.25, 10.0),
    ("X", date(2024, 2, 2), date(2024, 2, 4), "118", "15", "producer_ubigeo", "201", 200.5, None),
    ("X", date(2024, 2, 3), date(2024, 2, 4), "046", "99", "unattributed", "202", 300.75, 30.0),
    ("X", date(2024, 2, 3), date(2024, 2, 4), "046", "04", "producer_ubigeo", "203", 0.0, 5.0),
]
TWIN_1: list[Row] = [  # the week's imports
    ("M", date(2024, 2, 1), date(2024, 2, 4), "235", "15", "producer_ubigeo", "301", 50.5, 1.0),
    ("M", date(2024, 2, 2), date(2024, 2, 4), "235", "99", "unattributed", "302", 60.0, 2.0),
]
WEEK_2: list[Row] = [
    ("X", date(2024, 2, 6), date(2024, 2, 11), "118", "15", "producer_ubigeo", "201", 400.1, 40.0),
    ("X", date(2024, 2, 9), date(2024, 2, 11), "046", "99", "unattributed", "202", 500.2, 50.0),
]
FIX_3: list[Row] = [  # corrects WEEK_1's first line (declaration 0) and adds one
    ("X", date(2024, 1, 29), date(2024, 2, 18), "118", "15", "producer_ubigeo", "201", 150.0, 15.0),
]
NEW_3: list[Row] = [
    ("X", date(2024, 2, 14), date(2024, 2, 18), "028", "13", "producer_ubigeo", "204", 700.3, 70.0),
]
EXTRACT: list[Row] = [  # a monthly extract with aggregates: lines without a file date (their months final)
    ("X", date(2024, 2, 20), None, "118", "15", "producer_ubigeo", "201", 80.8, 8.0),
    ("X", date(2023, 11, 7), None, "028", "13", "producer_ubigeo", "204", 60.6, None),
    ("M", date(2024, 2, 21), None, "235", "15", "producer_ubigeo", "301", 40.4, 4.0),
]
OLD: list[Row] = [  # a monthly extract loaded before vintages had aggregates
    ("X", date(2023, 12, 5), None, "118", "99", "unattributed", "202", 900.9, 9.0),
]


def load(home: Path, slice_: str, source: str, rows: list[Row], first: int) -> Warehouse:
    wh = Warehouse(Settings(home=home))
    table = line_table(
        [
            {"flow": f, "date": d, "declaration": str(first + i), "customs_office": office,
             "department": dept, "region_basis": basis, "trader_id": trader, "value_usd": value,
             "net_kg": kg, "file_date": filed, "source": source}
            for i, (f, d, filed, office, dept, basis, trader, value, kg) in enumerate(rows)
        ]
    )  # fmt: skip
    prov = Provenance("test", (FileRef(source, source[:1] * 64),), "test/1")
    wh.load(DATASET, slice_, table, prov)
    return wh


def archive(home: Path) -> Path:
    """An extract without aggregates (as an older comercio wrote it), twin weekly files, a second week, a
    third that corrects a line of the first, and a monthly extract with aggregates."""
    wh = load(home, "old", "old.zip", OLD, 900)
    (old,) = wh.vintages(DATASET)
    shutil.rmtree(wh.vintage_dir(old) / aggregates.DIRECTORY)
    load(home, "x-w1", "x1.zip", WEEK_1, 0)
    load(home, "m-w1", "m1.zip", TWIN_1, 0)
    load(home, "x-w2", "x2.zip", WEEK_2, 10)
    load(home, "x-w3", "x3.zip", FIX_3, 0)
    load(home, "x-w3b", "x3b.zip", NEW_3, 20)
    load(home, "extract", "extract.zip", EXTRACT, 950)
    return home


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return archive(tmp_path_factory.mktemp("aggregates"))


def cents(table: pa.Table) -> list[tuple[Any, ...]]:
    """The rows sorted, sums rounded to the cent (the order of floating-point additions differs)."""
    rows = [
        tuple(round(v, 2) if isinstance(v, float) else v for v in row.values()) for row in table.to_pylist()
    ]
    return sorted(rows, key=repr)


def scan(wh: Warehouse, flow: str, engine: str, weight: bool) -> pa.Table:
    """The region cube as the full scan of the corrected lines computes it."""
    spec = schema.get(DATASET)
    expr = eng.cube_expr(wh.table(DATASET, engine), spec, flow, eng.cube_columns(spec), weight=weight)
    return wh.execute(expr, engine=engine)


def test_the_sidecar_columns_are_the_region_cubes() -> None:
    spec = schema.get(DATASET)
    assert aggregates.applies(spec)
    assert eng.cube_columns(spec) == aggregates.REGION


@pytest.mark.parametrize("weight", [False, True])
def test_the_region_cube_from_aggregates_is_the_full_scan(home: Path, engine: str, weight: bool) -> None:
    wh = Warehouse(Settings(home=home, engine=engine), read_only=True)
    part = assembled.split(wh, DATASET, aggregates.kind("region"), "X")
    assert part is not None
    # the corrected week and the vintage without aggregates are scanned; the others are read from sidecars
    assert sorted(p.parent.parent.name for p in part.scanned) == ["old", "x-w1"]
    assert part.cached.num_rows > 0
    extra = frozenset({eng.WEIGHT}) if weight else frozenset()
    for flow in ("X", "M"):
        got = eng.cube(wh, DATASET, flow, engine, extra=extra).table
        assert got.column_names == scan(wh, flow, engine, weight).column_names
        assert cents(got) == cents(scan(wh, flow, engine, weight))
    x = cents(eng.cube(wh, DATASET, "X", engine).table)
    assert (date(2024, 1, 1), "118", "15", "producer_ubigeo", 150.0) in x  # the corrected value, once


def test_maturity_from_aggregates_is_the_full_scan(
    home: Path, engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    wh = Warehouse(Settings(home=home, engine=engine), read_only=True)
    got = {
        flow: (sorted(mat._rows(wh, flow, engine), key=repr), mat.maturity(wh, flow, engine)) for flow in "XM"
    }
    assert assembled.split(wh, DATASET, aggregates.kind("maturity"), "X", mat.WEEKLY) is not None
    monkeypatch.setattr(
        aggregates, "read_many", lambda ds, *a, **kw: (None, [False] * len(ds))
    )  # every vintage scanned, as before
    cold = Warehouse(Settings(home=home, engine=engine), read_only=True)
    assert assembled.split(cold, DATASET, aggregates.kind("maturity"), "X", mat.WEEKLY) is None
    for flow in "XM":
        rows = sorted(mat._rows(cold, flow, engine), key=repr)
        # the lines with a file date, to the cent; the extract's sidecar adds rows without one, whose months
        # are final either way (the full scan finds them in the files without a file date)
        assert weekly(got[flow][0]) == weekly(rows)
        assert {r[0] for r in rows if r[2] is None} <= {r[0] for r in got[flow][0] if r[2] is None}
        assert got[flow][1] == mat.maturity(cold, flow, engine)
    x = got["X"][1]
    assert x[date(2023, 11, 1)].basis == "final" and x[date(2024, 2, 1)].basis == "final"


def weekly(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [(*r[:3], round(r[3], 2)) for r in rows if r[2] is not None]


def test_exporter_regions_loaded_every_vintage_is_scanned(tmp_path: Path, engine: str) -> None:
    from comercio.warehouse.schema import EXPORTER_REGIONS

    home = archive(tmp_path)
    wh = Warehouse(Settings(home=home))
    table = pa.Table.from_pylist(
        [{"trader_id": "202", "department": "13", "basis": "ruc_register", "source": "regions.csv"}],
        schema=EXPORTER_REGIONS.schema,
    )
    wh.load("exporter_regions", "table", table, Provenance("x", (FileRef("regions.csv", "r" * 64),), "x/1"))
    wh = Warehouse(Settings(home=home, engine=engine), read_only=True)
    assert assembled.split(wh, DATASET, aggregates.kind("region"), "X") is None
    got = cents(eng.cube(wh, DATASET, "X", engine).table)
    assert got == cents(scan(wh, "X", engine, False))
    assert (date(2024, 2, 1), "046", "13", "ruc_register", 800.95) in got  # re-attributed lines


def test_with_the_index_the_figures_are_the_same(tmp_path: Path, engine: str) -> None:
    home = archive(tmp_path)
    wh = Warehouse(Settings(home=home))
    aggregates.complete(wh.catalog, wh.settings.data_dir)
    load(home, "x-w4", "x4.zip", NEW_3, 30)  # a vintage the index does not hold
    wh = Warehouse(Settings(home=home, engine=engine), read_only=True)
    part = assembled.split(wh, DATASET, aggregates.kind("region"), "X")
    # the old extract gained its sidecar; only the corrected week is scanned
    assert part is not None and [p.parent.parent.name for p in part.scanned] == ["x-w1"]
    assert part.answered == len(wh.vintages(DATASET)) - 1
    for flow in ("X", "M"):
        assert cents(eng.cube(wh, DATASET, flow, engine).table) == cents(scan(wh, flow, engine, False))


def test_the_index_never_answers_for_a_vintage_replaced_or_corrected_after_it(
    tmp_path: Path, engine: str
) -> None:
    home = archive(tmp_path)
    wh = Warehouse(Settings(home=home))
    aggregates.complete(wh.catalog, wh.settings.data_dir)  # indexes x-w2 and m-w1 among others
    before = sum(row[-1] for row in cents(eng.cube(wh, DATASET, "X", "duckdb").table))
    changed = [(*WEEK_2[0][:7], 999.99, 1.0), WEEK_2[1]]
    # a new vintage of x-w2: the indexed one is no longer current
    load(home, "x-w2", "y2.zip", changed, 10)
    fix: list[Row] = [
        ("M", date(2024, 2, 1), date(2024, 2, 25), "235", "15", "producer_ubigeo", "301", 5.5, 1.0)
    ]
    load(home, "m-w5", "m5.zip", fix, 0)  # corrects m-w1's first line, after the index
    wh = Warehouse(Settings(home=home, engine=engine), read_only=True)
    for flow in ("X", "M"):
        part = assembled.split(wh, DATASET, aggregates.kind("region"), flow)
        assert part is not None
        assert sorted({p.parent.parent.name for p in part.scanned}) == ["m-w1", "x-w1"]
        assert cents(eng.cube(wh, DATASET, flow, engine).table) == cents(scan(wh, flow, engine, False))
    x = sum(row[-1] for row in cents(eng.cube(wh, DATASET, "X", engine).table))
    # the replacing vintage's line counts, not the indexed vintage's
    assert round(x, 2) == round(before - 400.1 + 999.99, 2)
