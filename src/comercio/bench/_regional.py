"""The regional indicator set four ways (comercio on DuckDB and Spark, hand-written DuckDB SQL, pandas).

Every system computes, for January–``through`` against the same months a year earlier: value, previous,
growth and share by region group, department, macroregion (Mincetur grouping) and customs office; the
national total; records (interior departments above every earlier complete year); and the twelve months to
``through`` by department. Each returns the same *headline figures* (:data:`HEADLINE`) so the parent can
check they agree. comercio's ``regional_facts`` also computes the sections only line data allow (product
drivers, agro by natural region, category leaders), the month maturity, the attribution coverage and the
projection: ``duckdb-sql`` and pandas do not, so comercio does strictly more work than they do.
``duckdb-sql-full`` (:mod:`comercio.bench._regional_full`) is hand-written SQL computing the same aggregations
as comercio (region rows with the basis, maturity rows, product rows of the report's months) and checks of
them that the parent compares with comercio's (``checks``).

What each reads (docs/decisions/0019-region-cube-and-product-cube.md): ``duckdb-sql`` scans the lines
once (value by department, customs office and month). comercio computes three aggregations: the region cube
(the same grouping plus ``region_basis``, from which the coverage is derived) over every line; the product
cube (month, department, product) over the report's eighteen months only (comparison window to
``through``), shared by drivers, agro and leaders; and the maturity aggregation (month, day, file date) over
every line. A cold run sends them as one engine query (:mod:`comercio.indicators.onescan`: one scan for the
region cube and the maturity, the product cube's months read apart). Each query's groupings and time are
returned under ``scans`` (last run).

Before its timed runs, each system computes the set once, untimed, on a separate small warehouse (another
seed; ``job["warm"]``): imports, query compilers and reference tables are loaded then, as the hand-written
SQL's department table is built before its timing; no line of the measured warehouse is read.

``comercio-duckdb`` and ``comercio-spark`` are *cold*: the vintages' aggregates (sidecars written at load,
docs/decisions/0024-vintage-aggregates.md) are not read, every line is scanned. ``comercio-duckdb-aggregates``
is the same code reading them, on a warehouse whose vintages have them: the region cube and the maturity rows
come from the sidecars, not from the lines; it is never the figure the target reads.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from comercio import reference
from comercio.bench._run import summary, timed
from comercio.indicators.measures import FLAT  # the one rule for "flat", shared by every system
from comercio.indicators.specs import add_months

HEADLINE = (
    "interior.value",
    "interior.growth",
    "lima_callao.value",
    "national.value",
    "national.growth",
    "rolling12.leader.member",
    "rolling12.leader.value",
    "regions.growing.count",
    "regions.record.count",
    "customs.top.member",
)
FULL = "duckdb-sql-full"  # hand-written SQL computing every aggregation comercio computes (_regional_full)
SYSTEMS = ("comercio-duckdb", "duckdb-sql", FULL, "pandas", "comercio-spark", "comercio-duckdb-aggregates")
AGGREGATES = "comercio-duckdb-aggregates"  # reads the sidecars written at load (not the cold figure)


def _windows(through: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    cur = (dt.date(through.year, 1, 1), through)
    return {
        "cur": cur,
        "prev": (add_months(cur[0], -12), add_months(through, -12)),
        "r12": (add_months(through, -11), through),
    }


def _department_table() -> pa.Table:
    deps = reference.load("departments").to_pylist()
    macro = {
        r["department"]: r["macroregion"]
        for r in reference.load("macroregions").to_pylist()
        if r["grouping"] == "mincetur"
    }
    return pa.table(
        {
            "ubigeo": [r["ubigeo"] for r in deps],
            "region_group": [r["region_group"] for r in deps],
            "interior": [bool(r["interior"]) for r in deps],
            "macroregion": [macro.get(r["ubigeo"]) for r in deps],
        }
    )


# -- comercio ---------------------------------------------------------------------------------------------
def _comercio(
    home: str,
    through: dt.date,
    engine: str,
    repeats: int,
    aggregates: bool = False,
    warm: dict[str, Any] | None = None,
) -> dict[str, Any]:
    from comercio.config import Settings
    from comercio.indicators import assembled
    from comercio.indicators.regional import regional_facts
    from comercio.warehouse import Warehouse

    assembled.USE = aggregates  # cold unless asked: every line scanned

    wh = Warehouse(Settings(home=Path(home), engine=engine))
    t0 = time.perf_counter()
    wh.backend(engine)  # connect (Spark: start the JVM) outside the timed part
    startup = time.perf_counter() - t0
    warmup = None
    if warm is not None:  # first-use costs (imports, compilers, reference tables) on another warehouse
        w0 = time.perf_counter()
        other = Warehouse(Settings(home=Path(warm["home"]), engine=engine))
        regional_facts(other, dt.date.fromisoformat(warm["through"]), engine=engine)
        warmup = round(time.perf_counter() - w0, 2)
    execute = wh.execute
    spent = {"queries": 0, "seconds": 0.0}
    scans: list[dict[str, Any]] = []

    def counted(expr: Any, **kw: Any) -> Any:  # how many engine round trips, and how long they take
        q0 = time.perf_counter()
        try:
            return execute(expr, **kw)
        finally:
            spent["queries"] += 1
            spent["seconds"] += time.perf_counter() - q0
            scans.append({"groups": _groups(expr), "s": round(time.perf_counter() - q0, 3)})

    setattr(wh, "execute", counted)  # noqa: B010 - instance-level wrapper, the class stays untouched

    def cold() -> Any:  # every run starts from nothing memoised: the scan of the lines is timed each time
        wh.refresh()
        scans.clear()
        return regional_facts(wh, through, engine=engine)

    times, rf, cpu = _timed_cpu(cold, repeats)
    f = rf.facts
    customs = sorted(
        ((x.value, x.member) for x in f.each("customs_office.{customs_office}.value")),
        key=lambda vm: (-vm[0], vm[1]),
    )
    interior, lima = {"region_group": "interior"}, {"region_group": "lima_callao"}
    leader = {"position": "leader"}
    figures = {
        "interior.value": f.value("{region_group}.value", **interior),
        "interior.growth": f.value("{region_group}.growth", **interior),
        "lima_callao.value": f.value("{region_group}.value", **lima),
        "national.value": f.value("national.value"),
        "national.growth": f.value("national.growth"),
        "rolling12.leader.member": f.value("rolling12.{position}.member", **leader),
        "rolling12.leader.value": f.value("rolling12.{position}.value", **leader),
        "regions.growing.count": f.value("regions.growing.count"),
        "regions.record.count": f.value("regions.record.count"),
        "customs.top.member": customs[0][1] if customs else None,
    }
    runs = max(1, len(times))
    extra = {
        "startup_s": round(startup, 2),
        "warmup_s": warmup,
        "cpu_s_per_run": cpu,
        "facts": len(list(f)),
        "omitted": sorted(rf.omitted),
        "queries_per_run": spent["queries"] // runs,
        "engine_s_per_run": round(spent["seconds"] / runs, 3),
        "scans": scans,
    }
    from comercio.bench._regional_full import comercio_checks  # read from the last run's memo: no query

    checks = comercio_checks(wh, rf, through, engine)
    return {**summary(times), "figures": figures, "checks": checks, **extra}


def _groups(expr: Any) -> list[list[str]]:
    """The columns each aggregation of an engine query groups by (one list per aggregation: several for
    the union :mod:`comercio.indicators.onescan` sends; none for a query without aggregation)."""
    from ibis.expr import operations as ops

    found = expr.op().find(ops.Aggregate)
    return [[str(g) for g in a.groups] for a in sorted(found, key=lambda a: list(a.groups))]


# -- hand-written DuckDB SQL ----------------------------------------------------------------------------
_SQL_MONTHLY = """
CREATE OR REPLACE TEMP TABLE m AS
SELECT department, customs_office, period, sum(value_usd) AS v
FROM read_parquet($files) WHERE flow = 'X' GROUP BY ALL
"""
_SQL_COMPARE = """
WITH w AS (
  SELECT {key} AS member,
         coalesce(sum(v) FILTER (WHERE period BETWEEN $cs AND $ce), 0) AS cur,
         coalesce(sum(v) FILTER (WHERE period BETWEEN $ps AND $pe), 0) AS prev
  FROM m LEFT JOIN dept d ON m.department = d.ubigeo
  WHERE period BETWEEN $ps AND $ce
  GROUP BY 1)
