"""The sector study (SNI's metalworking analysis, article 003) as a :class:`Report` in Spanish or English.

:data:`SECTOR` declares it as data (:mod:`comercio.reports.spec`), in the article's order: the headline on
the group's trade balance, world trade by continent, the group's weight in world trade, regional peers,
Peru's exports (SUNAT G1), imports and balance (WTO), imports by use (SUNAT F1), destinations of all exports
(SUNAT G6), subsectors, and, when customs lines are loaded, the basket's own destinations and origins.
:func:`build_sector_report` renders it (:func:`comercio.reports.render`). The context comes from
:mod:`comercio.reports.sector_context`; every fixed sentence from ``i18n/sector.toml``; the prose from the
macros of ``templates/sector/sector_<lang>.j2``. Each figure names its basket (G1 group, WTO product group, HS
basket, F1 use group, or all products), and figures of different baskets come with the sentence on why they
differ. Sections the data cannot support keep one sentence saying which data they need; the page lists
them in the methods box. The files are written by the shared writers
(:func:`comercio.reports.writers.write_report`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from comercio.i18n import Messages
from comercio.indicators.sector import PEERS, WORLD_FROM, SectorFacts, sector_facts
from comercio.reports import charts
from comercio.reports._render import render
from comercio.reports.sector_context import G6, LINES, SIDES, continent_share_rows, sector_context
from comercio.reports.sector_lines import SECTIONS as LINES_SECTIONS
from comercio.reports.sector_lines import ranked_columns, source_note
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

# omitted-only keys of SectorFacts.omitted → the title their notice keeps (a key of ``sector.section``)
NOTICES = {"world": "world", "g1_subgroups": "g1_subgroups"}
WORLD = need("world.{side}.value", side="exports")


def sources(sf: SectorFacts, msg: Messages) -> str:
    """The study's source line: WTO (or BACI) for the world side, SUNAT with the tables it used."""
    used = {f.dataset for f in sf.facts}
    parts = []
    if "wto_merchandise" in used:
        synthetic = any(f.synthetic for f in sf.facts if f.dataset == "wto_merchandise")
        parts.append(msg("sector.src.wto", synthetic=_synthetic(msg, synthetic)))
    if "world_trade" in used:
        synthetic = any(f.synthetic for f in sf.facts if f.dataset == "world_trade")
        parts.append(msg("sector.src.baci", synthetic=_synthetic(msg, synthetic)))
    tables = [
        name
        for name, fam in (("G1", "peru.exports."), ("F1", "imports.cuode."), ("G6", "destinations."))
        if any(f.id.startswith(fam) for f in sf.facts)
    ]
    if tables:
        key = "sector.src.sunat" if len(tables) == 1 else "sector.src.sunat_many"
        parts.append(msg(key, tables="/".join(tables)))
    lines = [f for f in sf.facts if f.dataset == "customs_lines"]
    if lines:
        parts.append(source_note(msg, any(f.synthetic for f in lines)))
    return msg("sector.src.line", sources="; ".join(parts) or msg("sector.src.none"))


def _synthetic(msg: Messages, synthetic: bool) -> str:
    return f" ({msg('common.synthetic')})" if synthetic else ""


def _world_source(rc: RenderContext) -> str:
    w = rc.context["world"]
    key = "sector.src.wto" if rc.bundle.world_form != "hs" else "sector.src.baci"
    body = rc.msg(key, synthetic=_synthetic(rc.msg, bool(w and w["synthetic"])))
    return rc.msg("sector.src.line", sources=body)


def _world_figure(side: str) -> FigureBuilder:
    """Continent shares of ``side`` by year as a stacked chart."""

    def build(rc: RenderContext) -> tuple[Figure, ...]:
        title = rc.msg(f"sector.chart.{side}", basket=rc.context["world"]["basket"]["name"])
        rows = continent_share_rows(rc.facts, side, rc.lang)
        chart = functools.partial(charts.stacked_shares, rows, rc.fmt, title, _world_source(rc))
        return (Figure.drawn(f"world-{side}", title, chart, described=False),)

    return build


def _world_table(side: str) -> TableBuilder:
    """Continent shares of ``side`` by year, one column per continent: the chart's facts."""

    def build(rc: RenderContext) -> Table:
        rows = continent_share_rows(rc.facts, side, rc.lang)
        groups = sorted({r["group"] for r in rows})
        by_year: dict[int, dict[str, Any]] = {}
        for r in rows:
            by_year.setdefault(r["year"], {"year": r["year"]})[f"g{groups.index(r['group'])}"] = r["share"]
        columns = (
            Column("year", rc.msg("sector.col.year")),
            *(Column(f"g{i}", g, "pct") for i, g in enumerate(groups)),
        )
        title = rc.msg(f"sector.chart.{side}", basket=rc.context["world"]["basket"]["name"])
        note = rc.msg("sector.note.continents", source=_world_source(rc))
        return Table(
            f"world-{side}-shares", title, columns, tuple(by_year[y] for y in sorted(by_year)), note=note
        )

    return build


