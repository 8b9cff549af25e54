"""The number of exporters of a region, by calendar year, from the customs lines loaded.

An exporter is a distinct ``trader_id`` (the RUC or document of the declarant) among the export lines of the
department, read through the warehouse gateway (current vintages, corrections and the user's exporter →
department table applied): one Ibis aggregation per profile. A year is the one of the region's line history
(:class:`~comercio.reports.profiles_data.History`), so a year the lines do not hold whole carries the same
months and label as every other line table. Lines without a trader id are not counted as exporters; their
number is kept with the fact (``extra.without_id``). Exporters whose name the publisher masked (natural
persons, ``trader_masked``) are counted apart when the files say which they are.
"""

from __future__ import annotations

from typing import Any

from comercio.reports.profiles_data import Builder, History
from comercio.warehouse import Warehouse, schema

COUNT = "profile.{dataset}.exporters.{year}"
MASKED = "profile.{dataset}.exporters_masked.{year}"
COLUMNS = ("trader_id", "trader_masked", "department", "flow", "period")


def _by_year(wh: Warehouse, dataset: str, code: str, engine: str | None) -> dict[int, dict[str, Any]]:
    """Per year: distinct exporters, distinct masked exporters, lines with a masked flag, lines without id."""
    t = wh.table(dataset, engine)
    t = t.filter((t.flow == "X") & (t.department == code))
    masked = t.trader_masked.fill_null(False)
    expr = t.group_by(year=t.period.year()).aggregate(
        exporters=t.trader_id.nunique(),
        masked=t.trader_id.nunique(where=masked),
        flagged=t.trader_masked.count(),
        without_id=t.count(where=t.trader_id.isnull()),
    )
    out = wh.execute(expr, engine=engine).to_pylist()
    return {int(r.pop("year")): r for r in out if r["year"] is not None}


def exporter_facts(b: Builder, wh: Warehouse, h: History, code: str, engine: str | None) -> bool:
    """Facts of the number of exporters of department ``code`` in each year of ``h`` (the region's export
    history in a line dataset with trader ids); False when the dataset cannot say."""
    spec = schema.get(h.dataset)
    if h.flow != "X" or not spec.lines or not set(COLUMNS) <= set(spec.columns) or not h.years:
        return False
    key = ("profile_exporters", h.dataset, code, engine or wh.settings.engine, wh.version())
    counts = wh.memo(key, lambda: _by_year(wh, h.dataset, code, engine))
    if not any(c["exporters"] for c in counts.values()):
        return False  # no trader id in the lines: nothing to count
    for y in h.years:
        c = counts.get(y.year, {"exporters": 0, "masked": 0, "flagged": 0, "without_id": 0})
        window = {"kind": "months", "start": f"{y.year}-{y.first:02d}", "end": f"{y.year}-{y.last:02d}"}
        extra = {
            "months": [y.first, y.last],
            "held": y.held,
            "partial": y.partial,
            "without_id": int(c["without_id"]),
        }
        parts = {"dataset": h.dataset, "year": str(y.year)}
        b.add(COUNT, int(c["exporters"]), window=window, src=h, parts=parts, member=code, extra=extra)
        if c["flagged"]:  # the files say whose name is masked
            b.add(MASKED, int(c["masked"]), window=window, src=h, parts=parts, member=code, extra=extra)
    return True


__all__ = ["COUNT", "MASKED", "exporter_facts"]
