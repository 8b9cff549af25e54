"""Static and dashboard charts: Altair (Vega-Lite) builders fed with plain rows and the house formatter.

Every builder takes rows (a list of dicts or a pandas DataFrame), a :class:`~comercio.reports.fmt.Formatter`,
a title and a source, and returns a top-level Altair chart whose spec carries:

* ``config.locale`` = the formatter's d3 number and time locales, so axis ticks read ``20 %``/``2 000`` in the
  static renders *and* in the dashboard (vega-embed reads the same spec);
* pre-formatted label fields (``*_text``) made by the formatter itself from the figure's kind
  (:meth:`~comercio.reports.fmt.Formatter.figure`), so a bar label reads exactly like the prose and the
  table cell (half-up rounding, decimals decided after rounding, U+2212 minus, no signed zero);
* a ``description`` (text alternative) written from the data, and the source line as a footer title.

:func:`render` writes PNG or SVG through vl-convert: no browser, no CDN. :func:`to_spec` gives the Vega-Lite
JSON for the web dashboard.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

from comercio.errors import ReportError
from comercio.i18n import LANGS, t
from comercio.reports.axes import MONTH_FORMAT, labelled_years, month_ticks
from comercio.reports.fmt import Formatter, axis_format
from comercio.reports.vega import lazy_module, unchecked
from comercio.reports.vega import render as render  # re-exported: writers and dashboard call charts.*
from comercio.reports.vega import svg as svg
from comercio.reports.vega import to_spec as to_spec

if TYPE_CHECKING:
    import altair as alt
else:
    alt = lazy_module("altair")

Rows = Sequence[Mapping[str, Any]] | Any  # a pandas DataFrame is accepted too (anything with ``to_dict``)

POSITIVE = "#1f6f8b"
NEGATIVE = "#c0392b"
MAIN = "#1f4e79"
CATEGORY_SCHEME: Final = "tableau10"
ROW_STEP = 20  # pixels per bar in horizontal bar charts
# The font the static renders measure text with must be the one the page draws it with (the report CSS and the
# dashboard name DejaVu Sans first); with Vega's default "sans-serif" the browser may pick a wider face than
# vl-convert measured, and axis labels run out of the chart on the left.
FONT = "DejaVu Sans"
WIDTH = 440
TITLE_CHARS = 52  # a 14 px title line fits the narrowest chart (the map) at this length


def records(rows: Rows, required: Sequence[str], chart: str) -> list[dict[str, Any]]:
    """Plain dict rows from a list or DataFrame, checking the columns a chart needs."""
    items = rows.to_dict("records") if hasattr(rows, "to_dict") else [dict(r) for r in rows]
    for i, row in enumerate(items):
        for key in required:
            if key not in row:
                raise ReportError(f"{chart}: row has no {key!r} (keys: {sorted(row)})", record=i, field=key)
    return items


def is_missing(x: Any) -> bool:
    """True for None and NaN (the values a chart cannot place)."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def source_line(source: str, fmt: Formatter) -> str:
    """``Fuente: BCRP`` from ``BCRP``; a source already starting with Fuente/Source is kept as given."""
    s = source.strip()
    given = tuple(t("common.source", lang).lower() for lang in LANGS)
    return s if s.lower().startswith(given) else f"{t('common.source', fmt.lang)}: {s}"


def finish(
    chart: alt.Chart | alt.LayerChart | alt.FacetChart,
    fmt: Formatter,
    title: str,
    source: str,
    description: str,
) -> alt.VConcatChart:
    """Wrap a chart with its title on top, the source line as a footer, the description and the locale.

    A long title is broken into lines of at most :data:`TITLE_CHARS` characters (never clipped).
    """
    lines = textwrap.wrap(title, TITLE_CHARS) or [title]
    inner = chart.properties(title=alt.TitleParams(lines, anchor="start", fontSize=14, limit=0))
    footer = alt.TitleParams(
        source_line(source, fmt),
        orient="bottom",
        anchor="start",
        fontSize=10,
        fontWeight="normal",
        color="#555",
    )
    return (
        alt.vconcat(inner, title=footer)
        .properties(description=description)
        .configure(locale={"number": fmt.d3_locale(), "time": fmt.d3_time_locale()}, font=FONT)
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=11, titleFontSize=11)
    )