PEERS_TABLE = TableSpec(
    "peers",
    text("sector.table.peers", basket="world.basket.name", year="world.last"),
    (
        ColumnSpec("name", text("sector.col.country")),
        ColumnSpec("value", text("sector.col.exports_millions"), "millions", decimals=0),
        ColumnSpec("growth", text("sector.col.growth_span", first="world.first"), "pct_signed"),
        ColumnSpec("share", text("sector.col.world_share"), "pct", decimals=2),
        ColumnSpec("imports", text("sector.col.imports_millions"), "millions", decimals=0),
    ),
    rows="peers",
    note=text("sector.note.peers"),
)


def _balance_table(rc: RenderContext) -> Table | None:
    """Peru's exports, imports and balance of the WTO group, every year of the span."""
    years = sorted(
        int(x.parts["year"]) for x in rc.facts.each("peru.balance.value.{year}") if x.value is not None
    )
    if not years:
        return None
    f = rc.facts

    def side(s: str, y: int) -> Any:
        return f.value("peers.{partner}.{side}.value.{year}", partner="PER", side=s, year=str(y))

    rows = tuple(
        {
            "year": y,
            "exports": side("exports", y),
            "imports": side("imports", y),
            "balance": f.value("peru.balance.value.{year}", year=str(y)),
        }
        for y in years
    )
    columns = (
        Column("year", rc.msg("sector.col.year")),
        Column("exports", rc.msg("sector.col.exports_fob"), "millions", 0),
        Column("imports", rc.msg("sector.col.imports_cif"), "millions", 0),
        Column("balance", rc.msg("sector.col.balance"), "millions", 0),
    )
    title = rc.msg("sector.table.balance", basket=rc.context["world"]["basket"]["name"])
    return Table("balance", title, columns, rows, note=rc.msg("sector.note.balance"))


def _g1_table(rc: RenderContext) -> Table | None:
    """Peru's exports of the G1 group, every full year."""
    rows = tuple(
        {"year": int(x.parts["year"]), "value": x.value}
        for x in sorted(rc.facts.each("peru.exports.value.{year}"), key=lambda x: x.parts["year"])
        if x.value is not None
    )
    if not rows:
        return None
    peru = rc.context["peru"]
    columns = (
        Column("year", rc.msg("sector.col.year")),
        Column("value", rc.msg("sector.col.exports_fob"), "millions", 1),
    )
    title = rc.msg("sector.table.g1", basket=peru["basket"]["name"] if peru["basket"] else "")
    return Table(
        "g1-annual",
        title,
        columns,
        rows,
        note=rc.msg("sector.src.line", sources=rc.msg("sector.src.sunat", tables="G1")),
    )


def _cuode_table(rc: RenderContext) -> Table:
    """Imports by economic use (F1, CIF): full year (when not the window), window, growth and share."""
    k = rc.context["cuode"]
    full_year = k["year"] is not None and str(k["year"]) != k["span"]
    columns = (
        Column("cell", rc.msg("sector.col.cuode")),
        *(
            (Column("year_value", rc.msg("sector.col.year_cif", year=k["year"]), "millions", 0),)
            if full_year
            else ()
        ),
        Column("value", rc.msg("sector.col.ytd_cif", span=k["span"]), "millions", 0),
        Column("growth", rc.msg("sector.col.growth"), "pct_signed"),
        Column("share", rc.msg("sector.col.share_f1"), "pct"),
    )
    title = rc.msg("sector.table.cuode", span=k["span"])
    return Table("cuode", title, columns, tuple(k["rows"]), note=rc.msg("sector.note.cuode"))


def _partner_figure(direction: str) -> FigureBuilder:
    """Ranked bars of the top partners: the table's and the prose's facts."""

    def build(rc: RenderContext) -> tuple[Figure, ...]:
        p = rc.context[direction]
        title = rc.msg(f"sector.chart.{direction}", span=p["span"])
        source = rc.msg(f"sector.source.{direction}", synthetic=p["synthetic_note"], lines=p["lines_source"])
        bars = [{"label": r["name"], "value": r["value"]} for r in p["rows"]]
        chart = functools.partial(charts.ranked_bars, bars, rc.fmt, title, source)
        return (Figure.drawn(direction, title, chart, described=False),)

    return build


