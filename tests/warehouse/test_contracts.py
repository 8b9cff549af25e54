"""Declared load contracts: every rule refuses with file, row, column and reason, and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from comercio import reference
from comercio.config import Settings
from comercio.errors import ComercioError, ConfigError, ValidationError
from comercio.ingest import ingest
from comercio.warehouse import FileRef, Provenance, Warehouse, schema
from comercio.warehouse.contracts import SOURCE_ROW, Checker, Contract, _contract, contract, contracts

Make = Callable[..., pa.Table]
MakeProv = Callable[..., Provenance]


def test_every_dataset_and_reference_table_declares_a_contract() -> None:
    declared = set(contracts())
    assert set(schema.DATASETS) <= declared, set(schema.DATASETS) - declared
    refs = {f"ref_{n}" for n in reference.names()} | {"ref_hs2022"}
    assert refs <= declared, refs - declared
    for name in schema.DATASETS:
        c = contract(name)
        assert set(c.key) == set(schema.DATASETS[name].grain), name  # the key is the grain
        if schema.DATASETS[name].value_column:  # a table of values (not an attribution table)
            assert "value_usd" in c.finite and "value_usd" in c.non_negative, name
            assert c.shrink.value_share is not None, name


def test_the_real_reference_tables_satisfy_their_contracts() -> None:
    for name in reference.names():
        Checker(contract(f"ref_{name}"), file=name).batch(reference.load(name))


def test_an_unknown_contract_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown keys \\['uniq'\\]"):
        _contract("x", {"uniq": ["a"]})
    with pytest.raises(ConfigError, match="contract of 'x': bad bound"):
        _contract("x", {"span": {"period": ["2024-13", "current"]}})
    with pytest.raises(ConfigError, match="contract of 'x': bad bound"):
        _contract("x", {"years": ["nineteen", "current"]})


def _with(table: pa.Table, column: str, index: int, value: Any) -> pa.Table:
    values = table[column].to_pylist()
    values[index] = value
    i = table.column_names.index(column)
    return table.set_column(i, column, pa.array(values, table.schema.field(column).type))


@pytest.fixture
def loaded(fresh_wh: Warehouse, national: Make, prov: MakeProv, snapshot: Any) -> Callable[[], Any]:
    """A warehouse holding one good vintage; returns a function that snapshots it (files and catalog)."""
    fresh_wh.load("bcrp_national", "national", national(24), prov("good"))
    return lambda: snapshot(fresh_wh.settings.home)


@pytest.mark.parametrize(
    ("column", "index", "value", "reason"),
    [
        ("value_usd", 4, float("nan"), "nan is not a finite number"),
        ("value_usd", 4, float("inf"), "inf is not a finite number"),
        ("value_usd", 4, -5.0, "negative value -5"),
        ("value_usd", 4, 1e300, "implausible value 1e+300 (more than 1e+12 in one row)"),
        ("value_usd", 4, None, "missing value"),
        ("period", 4, date(1800, 1, 1), "1800-01-01 is outside the publisher's plausible span 1990-01-01"),
        ("period", 4, date(2099, 12, 1), "2099-12-01 is outside the publisher's plausible span"),
        ("flow", 4, "Z", "unexpected value 'Z' (expected one of X, M)"),
    ],
    ids=["nan", "inf", "negative", "1e300", "null", "1800", "2099", "flow"],
)
def test_each_row_rule_names_file_row_column_and_reason(
    fresh_wh: Warehouse,
    national: Make,
    prov: MakeProv,
    loaded: Callable[[], Any],
    column: str,
    index: int,
    value: Any,
    reason: str,
) -> None:
    before = loaded()
    bad = _with(national(24, value=1000.0), column, index, value)
    with pytest.raises(ValidationError) as err:
        fresh_wh.load("bcrp_national", "national", bad, prov("bad"))
    e = err.value
    assert (e.file, e.row, e.column) == ("bad.csv", index + 1, column)
    assert reason in e.reason and "bcrp_national" in e.reason
    assert loaded() == before  # catalog and data directory byte-identical


def test_rows_are_numbered_across_batches_and_name_the_readers_source_row(
    fresh_wh: Warehouse, national: Make, prov: MakeProv
) -> None:
    table = _with(national(30), "value_usd", 22, -1.0)
    table = table.append_column(SOURCE_ROW, pa.array(range(100, 130), pa.int64()))
    with pytest.raises(ValidationError) as err:
        fresh_wh.load("bcrp_national", "national", iter(table.to_batches(max_chunksize=8)), prov("a"))
    assert (err.value.row, err.value.record, err.value.column) == (23, 122, "value_usd")
    assert "row 23, record 122, column 'value_usd'" in str(err.value)


def test_the_readers_source_row_is_not_stored(fresh_wh: Warehouse, national: Make, prov: MakeProv) -> None:
    table = national(3).append_column(SOURCE_ROW, pa.array([7, 8, 9], pa.int64()))
    result = fresh_wh.load("bcrp_national", "national", table, prov("a"))
    stored = fresh_wh.table("bcrp_national", "duckdb")
    assert SOURCE_ROW not in stored.columns and result.vintage.rows == 3


def test_a_duplicated_key_names_both_rows(
    fresh_wh: Warehouse, national: Make, prov: MakeProv, loaded: Callable[[], Any]
) -> None:
    before = loaded()
    table = national(24)
    bad = _with(table, "period", 16, table["period"][2].as_py())  # rows 3 and 17: the same month
    with pytest.raises(ValidationError) as err:
        fresh_wh.load("bcrp_national", "national", iter(bad.to_batches(max_chunksize=5)), prov("dup"))
    e = err.value
    assert "duplicate key flow=X, period=2010-03-01 (rows 3 and 17)" in e.reason
    assert (e.file, e.row, e.column) == ("dup.csv", 17, "flow")
    assert loaded() == before


def _world_trade(*, synthetic: bool) -> pa.Table:
    """One world_trade row: Peru's 2020 exports of HS 730890 to Chile."""
    row = {
        "year": 2020,
        "exporter": "PER",
        "importer": "CHL",
        "hs6": "730890",
        "hs_version": "HS17",
        "value_usd": 1.0,
        "quantity_t": None,
        "synthetic": synthetic,
        "source": "t",
    }
    return pa.Table.from_pylist([row], schema=schema.DATASETS["world_trade"].schema)


