"""What the dashboard shows: formatted tables, the Peru map and charts as inline SVG, from cached results.

Charts are the reports' own (:mod:`comercio.reports.charts`, :mod:`comercio.reports.maps`), rendered to SVG
on the server (docs/decisions/0007-dashboard-rendering.md): the browser receives finished SVG plus its text
alternative, so no charting library runs in the page. Renders are cached next to the indicator results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import altair as alt

from comercio import reference
from comercio.errors import ComercioError
from comercio.i18n import has, t
from comercio.indicators import wto
from comercio.indicators.facts import family
from comercio.indicators.sector import PEERS, WORLD_FROM
from comercio.indicators.specs import Comparison, Grouping, Spec, Window
from comercio.reference import dimensions
from comercio.reports import charts, maps
from comercio.reports.fmt import Formatter
from comercio.reports.narrative import join_names
from comercio.reports.sector_context import continent_share_rows
from comercio.service import ROW_FAMILIES, IndicatorService, Result
from comercio.web import marks

Metric = Literal["value", "growth", "share"]
OUTSIDE_DEPARTMENTS = "99"  # BCRP's "not registered" row: in the totals, not on the map


@dataclass(frozen=True)
class Figure:
    """A rendered chart: the SVG markup, its text alternative and the Vega-Lite spec it was drawn from."""

    svg: str
    description: str
    spec: dict[str, Any]

    def as_dict(self) -> dict[str, str]:
        return {"svg": self.svg, "description": self.description}


def figure(chart: alt.TopLevelMixin) -> Figure:
    """A chart of :mod:`comercio.reports.charts` as inline SVG with its description."""
    spec = charts.to_spec(chart)
    return Figure(charts.svg(spec), str(spec.get("description", "")), spec)


def source(dataset: str, lang: str) -> str:
    """The dataset's display name for source lines."""
    key = f"common.dataset.{dataset}"
    return t(key, lang) if has(key) else dataset


def fmt_row(row: dict[str, Any], fmt: Formatter) -> dict[str, str]:
    """A result row with every figure written by the house formatter from its fact kind; the label starts
    with a capital, as a table cell (reference names such as ``costa`` are written for prose)."""
    label = str(row["label"])
    out = {"member": row["member"], "label": label[:1].upper() + label[1:]}
    for name, template in ROW_FAMILIES.items():
        kind = family(template).kind
        value = row.get(name)
        if kind == "rank":
            out[name] = fmt.na if value is None else str(value)
        else:
            out[name] = (
                fmt.figure(value, kind, scale="millions") if kind == "value" else fmt.figure(value, kind)
            )
    return out


def title(result: Result, fmt: Formatter, what: str, svc: IndicatorService | None = None) -> str:
    """``what, period``; with ``svc``, a preliminary last month of customs lines is named (marks)."""
    w = result.spec.window
    period = fmt.period(w.start, w.end)
    if svc is not None:
        end, first = f"{w.end:%Y-%m}", f"{w.start:%Y-%m}"
        period = marks.period_label(svc, period, end, result.dataset, fmt.lang, first)
    return t("web.figure.titled", fmt.lang, what=what, period=period)


def department_members(grouping: Grouping) -> dict[str, str]:
    """Department ubigeo → the member of ``grouping`` it is in (empty unless derived from departments)."""
    d = dimensions.dimension(grouping.dimension)
    if d.needs != "department" or d.labels is None:
        return {}
    if d.attribute:
        dept = dimensions.dimension("department").labels
        assert dept is not None
        return {
            r[dept.code]: r[d.attribute] for r in reference.load(dept.table).to_pylist() if r[d.attribute]
        }
    scheme = grouping.scheme or d.scheme
    rows = reference.load(d.labels.table).to_pylist()
    return {r["department"]: r[d.labels.code] for r in rows if r.get("grouping") == scheme}


def map_figure(svc: IndicatorService, spec: Spec, metric: Metric, lang: str) -> Figure | None:
    """Departments coloured by ``metric`` of the member of the spec's grouping they belong to (each department
    by itself when grouped by department; None without boundaries or for groupings not of departments)."""
    grouping = spec.grouping if spec.grouping.dimension != "national" else Grouping("department")

    def compute() -> Figure | None:
        geo = svc.boundaries()
        if geo is None:
            return None
        if grouping.dimension == "department":
            member_of = {u: u for u in dimensions.member_names("department", lang)}
        else:
            member_of = department_members(grouping)
        if not member_of:
            return None
        result = svc.indicator(spec.with_grouping(grouping))
        by_member = {r["member"]: r for r in result.rows(lang)}
        fmt = Formatter(lang)
        values = [
            {"ubigeo": u, "value": by_member[m][metric], "label": by_member[m]["label"]}
            for u, m in sorted(member_of.items())
            if u != OUTSIDE_DEPARTMENTS and m in by_member
        ]
        what = t(f"presentation.map.metric_{metric}", lang).capitalize()
        if grouping.dimension != "department":
            what = f"{what} ({dimensions.dimension(grouping.dimension).label(lang).lower()})"
        chart = maps.department_map(
            geo,
            values,
            fmt,
            metric,
            title(result, fmt, what, svc),
            source(result.dataset, lang),
            labels=grouping.dimension == "department",
        )
        return figure(chart)

    return svc.cache.get_or_compute(("map", spec.with_grouping(grouping), metric, lang), compute)