def _partner_table(direction: str) -> TableSpec:
    """The top partners (rank, value, share, growth): the rows the prose reads."""
    return TableSpec(
        f"{direction}-top",
        text(f"sector.chart.{direction}", span=f"{direction}.span"),
        ranked_columns(f"sector.col.{direction}"),
        rows=f"{direction}.rows",
        note=text(
            f"sector.source.{direction}",
            synthetic=f"{direction}.synthetic_note",
            lines=f"{direction}.lines_source",
        ),
    )


SUBSECTOR_TABLE = TableSpec(
    "subsectors",
    text("sector.table.subsectors", basket="world.basket.name", year="world.last"),
    (
        ColumnSpec("cell", text("sector.col.subsector")),
        ColumnSpec("value", text("sector.col.world_millions"), "millions", decimals=0),
        ColumnSpec("share", text("sector.col.group_share"), "pct"),
        ColumnSpec("peru_exports", text("sector.col.peru_exports_millions"), "millions", decimals=0),
        ColumnSpec("peru_imports", text("sector.col.peru_imports_millions"), "millions", decimals=0),
    ),
    rows="subsectors",
    note=text("sector.note.subsectors"),
)


def _omitted(rc: RenderContext, key: str) -> str:
    through = rc.bundle.through
    span = rc.fmt.period(date(through.year, 1, 1), through)
    prev = rc.fmt.period(date(through.year - 1, 1, 1), date(through.year - 1, through.month, 1))
    if key in ("peru_imports", "peru_exports") and rc.context.get("lines") is not None:
        key = f"{key}_lines"  # what the lines already give is said, what they cannot is named
    return rc.msg("sector.omitted", need=rc.msg(f"sector.needs.{key}", span=span, prev=prev))


def _cover(rc: RenderContext, omitted: Mapping[str, str]) -> Cover:
    sf, msg, fmt = rc.bundle, rc.msg, rc.fmt
    through = fmt.period(sf.through, sf.through)
    if sf.world_years:
        first, last = sf.world_years
        subtitle = msg("sector.subtitle", first=first, last=last, through=through)
    else:
        subtitle = msg("sector.subtitle_peru", through=through)
    return Cover(
        title=msg("sector.title", sector=rc.context["sector"]),
        subtitle=subtitle,
        source=sources(sf, msg),
        meta={
            "basket": sf.basket,
            "through": sf.through.isoformat(),
            "world_years": list(sf.world_years) if sf.world_years else None,
            "world_form": sf.world_form,
            "forms": [f.extra() | {"role": f.role, "name": f.name(rc.lang)} for f in sf.forms],
            "omitted": sf.omitted,
            "datasets": sf.datasets,
            "g1_paths": list(sf.g1_paths),
        },
    )


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
        SectionSpec("world_weight", (need("world.share_of_trade"),), missing="drop"),
        SectionSpec(
            "peers", (WORLD, need("peers.{partner}.{side}.value")), tables=(PEERS_TABLE,), missing="drop"
        ),
        SectionSpec("peru_exports", (need("peru.exports.value"),), tables=(_g1_table,)),
        SectionSpec("peru_imports", (need("peru.balance.value"),), tables=(_balance_table,)),
        LINES_SECTIONS[0],
        SectionSpec("imports_context", (need("imports.cuode.{cuode}.ytd.value"),), tables=(_cuode_table,)),
        SectionSpec(
            G6,
            (need("{direction}.top", direction=G6),),
            tables=(_partner_table(G6),),
            figures=(_partner_figure(G6),),
        ),
        SectionSpec(
            "subsectors",
            (need("subsector.{subsector}.world.{side}.value"),),
            tables=(SUBSECTOR_TABLE,),
        ),
        LINES_SECTIONS[1],
        *(
            SectionSpec(
                d,
                (need("{direction}.top", direction=d),),
                tables=(_partner_table(d),),
                figures=(_partner_figure(d),),
            )
            for d in LINES
        ),
        *(SectionSpec(key, title=f"sector.section.{title}", notice=True) for key, title in NOTICES.items()),
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
    world_from: int = WORLD_FROM,
    world_to: int | None = None,
    engine: str | None = None,
    peers: tuple[str, ...] = PEERS,
    world_form: str | None = None,
) -> list[Path]:
    """Compute the sector facts and write the study in each format into ``out``; returns the files.
    ``world_form`` ("wto" or "hs") chooses the world side's basket (default: WTO when loaded, else HS)."""
    sf = sector_facts(
        wh,
        basket,
        through,
        world_from=world_from,
        world_to=world_to,
        engine=engine,
        peers=peers,
        world_form=world_form,
    )
    return write_report(build_sector_report(sf, lang), formats, Path(out))


__all__ = ["SECTOR", "build_sector_report", "sources", "write_sector"]
