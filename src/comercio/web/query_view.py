"""What the query builder shows of a result: its table (house formatter), a chart, provenance and links.

The table is the downloads' own grid (:func:`comercio.query.output.grid`, long or wide, partial periods
marked, measure headers labelled on synthetic data) with each figure written by :class:`Formatter`. The
chart is one of the reports' (:mod:`comercio.reports.charts`): a line of the months of one series, bars of
the periods of one series (a partial period drawn apart), or bars of the members in one period.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from comercio.errors import ComercioError
from comercio.i18n import t
from comercio.query import QueryResult
from comercio.reference import dimensions
from comercio.reports import charts
from comercio.reports.fmt import Formatter
from comercio.web.views import Figure, figure, month_name, source

API = "/api/v1/query"
PAGE = "/consultas"
TOP_BARS = 15
MONTH_LABEL = 7  # "2025-11"


def cell(value: Any, kind: str, unit: str | None, fmt: Formatter) -> str:
    """One cell as the reader sees it: money with its unit word, kilograms, US$/kg, percentages, ranks."""
    if value is None:
        return fmt.na
    if kind != "number":
        return str(value)
    if unit == "usd":
        return fmt.figure(value, "value")
    if unit == "kg":
        return fmt.number(value)
    if unit == "usd_per_kg":
        return fmt.number(value, 2)
    if unit == "fraction":
        return fmt.pct(value, decimals=1)
    if unit == "position":
        return str(int(value))
    return fmt.number(value, 2)


def table(result: QueryResult, wide: bool, fmt: Formatter) -> dict[str, Any]:
    """The table's headers, which columns are numbers, and its formatted rows."""
    from comercio.query.output import grid

    g = grid(result, wide)
    rows = [[cell(v, k, u, fmt) for v, k, u in zip(row, g.kinds, g.units, strict=True)] for row in g.rows]
    return {"headers": list(g.headers), "numeric": [k == "number" for k in g.kinds], "rows": rows}


def member_name(row: dict[str, Any], result: QueryResult) -> str:
    """The member combination of a row in words (labels, else codes), e.g. «Arequipa · Chile»."""
    labels = [c.key for c in result.columns if c.kind == "label"]
    codes = [c.key for c in result.columns if c.kind == "code"]
    keys = labels or codes
    return " · ".join(str(row.get(k)) for k in keys if row.get(k) is not None)


def chart(
    result: QueryResult, fmt: Formatter, names: dict[tuple[str, str], str] | None = None
) -> Figure | None:
    """A line (months of one series), bars over periods (one series) or bars of members (one period); None
    when the result has no value or nothing to draw."""
    from comercio.query.output import period_label

    if not any(c.key == "value" for c in result.columns) or not result.rows:
        return None
    lang = fmt.lang
    src = _source(result, lang)
    members = {member_name(r, result) for r in result.rows}
    periods = [p for p in result.periods if any(str(r.get("period")) == p for r in result.rows)]
    try:
        if len(members) == 1 and len(periods) > 1:
            name = members.pop() or subject(result, names)
            flow = t(f"query.flow.{result.query.flow}", lang)
            head = t("web.query.chart_series", lang, flow=flow, name=name)
            by_period = {str(r.get("period")): r.get("value") for r in result.rows}
            if result.query.freq == "month" and all(len(p) == MONTH_LABEL for p in periods):
                rows = [{"month": p, "value": by_period[p]} for p in periods if by_period[p] is not None]
                first, last = month_name(periods[0], fmt), month_name(periods[-1], fmt)
                desc = t("web.query.chart_line", lang, flow=flow, name=name, first=first, last=last)
                return figure(charts.monthly_line(rows, fmt, head, src, desc))
            bars = [
                {"label": period_label(result, p), "value": by_period[p], "partial": p in result.partial}
                for p in periods
                if by_period[p] is not None
            ]
            return figure(_annual_bars(bars, fmt, head, src))
        last = next((p for p in reversed(periods) if p not in result.partial), periods[-1] if periods else "")
        rows = [
            {"label": member_name(r, result), "value": r.get("value")}
            for r in result.rows
            if str(r.get("period")) == last and r.get("value") is not None
        ]
        flow = t(f"query.flow.{result.query.flow}", lang)
        name, period = subject(result, names), period_label(result, last)
        head = t("web.query.chart_members", lang, flow=flow, name=name, period=period, n=TOP_BARS)
        return figure(charts.ranked_bars(rows, fmt, head, src, top=TOP_BARS))
    except ComercioError:
        return None


