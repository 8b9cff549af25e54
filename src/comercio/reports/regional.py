"""The regional export report (Mincetur's "Reporte Mensual de Comercio Regional", in our own words).

:func:`build_regional` turns :class:`~comercio.indicators.regional.RegionalFacts` into a
:class:`~comercio.reports.writers.Report`: for each section, in the order of the official release, the
narrative (``narrative.py`` + Jinja2 templates), its tables and figures, or, where the loaded data cannot
support it, one sentence saying what data it would need. :func:`write_regional` computes the facts from a
warehouse and writes the requested formats. No SQL here: every number comes from the facts.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from comercio.errors import ComercioError
from comercio.indicators.facts import FactSet
from comercio.indicators.regional import SECTIONS, RegionalFacts, regional_facts
from comercio.reports import charts, maps, narrative
from comercio.reports.fmt import Formatter
from comercio.reports.writers import FORMATS, Column, Figure, Report, Section, Table, write_report
from comercio.warehouse import Warehouse

log = logging.getLogger(__name__)

SYNTHETIC_MARK = {"es": "datos sintéticos", "en": "synthetic data"}
# sections whose facts are partial: they are written and the missing part gets its one sentence inline
PARTIAL = {"fastest"}
SHARE_YEARS_SHOWN = 10  # years drawn in the share chart (the table keeps them all)


def _t(lang: str, es: str, en: str) -> str:
    return es if lang == "es" else en


def _source(rf: RegionalFacts, lang: str) -> str:
    names = [narrative.DATASET_NAMES.get(d, {}).get(lang, d) for d in sorted(rf.datasets)]
    text = "; ".join(names) or _t(lang, "sin datos", "no data")
    return text + (f" ({SYNTHETIC_MARK[lang]})" if rf.synthetic else "")


def _cols(lang: str, year: int) -> tuple[Column, ...]:
    unit = _t(lang, "US$ millones", "US$ million")
    return (
        Column("name", _t(lang, "Región", "Region")),
        Column("value", f"{year} ({unit})", "millions"),
        Column("previous", f"{year - 1} ({unit})", "millions"),
        Column("growth", _t(lang, "Variación", "Change"), "pct_signed"),
        Column("share", _t(lang, "Participación", "Share"), "pct"),
    )


def _region_rows(facts: FactSet, names: Mapping[str, str]) -> tuple[dict[str, Any], ...]:
    rows = [
        {
            "ubigeo": f.member,
            "name": names.get(str(f.member), f.member_label),
            "value": f.value,
            "previous": facts.value(f"region.{f.member}.previous"),
            "growth": facts.value(f"region.{f.member}.growth"),
            "share": facts.value(f"region.{f.member}.share"),
        }
        for f in facts.prefixed("region.")
        if f.id.endswith(".value")
    ]
    return tuple(sorted(rows, key=lambda r: -(r["value"] or 0.0)))


def _figures_regions(
    rf: RegionalFacts, lang: str, rows: Iterable[Mapping[str, Any]], geojson: Mapping[str, Any] | None
) -> tuple[Figure, ...]:
    fmt, source = Formatter(lang), _source(rf, lang)
    span = Formatter(lang).period(rf.through.replace(month=1), rf.through)
    depts = [r for r in rows if r["ubigeo"] != "99" and r["growth"] is not None]
    figs: list[Figure] = []
    if geojson is not None:
        title = _t(lang, f"Variación de las exportaciones por departamento, {span}", f"Export growth, {span}")
        chart = maps.department_map(
            geojson,
            [{"ubigeo": r["ubigeo"], "value": r["growth"], "label": r["name"]} for r in depts],
            fmt,
            "growth",
            title,
            source,
        )
        figs.append(Figure("map_growth", title, charts.to_spec(chart), str(chart.description)))
    title = _t(lang, f"Variación por región, {span}", f"Growth by region, {span}")
    bars = charts.growth_bars(
        [{"label": r["name"], "growth": r["growth"]} for r in depts], fmt, title, source
    )
    figs.append(Figure("growth_bars", title, charts.to_spec(bars), str(bars.description)))
    return tuple(figs)


def _macro_table(ctx: Mapping[str, Any], lang: str) -> Table:
    cols = (
        Column("name", _t(lang, "Macrorregión / región", "Macroregion / region")),
        Column("growth", _t(lang, "Variación", "Change"), "pct_signed"),
        Column("share", _t(lang, "Participación", "Share"), "pct"),
    )
    rows: list[dict[str, Any]] = []
    for m in ctx["macros"]:
        rows.append({"name": str(m["name"]).capitalize(), "growth": m["growth"], "share": m["share"]})
        rows.extend(
            {"name": f"  {r['name']}", "growth": r["growth"], "share": r["share"]} for r in m["regions"]
        )
    return Table("macroregions", _t(lang, "Macrorregiones", "Macroregions"), cols, tuple(rows))


def _records_table(rf: RegionalFacts, lang: str, names: Mapping[str, str]) -> Table | None:
    fact = rf.facts.get("regions.record.members")
    if fact is None or not fact.value:
        return None
    prev = fact.extra.get("previous_max", {})
    rows = tuple(
        {
            "name": names.get(m, m),
            "value": rf.facts.value(f"region.{m}.value"),
            "previous_max": prev.get(m, {}).get("value"),
            "year": str(prev.get(m, {}).get("year", "")),
        }
        for m in fact.value
    )
    cols = (
        Column("name", _t(lang, "Región", "Region")),
        Column("value", _t(lang, "Valor (US$ millones)", "Value (US$ million)"), "millions"),
        Column(
            "previous_max",
            _t(lang, "Máximo anterior (US$ millones)", "Previous high (US$ million)"),
            "millions",
        ),
        Column("year", _t(lang, "Año del máximo anterior", "Year of previous high")),
    )
    return Table("records", _t(lang, "Regiones con récord", "Regions with a record"), cols, rows)


def _share_section_extras(rf: RegionalFacts, lang: str) -> tuple[tuple[Table, ...], tuple[Figure, ...]]:
    hist = sorted(
        (
            {"year": int(f.id.rsplit(".", 1)[1]), "share": f.value}
            for f in rf.facts.prefixed("interior.share.")
        ),
        key=lambda r: r["year"],
    )
    if not hist:
        return (), ()
    fmt = Formatter(lang)
    title = _t(
        lang, "Participación del interior en la exportación nacional", "Interior share of national exports"
    )
    note = _t(
        lang,
        f"{hist[-1]['year']}: enero-{fmt.month(rf.through.month)}.",
        f"{hist[-1]['year']}: year to date.",
    )
    chart = charts.share_over_years(
        [{"year": str(r["year"]), "share": r["share"]} for r in hist[-SHARE_YEARS_SHOWN:]],
        fmt,
        title,
        _source(rf, lang),
    )
    table = Table(
        "interior_share",
        title,
        (Column("year", _t(lang, "Año", "Year")), Column("share", _t(lang, "Participación", "Share"), "pct")),
        tuple({"year": str(r["year"]), "share": r["share"]} for r in hist),
        note=note,
    )
    return (table,), (Figure("interior_share", title, charts.to_spec(chart), str(chart.description)),)


def _simple_table(tid: str, title: str, cols: tuple[Column, ...], rows: Iterable[Mapping[str, Any]]) -> Table:
    return Table(tid, title, cols, tuple(dict(r) for r in rows))


def _section_tables(rf: RegionalFacts, lang: str, ctx: Mapping[str, Any]) -> dict[str, tuple[Table, ...]]:
    span = ctx["span"]
    names = narrative._labels("departments", "ubigeo", "name")
    out: dict[str, tuple[Table, ...]] = {}
    rows = _region_rows(rf.facts, names)
    out["headline"] = (
        Table(
            "regions",
            _t(lang, "Exportaciones por región", "Exports by region"),
            _cols(lang, rf.through.year),
            rows,
            note=_t(lang, f"Acumulado {span}; participación en el total nacional.", f"Cumulative {span}."),
        ),
    )
    rec = _records_table(rf, lang, names)
    out["regions"] = (rec,) if rec is not None else ()
    out["macroregions"] = (_macro_table(ctx, lang),)
    name, share, growth = (
        Column("name", _t(lang, "Nombre", "Name")),
        Column("share", _t(lang, "Participación", "Share"), "pct"),
        Column("growth", _t(lang, "Variación", "Change"), "pct_signed"),
    )
    value = Column("value", _t(lang, "Valor (US$ millones)", "Value (US$ million)"), "millions")
    if ctx["rolling"]:
        r12 = [
            {
                "name": names.get(rf.facts.value(f"rolling12.{p}.member"), ""),
                "share": rf.facts.value(f"rolling12.{p}.share"),
                "value": rf.facts.value(f"rolling12.{p}.value"),
            }
            for p in ("leader", "second", "third")
            if f"rolling12.{p}.member" in rf.facts
        ]
        out["rolling12"] = (
            _simple_table(
                "rolling12",
                _t(lang, "Líderes, últimos doce meses", "Leaders, last twelve months"),
                (name, value, share),
                r12,
            ),
        )
    if ctx["agro"]:
        out["agro"] = (
            _simple_table(
                "agro",
                _t(lang, "Agroexportación por región natural", "Agricultural exports by natural region"),
                (name, growth, share),
                ctx["agro"]["natural"],
            ),
        )
    if ctx["customs"]:
        out["customs"] = (
            _simple_table(
                "customs",
                _t(lang, "Principales aduanas de salida", "Main customs offices"),
                (name, value, share, growth),
                ctx["customs"],
            ),
        )
    vint = [{"dataset": d, "vintage": v} for d, vs in sorted(rf.datasets.items()) for v in vs]
    out["methods"] = (
        _simple_table(
            "vintages",
            _t(lang, "Datos y versiones usados", "Datasets and vintages used"),
            (
                Column("dataset", _t(lang, "Conjunto de datos", "Dataset")),
                Column("vintage", _t(lang, "Versión", "Vintage")),
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
        "regions": "regions.growing.count" in rf.facts,
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
    ctx = narrative.regional_context(rf, lang)
    tables = _section_tables(rf, lang, ctx)
    sections: list[Section] = []
    omitted: dict[str, str] = {}
    for sid in SECTIONS:
        title = narrative.TITLES[sid][lang]
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
        omitted["map"] = "department boundaries (run `comercio fetch boundaries`)"
    span = ctx["span"]
    title = _t(lang, f"Exportaciones regionales, {span}", f"Regional exports, {span}")
    subtitle = _t(
        lang,
        f"Informe mensual de comercio regional. Macrorregiones: {ctx['grouping_label']}; récords: "
        f"{'definición anual' if rf.record_definition == 'annual' else 'mismo periodo'}.",
        f"Monthly regional trade report. Macroregions: {ctx['grouping_label']}; records: "
        f"{'annual definition' if rf.record_definition == 'annual' else 'same-window definition'}.",
    )
    source = (
        _t(lang, "Fuente: ", "Source: ")
        + _source(rf, lang)
        + _t(lang, ". Elaboración: comercio.", ". Prepared with comercio.")
    )
    meta = {
        "through": rf.through.strftime("%Y-%m"),
        "grouping": rf.grouping,
        "record_definition": rf.record_definition,
        "datasets": {k: list(v) for k, v in rf.datasets.items()},
        "omitted": omitted,
    }
    return Report("regional", lang, title, subtitle, tuple(sections), rf.facts, source, rf.synthetic, meta)


def load_boundaries(wh: Warehouse) -> dict[str, Any] | None:
    """The departments GeoJSON from the download cache, or None (the map is then left out, with a note)."""
    from comercio.sources.download import cached

    try:
        path = cached("boundaries", wh.settings)[0].path
        data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    except (ComercioError, OSError, ValueError) as exc:
        log.warning("no department boundaries for the map: %s", exc)
        return None
    return data


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
    report = build_regional(rf, lang, geojson=load_boundaries(wh))
    target = out if out is not None else wh.settings.reports_dir / f"regional-{rf.through:%Y-%m}-{lang}"
    return write_report(report, formats, Path(target))
