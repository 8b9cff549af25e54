"""What the dashboard shows: formatted tables, the Peru map and charts as inline SVG, from cached results.

Charts are the reports' own (:mod:`comercio.reports.charts`, :mod:`comercio.reports.maps`), rendered to SVG
on the server (docs/decisions/0007-dashboard-rendering.md): the browser receives finished SVG plus its text
alternative, so no charting library runs in the page. Renders are cached next to the indicator results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import altair as alt

from comercio.errors import ComercioError
from comercio.i18n import has, t
from comercio.indicators.facts import family
from comercio.indicators.specs import Comparison, Filters, Grouping, Spec, Window
from comercio.reference import dimensions
from comercio.reports import charts, maps
from comercio.reports.fmt import Formatter
from comercio.service import ROW_FAMILIES, IndicatorService, Result

Metric = Literal["value", "growth", "share"]
OUTSIDE_DEPARTMENTS = "99"  # BCRP's "not registered" row: in the totals, not on the map
SERIES_YEARS = 3


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


def title(result: Result, fmt: Formatter, what: str) -> str:
    w = result.spec.window
    return t("web.figure.titled", fmt.lang, what=what, period=fmt.period(w.start, w.end))


def map_figure(svc: IndicatorService, spec: Spec, metric: Metric, lang: str) -> Figure | None:
    """Departments coloured by ``metric`` for the spec's window and filters (None without boundaries)."""
    dept_spec = spec.with_grouping(Grouping("department"))

    def compute() -> Figure | None:
        geo = svc.boundaries()
        if geo is None:
            return None
        result = svc.indicator(dept_spec)
        fmt = Formatter(lang)
        values = [
            {"ubigeo": r["member"], "value": r[metric], "label": r["label"]}
            for r in result.rows(lang)
            if r["member"] != OUTSIDE_DEPARTMENTS
        ]
        what = t(f"presentation.map.metric_{metric}", lang).capitalize()
        chart = maps.department_map(
            geo, values, fmt, metric, title(result, fmt, what), source(result.dataset, lang)
        )
        return figure(chart)

    return svc.cache.get_or_compute(("map", dept_spec, metric, lang), compute)


def series_figure(svc: IndicatorService, spec: Spec, lang: str, member: str | None = None) -> Figure:
    """Monthly values over the 36 months ending at the window's end (national total or one member)."""
    grouping = Grouping("national") if member is None else spec.grouping
    key = ("series_fig", grouping, spec.filters, spec.window.end, member, lang)

    def compute() -> Figure:
        s = svc.series(grouping, spec.filters, spec.dataset)
        start = Window.rolling12(spec.window.end).shifted(1 - SERIES_YEARS).start
        fmt = Formatter(lang)
        rows = [
            {"month": r["period"].isoformat()[:7], "value": r["value"]}
            for r in s.rows()
            if start <= r["period"] <= spec.window.end and (member is None or r["member"] == member)
        ]
        name = dimensions.label(grouping.dimension, member or "", lang)  # national: Perú / Peru
        if rows:
            peak = max(rows, key=lambda r: r["value"])
            desc = t(
                "web.figure.series_described",
                lang,
                name=name,
                first=rows[0]["month"],
                last=rows[-1]["month"],
                peak=fmt.figure(peak["value"], "value"),
                peak_month=peak["month"],
            )
        else:
            desc = t("web.figure.series_empty", lang)
        head = t("web.figure.series_title", lang, name=name)
        return figure(charts.monthly_line(rows, fmt, head, source(s.dataset, lang), desc))

    return svc.cache.get_or_compute(key, compute)


def bars_figure(svc: IndicatorService, result: Result, lang: str, *, top: int = 15) -> Figure | None:
    """Growth bars of the members (largest first, at most ``top``); None when no member has a growth."""
    return svc.cache.get_or_compute(("bars", result.spec, lang, top), lambda: _bars(result, lang, top))


def _bars(result: Result, lang: str, top: int) -> Figure | None:
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
            rows, fmt, title(result, fmt, t("web.growth", lang)), source(result.dataset, lang)
        )
    except ComercioError:
        return None
    return figure(chart)


def yearly(svc: IndicatorService, member: str, lang: str) -> list[dict[str, Any]]:
    """One row per complete calendar year of a department: value, growth and share of Peru's total."""
    base = svc.series(Grouping("department"), Filters())
    years = sorted({p.year for p in base.periods if p.month == 12})
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
