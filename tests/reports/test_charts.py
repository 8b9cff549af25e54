"""Charts and the department map: specs carry description and locale; PNG/SVG renders show the house style."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc

from comercio.errors import ReportError
from comercio.reports import axes, charts, maps
from comercio.reports.fmt import Formatter

G, M = "\u202f", "\u2212"
ES, EN = Formatter("es"), Formatter("en")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

GROWTH = [
    {"label": "San Martín", "growth": 0.94},
    {"label": "Lima", "growth": -0.042},
    {"label": "Piura", "growth": 0.35},
    {"label": "Cusco", "growth": 0.19850},
    {"label": "Tumbes", "growth": float("nan")},
]
CONTINENTS = [
    {"year": y, "group": g, "share": s}
    for y, shares in ((2001, (0.32, 0.44, 0.24)), (2024, (0.51, 0.34, 0.14)))
    for g, s in zip(("Asia", "Europa", "América"), shares, strict=True)
]


@pytest.fixture(scope="module")
def departments(shared_file: Callable[[str], Path]) -> dict[str, Any]:
    path = shared_file("geo/peru_departamental_simple.geojson")
    return json.loads(path.read_text(encoding="utf-8"))


def texts(svg: str) -> list[str]:
    """The text nodes of an SVG (vl-convert writes labels as <text> elements)."""
    import re

    return re.findall(r">([^<>]+)</(?:text|tspan)>", svg)


def rendered(chart: alt.TopLevelMixin, tmp_path: Path, name: str) -> list[str]:
    png = charts.render(chart, tmp_path / f"{name}.png", "png")
    svg = charts.render(chart, tmp_path / f"{name}.svg", "svg")
    assert png.read_bytes()[:8] == PNG_MAGIC
    assert png.stat().st_size > 2000
    return texts(svg.read_text(encoding="utf-8"))


def test_growth_bars_render_house_style(tmp_path: Path) -> None:
    chart = charts.growth_bars(GROWTH, ES, "Exportaciones por región", "BCRP")
    labels = rendered(chart, tmp_path, "growth")
    assert f"+19,9{G}%" in labels  # half up, comma decimal, narrow no-break space
    assert f"{M}4,2{G}%" in labels  # true minus sign
    assert f"20{G}%" in labels and f"0{G}%" in labels  # axis ticks through the d3 locale
    assert "Fuente: BCRP" in labels
    spec = charts.to_spec(chart)
    assert spec["config"]["locale"]["number"] == ES.d3_locale()
    assert "San Martín (+94,0" in spec["description"] and "Lima (−4,2" in spec["description"]
    assert "1 sin dato" in spec["description"]


def test_growth_bars_sorted_by_growth(tmp_path: Path) -> None:
    """Bars are sorted by value: the scenegraph puts San Martín's label (highest) at the top."""
    spec = charts.to_spec(charts.growth_bars(GROWTH, ES, "t", "BCRP"))
    labels = _marks(vlc.vegalite_to_scenegraph(spec), "text")
    by_y = [item["text"] for item in sorted(labels, key=lambda it: it["y"])]
    assert by_y == [f"+94,0{G}%", f"+35,0{G}%", f"+19,9{G}%", f"{M}4,2{G}%"]


def test_english_chart_uses_english_style(tmp_path: Path) -> None:
    chart = charts.growth_bars(GROWTH[:4], EN, "Exports by region", "BCRP")
    labels = rendered(chart, tmp_path, "growth_en")
    assert "+19.9%" in labels and f"{M}4.2%" in labels and "20%" in labels
    assert "Source: BCRP" in labels
    assert not any(G in t for t in labels)


def test_ranked_bars_from_dataframe(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "label": ["Chile", "China", "India", "Estados Unidos"],
            "value": [613e6, 23_500e6, 2_345.6e6, 9_800e6],
        }
    )
    chart = charts.ranked_bars(frame, ES, "Destinos", "SUNAT", top=3)
    labels = rendered(chart, tmp_path, "ranked")
    assert f"23{G}500" in labels and f"2{G}346" in labels and "Chile" not in labels  # top 3 only
    assert f"10{G}000" in labels and "US$ millones" in labels
    assert "China (US$\u00a023\u202f500\u00a0millones)" in charts.to_spec(chart)["description"]


def test_share_over_years_line_and_bars(tmp_path: Path) -> None:
    rows = [{"year": 2001 + i, "share": 0.05 + 0.0125 * i} for i in range(6)]
    for kind in ("line", "bar"):
        chart = charts.share_over_years(rows, ES, "Participación", "CEPII BACI", kind=kind)
        labels = rendered(chart, tmp_path, f"share_{kind}")
        assert f"6,3{G}%" in labels  # 0.0625 half up
        assert "2001" in labels and "2,001" not in labels
    assert "5,0 % en 2001 a 11,3 % en 2006" in charts.to_spec(chart)["description"].replace(G, " ")


