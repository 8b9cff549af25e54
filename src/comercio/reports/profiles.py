"""Profiles of a region, a product and a partner country, declared as reports (docs/decisions/0010).

Three :class:`~comercio.reports.spec.ReportSpec` share one narrative per language
(``templates/profile_<lang>.j2``) and the builders below: every history is a table and a chart over its
dataset's whole span (a partial last year labelled with its months, drawn apart), breakdowns are ranked
tables and bars. A section the loaded data cannot support keeps one sentence saying which data it needs.
:func:`write_profile` computes the bundle (:mod:`comercio.reports.profiles_facts`) and writes the formats.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from comercio.i18n import t
from comercio.reports import charts
from comercio.reports._render import render
from comercio.reports.narrative import dataset_name
from comercio.reports.profiles_charts import annual_bars
from comercio.reports.profiles_context import EXPORTERS as EXPORTERS_COUNT
from comercio.reports.profiles_context import PART, VALUE, profile_context
from comercio.reports.profiles_facts import ProfileFacts, profile_facts
from comercio.reports.spec import Cover, RenderContext, ReportSpec, SectionSpec, TableBuilder, need
from comercio.reports.writers import FORMATS, Column, Figure, Report, Table, write_report
from comercio.warehouse import Warehouse

MILLIONS = 1  # decimals of the US$ millions columns


def _source(p: ProfileFacts, lang: str, datasets: Iterable[str] | None = None) -> str:
    names = [dataset_name(d, lang) for d in sorted(datasets if datasets is not None else p.datasets)]
    text = "; ".join(names) or t("common.no_data", lang)
    return text + (f" ({t('common.synthetic', lang)})" if p.synthetic else "")


def _history_source(h: Mapping[str, Any], lang: str) -> str:
    return h["source"] + (f" ({t('common.synthetic', lang)})" if h["synthetic"] else "")


# -- histories ------------------------------------------------------------------------------------------
MAX_HISTORIES = 4  # datasets one flow of a member can be read from (department: BCRP, lines, Infotrade)


def _history_table(flow: str, i: int) -> TableBuilder:
    """The ``i``-th history of ``flow`` as a table (None when the member has fewer)."""

    def build(rc: RenderContext) -> Table | None:
        hs = rc.context[flow]
        if i >= len(hs):
            return None
        h, msg = hs[i], rc.msg
        cols: tuple[Column, ...] = (
            Column("year", msg("profiles.table.year")),
            Column("value", msg("profiles.table.value"), "millions", MILLIONS),
            Column(
                "share", msg("profiles.table.share_lines" if h["lines"] else "profiles.table.share"), "pct"
            ),
            Column("growth", msg("profiles.table.growth"), "pct_signed"),
        )
        keys = ("value", "share", "growth", "coverage")
        rows = tuple({"year": r["label"], **{k: r[k] for k in keys}} for r in h["rows"])
        if any(r["coverage"] is not None for r in rows):
            cols += (Column("coverage", msg("profiles.table.coverage"), "pct"),)
        notes = [msg("profiles.partial_note", label=r["label"]) for r in h["rows"] if r["partial"]]
        if h["synthetic"]:
            notes.append(msg("profiles.synthetic_note"))
        source = _history_source(h, rc.lang)
        title = msg("profiles.table.history", dataset=source, first=h["first"], last=h["last"])
        return Table(f"{flow}_{h['dataset']}", title, cols, rows, note=" ".join(notes) or None)

    return build


def _history_figures(flow: str) -> Callable[[RenderContext], tuple[Figure, ...]]:
    def build(rc: RenderContext) -> tuple[Figure, ...]:
        figs: list[Figure] = []
        for h in rc.context[flow]:
            what = rc.msg(f"profiles.chart.{flow}")
            title = rc.msg("profiles.chart.history", what=what, first=h["first"], last=h["last"])
            rows = [
                {"label": year_label_of(rc, r), "value": r["value"], "partial": r["partial"]}
                for r in h["rows"]
                if r["value"] is not None
            ]
            chart = functools.partial(annual_bars, rows, rc.fmt, title, _history_source(h, rc.lang))
            figs.append(Figure.drawn(f"{flow}_{h['dataset']}", title, chart))
            shares = [{"year": year_label_of(rc, r), "share": r["share"]} for r in h["rows"]]
            if rc.bundle.kind == "region" and any(s["share"] is not None for s in shares):
                title = rc.msg(
                    "profiles.chart.history",
                    what=rc.msg("profiles.chart.share_lines" if h["lines"] else "profiles.chart.share"),
                    first=h["first"],
                    last=h["last"],
                )
                share = functools.partial(
                    charts.share_over_years, shares, rc.fmt, title, _history_source(h, rc.lang), decimals=1
                )
                figs.append(Figure.drawn(f"share_{h['dataset']}", title, share))
        return tuple(figs)

    return build


def year_label_of(rc: RenderContext, row: Mapping[str, Any]) -> str:
    """A table row's year label for a chart axis (the months on a second line)."""
    return str(row["label"]).replace(" (", "\n(", 1)


