"""Every numeric cell of the sector study's tables prints as a fact of its column's unit (es and en), on the
synthetic-BACI study and on a copy enriched with customs-line facts (destinations, origins, imports)."""

from __future__ import annotations

import dataclasses

import pytest
from _cells import is_numeric, unmatched_cells
from test_sector_report import enriched

from comercio.indicators.sector import SectorFacts
from comercio.reports.sector import build_sector_report


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_table_cell_is_a_fact(sf: SectorFacts, lang: str) -> None:
    for facts in (sf, enriched(sf)):
        report = build_sector_report(facts, lang)
        cells = [1 for t in report.tables() for c in t.columns if is_numeric(c) for _ in t.rows]
        assert len(cells) >= 10  # the check is not vacuous
        assert unmatched_cells(report) == []


def test_cell_matcher_catches_a_wrong_cell(sf: SectorFacts) -> None:
    report = build_sector_report(enriched(sf), "es")
    table = next(t for t in report.tables() if any(is_numeric(c) for c in t.columns) and t.rows)
    col = next(c for c in table.columns if is_numeric(c) and c.kind != "count")  # a share or a value
    row = dict(table.rows[0])
    row[col.key] = row[col.key] * 1.37
    wrong = dataclasses.replace(table, rows=(row, *table.rows[1:]))
    sections = [
        dataclasses.replace(s, tables=tuple(wrong if t is table else t for t in s.tables))
        for s in report.sections
    ]
    assert len(unmatched_cells(report.with_sections(sections))) == 1
