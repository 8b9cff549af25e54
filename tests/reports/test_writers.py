"""The generic writers render one Report object into HTML, PDF, XLSX, Markdown and JSON."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from comercio.errors import ReportError
from comercio.indicators.facts import Fact, FactSet
from comercio.reports import charts
from comercio.reports.fmt import Formatter
from comercio.reports.writers import Column, Figure, Report, Section, Table, parse_formats, write_report

WINDOW = {"kind": "ytd", "start": "2022-01-01", "end": "2022-11-01"}


def _report(synthetic: bool = False, lang: str = "es") -> Report:
    facts = FactSet(
        [
            Fact("a.value", "value", 68_120_000_000.0, "USD", WINDOW, member="a", synthetic=synthetic),
            Fact("a.growth", "growth", 0.198, "fraction", WINDOW, member="a", synthetic=synthetic),
        ]
    )
    table = Table(
        "t1",
        "Tabla uno",
        (
            Column("name", "Región"),
            Column("value", "US$ millones", "millions"),
            Column("g", "Var.", "pct_signed"),
        ),
        (
            {"name": "Arequipa", "value": 5_400_365_741.11, "g": 0.1019},
            {"name": "Puno", "value": None, "g": -0.19},
        ),
    )
    chart = charts.growth_bars(
        [{"label": "A", "growth": 0.1}, {"label": "B", "growth": -0.05}], Formatter(lang), "T", "X"
    )
    fig = Figure("bars", "T", charts.to_spec(chart), "alt text")
    sections = (
        Section("s1", "Uno", ("Primer párrafo con US$ 68 120 millones.",), (table,), (fig,)),
        Section("s2", "Dos", ("Falta un dato.",), omitted=True),
    )
    return Report(
        "test", lang, "Título", "Sub", sections, facts, "Fuente: prueba.", synthetic, {"through": "2022-11"}
    )


def test_parse_formats() -> None:
    assert parse_formats("html, MD,markdown") == ("html", "md")
    with pytest.raises(ReportError, match="unknown report format"):
        parse_formats("html,docx")
    with pytest.raises(ReportError):
        parse_formats("")


def test_html_is_self_contained_and_formats_cells(tmp_path: Path) -> None:
    (path,) = write_report(_report(), "html", tmp_path)
    html = path.read_text(encoding="utf-8")
    assert "<svg" in html and 'aria-label="alt text"' in html
    assert not re.search(r"""(src|href)=["']https?:""", html), (
        "the page must not load anything from the network"
    )
    assert "<link" not in html and "<script" not in html
    assert "5\u202f400" in html and "+10,2\u202f%" in html and "n.d." in html
    assert "DATOS SINTÉTICOS" not in html


def test_xlsx_stores_numbers(tmp_path: Path) -> None:
    (path,) = write_report(_report(), ["xlsx"], tmp_path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["informe", "Tabla uno"]
    ws = wb["Tabla uno"]
    assert [c.value for c in ws[2]] == ["Región", "US$ millones", "Var."]
    value, growth = ws.cell(row=3, column=2), ws.cell(row=3, column=3)
    assert value.data_type == "n" and value.value == pytest.approx(5400.36574111)
    assert growth.data_type == "n" and growth.value == pytest.approx(0.1019) and "%" in growth.number_format
    assert ws.cell(row=4, column=2).value is None


def test_markdown_and_json(tmp_path: Path) -> None:
    report = _report()
    md_path, json_path = write_report(report, "md,json", tmp_path)
    md = md_path.read_text(encoding="utf-8")
    assert "| Arequipa | 5\u202f400 | +10,2\u202f% |" in md
    assert "![alt text](figure-bars.png)" in md and (tmp_path / "figure-bars.png").exists()
    assert "_Falta un dato._" in md
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["facts"] == report.facts.as_list()
    assert {"id", "value", "unit", "window", "member"} <= set(data["facts"][0])
    assert data["through"] == "2022-11" and data["synthetic"] is False
    assert data["tables"]["t1"]["rows"][1]["value"] is None


@pytest.mark.parametrize(("lang", "mark"), [("es", "datos sintéticos"), ("en", "synthetic data")])
def test_synthetic_banner_everywhere(tmp_path: Path, lang: str, mark: str) -> None:
    paths = write_report(_report(synthetic=True, lang=lang), "html,md,json,xlsx", tmp_path)
    by_ext = {p.suffix: p for p in paths}
    for ext in (".html", ".md"):
        assert mark in by_ext[ext].read_text(encoding="utf-8").lower()
    assert json.loads(by_ext[".json"].read_text(encoding="utf-8"))["synthetic"] is True
    ws = load_workbook(by_ext[".xlsx"]).worksheets[0]
    assert mark in str(ws["A1"].value).lower()


def test_pdf_and_page_previews(tmp_path: Path) -> None:
    paths = write_report(_report(), "pdf", tmp_path)
    assert paths[0].read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        assert paths[1:] and all(re.fullmatch(r"report-page-\d+\.png", p.name) for p in paths[1:])