def x_axis_labels(svg: str) -> list[tuple[float, str]]:
    """(x position, text) of each label of a chart's X axis in vl-convert's SVG."""
    import re

    axis = svg[svg.index('aria-label="X-axis') :]
    group = axis[axis.index("role-axis-label") :].split("</g>", 1)[0]
    return [
        (float(x), " ".join(re.sub(r"<[^>]+>", " ", body).split()))
        for x, body in re.findall(r"<text[^>]*translate\(([\d.]+),[^>]*>(.*?)</text>", group)
    ]


def test_share_over_years_year_labels_do_not_collide() -> None:
    # Regression: eighteen years on the region page's share chart wrote every year, and at phone width the
    # labels ran into each other. Every other year is labelled, counted back from the partial last year.
    rows = [{"year": str(y), "share": 0.05} for y in range(2005, 2022)]
    rows.append({"year": "2022\n(ene-nov)", "share": 0.03})
    spec = charts.to_spec(charts.share_over_years(rows, ES, "Participación", "BCRP"))
    values = spec["vconcat"][0]["layer"][0]["encoding"]["x"]["axis"]["values"]
    assert values == ["2006", "2008", "2010", "2012", "2014", "2016", "2018", "2020", "2022\n(ene-nov)"]
    labels = x_axis_labels(charts.svg(spec))
    assert [text for _, text in labels][-1] == "2022 (ene-nov)"  # the partial year keeps its label
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(labels)]
    assert min(gaps) >= axes.YEAR_LABEL_STEP
    # the values printed over the points follow the axis (at phone width "2,7 %" and "2,8 %" ran together)
    texts = spec["vconcat"][0]["layer"][1]
    assert texts["transform"] == [{"filter": {"field": "year", "oneOf": values}}]
    svg = charts.svg(spec)
    assert svg.count(">5,0\u202f%<") == len(values) - 1 and ">3,0\u202f%<" in svg  # text marks only
    # few years: every one labelled, as before
    assert axes.labelled_years([2020, 2021, "2022\n(ene-nov)"], charts.WIDTH) is None
    assert axes.labelled_years(list(range(2013, 2023)), charts.WIDTH) == [2014, 2016, 2018, 2020, 2022]


@pytest.mark.parametrize(
    ("fmt", "first", "second"), [(ES, "ene 2021", "jul 2021"), (EN, "Jan 2021", "Jul 2021")]
)
def test_monthly_line_names_months_in_the_report_language(fmt: Formatter, first: str, second: str) -> None:
    # Regression: the time axis read 2021-01, 2021-07; it names months through the spec's d3 time locale.
    rows = [{"month": f"{y}-{m:02d}", "value": 1e8 + m * 1e6} for y in (2021, 2022) for m in range(1, 13)]
    spec = charts.to_spec(charts.monthly_line(rows, fmt, "Serie mensual", "BCRP", "Línea mensual"))
    axis = spec["vconcat"][0]["encoding"]["x"]["axis"]
    assert axis["format"] == "%b %Y"
    assert axis["tickCount"] == {"interval": "month", "step": 6}
    labels = [text for _, text in x_axis_labels(charts.svg(spec))]
    assert labels[:2] == [first, second] and len(labels) == 4
    assert not any("-" in text for text in labels)
    # a longer series steps by whole years rather than crowding the axis
    assert axes.month_ticks(36) == {"interval": "month", "step": 6}
    assert axes.month_ticks(60) == {"interval": "month", "step": 12}


def test_stacked_shares_label_given_shares(tmp_path: Path) -> None:
    chart = charts.stacked_shares(CONTINENTS, ES, "Exportaciones mundiales por continente", "CEPII BACI")
    labels = rendered(chart, tmp_path, "stacked")
    assert f"51{G}%" in labels and f"44{G}%" in labels  # shares as given, not renormalised
    assert {"Asia", "Europa", "América"} <= set(labels)
    assert "Asia (51" in charts.to_spec(chart)["description"]


def test_bad_rows_raise_with_record_and_field() -> None:
    with pytest.raises(ReportError, match=r"record 1, field 'growth'"):
        charts.growth_bars([{"label": "a", "growth": 0.1}, {"label": "b"}], ES, "t", "s")
    with pytest.raises(ReportError, match="no row has a value"):
        charts.ranked_bars([{"label": "a", "value": None}], ES, "t", "s")
    with pytest.raises(ReportError, match="png"):
        charts.render(charts.growth_bars(GROWTH, ES, "t", "s"), Path("x.gif"), "gif")  # type: ignore[arg-type]


