"""Choropleth map of Peru by department (Altair geoshape), formatted in the house style.

Input: the INEI departments GeoJSON (features with ``FIRST_IDDP`` = 2-digit ubigeo, CRS84) and rows
``{"ubigeo": "01", "value": float, "label": str}``; a department without a label is named from the reference
tables in the formatter's language. The join happens in Python (not in a Vega lookup) so
that every department's formatted value, colour field and label are visible in the spec and testable.

Design choices:

* ``growth``: eight stated classes symmetric around 0 (:func:`growth_classes`), red for falls and blue for
  rises, so an outlier (Loreto +393 %) takes the open top class instead of washing out the rest; the legend
  names every class, negative ones included (``−20 % a −10 %``);
  ``value`` (US dollars, shown in US$ millions) and ``share``: sequential blues on a square-root scale,
  because Lima's value dwarfs most departments on a linear scale.
* Departments without a value are drawn grey, in a layer underneath, and the description counts them.
* Rings are rewound to d3's winding (clockwise exterior) whatever the file uses; otherwise d3 would fill the
  globe's complement. Mercator, fitted to the features by Vega-Lite.
* Labels (name and formatted value, with a white halo) sit at each department's area centroid; very small
  departments (Callao) and :data:`WEST_LABELS` get their label in the sea just west of their coast.
"""

from __future__ import annotations

import bisect
import copy
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Literal

from comercio.errors import ReportError
from comercio.i18n import t
from comercio.reference import dimensions
from comercio.reports.charts import finish, is_missing, missing_note, records
from comercio.reports.fmt import Formatter, axis_format
from comercio.reports.vega import SharedValues, lazy_module, unchecked

if TYPE_CHECKING:
    import altair as alt
else:
    alt = lazy_module("altair")

Metric = Literal["growth", "value", "share"]  # each is also the kind of the figure it maps
MISSING_FILL = "#d0d0d0"
SMALL_AREA = 0.05  # square degrees: below this a department's label moves west of it
WEST_LABELS = frozenset({"14"})  # crowded coast (Lambayeque): label in the sea to the west, like Callao
WIDTH, HEIGHT = 420, 560
GROWTH_STEPS = (0.05, 0.1, 0.2, 0.25, 0.5, 1.0)  # class widths of a growth map
GROWTH_COLOURS = ["#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"]
LABEL_NUDGE = {"05": (-0.55, 0.35)}  # Ayacucho: label moved north-west, clear of Apurímac's

Ring = list[list[float]]


def _signed_area(ring: Ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in pairwise(ring)) / 2


def _polygons(geometry: Mapping[str, Any]) -> list[list[Ring]]:
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ReportError(f"department geometry must be Polygon or MultiPolygon, got {kind!r}", field="geometry")


def _rewind(geometry: dict[str, Any]) -> None:
    """Make exterior rings clockwise and holes counter-clockwise (d3-geo's spherical convention), in place."""
    for polygon in _polygons(geometry):
        for i, ring in enumerate(polygon):
            area = _signed_area(ring)
            if (i == 0 and area > 0) or (i > 0 and area < 0):
                ring.reverse()


def _west_edge(geometry: Mapping[str, Any]) -> float:
    return min(p[0] for polygon in _polygons(geometry) for p in polygon[0])


def _centroid(geometry: Mapping[str, Any]) -> tuple[float, float, float]:
    """Area centroid (lon, lat) of the largest polygon's exterior ring, and that ring's area."""
    ring = max((p[0] for p in _polygons(geometry)), key=lambda r: abs(_signed_area(r)))
    area = _signed_area(ring)
    if area == 0:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return sum(xs) / len(xs), sum(ys) / len(ys), 0.0
    cx = cy = 0.0
    for (x0, y0, *_), (x1, y1, *_) in pairwise(ring):
        cross = x0 * y1 - x1 * y0
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return cx / (6 * area), cy / (6 * area), abs(area)


def _metric_text(fmt: Formatter, metric: Metric, value: float | None, *, bare: bool = False) -> str:
    """The tooltip text; ``bare``: the on-map label, values in bare US$ millions (the legend has the unit)."""
    return fmt.figure(value, metric, scale="millions", bare=bare)


