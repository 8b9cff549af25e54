"""Write the ``computed`` field of every ``*.expected.json`` here, independently of comercio.check.

Plain DuckDB SQL over the warehouse's Parquet files (``COMERCIO_HOME``, default ``./var``) and the
reference CSVs of the package; nothing from ``comercio.check`` or ``comercio.indicators`` is imported.
Everything else in the expected files is written by hand. Run from the repository root::

    .venv/bin/python tests/check/texts/make_expected.py          # rewrite the computed fields
    .venv/bin/python tests/check/texts/make_expected.py --check  # only report verdicts the rules contradict

The verdict rules (README.md in this folder) are applied to each printed value and the computed one; a
hand-written ``expected`` verdict that the rules contradict is printed, so a typo cannot hide.
"""

from __future__ import annotations

import json
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
REF = ROOT / "src" / "comercio" / "reference" / "data"
FLAT = 0.0005  # a change below this in absolute value counts as neither a rise nor a fall

# Table G1 prints its row labels two ways (2005-2019 and from 2020): one code (the normalised prefix of the
# label, as the checker names G1 rows), both labels, written out here rather than derived.
G1_PATHS: dict[str, tuple[str, ...]] = {
    "total": ("Total",),
    "iproductostradicionales": ("I.Productos Tradicionales", "I. Productos Tradicionales"),
    "iiproductosnotradicionales": ("II.Productos No Tradicionales", "II. Productos No Tradicionales"),
    "agropecuario": (
        "II.Productos No Tradicionales > Agropecuario",
        "II. Productos No Tradicionales > Agropecuario",
    ),
    "textil": ("II.Productos No Tradicionales > Textil", "II. Productos No Tradicionales > Textil"),
    "metalmecan": (
        "II.Productos No Tradicionales > Metal-Mecánica",
        "II. Productos No Tradicionales > Metal-mecanico",
    ),
    "minero": ("I.Productos Tradicionales > Minero", "I. Productos Tradicionales > Minero"),
}
# What the checker calls the documented definitions (METHODOLOGY.md §6).
SHARE_OF_ATTRIBUTED = "share:attributed"
SAME_WINDOW = "record:same-window"
SAME_MONTHS = "same-window:ytd-"  # + the last month: a calendar year read as January-MM of that year


_HOME: list[Path] = []


def use_home(path: Path) -> None:
    """Read another warehouse (the tests point this at the one they build from the mirror)."""
    _HOME[:] = [Path(path)]
    con.cache_clear()


def home() -> Path:
    return _HOME[0] if _HOME else Path(os.environ.get("COMERCIO_HOME", ROOT / "var"))