# -- breakdowns -----------------------------------------------------------------------------------------
def _top(sid: str, flow_word: str, key: str, label: str, bars: bool = False) -> tuple[TableBuilder, Any]:
    def rows(rc: RenderContext) -> Mapping[str, Any] | None:
        b: Mapping[str, Any] | None = rc.context["top"][flow_word][key]
        return b

    def table(rc: RenderContext) -> Table | None:
        b = rows(rc)
        if b is None:
            return None
        msg = rc.msg
        cols = (
            Column("code", msg("profiles.table.code")),
            Column("name", msg(f"profiles.table.{label}")),
            Column("value", msg("profiles.table.value"), "millions", MILLIONS),
            Column("share", msg("profiles.table.share_of"), "pct"),
            Column("growth", msg("profiles.table.growth"), "pct_signed"),
        )
        title = msg("profiles.table.window", what=msg(f"profiles.table.top.{sid}"), span=b["span"])
        note = msg("profiles.table.window_note") + (
            " " + msg("profiles.synthetic_note") if rc.bundle.synthetic else ""
        )
        return Table(f"{flow_word}_{key}", title, cols, tuple(dict(r) for r in b["rows"]), note=note)

    def figures(rc: RenderContext) -> tuple[Figure, ...]:
        b = rows(rc)
        if b is None or not bars:
            return ()
        title = rc.msg("profiles.table.window", what=rc.msg(f"profiles.title.{sid}"), span=b["span"])
        data = [{"label": r["name"], "value": r["value"]} for r in b["rows"]]
        chart = functools.partial(
            charts.ranked_bars, data, rc.fmt, title, _source(rc.bundle, rc.lang, [b["dataset"]])
        )
        return (Figure.drawn(f"{flow_word}_{key}_bars", title, chart),)

    return table, figures


def _unit_value_table(rc: RenderContext) -> Table | None:
    rows = rc.context["unit_values"]
    if not rows:
        return None
    msg = rc.msg
    cols = (
        Column("year", msg("profiles.table.year")),
        Column("value", msg("profiles.table.value"), "millions", MILLIONS),
        Column("tonnes", msg("profiles.table.net_kg"), "number"),
        Column("unit_value", msg("profiles.table.unit_value"), "number", 2),
    )
    out = tuple(
        {"year": r["label"], "value": r["value"], "tonnes": r["tonnes"], "unit_value": r["unit_value"]}
        for r in rows
    )
    notes = [msg("profiles.partial_only", label=r["label"]) for r in rows if r["partial"]]
    if rc.bundle.synthetic:
        notes.append(msg("profiles.synthetic_note"))
    return Table("unit_value", msg("profiles.title.unit_value"), cols, out, note=" ".join(notes) or None)


def _exporters_table(rc: RenderContext) -> Table | None:
    rows = rc.context["exporters"]
    if not rows:
        return None
    msg = rc.msg
    cols: tuple[Column, ...] = (
        Column("year", msg("profiles.table.year")),
        Column("exporters", msg("profiles.table.exporters"), "number", 0),
    )
    if any(r["masked"] is not None for r in rows):
        cols += (Column("masked", msg("profiles.table.exporters_masked"), "number", 0),)
    out = tuple({"year": r["label"], "exporters": r["exporters"], "masked": r["masked"]} for r in rows)
    notes = [msg("profiles.partial_only", label=r["label"]) for r in rows if r["partial"]]
    without = sum(r["without_id"] for r in rows)
    if without:
        notes.append(msg("profiles.exporters_without_id", n=rc.fmt.number(without, 0)))
    synthetic = any(r["synthetic"] for r in rows)
    if synthetic:
        notes.append(msg("profiles.synthetic_note"))
    source = dataset_name(rows[0]["dataset"], rc.lang) + (
        f" ({t('common.synthetic', rc.lang)})" if synthetic else ""
    )
    title = msg("profiles.table.exporters_by_year", dataset=source)
    return Table("exporters", title, cols, out, note=" ".join(notes) or None)


def _vintage_text(rc: RenderContext, vintages: Iterable[str]) -> str:
    """The vintages of a dataset (weekly files: how many, and the latest)."""
    names = sorted(v.rsplit("/", 1)[-1] for v in vintages)
    if len(names) <= 3:
        return ", ".join(names)
    return rc.msg("profiles.table.vintages_many", n=len(names), last=names[-1])


