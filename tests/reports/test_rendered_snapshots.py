"""Snapshots of rendered artefacts not covered elsewhere: the sector study's narrative in both languages, the
regional report's HTML tables, and the Vega-Lite specs of the growth bars, the interior-share line and a map.

After a deliberate change of wording or layout: ``make snapshots`` (or ``pytest --snapshot-update`` on this
file), then read the diff. Other snapshots: the regional narrative (test_regional_report.py), the cube's SQL
(indicators/test_cube_sql.py), the API JSON and the dashboard table (api/, web/).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from comercio.indicators.regional import regional_facts
from comercio.indicators.sector import SectorFacts
from comercio.reports import charts, maps
from comercio.reports.fmt import Formatter
from comercio.reports.regional import build_regional
from comercio.reports.sector import build_sector_report
from comercio.reports.writers.html import render_html
from comercio.warehouse import Warehouse

_TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL)


def _spec_text(chart: Any) -> str:
    """A chart's Vega-Lite spec as stable JSON (the schema URL pins an Altair version, so it is left out)."""
    spec = charts.to_spec(chart)
    spec.pop("$schema", None)
    return json.dumps(spec, ensure_ascii=False, indent=1, sort_keys=True)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_sector_narrative(sf: SectorFacts, lang: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    report = build_sector_report(sf, lang)
    text = "\n\n".join(
        [report.title, report.subtitle]
        + [f"## {s.title}\n" + "\n".join(s.paragraphs) for s in report.sections]
    )
    assert text == snapshot


@pytest.mark.parametrize("lang", ["es", "en"])
def test_regional_html_tables(built_home: Path, shared_data: Path, lang: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    from comercio.config import Settings

    rf = regional_facts(Warehouse(Settings(home=built_home), read_only=True), "2022-11")
    html = render_html(build_regional(rf, lang), {})
    tables = [t for t in _TABLE.findall(html) if 'id="table-vintages"' not in t]  # ingestion times vary
    assert len(tables) >= 4
    assert "\n\n".join(tables) == snapshot


ROWS = [
    {"label": "Loreto", "growth": 3.934},
    {"label": "Ica", "growth": -0.0002},
    {"label": "Áncash", "growth": 0.1019},
    {"label": "Huánuco", "growth": -0.0451},
    {"label": "Tacna", "growth": None},
]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_chart_specs(lang: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    fmt = Formatter(lang)
    bars = charts.growth_bars(ROWS, fmt, "Variación por región", "BCRP")
    share = charts.share_over_years(
        [
            {"year": "2020", "share": 0.684},
            {"year": "2021", "share": 0.6935},
            {"year": "2022\n(ene-nov)", "share": 0.6526},
        ],
        fmt,
        "Participación del interior",
        "BCRP",
    )
    square = [[-77.0, -12.0], [-76.0, -12.0], [-76.0, -11.0], [-77.0, -11.0], [-77.0, -12.0]]
    geo = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"FIRST_IDDP": "15"},
                "geometry": {"type": "Polygon", "coordinates": [square[::-1]]},
            }
        ],
    }
    area = maps.department_map(
        geo, [{"ubigeo": "15", "value": 0.1899, "label": "Lima"}], fmt, "growth", "Mapa", "BCRP"
    )
    assert {"bars": _spec_text(bars), "share": _spec_text(share), "map": _spec_text(area)} == snapshot