def _extremes(items: list[dict[str, Any]], key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    ranked = sorted(items, key=lambda r: r[key])
    return ranked[-1], ranked[0]


def _drop_missing(items: list[dict[str, Any]], key: str) -> tuple[list[dict[str, Any]], int]:
    kept = [r for r in items if not is_missing(r[key])]
    return kept, len(items) - len(kept)


def padded_domain(values: Sequence[float], pad: float = 0.16) -> list[float]:
    """An x domain that includes 0 and leaves room for the value labels at both bar ends."""
    lo, hi = min(0.0, *values), max(0.0, *values)
    span = (hi - lo) or 1.0
    return [lo - pad * span if lo < 0 else 0.0, hi + pad * span if hi > 0 else 0.0]


def missing_note(n: int, fmt: Formatter, key: str = "presentation.chart.missing") -> str:
    """`` 2 sin dato.`` appended to a description, or nothing when no row lacks a value."""
    return f" {t(key, fmt.lang, n=n)}" if n else ""


def growth_cap(values: Sequence[float], ratio: float = 3.0) -> float | None:
    """Where to cut the axis of growth bars: when the largest change (in absolute value) exceeds ``ratio``
    times the next one, bars stop at 1.2 times the next one and carry their true value; None otherwise."""
    ranked = sorted((abs(v) for v in values), reverse=True)
    if len(ranked) < 3 or ranked[1] <= 0 or ranked[0] <= ratio * ranked[1]:
        return None
    return 1.2 * ranked[1]


@unchecked
def growth_bars(
    rows: Rows,
    fmt: Formatter,
    title: str,
    source: str,
    *,
    decimals: int = 1,
    apart: Sequence[str] = (),
    apart_title: str = "",
) -> alt.VConcatChart:
    """Horizontal bars of growth rates (fractions), sorted from highest to lowest, labelled ``+35,0 %``.

    An outlier does not squash the rest (:func:`growth_cap`): its bar is cut with a break mark and keeps
    its label. Rows labelled in ``apart`` (e.g. Lima and Callao) follow the others under ``apart_title``.
    """
    items, missing = _drop_missing(records(rows, ("label", "growth"), "growth_bars"), "growth")
    if not items:
        raise ReportError("growth_bars: no row has a growth value", field="growth")
    cap = growth_cap([r["growth"] for r in items])
    for r in items:
        r["growth_text"] = fmt.figure(r["growth"], "growth", decimals=decimals)
        r["drawn"] = r["growth"] if cap is None else max(-cap, min(cap, r["growth"]))
        r["cut"] = cap is not None and abs(r["growth"]) > cap
    top, bottom = _extremes(items, "growth")
    desc = t(
        "presentation.chart.growth_bars",
        fmt.lang,
        title=title,
        n=len(items),
        top=top["label"],
        top_text=top["growth_text"],
        bottom=bottom["label"],
        bottom_text=bottom["growth_text"],
    ) + missing_note(missing, fmt)
    ranked = [r["label"] for r in sorted(items, key=lambda r: r["growth"], reverse=True)]
    rest = [x for x in ranked if x not in apart]
    set_apart = [x for x in ranked if x in apart]
    order = [*rest, apart_title or " ", *set_apart] if set_apart and rest else ranked
    base = alt.Chart(alt.Data(values=items)).encode(
        y=alt.Y(
            "label:N",
            sort=order,
            scale=alt.Scale(domain=order),
            title=None,
            axis=alt.Axis(labelLimit=160, ticks=False, domain=False, labelFontWeight=_bold(apart_title)),
        ),
        x=alt.X(
            "drawn:Q",
            title=None,
            axis=alt.Axis(format=axis_format("growth"), grid=True, tickCount=6),
            scale=alt.Scale(domain=padded_domain([r["drawn"] for r in items], pad=0.22), nice=False),
        ),
    )
    zero = alt.Chart(alt.Data(values=[{"zero": 0}])).mark_rule(color="#333").encode(x="zero:Q")
    bars = base.mark_bar(height={"band": 0.75}).encode(
        color=alt.condition("datum.growth < 0", alt.value(NEGATIVE), alt.value(POSITIVE)),
        tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("growth_text:N", title=" ")],
    )
    cuts = (
        base.transform_filter("datum.cut")
        .transform_calculate(mark="datum.drawn * 0.9")
        .mark_text(text="//", color="white", fontSize=13, fontWeight="bold")
        .encode(x="mark:Q")
    )
    pos = base.transform_filter("datum.growth >= 0").mark_text(align="left", dx=3, fontSize=10)
    neg = base.transform_filter("datum.growth < 0").mark_text(align="right", dx=-3, fontSize=10)
    text = alt.Text("growth_text:N")
    chart = alt.layer(bars, zero, cuts, pos.encode(text=text), neg.encode(text=text)).properties(
        width=WIDTH, height=alt.Step(ROW_STEP)
    )
    return finish(chart, fmt, title, source, desc)


