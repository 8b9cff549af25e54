"""The query gateway on both engines: its limits (rows fetched limit + 1, flagged ``truncated``; time), and
what it reads (old vintages without a newer column, the corrected view)."""

from __future__ import annotations

import time
from dataclasses import fields
from pathlib import Path

import ibis
import pyarrow as pa
import pytest

from comercio.config import Settings
from comercio.errors import ConfigError, WarehouseError
from comercio.warehouse import Bounded, Warehouse


def _slow() -> ibis.Table:
    """A sum over a cross join of 4·10^10 pairs: minutes on either engine; only an interrupt ends it soon."""
    a = ibis.memtable(pa.table({"a": pa.array(range(200_000), pa.int64())}))
    b = ibis.memtable(pa.table({"b": pa.array(range(200_000), pa.int64())}))
    pairs = a.cross_join(b)
    return pairs.aggregate(s=(pairs.a * pairs.b).sum())


def test_limits_are_settings_with_defaults_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().query_max_rows == 5_000_000
    assert Settings().query_timeout_s == 15.0
    monkeypatch.setenv("COMERCIO_QUERY_MAX_ROWS", "1000")
    monkeypatch.setenv("COMERCIO_QUERY_TIMEOUT_S", "2.5")
    s = Settings.from_env()
    assert (s.query_max_rows, s.query_timeout_s) == (1000, 2.5)
    monkeypatch.setenv("COMERCIO_QUERY_MAX_ROWS", "many")
    with pytest.raises(ConfigError, match="COMERCIO_QUERY_MAX_ROWS"):
        Settings.from_env()
    with pytest.raises(ConfigError, match="positive"):
        Settings(query_timeout_s=0)


def test_every_setting_is_documented_with_its_variable() -> None:
    doc = Settings.__doc__ or ""
    for f in fields(Settings):
        assert f"\n    {f.name}:\n" in doc, f.name
        section = doc.split(f"\n    {f.name}:\n", 1)[1].split(":\n", 1)[0]
        assert "COMERCIO_" in section, f.name


@pytest.fixture
def wh(tmp_path: Path) -> Warehouse:
    return Warehouse(Settings(home=tmp_path, query_max_rows=5), read_only=True)


def _rows(n: int) -> ibis.Table:
    return ibis.memtable(pa.table({"x": list(range(n))})).order_by("x")


@pytest.mark.parametrize(
    ("n", "limit", "kept", "truncated"),
    [
        (10, None, 5, True),  # the settings' limit
        (5, None, 5, False),  # exactly the limit: nothing left out
        (4, None, 4, False),
        (10, 3, 3, True),  # a tighter limit
        (10, 100, 5, True),  # never looser than the settings
    ],
)
def test_bounded_fetches_one_row_more_to_flag_truncation(
    wh: Warehouse, n: int, limit: int | None, kept: int, truncated: bool
) -> None:
    result = wh.execute_bounded(_rows(n), limit=limit)
    assert isinstance(result, Bounded)
    assert result.table.column("x").to_pylist() == list(range(kept))
    assert (result.truncated, result.limit) == (truncated, min(limit or 5, 5))


def test_execute_stays_unbounded_for_existing_callers(wh: Warehouse) -> None:
    assert wh.execute(_rows(10)).num_rows == 10
    assert wh.execute(_rows(10), limit=2).num_rows == 2


def test_duckdb_query_past_the_timeout_is_interrupted(wh: Warehouse) -> None:
    expr = _slow()
    began = time.monotonic()
    with pytest.raises(WarehouseError, match=r"interrupted after 0\.3 s"):
        wh.execute_bounded(expr, timeout=0.3)
    assert time.monotonic() - began < 10
    assert wh.execute_bounded(_rows(3)).table.num_rows == 3  # the connection still answers


