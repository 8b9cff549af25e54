"""The sector study (SNI's metalworking analysis, article 003) as a :class:`Report` in Spanish or English.

:data:`SECTOR` declares it as data (:mod:`comercio.reports.spec`); :func:`build_sector_report` renders it
(:func:`comercio.reports.render`). Facts come from :func:`comercio.indicators.sector.sector_facts` and are
read by family and parts; names come from the reference tables (:func:`comercio.reference.dimensions.label`)
and every fixed sentence from the message catalogue (``i18n/sector.toml``). The prose comes from the Jinja2
macros in ``templates/sector/sector_<lang>.j2``, rendered in the one template environment
(:mod:`comercio.reports.templating`), so every number in it passes through the house formatter. Sections
the data cannot support keep one sentence saying which data they need, after the written ones. The files
are written by the shared writers (:func:`comercio.reports.writers.write_report`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from comercio import reference
from comercio.i18n import Messages, section
from comercio.indicators.facts import FactSet
from comercio.indicators.sector import G1_NODES, SectorFacts, normalise_label, sector_facts
from comercio.indicators.specs import Window
from comercio.reference.dimensions import label
from comercio.reports import charts
from comercio.reports._render import render
from comercio.reports.fmt import Formatter
from comercio.reports.spec import (
    ColumnSpec,
    Cover,
    FigureBuilder,
    RenderContext,
    ReportSpec,
    SectionSpec,
    TableBuilder,
    TableSpec,
    need,
    text,
)
from comercio.reports.writers import Column, Figure, Report, Table, write_report

SIDES = ("exports", "imports")
PARTNERS = ("destinations", "origins")
# omitted section → the title it keeps (a key of ``sector.section``)
OMITTED_TITLES = {
    "world": "world_exports",
    "peru_exports": "peru",
    "peru_imports": "imports",
    "destinations": "destinations",
    "origins": "origins",
}


def _continent_shares(f: FactSet, side: str, lang: str, first: int) -> list[dict[str, Any]]:
    """Continents of one side in the latest world year, largest first, with their share in year ``first``."""
    rows = [
        {
            "name": label("continent", x.parts["continent"], lang),
            "share": x.value,
            "share_first": f.value(
                "world.{side}.share.{continent}.{year}",
                side=side,
                continent=x.parts["continent"],
                year=str(first),
            ),
        }
        for x in f.each("world.{side}.share.{continent}")
        if x.parts["side"] == side
    ]
    return sorted(rows, key=lambda r: -r["share"])


def _world(sf: SectorFacts, lang: str) -> dict[str, Any] | None:
    if sf.world_years is None:
        return None
    f, (y0, y1) = sf.facts, sf.world_years
    first = {"year": str(y0)}
    exports = _continent_shares(f, "exports", lang, y0)
    return {
        "first": y0,
        "last": y1,
        "value": f.value("world.exports.value"),
        "value_first": f.value("world.exports.value.{year}", **first),
        "share_of_trade": f.value("world.basket.share_of_trade"),
        "share_of_manufactures": f.value("world.basket.share_of_manufactures"),
        "share_of_manufactures_first": f.value("world.basket.share_of_manufactures.{year}", **first),
        "lead": exports[0] if exports else None,
        "exports": exports[:3],
        "imports": _continent_shares(f, "imports", lang, y0)[:3],
    }


def _peers(f: FactSet, lang: str) -> list[dict[str, Any]]:
    """Regional peers' exports (BACI alpha-3 codes, which the partner dimension names), largest first."""
    peers = sorted(f.each("peers.{partner}.exports"), key=lambda x: -(x.value or 0.0))
    return [{"name": label("partner", x.parts["partner"], lang), "value": x.value} for x in peers]


def _peru(sf: SectorFacts, fmt: Formatter) -> dict[str, Any] | None:
    f = sf.facts
    ytd = f.get("peru.exports.ytd.value")
    if ytd is None:
        return None
    w = Window.from_dict(dict(ytd.window))
    year = f.get("peru.exports.value")
    return {
        "label": label("sector", sf.g1_paths[-1], fmt.lang) if sf.g1_paths else sf.basket,
        "ytd": ytd.value,
        "growth": f.value("peru.exports.growth"),
        "span": fmt.period(w.start, w.end),
        "prev_year": w.end.year - 1,
        "year_value": None if year is None else year.value,
        "year": None if year is None else Window.from_dict(dict(year.window)).end.year,
    }