def _marks(node: Any, marktype: str, name: str | None = None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if (
            node.get("marktype") == marktype
            and node.get("role") == "mark"
            and (name is None or node["name"] == name)
        ):
            found.extend(node.get("items", []))
        for value in node.values():
            found.extend(_marks(value, marktype, name))
    elif isinstance(node, list):
        for value in node:
            found.extend(_marks(value, marktype, name))
    return found


def test_map_colours_all_25_departments(departments: dict[str, Any], tmp_path: Path) -> None:
    codes = [f["properties"]["FIRST_IDDP"] for f in departments["features"]]
    values = [{"ubigeo": c, "value": (int(c) - 12) / 40, "label": c} for c in codes]
    chart = maps.department_map(departments, values, ES, "growth", "Crecimiento", "BCRP")
    labels = rendered(chart, tmp_path, "map")
    scene = vlc.vegalite_to_scenegraph(charts.to_spec(chart))
    coloured = _marks(scene, "shape", "concat_0_layer_1_marks")
    assert len(coloured) == 25
    fills = {item["fill"] for item in coloured}
    assert maps.MISSING_FILL not in fills and len(fills) >= 6  # stated classes, not one colour each
    # classes symmetric around zero, negative ones named in the legend, in house style
    assert {f"menos de {M}30{G}%", f"{M}10{G}% a 0{G}%", f"+30{G}% o más"} <= set(labels)
    assert f"+32,5{G}%" in labels  # Ucayali's label: (25 - 12) / 40
    assert "Fuente: BCRP" in labels
    assert "25 departamentos con dato" in charts.to_spec(chart)["description"]


def test_map_missing_department_is_grey(departments: dict[str, Any]) -> None:
    values = [{"ubigeo": "15", "value": 20_000e6, "label": "Lima"}, {"ubigeo": "4", "value": 5_000e6}]
    chart = maps.department_map(departments, values, EN, "value", "Exports", "BCRP")
    scene = vlc.vegalite_to_scenegraph(charts.to_spec(chart))
    assert len(_marks(scene, "shape", "concat_0_layer_0_marks")) == 25  # grey base under every department
    assert len(_marks(scene, "shape", "concat_0_layer_1_marks")) == 2
    description = charts.to_spec(chart)["description"]
    assert "highest Lima (US$\u00a020,000\u00a0million)" in description and "23 without data" in description
    assert any(t.endswith("5,000") for t in _texts_in(scene))  # on-map label in US$ million


def _texts_in(scene: Any) -> list[str]:
    return [str(item.get("text")) for item in _marks(scene, "text")]


def test_map_rejects_unknown_department(departments: dict[str, Any]) -> None:
    with pytest.raises(ReportError, match=r"not in the GeoJSON: \['26'\]"):
        maps.department_map(departments, [{"ubigeo": "26", "value": 1.0}], ES, "share", "t", "s")


def test_rewind_makes_exterior_rings_clockwise() -> None:
    square_ccw = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]
    hole_cw = [[0.2, 0.2], [0.2, 0.4], [0.4, 0.4], [0.4, 0.2], [0.2, 0.2]]
    geometry = {"type": "Polygon", "coordinates": [square_ccw, hole_cw]}
    maps._rewind(geometry)
    outer, hole = geometry["coordinates"]
    assert maps._signed_area(outer) < 0 < maps._signed_area(hole)


def test_source_line_from_the_catalogue() -> None:
    assert (
        charts.source_line("BCRP", ES) == "Fuente: BCRP" and charts.source_line("BCRP", EN) == "Source: BCRP"
    )
    assert charts.source_line(" Source: SUNAT", ES) == "Source: SUNAT"  # a given prefix is kept


def test_map_labels_use_the_formatter_rule() -> None:
    """A value map's on-map label is the bare figure in millions, decided after rounding like the prose."""
    square = {
        "type": "Polygon",
        "coordinates": [[[-77.0, -12.0], [-76.0, -12.0], [-76.0, -11.0], [-77.0, -11.0], [-77.0, -12.0]]],
    }
    geo = {"features": [{"type": "Feature", "properties": {"FIRST_IDDP": "15"}, "geometry": square}]}
    for usd, label in ((99_960_000, "100"), (99_949_999, "99,9"), (0.0, "0")):
        (feature,) = maps.join_features(geo, [{"ubigeo": "15", "value": usd, "label": "Lima"}], ES, "value")
        assert feature["properties"]["label_text"] == f"Lima\n{label}"
        assert feature["properties"]["text"] == ES.money(usd, scale="millions")
    (unnamed,) = maps.join_features(geo, [{"ubigeo": "15", "value": 0.2}], EN, "share")
    assert unnamed["properties"]["name"] == "Lima"  # from the reference tables, not the GeoJSON's upper case
    (junin,) = maps.join_features(
        {"features": [{**geo["features"][0], "properties": {"FIRST_IDDP": "12"}}]}, [], ES, "share"
    )
    assert junin["properties"]["name"] == "Junín" and junin["properties"]["text"] == "n.d."


