"""Reports declared as data: a :class:`ReportSpec` lists its sections, the facts each needs, its tables and
figures; :func:`comercio.reports.render` turns a spec and a bundle of facts into a
:class:`~comercio.reports.writers.Report`.

A section is written when the fact families it :attr:`~SectionSpec.needs` are present, otherwise it keeps
the one sentence saying what data it would need (or is dropped). Its prose is the macro of the same name
in the spec's template (``regional_{lang}.j2``), called with the report's context. Tables are declared as
:class:`TableSpec` where they can be (rows from a fact family, or from the context's rows the prose reads,
columns reading sibling families or naming members from the reference tables); tables and figures that
need logic of their own are builder functions of a :class:`RenderContext`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from jinja2 import Environment

from comercio.i18n import Messages
from comercio.indicators.facts import FactSet
from comercio.reports import templating
from comercio.reports.fmt import Formatter
from comercio.reports.writers import ColumnKind, Figure, Table


class FactsBundle(Protocol):
    """What a report is built from: its facts, the sections the data could not support, and whether the
    facts are synthetic (``RegionalFacts``, ``SectorFacts``, or any object with these attributes)."""

    @property
    def facts(self) -> FactSet: ...

    @property
    def omitted(self) -> Mapping[str, str]: ...

    @property
    def synthetic(self) -> bool: ...


def lookup(context: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` of the context (``agro.natural``); None when a step is missing."""
    value: Any = context
    for step in path.split("."):
        if not isinstance(value, Mapping) or step not in value:
            return None
        value = value[step]
    return value


@dataclass(frozen=True)
class Text:
    """A message of the catalogue whose placeholders are filled from the context (placeholder → path)."""

    key: str
    args: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, msg: Messages, context: Mapping[str, Any]) -> str:
        return msg(self.key, **{k: lookup(context, path) for k, path in self.args.items()})


def text(key: str, **args: str) -> Text:
    """``text("regional.table.value_of_year", year="prev_year")``."""
    return Text(key, args)


@dataclass(frozen=True)
class Need:
    """Facts a section needs: some fact of ``family`` matching ``parts`` (all facts when none) and, for
    ``where`` (part → context path), the context's values, with a value (not None, not an empty list)."""

    family: str
    parts: Mapping[str, str] = field(default_factory=dict)
    where: Mapping[str, str] = field(default_factory=dict)

    def met(self, facts: FactSet, context: Mapping[str, Any]) -> bool:
        parts = {**self.parts, **{k: lookup(context, path) for k, path in self.where.items()}}
        return any(
            f.value is not None
            and f.value != []
            and f.value != ()
            and all(f.parts.get(k) == v for k, v in parts.items())
            for f in facts.each(self.family)
        )


def need(family: str, where: Mapping[str, str] | None = None, **parts: str) -> Need:
    """``need("{region_group}.value", region_group="interior")``; ``where={"department": "code"}`` takes
    the part from the context."""
    return Need(family, parts, dict(where or {}))


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a declared table.

    Its cells read, in this order of precedence: ``family``, a sibling fact family read with the row's
    parts (the row's own family for the row's own value); ``dimension``, the member's name in the report's
    language (the code is the row's part, or context key, ``member``, by default the dimension's name);
    else the context row's ``key``.
    """

    key: str
    label: Text
    kind: ColumnKind = "text"
    family: str | None = None
    dimension: str | None = None
    member: str | None = None
    decimals: int | None = None  # one precision for the whole column (default: the figure decides)


@dataclass(frozen=True)
class TableSpec:
    """A table declared as data.

    Rows come from ``family`` (one row per fact, holding the ``keep`` parts under their row keys, then the
    columns; ``where`` keeps the facts whose parts equal context values, part → path) or from the context's
    rows at ``rows`` (the rows the prose reads; columns naming members replace their key). ``sort`` is a
    column key, ``-`` first for descending (missing values count as 0); ``limit`` keeps the first rows.
    ``optional`` tables with no rows are left out.
    """

    id: str
    title: Text
    columns: tuple[ColumnSpec, ...]
    family: str | None = None
    rows: str | None = None
    keep: Mapping[str, str] = field(default_factory=dict)
    where: Mapping[str, str] = field(default_factory=dict)
    sort: str | None = None
    limit: int | None = None
    note: Text | None = None
    optional: bool = False


@dataclass(frozen=True)
class RenderContext:
    """What builders read: the bundle, the language's formatter and messages, the narrative context and
    the options given to :func:`~comercio.reports.render` (e.g. ``geojson``)."""

    bundle: Any
    lang: str
    fmt: Formatter
    msg: Messages
    context: Mapping[str, Any]
    options: Mapping[str, Any] = field(default_factory=dict)
    template: Any = None  # the narrative template's module (its macros as attributes)

    @property
    def facts(self) -> FactSet:
        facts: FactSet = self.bundle.facts
        return facts

    def say(self, macro: str, *args: Any) -> str:
        """One macro of the narrative template as one line of text (a title, a sentence)."""
        return " ".join(templating.paragraphs(str(getattr(self.template, macro)(*args))))


TableBuilder = Callable[[RenderContext], Table | None]
FigureBuilder = Callable[[RenderContext], Sequence[Figure]]


@dataclass(frozen=True)
class SectionSpec:
    """One section: its id, the facts it needs, its prose macro (default: the id), tables and figures.

    ``title`` is a message key (default ``<spec.titles>.<id>``; without ``titles``, the template's
    ``title(id)`` macro). When its needs are unmet, or the bundle
    declares it omitted and it is not ``partial``, the section keeps its one sentence (``missing="sentence"``)
    or is left out (``"drop"``). A ``notice`` section is only that sentence, written when the bundle
    declares the section omitted.
    """

    id: str
    needs: tuple[Need, ...] = ()
    macro: str | None = None
    title: str | None = None
    tables: tuple[TableSpec | TableBuilder, ...] = ()
    figures: tuple[FigureBuilder, ...] = ()
    partial: bool = False
    missing: Literal["sentence", "drop"] = "sentence"
    notice: bool = False


@dataclass(frozen=True)
class Cover:
    """The report's title, subtitle, source line and ``report.json`` metadata."""

    title: str
    subtitle: str
    source: str
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportSpec:
    """A report as data.

    ``template`` is the narrative template, ``{lang}`` filled (one macro per section); ``titles`` the
    message prefix of section titles (None: the template's ``title`` macro names them); ``context``
    builds the template's context from the bundle; ``omitted`` writes the one sentence of a section the
    data cannot support; ``cover`` the title, subtitle, source and metadata (it gets the omitted sections,
    id → what they need); ``environment`` the Jinja environment of a language (default:
    :func:`comercio.reports.templating.environment`).
    """

    kind: str
    template: str
    titles: str | None
    context: Callable[[Any, str], Mapping[str, Any]]
    sections: tuple[SectionSpec, ...]
    omitted: Callable[[RenderContext, str], str]
    cover: Callable[[RenderContext, Mapping[str, str]], Cover]
    environment: Callable[[str], Environment] = templating.environment

    def section(self, sid: str) -> SectionSpec:
        """The section spec of ``sid`` (KeyError when the report has none)."""
        for s in self.sections:
            if s.id == sid:
                return s
        raise KeyError(sid)


__all__ = [
    "ColumnSpec",
    "Cover",
    "FactsBundle",
    "Need",
    "RenderContext",
    "ReportSpec",
    "SectionSpec",
    "TableSpec",
    "Text",
    "lookup",
    "need",
    "text",
]
