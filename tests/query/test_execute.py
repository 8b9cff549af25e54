"""``comercio.query.run`` on the warehouse built from the mirror (BCRP departments, SUNAT G1/F1 and G6), on
every engine: figures equal the publishers' own, periods are labelled and partial ones listed, a cut no loaded
data can answer is refused with the data that would answer it."""

from __future__ import annotations

import csv
from collections import defaultdict
from itertools import pairwise
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import comercio
from comercio.errors import ConfigError
from comercio.indicators import engine as eng
from comercio.query import Query, QueryRefused, run
from comercio.warehouse import Warehouse

AREQUIPA = "04"
BCRP_CSV = "bcrp/exports_by_department_monthly_2005_2022.csv"


def q(**params: object) -> Query:
    return Query.from_params(params)


def _bcrp_year_sums(path: Path, name: str) -> dict[str, float]:
    """A department's exports by year straight from BCRP's CSV on the mirror (millions of US$ → US$)."""
    with path.open(encoding="utf-8") as f:
        rows = {r["department"]: r for r in csv.DictReader(f)}
    out: dict[str, float] = defaultdict(float)
    for month, value in rows[name].items():
        if month != "department":
            out[month[:4]] += float(value) * 1e6
    return dict(out)


def test_arequipa_by_year_equals_bcrp(warehouse: Warehouse, engine: str, shared_file) -> None:  # type: ignore[no-untyped-def]
    r = run(
        warehouse,
        q(**{"from": "2005-01", "to": "2022-12", "by": "department", "where": f"department={AREQUIPA}"}),
        engine=engine,
    )
    assert r.dataset == "bcrp_departments"
    assert r.periods == tuple(str(y) for y in range(2005, 2023)) and r.partial == ()
    assert [row["department"] for row in r.rows] == [AREQUIPA] * 18
    assert {row["department_label"] for row in r.rows} == {"Arequipa"}
    got = {row["period"]: row["value"] for row in r.rows}
    csv_sums = _bcrp_year_sums(shared_file(BCRP_CSV), "Arequipa")
    for year in range(2005, 2023):
        published = comercio.indicator(
            warehouse, window=f"year:{year}", grouping="department", compare_years=None, engine=engine
        )
        expected = dict(zip(published["member"], published["value"], strict=True))[AREQUIPA]
        assert got[str(year)] == pytest.approx(expected, rel=1e-12)
        assert got[str(year)] == pytest.approx(csv_sums[str(year)], rel=1e-9)


def test_shares_sum_to_one_and_picked_members_keep_national_share(warehouse: Warehouse, engine: str) -> None:
    r = run(
        warehouse,
        q(**{"from": "2018-01", "to": "2022-12", "by": "department", "measures": "value,share,rank"}),
        engine=engine,
    )
    by_period: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in r.rows:
        by_period[str(row["period"])].append(row)
    assert set(by_period) == {"2018", "2019", "2020", "2021", "2022"}
    for rows in by_period.values():
        assert sum(row["share"] for row in rows) == pytest.approx(1.0, abs=1e-12)
        ranked = sorted(rows, key=lambda row: int(row["rank"]))
        assert [row["rank"] for row in ranked] == list(range(1, len(rows) + 1))
        assert all(a["value"] >= b["value"] for a, b in pairwise(ranked))
    # a filter on the breakdown's own dimension picks rows: the share is still of Peru's total
    one = run(
        warehouse,
        q(**{"from": "2018-01", "to": "2022-12", "by": "department", "where": "department=04",
             "measures": "value,share,rank"}),
        engine=engine,
    )  # fmt: skip
    whole = {(row["period"], row["department"]): row for row in r.rows}
    for row in one.rows:
        assert row["share"] == pytest.approx(whole[(row["period"], AREQUIPA)]["share"])
        assert row["rank"] == whole[(row["period"], AREQUIPA)]["rank"]
    assert any("todos los miembros" in n for n in one.notes)


def test_macroregion_filter_keeps_its_departments(warehouse: Warehouse, engine: str) -> None:
    sur = run(warehouse, q(**{"from": "2022-01", "to": "2022-12", "where": "macroregion=sur"}), engine=engine)
    depts = run(warehouse, q(**{"from": "2022-01", "to": "2022-12", "by": "department"}), engine=engine)
    members = eng._scheme_members(eng.dimension("macroregion"), "mincetur")
    inside = {d for d, m in members.items() if m == "sur"}
    assert inside
    expected = sum(float(row["value"]) for row in depts.rows if row["department"] in inside)
    assert [row["value"] for row in sur.rows] == [pytest.approx(expected, rel=1e-12)]


