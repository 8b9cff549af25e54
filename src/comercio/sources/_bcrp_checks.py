"""What a BCRP departmental file must hold to be loaded, and its reconciliation with the published Total.

A file cut after a few lines still parses; only these checks tell it is incomplete: every department of
the reference table (Callao included), "No registrado" (ubigeo ``99``) and the "Total" series must be
present, every month carrying department figures must carry a Total figure (so the reconciliation always
runs), and months lie between January 1990 and the current month.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pyarrow as pa

from comercio import reference
from comercio.errors import ParseError
from comercio.sources._span import EARLIEST, current_month

# Reconciliation tolerance of departments vs Total: relative, or absolute in US$ (whichever is larger).
CHECK_RELATIVE_TOLERANCE = 1e-6
CHECK_ABSOLUTE_TOLERANCE_USD = 1.0
# No monthly trade series of Peru reaches US$ 1 trillion (exports are about 6 billion a month): damage.
MAX_MONTH_USD = 1e12


def check_amount(value: float, label: str, where: dict[str, Any]) -> float:
    """``value`` (US$) when plausible for a month of Peru's trade; otherwise a ParseError at ``where``."""
    if abs(value) > MAX_MONTH_USD:
        raise ParseError(f"series {label!r}: value {value / 1e6:g} (millions of US$) is implausible", **where)
    return value


def check_month(month: date, *, figures: bool = True, **where: Any) -> date:
    """``month`` when it lies in 1990-01 … the current month; otherwise a ParseError at ``where``.

    ``figures=False``: the month carries no figure (yet), so only its start is checked; BCRPData answers a
    request running to December with empty months.
    """
    last = current_month()
    if month < EARLIEST or (figures and month > last):
        raise ParseError(
            f"month {month:%Y-%m} is outside the plausible span {EARLIEST:%Y-%m} … {last:%Y-%m}", **where
        )
    return month


def required_departments() -> dict[str, str]:
    """Ubigeo → name of every department a departmental file must carry (``99`` "No registrado" included)."""
    table = reference.load("departments")
    names = table.column("name").to_pylist() if "name" in table.column_names else [None] * table.num_rows
    return {
        str(code).zfill(2): str(name or code)
        for code, name in zip(table.column("ubigeo").to_pylist(), names, strict=True)
    }


def require_members(records: pa.Table, totals: pa.Table, file: str) -> None:
    """Refuse a file missing a department, "No registrado", the Total series, or a month's Total figure."""
    present = set(records.column("department").to_pylist())
    missing = [name for code, name in required_departments().items() if code not in present]
    if totals.num_rows == 0:
        missing.append("Total")
    if missing:
        raise ParseError(
            f"incomplete file: no figures for {', '.join(missing)} (every department, Callao, "
            "No Registrado and Total are required)",
            file=file,
            column="department",
            hint="the file may be cut short; download it again",
        )
    with_total = set(totals.column("period").to_pylist())
    without = sorted(set(records.column("period").to_pylist()) - with_total)
    if without:
        raise ParseError(
            f"{len(without)} month(s) have department figures but no Total figure, first {without[0]:%Y-%m}",
            file=file,
            column=f"{without[0]:%Y-%m-%d}",
            hint="the reconciliation with the published Total needs every month's Total",
        )


def reconcile(records: list[dict[str, Any]], totals: dict[date, float]) -> pa.Table:
    """Per month of the Total series: departments (incl. 99) vs Total."""
    sums: dict[date, list[float]] = {}
    for record in records:
        sums.setdefault(record["period"], []).append(record["value_usd"])
    periods = sorted(totals)
    departments = [math.fsum(sums.get(p, [])) for p in periods]
    differences = [d - totals[p] for d, p in zip(departments, periods, strict=True)]
    ok = [
        abs(diff) <= max(CHECK_ABSOLUTE_TOLERANCE_USD, CHECK_RELATIVE_TOLERANCE * abs(totals[p]))
        for diff, p in zip(differences, periods, strict=True)
    ]
    return pa.table(
        {
            "period": pa.array(periods, pa.date32()),
            "departments_usd": pa.array(departments, pa.float64()),
            "total_usd": pa.array([totals[p] for p in periods], pa.float64()),
            "difference_usd": pa.array(differences, pa.float64()),
            "ok": pa.array(ok, pa.bool_()),
        }
    )