def growth_classes(values: Sequence[float]) -> list[float]:
    """Class breaks of a growth map, symmetric around zero: ``±s, ±2s, ±3s`` with the step ``s`` chosen so
    that ``3s`` covers about seven in ten departments; outliers fall in the open end classes."""
    size = sorted(abs(v) for v in values)
    reach = size[min(len(size) - 1, int(0.7 * len(size)))] if size else 0.3
    step = next((x for x in GROWTH_STEPS if 3 * x >= reach), GROWTH_STEPS[-1])
    return [-3 * step, -2 * step, -step, 0.0, step, 2 * step, 3 * step]


def _color(metric: Metric, fmt: Formatter, values: Sequence[float]) -> alt.Color:
    legend: dict[str, Any] = {"orient": "none", "legendX": 0, "labelFontSize": 10}
    if metric == "growth":  # stated classes, diverging around zero, named highest first in the legend
        labels = class_labels(growth_classes(values), fmt)
        scale = alt.Scale(domain=labels[::-1], range=GROWTH_COLOURS[::-1])
        legend |= {"legendY": HEIGHT - 150, "symbolType": "square", "symbolSize": 140, "symbolStrokeWidth": 0}
        title = t("presentation.map.growth", fmt.lang)
        return alt.Color("properties.color_class:N", scale=scale, legend=alt.Legend(title=title, **legend))
    # value and share: sequential blues on a square-root scale
    scale = alt.Scale(scheme="blues", type="sqrt", zero=True)
    title = t("presentation.map.share" if metric == "share" else "presentation.usd_millions", fmt.lang)
    legend |= {"legendY": HEIGHT - 60, "gradientLength": 180, "tickCount": 4, "direction": "horizontal"}
    legend |= {"format": axis_format(metric)}
    return alt.Color("properties.color_value:Q", scale=scale, legend=alt.Legend(title=title, **legend))


def class_labels(breaks: Sequence[float], fmt: Formatter) -> list[str]:
    """Each class named by its bounds, lowest first: ``menos de −30 %``, ``−30 % a −20 %``, …"""
    texts = [fmt.figure(b, "growth", decimals=0) for b in breaks]
    labels = [t("presentation.map.below", fmt.lang, bound=texts[0])]
    labels += [t("presentation.map.between", fmt.lang, low=a, high=b) for a, b in pairwise(texts)]
    return [*labels, t("presentation.map.above", fmt.lang, bound=texts[-1])]


def _classify(features: list[dict[str, Any]], fmt: Formatter) -> None:
    """Put each growth value's class label in ``properties.color_class`` (in place)."""
    props = [f["properties"] for f in features if _has(f)]
    breaks = growth_classes([p["color_value"] for p in props])
    labels = class_labels(breaks, fmt)
    for p in props:
        p["color_class"] = labels[bisect.bisect_right(breaks, p["color_value"])]


def join_features(
    geojson: Mapping[str, Any], values: Sequence[Mapping[str, Any]], fmt: Formatter, metric: Metric
) -> list[dict[str, Any]]:
    """Copies of the department features with value, formatted text, label and centroid in ``properties``."""
    if metric not in ("growth", "value", "share"):
        raise ReportError(f"unknown map metric {metric!r}; use growth, value or share", field="metric")
    features = geojson.get("features") if isinstance(geojson, Mapping) else None
    if not features:
        raise ReportError("the departments GeoJSON has no features", field="features")
    by_code: dict[str, Mapping[str, Any]] = {}
    for i, row in enumerate(values):
        code = str(row["ubigeo"]).zfill(2)
        if code in by_code:
            raise ReportError(f"department {code} appears twice in the map values", record=i, field="ubigeo")
        by_code[code] = row
    out: list[dict[str, Any]] = []
    for i, feature in enumerate(features):
        props = feature.get("properties") or {}
        if "FIRST_IDDP" not in props:
            raise ReportError(
                "department feature lacks FIRST_IDDP (2-digit ubigeo)", record=i, field="FIRST_IDDP"
            )
        code = str(props["FIRST_IDDP"]).zfill(2)
        row = by_code.get(code, {})
        raw = row.get("value")
        value: float | None = None if raw is None or is_missing(raw) else float(raw)
        geometry = copy.deepcopy(feature["geometry"])
        _rewind(geometry)
        lon, lat, area = _centroid(geometry)
        name = row.get("label") or dimensions.label("department", code, fmt.lang)
        text = _metric_text(fmt, metric, value)
        color_value = None if value is None else (value / 1e6 if metric == "value" else value)
        west = area < SMALL_AREA or code in WEST_LABELS
        nudge = LABEL_NUDGE.get(code, (0.0, 0.0))
        short = _metric_text(fmt, metric, value, bare=True)
        out.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "ubigeo": code,
                    "name": name,
                    "value": value,
                    "color_value": color_value,
                    "text": text,
                    "label_text": f"{name}\n{short}",
                    "lon": _west_edge(geometry) - 0.1 if west else lon + nudge[0],
                    "lat": lat + nudge[1],
                    "west": west,
                },
            }
        )
    unknown = sorted(set(by_code) - {f["properties"]["ubigeo"] for f in out})
    if unknown:
        raise ReportError(f"map values for departments not in the GeoJSON: {unknown}", field="ubigeo")
    return out


