"""Browser tests of the query builder «Consultas»: Playwright driving Debian's Chromium against real servers.

On the warehouse built from the mirror (official data): Arequipa's exports by year with their share, then a
shorter period, the XLSX downloaded and read back; Chile by month (G6) found through the country search; a
refused cut; phone width. On a synthetic twin of SUNAT's weekly files ingested over a copy of that warehouse:
avocados found by their Spanish name, broken down by region and customs office, January–November 2025 against
2024 with US$/kg, labelled synthetic on the page and in the download. Screenshots go to
``test-artifacts/query/`` (the closing note's).
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "query"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def twin_server(
    built_home: Path, shared_data: Path, tmp_path_factory: pytest.TempPathFactory, serve: Any
) -> Iterator[str]:
    """The dashboard on a copy of the built warehouse with a synthetic twin of SUNAT's weekly export and
    import files (January 2024 – November 2025) ingested."""
    from comercio.config import Settings
    from comercio.ingest import ingest
    from comercio.server import create_app
    from comercio.synth.weekly import generate_weekly, targets_from_warehouse
    from comercio.warehouse import Warehouse

    root = tmp_path_factory.mktemp("query_twin")
    home = root / "home"
    shutil.copytree(built_home, home)
    first, last = dt.date(2024, 1, 1), dt.date(2025, 11, 30)
    targets, bcrp_months = targets_from_warehouse(
        Warehouse(Settings(home=built_home), read_only=True), first, last, "XM"
    )
    twin = generate_weekly(
        30_000,
        7,
        root / "weeks",
        first=first,
        last=last,
        targets=targets,
        flows="XM",
        bcrp_months=bcrp_months,
    )
    report = ingest(Warehouse(Settings(home=home)), "sunat-microdata", list(twin.files))
    assert {r.status for r in report.results} == {"loaded"}
    app = create_app(Settings(home=home, mirror=str(shared_data), reports_dir=root / "reports"))
    with serve(app) as url:
        yield url


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_page(browser: Any, viewport: dict[str, int]) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport=viewport, accept_downloads=True)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page, errors


def table_rows(page: Any) -> list[list[str]]:
    return [
        [c.strip() for c in row] for row in page.eval_on_selector_all(
            "#q-table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
        )
    ]  # fmt: skip


def headers(page: Any) -> list[str]:
    return [
        h.strip() for h in page.eval_on_selector_all("#q-table thead th", "hs => hs.map(h => h.textContent)")
    ]


def params(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def read_xlsx(path: str) -> list[list[Any]]:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(io.BytesIO(Path(path).read_bytes()), read_only=True)
    return [list(r) for r in book[book.sheetnames[0]].iter_rows(values_only=True)]


def test_arequipa_by_year_then_a_shorter_period_and_the_xlsx(browser: Any, live_server: str) -> None:
    page, errors = open_page(browser, DESKTOP)
    page.goto(f"{live_server}/consultas")
    assert page.is_visible("#q-empty")
    page.fill("#q-from", "2005-01")
    page.fill("#q-to", "2022-12")
    page.select_option("#q-freq", "year")
    page.select_option("#q-by1", "department")
    page.fill("#q-where", "department=04")
    page.check("#q-m-share")
    page.click("#q-submit")
    page.wait_for_selector("#q-table")
    rows = table_rows(page)
    assert len(rows) == 18 and {r[0] for r in rows} == {"04"} and rows[0][1] == "Arequipa"
    assert [r[2] for r in rows] == [str(y) for y in range(2005, 2023)]
    assert rows[-1][3].startswith("US$") and rows[-1][4].endswith("%")
    assert "BCRP" in page.inner_text("#q-source") and not page.is_visible("#q-synthetic")
    assert page.is_visible("#q-chart .svg")
    asked = dict(params(page.url))
    assert asked["by"] == "department" and asked["where"] == "department=04" and "share" in asked["measures"]
    link = page.get_attribute("#q-permalink", "href")
    assert link.startswith("/consultas?") and ("where", "department=04") in params(link)
    assert urlsplit(page.url).query == urlsplit(link).query  # the address is the query's own URL
    shot(page, "a-arequipa-by-year")
    page.goto(live_server + link)  # the stable URL reproduces the answer
    assert table_rows(page) == rows

    page.fill("#q-from", "2015-01")  # change the period: the filter stays (a checkbox now)
    page.click("#q-submit")
    page.wait_for_url("**from=2015-01**")
    assert [r[2] for r in table_rows(page)] == [str(y) for y in range(2015, 2023)]
    shown = {r[2]: r[3] for r in table_rows(page)}

    with page.expect_download() as info:
        page.click("#dl-xlsx")
    assert info.value.suggested_filename.endswith(".xlsx")
    cells = read_xlsx(info.value.path())
    head = next(i for i, r in enumerate(cells) if r and "Periodo" in [str(c) for c in r])
    at = [str(c) for c in cells[head]].index("Periodo")
    data = [r for r in cells[head + 1 :] if r and r[at]]
    assert [str(r[at]) for r in data] == [str(y) for y in range(2015, 2023)]
    assert all(r[0] == "04" and isinstance(r[at + 1], float) for r in data)  # code as text, value a number
    api = httpx.get(f"{live_server}/api/v1/query?{urlsplit(page.url).query}").json()
    assert [r[at + 1] for r in data] == pytest.approx([r["value"] for r in api["rows"]], rel=1e-9)
    assert shown["2022"].startswith("US$")
    assert not errors, errors
    page.close()


def test_chile_by_month_found_by_search(browser: Any, live_server: str) -> None:
    page, errors = open_page(browser, DESKTOP)
    page.goto(f"{live_server}/consultas?from=2023-01&to=2025-12&freq=month")
    page.fill("#q-search", "chile")
    page.select_option("#q-kind", "partner")
    page.click("#q-search-go")
    page.click("#search-hits a[data-code='CL']")
    page.wait_for_selector("#q-table")
    assert ("where", "partner=CL") in params(page.url)
    rows = table_rows(page)
    assert rows[0][0] == "2023-01" and len(rows) >= 24  # G6 holds every month of 2023 and 2024
    assert "G 6" in page.inner_text("#q-source") or "G6" in page.inner_text("#q-source")
    assert page.is_visible("#q-chart .svg") and page.is_visible("#q-notes")  # the months G6 lacks are named
    shot(page, "b-chile-by-month-g6")
    assert not errors, errors
    page.close()


def test_a_refused_cut_and_a_bad_month_say_why(browser: Any, live_server: str) -> None:
    page, _ = open_page(browser, DESKTOP)
    page.goto(f"{live_server}/consultas?from=2022-01&to=2022-12&by=customs_office")
    assert page.is_visible("#q-refused") and "sunat-microdata" in page.inner_text("#q-refused")
    assert not page.is_visible("#q-table")
    response = page.goto(f"{live_server}/consultas?from=2022-01&to=2021-12")
    assert response.status == 422 and "from" in page.inner_text("#q-error")
    page.close()


def test_phone_width_and_english(browser: Any, live_server: str) -> None:
    page, errors = open_page(browser, PHONE)
    page.goto(
        f"{live_server}/consultas?flow=X&from=2005-01&to=2022-12&freq=year&by=department"
        "&where=department=04&measures=value,share&lang=en"
    )
    assert page.inner_text("h1").startswith("Queries")
    assert "Share (%)" in headers(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the page scrolls sideways at phone width ({width}px)"
    shot(page, "a-arequipa-by-year-phone")
    assert not errors, errors
    page.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_avocado_by_region_and_customs_on_the_twin(
    browser: Any, twin_server: str, viewport: dict[str, int]
) -> None:
    page, errors = open_page(browser, viewport)
    page.goto(f"{twin_server}/consultas")
    page.fill("#q-from", "2024-01")
    page.fill("#q-to", "2025-11")
    page.select_option("#q-freq", "ytd")
    page.select_option("#q-by1", "department")
    page.select_option("#q-by2", "customs_office")
    for m in ("net_kg", "unit_value", "growth"):
        page.check(f"#q-m-{m}")
    page.check("#q-wide")
    page.fill("#q-search", "palta")
    page.select_option("#q-kind", "product")
    page.click("#q-search-go")
    page.click("#search-hits a[data-code='080440']")
    page.wait_for_selector("#q-table")
    asked = params(page.url)
    assert ("where", "hs6=080440") in asked and ("freq", "ytd") in asked and ("wide", "1") in asked
    assert page.is_visible("#q-synthetic") and page.is_visible("#synthetic-notice")
    heads = headers(page)
    assert any("ene–nov 2025" in h and "US$/kg" in h for h in heads), heads
    assert all("sintéticos" in h for h in heads if "US$" in h)  # every figure's header says so
    assert table_rows(page)
    if viewport is PHONE:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    shot(page, "c-palta-region-aduana-twin" + ("-phone" if viewport is PHONE else ""))
    with page.expect_download() as info:
        page.click("#dl-xlsx-wide")
    assert "sintetico" in info.value.suggested_filename
    cells = read_xlsx(info.value.path())
    text = " ".join(str(c) for r in cells for c in r if c is not None)
    assert "sintéticos" in text and "ene–nov 2024" in text and "ene–nov 2025" in text
    numbers = {round(c, 2) for r in cells for c in r if isinstance(c, float)}
    api = httpx.get(twin_server + page.get_attribute("#dl-json", "href")).json()
    assert api["synthetic"] and {round(r["value"], 2) for r in api["rows"] if r["value"]} <= numbers

    page.fill("#q-from", "2025-01")  # change the period: 2025 alone, still against 2024
    page.click("#q-submit")
    page.wait_for_url("**from=2025-01**")
    heads = headers(page)
    assert any("ene–nov 2025" in h for h in heads) and not any("ene–nov 2024" in h for h in heads)
    assert ("where", "hs6=080440") in params(page.url)  # the filter found by name stays
    assert not errors, errors
    page.close()