def test_growth_against_base_year_and_n_years_back(warehouse: Warehouse, engine: str) -> None:
    base = run(
        warehouse,
        q(**{"from": "2019-01", "to": "2022-12", "where": "department=04", "by": "department",
             "measures": "value,growth", "base": "2010"}),
        engine=engine,
    )  # fmt: skip
    plain = run(
        warehouse, q(**{"from": "2010-01", "to": "2022-12", "by": "department", "where": "department=04"}),
        engine=engine,
    )  # fmt: skip
    value = {row["period"]: float(row["value"]) for row in plain.rows}
    for row in base.rows:
        assert row["growth"] == pytest.approx(value[row["period"]] / value["2010"] - 1, rel=1e-12)
    back = run(
        warehouse,
        q(**{"from": "2022-01", "to": "2022-12", "by": "department", "where": "department=04",
             "measures": "growth", "compare": "3"}),
        engine=engine,
    )  # fmt: skip
    assert back.rows[0]["growth"] == pytest.approx(value["2022"] / value["2019"] - 1, rel=1e-12)
    assert "value" not in back.rows[0]


def test_contribution_sums_to_total_growth(warehouse: Warehouse, engine: str) -> None:
    r = run(
        warehouse,
        q(**{"from": "2022-01", "to": "2022-12", "by": "macroregion", "measures": "value,contribution"}),
        engine=engine,
    )
    total = run(warehouse, q(**{"from": "2022-01", "to": "2022-12", "measures": "growth"}), engine=engine)
    assert total.dataset == "bcrp_departments"  # the first-ranked dataset answers the national total
    contributions = sum(float(row["contribution"]) for row in r.rows)
    assert contributions == pytest.approx(float(total.rows[0]["growth"]), abs=1e-12)
    assert any(row["macroregion"] is None for row in r.rows)  # Lima/Callao outside every macroregion: kept


@pytest.mark.parametrize(
    ("freq", "lang", "labels"),
    [
        ("quarter", "es", ["2021-T4", "2022-T1", "2022-T2", "2022-T3", "2022-T4"]),
        ("quarter", "en", ["2021-Q4", "2022-Q1", "2022-Q2", "2022-Q3", "2022-Q4"]),
        ("ytd", "es", ["ene–nov 2021", "ene–nov 2022"]),
        ("ytd", "en", ["Jan–Nov 2021", "Jan–Nov 2022"]),
        ("rolling12", "es", ["dic 2020–nov 2021", "dic 2021–nov 2022"]),
        ("month", "es", ["2021-10", "2021-11", "2021-12"]),
    ],
)
def test_period_labels_and_sums(warehouse: Warehouse, freq: str, lang: str, labels: list[str]) -> None:
    end = "2021-12" if freq == "month" else ("2022-11" if freq in ("ytd", "rolling12") else "2022-12")
    r = run(warehouse, q(**{"from": "2021-10", "to": end, "freq": freq, "lang": lang}))
    assert list(r.periods) == labels
    monthly = run(warehouse, q(**{"from": "2020-12", "to": "2022-12", "freq": "month"}))
    value = {row["period"]: float(row["value"]) for row in monthly.rows}
    first, last = r.extra["months"][labels[-1]]
    months = [m for m in value if first <= m <= last]
    assert r.rows[-1]["value"] == pytest.approx(sum(value[m] for m in months), rel=1e-12)
    if freq == "quarter":  # the range cuts 2021-T4 to October–December: whole, not partial
        assert r.partial == ()
        assert len(months) == 3


def test_partial_last_year_is_listed_with_its_months(warehouse: Warehouse, engine: str) -> None:
    r = run(warehouse, q(**{"from": "2024-01", "to": "2025-12", "by": "sector"}), engine=engine)
    assert r.dataset == "sunat_cuadros"
    held = eng.cube(warehouse, "sunat_cuadros", "X", engine).periods
    last = max(held)
    assert last.year == 2025 and last.month < 12
    assert r.periods == ("2024", "2025") and r.partial == ("2025",)
    assert r.extra["coverage"] == {"2025": ("2025-01", f"2025-{last.month:02d}")}
    assert any("2025" in n and "incompletos" in n for n in r.notes)
    # growth of the partial year compares the same months of the year before, never a whole year
    g = run(warehouse, q(**{"from": "2024-01", "to": "2025-12", "measures": "value,growth"}), engine=engine)
    months = run(warehouse, q(**{"from": "2024-01", "to": "2025-12", "freq": "month"}), engine=engine)
    value = {row["period"]: float(row["value"]) for row in months.rows}
    now = sum(v for m, v in value.items() if m.startswith("2025"))
    before = sum(v for m, v in value.items() if m.startswith("2024") and int(m[5:]) <= last.month)
    assert g.rows[-1]["growth"] == pytest.approx(now / before - 1, rel=1e-12)


