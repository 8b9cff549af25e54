"""The dashboard's sector page, world view (issue 13): continent shares of the study's WTO group over a span
chosen with a validated period control, and the peers table; plus the same page in a real browser at desktop
and phone width (marker browser)."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


@pytest.fixture(scope="module")
def web(web_app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(web_app, raise_server_exceptions=False)


def visible(html: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def peers(html: str) -> str:
    table = re.search(r'<table id="peers">.*?</table>', html, re.DOTALL)
    assert table, "no peers table"
    return visible(table.group(0))


def test_the_world_view_shows_continents_and_peers_from_wto(web: TestClient) -> None:
    resp = web.get("/sector")
    assert resp.status_code == 200
    html = resp.text
    assert '<section id="world"' in html and 'id="world-chart"' in html
    assert "maquinaria y equipo de transporte (CUCI 7)" in html and "2001–2023" in visible(html)
    text = peers(html)  # WTO check figures: Chile 1 596, Colombia 1 923, Peru 608 (US$ millions, 2023)
    assert re.search(r"Colombia Chile Perú Exportaciones \(US\$ millones\) 1\s923 1\s596 608", text), text
    assert "Fuente: OMC (WTO Stats)." in visible(html)
    assert 'name="first"' in html and 'name="last"' in html
    assert 'value="2001" selected' in html and 'value="2023" selected' in html


def test_the_period_control_changes_the_span(web: TestClient) -> None:
    html = web.get("/sector?first=2010&last=2020&flow=M").text
    text = visible(html)
    assert "2010–2020" in text and "importaciones mundiales" in text
    chart = re.search(r'<figure class="chart" id="world-chart">.*?</figure>', html, re.DOTALL)
    assert chart and "2010" in chart.group(0) and "2020" in chart.group(0) and "2023" not in chart.group(0)
    assert "Variación 2010–2020" in peers(html)
    english = web.get("/sector?first=2010&last=2020&lang=en").text
    assert "Growth 2010–2020" in peers(english) and "Exports (US$ million)" in peers(english)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("first=2020&last=2010", 400),  # reversed
        ("first=2010&last=2010", 400),  # empty
        ("first=1950&last=2010", 400),  # before the group's first WTO year
        ("first=1800", 422),  # outside any year
        ("last=abc", 422),
    ],
)
def test_a_bad_span_is_refused_with_a_reason(web: TestClient, query: str, status: int) -> None:
    resp = web.get(f"/sector?{query}")
    assert resp.status_code == status
    if status == 400:
        assert "no es válido" in visible(resp.text) and '<section id="world"' not in resp.text


# -- the basket from customs lines (issue 14): a warehouse holding only hand-made lines of both flows ------
LINES_DATA = Path(__file__).resolve().parents[1] / "indicators" / "_sector_lines_data.py"


@pytest.fixture(scope="module")
def lines_web(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    import importlib.util

    from comercio.config import Settings
    from comercio.server import create_app

    spec = importlib.util.spec_from_file_location("_sector_lines_data", LINES_DATA)
    assert spec is not None and spec.loader is not None
    data = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(data)
    home = tmp_path_factory.mktemp("web_lines")
    data.build(home)
    app = create_app(Settings(home=home, reports_dir=tmp_path_factory.mktemp("web_lines_reports")))
    return TestClient(app, raise_server_exceptions=False)


def _block(html: str, pattern: str) -> str:
    found = re.search(pattern, html, re.DOTALL)
    assert found, pattern
    return visible(found.group(0))


def test_the_sector_page_shows_the_basket_imports_balance_and_origins_from_lines(
    lines_web: TestClient,
) -> None:
    resp = lines_web.get("/sector?flow=M")
    assert resp.status_code == 200
    lines = _block(resp.text, r'<section id="lines".*?</section>')
    assert "La canasta SA 73, 82–90 según las líneas de declaraciones" in lines
    assert "Importaciones CIF, enero-noviembre de 2024 US$ 220 millones Variación: +33,3 %" in lines
    assert "Balanza comercial, enero-noviembre de 2024 US$ −154 millones" in lines
    assert "enero-noviembre de 2024: año incompleto" in lines and "Preliminar: noviembre de 2024" in lines
    trade = _block(resp.text, r'<table id="lines-trade">.*?</table>')
    assert "2023 48,0 180 −132" in trade and "enero-noviembre de 2024 66,0 220 −154" in trade
    origins = _block(resp.text, r'<table id="basket-origins">.*?</table>')
    assert "1 China 132 60,0 % +20,0 %" in origins and "3 Alemania 33,0 15,0 % n.d." in origins
    assert "Fuente: líneas de declaraciones de SUNAT (datos sintéticos)." in lines
    assert 'id="world"' not in resp.text  # no WTO data: no world view, and no G1 table either
    english = lines_web.get("/sector?flow=X&lang=en").text
    destinations = _block(english, r'<table id="basket-destinations">.*?</table>')
    assert "1 Chile 55.0 83.3% +25.0%" in destinations
    assert "Source: SUNAT declaration lines (synthetic data)." in visible(english)


def test_the_customs_page_has_a_flow_selector_and_the_month_s_origins(lines_web: TestClient) -> None:
    html = lines_web.get("/customs").text
    assert '<select name="flow" id="c-flow">' in html and '<option value="M" selected>' in html
    origins = _block(html, r'<table id="partners">.*?</table>')
    assert "1 Chile US$ 100 millones" in origins and "2 China US$ 12,0 millones" in origins
    assert 'href="/sector?lang=es&amp;flow=M#lines"' in html
    assert "Principales 10 destinos" in visible(lines_web.get("/customs?flow=X").text)


# -- in a browser ------------------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_the_world_view_fits_and_its_period_control_works(browser: Any, live_server: str, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}/sector?window=ytd&first=2001")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, "page scrolls sideways"
    chart, (inner, box) = page.evaluate(
        "(() => { const e = document.querySelector('#world-chart .svg');"
        " return [e.querySelector('svg').getBoundingClientRect().width, [e.scrollWidth, e.clientWidth]]; })()"
    )
    if width < 700:  # 23 years of stacked bars keep a readable size and scroll inside their own box
        assert chart >= 600 and inner > box, (chart, inner, box)
    else:
        assert inner <= box + 1, (inner, box)
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('.table-wrap')).filter(e => e.scrollWidth > e.clientWidth + 1)"
        ".map(e => e.getAttribute('aria-label'))"
    )
    assert not wide, f"tables scroll sideways at {width}px: {wide}"
    page.select_option("#s-first", "2005")
    page.select_option("#s-last", "2015")
    page.click("#sector-filters button[type=submit]")
    page.wait_for_url("**first=2005**")
    assert "2005–2015" in page.inner_text("#world")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"sector-world-{width}.png"), full_page=True)
    assert not errors, errors
    page.close()
