"""``comercio.query.run`` on customs lines: a synthetic twin (50 000 export lines, 2021–2022, calibrated to
BCRP's departments) ingested into a copy of the mirror's warehouse. Multi-dimension cuts with net weight
and unit value must equal a plain DuckDB SQL sum over the same Parquet files; results say they are
synthetic."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from comercio.config import Settings
from comercio.errors import ConfigError, WarehouseError
from comercio.ingest import ingest
from comercio.query import Query, QueryRefused, run
from comercio.synth.customs import generate, marginals_from_tables
from comercio.warehouse import Warehouse

START, END = date(2021, 1, 1), date(2022, 12, 1)


@pytest.fixture(scope="session")
def lines_home(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built warehouse with 50 000 synthetic export lines (Parquet) ingested."""
    root = tmp_path_factory.mktemp("query_lines")
    home = root / "home"
    shutil.copytree(built_home, home)
    wh = Warehouse(Settings(home=home))
    t = wh.table("bcrp_departments", "duckdb")
    t = t.filter((t.period >= START) & (t.period <= END))
    dept = wh.execute(t.select("period", "department", "value_usd"), engine="duckdb")
    twin = generate(
        rows=50_000, seed=7, out=root / "twin", fmt="parquet", marginals=marginals_from_tables(dept),
        start=START, end=END,
    )  # fmt: skip
    report = ingest(wh, "sunat-microdata", list(twin.files))
    assert {r.status for r in report.results} == {"loaded"}
    return home


@pytest.fixture
def lines_wh(lines_home: Path, engine: str) -> Warehouse:
    # Spark's first jobs on a busy two-core machine outlast the default 15 s bound of a query
    return Warehouse(Settings(home=lines_home, engine=engine, query_timeout_s=600.0), read_only=True)


def _sql(wh: Warehouse, select: str, where: str = "", group: str = "1, 2, 3") -> dict[tuple[Any, ...], Any]:
    """Export value and net weight of the lines' Parquet files, by what ``select`` names (year first)."""
    files = [str(p) for p in wh.files("customs_lines")]
    con = wh.backend("duckdb").con
    sql = (
        f"SELECT {select}, sum(value_usd), sum(net_kg) FROM read_parquet(?, union_by_name => true) "
        f"WHERE flow = 'X' {where} GROUP BY {group}"
    )
    n = group.count(",") + 1
    return {tuple(r[:n]): r[n:] for r in con.execute(sql, [files]).fetchall()}


def test_department_by_customs_office_equals_sql(lines_wh: Warehouse, engine: str) -> None:
    query = Query.from_params(
        {"from": "2021-01", "to": "2022-12", "by": "department,customs_office",
         "measures": "value,net_kg,unit_value,growth,share,rank"}
    )  # fmt: skip
    r = run(lines_wh, query, engine=engine)
    assert r.dataset == "customs_lines"  # BCRP has no customs offices: the lines answer
    assert r.synthetic and any("SINTÉTICOS" in n for n in r.notes)
    assert r.periods == ("2021", "2022") and r.partial == ()
    direct = _sql(lines_wh, "CAST(year(period) AS VARCHAR), department, customs_office")
    got = {(row["period"], row["department"], row["customs_office"]): row for row in r.rows}
    assert set(direct) <= set(got)  # no cell dropped
    for key in set(got) - set(direct):  # growth asked: a cell that had exports a year before and none now
        assert got[key]["value"] == 0 and got[key]["growth"] == -1.0
        assert key[0] == "2022" and ("2021", *key[1:]) in direct
    for key, (value, kg) in direct.items():
        row = got[key]
        assert row["value"] == pytest.approx(value, rel=1e-9)
        assert row["net_kg"] == pytest.approx(kg, rel=1e-9)
        assert row["unit_value"] == (pytest.approx(value / kg, rel=1e-9) if kg else None)
        if key[0] == "2022":
            before = direct.get(("2021", key[1], key[2]), (0.0, 0.0))[0]
            assert row["growth"] == (pytest.approx(value / before - 1, rel=1e-9) if before > 0 else None)
        else:  # 2020 is not loaded: no comparison, said in a note
            assert row["growth"] is None
    for year in ("2021", "2022"):
        rows = [row for row in r.rows if row["period"] == year]
        assert sum(row["share"] for row in rows) == pytest.approx(1.0, abs=1e-9)
        for dept in {row["department"] for row in rows}:  # ranks of offices within each department
            ranks = sorted(row["rank"] for row in rows if row["department"] == dept)
            assert ranks == list(range(1, len(ranks) + 1))


