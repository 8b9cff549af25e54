"""The listing index (:mod:`comercio.warehouse._listing`): the data files and footer statistics of a
dataset's vintages in one file, and the month reads it prunes (``where=within("period", …)``), which must
still leave out every row a correction superseded, whichever vintage lists the correction."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from comercio.config import Settings
from comercio.errors import DataNotAvailable
from comercio.warehouse import (
    FileRef,
    Holding,
    Provenance,
    Warehouse,
    _footer,
    _listing,
    aggregates,
    schema,
    within,
)

DATASET = "customs_lines"
JAN, FEB = date(2024, 1, 1), date(2024, 2, 1)

_HELPER = Path(__file__).parents[1] / "indicators" / "_customs_lines.py"
_spec = importlib.util.spec_from_file_location("_customs_lines", _HELPER)
assert _spec is not None and _spec.loader is not None
_helper = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_helper)


def load(
    home: Path, slice_: str, rows: list[tuple[int, date, float]], filed: date | list[date | None] | None
) -> None:
    """Export lines (declaration number, date, value) of one weekly file (a monthly extract: no file date;
    or one file date per line)."""
    dates = filed if isinstance(filed, list) else [filed] * len(rows)
    table = _helper.line_table(
        [
            {"flow": "X", "date": d, "declaration": str(n), "department": "15",
             "region_basis": "producer_ubigeo", "value_usd": v, "net_kg": 1.0, "file_date": f,
             "source": f"{slice_}.zip"}
            for (n, d, v), f in zip(rows, dates, strict=True)
        ]
    )  # fmt: skip
    prov = Provenance("test", (FileRef(f"{slice_}.zip", slice_[-1] * 64),), "test/1")
    Warehouse(Settings(home=home)).load(DATASET, slice_, table, prov)


def rewrite(home: Path, slice_: str, **options: Any) -> None:
    """Write one vintage's data files again with other Parquet writer ``options`` (the same rows)."""
    wh = Warehouse(Settings(home=home))
    for v in wh.vintages(DATASET):
        if v.slice == slice_:
            for path in wh.vintage_dir(v).glob("*.parquet"):
                pq.write_table(pq.read_table(path), path, **options)


def archive(home: Path, *, indexed: bool, odd: bool = False) -> Path:
    """Two January weeks; a February week that corrects a January line of the first (its new date in
    February: the correcting vintage holds no January row) and adds one; indexed then when asked; and a
    last February week, loaded after the index (listed from its directory), correcting a line of the
    second week into February too. ``odd`` adds, before the index: a February monthly extract (no file
    date), a December week written without statistics and a November file of two row groups, one with
    no file date at all."""
    load(home, "x-w1", [(0, date(2024, 1, 10), 100.0), (1, date(2024, 1, 12), 200.0)], date(2024, 1, 14))
    load(home, "x-w2", [(2, date(2024, 1, 17), 300.0)], date(2024, 1, 21))
    load(home, "x-w3", [(0, date(2024, 2, 2), 150.0), (3, date(2024, 2, 3), 400.0)], date(2024, 2, 4))
    if odd:
        load(home, "x-m1", [(7, date(2024, 2, 20), 500.0)], None)
        load(home, "x-w0", [(8, date(2023, 12, 5), 10.0), (9, date(2023, 12, 6), 20.0)], date(2023, 12, 31))
        rewrite(home, "x-w0", write_statistics=False)
        nov = [(10, date(2023, 11, 5), 5.0), (11, date(2023, 11, 6), 6.0)]
        load(home, "x-w9", nov, [None, date(2023, 11, 30)])
        rewrite(home, "x-w9", row_group_size=1)
    if indexed:
        wh = Warehouse(Settings(home=home))
        aggregates.complete(wh.catalog, wh.settings.data_dir)
    load(home, "x-w4", [(2, date(2024, 2, 9), 350.0)], date(2024, 2, 11))
    return home