def series_start(window: Window) -> date:
    """First month of the monthly line: the window and the same months a year earlier (at least 13 months)."""
    return min(window.shifted(-1).start, Window.month(window.end).shifted(-1).start)


def series_figure(svc: IndicatorService, spec: Spec, lang: str, member: str | None = None) -> Figure:
    """Monthly values of one member of the spec's grouping (national total when ``member`` is None) from a
    year before the window's start to its end."""
    grouping = Grouping("national") if member is None else spec.grouping
    key = ("series_fig", grouping, spec.filters, spec.window, member, lang)

    def compute() -> Figure:
        s = svc.series(grouping, spec.filters, spec.dataset, spec.window.end)
        start = series_start(spec.window)
        fmt = Formatter(lang)
        rows = [
            {"month": r["period"].isoformat()[:7], "value": r["value"]}
            for r in s.rows()
            if start <= r["period"] <= spec.window.end and (member is None or r["member"] == member)
        ]
        name = dimensions.label(grouping.dimension, member or "", lang)  # national: Perú / Peru
        name = name[:1].upper() + name[1:]
        if rows:
            peak = max(rows, key=lambda r: r["value"])
            desc = t(
                "web.figure.series_described",
                lang,
                name=name,
                first=month_name(rows[0]["month"], fmt),
                last=month_name(rows[-1]["month"], fmt),
                peak=fmt.figure(peak["value"], "value"),
                peak_month=month_name(peak["month"], fmt),
            )
        else:
            desc = t("web.figure.series_empty", lang)
        head = t("web.figure.series_title", lang, name=name)
        return figure(charts.monthly_line(rows, fmt, head, source(s.dataset, lang), desc))

    return svc.cache.get_or_compute(key, compute)


def month_name(month: str, fmt: Formatter) -> str:
    """``2022-11`` → ``noviembre de 2022`` / ``November 2022``."""
    d = date(int(month[:4]), int(month[5:7]), 1)
    return fmt.period(d, d)


def month_options(
    svc: IndicatorService, lang: str, flow: str = "X", dataset: str | None = None, grouping: str = "national"
) -> list[tuple[str, str]]:
    """Every loaded month as (``YYYY-MM``, its name in ``lang``), newest first: the month picker's choices."""
    fmt = Formatter(lang)
    return [(m, month_name(m, fmt)) for m in svc.months(flow, dataset, grouping)]


def bars_figure(svc: IndicatorService, result: Result, lang: str, *, top: int = 15) -> Figure | None:
    """Growth bars of the members (largest first, at most ``top``); None when no member has a growth."""
    key = ("bars", result.spec, lang, top)
    return svc.cache.get_or_compute(key, lambda: _bars(svc, result, lang, top))


def _bars(svc: IndicatorService, result: Result, lang: str, top: int) -> Figure | None:
    fmt = Formatter(lang)
    rows = [
        {"label": r["label"], "growth": r["growth"]}
        for r in result.rows(lang)[:top]
        if r["growth"] is not None
    ]
    if not rows:
        return None
    try:
        chart = charts.growth_bars(
            rows, fmt, title(result, fmt, t("web.growth", lang), svc), source(result.dataset, lang)
        )
    except ComercioError:
        return None
    return figure(chart)


def yearly(svc: IndicatorService, member: str, lang: str) -> list[dict[str, Any]]:
    """One row per complete calendar year of a department: value, growth and share of Peru's total."""
    years = sorted({int(m[:4]) for m in svc.months() if m.endswith("-12")})
    out = []
    for y in years:
        spec = Spec(
            Window.year(y), Grouping("department"), comparison=None if y == years[0] else Comparison()
        )
        try:
            result = svc.indicator(spec)
        except ComercioError:
            continue
        row = next((r for r in result.rows(lang) if r["member"] == member), None)
        if row is not None:
            out.append({"year": y, "dataset": result.dataset, **row})
    return out


def share_figure(svc: IndicatorService, years: list[dict[str, Any]], name: str, lang: str) -> Figure | None:
    """The department's share of Peru's exports per complete year (line with labels)."""
    key = ("shares", name, lang, tuple((y["year"], y.get("share")) for y in years))
    return svc.cache.get_or_compute(key, lambda: _shares(years, name, lang))


def _shares(years: list[dict[str, Any]], name: str, lang: str) -> Figure | None:
    rows = [{"year": y["year"], "share": y["share"]} for y in years if y.get("share") is not None]
    if not rows:
        return None
    head = t("web.figure.share_title", lang, name=name)
    return figure(charts.share_over_years(rows, Formatter(lang), head, source(years[-1]["dataset"], lang)))


SAMPLE_SLICE = "declarations-"
"""Slices of Aduanet consultation extracts (some declarations of one subpartida): a sample of the trade."""