@pytest.mark.slow
@pytest.mark.spark
def test_spark_query_past_the_timeout_is_cancelled(tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    wh = Warehouse(Settings(home=tmp_path, engine="spark", query_timeout_s=3.0), read_only=True)
    wh.backend("spark")  # the JVM starts outside the timed part: the bound is on the query, not the start
    expr = _slow()
    began = time.monotonic()
    with pytest.raises(WarehouseError, match=r"interrupted after 3\.0 s"):
        wh.execute_bounded(expr)
    assert time.monotonic() - began < 60
    # The same Spark session still answers afterwards. A roomy limit: on a loaded machine a tiny Spark job
    # can take longer than the 3 s that the first query was given, and that is not what this test is about.
    after = Warehouse(Settings(home=tmp_path, engine="spark", query_timeout_s=120.0), read_only=True)
    assert after.execute_bounded(_rows(3)).table.num_rows == 3


@pytest.mark.spark
def test_two_warehouses_in_one_spark_session_read_their_own_files(tmp_path: Path) -> None:
    """Spark's temporary views are shared by the process: each warehouse names its own, so a second warehouse
    (another home) never replaces the files the first one reads."""
    pytest.importorskip("pyspark")
    from datetime import date

    from comercio.warehouse import FileRef, Provenance, schema

    spec = schema.get("bcrp_national")
    homes = []
    for value in (1.0, 2.0):
        home = tmp_path / f"home{int(value)}"
        rows = {"flow": ["X"], "period": [date(2022, 1, 1)], "value_usd": [value], "value_basis": ["FOB"]}
        table = pa.table({**rows, "source": ["hand"]}).select(list(spec.columns)).cast(spec.schema)
        prov = Provenance("test", (FileRef(f"{value}.csv", f"{int(value)}" * 64),), "test/1")
        Warehouse(Settings(home=home)).load("bcrp_national", "all", table, prov)
        homes.append(home)
    first, second = (Warehouse(Settings(home=h, engine="spark"), read_only=True) for h in homes)
    a = first.table("bcrp_national")
    b = second.table("bcrp_national")  # registered after the first: must not take over its view
    total = {
        w: w.execute(t.aggregate(v=t.value_usd.sum())).column("v")[0].as_py()
        for w, t in ((first, a), (second, b))
    }
    assert (total[first], total[second]) == (1.0, 2.0)


# -- what the gateway reads ---------------------------------------------------------------------------------
def _lines(source: str, file_date: object, declaration: str, value: float) -> pa.Table:
    """One canonical customs line of the weekly file ``source``."""
    from datetime import date

    from comercio.warehouse.schema import CUSTOMS_LINES

    row = {c: None for c in CUSTOMS_LINES.columns} | {
        "flow": "X",
        "date": date(2025, 3, 3),
        "period": date(2025, 3, 1),
        "declaration": declaration,
        "series": 1,
        "department": "15",
        "region_basis": "producer_ubigeo",
        "product": "0806100000",
        "trader_masked": False,
        "value_usd": value,
        "file_date": file_date,
        "synthetic": False,
        "source": source,
    }
    return pa.Table.from_pylist([row], schema=CUSTOMS_LINES.schema)


def _load(wh: Warehouse, source: str, file_date: object, declaration: str, value: float) -> None:
    import hashlib

    from comercio.warehouse import FileRef, Provenance

    sha = hashlib.sha256(f"{source}{declaration}{value}".encode()).hexdigest()
    prov = Provenance("sunat-microdata", (FileRef(source, sha),), "sunat-microdata/1")
    wh.load(
        "customs_lines", f"microdata-{Path(source).stem}", _lines(source, file_date, declaration, value), prov
    )


def _drop_column(wh: Warehouse, source: str, column: str) -> None:
    """Rewrite the vintage of ``source`` as if written before ``column`` existed."""
    import pyarrow.parquet as pq

    for v in wh.vintages("customs_lines"):
        for f in wh.vintage_dir(v).glob("*.parquet"):
            t = pq.read_table(f)
            if t.column("source")[0].as_py() == source:
                pq.write_table(t.drop_columns([column]), f)
    wh.refresh()


def test_an_old_vintage_without_a_column_reads_it_as_null(tmp_path: Path, engine: str) -> None:
    """A vintage written before ``file_date`` existed reads with it NULL, beside newer ones and alone."""
    from datetime import date

    wh = Warehouse(Settings(home=tmp_path / "home", engine=engine))
    _load(wh, "old.zip", date(2025, 3, 9), "118-2025-000001", 1.0)
    _drop_column(wh, "old.zip", "file_date")
    alone = wh.table("customs_lines", engine)
    got = wh.execute(alone.group_by(["period", "date", "file_date"]).aggregate(v=alone.value_usd.sum()))
    assert got.to_pylist() == [
        {"period": date(2025, 3, 1), "date": date(2025, 3, 3), "file_date": None, "v": 1.0}
    ]
    _load(wh, "new.zip", date(2025, 3, 16), "118-2025-000002", 2.0)
    both = wh.table("customs_lines", engine)
    assert both.schema()["file_date"].is_date()
    rows = wh.execute(both.select("source", "file_date").order_by("source")).to_pylist()
    assert rows == [
        {"source": "new.zip", "file_date": date(2025, 3, 16)},
        {"source": "old.zip", "file_date": None},
    ]


def test_the_corrected_view_anti_joins_only_the_vintages_holding_superseded_lines(tmp_path: Path) -> None:
    """Of three weekly files, the third correcting a line of the first: only the first goes through the
    anti-join; the second is read as it is, and every figure is the corrected one."""
    from datetime import date

    wh = Warehouse(Settings(home=tmp_path / "home"))
    _load(wh, "x1.zip", date(2025, 3, 9), "118-2025-000001", 100.0)
    _load(wh, "x2.zip", date(2025, 3, 16), "118-2025-000002", 7.0)
    _load(wh, "x3.zip", date(2025, 3, 23), "118-2025-000001", 120.0)  # corrects x1's line
    t = wh.table("customs_lines")
    rows = wh.execute(t.select("declaration", "source", "value_usd").order_by("source")).to_pylist()
    assert [(r["source"], r["value_usd"]) for r in rows] == [("x2.zip", 7.0), ("x3.zip", 120.0)]
    sql = ibis.to_sql(t, dialect="duckdb").upper()
    assert "ANTI" in sql and "UNION" in sql
    anti_joined = wh.backend().con.sql("SELECT DISTINCT source FROM customs_lines_corrected").fetchall()
    assert anti_joined == [("x1.zip",)]


def test_without_corrections_or_exporter_table_the_view_is_the_files(tmp_path: Path) -> None:
    """No correction listed and no exporter table: no join, no union, no projection beyond the files."""
    from datetime import date

    wh = Warehouse(Settings(home=tmp_path / "home"))
    _load(wh, "x1.zip", date(2025, 3, 9), "118-2025-000001", 1.0)
    _load(wh, "x2.zip", date(2025, 3, 16), "118-2025-000002", 2.0)
    sql = ibis.to_sql(wh.table("customs_lines"), dialect="duckdb").upper()
    assert "JOIN" not in sql and "UNION" not in sql


def test_answers_memoised_before_the_first_table_are_kept_until_a_new_vintage(tmp_path: Path) -> None:
    """A report memoises answers read from the vintages' aggregates before it asks for the lines' table:
    that first table must not forget them; a vintage committed by another process then does."""
    from datetime import date

    wh = Warehouse(Settings(home=tmp_path / "home"))
    _load(wh, "x1.zip", date(2025, 3, 9), "118-2025-000001", 1.0)
    reader = Warehouse(Settings(home=tmp_path / "home"), read_only=True)
    key = ("answer", reader.version())
    assert reader.memo(key, lambda: 1) == 1
    reader.table("customs_lines")
    assert reader.recall(key) == 1
    _load(wh, "x2.zip", date(2025, 3, 16), "118-2025-000002", 2.0)
    reader.table("customs_lines")
    assert reader.recall(key) is None


def test_a_table_of_the_files_holding_a_column_is_still_corrected(tmp_path: Path, engine: str) -> None:
    """``where`` picks files by footer statistics (a column absent or null on every row: not holding it);
    corrections listed by a vintage left out still apply to the files read; a file rewritten in place is
    judged again."""
    from datetime import date

    from comercio.errors import DataNotAvailable
    from comercio.warehouse import Holding

    wh = Warehouse(Settings(home=tmp_path / "home", engine=engine))
    _load(wh, "old.zip", date(2025, 3, 9), "118-2025-000001", 1.0)
    _drop_column(wh, "old.zip", "file_date")  # written before file_date existed
    _load(wh, "x1.zip", date(2025, 3, 9), "118-2025-000002", 100.0)
    _load(wh, "m.zip", None, "118-2025-000003", 5.0)  # a monthly extract: file_date null on every row
    _load(wh, "x2.zip", date(2025, 3, 16), "118-2025-000003", 6.0)  # corrects the extract's line
    weekly, other = Holding("file_date"), Holding("file_date", non_null=False)
    names = {w: sorted(p.parent.parent.name for p in wh.files("customs_lines", w)) for w in (weekly, other)}
    assert names == {weekly: ["microdata-x1", "microdata-x2"], other: ["microdata-m", "microdata-old"]}

    def read(where: Holding) -> list[tuple[str, float]]:
        t = wh.table("customs_lines", engine, where=where)
        rows = wh.execute(t.select("source", "value_usd").order_by("source")).to_pylist()
        return [(r["source"], r["value_usd"]) for r in rows]

    assert read(weekly) == [("x1.zip", 100.0), ("x2.zip", 6.0)]
    assert read(other) == [("old.zip", 1.0)]  # m.zip's line was superseded by x2, a file not read
    _drop_column(wh, "x1.zip", "file_date")
    assert read(weekly) == [("x2.zip", 6.0)] and read(other) == [("old.zip", 1.0), ("x1.zip", 100.0)]
    with pytest.raises(DataNotAvailable, match="no data file"):
        wh.table("customs_lines", engine, where=Holding("no_such_column"))
