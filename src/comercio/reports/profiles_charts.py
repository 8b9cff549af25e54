"""The long-series chart of a profile: one bar per year over a dataset's whole span, a partial year apart.

A year the dataset does not hold whole is drawn in a lighter colour, its axis label names its months
("2025\\n(ene–abr)") and the description says so: it is never read as a full year.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from comercio.errors import ReportError
from comercio.i18n import t
from comercio.reports.axes import labelled_years
from comercio.reports.charts import MAIN, WIDTH, Rows, finish, records
from comercio.reports.fmt import Formatter, axis_format
from comercio.reports.vega import lazy_module, unchecked

if TYPE_CHECKING:
    import altair as alt
else:
    alt = lazy_module("altair")

PARTIAL = "#9db7d1"  # a partial year: the main colour, lighter


@unchecked
def annual_bars(rows: Rows, fmt: Formatter, title: str, source: str) -> alt.VConcatChart:
    """Yearly values (US$, ``label`` the year or "2025\\n(ene–abr)", ``partial`` True for an incomplete
    year) as bars in US$ millions, in the order given."""
    items = records(rows, ("label", "value", "partial"), "annual_bars")
    if not items:
        raise ReportError("annual_bars: no year to draw", field="value")
    for r in items:
        r["value_m"] = r["value"] / 1e6
        r["value_text"] = fmt.figure(r["value"], "value", scale="millions")
        r["kind"] = "partial" if r["partial"] else "full"
    full = [r for r in items if not r["partial"]]
    top = max(full or items, key=lambda r: r["value"])
    last = items[-1]
    desc = t(
        "profiles.chart.annual",
        fmt.lang,
        title=title,
        first=str(items[0]["label"]).replace("\n", " "),
        last=str(last["label"]).replace("\n", " "),
        top=str(top["label"]).replace("\n", " "),
        top_text=top["value_text"],
        last_text=last["value_text"],
    )
    if last["partial"]:
        desc += " " + t("profiles.chart.partial", fmt.lang, label=str(last["label"]).replace("\n", " "))
    order: list[Any] = [r["label"] for r in items]
    shown = labelled_years(order, WIDTH)
    if shown is not None and order[-1] not in shown:
        shown.append(order[-1])
    chart = (
        alt.Chart(alt.Data(values=items))
        .mark_bar()
        .encode(
            x=alt.X(
                "label:O",
                sort=order,
                title=None,
                axis=alt.Axis(
                    labelAngle=0, labelExpr="split(datum.label, '\\n')", values=shown or alt.Undefined
                ),
            ),
            y=alt.Y(
                "value_m:Q",
                title=t("presentation.usd_millions", fmt.lang),
                axis=alt.Axis(format=axis_format("value"), tickCount=5),
            ),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=["full", "partial"], range=[MAIN, PARTIAL]),
                legend=None,
            ),
            tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("value_text:N", title=" ")],
        )
        .properties(width=WIDTH, height=220)
    )
    return finish(chart, fmt, title, source, desc)


__all__ = ["PARTIAL", "annual_bars"]