# -- issue 12, visuals ------------------------------------------------------------------------------------
def test_growth_bars_cap_an_outlier_and_set_lima_y_callao_apart() -> None:
    rows = [
        {"label": "Loreto", "growth": 3.931},
        {"label": "Huánuco", "growth": 0.522},
        {"label": "Ica", "growth": -0.0002},
        {"label": "Apurímac", "growth": -0.324},
        {"label": "Lima", "growth": 0.146},
        {"label": "Callao", "growth": 0.105},
    ]
    chart = charts.growth_bars(rows, ES, "t", "BCRP", apart=["Lima", "Callao"], apart_title="Lima y Callao")
    spec = charts.to_spec(chart)
    scene = vlc.vegalite_to_scenegraph(spec)
    texts = [item["text"] for item in _marks(scene, "text")]
    assert f"+393,1{G}%" in texts and "//" in texts  # the cut bar keeps its true value and a break mark
    x_domain = json.dumps(spec)
    assert "3.93" not in x_domain.split('"domain"')[2][:60]  # the axis stops near the next-largest change
    assert charts.growth_cap([r["growth"] for r in rows]) == pytest.approx(1.2 * 0.522)
    assert charts.growth_cap([0.5, 0.4, -0.3]) is None  # no outlier: nothing is cut
    order = [*spec["vconcat"][0]["layer"][0]["encoding"]["y"]["scale"]["domain"]]
    assert order[-3:] == ["Lima y Callao", "Lima", "Callao"]


def test_growth_map_classes_are_symmetric_and_named(departments: dict[str, Any]) -> None:
    breaks = maps.growth_classes([0.05, -0.1, 0.12, 0.2, 3.9, -0.32, 0.14, 0.09, 0.3, 0.45])
    assert breaks == [-x for x in reversed(breaks)] and breaks[3] == 0.0
    assert maps.class_labels(breaks, ES)[0].startswith("menos de " + M)
    values = [{"ubigeo": "05", "value": -0.032}, {"ubigeo": "03", "value": -0.324}]
    props = {
        f["properties"]["ubigeo"]: f["properties"]
        for f in maps.join_features(departments, values, ES, "growth")
    }
    ayacucho, apurimac = props["05"], props["03"]
    assert ayacucho["lon"] < apurimac["lon"] - 0.5  # Ayacucho's label clear of Apurímac's


def test_every_builder_spec_is_valid_vega_lite(departments: dict[str, Any]) -> None:
    """The report path skips Altair's schema check (speed): here every builder's spec is validated."""
    built = [
        charts.growth_bars(GROWTH, ES, "Crecimiento", "BCRP", apart=["Lima"], apart_title="Lima y Callao"),
        charts.ranked_bars(
            [{"label": "China", "value": 3.0e9}, {"label": "EE. UU.", "value": 1.0e9}], EN, "T", "S"
        ),
        charts.share_over_years(
            [{"year": "2021", "share": 0.3}, {"year": "2022", "share": 0.32}], ES, "T", "S"
        ),
        charts.stacked_shares(CONTINENTS, ES, "Continentes", "OMC"),
        maps.department_map(
            departments, [{"ubigeo": "15", "value": 0.1, "label": "Lima"}], ES, "growth", "Mapa", "BCRP"
        ),
    ]
    for chart in built:
        fast = charts.to_spec(chart)
        assert charts.to_spec(chart, validate=True) == fast  # raises on a schema error; same JSON
        assert chart.to_dict() == fast


def test_map_shares_its_features_between_layers(departments: dict[str, Any]) -> None:
    """The map's rows are given once, at the top, not per layer."""
    chart = maps.department_map(departments, [{"ubigeo": "15", "value": 0.1}], ES, "value", "Mapa", "BCRP")
    spec = charts.to_spec(chart)
    rows = spec["data"]["values"]
    assert len(rows) == 25 and rows[0]["type"] == "Feature"
    assert all("data" not in layer for layer in spec["vconcat"][0]["layer"])
