"""The regional export report (Mincetur's "Reporte Mensual de Comercio Regional", in our own words).

:func:`build_regional` turns :class:`~comercio.indicators.regional.RegionalFacts` into a
:class:`~comercio.reports.writers.Report`: for each section, in the order of the official release, the
narrative (``narrative.py`` + Jinja2 templates), its tables and figures, or, where the loaded data cannot
support it, one sentence saying what data it would need. :func:`write_regional` computes the facts from a
warehouse and writes the requested formats, with the department map when the boundaries are in the
reference assets (:func:`comercio.reference.boundaries`). No SQL here: every number comes from the facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from comercio import reference
from comercio.i18n import Messages, t
from comercio.indicators.facts import FactSet
from comercio.indicators.regional import SECTIONS, RegionalFacts, regional_facts
from comercio.reference.dimensions import member_names
from comercio.reports import charts, maps, narrative
from comercio.reports.fmt import Formatter
from comercio.reports.writers import FORMATS, Column, Figure, Report, Section, Table, write_report
from comercio.warehouse import Warehouse

# sections whose facts are partial: they are written and the missing part gets its one sentence inline
PARTIAL = {"fastest"}
SHARE_YEARS_SHOWN = 10  # years drawn in the share chart, up to the report's (the table keeps them all)
NO_MAP = "department boundaries (run `comercio build`)"


def _source(rf: RegionalFacts, lang: str) -> str:
    names = [narrative.dataset_name(d, lang) for d in sorted(rf.datasets)]
    text = "; ".join(names) or t("common.no_data", lang)
    return text + (f" ({t('common.synthetic', lang)})" if rf.synthetic else "")


def _region_rows(facts: FactSet, names: Mapping[str, str]) -> tuple[dict[str, Any], ...]:
    rows = []
    for f in facts.each("region.{department}.value"):
        code = f.parts["department"]
        rows.append(
            {
                "ubigeo": code,
                "name": names.get(code, code),
                "value": f.value,
                "previous": facts.value("region.{department}.previous", department=code),
                "growth": facts.value("region.{department}.growth", department=code),
                "share": facts.value("region.{department}.share", department=code),
            }
        )
    return tuple(sorted(rows, key=lambda r: -(r["value"] or 0.0)))


def _figures_regions(
    rf: RegionalFacts, lang: str, rows: Iterable[Mapping[str, Any]], geojson: Mapping[str, Any] | None
) -> tuple[Figure, ...]:
    fmt, source = Formatter(lang), _source(rf, lang)
    span = fmt.period(rf.through.replace(month=1), rf.through)
    depts = [r for r in rows if r["ubigeo"] != "99" and r["growth"] is not None]
    figs: list[Figure] = []
    if geojson is not None:
        title = t("regional.figure.map_growth", lang, span=span)
        chart = maps.department_map(
            geojson,
            [{"ubigeo": r["ubigeo"], "value": r["growth"], "label": r["name"]} for r in depts],
            fmt,
            "growth",
            title,
            source,
        )
        figs.append(Figure("map_growth", title, charts.to_spec(chart), str(chart.description)))
    title = t("regional.figure.growth_bars", lang, span=span)
    bars = charts.growth_bars(
        [{"label": r["name"], "growth": r["growth"]} for r in depts], fmt, title, source
    )
    figs.append(Figure("growth_bars", title, charts.to_spec(bars), str(bars.description)))
    return tuple(figs)


def _macro_table(ctx: Mapping[str, Any], msg: Messages) -> Table:
    cols = (
        Column("name", msg("regional.table.macroregion")),
        Column("growth", msg("regional.table.change"), "pct_signed"),
        Column("share", msg("regional.table.share"), "pct"),
    )
    rows: list[dict[str, Any]] = []
    for m in ctx["macros"]:
        rows.append({"name": str(m["name"]).capitalize(), "growth": m["growth"], "share": m["share"]})
        rows.extend(
            {"name": f"  {r['name']}", "growth": r["growth"], "share": r["share"]} for r in m["regions"]
        )
    return Table("macroregions", msg("regional.table.macroregions"), cols, tuple(rows))


def _records_table(rf: RegionalFacts, msg: Messages, names: Mapping[str, str]) -> Table | None:
    fact = rf.facts.get("regions.record.members")
    if fact is None or not fact.value:
        return None
    prev = fact.extra.get("previous_max", {})
    rows = tuple(
        {
            "name": names.get(m, m),
            "value": rf.facts.value("region.{department}.value", department=m),
            "previous_max": prev.get(m, {}).get("value"),
            "year": str(prev.get(m, {}).get("year", "")),
        }
        for m in fact.value
    )
    cols = (
        Column("name", msg("regional.table.region")),
        Column("value", msg("regional.table.value"), "millions"),
        Column("previous_max", msg("regional.table.previous_high"), "millions"),
        Column("year", msg("regional.table.previous_high_year")),
    )
    return Table("records", msg("regional.table.records"), cols, rows)


def _year_label(year: int, through: date, fmt: Formatter, sep: str = " ") -> str:
    """A year of the share history; the report's own year, when not complete, names its months.

    ``sep`` goes between the year and its months (a line break on the chart's axis).
    """
    if year != through.year or through.month == 12:
        return str(year)
    short = fmt.d3_time_locale()["shortMonths"]
    months = short[0] if through.month == 1 else f"{short[0]}-{short[through.month - 1]}"
    return t("regional.share.partial_year", fmt.lang, year=year, sep=sep, months=months)


def _share_section_extras(rf: RegionalFacts, lang: str) -> tuple[tuple[Table, ...], tuple[Figure, ...]]:
    hist = narrative.share_history(rf.facts)
    if not hist:
        return (), ()
    fmt = Formatter(lang)
    rows = [{"year": _year_label(r["year"], rf.through, fmt), "share": r["share"]} for r in hist]
    title = t("regional.figure.interior_share", lang)
    note = None
    if hist[-1]["year"] == rf.through.year and rf.through.month < 12:
        month = fmt.month(rf.through.month)
        note = t("regional.share.partial_note", lang, label=rows[-1]["year"], month=month)
    drawn = [
        {"year": _year_label(r["year"], rf.through, fmt, "\n"), "share": r["share"]}
        for r in hist[-SHARE_YEARS_SHOWN:]
    ]
    chart = charts.share_over_years(drawn, fmt, title, _source(rf, lang))
    table = Table(
        "interior_share",
        title,
        (
            Column("year", t("regional.table.year", lang)),
            Column("share", t("regional.table.share", lang), "pct"),
        ),
        tuple(rows),
        note=note,
    )
    return (table,), (Figure("interior_share", title, charts.to_spec(chart), str(chart.description)),)


def _simple_table(tid: str, title: str, cols: tuple[Column, ...], rows: Iterable[Mapping[str, Any]]) -> Table:
    return Table(tid, title, cols, tuple(dict(r) for r in rows))


def _section_tables(rf: RegionalFacts, lang: str, ctx: Mapping[str, Any]) -> dict[str, tuple[Table, ...]]:
    msg = Messages(lang)
    year = rf.through.year
    names = member_names("department", lang)
    out: dict[str, tuple[Table, ...]] = {}
    region_cols = (
        Column("name", msg("regional.table.region")),
        Column("value", msg("regional.table.value_of_year", year=year), "millions"),
        Column("previous", msg("regional.table.value_of_year", year=year - 1), "millions"),
        Column("growth", msg("regional.table.change"), "pct_signed"),
        Column("share", msg("regional.table.share"), "pct"),
    )
    out["headline"] = (
        Table(
            "regions",
            msg("regional.table.regions"),
            region_cols,
            _region_rows(rf.facts, names),
            note=msg("regional.table.regions_note", span=ctx["span"]),
        ),
    )
    rec = _records_table(rf, msg, names)
    out["regions"] = (rec,) if rec is not None else ()
    out["macroregions"] = (_macro_table(ctx, msg),)
    name, share, growth = (
        Column("name", msg("regional.table.name")),
        Column("share", msg("regional.table.share"), "pct"),
        Column("growth", msg("regional.table.change"), "pct_signed"),
    )
    value = Column("value", msg("regional.table.value"), "millions")
    if ctx["rolling"]:
        out["rolling12"] = (
            _simple_table("rolling12", msg("regional.table.rolling12"), (name, value, share), ctx["rolling"]),
        )
    if ctx["agro"]:
        out["agro"] = (
            _simple_table("agro", msg("regional.table.agro"), (name, growth, share), ctx["agro"]["natural"]),
        )
    if ctx["customs"]:
        offices = member_names("customs_office", lang)
        rows = [{**o, "name": offices.get(o["code"], o["code"])} for o in ctx["customs"]]
        out["customs"] = (
            _simple_table("customs", msg("regional.table.customs"), (name, value, share, growth), rows),
        )
    vint = [{"dataset": d, "vintage": v} for d, vs in sorted(rf.datasets.items()) for v in vs]
    out["methods"] = (
        _simple_table(
            "vintages",
            msg("regional.table.vintages"),
            (
                Column("dataset", msg("regional.table.dataset")),
                Column("vintage", msg("regional.table.vintage")),
            ),
            vint,
        ),
    )
    return out


def _available(rf: RegionalFacts, section: str, ctx: Mapping[str, Any]) -> bool:
    if section in rf.omitted and section not in PARTIAL:
        return False
    need = {
        "headline": ctx["interior"] is not None and ctx["national"] is not None,
        "regions": rf.facts.has("regions.growing.count"),
        "share": ctx["interior"] is not None,
        "fastest": bool(ctx["fastest"]),
        "macroregions": bool(ctx["macros"]),
        "agro": ctx["agro"] is not None,
        "customs": ctx["customs"] is not None,
        "rolling12": bool(ctx["rolling"]),
        "leaders": ctx["leaders"] is not None,
        "projection": ctx["projection"] is not None,
        "methods": True,
    }
    return need.get(section, False)


def build_regional(
    rf: RegionalFacts, lang: str = "es", *, geojson: Mapping[str, Any] | None = None
) -> Report:
    """The regional report in ``lang`` from computed facts; ``geojson`` (boundaries) adds the map."""
    msg = Messages(lang)
    ctx = narrative.regional_context(rf, lang)
    tables = _section_tables(rf, lang, ctx)
    sections: list[Section] = []
    omitted: dict[str, str] = {}
    for sid in SECTIONS:
        title = msg(f"regional.title.{sid}")
        if not _available(rf, sid, ctx):
            complete = sid == "projection" and rf.through.month == 12
            sentence = narrative.render_omitted(lang, "projection_complete" if complete else sid)
            omitted[sid] = rf.omitted.get(sid, sentence)
            sections.append(Section(sid, title, (sentence,), omitted=True))
            continue
        if sid in rf.omitted:
            omitted[sid] = rf.omitted[sid]
        figs: tuple[Figure, ...] = ()
        tabs = tables.get(sid, ())
        if sid == "headline":
            figs = _figures_regions(rf, lang, tabs[0].rows, geojson)
        elif sid == "share":
            extra_tabs, figs = _share_section_extras(rf, lang)
            tabs = tabs + extra_tabs
        sections.append(Section(sid, title, narrative.render_section(lang, sid, ctx), tabs, figs))
    if geojson is None:
        omitted["map"] = NO_MAP
    title = msg("regional.report.title", span=ctx["span"])
    subtitle = msg(
        "regional.report.subtitle",
        grouping=ctx["grouping_label"],
        records=msg(f"regional.records.rule.{rf.record_definition}"),
    )
    source = f"{msg('common.source')}: {_source(rf, lang)}. {msg('common.prepared_with')}"
    meta = {
        "through": rf.through.strftime("%Y-%m"),
        "grouping": rf.grouping,
        "record_definition": rf.record_definition,
        "datasets": {k: list(v) for k, v in rf.datasets.items()},
        "omitted": omitted,
    }
    return Report("regional", lang, title, subtitle, tuple(sections), rf.facts, source, rf.synthetic, meta)


def write_regional(
    wh: Warehouse,
    *,
    through: str | None = None,
    lang: str = "es",
    formats: Iterable[str] | str = FORMATS,
    out: Path | None = None,
    grouping: str = "mincetur",
    record_definition: str = "annual",
    engine: str | None = None,
) -> list[Path]:
    """Compute the facts for ``through`` (default: latest month loaded) and write the report files.

    ``out`` defaults to ``<Settings.reports_dir>/regional-<YYYY-MM>-<lang>/``; files are ``report.<ext>``
    (plus rendered figures and ``report-page-N.png`` previews of the PDF).
    """
    rf = regional_facts(wh, through, grouping=grouping, record_definition=record_definition, engine=engine)
    report = build_regional(rf, lang, geojson=reference.boundaries(wh.settings))
    target = out if out is not None else wh.settings.reports_dir / f"regional-{rf.through:%Y-%m}-{lang}"
    return write_report(report, formats, Path(target))
