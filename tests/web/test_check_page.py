"""The dashboard page «Verificar un texto» (``/verificar``) on the warehouse built from the mirror.

The text pasted is a release-style paragraph about 2022 whose figures come from the API's indicators (BCRP
departments): two the data reproduce and one they do not. Without JavaScript (the form POST, through the
app) and in Debian's Chromium (Playwright) at desktop and phone widths; screenshots go to
``test-artifacts/browser/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from comercio.reports.fmt import Formatter
from comercio.service import MAX_CHECK_CHARS
from comercio.web.check import MAX_FORM_BYTES

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def web(web_app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(web_app, raise_server_exceptions=False)


def release_text(rows: list[dict[str, Any]]) -> tuple[str, dict[str, str]]:
    """A paragraph on 2022 exports: Arequipa's value and Cusco's growth as the data give them, and a rise
    for Puno the data do not give; returns the text and each figure as printed."""
    by = {r["member"]: r for r in rows}
    fmt = Formatter("es")
    value = fmt.money(by["04"]["value"])
    growth = by["08"]["growth"]
    cusco = fmt.pct(abs(growth))
    puno = fmt.pct(abs(by["21"]["growth"]) + 0.5)
    verb = "cayeron" if growth < 0 else "crecieron"
    text = (
        f"En 2022, las exportaciones de Arequipa sumaron {value}. En el mismo año, las exportaciones de "
        f"Cusco {verb} {cusco} respecto a 2021, y las de Puno aumentaron {puno}."
    )
    return text, {"value": value, "cusco": cusco, "puno": puno}


@pytest.fixture(scope="module")
def release(web: TestClient) -> tuple[str, dict[str, str]]:
    resp = web.get("/api/v1/indicators?window=year&end=2022-12&grouping=department&size=500")
    assert resp.status_code == 200, resp.text
    return release_text(resp.json()["rows"])


def marks(html: str) -> dict[str, str]:
    """Each marked figure of the checked text and its verdict class."""
    found = re.findall(r'<mark class="ck-mark v-([a-z_]+)"[^>]*><a [^>]*>([^<]+)</a>', html)
    return {printed: verdict for verdict, printed in found}


def test_the_form_is_in_spanish_and_english(web: TestClient) -> None:
    html = web.get("/verificar").text
    assert "<h1>Verificar un texto</h1>" in html
    assert (
        '<form id="check-form" class="check-form" method="post" action="/verificar?lang=es#check-result">'
        in html
    )
    for name in ('name="text"', 'name="lang"', 'name="published"', 'type="date"', 'id="c-submit"'):
        assert name in html
    assert 'href="/verificar/check.css"' in html and 'id="check-result"' not in html
    en = web.get("/verificar?lang=en").text
    assert "<h1>Check a text</h1>" in en and 'action="/verificar?lang=en#check-result"' in en
    assert '<option value="en" selected>English</option>' in en
    css = web.get("/verificar/check.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ".ck-report" in css.text


def test_every_page_links_to_the_check(web: TestClient) -> None:
    assert 'href="/verificar?lang=es">Verificar un texto</a>' in web.get("/downloads").text
    assert 'href="/verificar?lang=en">Check a text</a>' in web.get("/downloads?lang=en").text


def test_a_posted_text_is_checked_under_the_form(
    web: TestClient, release: tuple[str, dict[str, str]]
) -> None:
    text, printed = release
    resp = web.post("/verificar", data={"text": text, "lang": "es", "published": "2023-02-15"})
    assert resp.status_code == 200, resp.text[:500]
    html = resp.text
    assert resp.headers["content-security-policy"].startswith("default-src 'self'")
    assert html.index('id="check-form"') < html.index('id="check-result"')
    found = marks(html)
    assert found[printed["value"]] == "consistent"
    assert found[printed["cusco"]] == "consistent"
    assert found[printed["puno"]] == "differs"
    assert '<tr id="ck-row-' in html  # the side table
    # the form keeps what was sent
    assert f">\n{text}</textarea>" in html and 'value="2023-02-15"' in html


def test_a_script_in_the_text_stays_inert(web: TestClient, release: tuple[str, dict[str, str]]) -> None:
    text = f'<script>alert("x")</script>{release[0]}<img src=x onerror="alert(1)">'
    html = web.post("/verificar", data={"text": text, "lang": "es"}).text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in html


@pytest.mark.parametrize(
    ("data", "status", "says"),
    [
        ({"text": "", "lang": "es"}, 422, "Falta el texto"),
        ({"text": "   ", "lang": "es"}, 422, "Falta el texto"),
        ({"text": "En 2022 sumaron US$ 5 millones.", "lang": "fr"}, 422, "Idioma del texto desconocido (fr)"),
        ({"text": "En 2022.", "published": "2025-02-30"}, 422, "Fecha de publicación no válida (2025-02-30)"),
        ({"text": "En 2022.", "published": "15/02/2025"}, 422, "Fecha de publicación no válida"),
        ({"text": "x" * (MAX_CHECK_CHARS + 1)}, 422, "El texto es demasiado largo"),
    ],
)
def test_a_bad_form_is_said_on_the_page(
    web: TestClient, data: dict[str, str], status: int, says: str
) -> None:
    resp = web.post("/verificar", data=data)
    assert resp.status_code == status
    assert 'id="check-error"' in resp.text and says in resp.text
    assert 'id="check-form"' in resp.text and 'id="check-result"' not in resp.text


def test_a_too_large_form_is_refused_unread(web: TestClient) -> None:
    resp = web.post(
        "/verificar",
        content=b"text=" + b"x" * MAX_FORM_BYTES,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert resp.status_code == 413 and "demasiado largo" in resp.text


def test_an_english_page_checks_a_spanish_text(web: TestClient, release: tuple[str, dict[str, str]]) -> None:
    text, printed = release
    html = web.post("/verificar?lang=en", data={"text": text, "lang": "es"}).text
    assert '<html lang="en">' in html and '<option value="es" selected>Spanish</option>' in html
    assert marks(html)[printed["value"]] == "consistent"


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def test_checking_writes_nothing(web: TestClient, web_settings, release: tuple[str, dict[str, str]]) -> None:  # type: ignore[no-untyped-def]
    home, before = web_settings.home, _tree(web_settings.home)
    assert (
        web.post("/verificar", data={"text": release[0] + " Otra vez: 2021.", "lang": "es"}).status_code
        == 200
    )
    assert _tree(home) == before
    assert list(web_settings.reports_dir.iterdir()) == []


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium")
def test_paste_submit_and_see_the_marks(browser: Any, live_server: str, width: int, height: int) -> None:
    api = httpx.get(f"{live_server}/api/v1/indicators?window=year&end=2022-12&grouping=department&size=500")
    text, printed = release_text(api.json()["rows"])
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}/")
    page.click("nav >> text=Verificar un texto")
    assert page.inner_text("h1") == "Verificar un texto"
    page.fill("#c-text", text)
    page.fill("#c-published", "2023-02-15")
    page.select_option("#c-lang", "es")
    page.click("#c-submit")
    page.wait_for_selector("#check-result .ck-report")
    assert page.url.endswith("/verificar?lang=es#check-result")  # the answer opens at the result
    assert page.input_value("#c-text") == text  # the form keeps the text as it was
    for key, verdict in (("value", "consistent"), ("cusco", "consistent"), ("puno", "differs")):
        mark = page.locator("#check-result mark.ck-mark", has_text=printed[key])
        assert mark.count() == 1, key
        assert f"v-{verdict}" in (mark.get_attribute("class") or "")
    # each mark links to its row of the side table, which is visible with its verdict badge
    link = page.locator("#check-result mark.v-differs a").first.get_attribute("href") or ""
    assert link.startswith("#ck-row-")
    row = page.locator(f"#check-result tr{link}")
    assert row.is_visible() and "v-differs" in (row.locator(".ck-badge").get_attribute("class") or "")
    assert page.locator("#check-result .ck-side table").count() >= 1
    # the colour of a mark is not its only cue: its title says the verdict in words
    assert "difiere" in (page.locator("#check-result mark.v-differs").first.get_attribute("title") or "")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, "page scrolls sideways"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"check-{width}.png"), full_page=True)
    assert not errors, errors
    page.close()
