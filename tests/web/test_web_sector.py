"""The dashboard's sector page, world view (issue 13): continent shares of the study's WTO group over a span
chosen with a validated period control, and the peers table; plus the same page in a real browser at desktop
and phone width (marker browser)."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterator
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


# -- in a browser ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


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
