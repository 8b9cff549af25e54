"""The one renderer of declared reports: :func:`render` (spec + bundle of facts → :class:`Report`).

Sections follow the spec's order; each is written from its macro, its declared tables (:func:`table_rows`)
and its builders, or keeps its one sentence when its facts are missing. No report-specific code here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from comercio.errors import ReportError
from comercio.i18n import Messages
from comercio.reference.dimensions import member_names
from comercio.reports.fmt import Formatter
from comercio.reports.spec import RenderContext, ReportSpec, SectionSpec, TableSpec, lookup
from comercio.reports.templating import paragraphs
from comercio.reports.writers import Column, Report, Section, Table


def _names(dimension: str, lang: str, cache: dict[str, Mapping[str, str]]) -> Mapping[str, str]:
    if dimension not in cache:
        cache[dimension] = member_names(dimension, lang)
    return cache[dimension]


def _family_rows(spec: TableSpec, rc: RenderContext) -> list[dict[str, Any]]:
    assert spec.family is not None
    where = {part: lookup(rc.context, path) for part, path in spec.where.items()}
    names: dict[str, Mapping[str, str]] = {}
    rows = []
    for f in rc.facts.each(spec.family):
        if any(f.parts.get(part) != value for part, value in where.items()):
            continue
        row: dict[str, Any] = {key: f.parts[part] for part, key in spec.keep.items()}
        for c in spec.columns:
            if c.family is not None:
                row[c.key] = rc.facts.value(c.family, **f.parts)
            elif c.dimension is not None:
                code = f.parts[c.member or c.dimension]
                row[c.key] = _names(c.dimension, rc.lang, names).get(code, code)
        rows.append(row)
    return rows


def _context_rows(spec: TableSpec, rc: RenderContext) -> list[dict[str, Any]]:
    assert spec.rows is not None
    names: dict[str, Mapping[str, str]] = {}
    rows = []
    for r in lookup(rc.context, spec.rows) or ():
        row = dict(r)
        for c in spec.columns:
            if c.family is not None:
                raise ReportError("columns of context rows read the row, not a family", field=spec.id)
            if c.dimension is not None:
                code = str(row[c.member or c.dimension])
                row[c.key] = _names(c.dimension, rc.lang, names).get(code, code)
        rows.append(row)
    return rows


def table_rows(spec: TableSpec, rc: RenderContext) -> list[dict[str, Any]]:
    """The rows of a declared table: raw values (facts' values, names in the report's language)."""
    if (spec.family is None) == (spec.rows is None):
        raise ReportError("a table reads either a fact family or the context's rows", field=spec.id)
    rows = _family_rows(spec, rc) if spec.family is not None else _context_rows(spec, rc)
    if spec.sort is not None:
        key = spec.sort.lstrip("-")
        sign = -1.0 if spec.sort.startswith("-") else 1.0
        rows.sort(key=lambda r: sign * (r.get(key) or 0.0))
    return rows[: spec.limit] if spec.limit is not None else rows


def table(spec: TableSpec, rc: RenderContext) -> Table | None:
    """A declared table in the report's language (None: an optional table without rows)."""
    rows = table_rows(spec, rc)
    if spec.optional and not rows:
        return None
    columns = tuple(Column(c.key, c.label(rc.msg, rc.context), c.kind, c.decimals) for c in spec.columns)
    note = None if spec.note is None else spec.note(rc.msg, rc.context)
    return Table(spec.id, spec.title(rc.msg, rc.context), columns, tuple(rows), note=note)


def available(section: SectionSpec, rc: RenderContext) -> bool:
    """Whether a section is written: its needs are met and the bundle does not omit it (unless partial)."""
    if section.id in rc.bundle.omitted and not section.partial:
        return False
    return all(n.met(rc.facts, rc.context) for n in section.needs)


def _written(spec: ReportSpec, section: SectionSpec, rc: RenderContext, title: str) -> Section:
    macro = getattr(rc.template, section.macro or section.id, None)
    if macro is None:
        raise ReportError(f"no narrative for section {section.id!r}", file=spec.template, field=section.id)
    tables = []
    for t in section.tables:
        built = table(t, rc) if isinstance(t, TableSpec) else t(rc)
        if built is not None:
            tables.append(built)
    figures = tuple(f for build in section.figures for f in build(rc))
    return Section(section.id, title, paragraphs(str(macro(rc.context))), tuple(tables), figures)


def render(spec: ReportSpec, bundle: Any, lang: str, **options: Any) -> Report:
    """The report of ``spec`` from ``bundle`` (facts, omitted sections, synthetic flag) in ``lang``.

    ``options`` reach the builders (:attr:`RenderContext.options`), e.g. the map's ``geojson``.
    """
    msg = Messages(lang)
    module = spec.environment(lang).get_template(spec.template.format(lang=lang)).module
    rc = RenderContext(bundle, lang, Formatter(lang), msg, spec.context(bundle, lang), options, module)
    declared: Mapping[str, str] = bundle.omitted
    sections: list[Section] = []
    omitted: dict[str, str] = {}
    for s in spec.sections:
        title = (
            msg(s.title)
            if s.title
            else msg(f"{spec.titles}.{s.id}")
            if spec.titles
            else rc.say("title", s.id)
        )
        if s.notice:
            if s.id in declared:
                sections.append(Section(s.id, title, (spec.omitted(rc, s.id),), omitted=True))
        elif available(s, rc):
            if s.id in declared:
                omitted[s.id] = spec.omitted(rc, s.id)
            sections.append(_written(spec, s, rc, title))
        elif s.missing == "sentence":
            sentence = spec.omitted(rc, s.id)
            omitted[s.id] = sentence
            sections.append(Section(s.id, title, (sentence,), omitted=True))
    cover = spec.cover(rc, omitted)
    reasons = {k: declared[k] for k in omitted if k in declared}
    meta = {**cover.meta, **({"omitted_reasons": reasons} if reasons else {})}
    return Report(
        spec.kind,
        lang,
        cover.title,
        cover.subtitle,
        tuple(sections),
        bundle.facts,
        cover.source,
        bool(bundle.synthetic),
        meta,
    )


__all__ = ["available", "render", "table", "table_rows"]
