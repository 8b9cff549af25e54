"""Regressions of issue 12's dashboard items: drill-down, customs sample, imports, sector period, map and
series, home headline, names instead of codes, downloads page, analyst downloads, month picker."""

from __future__ import annotations

import csv
import html as htmllib
import io
import json
import os
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def web(web_app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(web_app, raise_server_exceptions=False)


def links(html: str, prefix: str) -> list[str]:
    return [htmllib.unescape(h) for h in re.findall(rf'href="({re.escape(prefix)}[^"]*)"', html)]


def test_every_sector_drill_down_link_answers(web: TestClient) -> None:
    top = web.get("/sector")
    assert top.status_code == 200 and '<table id="table">' in top.text
    level1 = [u for u in links(top.text, "/sector?") if "path=" in u]
    assert level1
    level2 = []
    for url in level1:
        resp = web.get(url)
        assert resp.status_code == 200 and '<table id="table">' in resp.text, url
        level2 += [u for u in links(resp.text, "/sector?") if "%3E" in u]
    assert level2, "no level-2 drill-down links"
    for url in level2:
        resp = web.get(url)
        assert resp.status_code == 200 and '<table id="table">' in resp.text, url
    path = "I. Productos Tradicionales > Minero"
    api = web.get(f"/api/v1/indicators?grouping=sector&end=2024-12&basket_path={path}&dataset=sunat_cuadros")
    assert api.status_code != 422


def visible(html: str) -> str:
    """The page's text without tags (attributes such as links and data-member keep codes)."""
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", html))


def test_sector_labels_are_spelt_for_display(web: TestClient) -> None:
    text = visible(web.get("/sector").text)
    assert "III.Otros" not in text and "I. Productos Tradicionales" not in text
    assert "Productos tradicionales" in text


def test_sector_page_has_a_period_control(web: TestClient) -> None:
    html = web.get("/sector?window=month&end=2024-12").text
    assert '<select name="end"' in html and '<select name="window"' in html
    assert "diciembre de 2024" in html and 'value="2024-12" selected' in html


def test_customs_page_labels_the_sample_for_what_it_is(web: TestClient) -> None:
    html = web.get("/customs").text  # the built warehouse holds the 111 consultation lines, nothing else
    note = re.search(r'id="sample"[^>]*>([^<]+)<', html)
    assert note is not None
    text = htmllib.unescape(note.group(1))
    assert "no muestra las importaciones del Perú por aduana" in text
    assert "111 líneas" in text and "4011101000" in text and "Callao" in text and "mayo de 2026" in text


def test_imports_in_the_explorer_say_in_spanish_what_data_would_answer(web: TestClient) -> None:
    html = web.get("/explorer?flow=M").text
    error = re.search(r'<div id="error"[^>]*>([^<]*)</div>', html)
    assert error is not None and "declaraciones de importación de SUNAT" in htmllib.unescape(error.group(1))
    assert "the window" not in html and "has no data" not in html
    body = web.get("/explorer/view.json?flow=M").json()
    assert "declaraciones de importación" in body["detail"]
    assert "import declarations" in web.get("/explorer/view.json?flow=M&lang=en").json()["detail"]


def test_map_follows_the_grouping_and_series_the_member_and_window(web: TestClient) -> None:
    view = web.get("/explorer/view.json?grouping=macroregion&metric=growth&end=2022-11&member=norte").json()
    assert "macrorregión" in view["map"]["description"]
    assert view["map"]["description"] != web.get("/explorer/view.json?metric=growth&end=2022-11").json()[
        "map"]["description"]  # fmt: skip
    assert view["series"]["description"].startswith(
        "Línea mensual de Norte, enero de 2021 a noviembre de 2022"
    )
    assert ["norte", "Norte"] in view["members"] and view["member"] == "norte"
    assert "«Macrorregión»" in view["map_note"] and "gris" in view["map_note"]
    assert web.get("/explorer?end=2022-11&member=").status_code == 200  # the form's "national" choice
    month = web.get("/explorer/view.json?window=month&end=2022-11&member=").json()
    assert month["series"]["description"].startswith(
        "Línea mensual de Perú, noviembre de 2021 a noviembre de 2022"
    )


def test_home_shows_the_regional_headline(web: TestClient) -> None:
    html = htmllib.unescape(web.get("/").text)
    section = re.search(r'<section class="headline".*?</section>', html, re.S)
    assert section is not None
    text = section.group(0)
    assert "Exportaciones regionales" in text and "interior" in text and "Lima y Callao" in text
    assert "Participación del interior" in text and "Regiones que crecieron" in text
    assert "Regiones con récord" in text


@pytest.mark.parametrize(
    "url", ["/", "/explorer?grouping=region_group", "/region/04", "/customs", "/sector", "/explorer"]
)
def test_names_not_codes_reach_readers(web: TestClient, url: str) -> None:
    html = visible(web.get(url).text)
    for raw in (
        "Lima_callao",
        "lima_callao",
        "Serie mensual: 04",
        "bcrp_departments",
        "sunat_cuadros",
        ": customs_lines",
    ):
        assert raw not in html, (url, raw)


def test_region_series_is_named(web: TestClient) -> None:
    html = htmllib.unescape(web.get("/region/04").text)
    assert "Serie mensual: Arequipa" in html


def test_downloads_page_lists_reports_by_title_with_human_sizes(web: TestClient, web_settings) -> None:  # type: ignore[no-untyped-def]
    folder = Path(web_settings.reports_dir) / "regional-2022-12-es"
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"title": "Exportaciones regionales 2022", "subtitle": "Informe mensual", "lang": "es"}
    (folder / "report.json").write_text(json.dumps(meta), encoding="utf-8")
    (folder / "report.pdf").write_bytes(b"%PDF-" + b"0" * 250_000)
    (folder / "figure-map.png").write_bytes(b"\x89PNG" + b"0" * 20)
    here = Path.cwd()
    try:
        os.chdir(folder)  # the listing follows the configured directory, not the working directory
        html = htmllib.unescape(web.get("/downloads").text)
    finally:
        os.chdir(here)
        for f in folder.iterdir():
            f.unlink()
        folder.rmdir()
    assert "<h3>Exportaciones regionales 2022</h3>" in html and "Idioma: español" in html
    assert re.search(r">PDF</a> <span class=\"size\">\(250\u00a0kB\)</span>", html), html[-1500:]
    assert " B)" not in html.replace("\u00a0B)", "")
    assert "Figuras e imágenes de páginas (1)" in html