def test_g6_partner_by_month(warehouse: Warehouse, engine: str) -> None:
    r = run(
        warehouse,
        q(**{"from": "2023-01", "to": "2025-04", "freq": "month", "by": "partner", "where": "partner=CL"}),
        engine=engine,
    )
    assert r.dataset == "sunat_destinations"
    assert len(r.rows) == 28 and {row["partner_label"] for row in r.rows} == {"Chile"}
    con = warehouse.backend("duckdb").con
    files = [str(p) for p in warehouse.files("sunat_destinations")]
    sql = (
        "SELECT strftime(period, '%Y-%m') AS m, sum(value_usd) FROM read_parquet(?) "
        "WHERE flow = 'X' AND partner = 'CL' GROUP BY 1"
    )
    direct = dict(con.execute(sql, [files]).fetchall())
    for row in r.rows:
        assert row["value"] == pytest.approx(direct[row["period"]], rel=1e-12)


def test_a_cut_no_loaded_data_answers_is_refused_with_what_would(warehouse: Warehouse) -> None:
    with pytest.raises(QueryRefused) as info:
        run(warehouse, q(**{"from": "2022-01", "to": "2022-12", "by": "customs_office"}))
    assert "customs_office" in info.value.reason
    assert "sunat-microdata" in info.value.would_answer
    with pytest.raises(QueryRefused) as info:  # imports by department: BCRP publishes exports only
        run(warehouse, q(**{"flow": "M", "from": "2022-01", "to": "2022-12", "by": "department"}))
    assert "department" in info.value.reason and "sunat-microdata" in info.value.would_answer
    with pytest.raises(QueryRefused) as info:  # net weight: no aggregate table has it
        run(warehouse, q(**{"from": "2022-01", "to": "2022-12", "measures": "value,net_kg"}))
    assert "net_kg" in info.value.reason
    with pytest.raises(QueryRefused) as info:  # months no dataset holds: never an empty table
        run(warehouse, q(**{"from": "1990-01", "to": "1990-12", "by": "department"}))
    assert info.value.field == "from"


def test_row_bound_refuses_clearly(warehouse: Warehouse) -> None:
    with pytest.raises(ConfigError) as info:
        run(
            warehouse,
            q(**{"from": "2005-01", "to": "2022-12", "freq": "month", "by": "department"}),
            max_rows=100,
        )
    assert info.value.field == "by" and "100" in info.value.reason


def test_columns_have_units_and_words(warehouse: Warehouse) -> None:
    r = run(
        warehouse,
        q(
            **{
                "from": "2022-01",
                "to": "2022-12",
                "by": "department",
                "measures": "value,share",
                "lang": "en",
            }
        ),
    )
    assert [(c.key, c.kind, c.unit) for c in r.columns] == [
        ("department", "code", None),
        ("department_label", "label", None),
        ("period", "period", None),
        ("value", "number", "usd"),
        ("share", "number", "fraction"),
    ]
    assert r.columns[3].header == "FOB value (US$)" and r.columns[0].header == "Department (code)"
    assert not r.synthetic and r.vintages
    assert r.notes[0] == "Data from BCRP, exports by department."
    assert isinstance(pa.scalar(r.rows[0]["value"]).as_py(), float)


def test_real_import_lines_by_customs_office_equal_sql(warehouse: Warehouse, engine: str) -> None:
    """The mirror's 111 real import declaration lines (May 2026): CIF values and weights by customs office."""
    q = Query.from_params(
        {"flow": "M", "from": "2026-05", "to": "2026-05", "freq": "month", "by": "customs_office",
         "measures": "value,net_kg,unit_value,share"}
    )  # fmt: skip
    r = run(warehouse, q, engine=engine)
    assert r.dataset == "customs_lines" and not r.synthetic
    assert r.columns[3].header == "Valor CIF (US$)"
    files = [str(p) for p in warehouse.files("customs_lines")]
    sql = (
        "SELECT customs_office, sum(value_usd), sum(net_kg) FROM read_parquet(?, union_by_name => true) "
        "WHERE flow = 'M' AND period = DATE '2026-05-01' GROUP BY 1"
    )
    direct = {o: (v, w) for o, v, w in warehouse.backend("duckdb").con.execute(sql, [files]).fetchall()}
    assert {row["customs_office"]: row["value"] for row in r.rows} == pytest.approx(
        {o: v for o, (v, _) in direct.items()}, rel=1e-12
    )
    for row in r.rows:
        value, kg = direct[row["customs_office"]]
        assert row["unit_value"] == (pytest.approx(value / kg, rel=1e-12) if kg else None)
    assert sum(row["share"] for row in r.rows) == pytest.approx(1.0, abs=1e-12)