def _has(feature: Mapping[str, Any]) -> bool:
    return feature["properties"]["color_value"] is not None


def _describe(features: list[dict[str, Any]], metric: Metric, fmt: Formatter, title: str) -> str:
    props = [f["properties"] for f in features]
    have = sorted((p for p in props if p["value"] is not None), key=lambda p: p["value"])
    if not have:
        return t("presentation.map.empty", fmt.lang, title=title)
    hi, lo = have[-1], have[0]
    text = t(
        "presentation.map.described",
        fmt.lang,
        title=title,
        what=t(f"presentation.map.metric_{metric}", fmt.lang),
        n=len(have),
        top=hi["name"],
        top_text=hi["text"],
        bottom=lo["name"],
        bottom_text=lo["text"],
    )
    return text + missing_note(len(props) - len(have), fmt, "presentation.map.missing")


@unchecked
def department_map(
    geojson: Mapping[str, Any],
    values: Sequence[Mapping[str, Any]] | Any,
    fmt: Formatter,
    metric: Metric,
    title: str,
    source: str,
    *,
    labels: bool = True,
) -> alt.VConcatChart:
    """A choropleth of Peru's departments coloured by ``metric``; grey where a department has no value."""
    rows = records(values, ("ubigeo", "value"), "department_map")
    features = join_features(geojson, rows, fmt, metric)
    if metric == "growth":
        _classify(features, fmt)
    data = alt.Data(values=SharedValues(features))
    projection = "mercator"
    base = alt.Chart(data).mark_geoshape(fill=MISSING_FILL, stroke="white", strokeWidth=0.7)
    coloured = (
        alt.Chart(data)
        .transform_filter("isValid(datum.properties.color_value)")
        .mark_geoshape(stroke="white", strokeWidth=0.7)
        .encode(
            color=_color(metric, fmt, [p["properties"]["color_value"] for p in features if _has(p)]),
            tooltip=[
                alt.Tooltip("properties.name:N", title=" "),
                alt.Tooltip("properties.text:N", title=" "),
            ],
        )
    )
    layers: list[alt.Chart] = [base.project(type=projection), coloured.project(type=projection)]
    if labels:
        placements: tuple[tuple[bool, Literal["center", "right"]], ...] = ((False, "center"), (True, "right"))
        for west, align in placements:
            for halo in (True, False):
                style: dict[str, Any] = (
                    {"stroke": "white", "strokeWidth": 2.5, "strokeOpacity": 0.85, "strokeJoin": "round"}
                    if halo
                    else {}
                )
                layers.append(
                    alt.Chart(data)
                    .transform_filter(f"{'' if west else '!'}datum.properties.west")
                    .mark_text(
                        fontSize=9,
                        lineHeight=10,
                        lineBreak="\n",
                        align=align,
                        aria=False,
                        color="#1a1a1a",
                        **style,
                    )
                    .encode(
                        longitude="properties.lon:Q",
                        latitude="properties.lat:Q",
                        text="properties.label_text:N",
                    )
                    .project(type=projection)
                )
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)
    return finish(chart, fmt, title, source, _describe(features, metric, fmt, title))