def test_duplicates_in_a_partitioned_dataset_are_found_across_batches(fresh_wh: Warehouse) -> None:
    batches = [_world_trade(synthetic=False).to_batches()[0] for _ in range(2)]
    with pytest.raises(
        ValidationError, match="duplicate key year=2020, exporter=PER, importer=CHL, hs6=730890"
    ):
        fresh_wh.load("world_trade", "t", iter(batches), Provenance("t", (FileRef("t.zip", "x"),), "t/1"))
    assert fresh_wh.vintages(current_only=False) == []


@pytest.mark.parametrize("rows", [0, "header-only"])
def test_an_empty_first_load_is_refused_and_leaves_no_trace(
    fresh_wh: Warehouse, national: Make, prov: MakeProv, rows: Any
) -> None:
    data: Any = national(0) if rows == 0 else iter([])
    with pytest.raises(ValidationError, match=r"no rows .* an empty load never replaces data") as err:
        fresh_wh.load("bcrp_national", "national", data, prov("empty"))
    assert err.value.file == "empty.csv"
    assert fresh_wh.vintages(current_only=False) == []
    assert not fresh_wh.settings.data_dir.exists()


def test_an_empty_revision_never_replaces_data_even_when_shrink_is_accepted(
    fresh_wh: Warehouse, national: Make, prov: MakeProv, loaded: Callable[[], Any]
) -> None:
    before = loaded()
    with pytest.raises(ValidationError, match="no rows"):
        fresh_wh.load("bcrp_national", "national", national(0), prov("empty"), accept_shrink=True)
    assert loaded() == before


