"""Corrections across weekly files: the latest file wins, decided at load time, applied when reading
(docs/decisions/0017-weekly-microdata-archive.md §4), and the user's exporter → department basis (§6).

Small ``customs_lines`` tables are built with the schema and loaded with ``wh.load``; every reading test runs
on both engines.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from _weekly_files import SUNDAYS, write_week
from comercio.config import Settings
from comercio.ingest import ingest
from comercio.warehouse import FileRef, Provenance, Warehouse, revisions
from comercio.warehouse.schema import CUSTOMS_LINES, EXPORTER_REGIONS
from comercio.warehouse.status import notes, status

WEEK_1 = date(2025, 3, 9)  # the last day of each file's week
WEEK_2 = WEEK_1 + timedelta(days=7)
WEEK_3 = WEEK_2 + timedelta(days=7)


def lines(file: str, file_date: date | None, rows: list[dict[str, Any]]) -> pa.Table:
    """Canonical customs lines of one weekly file: each row gives at least declaration and value."""
    base = {
        "flow": "X",
        "date": date(2025, 3, 3),
        "period": date(2025, 3, 1),
        "series": 1,
        "customs_office": "118",
        "department": "15",
        "region_basis": "producer_ubigeo",
        "partner": "US",
        "product": "0806100000",
        "hs6": "080610",
        "hs_version": "2022",
        "transport_mode": "1",
        "trader_id": "20100000001",
        "trader_masked": False,
        "value_basis": "FOB",
        "unit": "KG",
        "file_date": file_date,
        "synthetic": False,
        "source": file,
    }
    records = [base | {"fob_usd": r["value_usd"], "net_kg": 1.0} | r for r in rows]
    full = [{c: r.get(c) for c in CUSTOMS_LINES.columns} for r in records]
    return pa.Table.from_pylist(full, schema=CUSTOMS_LINES.schema)


def load(
    wh: Warehouse, file: str, file_date: date | None, rows: list[dict[str, Any]], parser: str = "1"
) -> Any:
    """Load one weekly file as the slice ``microdata-<stem>`` (a new parser's reading may shrink it)."""
    sha = hashlib.sha256(f"{file}{rows}".encode()).hexdigest()
    prov = Provenance("sunat-microdata", (FileRef(file, sha),), f"sunat-microdata/{parser}")
    table = lines(file, file_date, rows)
    return wh.load("customs_lines", f"microdata-{Path(file).stem}", table, prov, accept_shrink=parser != "1")


def decl(n: int, year: int = 2025) -> str:
    return f"118-{year}-{n:06d}"


def current(wh: Warehouse, engine: str) -> dict[tuple[str, str, int], tuple[float, str]]:
    """(flow, declaration, series) → (value, source) of the rows the gateway gives."""
    t = wh.table("customs_lines", engine)
    rows = wh.execute(t.select("flow", "declaration", "series", "value_usd", "source"), engine=engine)
    out = {}
    for r in rows.to_pylist():
        key = (r["flow"], r["declaration"], r["series"])
        assert key not in out, f"{key} counted twice"
        out[key] = (r["value_usd"], r["source"])
    return out


@pytest.fixture
def wh(tmp_path: Path, engine: str) -> Warehouse:
    return Warehouse(Settings(home=tmp_path / "home", engine=engine))


def test_a_correction_in_a_later_file_replaces_the_line(wh: Warehouse, engine: str) -> None:
    load(
        wh,
        "x1.zip",
        WEEK_1,
        [{"declaration": decl(1), "value_usd": 100.0}, {"declaration": decl(2), "value_usd": 50.0}],
    )
    result = load(
        wh,
        "x2.zip",
        WEEK_2,
        [{"declaration": decl(1), "value_usd": 120.0}, {"declaration": decl(3), "value_usd": 10.0}],
    )

    assert current(wh, engine) == {
        ("X", decl(1), 1): (120.0, "x2.zip"),
        ("X", decl(2), 1): (50.0, "x1.zip"),
        ("X", decl(3), 1): (10.0, "x2.zip"),
    }
    extra = result.vintage.extra["revisions"]
    assert (extra["revised_lines"], extra["value_moved_usd"], extra["late_lines"], extra["rows"]) == (
        1,
        20.0,
        0,
        1,
    )
    assert "1 lines correct earlier files (value moved +20.00 US$)" in result.summary()
    # the records live inside the new vintage, out of the data's reach
    directory = wh.vintage_dir(result.vintage)
    [record] = pa.concat_tables([pq.read_table(p) for p in revisions.files(directory)]).to_pylist()
    assert record == {
        "flow": "X",
        "declaration": decl(1),
        "series": 1,
        "source": "x1.zip",
        "file_date": WEEK_1,
        "value_usd": 100.0,
        "by_source": "x2.zip",
        "by_file_date": WEEK_2,
        "by_value_usd": 120.0,
        "late": False,
    }
    assert all(p.parent.name != revisions.DIRECTORY for p in wh.files("customs_lines"))


def test_an_older_file_loaded_after_the_newer_does_not_win(wh: Warehouse, engine: str) -> None:
    load(wh, "x2.zip", WEEK_2, [{"declaration": decl(1), "value_usd": 120.0}])
    late = load(
        wh,
        "x1.zip",
        WEEK_1,
        [{"declaration": decl(1), "value_usd": 100.0}, {"declaration": decl(2), "value_usd": 50.0}],
    )

    assert current(wh, engine) == {("X", decl(1), 1): (120.0, "x2.zip"), ("X", decl(2), 1): (50.0, "x1.zip")}
    extra = late.vintage.extra["revisions"]
    assert (extra["revised_lines"], extra["value_moved_usd"], extra["late_lines"]) == (0, 0.0, 1)
    assert "1 lines already corrected by later files (left out)" in late.summary()


def test_three_files_in_any_order_the_latest_wins(wh: Warehouse, engine: str) -> None:
    values = {"x1.zip": (WEEK_1, 100.0), "x2.zip": (WEEK_2, 120.0), "x3.zip": (WEEK_3, 90.0)}
    for file in ("x3.zip", "x1.zip", "x2.zip"):
        when, value = values[file]
        load(wh, file, when, [{"declaration": decl(1), "value_usd": value}])
    assert current(wh, engine) == {("X", decl(1), 1): (90.0, "x3.zip")}


def test_ties_and_missing_file_dates(wh: Warehouse, engine: str) -> None:
    # same file_date: the larger source wins; a null file_date is the oldest
    load(
        wh,
        "xb.zip",
        WEEK_1,
        [{"declaration": decl(1), "value_usd": 2.0}, {"declaration": decl(2), "value_usd": 5.0}],
    )
    load(wh, "xa.zip", WEEK_1, [{"declaration": decl(1), "value_usd": 1.0}])
    load(wh, "aduanet.csv", None, [{"declaration": decl(2), "value_usd": 4.0}])
    assert current(wh, engine) == {("X", decl(1), 1): (2.0, "xb.zip"), ("X", decl(2), 1): (5.0, "xb.zip")}


def test_the_key_is_flow_declaration_and_series(wh: Warehouse, engine: str) -> None:
    load(
        wh,
        "x1.zip",
        WEEK_1,
        [{"declaration": decl(1), "value_usd": 1.0}, {"declaration": decl(1), "series": 2, "value_usd": 2.0}],
    )
    load(
        wh, "m2.zip", WEEK_2, [{"declaration": decl(1), "flow": "M", "value_usd": 3.0, "value_basis": "CIF"}]
    )
    assert len(current(wh, engine)) == 3
    assert not any(revisions.count(v.extra) for v in wh.vintages("customs_lines"))


def test_a_week_fetched_twice_changes_nothing(wh: Warehouse, engine: str) -> None:
    rows = [{"declaration": decl(1), "value_usd": 100.0}]
    load(wh, "x1.zip", WEEK_1, rows)
    load(wh, "x2.zip", WEEK_2, [{"declaration": decl(1), "value_usd": 120.0}])
    before = [v.as_dict() for v in wh.vintages(current_only=False)]
    again = load(wh, "x1.zip", WEEK_1, rows)
    assert again.status == "unchanged"
    assert [v.as_dict() for v in wh.vintages(current_only=False)] == before
    assert current(wh, engine) == {("X", decl(1), 1): (120.0, "x2.zip")}


def test_a_reloaded_slice_recomputes_its_corrections(wh: Warehouse, engine: str) -> None:
    load(wh, "x1.zip", WEEK_1, [{"declaration": decl(1), "value_usd": 100.0}])
    load(
        wh,
        "x2.zip",
        WEEK_2,
        [{"declaration": decl(1), "value_usd": 120.0}, {"declaration": decl(2), "value_usd": 7.0}],
    )
    # the later file read again by a new parser has no corrected line any more: the earlier one counts again
    load(wh, "x2.zip", WEEK_2, [{"declaration": decl(2), "value_usd": 7.0}], parser="2")
    assert current(wh, engine) == {("X", decl(1), 1): (100.0, "x1.zip"), ("X", decl(2), 1): (7.0, "x2.zip")}


def test_without_corrections_the_view_is_the_plain_files(wh: Warehouse) -> None:
    load(wh, "x1.zip", WEEK_1, [{"declaration": decl(1), "value_usd": 1.0}])
    load(wh, "x2.zip", WEEK_2, [{"declaration": decl(2), "value_usd": 2.0}])
    for v in wh.vintages("customs_lines"):
        assert "revisions" not in v.extra
        assert not (wh.vintage_dir(v) / revisions.DIRECTORY).exists()
    sql = ibis.to_sql(wh.table("customs_lines"), dialect="duckdb").upper()
    assert "ANTI" not in sql and "SUPERSEDED" not in sql


def test_status_counts_a_corrected_line_once(tmp_path: Path) -> None:
    wh = Warehouse(Settings(home=tmp_path / "home"))
    load(
        wh,
        "x1.zip",
        WEEK_1,
        [{"declaration": decl(1), "value_usd": 100.0}, {"declaration": decl(2), "value_usd": 50.0}],
    )
    load(wh, "x2.zip", WEEK_2, [{"declaration": decl(1), "value_usd": 120.0}])
    [row] = [r for r in status(wh) if r["dataset"] == "customs_lines"]
    assert (row["rows"], row["value_total_usd"]) == (2, 170.0)
    assert "customs_lines: 1 lines superseded by corrections in later files (not counted above)" in notes(wh)


def test_status_summarises_many_weekly_slices(tmp_path: Path) -> None:
    wh = Warehouse(Settings(home=tmp_path / "home"))
    for week in range(7):
        load(
            wh,
            f"x{week}.zip",
            WEEK_1 + timedelta(days=7 * week),
            [{"declaration": decl(week), "value_usd": 1.0}],
        )
    load(wh, "x6.zip", WEEK_3, [{"declaration": decl(6), "value_usd": 1.0}], parser="2")
    [row] = status(wh)
    assert row["current"] == "7 slices (microdata-x0 … microdata-x6), v1 to v2"
    [row] = status(wh, slices=True)
    assert row["current"].count("@v") == 7 and "microdata-x6@v2" in row["current"]


def test_years_before_the_declarations_are_not_read(tmp_path: Path) -> None:
    """A vintage whose file ends before the first year of the new declarations is never opened."""
    new = tmp_path / "new"
    new.mkdir()
    pq.write_table(
        lines("x9.zip", WEEK_2, [{"declaration": decl(1), "value_usd": 1.0}]), new / "part.parquet"
    )
    gone = [tmp_path / "no-such-file.parquet"]  # reading it would fail
    assert (
        revisions.find(CUSTOMS_LINES.revision_key, [new / "part.parquet"], [(gone, date(2024, 12, 29))], new)
        is None
    )


def test_lines_written_before_file_date_existed_are_the_oldest(tmp_path: Path) -> None:
    """A vintage of an earlier schema (no ``file_date`` column) is read as null file dates: it loses."""
    old, new = tmp_path / "old.parquet", tmp_path / "new"
    new.mkdir()
    pq.write_table(
        lines("old.csv", None, [{"declaration": decl(1), "value_usd": 1.0}]).drop_columns(["file_date"]), old
    )
    pq.write_table(
        lines("x1.zip", WEEK_1, [{"declaration": decl(1), "value_usd": 2.0}]), new / "part.parquet"
    )
    found = revisions.find(CUSTOMS_LINES.revision_key, [new / "part.parquet"], [([old], None)], new)
    assert found == revisions.Summary(revised=1, moved_usd=1.0, moved_abs_usd=1.0, late=0, rows=1)
    [record] = pq.read_table(revisions.files(new)[0]).to_pylist()
    assert (record["source"], record["file_date"], record["by_source"]) == ("old.csv", None, "x1.zip")


def test_a_preview_names_the_corrections_a_file_would_make(tmp_path: Path) -> None:
    wh = Warehouse(Settings(home=tmp_path / "home"))
    load(wh, "x1.zip", WEEK_1, [{"declaration": decl(1), "value_usd": 100.0}])
    before = [v.as_dict() for v in wh.vintages(current_only=False)]
    prov = Provenance("sunat-microdata", (FileRef("x2.zip", "2" * 64),), "sunat-microdata/1")
    table = lines("x2.zip", WEEK_2, [{"declaration": decl(1), "value_usd": 120.0}])
    comparison = wh.loader.preview("customs_lines", "microdata-x2", table, prov)
    assert comparison is not None and comparison.first
    assert comparison.notes == ("1 lines correct earlier files (value moved +20.00 US$)",)
    assert [v.as_dict() for v in wh.vintages(current_only=False)] == before
    plain = lines("x3.zip", WEEK_3, [{"declaration": decl(9), "value_usd": 1.0}])
    assert wh.loader.preview("customs_lines", "microdata-x3", plain, prov) is None


# -- the user's exporter → department basis ---------------------------------------------------------------


def regions(wh: Warehouse, rows: list[tuple[str, str, str]]) -> None:
    table = pa.Table.from_pylist(
        [{"trader_id": t, "department": d, "basis": b, "source": "regions.csv"} for t, d, b in rows],
        schema=EXPORTER_REGIONS.schema,
    )
    sha = hashlib.sha256(repr(rows).encode()).hexdigest()
    wh.load(
        "exporter_regions",
        "table",
        table,
        Provenance("exporter-regions", (FileRef("regions.csv", sha),), "x/1"),
    )


def test_the_basis_attributes_only_lines_without_ubigeo(wh: Warehouse, engine: str) -> None:
    unattributed = {"department": "99", "region_basis": "unattributed"}
    load(
        wh,
        "x1.zip",
        WEEK_1,
        [
            {"declaration": decl(1), "value_usd": 1.0, "trader_id": "20100000001"} | unattributed,
            {"declaration": decl(2), "value_usd": 2.0, "trader_id": "20100000001", "department": "04"},
            {"declaration": decl(3), "value_usd": 4.0, "trader_id": "10400000009", "trader_masked": True}
            | unattributed,
            {"declaration": decl(4), "value_usd": 8.0, "trader_id": "20100000002"} | unattributed,
            {"declaration": decl(5), "value_usd": 16.0, "trader_id": "20100000001", "flow": "M"}
            | unattributed,
        ],
    )
    t = wh.table("customs_lines", engine)
    before = wh.execute(t.aggregate(n=t.count(), v=t.value_usd.sum()), engine=engine).to_pylist()
    regions(wh, [("20100000001", "13", "ruc_register"), ("10400000009", "13", "ruc_register")])

    t = wh.table("customs_lines", engine)
    assert t.columns == CUSTOMS_LINES.columns
    got = {
        r["declaration"]: (r["department"], r["region_basis"])
        for r in wh.execute(t.select("declaration", "department", "region_basis"), engine=engine).to_pylist()
    }
    assert got == {
        decl(1): ("13", "ruc_register"),  # attributed by the user's table
        decl(2): ("04", "producer_ubigeo"),  # a filled UBIGEO is never overridden
        decl(3): ("99", "unattributed"),  # masked exporter
        decl(4): ("99", "unattributed"),  # not in the table
        decl(5): ("99", "unattributed"),  # imports
    }
    after = wh.execute(t.aggregate(n=t.count(), v=t.value_usd.sum()), engine=engine).to_pylist()
    assert after == before == [{"n": 5, "v": 31.0}]


def test_a_load_indexes_its_keys_and_reads_only_matching_vintages(tmp_path: Path) -> None:
    """Each vintage records its key index and declaration years; a vintage of other years is never opened,
    and of an indexed vintage of the same years only the index is read until a hash matches."""
    wh = Warehouse(Settings(home=tmp_path / "home"))
    load(wh, "x1.zip", WEEK_1, [{"declaration": decl(1), "value_usd": 1.0}])
    [v] = wh.vintages("customs_lines")
    probe = v.extra["keys"].pop("hash")
    assert v.extra["keys"] == {"rows": 1, "years": [2025, 2025], "zoned": True}  # ordered by declaration
    keyed = revisions.index_file(wh.vintage_dir(v))
    assert keyed is not None
    new = tmp_path / "new"
    new.mkdir()
    pq.write_table(
        lines("x9.zip", WEEK_2, [{"declaration": decl(1), "value_usd": 3.0}]), new / "part.parquet"
    )
    gone = [tmp_path / "no-such-file.parquet"]  # reading it would fail
    other_years = revisions.Other(gone, None, tmp_path / "no-such-index.parquet", (2020, 2021), probe)
    no_match = revisions.Other(gone, None, keyed, (2025, 2025), probe)
    pq.write_table(
        lines("x9.zip", WEEK_2, [{"declaration": decl(2), "value_usd": 3.0}]), new / "part.parquet"
    )
    assert (
        revisions.find(CUSTOMS_LINES.revision_key, [new / "part.parquet"], [other_years, no_match], new)
        is None
    )
    pq.write_table(
        lines("x9.zip", WEEK_2, [{"declaration": decl(1), "value_usd": 3.0}]), new / "part.parquet"
    )
    match = revisions.Other(sorted(wh.vintage_dir(v).glob("*.parquet")), None, keyed, (2025, 2025), probe)
    found = revisions.find(CUSTOMS_LINES.revision_key, [new / "part.parquet"], [other_years, match], new)
    assert found == revisions.Summary(revised=1, moved_usd=2.0, moved_abs_usd=2.0, late=0, rows=1)
    shutil.rmtree(new / revisions.DIRECTORY)
    shutil.rmtree(new / revisions.INDEX)
    stale = revisions.Other(match.files, None, tmp_path / "no-such-index.parquet", (2025, 2025), probe + 1)
    assert revisions.find(CUSTOMS_LINES.revision_key, [new / "part.parquet"], [stale], new) == found
    # the same through the zoned reading of the index (row groups by declaration range)
    shutil.rmtree(new / revisions.DIRECTORY)
    shutil.rmtree(new / revisions.INDEX)
    zoned = match._replace(zoned=True)
    assert (
        revisions.find(CUSTOMS_LINES.revision_key, [new / "part.parquet"], [other_years, zoned], new) == found
    )
    shutil.rmtree(new / revisions.INDEX)
    pq.write_table(
        lines("x9.zip", WEEK_2, [{"declaration": decl(2), "value_usd": 3.0}]), new / "part.parquet"
    )
    assert (
        revisions.find(
            CUSTOMS_LINES.revision_key, [new / "part.parquet"], [no_match._replace(zoned=True)], new
        )
        is None
    )


def test_a_key_with_a_null_part_neither_corrects_nor_is_corrected(tmp_path: Path) -> None:
    wh = Warehouse(Settings(home=tmp_path / "home"))
    load(wh, "x1.zip", WEEK_1, [{"declaration": decl(1), "series": None, "value_usd": 1.0}])
    load(wh, "x2.zip", WEEK_2, [{"declaration": decl(1), "series": None, "value_usd": 2.0}])
    assert not any(revisions.count(v.extra) for v in wh.vintages("customs_lines"))


@pytest.mark.parametrize("order", [(0, 1, 2, 3), (3, 1, 0, 2)])
def test_many_files_in_one_ingest_decide_as_one_at_a_time(tmp_path: Path, order: tuple[int, ...]) -> None:
    """Weekly files ingested together (one batch: one corrections pass, one catalog transaction) give the
    same vintages, corrections and key indexes as the same files ingested one by one, in any order."""
    weeks = [
        write_week(tmp_path / "mirror", SUNDAYS[i], lines=4, first_number=1 + 2 * i, fob=1000.0 + i)
        for i in range(4)
    ]  # each week re-sends two declarations of the week before: a correction
    files = [weeks[i] for i in order]
    together, apart = Warehouse(Settings(home=tmp_path / "a")), Warehouse(Settings(home=tmp_path / "b"))
    report = ingest(together, "sunat-microdata", files)
    assert [r.status for r in report.results] == ["loaded"] * 4
    said = [ingest(apart, "sunat-microdata", [f]).lines()[0] for f in files]

    def seen(wh: Warehouse) -> list[tuple[Any, ...]]:
        out = []
        for v in sorted(wh.vintages("customs_lines"), key=lambda v: v.slice):
            d = wh.vintage_dir(v)
            records = [pq.read_table(p).to_pylist() for p in revisions.files(d)]
            index = pq.read_table(d / revisions.INDEX / "part-0.parquet").column("h").to_pylist()
            out.append((v.slice, v.rows, v.extra.get("revisions"), v.extra.get("keys"), records, index))
        return out

    assert seen(together) == seen(apart)
    assert any(v.extra.get("revisions") for v in together.vintages("customs_lines"))
    assert report.lines()[:4] == said  # the same "N lines correct earlier files" phrases


def test_declarations_outside_sunats_numbering_are_compared_without_zones(tmp_path: Path) -> None:
    """A declaration that does not fit a zone (an office of eleven digits, as in some extracts) is compared
    on its hash alone: its index is not zoned, and a correction of it is still found."""
    wh = Warehouse(Settings(home=tmp_path / "home"))
    odd = "20230100000-2023-000001"
    load(
        wh,
        "x1.zip",
        WEEK_1,
        [{"declaration": odd, "value_usd": 1.0}, {"declaration": decl(1), "value_usd": 1.0}],
    )
    [v] = wh.vintages("customs_lines")
    assert "zoned" not in v.extra["keys"] and v.extra["keys"]["years"] == [2023, 2025]
    load(wh, "x2.zip", WEEK_2, [{"declaration": odd, "value_usd": 4.0}])
    load(wh, "x3.zip", WEEK_3, [{"declaration": decl(1), "value_usd": 2.0}])
    found = {v.slice: v.extra.get("revisions", {}).get("revised_lines") for v in wh.vintages("customs_lines")}
    assert found == {"microdata-x1": None, "microdata-x2": 1, "microdata-x3": 1}