@lru_cache(maxsize=1)
def con() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per dataset read (current vintage: the highest vN folder)."""
    c = duckdb.connect()
    data = home() / "data"

    def files(dataset: str, slice_: str) -> str:
        versions = sorted((data / dataset / slice_).glob("v*"), key=lambda p: int(p.name[1:]))
        return str(versions[-1] / "*.parquet")

    c.sql(
        "create view dep as select department, year(period) y, month(period) m, value_usd v "
        f"from read_parquet('{files('bcrp_departments', 'departments')}') where flow = 'X'"
    )
    c.sql(
        "create view g1 as select path, year(period) y, month(period) m, value_usd v "
        f"from read_parquet('{files('sunat_cuadros', 'G1')}') where flow = 'X'"
    )
    c.sql(
        "create view g6 as select partner, year(period) y, month(period) m, value_usd v "
        f"from read_parquet('{files('sunat_destinations', 'G6')}') where flow = 'X'"
    )
    c.sql(
        "create view wto as select flow, year y, reporter, product_group, value_usd v "
        f"from read_parquet('{files('wto_merchandise', 'merchandise_values')}')"
    )
    for view, csv in (("ref_dep", "departments.csv"), ("ref_mr", "macroregions.csv")):
        c.sql(f"create view {view} as select * from read_csv('{REF / csv}', comment='#', all_varchar=true)")
    return c


def one(sql: str, *params: Any) -> float | None:
    row = con().execute(sql, list(params)).fetchall()
    return None if not row or row[0][0] is None else float(row[0][0])


def months(start: str, end: str) -> tuple[int, int]:
    return int(start.replace("-", "")), int(end.replace("-", ""))


def shift(ym: str, years: int) -> str:
    return f"{int(ym[:4]) + years:04d}{ym[4:]}"


def interior() -> list[str]:
    return [r[0] for r in con().sql("select ubigeo from ref_dep where region_group = 'interior'").fetchall()]


def departments_of(kind: str, code: str | None) -> list[str] | None:
    """The departments a BCRP subject sums; None for the national total (every row, "No registrado" too)."""
    if kind == "national":
        return None
    if kind == "department":
        return [str(code)]
    if kind == "region_group":
        sql = "select ubigeo from ref_dep where region_group = ?"
        return [r[0] for r in con().execute(sql, [code]).fetchall()]
    if kind == "macroregion":
        sql = "select department from ref_mr where grouping = 'mincetur' and macroregion = ?"
        return [r[0] for r in con().execute(sql, [code]).fetchall()]
    raise ValueError(f"no BCRP departments for subject kind {kind}")


def bcrp(deps: list[str] | None, start: str, end: str) -> float | None:
    a, b = months(start, end)
    where = "" if deps is None else f"and department in ({','.join(repr(d) for d in deps)})"
    v = one(f"select sum(v) from dep where y * 100 + m between ? and ? {where}", a, b)
    n = one("select count(distinct y * 100 + m) from dep where y * 100 + m between ? and ?", a, b)
    return v if n == (b // 100 - a // 100) * 12 + b % 100 - a % 100 + 1 else None  # every month present


def g1(code: str, start: str, end: str) -> float | None:
    a, b = months(start, end)
    paths = G1_PATHS[code]
    v = one(
        f"select sum(v) from g1 where y * 100 + m between ? and ? and path in ({','.join('?' * len(paths))})",
        a,
        b,
        *paths,
    )
    return v


def g6(alpha2: str, start: str, end: str) -> float | None:
    """Exports to a destination (SUNAT table G6 names partners by ISO alpha-2)."""
    a, b = months(start, end)
    return one("select sum(v) from g6 where y * 100 + m between ? and ? and partner = ?", a, b, alpha2)


def wto(reporter: str, group: str, year: int, flow: str = "X") -> float | None:
    sql = "select sum(v) from wto where reporter = ? and product_group = ? and y = ? and flow = ?"
    return one(sql, reporter, group, year, flow)


def value(subject: dict[str, Any], start: str, end: str) -> float | None:
    kind, code = subject["kind"], subject.get("code")
    if kind == "basket" and str(code).startswith("g1:"):
        return g1(str(code)[3:], start, end)
    if kind == "partner":
        return g6(str(code), start, end)
    if kind == "world":
        assert start[:4] == end[:4] and start[5:] == "01" and end[5:] == "12", "WTO data are annual"
        return wto("WLD", subject["wto"], int(start[:4]))
    return bcrp(departments_of(kind, code), start, end)


def growth(subject: dict[str, Any], start: str, end: str) -> float | None:
    now, before = value(subject, start, end), value(subject, shift(start, -1), shift(end, -1))
    return None if now is None or not before else now / before - 1


def share(subject: dict[str, Any], start: str, end: str, variant: str | None = None) -> float | None:
    if subject["kind"] == "world":  # a WTO group's share of all goods traded in the world
        return ratio(value(subject, start, end), wto("WLD", "TO", int(start[:4])))
    total = bcrp(None, start, end)
    if variant == SHARE_OF_ATTRIBUTED and total is not None:
        total -= bcrp(["99"], start, end) or 0.0
    return ratio(value(subject, start, end), total)


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


def count(what: str, start: str, end: str, variant: str | None = None) -> float | None:
    """Interior departments that grew (``count``), fell (``count_declined``) or beat a record (``record``)."""
    out = 0
    for d in interior():
        now = bcrp([d], start, end)
        if now is None:
            return None
        if what in ("count", "count_declined"):
            before = bcrp([d], shift(start, -1), shift(end, -1))
            if before is None or before <= 0:
                return None
            change = now / before - 1
            out += change > FLAT if what == "count" else change < -FLAT
            continue
        first, y = 2005, int(start[:4])
        if variant == SAME_WINDOW:
            earlier = [bcrp([d], shift(start, k - y), shift(end, k - y)) for k in range(first, y)]
        else:
            earlier = [bcrp([d], f"{k}-01", f"{k}-12") for k in range(first, y)]
        out += now > max(v or 0.0 for v in earlier)
    return float(out)


def compute(c: dict[str, Any], variant: str | None = None) -> float | None:
    """The claim's measure over its window, or under ``variant`` (one of the names above, or
    ``same-window:ytd-MM``: the same figure over January-MM of the window's year)."""
    s, w, m = c["subject"], c["window"], c["measure"]
    start, end = w["start"], w["end"]
    if variant and variant.startswith(SAME_MONTHS):
        start, end, variant = f"{end[:4]}-01", f"{end[:4]}-{variant[-2:]}", None
    if m == "value":
        return value(s, start, end)
    if m == "growth":
        return growth(s, start, end)
    if m == "share":
        return share(s, start, end, variant)
    if m in ("count", "count_declined", "record"):
        return count(m, start, end, variant)
    raise ValueError(f"measure {m} not computed here")


def verdict(c: dict[str, Any], computed: float | None) -> str:
    """The rules of README.md: consistent, close, differs (not_checkable is decided by hand)."""
    if computed is None:
        return "not_checkable"
    printed, half, unit = c["value"], c["half_unit"], c.get("unit", "usd")
    q = c.get("qualifier", "exact")
    tol = 0.02 * abs(printed) if unit == "usd" else (0.01 if unit == "fraction" else 1.0)
    if q in ("more_than", "at_least"):
        top = printed * 1.10 if unit == "usd" else printed + (0.02 if unit == "fraction" else 2)
        if printed - half <= computed <= top:
            return "consistent"
        return "close" if computed > top else "differs"
    diff = abs(computed - printed)
    if diff <= half + 1e-12 or (q == "about" and diff <= tol):
        return "consistent"
    return "close" if diff <= tol else "differs"


def run(check_only: bool) -> int:
    bad = 0
    for path in sorted(HERE.glob("*.expected.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for c in doc["claims"]:
            if c["expected"] == "not_checkable":
                c["computed"] = None
                continue
            got = compute(c, c.get("variant"))
            if c.get("variant"):
                c["default_computed"] = compute(c)
            c["computed"] = got
            rule = verdict(c, got)
            if rule != c["expected"]:
                bad += 1
                print(
                    f"{path.name}: {c['printed']!r} #{c['occurrence']}: expected {c['expected']}, "
                    f"rules say {rule} (computed {got})"
                )
        if not check_only:
            path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(run("--check" in sys.argv))