def test_view_csv_is_for_analysts_and_the_api_csv_for_machines(web: TestClient) -> None:
    q = "window=month&end=2022-06&flow=X&grouping=department"
    text = web.get(f"/explorer/download.csv?{q}&lang=es").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:5] == ["Código", "Departamento", "Valor (US$ millones)",
                                 "Periodo anterior (US$ millones)", "Variación (%)"]  # fmt: skip
    api = {r["member"]: r for r in web.get(f"/api/v1/indicators?{q}&size=500").json()["rows"]}
    for r in rows:
        value = r["Valor (US$ millones)"]
        assert len(value.partition(".")[2]) <= 3  # no float noise
        assert float(value) == pytest.approx(api[r["Código"]]["value"] / 1e6, abs=5e-4)
        if r["Variación (%)"]:
            assert float(r["Variación (%)"]) == pytest.approx(api[r["Código"]]["growth"] * 100, abs=5e-3)
    machine = web.get(f"/api/v1/indicators?{q}&format=csv").text
    assert machine.startswith("member,label,value,")
    english = web.get(f"/explorer/download.csv?{q}&lang=en").content.decode("utf-8-sig")
    assert english.startswith("Code,Department,Value (US$ million")


def test_view_xlsx_keeps_codes_as_text_and_numbers_formatted(web: TestClient) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(web.get("/explorer/download.xlsx?window=ytd&end=2022-11").content))
    sheet = wb.worksheets[1]
    header = [c.value for c in sheet[2]]
    assert header[:3] == ["Código", "Departamento", "Valor (US$ millones)"]
    row = next(r for r in sheet.iter_rows(min_row=3) if r[0].value == "04")
    assert row[0].data_type == "s"
    assert isinstance(row[2].value, float) and row[2].value < 1e5  # millions, not US$
    growth = header.index("Variación (%)")
    assert row[growth].number_format.endswith("%")