def _bold(label: str) -> Any:
    """Axis label weight: the set-apart group's heading in bold, the rest normal."""
    if not label:
        return alt.Undefined
    return alt.ExprRef(expr=f"datum.label === {label!r} ? 'bold' : 'normal'")


@unchecked
def ranked_bars(
    rows: Rows, fmt: Formatter, title: str, source: str, *, top: int | None = None
) -> alt.VConcatChart:
    """Destinations/origins ranked by value. ``value`` is in US dollars; the axis is in US$ millions."""
    items, missing = _drop_missing(records(rows, ("label", "value"), "ranked_bars"), "value")
    items.sort(key=lambda r: r["value"], reverse=True)
    if top is not None:
        items = items[:top]
    if not items:
        raise ReportError("ranked_bars: no row has a value", field="value")
    for r in items:
        r["value_m"] = r["value"] / 1e6
        r["value_text"] = fmt.figure(r["value"], "value", scale="millions")
        r["value_label"] = fmt.millions(r["value"])
    first, last = items[0], items[-1]
    desc = t(
        "presentation.chart.ranked_bars",
        fmt.lang,
        title=title,
        n=len(items),
        first=first["label"],
        first_text=first["value_text"],
        last=last["label"],
        last_text=last["value_text"],
    ) + missing_note(missing, fmt)
    base = alt.Chart(alt.Data(values=items)).encode(
        y=alt.Y(
            "label:N",
            sort=[r["label"] for r in items],
            title=None,
            axis=alt.Axis(labelLimit=160, ticks=False, domain=False),
        ),
        x=alt.X(
            "value_m:Q",
            title=t("presentation.usd_millions", fmt.lang),
            axis=alt.Axis(format=axis_format("value"), tickCount=5),
            scale=alt.Scale(domain=padded_domain([r["value_m"] for r in items], pad=0.1)),
        ),
    )
    bars = base.mark_bar(color=MAIN, height={"band": 0.75}).encode(
        tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("value_text:N", title=" ")]
    )
    labels = base.mark_text(align="left", dx=3, fontSize=10).encode(text="value_label:N")
    chart = alt.layer(bars, labels).properties(width=WIDTH, height=alt.Step(ROW_STEP))
    return finish(chart, fmt, title, source, desc)


@unchecked
def share_over_years(
    rows: Rows,
    fmt: Formatter,
    title: str,
    source: str,
    *,
    kind: Literal["line", "bar"] = "line",
    decimals: int = 1,
) -> alt.VConcatChart:
    """One share (fraction) per year as a labelled line or bars."""
    items, missing = _drop_missing(records(rows, ("year", "share"), "share_over_years"), "share")
    if not items:
        raise ReportError("share_over_years: no row has a share", field="share")
    items.sort(key=lambda r: r["year"])
    for r in items:
        r["share_text"] = fmt.figure(r["share"], "share", decimals=decimals)
    a, b = items[0], items[-1]
    desc = t(
        "presentation.chart.share_over_years",
        fmt.lang,
        title=title,
        first_text=a["share_text"],
        first_year=a["year"],
        last_text=b["share_text"],
        last_year=b["year"],
    ) + missing_note(missing, fmt)
    shown = labelled_years([r["year"] for r in items], WIDTH)
    base = alt.Chart(alt.Data(values=items)).encode(
        x=alt.X(
            "year:O",
            title=None,
            axis=alt.Axis(
                labelAngle=0,
                labelExpr="split(datum.label, '\\n')",
                values=shown or alt.Undefined,
            ),
        ),
        y=alt.Y(
            "share:Q",
            title=None,
            axis=alt.Axis(format=axis_format("share"), tickCount=5),
            scale=alt.Scale(zero=True),
        ),
        tooltip=[alt.Tooltip("year:O", title=" "), alt.Tooltip("share_text:N", title=" ")],
    )
    marks = base.mark_bar(color=MAIN) if kind == "bar" else base.mark_line(color=MAIN, point=True)
    # the values printed over the points follow the axis: where only every k-th year is labelled, so are they
    texts = (
        base if shown is None else base.transform_filter(alt.FieldOneOfPredicate(field="year", oneOf=shown))
    )
    labels = texts.mark_text(dy=-8, fontSize=10).encode(text="share_text:N")
    chart = alt.layer(marks, labels).properties(width=WIDTH, height=220)
    return finish(chart, fmt, title, source, desc)