def sample_note(svc: IndicatorService, offices: Result, products: Result, lang: str) -> str | None:
    """What a sample of declaration lines is (lines, tariff lines, customs offices, month), or None when the
    month is answered by anything but consultation extracts (weekly or monthly microdata: the trade itself).
    Decided by where the lines come from, never by how many there are."""
    if not offices.vintages or not all(SAMPLE_SLICE in vintage for vintage in offices.vintages):
        return None
    codes = [r["member"] for r in products.rows(lang)]
    lines = sum(
        int(v["rows"] or 0)
        for v in svc.vintages(offices.dataset)
        if any(str(v["slice"]) in vintage for vintage in offices.vintages)
    )
    w = offices.spec.window
    fmt = Formatter(lang)
    return t(
        f"web.customs_sample.{offices.spec.filters.flow}",
        lang,
        lines=fmt.number(lines),
        products=join_names(codes, lang),
        offices=join_names([r["label"] for r in offices.rows(lang)], lang),
        period=fmt.period(w.start, w.end),
    )


# -- sector page: the world view of a study's WTO product group ------------------------------------------
SECTOR_STUDY = "metalmecanica"


def wto_group(study: str) -> tuple[reference.BasketForm, list[reference.BasketForm]] | None:
    """The study's WTO product group and its parts, or None when the study has no WTO form."""
    forms = reference.basket_forms(study)
    group = next((f for f in forms if f.form == "wto" and f.role == "group"), None)
    return None if group is None else (group, [f for f in forms if f.form == "wto" and f.role == "subsector"])


def world_years(svc: IndicatorService, study: str) -> list[int]:
    """Years in which the WTO World row has the study's group (both flows), ascending; empty without WTO."""
    found = wto_group(study)
    if found is None:
        return []
    code = found[0].code

    def compute() -> list[int]:
        try:
            return wto.frame(svc.wh, {code}).years(code)
        except ComercioError:
            return []

    return svc.run(("wto_years", code), compute)


def world_view(
    svc: IndicatorService, study: str, first: int, last: int, flow: str, lang: str
) -> dict[str, Any]:
    """The world side of a study for ``first``..``last``: continent shares by year (chart of exports or
    imports, by ``flow``) and the peers table, every figure from the WTO facts of the sector study."""
    found = wto_group(study)
    assert found is not None
    group, parts = found
    facts, (y0, y1) = svc.run(
        ("wto_world", group.code, first, last),
        lambda: wto.world_facts(svc.wh, group, parts, world_from=first, last_year=last, peers=PEERS),
    )
    side = "exports" if flow == "X" else "imports"
    fmt = Formatter(lang)
    name = group.name(lang)
    synthetic = f" ({t('common.synthetic', lang)})" if facts.synthetic else ""
    source = t("sector.src.line", lang, sources=t("sector.src.wto", lang, synthetic=synthetic))
    rows = continent_share_rows(facts, side, lang)
    title = t(f"sector.chart.{side}", lang, basket=name)
    chart = svc.cache.get_or_compute(
        ("wto_chart", group.code, y0, y1, side, lang),
        lambda: figure(charts.stacked_shares(rows, fmt, title, source)),
    )
    exports = [x for x in facts.each("peers.{partner}.{side}.value") if x.parts["side"] == "exports"]
    peers = []
    for x in sorted(exports, key=lambda x: -(x.value or 0.0)):
        p = x.parts["partner"]
        value = facts.value
        peers.append(
            {
                "code": p,
                "label": dimensions.label("partner", p, lang),
                "value": fmt.figure(x.value, "value", scale="millions", bare=True),
                "growth": fmt.figure(
                    value("peers.{partner}.{side}.growth", partner=p, side="exports"), "growth"
                ),
                "share": fmt.pct(
                    value("peers.{partner}.{side}.share", partner=p, side="exports"), decimals=2
                ),
                "imports": fmt.figure(
                    value("peers.{partner}.{side}.value", partner=p, side="imports"),
                    "value",
                    scale="millions",
                    bare=True,
                ),
            }
        )
    return {
        "basket": name,
        "first": y0,
        "last": y1,
        "chart": chart,
        "peers": peers,
        "peers_caption": t("sector.table.peers", lang, basket=name, year=y1),
        "source": source,
    }


def world_block(
    svc: IndicatorService, first: int | None, last: int | None, flow: str, lang: str
) -> tuple[dict[str, Any] | None, str | None]:
    """The sector page's world view for the span asked (WTO years of the study's group), or the reason it
    cannot be shown: no WTO data (a note), or a span outside the data or reversed (an error, HTTP 400)."""
    years = world_years(svc, SECTOR_STUDY)
    if not years:
        return None, None
    y0 = first if first is not None else max(WORLD_FROM, years[0])
    y1 = last if last is not None else years[-1]
    if y0 not in years or y1 not in years or y0 >= y1:
        return {"years": years, "first": y0, "last": y1}, t(
            "sector.web.bad_span", lang, first=y0, last=y1, min=years[0], max=years[-1]
        )
    try:
        return {"years": years, **world_view(svc, SECTOR_STUDY, y0, y1, flow, lang)}, None
    except ComercioError as exc:
        return None, exc.message
