"""Dashboard pages through the real app: Spanish by default, English switch, local assets only, downloads."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def web(web_app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(web_app, raise_server_exceptions=False)


PAGES = ["/", "/explorer", "/explorer?grouping=macroregion&metric=growth&window=month&end=2022-06",
         "/region/15", "/sector", "/customs", "/downloads"]  # fmt: skip


@pytest.mark.parametrize("url", PAGES)
def test_pages_render_in_spanish_with_local_assets_only(web: TestClient, url: str) -> None:
    resp = web.get(url)
    assert resp.status_code == 200, resp.text[:300]
    html = resp.text
    assert '<html lang="es">' in html
    srcs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert srcs and all(not s.startswith(("http:", "https:", "//")) for s in srcs), srcs
    assert resp.headers["content-security-policy"].startswith("default-src 'self'")


def test_english_switch(web: TestClient) -> None:
    html = web.get("/explorer?lang=en").text
    assert '<html lang="en">' in html and "Regional explorer" in html
    assert 'href="/explorer?lang=es"' in html


def test_explorer_shows_map_table_and_text_alternatives(web: TestClient) -> None:
    html = web.get("/explorer?end=2022-11&window=ytd").text
    assert html.count("<svg") >= 2
    labels = re.findall(r'role="img" aria-label="([^"]+)"', html)
    assert any(label.startswith("Mapa de departamentos del Perú") for label in labels)
    assert "Lima" in html and "US$" in html


def test_explorer_csv_matches_the_api(web: TestClient) -> None:
    q = "window=month&end=2022-06&flow=X&grouping=department&lang=es"
    text = web.get(f"/explorer/download.csv?{q}").content.decode("utf-8-sig")
    dash = list(csv.DictReader(io.StringIO(text)))
    api = web.get(f"/api/v1/indicators?{q}&size=500").json()["rows"]
    assert {r["Código"]: float(r["Valor (US$ millones)"]) for r in dash} == pytest.approx(
        {r["member"]: r["value"] / 1e6 for r in api}, abs=5e-4
    )


def test_xlsx_and_pdf_downloads(web: TestClient) -> None:
    x = web.get("/explorer/download.xlsx?window=ytd&end=2022-11")
    assert x.status_code == 200 and x.content[:2] == b"PK"
    pytest.importorskip("weasyprint")
    p = web.get("/explorer/download.pdf?window=ytd&end=2022-11&metric=growth")
    assert p.status_code == 200 and p.content[:5] == b"%PDF-"


def test_customs_page_says_which_data_it_needs_when_absent(web: TestClient) -> None:
    html = web.get("/customs?flow=X").text
    assert "customs_lines" in html and "declaraciones de exportación de SUNAT" in html
    assert "has no months" not in html  # said in the page's language


def test_unknown_region_is_404(web: TestClient) -> None:
    assert web.get("/region/42").status_code == 404


def test_explorer_groupings_and_labels_come_from_the_registries(web: TestClient) -> None:
    from comercio.reference.dimensions import DIMENSIONS

    html = web.get("/explorer?lang=en&grouping=macroregion&end=2022-11").text
    for d in DIMENSIONS:
        if d.explorer:
            assert f'<option value="{d.name}"' in html and d.label("en") in html
    assert "North" in html and "Norte" not in html
    assert web.get("/explorer?grouping=partner").status_code == 404


def test_xlsx_download_is_the_report_writers_table(web: TestClient) -> None:
    from openpyxl import load_workbook

    body = web.get("/explorer/download.xlsx?window=ytd&end=2022-11&lang=en").content
    wb = load_workbook(io.BytesIO(body))
    table = wb.worksheets[1]
    header = [c.value for c in table[2]]
    assert header[:2] == ["Code", "Department"] and header[2].startswith("Value")
    lima = next(r for r in table.iter_rows(min_row=3, values_only=True) if r[0] == "15")
    assert lima[1] == "Lima" and isinstance(lima[2], float)
    growth = header.index("Growth (%)") + 1
    contribution = header.index("Contribution (percentage points)") + 1
    assert table.cell(row=3, column=growth).number_format.endswith("%")
    assert "%" not in table.cell(row=3, column=contribution).number_format  # percentage points
