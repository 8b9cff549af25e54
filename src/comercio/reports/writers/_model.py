"""The report object every writer renders: sections of prose, tables (rows + column specs) and figures.

A report is data, not markup: the regional and sector reports build one :class:`Report` and every writer
(HTML, PDF, XLSX, Markdown, JSON) renders that same object, so a figure reads the same in every format. Cells
keep raw numbers; :func:`cell_text` formats them through the one house formatter (HTML, Markdown, PDF),
while the XLSX writer stores the numbers themselves with a matching number format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from comercio.indicators.facts import FactSet
from comercio.reports.fmt import Formatter

ColumnKind = Literal["text", "money", "millions", "pct", "pct_signed", "count", "number"]
FORMATS = ("html", "pdf", "xlsx", "md", "json")


@dataclass(frozen=True)
class Column:
    """One table column: ``key`` in each row, its header, and how its values are written."""

    key: str
    label: str
    kind: ColumnKind = "text"
    decimals: int = 1


@dataclass(frozen=True)
class Table:
    """A table: ``rows`` are dicts keyed by the columns' keys, holding raw values (US$, fractions, text)."""

    id: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Mapping[str, Any], ...]
    note: str | None = None


@dataclass(frozen=True)
class Figure:
    """A chart (Vega-Lite spec, rendered to PNG/SVG by the writers) with its title and text alternative."""

    id: str
    title: str
    spec: Mapping[str, Any]
    alt: str = ""


@dataclass(frozen=True)
class Section:
    """A titled part of a report; ``omitted`` marks a section whose only text says what data it would need."""

    id: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    figures: tuple[Figure, ...] = ()
    omitted: bool = False


@dataclass(frozen=True)
class Report:
    """A complete report in one language; ``meta`` goes verbatim into ``report.json`` next to the facts."""

    kind: str
    lang: str
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    facts: FactSet
    source: str
    synthetic: bool = False
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def fmt(self) -> Formatter:
        return Formatter(self.lang)

    @property
    def synthetic_notice(self) -> str | None:
        """The banner every output built on synthetic data must carry, or None for real data."""
        if not self.synthetic:
            return None
        if self.lang == "es":
            return "DATOS SINTÉTICOS: este informe se generó con datos sintéticos, no con cifras oficiales."
        return "SYNTHETIC DATA: this report was generated from synthetic data, not official figures."

    @property
    def stem(self) -> str:
        """File name stem (``report``) shared by every format of one report."""
        return "report"

    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    def figures(self) -> list[Figure]:
        return [f for s in self.sections for f in s.figures]

    def with_sections(self, sections: Sequence[Section]) -> Report:
        return replace(self, sections=tuple(sections))


def cell_text(fmt: Formatter, column: Column, value: Any) -> str:
    """A cell as printed in HTML, Markdown and PDF, by the same formatter as the prose."""
    if value is None or (isinstance(value, float) and value != value):
        return fmt.na
    if column.kind == "text":
        return str(value)
    if column.kind == "money":
        return fmt.money(value)
    if column.kind == "millions":
        return fmt.number(float(value) / 1e6, 0 if abs(float(value)) >= 1e8 else 1)
    if column.kind == "pct":
        return fmt.pct(value, decimals=column.decimals)
    if column.kind == "pct_signed":
        return fmt.pct(value, decimals=column.decimals, signed=True)
    if column.kind == "count":
        return fmt.number(value, 0)
    return fmt.number(value, column.decimals)


def is_numeric(column: Column) -> bool:
    return column.kind != "text"