@pytest.fixture(scope="module", params=[False, True], ids=["plain", "indexed"])
def home(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return archive(tmp_path_factory.mktemp("listing"), indexed=request.param)


def rows(table: pa.Table) -> list[dict[str, Any]]:
    return sorted(table.select(["declaration", "period", "value_usd"]).to_pylist(), key=repr)


def test_the_index_holds_every_file_and_its_footer_statistics(tmp_path: Path) -> None:
    home = archive(tmp_path, indexed=True)
    wh = Warehouse(Settings(home=home), read_only=True)
    vintages = wh.vintages(DATASET)
    dirs = {v.vintage: str(wh.vintage_dir(v)) for v in vintages}
    found = _listing.read(wh.settings.data_dir / DATASET, DATASET, dirs)
    assert found is not None
    files = {v.slice: sorted(wh.vintage_dir(v).glob("*.parquet")) for v in vintages}
    assert sorted(found.files) == sorted(str(wh.vintage_dir(v)) for v in vintages if v.slice != "x-w4")
    for slice_, paths in files.items():
        for path in paths:
            for column in _listing.COLUMNS:
                known = found.lookup(str(path), column)
                if slice_ == "x-w4":  # loaded after the index: not in it, its footer is read
                    assert known is False
                else:
                    assert known == _footer.stats(path, column)
            assert found.lookup(str(path), "department") is False  # a column it does not hold
    assert wh.files(DATASET) == [p for v in vintages for p in files[v.slice]]
    # a vintage no longer current is left out: the index names only the current ones it is asked about
    fewer = _listing.read(wh.settings.data_dir / DATASET, DATASET, {k: dirs[k] for k in list(dirs)[1:]})
    assert fewer is not None and len(fewer.files) == 2
    # the record files of superseded rows with their sources: the third week's; the fourth is not indexed
    week = {v.slice: str(wh.vintage_dir(v)) for v in vintages}
    assert found.records == {
        week["x-w1"]: [],
        week["x-w2"]: [],
        week["x-w3"]: [(f"{week['x-w3']}/revisions/part-0.parquet", frozenset({"x-w1.zip"}))],
    }
    listed = _listing.records(found, vintages, wh.settings.data_dir)
    assert [(v.slice, p.parent.parent.name, s) for v, p, s in listed] == [
        ("x-w3", "v1", frozenset({"x-w1.zip"})),
        ("x-w4", "v1", frozenset({"x-w2.zip"})),  # read from its own records
    ]
    assert [v.slice for v, _ in _listing.needed(listed, {"x-w2.zip", "other"})] == ["x-w4"]


def test_the_index_selects_the_files_each_file_s_footer_would(tmp_path: Path) -> None:
    home = archive(tmp_path, indexed=True, odd=True)
    wh = Warehouse(Settings(home=home), read_only=True)
    dirs = {v.vintage: str(wh.vintage_dir(v)) for v in wh.vintages(DATASET)}
    found = _listing.read(wh.settings.data_dir / DATASET, DATASET, dirs)
    assert found is not None
    indexed = [p for fs in found.files.values() for p in fs]
    selectors = [
        within("period", JAN, JAN),
        within("period", FEB),
        within("period", hi=JAN),
        within("period", date(2023, 1, 1), date(2023, 12, 1)),
        within("source", "x-w2.zip", "x-w2.zip"),
        within("file_date", date(2024, 1, 15)),
        Holding("file_date"),
        Holding("file_date", non_null=False),
        Holding("source"),
        within("period", date(2023, 11, 1), date(2023, 11, 1)),
        within("file_date", date(2023, 11, 30), date(2023, 11, 30)),
        within("file_date", hi=date(2023, 11, 1)),
        within("date", date(2023, 12, 1), date(2023, 12, 31)),
    ]
    for where in selectors:
        assert found.selected(where) == {p for p in indexed if where(p)}, where  # footers read per file
    assert found.selected(within("department", "15")) is None  # not an indexed column: file by file
    week = {v.slice: str(wh.vintage_dir(v)) for v in wh.vintages(DATASET)}
    unknown = set(found.files[week["x-w0"]])  # no statistics: may hold any value, selected by every range
    assert found.selected(within("period", JAN, JAN)) == {
        *found.files[week["x-w1"]],
        *found.files[week["x-w2"]],
        *unknown,
    }
    feb = {*found.files[week["x-w3"]], *found.files[week["x-m1"]]}
    assert found.selected(within("period", FEB)) == feb | unknown  # not the fourth's
    # the November file: its row group without a file date holds none; the other one does
    november = set(found.files[week["x-w9"]])
    assert found.selected(within("file_date", hi=date(2023, 11, 30))) == november | unknown
    assert found.selected(within("file_date", hi=date(2023, 11, 29))) == unknown
    assert found.selected(Holding("file_date", non_null=False)) == set(found.files[week["x-m1"]])
    assert found.selected(Holding("file_date")) == set(indexed) - set(found.files[week["x-m1"]])


def test_a_month_read_keeps_only_the_files_of_that_month(home: Path) -> None:
    wh = Warehouse(Settings(home=home), read_only=True)
    january = wh.files(DATASET, within("period", JAN, JAN))
    weeks = {v.slice: wh.vintage_dir(v) for v in wh.vintages(DATASET)}
    assert {p.parent for p in january} == {weeks["x-w1"], weeks["x-w2"]}
    assert {p.parent for p in wh.files(DATASET, within("period", FEB))} == {weeks["x-w3"], weeks["x-w4"]}
    assert wh.files(DATASET, within("period", date(2024, 3, 1))) == []


def test_a_month_read_leaves_out_a_line_corrected_by_a_vintage_of_another_month(
    home: Path, engine: str
) -> None:
    wh = Warehouse(Settings(home=home, engine=engine), read_only=True)
    whole = wh.table(DATASET, engine)
    expected = rows(wh.execute(whole.filter(whole.period == JAN), engine=engine))
    assert [r["declaration"] for r in expected] == ["1"]  # declarations 0 and 2 moved to February
    t = wh.table(DATASET, engine, where=within("period", JAN, JAN))
    assert rows(wh.execute(t.filter(t.period == JAN), engine=engine)) == expected
    t = wh.table(DATASET, engine, where=within("period", FEB))
    got = rows(wh.execute(t, engine=engine))
    assert [(r["declaration"], r["value_usd"]) for r in got] == [("0", 150.0), ("2", 350.0), ("3", 400.0)]


def test_maturity_reads_the_monthly_extracts_through_the_index(tmp_path: Path, engine: str) -> None:
    """The monthly extract (no file date) makes February final, whether its file is found through the index
    (maturity's OTHER selector: files with no file date) or by its footer."""
    from comercio.indicators import maturity

    plain = archive(tmp_path / "plain", indexed=False, odd=True)
    indexed = archive(tmp_path / "indexed", indexed=True, odd=True)
    got = []
    for home in (plain, indexed):
        wh = Warehouse(Settings(home=home, engine=engine), read_only=True)
        extract = [p.parent.parent.name for p in wh.files(DATASET, maturity.OTHER)]
        assert extract == ["x-m1"]
        got.append(maturity.maturity(wh, "X", engine))
    assert got[0] == got[1]
    assert got[1][FEB].basis == "final" and got[1][FEB].completeness == 1.0
    assert got[1][JAN].basis == "published"  # the weeks' month: no extract holds it


def test_a_reader_pairs_the_files_index_only_with_the_records_of_the_same_write(tmp_path: Path) -> None:
    """A write replaces the records' file, then the files'; a reader that read the files' index of the write
    before and the records of the one after takes no record from the index (it finds each vintage's in its
    directory): the records of a vintage replaced between the writes are not read as none."""
    load(tmp_path, "x-w1", [(0, date(2024, 1, 10), 100.0)], date(2024, 1, 14))
    load(tmp_path, "x-w2", [(0, date(2024, 1, 10), 150.0)], date(2024, 1, 21))  # corrects w1's line
    wh = Warehouse(Settings(home=tmp_path))
    aggregates.complete(wh.catalog, wh.settings.data_dir)
    before = wh.vintages(DATASET)  # the reader's catalog
    spec = schema.DATASETS[DATASET]
    base = wh.settings.data_dir / DATASET
    files_before = _listing.path_of(spec, base).read_bytes()
    load(tmp_path, "x-w2", [(0, date(2024, 1, 10), 150.0), (9, date(2024, 1, 11), 1.0)], date(2024, 1, 21))
    aggregates.complete(Warehouse(Settings(home=tmp_path)).catalog, wh.settings.data_dir)
    _listing.path_of(spec, base).write_bytes(files_before)  # the files' index as the reader read it
    found = _listing.read(base, DATASET, {v.vintage: str(wh.vintage_dir(v)) for v in before})
    assert found is not None and found.records == {}  # the records belong to another write: unknown
    listed = _listing.records(found, before, wh.settings.data_dir)
    assert [(v.slice, s) for v, _, s in listed] == [("x-w2", frozenset({"x-w1.zip"}))]


def test_a_read_of_months_no_file_holds_is_empty_with_the_dataset_s_columns(home: Path, engine: str) -> None:
    wh = Warehouse(Settings(home=home, engine=engine), read_only=True)
    t = wh.table(DATASET, engine, where=within("period", date(2024, 3, 1)))
    assert t.schema() == wh.table(DATASET, engine).schema()
    got = wh.execute(t.group_by("period").aggregate(value_usd=t.value_usd.sum()), engine=engine)
    assert got.num_rows == 0
    assert wh.execute(t, engine=engine).num_rows == 0
    with pytest.raises(DataNotAvailable, match="no data file"):  # a column the dataset does not have
        wh.table(DATASET, engine, where=within("perido", date(2024, 3, 1)))
