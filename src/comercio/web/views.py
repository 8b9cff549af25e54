"""What the dashboard shows: formatted tables, the Peru map and charts as inline SVG, from cached results.

Charts are rendered on the server with vl-convert from the same Altair specs as the reports
(docs/decisions/0007-dashboard-rendering.md): the browser receives finished SVG plus its text alternative,
so no charting library runs in the page. Renders are cached next to the indicator results.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import altair as alt
import vl_convert as vlc

from comercio.api.service import IndicatorService, Result
from comercio.config import Settings
from comercio.errors import ComercioError, DownloadError
from comercio.indicators.specs import Comparison, Filters, Grouping, Spec, Window
from comercio.reports import charts, maps
from comercio.reports.fmt import Formatter

Metric = Literal["value", "growth", "share"]
SOURCE = {"bcrp_departments": "BCRP", "sunat_cuadros": "SUNAT", "customs_lines": "SUNAT, declaraciones"}


@dataclass(frozen=True)
class Figure:
    """A rendered chart: the SVG markup and its text alternative."""

    svg: str
    description: str

    def as_dict(self) -> dict[str, str]:
        return {"svg": self.svg, "description": self.description}


def svg(chart: alt.TopLevelMixin) -> Figure:
    """Render a chart to SVG with vl-convert (no browser, no network) and keep its description."""
    spec = charts.to_spec(chart)
    locale = spec.get("config", {}).get("locale", {})
    markup = vlc.vegalite_to_svg(
        spec,
        format_locale=locale.get("number"),
        time_format_locale=locale.get("time"),
        allowed_base_urls=[],
    )
    return Figure(markup, str(spec.get("description", "")))


@lru_cache(maxsize=4)
def _geojson(path: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return data


def boundaries(settings: Settings) -> dict[str, Any] | None:
    """The departments GeoJSON from the download cache (fetched by ``comercio build``), or None."""
    from comercio.sources.download import cached

    try:
        files = cached("boundaries", settings)
    except DownloadError:
        return None
    dept = next((f for f in files if f.key == "departments"), None)
    return None if dept is None else _geojson(str(dept.path))


def fmt_row(row: dict[str, Any], fmt: Formatter) -> dict[str, str]:
    """A result row with every number in the house style."""
    return {
        "member": row["member"],
        "label": row["label"],
        "value": fmt.money(row["value"], scale="millions"),
        "previous": fmt.money(row["previous"], scale="millions"),
        "growth": fmt.pct(row["growth"], signed=True),
        "share": fmt.pct(row["share"]),
        "contribution": fmt.pp(row["contribution"], signed=True),
        "rank": str(row["rank"]),
    }


def title(result: Result, fmt: Formatter, what: str) -> str:
    w = result.spec.window
    return f"{what}, {fmt.period(w.start, w.end)}"


def map_figure(svc: IndicatorService, spec: Spec, metric: Metric, lang: str) -> Figure | None:
    """Departments coloured by ``metric`` for the spec's window and filters (None without boundaries)."""
    dept_spec = spec.with_grouping(Grouping("department"))

    def compute() -> Figure | None:
        geo = boundaries(svc.settings)
        if geo is None:
            return None
        result = svc.indicator(dept_spec)
        fmt = Formatter(lang)
        values = [
            {"ubigeo": r["member"], "value": r[metric], "label": r["label"]}
            for r in result.rows(lang)
            if r["member"] != "99"
        ]
        what = {"value": "valor", "growth": "variación", "share": "participación"} if lang == "es" else {}
        name = what.get(metric, metric)
        chart = maps.department_map(
            geo, values, fmt, metric, title(result, fmt, name.capitalize()), SOURCE.get(result.dataset, "")
        )
        return svg(chart)

    return svc.cache.get_or_compute(("map", dept_spec, metric, lang), compute)


def series_figure(svc: IndicatorService, spec: Spec, lang: str, member: str | None = None) -> Figure:
    """Monthly values over the 36 months ending at the window's end (national total or one member)."""
    grouping = Grouping("national") if member is None else spec.grouping
    key = ("series_fig", grouping, spec.filters, spec.window.end, member, lang)

    def compute() -> Figure:
        s = svc.series(grouping, spec.filters, spec.dataset)
        start = Window.rolling12(spec.window.end).shifted(-2).start
        fmt = Formatter(lang)
        rows = [
            {"month": r["period"].isoformat()[:7], "value_m": r["value"] / 1e6, "text": fmt.money(r["value"])}
            for r in s.rows()
            if start <= r["period"] <= spec.window.end and (member is None or r["member"] == member)
        ]
        unit = "US$ millones" if lang == "es" else "US$ million"
        name = "Perú" if member is None else member
        if rows:
            hi = max(rows, key=lambda r: r["value_m"])
            desc = (
                f"Línea mensual de {name}, {rows[0]['month']} a {rows[-1]['month']}; máximo {hi['text']} "
                f"en {hi['month']}."
                if lang == "es"
                else f"Monthly line for {name}, {rows[0]['month']} to {rows[-1]['month']}; peak {hi['text']} "
                f"in {hi['month']}."
            )
        else:
            desc = "Sin datos." if lang == "es" else "No data."
        line = (
            alt.Chart(alt.Data(values=rows))
            .mark_line(color=charts.MAIN, point=alt.OverlayMarkDef(size=12))
            .encode(
                x=alt.X("month:T", title=None, axis=alt.Axis(format="%Y-%m", labelAngle=0, tickCount=6)),
                y=alt.Y("value_m:Q", title=unit, axis=alt.Axis(format=",.0f")),
            )
            .properties(width=charts.WIDTH, height=200)
        )
        head = "Serie mensual" if lang == "es" else "Monthly series"
        return svg(charts.finish(line, fmt, f"{head}: {name}", SOURCE.get(s.dataset, ""), desc))

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
    head = "Variación" if lang == "es" else "Growth"
    try:
        chart = charts.growth_bars(rows, fmt, title(result, fmt, head), SOURCE.get(result.dataset, ""))
    except ComercioError:
        return None
    return svg(chart)


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
            out.append({"year": y, **row})
    return out


def member_name(ubigeo: str, lang: str) -> str | None:
    """The department's name, or None when ``ubigeo`` is not a department."""
    from comercio.api.service import _names

    return _names("department", lang).get(ubigeo)


def share_figure(svc: IndicatorService, years: list[dict[str, Any]], name: str, lang: str) -> Figure | None:
    """The department's share of Peru's exports per complete year (line with labels)."""
    key = ("shares", name, lang, tuple((y["year"], y.get("share")) for y in years))
    return svc.cache.get_or_compute(key, lambda: _shares(years, name, lang))


def _shares(years: list[dict[str, Any]], name: str, lang: str) -> Figure | None:
    rows = [{"year": y["year"], "share": y["share"]} for y in years if y.get("share") is not None]
    if not rows:
        return None
    head = f"Participación de {name} en las exportaciones" if lang == "es" else f"{name}'s share of exports"
    return svg(charts.share_over_years(rows, Formatter(lang), head, "BCRP"))
