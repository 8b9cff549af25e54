"""Reconciliation: compare every overlap between loaded datasets and report differences with their size.

Hard checks (a failure makes ``comercio validate`` exit non-zero):
  * BCRP departments + No registrado = BCRP published Total, every month;
  * every SUNAT cuadro: the stored rows reproduce the file — their count and value total (sum of the level-0
    rows, as the loader records it) equal the load record, and every subtotal of the stored rows equals the
    sum of its children *except* exactly the differences the reader found in the publisher's file (recorded
    in the vintage's provenance at load time, ``extra["publisher_differences"]``), with the same size. A
    difference the file does not have, or one of the file's our rows no longer show, means our load lost or
    changed a row: failure.
Informative (reported with their size, never hidden, but not a failure of our load):
  * current vintages loaded with ``--accept-shrink``: what each one dropped compared with the vintage before
    it (recorded at load time, ``extra["accepted_shrink"]``), so a gap it left is not mistaken for the
    publisher's;
  * BCRP departmental Total vs SUNAT G1 total exports, by month and by year (different definitions and
    cut-off dates);
  * the publisher's subtotals: where SUNAT's own table has a parent that is not the sum of its children.
    G1 is such a case: in every month of 2015-2016 and in 2017-01 and 2017-04 its ``Total (I+II+III)`` row
    exceeds I + II + III by US$ 0.04 M to 60 M while I, II and III each equal the sum of their sectors
    (checked on the file's cells: no row is missing, the label says I+II+III). Such a check has ``ok``
    false and ``kind`` "info": visible, every difference listed, without making the exit status non-zero.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from comercio.warehouse import Vintage, Warehouse

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


def _subtotal_differences(rows: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
    """Every (parent, month) of one cuadro whose stored value differs from the sum of its stored children."""
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
    return compared, sorted(bad, key=lambda r: -abs(r["difference_usd"]))


def _recorded(vintage: Vintage | None) -> dict[tuple[str, date], float] | None:
    """The publisher's differences the reader found in the file at load time (None: not recorded)."""
    if vintage is None or "publisher_differences" not in vintage.extra:
        return None
    return {
        (d["path"], date.fromisoformat(d["period"])): float(d["difference_usd"])
        for d in vintage.extra["publisher_differences"]
    }


def check_cuadro_subtotals(wh: Warehouse) -> list[Check]:
    """Per cuadro: a hard check that our rows reproduce the file, and the publisher's subtotals (info)."""
    if not wh.has("sunat_cuadros"):
        return []
    by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in _rows(wh, "sunat_cuadros"):
        by_table[r["table"]].append(r)
    current = {v.slice: v for v in wh.catalog.vintages("sunat_cuadros", current_only=True)}
    checks = []
    for table, rows in sorted(by_table.items()):
        compared, bad = _subtotal_differences(rows)
        vintage = current.get(table)
        known = _recorded(vintage)
        problems: list[dict[str, Any]] = []
        if vintage is not None:
            # the loader records a hierarchical table's value total as the sum of its top level (level 0)
            total = sum(r["value_usd"] for r in rows if r["level"] == 0)
            if len(rows) != vintage.rows or not _close(total, vintage.value_total or 0.0):
                problems.append(
                    {
                        "problem": "stored rows differ from the load record",
                        "rows": len(rows),
                        "recorded_rows": vintage.rows,
                        "value_usd": total,
                        "recorded_value_usd": vintage.value_total,
                    }
                )
        explained = [
            b
            for b in bad
            if known is not None
            and (b["path"], b["period"]) in known
            and _close(known[(b["path"], b["period"])], b["difference_usd"])
        ]
        problems += [
            dict(b, problem="subtotal differs, the file does not") for b in bad if b not in explained
        ]
        shown = {(b["path"], b["period"]) for b in explained}
        problems += [
            {"problem": "the file's subtotal difference is gone", "path": p, "period": d, "difference_usd": v}
            for (p, d), v in sorted((known or {}).items())
            if (p, d) not in shown
        ]
        note = "" if known is not None else " (the load recorded no publisher differences: reload the file)"
        checks.append(
            Check(
                f"sunat {table}: stored rows reproduce the file",
                "hard",
                not problems,
                compared,
                len(problems),
                f"{compared} subtotals compared, {len(problems)} not explained by the file{note}",
                problems[:50],
            )
        )
        largest = f"; largest {explained[0]['difference_usd']:,.2f} US$" if explained else ""
        if vintage is not None and vintage.extra.get("accepted_shrink"):
            largest += "; this vintage was loaded with --accept-shrink (see the check of accepted shrinks)"
        checks.append(
            Check(
                f"sunat {table}: publisher's subtotals (parent vs sum of children in SUNAT's table)",
                "info",
                not explained,
                compared,
                len(explained),
                f"{len(explained)} of {compared} subtotals differ in the published file itself{largest}",
                explained[:50],
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


def check_accepted_shrinks(wh: Warehouse) -> Check:
    """Current vintages that were loaded although they drop data compared with the one before (info)."""
    current = wh.catalog.vintages(current_only=True)
    rows = [
        {"dataset": v.dataset, "slice": v.slice, "vintage": v.number, "dropped": "; ".join(shrank)}
        for v in current
        if (shrank := v.extra.get("accepted_shrink"))
    ]
    detail = (
        f"{len(rows)} current vintages were loaded with --accept-shrink; what each dropped is listed"
        if rows
        else "no current vintage drops data compared with the one before it"
    )
    return Check(
        "accepted shrinks (--accept-shrink)", "info", not rows, len(current), len(rows), detail, rows
    )


def validate(wh: Warehouse) -> list[Check]:
    checks: list[Check] = []
    for c in (check_bcrp(wh), compare_bcrp_g1(wh), check_accepted_shrinks(wh)):
        if c is not None:
            checks.append(c)
    checks.extend(check_cuadro_subtotals(wh))
    return checks
