"""Browser tests: Playwright driving Debian's Chromium against a live server on loopback.

Open the explorer, change a filter, see the map and the table update, download the CSV and check its numbers
against the API; keyboard use and phone width. Screenshots go to ``test-artifacts/browser/``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium"),
]


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_explorer_filter_updates_map_table_and_csv(browser: Any, live_server: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}/explorer?end=2022-11&window=ytd")
    first_map = page.get_attribute("#map .svg", "aria-label")
    first_lima = page.inner_text("#table tbody tr[data-member='15'] td:nth-child(3)")
    shot(page, "explorer-ytd")

    page.select_option("#f-window", "month")
    page.wait_for_selector("body[data-updates='1']", state="attached")
    assert page.get_attribute("#map .svg", "aria-label") != first_map
    assert page.inner_text("#table tbody tr[data-member='15'] td:nth-child(3)") != first_lima
    assert "window=month" in page.url
    shot(page, "explorer-month")

    with page.expect_download() as info:
        page.click("#dl-csv")
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    api = httpx.get(f"{live_server}/api/v1/indicators?window=month&end=2022-11&grouping=department&size=500")
    expected = {r["member"]: r["value"] / 1e6 for r in api.json()["rows"]}
    assert {r["Código"]: float(r["Valor (US$ millones)"]) for r in rows} == pytest.approx(expected, abs=5e-4)
    assert not errors, errors
    page.close()


def test_keyboard_and_phone_width(browser: Any, live_server: str) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 740})
    page.goto(f"{live_server}/explorer?end=2022-11")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.focus("#f-grouping")
    page.keyboard.press("ArrowDown")  # keyboard change of a select fires "change"
    page.wait_for_selector("body[data-updates]", state="attached")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, f"page scrolls sideways at phone width ({width}px)"
    shot(page, "explorer-phone")
    page.goto(f"{live_server}/?lang=en")
    assert page.inner_text("h1") == "Overview"
    shot(page, "overview-en")
    page.close()


PAGES = {
    "home": "/",
    "explorer": "/explorer?end=2022-11",
    "explorer-macroregion": "/explorer?end=2022-11&grouping=macroregion&metric=growth&member=norte",
    "sectors": "/sector",
    "region": "/region/04",
    "customs": "/customs",
    "downloads": "/downloads",
}


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_fits_desktop_and_phone(browser: Any, live_server: str, name: str, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    resp = page.goto(f"{live_server}{PAGES[name]}")
    assert resp is not None and resp.status == 200
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, "page scrolls sideways"
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('.table-wrap')).filter(e => e.scrollWidth > e.clientWidth + 1)"
        ".map(e => e.getAttribute('aria-label'))"
    )
    assert not wide, f"tables scroll sideways at {width}px: {wide}"
    assert page.inner_text("h1")
    shot(page, f"{name}-{width}")
    assert not errors, errors
    page.close()