def test_hs4_filter_and_transport_mode_breakdown_equal_sql(lines_wh: Warehouse, engine: str) -> None:
    heading = _sql(lines_wh, "CAST(year(period) AS VARCHAR), substr(product, 1, 4)", group="1, 2")
    (year, code), (value, kg) = max(heading.items(), key=lambda kv: kv[1][0])
    q = Query.from_params(
        {"from": f"{year}-01", "to": f"{year}-12", "by": "transport_mode", "where": f"hs4={code}",
         "measures": "value,net_kg,unit_value"}
    )  # fmt: skip
    r = run(lines_wh, q, engine=engine)
    direct = _sql(
        lines_wh,
        "CAST(year(period) AS VARCHAR), transport_mode",
        where=f"AND product LIKE '{code}%' AND year(period) = {year}",
        group="1, 2",
    )
    got = {(row["period"], row["transport_mode"]): row for row in r.rows}
    assert set(got) == set(direct)
    modes = {"1": "marítima", "4": "aérea", "7": "carretera"}  # SUNAT_LAYOUTS.md §3
    assert all(
        row["transport_mode_label"] == modes[row["transport_mode"]]
        for row in r.rows
        if row["transport_mode"] in modes
    )
    for key, (v, w) in direct.items():
        assert got[key]["value"] == pytest.approx(v, rel=1e-9)
        assert got[key]["net_kg"] == pytest.approx(w, rel=1e-9)
    assert sum(row["value"] for row in r.rows) == pytest.approx(value, rel=1e-9)
    assert sum(row["net_kg"] for row in r.rows) == pytest.approx(kg, rel=1e-9)


def test_the_aggregate_still_answers_what_it_can(lines_wh: Warehouse) -> None:
    """Lines loaded change no choice the aggregates can make (docs/decisions/0004)."""
    r = run(lines_wh, Query.from_params({"from": "2022-01", "to": "2022-12", "by": "department"}))
    assert r.dataset == "bcrp_departments" and not r.synthetic
    w = run(lines_wh, Query.from_params({"from": "2022-01", "to": "2022-12", "measures": "value,net_kg"}))
    assert w.dataset == "customs_lines" and w.synthetic  # net weight: only the lines have it


def test_tree_dataset_refuses_a_second_breakdown(lines_wh: Warehouse) -> None:
    q = Query.from_params(
        {"from": "2022-01", "to": "2022-12", "by": "sector,department", "dataset": "sunat_cuadros"}
    )
    with pytest.raises(QueryRefused) as info:
        run(lines_wh, q)
    assert "sunat_cuadros" in info.value.reason and "sector" in info.value.reason


def test_product_levels_are_named(lines_wh: Warehouse) -> None:
    q = Query.from_params(
        {"from": "2022-01", "to": "2022-12", "by": "hs2", "measures": "value", "lang": "en"}
    )
    r = run(lines_wh, q)
    chapters = {row["hs2"]: row["hs2_label"] for row in r.rows}
    assert chapters and all(len(code) == 2 for code in chapters)
    if "08" in chapters:  # HS 2022, chapter 08
        assert chapters["08"].startswith("Fruit and nuts")
    assert sum(label != code for code, label in chapters.items()) == len(chapters)


def test_time_bound_stops_a_query_between_steps(lines_wh: Warehouse) -> None:
    """A bound no query can meet: the run stops with the bound in its message, never a partial table."""
    q = Query.from_params({"from": "2021-01", "to": "2022-12", "by": "product", "measures": "value"})
    with pytest.raises(WarehouseError) as info:
        run(lines_wh, q, timeout_s=1e-6)
    assert "1e-06 s" in info.value.reason or "interrupted" in info.value.reason