def test_month_picker_names_months_in_spanish(web: TestClient) -> None:
    html = web.get("/explorer?end=2022-11").text
    assert 'type="month"' not in html
    assert '<option value="2022-11" selected>noviembre de 2022</option>' in html
    assert '<option value="2022-09">setiembre de 2022</option>' in html
    assert (
        '<option value="2022-11" selected>November 2022</option>'
        in web.get("/explorer?end=2022-11&lang=en").text
    )


def test_home_never_says_year_to_date_on_a_full_year(web: TestClient) -> None:
    html = web.get("/?lang=en").text
    if "December" in html.split("Latest month with data")[1][:80]:
        assert "year to date" not in html and "Exports in the year (2022)" in html


def test_view_xlsx_source_line_names_the_source_and_its_date_not_a_vintage_id(web: TestClient) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(web.get("/explorer/download.xlsx?window=ytd&end=2022-11").content))
    lines = [str(c.value) for c in wb.worksheets[0]["A"] if c.value]
    source = next(line for line in lines if line.startswith("Fuente:"))
    assert "BCRP" in source and "Versión obtenida el" in source
    assert "bcrp_departments" not in source and "/v1-" not in source


def test_customs_page_on_weekly_lines_is_the_trade_compared_with_a_year_before(
    tmp_path: Path,
) -> None:
    """Lines from microdata are the trade itself (never a sample, however few their tariff lines), and a
    month is compared with the same month a year earlier."""
    import importlib.util
    from datetime import date

    from comercio.config import Settings
    from comercio.server import create_app

    helper = Path(__file__).parents[1] / "indicators" / "_customs_lines.py"
    spec = importlib.util.spec_from_file_location("_customs_lines", helper)
    assert spec is not None and spec.loader is not None
    made = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(made)
    rows = [("M", date(2023, 6, 10), None, "99", "unattributed", 100.0)]
    rows += [("M", date(2024, 6, 10), None, "99", "unattributed", 150.0)]
    home = made.load_lines(tmp_path / "home", rows)
    client = TestClient(create_app(Settings(home=home, reports_dir=tmp_path / "reports")))
    html = client.get("/customs?flow=M").text
    assert 'id="sample"' not in html and "junio de 2024" in html
    assert "+50,0" in html  # 150 against 100 a year before


def test_official_data_carry_no_synthetic_banner(web: TestClient) -> None:
    assert 'id="synthetic-notice"' not in web.get("/").text


def test_every_page_says_when_the_warehouse_holds_synthetic_data(tmp_path: Path) -> None:
    from datetime import date

    import pyarrow as pa

    from comercio.config import Settings
    from comercio.server import create_app
    from comercio.warehouse import FileRef, Provenance, Warehouse, schema

    spec = schema.CUSTOMS_LINES
    row: dict[str, object] = {"flow": "X", "date": date(2024, 6, 3), "period": date(2024, 6, 1)}
    row |= {"declaration": "118-2024-000001"}
    row |= {"series": 1, "customs_office": "118", "department": "13", "region_basis": "producer_ubigeo"}
    row |= {"product": "0806100000", "hs6": "080610", "value_usd": 10.0, "value_basis": "FOB"}
    row |= {"synthetic": True, "source": "x03090624.zip"}
    table = pa.Table.from_pylist([{c: row.get(c) for c in spec.columns}], schema=spec.schema)
    prov = Provenance("sunat-microdata", (FileRef("x03090624.zip", "a" * 64),), "t/1", synthetic=True)
    Warehouse(Settings(home=tmp_path / "home")).load("customs_lines", "microdata-x03090624", table, prov)
    client = TestClient(create_app(Settings(home=tmp_path / "home", reports_dir=tmp_path / "r")))
    for path in ("/", "/explorer", "/customs?flow=X", "/sector", "/downloads", "/region/13"):
        html = client.get(path).text
        assert 'id="synthetic-notice"' in html, path
        assert "«SUNAT, declaraciones aduaneras» son sintéticos" in htmllib.unescape(html), path
    assert "are synthetic (a calibrated twin)" in client.get("/?lang=en").text