def share_chart(
    result: QueryResult, fmt: Formatter, names: dict[tuple[str, str], str] | None = None
) -> Figure | None:
    """The share of one series by year (a line with labels), when the result is one member over whole
    years with its share; None otherwise. A partial year is left out (its share is not a year's)."""
    if result.query.freq != "year" or not any(c.key == "share" for c in result.columns):
        return None
    if len({member_name(r, result) for r in result.rows}) != 1:
        return None
    rows = [
        {"year": int(str(r["period"])), "share": r["share"]}
        for r in result.rows
        if str(r.get("period")).isdigit()
        and r.get("period") not in result.partial
        and r.get("share") is not None
    ]
    if len(rows) < 2:
        return None
    lang = fmt.lang
    name = member_name(result.rows[0], result) or subject(result, names)
    flow = t(f"query.flow.{result.query.flow}", lang)
    head = t("web.query.chart_share", lang, flow=flow, name=name)
    try:
        return figure(charts.share_over_years(rows, fmt, head, _source(result, lang)))
    except ComercioError:
        return None


def _source(result: QueryResult, lang: str) -> str:
    src = source(result.dataset, lang)
    return f"{src} ({t('common.synthetic', lang)})" if result.synthetic else src


def subject(result: QueryResult, names: dict[tuple[str, str], str] | None = None) -> str:
    """What a result without breakdowns is of: its filters' members in words («Chile», «Palta»), from
    ``names`` ((dimension, code) → name) else the dimension table; the national total without filters."""
    lang = result.query.lang
    names = names or {}
    found = [
        names.get((d, c)) or dimensions.label(d, c, lang) for d, codes in result.query.where for c in codes
    ]
    return ", ".join(found) if found else t("common.national", lang)


def _annual_bars(rows: list[dict[str, Any]], fmt: Formatter, head: str, src: str) -> Any:
    from comercio.reports.profiles_charts import annual_bars

    return annual_bars(rows, fmt, head, src)


def links(result: QueryResult) -> dict[str, str]:
    """The stable URL of the page and the downloads (CSV and XLSX, long and wide) of the same query."""
    q = result.query
    long_q, wide_q = q.with_(wide=False), q.with_(wide=True)
    return {
        "page": f"{PAGE}?{q.query_string()}",
        "csv": f"{API}?{long_q.query_string()}&{urlencode({'format': 'csv'})}",
        "xlsx": f"{API}?{long_q.query_string()}&{urlencode({'format': 'xlsx'})}",
        "csv_wide": f"{API}?{wide_q.query_string()}&{urlencode({'format': 'csv'})}",
        "xlsx_wide": f"{API}?{wide_q.query_string()}&{urlencode({'format': 'xlsx'})}",
        "json": f"{API}?{q.query_string()}",
    }


def view(result: QueryResult, names: dict[tuple[str, str], str] | None = None) -> dict[str, Any]:
    """Everything the page shows of ``result`` in the query's language."""
    lang = result.query.lang
    fmt = Formatter(lang)
    from comercio.query.output import period_label

    partial = [period_label(result, p) for p in result.partial]
    return {
        "table": table(result, result.query.wide, fmt),
        "chart": chart(result, fmt, names),
        "share_chart": share_chart(result, fmt, names),
        "dataset": source(result.dataset, lang),
        "dataset_code": result.dataset,
        "vintages": list(result.vintages),
        "synthetic": result.synthetic,
        "partial": partial,
        "notes": list(result.notes),
        "truncated": result.truncated,
        "rows": len(result.rows),
        "seconds": fmt.number(result.seconds * 1000),
        "links": links(result),
    }
