"""The report object every writer renders: sections of prose, tables (rows + column specs) and figures.

A report is data, not markup: the regional and sector reports build one :class:`Report` and every writer
(HTML, PDF, XLSX, Markdown, JSON) renders that same object, so a figure reads the same in every format. Cells
keep raw numbers; a column's kind maps to a figure kind (:data:`FIGURES`), so :func:`cell_text` (HTML,
Markdown, PDF) and the XLSX writer's stored number and number format come from the one formatter rule
(:mod:`comercio.reports.figures`) and show the same figure as the prose and the charts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from comercio.i18n import t
from comercio.reports.fmt import Formatter, stored

if TYPE_CHECKING:
    from comercio.indicators.facts import FactSet

ColumnKind = Literal["text", "money", "millions", "pct", "pct_signed", "pp_signed", "count", "number"]
RowKind = Literal["member", "group", "subtotal", "total"]
FORMATS = ("html", "pdf", "xlsx", "md", "json")
ROW_KIND = "_kind"  # the row key naming a row's role (:attr:`Table.kind`)

# column kind -> (figure kind, options): ``millions`` is money as the bare figure in US$ millions
FIGURES: dict[str, tuple[str, dict[str, Any]]] = {
    "money": ("value", {}),
    "millions": ("value", {"scale": "millions", "bare": True}),
    "pct": ("share", {}),
    "pct_signed": ("growth", {}),
    "pp_signed": ("contribution", {}),
    "count": ("count", {}),
    "number": ("number", {}),
}


@dataclass(frozen=True)
class Column:
    """One table column: ``key`` in each row, its header, and how its values are written.

    ``decimals`` overrides the kind's (one for percentages and plain numbers; money decides from the
    figure): a report table gives its US$ millions columns one precision this way.
    """

    key: str
    label: str
    kind: ColumnKind = "text"
    decimals: int | None = None

    def _figure(self) -> tuple[str, dict[str, Any]]:
        kind, options = FIGURES[self.kind]
        return kind, {**options, "decimals": self.decimals}

    def text(self, fmt: Formatter, value: Any) -> str:
        """The cell as printed (HTML, Markdown, PDF)."""
        if self.kind == "text":
            return fmt.na if _missing(value) else str(value)
        kind, options = self._figure()
        return fmt.figure(value, kind, **options)

    def stored(self, value: Any) -> Any:
        """The cell as a spreadsheet keeps it: text, or the number :meth:`number_format` displays."""
        if _missing(value):
            return None
        if self.kind == "text":  # a year given as a number stays a number
            return value if isinstance(value, int) else str(value)
        if self.kind == "count":
            return int(value)
        kind, options = self._figure()
        return stored(value, kind, scale=options.get("scale", "auto"), bare=options.get("bare", False))

    def number_format(self, fmt: Formatter, value: Any) -> str | None:
        """The XLSX number format of this cell (None for text)."""
        if self.kind == "text":
            return None
        kind, options = self._figure()
        return fmt.number_format(value, kind, **options)


@dataclass(frozen=True)
class Table:
    """A table: ``rows`` are dicts keyed by the columns' keys, holding raw values (US$, fractions, text),
    and optionally their role under :data:`ROW_KIND` (group heading, subtotal, total)."""

    id: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Mapping[str, Any], ...]
    note: str | None = None
    group: str | None = None  # column printed only on "group" rows (the spreadsheet repeats it on each row)

    def kind(self, row: Mapping[str, Any]) -> RowKind:
        """A row's role: a member (default), a group heading, a subtotal or the total (``row["_kind"]``)."""
        kind: RowKind = row.get(ROW_KIND, "member")
        return kind

    def shown(self, column: Column, row: Mapping[str, Any]) -> bool:
        """Whether a printed page shows this cell: the group column only on its group's own row; a subtotal
        or total prints nothing where it has no value (the national total has no share of itself)."""
        if self.kind(row) != "member" and _missing(row.get(column.key)):
            return False
        return column.key != self.group or self.kind(row) == "group"


class Figure:
    """A chart (Vega-Lite spec, rendered to PNG/SVG by the writers) with its title and text alternative.

    Give the ``spec``, or :meth:`drawn`: a chart built on first use of :attr:`spec` or :attr:`alt`, once, so
    a report written only as JSON or XLSX (which name figures but draw none) never builds its charts.
    """

    __slots__ = ("_alt", "_draw", "_spec", "id", "title")

    def __init__(self, id: str, title: str, spec: Mapping[str, Any], alt: str = "") -> None:
        self.id, self.title = id, title
        self._spec: Mapping[str, Any] | None = spec
        self._alt: str | None = alt
        self._draw: Callable[[], Any] | None = None

    @classmethod
    def drawn(cls, id: str, title: str, draw: Callable[[], Any], *, described: bool = True) -> Figure:
        """A figure whose chart ``draw()`` builds when first needed; its text alternative is the chart's
        description (``described``) or empty."""
        fig = cls(id, title, {}, "")
        fig._spec, fig._alt, fig._draw = None, None if described else "", draw
        return fig

    def _drawn(self) -> None:
        from comercio.reports.vega import to_spec

        assert self._draw is not None
        chart = self._draw()
        self._spec = to_spec(chart)
        if self._alt is None:
            self._alt = str(chart.description)
        self._draw = None

    def settle(self, spec: Mapping[str, Any], alt: str) -> None:
        """Take the ``spec`` and text alternative drawn elsewhere (another process) instead of drawing."""
        self._spec, self._alt, self._draw = spec, alt, None

    @property
    def spec(self) -> Mapping[str, Any]:
        if self._spec is None:
            self._drawn()
        assert self._spec is not None
        return self._spec

    @property
    def alt(self) -> str:
        if self._alt is None:
            self._drawn()
        assert self._alt is not None
        return self._alt

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Figure):
            return NotImplemented
        return (self.id, self.title, self.spec, self.alt) == (other.id, other.title, other.spec, other.alt)

    __hash__ = None  # type: ignore[assignment]  # mutable spec: like the dataclass it replaces

    def __repr__(self) -> str:
        return f"Figure(id={self.id!r}, title={self.title!r})"


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
    data: tuple[Table, ...] = ()  # data behind the report, for the spreadsheet only (e.g. monthly values)

    @property
    def fmt(self) -> Formatter:
        return Formatter(self.lang)

    @property
    def synthetic_notice(self) -> str | None:
        """The banner every output built on synthetic data must carry, or None for real data."""
        return t("common.synthetic_notice", self.lang) if self.synthetic else None

    @property
    def stem(self) -> str:
        """File name stem (``report``) shared by every format of one report."""
        return "report"

    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    def figures(self) -> list[Figure]:
        return [f for s in self.sections for f in s.figures]

    def body(self) -> list[Section]:
        """The sections a publishable page shows: the written ones (omitted ones go to the methods)."""
        return [s for s in self.sections if not s.omitted]

    def omitted_sections(self) -> list[Section]:
        """Sections the data could not support, each with its sentence saying what data would enable it."""
        return [s for s in self.sections if s.omitted]

    def with_sections(self, sections: Sequence[Section]) -> Report:
        return replace(self, sections=tuple(sections))


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def cell_text(fmt: Formatter, column: Column, value: Any) -> str:
    """A cell as printed in HTML, Markdown and PDF, by the same formatter as the prose."""
    return column.text(fmt, value)


def is_numeric(column: Column) -> bool:
    return column.kind != "text"
