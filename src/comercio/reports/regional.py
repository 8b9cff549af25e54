"""The regional export report (Mincetur's "Reporte Mensual de Comercio Regional", in our own words).

:data:`REGIONAL` declares it as data (:mod:`comercio.reports.spec`): for each section, in the order of the
official release, the facts it needs, its narrative macro (``narrative.py`` and
``templates/regional_<lang>.j2``), its tables and figures; where the loaded data cannot support a section,
it keeps one sentence saying what data it would need. :func:`build_regional` renders the spec
(:func:`comercio.reports.render`); :func:`write_regional` computes the facts from a warehouse and writes
the requested formats, with the department map when the boundaries are in the reference assets
(:func:`comercio.reference.boundaries`). No SQL here: every number comes from the facts.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from comercio import reference
from comercio.config import Settings
from comercio.i18n import t
from comercio.indicators.regional_result import RegionalFacts
from comercio.reference.dimensions import member_names
from comercio.reports import charts, maps, narrative, regional_quality
from comercio.reports._render import render, table_rows
from comercio.reports.fmt import Formatter
from comercio.reports.kept import kept
from comercio.reports.regional_tables import (
    NO_DEPARTMENT,
    group_of,
    macro_table,
    monthly_cells,
    monthly_of,
    regions_table,
    vintages_table,
)
from comercio.reports.spec import (
    ColumnSpec,
    Cover,
    RenderContext,
    ReportSpec,
    SectionSpec,
    TableSpec,
    need,
    text,
)
from comercio.reports.writers import FORMATS, Column, Figure, Report, Table, parse_formats, write_report

if TYPE_CHECKING:
    from comercio.warehouse import Warehouse

SHARE_YEARS_SHOWN = 10  # years drawn in the share chart, up to the report's (the table keeps them all)


def _source(rf: RegionalFacts, lang: str) -> str:
    names = [narrative.dataset_name(d, lang) for d in sorted(rf.datasets)]
    text_ = "; ".join(names) or t("common.no_data", lang)
    return text_ + (f" ({t('common.synthetic', lang)})" if rf.synthetic else "")


# -- declared tables ------------------------------------------------------------------------------------
NAME = ColumnSpec("name", text("regional.table.name"))
SHARE = ColumnSpec("share", text("regional.table.share"), "pct")
GROWTH = ColumnSpec("growth", text("regional.table.change"), "pct_signed")
MILLIONS_DECIMALS = 1  # US$ millions columns: one precision per column (15 031,0 and 53,7)
VALUE = ColumnSpec("value", text("regional.table.value"), "millions", decimals=MILLIONS_DECIMALS)

REGIONS = TableSpec(
    "regions",
    text("regional.table.regions"),
    (
        ColumnSpec("name", text("regional.table.region"), dimension="department"),
        ColumnSpec(
            "value",
            text("regional.table.value_of_year", year="year"),
            "millions",
            family="region.{department}.value",
            decimals=MILLIONS_DECIMALS,
        ),
        ColumnSpec(
            "previous",
            text("regional.table.value_of_year", year="prev_year"),
            "millions",
            family="region.{department}.previous",
            decimals=MILLIONS_DECIMALS,
        ),
        ColumnSpec(
            "growth", text("regional.table.change"), "pct_signed", family="region.{department}.growth"
        ),
        ColumnSpec("share", text("regional.table.share"), "pct", family="region.{department}.share"),
    ),
    family="region.{department}.value",
    keep={"department": "ubigeo"},
    sort="-value",
    note=text("regional.table.regions_note", span="span"),
)
ROLLING = TableSpec(
    "rolling12", text("regional.table.rolling12"), (NAME, VALUE, SHARE), rows="rolling", optional=True
)
AGRO = TableSpec(
    "agro",
    text("regional.table.agro"),
    (ColumnSpec("label", text("regional.table.name")), GROWTH, SHARE),
    rows="agro.natural",
)
CUSTOMS = TableSpec(
    "customs",
    text("regional.table.customs"),
    (ColumnSpec("name", NAME.label, dimension="customs_office", member="code"), VALUE, SHARE, GROWTH),
    rows="customs",
    optional=True,
)


# -- built tables and figures ---------------------------------------------------------------------------
def _region_figures(rc: RenderContext) -> tuple[Figure, ...]:
    """The map (when the boundaries were given) and the bars of the regions' growth."""
    rf, fmt, lang = rc.bundle, rc.fmt, rc.lang
    source = _source(rf, lang)
    span = rc.context["span"]  # "2022" for a full year, else "enero-noviembre de 2022"
    depts = [r for r in table_rows(REGIONS, rc) if r["ubigeo"] != NO_DEPARTMENT and r["growth"] is not None]
    figs: list[Figure] = []
    geojson = rc.options.get("geojson")
    if geojson is not None:
        title = t("regional.figure.map_growth", lang, span=span)
        points = [{"ubigeo": r["ubigeo"], "value": r["growth"], "label": r["name"]} for r in depts]
        chart = functools.partial(maps.department_map, geojson, points, fmt, "growth", title, source)
        figs.append(Figure.drawn("map_growth", title, chart))
    title = t("regional.figure.growth_bars", lang, span=span)
    groups = group_of()
    apart = [r["name"] for r in depts if groups.get(str(r["ubigeo"])) == "lima_callao"]
    bars = functools.partial(
        charts.growth_bars,
        [{"label": r["name"], "growth": r["growth"]} for r in depts],
        fmt,
        title,
        source,
        apart=apart,
        apart_title=member_names("region_group", lang).get("lima_callao", ""),
    )
    figs.append(Figure.drawn("growth_bars", title, bars))
    return tuple(figs)