def _vintages(rc: RenderContext) -> Table:
    rows = tuple(
        {"dataset": dataset_name(d, rc.lang), "vintage": _vintage_text(rc, vs)}
        for d, vs in sorted(rc.bundle.datasets.items())
    )
    cols = (
        Column("dataset", rc.msg("profiles.table.dataset")),
        Column("vintage", rc.msg("profiles.table.vintage")),
    )
    return Table("vintages", rc.msg("profiles.table.vintages"), cols, rows)


# -- the reports ----------------------------------------------------------------------------------------
def _omitted(rc: RenderContext, sid: str) -> str:
    refused = rc.bundle.extra.get("refused", {})
    if sid in refused:  # the data hold the answer but the query was refused: say why, not "load data"
        return rc.msg("profiles.refused", reason=refused[sid])
    return rc.say("omitted", sid)


def _cover(rc: RenderContext, omitted: Mapping[str, str]) -> Cover:
    p: ProfileFacts = rc.bundle
    msg, ctx = rc.msg, rc.context
    meta = {
        "profile": p.kind,
        "code": p.code,
        "dimension": p.dimension,
        "through": None if p.through is None else p.through.strftime("%Y-%m"),
        "datasets": {k: list(v) for k, v in p.datasets.items()},
        "lines": p.lines,
        "omitted": dict(omitted),
    }
    return Cover(
        title=msg(f"profiles.title.{p.kind}", name=ctx["name"]),
        subtitle=msg(f"profiles.subtitle.{p.kind}"),
        source=f"{msg('common.source')}: {_source(p, rc.lang)}. {msg('common.prepared_with')}",
        meta=meta,
    )


def _history_section(sid: str, flow: str) -> SectionSpec:
    tables = tuple(_history_table(flow, i) for i in range(MAX_HISTORIES))
    return SectionSpec(sid, (need(VALUE, flow_word=flow),), tables=tables, figures=(_history_figures(flow),))


def _top_section(sid: str, flow: str, key: str, label: str, bars: bool = False) -> SectionSpec:
    table, figures = _top(sid, flow, key, label, bars)
    needs = (need(PART.replace("{measure}", "value"), flow_word=flow, dimension=key),)
    return SectionSpec(sid, needs, tables=(table,), figures=(figures,))


SUMMARY = SectionSpec("summary", (need(VALUE),))
METHODS = SectionSpec("methods", tables=(_vintages,))
EXPORTERS = SectionSpec("exporters", (need(EXPORTERS_COUNT),), tables=(_exporters_table,))


def _spec(kind: str, sections: tuple[SectionSpec, ...]) -> ReportSpec:
    return ReportSpec(
        kind=f"profile_{kind}",
        template="profile_{lang}.j2",
        titles="profiles.title",
        context=profile_context,
        sections=sections,
        omitted=_omitted,
        cover=_cover,
    )


SPECS: dict[str, ReportSpec] = {
    "region": _spec(
        "region",
        (
            SUMMARY,
            _history_section("history", "exports"),
            _top_section("products", "exports", "products", "product", bars=True),
            _top_section("destinations", "exports", "partner", "partner", bars=True),
            _top_section("customs", "exports", "customs_office", "customs_office"),
            _top_section("agro", "exports", "agro", "product"),
            EXPORTERS,
            METHODS,
        ),
    ),
    "product": _spec(
        "product",
        (
            SUMMARY,
            _history_section("history", "exports"),
            _top_section("regions", "exports", "department", "department", bars=True),
            _top_section("destinations", "exports", "partner", "partner", bars=True),
            SectionSpec("unit_value", tables=(_unit_value_table,)),
            METHODS,
        ),
    ),
    "partner": _spec(
        "partner",
        (
            SUMMARY,
            _history_section("exports", "exports"),
            _history_section("imports", "imports"),
            _top_section("products_exports", "exports", "products", "product", bars=True),
            _top_section("products_imports", "imports", "products", "product"),
            METHODS,
        ),
    ),
}


def build_profile(p: ProfileFacts, lang: str = "es") -> Report:
    """The profile report of a bundle in ``lang``."""
    return render(SPECS[p.kind], p, lang)


def write_profile(
    wh: Warehouse,
    kind: str,
    code: str,
    *,
    lang: str = "es",
    formats: Iterable[str] | str = FORMATS,
    out: Path | None = None,
    engine: str | None = None,
) -> list[Path]:
    """Compute the profile of ``code`` (a ``kind``: region, product, partner) and write its files.

    ``out`` defaults to ``<Settings.reports_dir>/profile-<kind>-<code>-<lang>/``; files are ``report.<ext>``.
    """
    p = profile_facts(wh, kind, code, engine=engine)
    report = build_profile(p, lang)
    slug = "".join(ch if ch.isalnum() else "-" for ch in p.code.lower())
    target = out if out is not None else wh.settings.reports_dir / f"profile-{kind}-{slug}-{lang}"
    return write_report(report, formats, Path(target))


__all__ = ["SPECS", "build_profile", "write_profile"]