def test_required_members_are_checked(fresh_wh: Warehouse, prov: MakeProv) -> None:
    ubigeos = [str(u) for u in reference.load("departments").column("ubigeo").to_pylist()]
    kept = [u for u in ubigeos if u not in ("07", "15")]
    table = pa.table(
        {
            "flow": ["X"] * len(kept),
            "period": pa.array([date(2020, 1, 1)] * len(kept), pa.date32()),
            "department": kept,
            "region_basis": ["source_table"] * len(kept),
            "value_usd": [1.0] * len(kept),
            "value_basis": ["FOB"] * len(kept),
            "source": ["b.csv"] * len(kept),
        }
    )
    with pytest.raises(ValidationError) as err:
        fresh_wh.load("bcrp_departments", "departments", table, prov("cut"))
    assert err.value.column == "department" and "required members missing: 07, 15" in err.value.reason


def test_the_files_period_bounds_its_dates(fresh_wh: Warehouse, national: Make) -> None:
    p = Provenance(
        "t", (FileRef("x202101.zip", "s"),), "t/1", extra={"file_period": ["2010-01-01", "2010-12-31"]}
    )
    fresh_wh.load("bcrp_national", "a", national(12), p)
    with pytest.raises(ValidationError) as err:
        fresh_wh.load("bcrp_national", "b", national(13), p)
    assert err.value.row == 13 and "2011-01-01 is outside the file's period 2010-01-01 … 2010-12-31" in str(
        err.value
    )


def test_current_bounds_move_with_the_clock() -> None:
    c = Contract(
        "x", span={"period": ("1990-01", "current"), "date": ("1990-01-01", "today")}, years=(1948, "current")
    )
    today = date(2026, 11, 30)
    assert c.bounds("period", pa.date32(), today) == (date(1990, 1, 1), date(2026, 11, 1))
    assert c.bounds("date", pa.date32(), today) == (date(1990, 1, 1), today)
    assert c.bounds("year", pa.int32(), today) == (1948, 2026)
    assert c.bounds("value_usd", pa.float64(), today) is None


def test_a_two_column_csv_cannot_replace_the_hs_table(
    tmp_path: Path, shared_file: Callable[[str], Path]
) -> None:
    wh = Warehouse(Settings(home=tmp_path / "home"))
    ingest(wh, "hs2022", [shared_file("hs/hs2022_en.csv")])
    before = [v.as_dict() for v in wh.vintages(current_only=False)]
    bad = tmp_path / "in" / "hs2022_en.csv"
    bad.parent.mkdir()
    bad.write_text("hscode,description\n01,Animals; live\n0101,Horses\n", encoding="utf-8")
    with pytest.raises(ComercioError) as err:  # the reader or, behind it, the contract refuses it
        ingest(wh, "hs2022", [bad])
    assert err.value.file == "hs2022_en.csv" and "section" in err.value.reason
    # the contract on its own, whatever the reader lets through
    two = pa.table({"hscode": ["01", "0101"], "description": ["Animals; live", "Horses"]})
    with pytest.raises(ValidationError) as verr:
        wh.load(
            "ref_hs2022", "hs2022", two, Provenance("hs2022", (FileRef("hs.csv", "s"),), "h/1"), conform=False
        )
    assert "needs columns ['section', 'parent', 'level']" in verr.value.reason
    bad.write_text(
        "section,hscode,description,parent,level\n" + "".join(f"I,{i:04d},x,01,4\n" for i in range(50)),
        encoding="utf-8",
    )
    with pytest.raises(ComercioError, match="50 rows"):
        ingest(wh, "hs2022", [bad])
    small = pa.table({c: ["x"] * 50 for c in ("section", "description", "parent", "level")}).append_column(
        "hscode", pa.array([f"{i:04d}" for i in range(50)])
    )
    with pytest.raises(ValidationError, match="only 50 rows; a complete ref_hs2022 has at least 6,000"):
        wh.load(
            "ref_hs2022",
            "hs2022",
            small,
            Provenance("hs2022", (FileRef("hs.csv", "t"),), "h/1"),
            conform=False,
        )
    assert [v.as_dict() for v in wh.vintages(current_only=False)] == before


def test_rows_marked_synthetic_label_the_vintage_synthetic(fresh_wh: Warehouse) -> None:
    """A copy of a synthetic file that lost its LEEME still carries the marker on every line."""
    table = _world_trade(synthetic=True)
    prov = Provenance("t", (FileRef("t.zip", "x"),), "t/1", synthetic=False)
    assert fresh_wh.load("world_trade", "t", table, prov).vintage.synthetic is True