def _records_table(rc: RenderContext) -> Table | None:
    """Regions at a record, with their previous high and its year (the fact's ``previous_max``)."""
    fact = rc.facts.get("regions.record.members")
    if fact is None or not fact.value:
        return None
    names = member_names("department", rc.lang)
    prev = fact.extra.get("previous_max", {})
    rows = tuple(
        {
            "name": names.get(m, m),
            "value": rc.facts.value("region.{department}.value", department=m),
            "previous_max": prev.get(m, {}).get("value"),
            "year": prev.get(m, {}).get("year"),
        }
        for m in fact.value
    )
    msg = rc.msg
    cols = (
        Column("name", msg("regional.table.region")),
        Column("value", msg("regional.table.value"), "millions", MILLIONS_DECIMALS),
        Column("previous_max", msg("regional.table.previous_high"), "millions", MILLIONS_DECIMALS),
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


def _share_table(rc: RenderContext) -> Table | None:
    """The interior's share by year; a note says which months the report's (partial) year covers."""
    hist, through, fmt = narrative.share_history(rc.facts), rc.bundle.through, rc.fmt
    if not hist:
        return None
    partial = through.month < 12  # complete years as numbers; the partial one names its months
    rows: list[dict[str, Any]] = [
        {
            "year": _year_label(r["year"], through, fmt)
            if partial and r["year"] == through.year
            else r["year"],
            "share": r["share"],
        }
        for r in hist
        for y in (int(r["year"]),)
    ]
    note = None
    if hist[-1]["year"] == through.year and through.month < 12:
        note = rc.msg("regional.share.partial_note", label=rows[-1]["year"], month=fmt.month(through.month))
    cols = (
        Column("year", rc.msg("regional.table.year")),
        Column("share", rc.msg("regional.table.share"), "pct"),
    )
    return Table("interior_share", rc.msg("regional.figure.interior_share"), cols, tuple(rows), note=note)


def _share_figure(rc: RenderContext) -> tuple[Figure, ...]:
    """The interior's share over the last :data:`SHARE_YEARS_SHOWN` years."""
    hist, through, fmt = narrative.share_history(rc.facts), rc.bundle.through, rc.fmt
    if not hist:
        return ()
    title = rc.msg("regional.figure.interior_share")
    drawn = [
        {"year": _year_label(r["year"], through, fmt, "\n"), "share": r["share"]}
        for r in hist[-SHARE_YEARS_SHOWN:]
    ]
    chart = functools.partial(charts.share_over_years, drawn, fmt, title, _source(rc.bundle, rc.lang))
    return (Figure.drawn("interior_share", title, chart),)


def _regions(rc: RenderContext) -> Table | None:
    return regions_table(REGIONS, rc)


# -- the report -----------------------------------------------------------------------------------------
def _omitted(rc: RenderContext, sid: str) -> str:
    if sid == "projection" and rc.bundle.through.month == 12:
        return narrative.render_omitted(rc.lang, "projection_complete")
    if sid == "fastest" and rc.facts.value("regions.fastest.members") == []:  # no region of size grew
        return narrative.render_omitted(rc.lang, "fastest_none")
    return narrative.render_omitted(rc.lang, sid)


def _cover(rc: RenderContext, omitted: Mapping[str, str]) -> Cover:
    rf, msg, ctx = rc.bundle, rc.msg, rc.context
    meta = {
        "through": rf.through.strftime("%Y-%m"),
        "grouping": rf.grouping,
        "record_definition": rf.record_definition,
        "datasets": {k: list(v) for k, v in rf.datasets.items()},
        **regional_quality.meta(rf),
        "omitted": {
            **omitted,
            **({"map": msg("presentation.map.no_boundaries")} if rc.options.get("geojson") is None else {}),
        },
    }
    return Cover(
        title=msg(
            "regional.report.title_year" if ctx["full_year"] else "regional.report.title",
            span=ctx["span_title"],
        ),
        subtitle=msg(
            "regional.report.subtitle",
            grouping=ctx["grouping_label"],
            records=msg(f"regional.records.rule.{rf.record_definition}"),
        ),
        source=f"{msg('common.source')}: {_source(rf, rc.lang)}. {msg('common.prepared_with')}",
        meta=meta,
    )


INTERIOR = need("{region_group}.value", region_group="interior")
REGIONAL = ReportSpec(
    kind="regional",
    template="regional_{lang}.j2",
    titles="regional.title",
    context=narrative.regional_context,
    sections=(
        SectionSpec(
            "headline", (INTERIOR, need("national.value")), tables=(_regions,), figures=(_region_figures,)
        ),
        SectionSpec("regions", (need("regions.growing.count"),), tables=(_records_table,)),
        SectionSpec("share", (INTERIOR,), tables=(_share_table,), figures=(_share_figure,)),
        SectionSpec("fastest", (need("regions.fastest.members"),), partial=True),
        SectionSpec("macroregions", (need("macroregion.{macroregion}.growth"),), tables=(macro_table,)),
        SectionSpec("agro", (need("agro.value"),), tables=(AGRO,)),
        SectionSpec("customs", (need("customs_office.{customs_office}.value"),), tables=(CUSTOMS,)),
        SectionSpec("rolling12", (need("rolling12.{position}.member"),), tables=(ROLLING,)),
        SectionSpec("leaders", (need("leaders.{category}.members"),)),
        SectionSpec("projection", (need("projection.national.value"),)),
        SectionSpec("methods", tables=(vintages_table,)),
    ),
    omitted=_omitted,
    cover=_cover,
    environment=narrative.environment,
)


def build_regional(
    rf: RegionalFacts, lang: str = "es", *, geojson: Mapping[str, Any] | None = None
) -> Report:
    """The regional report in ``lang`` from computed facts; ``geojson`` (boundaries) adds the map."""
    return render(REGIONAL, rf, lang, geojson=geojson)


def write_regional(
    wh: Warehouse | Settings,
    *,
    through: str | None = None,
    lang: str = "es",
    formats: Iterable[str] | str = FORMATS,
    out: Path | None = None,
    grouping: str = "mincetur",
    record_definition: str = "annual",
    engine: str | None = None,
    preliminary: bool = False,
) -> list[Path]:
    """Compute the facts for ``through`` (default: latest month loaded) and write the report files.

    A preliminary last month (:mod:`comercio.indicators.maturity`) is refused unless ``preliminary``; with
    it, the report is written and marked preliminary (notice at the top, the month labelled).

    Given the warehouse's :class:`Settings` instead of a warehouse (the command line), the facts are those
    an earlier run kept for the same catalog, code and options when there are (:mod:`.kept`); the
    warehouse is opened, read-only, only to compute them.

    ``out`` defaults to ``<Settings.reports_dir>/regional-<YYYY-MM>-<lang>/``; files are ``report.<ext>``
    (plus rendered figures and ``report-page-N.png`` previews of the PDF).
    """
    settings = wh if isinstance(wh, Settings) else wh.settings
    options = {"through": through, "grouping": grouping, "record_definition": record_definition}
    options["engine"] = engine or settings.engine
    xlsx = "xlsx" in parse_formats(formats)
    keep = kept(settings, "regional", options) if isinstance(wh, Settings) else None
    found = keep.load() if keep is not None else None
    if found is None or (xlsx and "monthly" not in found) or (found["facts"].preliminary and not preliminary):
        found = _compute(wh, options, preliminary=preliminary, monthly=xlsx, found=found)
        if keep is not None:
            keep.store(found)
    rf: RegionalFacts = found["facts"]
    report = build_regional(rf, lang, geojson=reference.boundaries(settings))
    if xlsx and found["monthly"] is not None:
        report = dataclasses.replace(report, data=(monthly_of(found["monthly"], rf, lang),))
    target = out if out is not None else settings.reports_dir / f"regional-{rf.through:%Y-%m}-{lang}"
    return write_report(report, formats, Path(target))


def _compute(
    source: Warehouse | Settings,
    options: Mapping[str, Any],
    *,
    preliminary: bool,
    monthly: bool,
    found: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The report's facts (refused when preliminary, unless ``preliminary``) and, for the spreadsheet, its
    monthly cells; from the warehouse (opened read-only when given its settings), what ``found`` (kept
    by an earlier run under the same key) lacks only."""
    from comercio.indicators.regional import regional_facts
    from comercio.indicators.regional_quality import refuse_preliminary
    from comercio.warehouse import Warehouse as Opened  # imports Ibis: only when the facts are computed

    wh = Opened(source, read_only=True) if isinstance(source, Settings) else source
    engine = options["engine"]
    out: dict[str, Any] = dict(found or {})
    if "facts" not in out:
        out["facts"] = regional_facts(
            wh,
            options["through"],
            grouping=options["grouping"],
            record_definition=options["record_definition"],
            engine=engine,
        )
    if not preliminary:
        refuse_preliminary(out["facts"], wh, engine)
    if monthly and "monthly" not in out:
        out["monthly"] = monthly_cells(wh, out["facts"], engine)
    return out
