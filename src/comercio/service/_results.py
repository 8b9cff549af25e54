"""Indicator results as facts, and the table rows both front ends show, rebuilt from those facts.

:func:`build_facts` emits every number through the fact catalogue (``total.value|previous|growth`` and
``{dimension}.{member}.value|previous|growth|share|contribution|rank``); :meth:`Result.rows` reads the facts
back by family and parts and labels each member code in the language asked for. Facts carry codes only.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from comercio.indicators import engine, measures
from comercio.indicators.facts import FactSet, family, make
from comercio.indicators.specs import Spec
from comercio.reference import dimensions
from comercio.reference.labels import PATH_SEPARATOR, display_label

ROW_FAMILIES: dict[str, str] = {
    "value": "{dimension}.{member}.value",
    "previous": "{dimension}.{member}.previous",
    "growth": "{dimension}.{member}.growth",
    "share": "{dimension}.{member}.share",
    "contribution": "{dimension}.{member}.contribution",
    "rank": "{dimension}.{member}.rank",
}
TOTAL_FAMILIES: dict[str, str] = {
    "value": "total.value",
    "previous": "total.previous",
    "growth": "total.growth",
}
ROW_FIELDS: tuple[str, ...] = tuple(ROW_FAMILIES)
COLUMNS: tuple[str, ...] = ("member", "label", *ROW_FIELDS)
"""The columns of an indicator table, in the API's JSON rows, its CSV and the dashboard's downloads."""


def units() -> dict[str, str]:
    """The unit of every row field, from the fact catalogue."""
    return {name: family(template).unit for name, template in ROW_FAMILIES.items()}


def plain(value: Any) -> Any:
    """A JSON/CSV-safe scalar: dates as ISO text, NaN and infinities as None."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


@dataclass(frozen=True)
class Result:
    """One indicator result: the spec, the facts, the dataset and vintages it came from."""

    spec: Spec
    facts: FactSet
    dataset: str
    vintages: tuple[str, ...]
    synthetic: bool
    last_month: str | None

    def rows(self, lang: str = "es") -> list[dict[str, Any]]:
        """One row per member (ranked), rebuilt from the facts: member code, label in ``lang``, ROW_FIELDS."""
        dimension = self.spec.grouping.dimension
        by_member: dict[str, dict[str, Any]] = {}
        for name, template in ROW_FAMILIES.items():
            for f in self.facts.each(template):
                code = f.parts["member"]
                row = by_member.setdefault(
                    code, {"member": code, "label": member_label(dimension, code, lang)}
                )
                row[name] = plain(f.value)
        rows = [{k: r.get(k) for k in COLUMNS} for r in by_member.values()]
        return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0))

    def total(self) -> dict[str, Any]:
        return {name: plain(self.facts.value(template)) for name, template in TOTAL_FAMILIES.items()}


def member_label(dimension: str, code: str, lang: str) -> str:
    """A member's name in ``lang``; a sector (a SUNAT basket path) is named by its last level, spelt for
    display (``III.Otros`` → ``Otros``, ``Metal-mecanico`` → ``Metalmecánico``)."""
    if dimension == "sector":
        return display_label(code.rpartition(PATH_SEPARATOR)[2])
    return dimensions.label(dimension, code, lang)


def build_facts(spec: Spec, s: engine.Series, result: measures.WindowResult) -> FactSet:
    """Facts for the total and for every member's value, previous, growth, share, contribution and rank."""
    common: dict[str, Any] = {
        "window": spec.window.as_dict(),
        "comparison": None if spec.comparison is None else spec.comparison.as_dict(),
        "grouping": spec.grouping.label,
        "dataset": s.dataset,
        "vintages": s.vintages,
        "synthetic": s.synthetic,
    }
    totals = {"value": result.total, "previous": result.total_previous, "growth": result.total_growth}
    facts = FactSet(make(template, totals[name], **common) for name, template in TOTAL_FAMILIES.items())
    dimension = spec.grouping.dimension
    for row in result.rows:
        values = row.as_dict()
        parts = {"dimension": dimension, "member": row.member}
        for name, template in ROW_FAMILIES.items():
            facts.add(make(template, values[name], parts=parts, member=row.member, **common))
    return facts


def csv_text(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Rows as CSV (header first; None as an empty cell): the same bytes for the API and the dashboard."""
    columns = list(columns or (rows[0].keys() if rows else []))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: ("" if r.get(k) is None else plain(r.get(k))) for k in columns})
    return buf.getvalue()
