"""Profile pages on a real server (the warehouse built from the mirror): a region, a country and a G1 sector
render in Spanish and English with the report's prose, tables and inline SVG charts; the long series name
their partial year by its months; sections without line data say what they need; the chooser sends the
reader to the profile's own URL; an unknown code says which field and why. One browser screenshot at
desktop and phone width (``test-artifacts/browser/``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


def _get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=120, follow_redirects=False)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("lang", "title", "needs"),
    [
        ("es", "Perfil exportador de Arequipa", "líneas de declaraciones aduaneras"),
        ("en", "Export profile of Arequipa", "customs declaration lines"),
    ],
)
def test_region_page(live_server: str, lang: str, title: str, needs: str) -> None:
    r = _get(f"{live_server}/perfil/region/04?lang={lang}")
    assert r.status_code == 200
    html = r.text
    assert f"<h1>{title}</h1>" in html
    assert 'id="table-exports_bcrp_departments"' in html
    body = _text(html)
    for year in range(2005, 2023):
        assert f" {year} " in body
    assert html.count("<svg") >= 2  # the long series and the share, inline
    assert 'id="section-products"' in html and needs in body  # no line data: says which data it needs
    assert "RUC" in body


@pytest.mark.parametrize(("lang", "label"), [("es", "2025 (ene–abr)"), ("en", "2025 (Jan–Apr)")])
def test_partner_page_labels_the_partial_year(live_server: str, lang: str, label: str) -> None:
    r = _get(f"{live_server}/perfil/partner/CL?lang={lang}")
    assert r.status_code == 200
    body = _text(r.text)
    assert label in body
    assert "Chile" in body
    assert 'id="table-exports_sunat_destinations"' in r.text


def test_sector_page_and_chooser(live_server: str) -> None:
    r = _get(f"{live_server}/perfil/product/textil?lang=en")
    assert r.status_code == 200 and "sunat_cuadros" in r.text
    r = _get(f"{live_server}/perfil?kind=partner&code=CL&lang=en")
    assert r.status_code == 303 and r.headers["location"] == "/perfil/partner/CL?lang=en"
    r = _get(f"{live_server}/perfil")
    assert r.status_code == 200 and 'id="profile-form"' in r.text


def test_unknown_code_names_the_field(live_server: str) -> None:
    r = _get(f"{live_server}/perfil/region/77")
    body = _text(r.text)
    assert "region" in body and "77" in body
    assert "Traceback" not in body and "/work" not in body and ".py" not in body


@pytest.mark.browser
@pytest.mark.parametrize(("name", "width"), [("desktop", 1280), ("phone", 390)])
def test_profile_in_the_browser(browser: Any, live_server: str, name: str, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{live_server}/perfil?lang=es")
    page.select_option("#profile-kind", "region")
    page.fill("#profile-code", "04")
    page.click("#profile-form button[type=submit]")
    page.wait_for_url("**/perfil/region/04**")
    assert page.locator("h1").inner_text() == "Perfil exportador de Arequipa"
    assert page.locator("#figure-exports_bcrp_departments svg").count() == 1
    # nothing wider than the screen: the page does not scroll sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"profile-region-{name}.png"), full_page=True)
    page.close()