def _partners(f: FactSet, direction: str, fmt: Formatter) -> dict[str, Any] | None:
    """Ranked destinations (or origins), names in the formatter's language; None when not computed."""
    top = f.get("{direction}.top", direction=direction)
    if top is None:
        return None
    rows = []
    for i, m in enumerate(top.value):
        p = {"direction": direction, "partner": m}
        rows.append(
            {
                "rank": i + 1,
                "code": m,
                "name": label("partner", m, fmt.lang),
                "value": f.value("{direction}.{partner}.value", **p),
                "share": f.value("{direction}.{partner}.share", **p),
                "growth": f.value("{direction}.{partner}.growth", **p),
            }
        )
    w = Window.from_dict(dict(top.window))
    return {
        "rows": rows,
        "lead": rows[:3],
        "n": len(rows),
        "latam_count": f.value("{direction}.latam_top10.count", direction=direction),
        "latam_share": f.value("{direction}.latam_top10.share", direction=direction),
        "span": fmt.period(w.start, w.end),
        "prev_year": w.end.year - 1,
        "synthetic": top.synthetic,
        "synthetic_note": _synthetic(Messages(fmt.lang), top.synthetic),
    }


def _imports(f: FactSet, fmt: Formatter) -> dict[str, Any] | None:
    imports = f.get("peru.imports.value")
    if imports is None:
        return None
    w = Window.from_dict(dict(imports.window))
    return {
        "value": imports.value,
        "balance": f.value("peru.balance.value"),
        "span": fmt.period(w.start, w.end),
    }


def _definition(basket: str, lang: str) -> str:
    rows = [r for r in reference.load("baskets").to_pylist() if r["basket"] == basket and r["path"]]
    if not rows:
        return basket
    return Messages(lang)("sector.definition", prefixes=", ".join(sorted({r["prefix"] for r in rows})))


def sector_context(sf: SectorFacts, lang: str) -> dict[str, Any]:
    """Everything the narrative templates print, as raw numbers (facts' values) and names in ``lang``."""
    fmt = Formatter(lang)
    return {
        "sector": section("sector.basket", lang).get(sf.basket, sf.basket),
        "basket": sf.basket,
        "synthetic_world": sf.world_synthetic,
        "paths": list(sf.g1_paths),
        "label_prefix": G1_NODES.get(sf.basket, (normalise_label(sf.basket), ""))[0],
        "definition": _definition(sf.basket, lang),
        "world": _world(sf, lang),
        "peers": _peers(sf.facts, lang),
        "peru": _peru(sf, fmt),
        "imports": _imports(sf.facts, fmt),
        **{d: _partners(sf.facts, d, fmt) for d in PARTNERS},
    }


def _synthetic(msg: Messages, synthetic: bool) -> str:
    return f" ({msg('common.synthetic')})" if synthetic else ""


def _share_rows(facts: FactSet, side: str, lang: str) -> list[dict[str, Any]]:
    return [
        {
            "year": int(x.parts["year"]),
            "group": label("continent", x.parts["continent"], lang),
            "share": x.value,
        }
        for x in facts.each("world.{side}.share.{continent}.{year}")
        if x.parts["side"] == side
    ]


def _world_source(rc: RenderContext) -> str:
    return rc.msg("sector.source_world", synthetic=_synthetic(rc.msg, rc.bundle.world_synthetic))


def _world_figure(side: str) -> FigureBuilder:
    """Continent shares of ``side`` by year as a stacked chart."""

    def build(rc: RenderContext) -> tuple[Figure, ...]:
        title = rc.msg(f"sector.chart.{side}")
        rows = _share_rows(rc.facts, side, rc.lang)
        chart = charts.stacked_shares(rows, rc.fmt, title, _world_source(rc))
        return (Figure(f"world-{side}", title, charts.to_spec(chart)),)

    return build


def _world_table(side: str) -> TableBuilder:
    """Continent shares of ``side`` by year, one column per continent: the chart's facts."""

    def build(rc: RenderContext) -> Table:
        rows = _share_rows(rc.facts, side, rc.lang)
        groups = sorted({r["group"] for r in rows})
        by_year: dict[int, dict[str, Any]] = {}
        for r in rows:
            by_year.setdefault(r["year"], {"year": int(r["year"])})[f"g{groups.index(r['group'])}"] = r[
                "share"
            ]
        columns = (
            Column("year", rc.msg("sector.col.year")),
            *(Column(f"g{i}", g, "pct") for i, g in enumerate(groups)),
        )
        rows_ = tuple(by_year[y] for y in sorted(by_year))
        return Table(f"world-{side}-shares", rc.msg(f"sector.chart.{side}"), columns, rows_)

    return build