SELECT member, cur, prev, CASE WHEN prev <> 0 THEN cur / prev - 1 END AS growth,
       cur / sum(cur) OVER () AS share, prev / sum(prev) OVER () AS share_prev,
       (cur - prev) / sum(prev) OVER () AS contribution
FROM w ORDER BY cur DESC, member
"""
_SQL_RECORDS = """
WITH months AS (SELECT DISTINCT period FROM m),
complete AS (SELECT year(period) AS y FROM months GROUP BY 1 HAVING count(*) = 12),
annual AS (SELECT department, year(period) AS y, sum(v) AS v FROM m
           WHERE year(period) IN (SELECT y FROM complete) AND year(period) < year($cs) GROUP BY ALL),
best AS (SELECT department, max(v) AS best FROM annual GROUP BY 1),
cur AS (SELECT department, sum(v) AS v FROM m WHERE period BETWEEN $cs AND $ce GROUP BY 1)
SELECT cur.department, cur.v, best.best FROM cur JOIN best USING (department)
JOIN dept d ON cur.department = d.ubigeo WHERE d.interior AND cur.v > best.best
"""
_SQL_ROLLING = """
SELECT m.department AS member, sum(v) AS value, sum(v) / any_value(t.total) AS share
FROM m JOIN dept d ON m.department = d.ubigeo,
     (SELECT sum(v) AS total FROM m WHERE period BETWEEN $rs AND $re) t