def test_product_filters_are_prefixes_and_codes_are_checked(lines_wh: Warehouse) -> None:
    by_hs6 = _sql(lines_wh, "substr(product, 1, 6)", where="AND year(period) = 2022", group="1")
    code = max(by_hs6, key=lambda k: by_hs6[k][0])[0]
    lines = _sql(lines_wh, "product", where=f"AND year(period) = 2022 AND product LIKE '{code}%'", group="1")
    nandina = sorted({p[:8] for (p,) in lines})
    base = {"from": "2022-01", "to": "2022-12", "by": "department", "measures": "value"}
    hs6 = run(lines_wh, Query.from_params({**base, "where": f"hs6={code}"}))
    as_product = run(lines_wh, Query.from_params({**base, "where": f"product={code}"}))
    as_nandina = run(lines_wh, Query.from_params({**base, "where": f"product={','.join(nandina)}"}))
    expected = {row["department"]: row["value"] for row in hs6.rows}
    assert sum(expected.values()) == pytest.approx(by_hs6[(code,)][0], rel=1e-9)
    for r in (as_product, as_nandina):
        assert {row["department"]: row["value"] for row in r.rows} == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ConfigError) as info:
        run(lines_wh, Query.from_params({**base, "where": "department=4"}))
    assert info.value.field == "where" and "'4'" in info.value.reason
    none = run(lines_wh, Query.from_params({**base, "where": "hs4=9999"}))
    assert none.rows == () and any("Ninguna fila" in n for n in none.notes)


def test_a_product_filter_on_a_product_breakdown_keeps_its_lines(lines_wh: Warehouse) -> None:
    lines = _sql(lines_wh, "product", where="AND year(period) = 2022", group="1")
    (code,) = max(lines, key=lambda k: lines[k][0])
    q = Query.from_params(
        {"from": "2022-01", "to": "2022-12", "by": "product", "where": f"product={code[:6]}"}
    )
    r = run(lines_wh, q)
    expected = {p: v for (p,), (v, _) in lines.items() if p.startswith(code[:6])}
    assert {row["product"]: row["value"] for row in r.rows} == pytest.approx(expected, rel=1e-12)


def test_held_months_equal_the_region_cubes_for_every_dataset(lines_wh: Warehouse, engine: str) -> None:
    """The months a query is answered against come from footers (and a distinct over the files they
    cannot tell): the same months the whole region cube holds, for every loaded dataset and flow."""
    from comercio.indicators import engine as eng
    from comercio.warehouse import schema

    for name in lines_wh.datasets():
        if name not in schema.DATASETS or schema.get(name).rank is None:
            continue
        for flow in schema.get(name).flows:
            fresh = Warehouse(lines_wh.settings, read_only=True)
            from_footers = eng.held_months(fresh, name, flow, engine)
            assert from_footers == eng.cube(fresh, name, flow, engine).periods, (name, flow)


def test_a_query_scans_only_its_months_columns_and_filtered_rows(
    lines_wh: Warehouse, engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cube a query reads is narrow (its months, its columns, its raw-column filters applied in the
    scan), and answers exactly what the same query answers with the filters applied to the cube only."""
    from comercio.indicators import engine as eng
    from comercio.query import _cut

    q = Query.from_params(
        {"from": "2022-01", "to": "2022-06", "freq": "quarter", "by": "customs_office",
         "where": ["department=04,11", "hs2=08"], "measures": "value,net_kg,share,growth"}
    )  # fmt: skip
    built: list[eng.Cube] = []
    cube = eng.cube

    def spy(*args: Any, **kw: Any) -> eng.Cube:
        c = cube(*args, **kw)
        built.append(c)
        return c

    monkeypatch.setattr(eng, "cube", spy)
    fresh = Warehouse(lines_wh.settings, read_only=True)
    narrow = run(fresh, q, engine=engine)
    (c,) = built
    assert sorted(c.table.column_names) == sorted(
        ["period", "department", "customs_office", "product", "value_usd", "net_kg"]
    )
    assert {p.year for p in c.table.column("period").to_pylist()} == {2021, 2022}  # growth reads 2021
    assert set(c.table.column("department").to_pylist()) <= {"04", "11"}
    assert all(p.startswith("08") for p in c.table.column("product").to_pylist())
    assert len(c.periods) > 12  # still every month the dataset holds
    monkeypatch.setattr(_cut, "pushed", lambda query: eng.Narrow())
    whole = run(Warehouse(lines_wh.settings, read_only=True), q, engine=engine)
    assert narrow.rows and len(narrow.rows) == len(whole.rows)
    for a, b in zip(narrow.rows, whole.rows, strict=True):  # sums in another order: equal to 1e-9
        assert a.keys() == b.keys()
        for key, value in a.items():
            assert value == (pytest.approx(b[key], rel=1e-9) if isinstance(value, float) else b[key])
