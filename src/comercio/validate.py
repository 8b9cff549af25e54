"""Reconciliation: compare every overlap between loaded datasets and report differences with their size.

Hard checks (a failure makes ``comercio validate`` exit non-zero):
  * BCRP departments + No registrado = BCRP published Total, every month;
  * every subtotal of every SUNAT cuadro = the sum of its children, every month.
Informative comparisons (different definitions and cut-off dates; reported, never hidden):
  * BCRP departmental Total vs SUNAT G1 total exports, by month and by year.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from comercio.warehouse import Warehouse

TOLERANCE_USD = 1.0
TOLERANCE_REL = 1e-6


@dataclass
class Check:
    name: str
    kind: str  # "hard" | "info"
    ok: bool
    compared: int
    failures: int
    detail: str
    rows: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.name,
            "kind": self.kind,
            "ok": self.ok,
            "compared": self.compared,
            "failures": self.failures,
            "detail": self.detail,
            "rows": self.rows,
        }


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(TOLERANCE_USD, TOLERANCE_REL * max(abs(a), abs(b)))


def _rows(wh: Warehouse, dataset: str) -> list[dict[str, Any]]:
    t = wh.table(dataset, "duckdb")
    return wh.execute(t, engine="duckdb").to_pylist()


def _monthly(rows: list[dict[str, Any]], where: Any = None) -> dict[date, float]:
    out: dict[date, float] = defaultdict(float)
    for r in rows:
        if where is None or where(r):
            out[r["period"]] += r["value_usd"]
    return dict(out)


def check_bcrp(wh: Warehouse) -> Check | None:
    if not (wh.has("bcrp_departments") and wh.has("bcrp_department_totals")):
        return None
    parts = _monthly(_rows(wh, "bcrp_departments"))
    totals = _monthly(_rows(wh, "bcrp_department_totals"))
    bad = [
        {
            "period": p,
            "departments_usd": parts.get(p, 0.0),
            "total_usd": t,
            "difference_usd": parts.get(p, 0.0) - t,
        }
        for p, t in sorted(totals.items())
        if not _close(parts.get(p, 0.0), t)
    ]
    return Check(
        "bcrp: departments + No registrado = Total",
        "hard",
        not bad,
        len(totals),
        len(bad),
        f"{len(totals)} months compared, {len(bad)} differ",
        bad[:50],
    )


def check_cuadro_subtotals(wh: Warehouse) -> list[Check]:
    if not wh.has("sunat_cuadros"):
        return []
    by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in _rows(wh, "sunat_cuadros"):
        by_table[r["table"]].append(r)
    checks = []
    for table, rows in sorted(by_table.items()):
        value = {(r["path"], r["period"]): r["value_usd"] for r in rows}
        level = {r["path"]: r["level"] for r in rows}
        children: dict[str, list[str]] = defaultdict(list)
        top = [p for p, lv in level.items() if lv == 0]
        for p, lv in level.items():
            if lv == 0:
                continue
            parent = p.rsplit(" > ", 1)[0] if " > " in p else (top[0] if top else None)
            if parent is not None and parent in level and parent != p:
                children[parent].append(p)
        periods = sorted({r["period"] for r in rows})
        compared, bad = 0, []
        for parent, kids in children.items():
            for period in periods:
                if (parent, period) not in value:
                    continue
                compared += 1
                s = sum(value.get((k, period), 0.0) for k in kids)
                if not _close(value[(parent, period)], s):
                    bad.append(
                        {
                            "path": parent,
                            "period": period,
                            "parent_usd": value[(parent, period)],
                            "children_usd": s,
                            "difference_usd": value[(parent, period)] - s,
                        }
                    )
        checks.append(
            Check(
                f"sunat {table}: every subtotal = sum of its children",
                "hard",
                not bad,
                compared,
                len(bad),
                f"{compared} subtotals compared, {len(bad)} differ",
                sorted(bad, key=lambda r: -abs(r["difference_usd"]))[:50],
            )
        )
    return checks


def compare_bcrp_g1(wh: Warehouse) -> Check | None:
    if not (wh.has("bcrp_department_totals") and wh.has("sunat_cuadros")):
        return None
    bcrp = _monthly(_rows(wh, "bcrp_department_totals"))
    g1 = _monthly(_rows(wh, "sunat_cuadros"), lambda r: r["table"] == "G1" and r["level"] == 0)
    common = sorted(set(bcrp) & set(g1))
    rows = []
    years: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for p in common:
        years[p.year][0] += bcrp[p]
        years[p.year][1] += g1[p]
    for y, (b, g) in sorted(years.items()):
        rows.append(
            {
                "year": y,
                "bcrp_usd": round(b, 2),
                "sunat_g1_usd": round(g, 2),
                "difference_usd": round(b - g, 2),
                "relative": round((b - g) / g, 6) if g else None,
            }
        )
    rel = [abs(r["relative"]) for r in rows if r["relative"] is not None]
    detail = (
        f"{len(common)} months overlap; yearly difference BCRP − SUNAT G1 between "
        f"{min(rel):.2%} and {max(rel):.2%} in absolute value (different definitions and cut-off dates)"
        if rel
        else "no overlapping months"
    )
    return Check("bcrp total vs sunat G1 total exports", "info", True, len(common), 0, detail, rows)


def validate(wh: Warehouse) -> list[Check]:
    checks: list[Check] = []
    for c in (check_bcrp(wh), compare_bcrp_g1(wh)):
        if c is not None:
            checks.append(c)
    checks.extend(check_cuadro_subtotals(wh))
    return checks
