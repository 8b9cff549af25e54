"""``duckdb-sql-full``: hand-written DuckDB SQL computing every aggregation a cold comercio regional run does.

``duckdb-sql`` (:mod:`comercio.bench._regional`) aggregates the lines once, by department, customs office
and month: the region-level figures only. This system computes by hand the three aggregations comercio
reads (docs/decisions/0019-region-cube-and-product-cube.md):

- the region rows: value by department, customs office, month and ``region_basis`` (the attribution
  coverage's shares by basis need the basis), from which the same region-level figures as ``duckdb-sql`` and
  the window's coverage are computed;
- the maturity rows: value by month, day and file date, every month;
- the product rows: value by month, department and product, of the months the product sections read — from
  the earlier of the comparison window's first month and the twelve months' first, to ``through``, as the
  report decides them.

The fastest form measured on the benchmark's lines (decision 0019, addendum): one aggregation of the lines
by every key at once (the product only inside the product months, null outside), then the three rolled up
from that small table — faster here than one ``UNION ALL`` of the three over one read (comercio's form), or
grouping sets, because on these synthetic lines the day fixes the month and the file date and there are
few products, so the keys together make few more groups than the region keys alone.

It imports none of comercio's engine. Besides the headline figures it returns :data:`CHECKS` — figures of
the maturity and product rows and of the coverage — which :func:`comercio_checks` reads from a comercio run
(its memoised rows and its facts), so the parent can check the two agree.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from comercio.bench._regional import _sql_figures, _windows

if TYPE_CHECKING:
    from comercio.indicators.regional_result import RegionalFacts
    from comercio.warehouse import Warehouse

CHECKS = (
    "coverage.window.share",
    "coverage.window.unattributed",
    "coverage.window.basis.top",
    "coverage.window.basis.top.share",
    "maturity.rows",
    "maturity.value",
    "maturity.lag_days",
    "maturity.as_of",
    "products.months",
    "products.rows",
    "products.value",
    "products.top",
)
UNATTRIBUTED = "unattributed"  # the basis comercio's coverage names a line without one (and department 99)

_SQL_SCAN = """
CREATE OR REPLACE TEMP TABLE c AS
SELECT period, date, file_date, department, customs_office, region_basis,
       CASE WHEN period BETWEEN $ds AND $de THEN product END AS product, sum(value_usd) AS v
FROM read_parquet($files) WHERE flow = 'X' GROUP BY ALL
"""
_SQL_REGION = """
CREATE OR REPLACE TEMP TABLE m AS
SELECT department, customs_office, period, region_basis, sum(v) AS v FROM c GROUP BY ALL
"""
_SQL_MATURITY_ROWS = """
CREATE OR REPLACE TEMP TABLE r AS SELECT period, date, file_date, sum(v) AS v FROM c GROUP BY ALL
"""
_SQL_PRODUCT_ROWS = """
CREATE OR REPLACE TEMP TABLE p AS
SELECT period, department, product, sum(v) AS v FROM c WHERE period BETWEEN $ds AND $de GROUP BY ALL
"""
_SQL_COVERAGE = f"""
SELECT coalesce(region_basis, '{UNATTRIBUTED}') AS basis, coalesce(department = '99', true) AS none, sum(v)
FROM m WHERE period BETWEEN $cs AND $ce GROUP BY ALL
"""
_SQL_MATURITY = """
SELECT count(*), sum(v), sum(v * (file_date - date)) / sum(v) FILTER (WHERE file_date - date IS NOT NULL),
       max(file_date)
FROM r
"""
_SQL_PRODUCTS = "SELECT count(*), sum(v) FROM p"
_SQL_TOP = "SELECT product FROM p GROUP BY product ORDER BY sum(v) DESC, product LIMIT 1"


def product_months(through: dt.date) -> tuple[dt.date, dt.date]:
    """The months the regional report's product sections read: from the earlier of the comparison window's
    first month and the twelve months' first, to ``through``."""
    w = _windows(through)
    return min(w["prev"][0], w["r12"][0]), through