def _partner_figure(direction: str) -> FigureBuilder:
    """Ranked bars of the top partners: the table's and the prose's facts."""

    def build(rc: RenderContext) -> tuple[Figure, ...]:
        p = rc.context[direction]
        title = rc.msg(f"sector.chart.{direction}", span=p["span"])
        source = rc.msg("sector.source_lines", synthetic=p["synthetic_note"])
        bars = [{"label": r["name"], "value": r["value"]} for r in p["rows"]]
        return (Figure(direction, title, charts.to_spec(charts.ranked_bars(bars, rc.fmt, title, source))),)

    return build


def _partner_table(direction: str) -> TableSpec:
    """The top partners (rank, value, share, growth): the rows the prose reads."""
    return TableSpec(
        f"{direction}-top",
        text(f"sector.chart.{direction}", span=f"{direction}.span"),
        (
            ColumnSpec("rank", text("sector.col.rank"), "count"),
            ColumnSpec("name", text(f"sector.col.{direction}")),
            ColumnSpec("value", text("presentation.table.value_millions"), "millions", decimals=1),
            ColumnSpec("share", text("sector.col.share"), "pct"),
            ColumnSpec("growth", text("sector.col.growth"), "pct_signed"),
        ),
        rows=f"{direction}.rows",
        note=text("sector.source_lines", synthetic=f"{direction}.synthetic_note"),
    )


def _omitted(rc: RenderContext, key: str) -> str:
    through = rc.bundle.through
    span = rc.fmt.period(date(through.year, 1, 1), through)
    return rc.msg("sector.omitted", need=rc.msg(f"sector.needs.{key}", span=span))


def _cover(rc: RenderContext, omitted: Mapping[str, str]) -> Cover:
    sf, msg, fmt = rc.bundle, rc.msg, rc.fmt
    first, last = sf.world_years or (sf.through.year, sf.through.year)
    return Cover(
        title=msg("sector.title", sector=rc.context["sector"]),
        subtitle=msg("sector.subtitle", first=first, last=last, through=fmt.period(sf.through, sf.through)),
        source=_world_source(rc),
        meta={
            "basket": sf.basket,
            "through": sf.through.isoformat(),
            "omitted": sf.omitted,
            "datasets": sf.datasets,
            "g1_paths": list(sf.g1_paths),
        },
    )


WORLD = need("world.exports.value")
SECTOR = ReportSpec(
    kind="sector",
    template="sector/sector_{lang}.j2",
    titles="sector.section",
    context=sector_context,
    sections=(
        SectionSpec("summary"),
        *(
            SectionSpec(
                f"world_{side}",
                (WORLD,),
                tables=(_world_table(side),),
                figures=(_world_figure(side),),
                missing="drop",
            )
            for side in SIDES
        ),
        SectionSpec("peers", (WORLD,), missing="drop"),
        SectionSpec(
            "peru_imports",
            (need("peru.imports.value"),),
            macro="imports",
            title="sector.section.imports",
            missing="drop",
        ),
        *(
            SectionSpec(
                d,
                (need("{direction}.top", direction=d),),
                tables=(_partner_table(d),),
                figures=(_partner_figure(d),),
                missing="drop",
            )
            for d in PARTNERS
        ),
        *(
            SectionSpec(key, title=f"sector.section.{title}", notice=True)
            for key, title in OMITTED_TITLES.items()
        ),
        SectionSpec("methods"),
    ),
    omitted=_omitted,
    cover=_cover,
)


def build_sector_report(sf: SectorFacts, lang: str) -> Report:
    """The sector study as a :class:`Report` (prose, charts, omitted sections) in ``lang``."""
    return render(SECTOR, sf, lang)


def write_sector(
    wh: Any,
    *,
    basket: str = "metalmecanica",
    through: str | date | None = None,
    lang: str = "es",
    formats: str = "html,md,json",
    out: Path,
    world_from: int = 2001,
    engine: str | None = None,
) -> list[Path]:
    """Compute the sector facts and write the study in each format into ``out``; returns the files."""
    sf = sector_facts(wh, basket, through, world_from=world_from, engine=engine)
    return write_report(build_sector_report(sf, lang), formats, Path(out))


__all__ = ["SECTOR", "build_sector_report", "sector_context", "write_sector"]