def test_sector_filter_on_g1_shows_the_sectors_inside(warehouse: Warehouse, engine: str) -> None:
    top = run(warehouse, q(**{"from": "2024-01", "to": "2024-12", "by": "sector"}), engine=engine)
    node = next(row for row in top.rows if row["sector"].startswith("II."))
    inside = run(
        warehouse,
        q(**{"from": "2024-01", "to": "2024-12", "by": "sector", "where": f"sector={node['sector']}",
             "measures": "value,share"}),
        engine=engine,
    )  # fmt: skip
    assert len(inside.rows) > 2
    assert all(row["sector"].startswith(node["sector"] + " > ") for row in inside.rows)
    assert sum(row["value"] for row in inside.rows) == pytest.approx(node["value"], rel=1e-9)
    assert sum(row["share"] for row in inside.rows) == pytest.approx(1.0, abs=1e-9)
    alone = run(warehouse, q(**{"from": "2024-01", "to": "2024-12", "where": f"sector={node['sector']}"}))
    assert [row["value"] for row in alone.rows] == [pytest.approx(node["value"], rel=1e-12)]


def test_months_no_dataset_holds_are_left_out_in_one_note(warehouse: Warehouse) -> None:
    r = run(warehouse, q(**{"from": "2003-01", "to": "2005-12", "freq": "month"}))
    assert r.periods[0] == "2005-01" and len(r.rows) == 12
    assert [n for n in r.notes if "2003-01 … 2004-12 (24)" in n]


def test_a_requested_dataset_answers_or_says_why(warehouse: Warehouse) -> None:
    r = run(warehouse, q(**{"from": "2022-01", "to": "2022-12", "dataset": "sunat_cuadros"}))
    national = run(warehouse, q(**{"from": "2022-01", "to": "2022-12"}))
    assert r.dataset == "sunat_cuadros" and national.dataset == "bcrp_departments"  # BCRP first, G1 asked
    later = run(warehouse, q(**{"from": "2024-01", "to": "2024-12"}))
    assert later.dataset == "sunat_cuadros"  # BCRP's series ends in 2022: the next dataset holding 2024
    assert later.notes[1].startswith("BCRP, exportaciones por departamento no tiene todos los meses")
    with pytest.raises(QueryRefused) as info:
        run(
            warehouse,
            q(**{"from": "2022-01", "to": "2022-12", "by": "partner", "dataset": "bcrp_departments"}),
        )
    assert info.value.field == "dataset" and "partner" in info.value.reason
    with pytest.raises(ConfigError) as bad:
        run(warehouse, q(**{"from": "2022-01", "to": "2022-12", "dataset": "wto_merchandise"}))
    assert bad.value.field == "dataset"


def test_rows_come_in_a_stable_order(warehouse: Warehouse) -> None:
    """By each breakdown's code, then by period (Arrow's grouping gives no order of its own)."""
    q = Query(start="2019-01", end="2022-12", freq="quarter", by=("macroregion",), measures=("value",))
    rows = run(warehouse, q).rows
    keys = [(r["macroregion"] is None, r["macroregion"] or "", r["period"]) for r in rows]
    assert keys == sorted(keys) and len({k[1] for k in keys}) >= 4


def test_months_the_publisher_flags_preliminary_are_named(warehouse: Warehouse) -> None:
    """SUNAT's G6 marks its latest months preliminary: a result reading them says which."""
    chile = (("partner", ("CL",)),)
    result = run(warehouse, Query(start="2025-01", end="2025-04", freq="month", where=chile))
    assert result.dataset == "sunat_destinations"
    note = next(n for n in result.notes if "preliminar" in n)
    assert "2025-04" in note and "2025-01" in note
    old = run(warehouse, Query(start="2015-01", end="2015-12", where=(("partner", ("CL",)),)))
    assert not [n for n in old.notes if "preliminar" in n]