WHERE period BETWEEN $rs AND $re AND d.interior GROUP BY 1 ORDER BY value DESC, member
"""


def _duckdb_sql_once(files: list[str], through: dt.date, dept: pa.Table) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect()
    con.register("dept", dept)
    con.execute(_SQL_MONTHLY, {"files": files})
    figures = _sql_figures(con, through, dept)  # 1 scan of the lines + 6 queries on the small monthly table
    con.close()
    return {"figures": figures}


def _sql_figures(con: Any, through: dt.date, dept: pa.Table) -> dict[str, Any]:
    """The headline figures from the monthly table ``m`` (value ``v`` by department, customs office and
    month at least) and ``dept`` of connection ``con``."""
    w = _windows(through)
    p = {"cs": w["cur"][0], "ce": w["cur"][1], "ps": w["prev"][0], "pe": w["prev"][1]}
    out: dict[str, list[tuple[Any, ...]]] = {}
    for name, key in (
        ("group", "d.region_group"),
        ("department", "m.department"),
        ("macroregion", "d.macroregion"),
        ("customs", "m.customs_office"),
    ):
        out[name] = con.execute(_SQL_COMPARE.format(key=key), p).fetchall()
    out["records"] = con.execute(_SQL_RECORDS, {"cs": p["cs"], "ce": p["ce"]}).fetchall()
    out["rolling"] = con.execute(_SQL_ROLLING, {"rs": w["r12"][0], "re": w["r12"][1]}).fetchall()
    groups = {r[0]: r for r in out["group"]}
    interior = set(dept.filter(dept["interior"]).column("ubigeo").to_pylist())
    national, national_prev = sum(r[1] for r in out["group"]), sum(r[2] for r in out["group"])
    return {
        "interior.value": groups["interior"][1],
        "interior.growth": groups["interior"][3],
        "lima_callao.value": groups["lima_callao"][1],
        "national.value": national,
        "national.growth": national / national_prev - 1 if national_prev else None,
        "rolling12.leader.member": out["rolling"][0][0],
        "rolling12.leader.value": out["rolling"][0][1],
        "regions.growing.count": sum(
            1 for r in out["department"] if r[0] in interior and r[3] is not None and r[3] >= FLAT
        ),
        "regions.record.count": len(out["records"]),
        "customs.top.member": next(r[0] for r in out["customs"] if r[0] is not None),
    }


# -- pandas -------------------------------------------------------------------------------------------------
def _pandas_once(files: list[str], through: dt.date, dept: pa.Table) -> dict[str, Any]:
    import pandas as pd

    cols = ["flow", "period", "department", "customs_office", "value_usd"]
    df = pd.concat([pd.read_parquet(f, columns=cols) for f in files], ignore_index=True)
    df = df[df["flow"] == "X"]
    df["period"] = pd.to_datetime(df["period"])
    d = dept.to_pandas().set_index("ubigeo")
    df = df.join(d, on="department")
    w = {k: (pd.Timestamp(a), pd.Timestamp(b)) for k, (a, b) in _windows(through).items()}
    cur = df[df["period"].between(*w["cur"])]
    prev = df[df["period"].between(*w["prev"])]

    def compare(key: str) -> pd.DataFrame:
        t = pd.DataFrame(
            {"cur": cur.groupby(key)["value_usd"].sum(), "prev": prev.groupby(key)["value_usd"].sum()}
        )
        t = t.fillna(0.0)
        t["growth"] = (t["cur"] / t["prev"].where(t["prev"] != 0)) - 1
        t["share"] = t["cur"] / cur["value_usd"].sum()
        t["contribution"] = (t["cur"] - t["prev"]) / prev["value_usd"].sum()
        return t.reset_index(names="member").sort_values(["cur", "member"], ascending=[False, True])

    groups: dict[Any, dict[Any, Any]] = compare("region_group").set_index("member").to_dict("index")
    depts = compare("department")
    compare("macroregion")
    customs = compare("customs_office")
    months = df["period"].drop_duplicates()
    complete = months.dt.year.value_counts()
    complete_years = [y for y, n in complete.items() if n == 12 and y < through.year]
    annual = df[df["period"].dt.year.isin(complete_years)]
    best = annual.groupby(["department", annual["period"].dt.year])["value_usd"].sum().groupby(level=0).max()
    ytd = cur.groupby("department")["value_usd"].sum()
    both = pd.DataFrame({"v": ytd, "best": best}).dropna()
    interior = [u for u, flag in d["interior"].items() if flag]
    records = both[(both["v"] > both["best"]) & both.index.isin(interior)]
    r12 = df[df["period"].between(*w["r12"]) & df["interior"].fillna(False).astype(bool)]
    roll = r12.groupby("department")["value_usd"].sum().reset_index()
    roll = roll.sort_values(["value_usd", "department"], ascending=[False, True])
    national, national_prev = cur["value_usd"].sum(), prev["value_usd"].sum()
    interior_mask = depts["member"].isin(interior)
    figures = {
        "interior.value": float(groups["interior"]["cur"]),
        "interior.growth": float(groups["interior"]["growth"]),
        "lima_callao.value": float(groups["lima_callao"]["cur"]),
        "national.value": float(national),
        "national.growth": float(national / national_prev - 1),
        "rolling12.leader.member": str(roll.iloc[0]["department"]),
        "rolling12.leader.value": float(roll.iloc[0]["value_usd"]),
        "regions.growing.count": int((interior_mask & (depts["growth"] >= FLAT)).sum()),
        "regions.record.count": len(records),
        "customs.top.member": str(customs.iloc[0]["member"]),
    }
    return {"figures": figures}


def run_system(job: dict[str, Any]) -> dict[str, Any]:
    """Child side: compute the regional set with ``job["system"]``, ``job["repeats"]`` times."""
    system, repeats = job["system"], int(job["repeats"])
    through = dt.date.fromisoformat(job["through"])
    warm = job.get("warm")  # a separate small warehouse run once first, untimed (first-use costs)
    if system == "comercio-duckdb":
        return _comercio(job["home"], through, "duckdb", repeats, warm=warm)
    if system == "comercio-spark":
        return _comercio(job["home"], through, "spark", repeats, warm=warm)
    if system == AGGREGATES:
        return _comercio(job["home"], through, "duckdb", repeats, aggregates=True, warm=warm)
    from comercio.bench._regional_full import full_sql_once

    dept = _department_table()
    fn = {"duckdb-sql": _duckdb_sql_once, FULL: full_sql_once}.get(system, _pandas_once)
    warmup = None
    if warm is not None:
        w0 = time.perf_counter()
        fn(warm["files"], dt.date.fromisoformat(warm["through"]), dept)
        warmup = round(time.perf_counter() - w0, 2)
    times, out, cpu = _timed_cpu(lambda: fn(job["files"], through, dept), repeats)
    return {**summary(times), **out, "warmup_s": warmup, "cpu_s_per_run": cpu}


def _timed_cpu(fn: Callable[[], Any], repeats: int) -> tuple[list[float], Any, float]:
    """:func:`timed`, and the CPU seconds per run of this process (every thread: DuckDB's too; not a
    Spark JVM's), steadier than wall time on a machine others load."""
    c0 = time.process_time()
    times, value = timed(fn, repeats)
    cpu = time.process_time() - c0
    return times, value, round(cpu / max(1, len(times)), 3)