def full_sql_once(files: list[str], through: dt.date, dept: pa.Table) -> dict[str, Any]:
    """The headline figures (as ``duckdb-sql``) and :data:`CHECKS`, from one scan of ``files``."""
    import duckdb

    w = _windows(through)
    first, last = product_months(through)
    con = duckdb.connect()
    con.register("dept", dept)
    con.execute(_SQL_SCAN, {"files": files, "ds": first, "de": last})  # the one read of the lines
    con.execute(_SQL_REGION)
    con.execute(_SQL_MATURITY_ROWS)
    con.execute(_SQL_PRODUCT_ROWS, {"ds": first, "de": last})
    figures = _sql_figures(con, through, dept)
    coverage = con.execute(_SQL_COVERAGE, {"cs": w["cur"][0], "ce": w["cur"][1]}).fetchall()
    rows, value, lag, as_of = con.execute(_SQL_MATURITY).fetchone() or (0, None, None, None)
    n, pvalue = con.execute(_SQL_PRODUCTS).fetchone() or (0, None)
    top = con.execute(_SQL_TOP).fetchone()
    con.close()
    checks = {
        **_coverage(coverage),
        "maturity.rows": rows,
        "maturity.value": value,
        "maturity.lag_days": lag,
        "maturity.as_of": None if as_of is None else as_of.isoformat(),
        "products.months": f"{first.isoformat()}..{last.isoformat()}",
        "products.rows": int(n or 0),
        "products.value": pvalue,
        "products.top": top and top[0],
    }
    return {"figures": figures, "checks": checks}


def _coverage(rows: list[tuple[str, bool, float]]) -> dict[str, Any]:
    """The window's attributed share, unattributed share and leading basis, as comercio's coverage facts."""
    total = sum(v for _, _, v in rows)
    placed: dict[str, float] = {}
    for basis, none, v in rows:
        if not none:
            placed[basis] = placed.get(basis, 0.0) + v
    top = min(placed.items(), key=lambda bv: (-bv[1], bv[0]), default=None)
    return {
        "coverage.window.share": sum(placed.values()) / total if total else None,
        "coverage.window.unattributed": sum(v for _, none, v in rows if none) / total if total else None,
        "coverage.window.basis.top": top and top[0],
        "coverage.window.basis.top.share": top and top[1] / total,
    }


def comercio_checks(wh: Warehouse, rf: RegionalFacts, through: dt.date, engine: str) -> dict[str, Any]:
    """:data:`CHECKS` of a comercio run just made on ``wh``: the maturity rows and the product cube it
    memoised (read back from the memo: ``products.months`` says "not memoised" if the product cube of
    :func:`product_months` had to be computed again) and its coverage facts."""
    import pyarrow.compute as pc

    from comercio.indicators import engine as eng
    from comercio.indicators import maturity as mat
    from comercio.indicators import onescan

    f = rf.facts
    bases = [(x.value, x.parts["basis"]) for x in f.each("coverage.window.basis.{basis}")]
    top = min(bases, key=lambda vb: (-vb[0], vb[1]), default=None)
    checks: dict[str, Any] = {
        "coverage.window.share": f.value("coverage.window.share"),
        "coverage.window.unattributed": f.value("coverage.window.unattributed"),
        "coverage.window.basis.top": top and top[1],
        "coverage.window.basis.top.share": top and top[0],
        "maturity.as_of": f.value("maturity.latest.as_of"),
    }
    rows = wh.recall(mat.rows_key(wh, "X", engine))
    if isinstance(rows, pa.Table):
        d = rows.to_pydict()
        lagged = [
            (v, (fd - day).days)
            for day, fd, v in zip(d["date"], d["file_date"], d["value_usd"], strict=True)
            if day is not None and fd is not None and v is not None
        ]
        checks["maturity.rows"] = rows.num_rows
        checks["maturity.value"] = pc.sum(rows.column("value_usd")).as_py()
        checks["maturity.lag_days"] = sum(v * lag for v, lag in lagged) / sum(v for v, _ in lagged)
    months = product_months(through)
    cube = wh.recall(onescan.product_key(wh, engine, *onescan.REPORT_PRODUCTS, months))
    checks["products.months"] = "not memoised"
    if isinstance(cube, eng.Cube):
        t = cube.table
        by = t.group_by("product", use_threads=False).aggregate([("value_usd", "sum")]).to_pylist()
        best = min(by, key=lambda r: (-r["value_usd_sum"], r["product"]), default=None)
        checks["products.months"] = f"{months[0].isoformat()}..{months[1].isoformat()}"
        checks["products.rows"] = t.num_rows
        checks["products.value"] = pc.sum(t.column("value_usd")).as_py()
        checks["products.top"] = best and best["product"]
    return checks