@unchecked
def stacked_shares(
    rows: Rows, fmt: Formatter, title: str, source: str, *, min_label: float = 0.05
) -> alt.VConcatChart:
    """Stacked bars of groups' shares (e.g. continents) per year, labelled with the shares as given.

    Shares that sum to less than 1 leave the remainder visible as a gap (an honest "rest of the world");
    years whose shares sum to more than 1 (rounding) are scaled down to fit the 0-100 % axis.
    """
    items, missing = _drop_missing(records(rows, ("year", "group", "share"), "stacked_shares"), "share")
    if not items:
        raise ReportError("stacked_shares: no row has a share", field="share")
    groups = list(dict.fromkeys(r["group"] for r in items))
    totals: dict[Any, float] = {}
    for r in items:
        totals[r["year"]] = totals.get(r["year"], 0.0) + r["share"]
    cum: dict[Any, float] = {}
    for r in sorted(items, key=lambda r: (r["year"], groups.index(r["group"]))):
        total = max(totals[r["year"]], 1.0)
        r["y0"] = cum.get(r["year"], 0.0)
        r["y1"] = r["y0"] + r["share"] / total
        r["mid"] = (r["y0"] + r["y1"]) / 2
        r["order"] = groups.index(r["group"])
        cum[r["year"]] = r["y1"]
        r["share_text"] = fmt.figure(r["share"], "share", decimals=0)
    years = sorted(totals)
    lead = {
        y: max((r for r in items if r["year"] == y), key=lambda r: r["share"]) for y in (years[0], years[-1])
    }
    first, last = lead[years[0]], lead[years[-1]]
    desc = t(
        "presentation.chart.stacked_shares",
        fmt.lang,
        title=title,
        n=len(groups),
        groups=", ".join(map(str, groups)),
        first_year=years[0],
        last_year=years[-1],
        first=first["group"],
        first_text=first["share_text"],
        last=last["group"],
        last_text=last["share_text"],
    ) + missing_note(missing, fmt)
    base = alt.Chart(alt.Data(values=items)).encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0))
    )
    bars = base.mark_bar().encode(
        y=alt.Y(
            "y0:Q",
            title=None,
            axis=alt.Axis(format=axis_format("share"), tickCount=5),
            scale=alt.Scale(domain=[0, 1]),
        ),
        y2="y1:Q",
        color=alt.Color(
            "group:N",
            sort=groups,
            title=None,
            scale=alt.Scale(scheme=CATEGORY_SCHEME),
            legend=alt.Legend(orient="right"),
        ),
        order=alt.Order("order:Q"),
        tooltip=[
            alt.Tooltip("year:O", title=" "),
            alt.Tooltip("group:N", title=" "),
            alt.Tooltip("share_text:N", title=" "),
        ],
    )
    labels = (
        base.transform_filter(f"(datum.y1 - datum.y0) >= {min_label}")
        .mark_text(color="white", fontSize=10)
        .encode(y="mid:Q", text="share_text:N")
    )
    chart = alt.layer(bars, labels).properties(width=max(WIDTH // 2, 40 * len(years)), height=260)
    return finish(chart, fmt, title, source, desc)


@unchecked
def monthly_line(rows: Rows, fmt: Formatter, title: str, source: str, description: str) -> alt.VConcatChart:
    """Monthly values (US$, ``month`` as ``YYYY-MM``) as a line in US$ millions with points."""
    items = records(rows, ("month", "value"), "monthly_line")
    for r in items:
        r["value_m"] = r["value"] / 1e6
    line = (
        alt.Chart(alt.Data(values=items))
        .mark_line(color=MAIN, point=alt.OverlayMarkDef(size=12))
        .encode(
            x=alt.X(
                "month:T",
                title=None,
                axis=alt.Axis(
                    format=MONTH_FORMAT,
                    labelAngle=0,
                    tickCount=month_ticks(len(items)),
                    labelOverlap="greedy",
                ),
            ),
            y=alt.Y(
                "value_m:Q",
                title=t("presentation.usd_millions", fmt.lang),
                axis=alt.Axis(format=axis_format("value")),
            ),
        )
        .properties(width=WIDTH, height=200)
    )
    return finish(line, fmt, title, source, description)
