"""Table cells checked against facts: a numeric cell must print exactly as some fact of its column's unit.

Shared by the regional and sector report tests (imported as a plain module: ``tests/reports`` is on the path).
"""

from __future__ import annotations

from comercio.indicators.facts import FactSet
from comercio.reports.fmt import Formatter
from comercio.reports.writers import Column, Report, cell_text

UNIT_OF_COLUMN = {
    "millions": "usd",
    "money": "usd",
    "pct": "fraction",
    "pct_signed": "fraction",
    "pp_signed": "fraction",
    "count": "count",
}


def is_numeric(col: Column) -> bool:
    return col.kind != "text"


def recorded(facts: FactSet) -> dict[str, set[float | None]]:
    """Every number the facts record, by unit: values (a missing one prints n.d.), earlier highs of record
    lists, and the positions 1…n of ranked lists (a rank column numbers a list fact's members)."""
    out: dict[str, set[float | None]] = {}
    for f in facts:
        if f.value is None or (isinstance(f.value, int | float) and not isinstance(f.value, bool)):
            out.setdefault(f.unit, set()).add(f.value)
        if f.unit == "members" and isinstance(f.value, list):
            out.setdefault("count", set()).update(range(1, len(f.value) + 1))
        for high in f.extra.get("previous_max", {}).values():
            out.setdefault("usd", set()).add(high["value"])
    return out


def unmatched_cells(report: Report) -> list[str]:
    """Printed numeric cells whose text no recorded number of the column's unit prints as."""
    fmt = Formatter(report.lang)
    numbers = recorded(report.facts)
    bad: list[str] = []
    for table in report.tables():
        for col in table.columns:
            if not is_numeric(col):
                continue
            printed = {cell_text(fmt, col, v) for v in numbers.get(UNIT_OF_COLUMN[col.kind], ())}
            for row in table.rows:
                if not table.shown(col, row):
                    continue
                text = cell_text(fmt, col, row.get(col.key))
                if text not in printed:
                    bad.append(f"{table.id}.{col.key}: {text}")
    return bad
