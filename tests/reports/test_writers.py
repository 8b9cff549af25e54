"""The generic writers render one Report object into HTML, PDF, XLSX, Markdown and JSON."""

from __future__ import annotations

import json
import re
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from comercio.errors import ReportError
from comercio.indicators.facts import FactSet, make
from comercio.reports import charts, maps, templating
from comercio.reports.fmt import Formatter
from comercio.reports.writers import (
    Column,
    Figure,
    Report,
    Section,
    Table,
    cell_text,
    parse_formats,
    write_report,
)
from comercio.reports.writers.html import render_html

WINDOW = {"kind": "ytd", "start": "2022-01-01", "end": "2022-11-01"}


def _report(synthetic: bool = False, lang: str = "es") -> Report:
    facts = FactSet(
        [
            make("national.value", 68_120_000_000.0, window=WINDOW, synthetic=synthetic),
            make("national.growth", 0.198, window=WINDOW, synthetic=synthetic),
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
    assert wb.sheetnames == ["Informe", "Tabla uno"]
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
    assert "## Dos" not in md and "- **Dos.** Falta un dato." in md  # listed once, not a section
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["facts"] == [f.as_dict() for f in report.facts]
    assert {"id", "family", "parts", "kind", "value", "unit", "window", "member"} <= set(data["facts"][0])
    assert (data["facts"][0]["kind"], data["facts"][0]["unit"]) == ("value", "usd")
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


def test_style_sheet_is_not_escaped_and_pages_are_numbered(tmp_path: Path) -> None:
    """Escaped quotes inside <style> silently dropped the fonts and the page counter of every PDF."""
    html = render_html(_report(), {}, print_mode=True)
    style = html[html.index("<style>") : html.index("</style>")]
    assert "&#34;" not in style and "&quot;" not in style and 'counter(page) " / "' in style
    pdf = write_report(_report(), "pdf", tmp_path)[0]
    if shutil.which("pdftotext"):
        import subprocess

        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert re.search(r"^1 ?/ ?\d+$", text, re.M), text[-200:]


# -- one figure reads the same on every surface ---------------------------------------------------------
G, M, S = "\u202f", "\u2212", "\u00a0"
SQUARE = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"FIRST_IDDP": "15", "NOMBDEP": "LIMA"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[-77.0, -12.0], [-76.0, -12.0], [-76.0, -11.0], [-77.0, -11.0], [-77.0, -12.0]]
                ],
            },
        }
    ],
}
_SECTION = re.compile(
    r'(?P<pre>(?:"[^"]*"|[+-])*)(?P<grp>#,##)?0(?:\.(?P<dec>0+))?(?P<thousands>,*)(?P<pct>%?)(?P<post>(?:"[^"]*")*)'
)


def spreadsheet_display(value: float, number_format: str, lang: str) -> str:
    """What a spreadsheet shows for a stored number under a number format (the subset the XLSX writer writes:
    sections, quoted text, sign literals, grouping, decimals, scaling commas, %), written with the house
    separators of ``lang`` and the true minus sign so that it compares with the formatter's text."""
    sections = number_format.split(";")
    if value < 0 and len(sections) > 1:
        section = sections[1]
    elif value == 0 and len(sections) > 2:
        section = sections[2]
    else:
        section = sections[0]
    m = _SECTION.fullmatch(section)
    assert m is not None, f"unexpected number format section {section!r}"
    x = Decimal(repr(abs(float(value)))).scaleb(2 if m["pct"] else -3 * len(m["thousands"]))
    decimals = len(m["dec"] or "")
    q = x.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    number = f"{q:,.{decimals}f}" if m["grp"] else f"{q:.{decimals}f}"
    group, point = (G, ",") if lang == "es" else (",", ".")
    number = number.replace(",", "\0").replace(".", point).replace("\0", group)
    auto_minus = "-" if value < 0 and len(sections) == 1 else ""
    text = auto_minus + m["pre"].replace('"', "") + number + m["pct"] + m["post"].replace('"', "")
    return text.replace("-", M)


def _xlsx_cells(tmp_path: Path, lang: str, columns: tuple[Column, ...], value: float) -> list[str]:
    table = Table("t", "T", columns, ({c.key: value for c in columns},))
    report = Report("test", lang, "T", "S", (Section("s", "S", (), (table,)),), FactSet(), "src")
    (path,) = write_report(report, "xlsx", tmp_path / lang)
    ws = load_workbook(path)["T"]
    cells = [ws.cell(row=3, column=j) for j in range(1, len(columns) + 1)]
    assert all(c.data_type == "n" for c in cells)
    return [spreadsheet_display(c.value, c.number_format, lang) for c in cells]


def _html_cells(tmp_path: Path, lang: str, columns: tuple[Column, ...], value: float) -> list[str]:
    table = Table("t", "T", columns, ({c.key: value for c in columns},))
    report = Report("test", lang, "T", "S", (Section("s", "S", (), (table,)),), FactSet(), "src")
    (path,) = write_report(report, "html", tmp_path / lang)
    return re.findall(r"<td class=\"[a-z_]+\">([^<]*)</td>", path.read_text(encoding="utf-8"))


def _chart_rows(chart: Any) -> list[dict[str, Any]]:
    """The data rows of a chart's spec (the first inline data set)."""

    def find(node: Any) -> list[dict[str, Any]] | None:
        if isinstance(node, dict):
            if isinstance(node.get("data"), dict) and "values" in node["data"]:
                return list(node["data"]["values"])
            nodes = list(node.values())
        else:
            nodes = list(node) if isinstance(node, list) else []
        return next((rows for n in nodes if (rows := find(n)) is not None), None)

    rows = find(charts.to_spec(chart))
    assert rows is not None
    return rows


MONEY_CASES = [  # US$ -> the figure in US$ millions as (es, en)
    (99_960_000, "100", "100"),
    (99_950_000, "100", "100"),
    (99_949_999, "99,9", "99.9"),
    (-4_450_000, f"{M}4,5", f"{M}4.5"),
    (123_456_789_012, f"123{G}457", "123,457"),
    (1_000_000, "1,0", "1.0"),
]


@pytest.mark.parametrize(("usd", "es", "en"), MONEY_CASES)
def test_money_reads_the_same_on_every_surface(tmp_path: Path, usd: float, es: str, en: str) -> None:
    for lang, figure in (("es", es), ("en", en)):
        fmt = Formatter(lang)
        word = "millones" if lang == "es" else "million"
        prose = f"US${S}{figure}{S}{word}"
        assert fmt.money(usd) == prose == fmt.filters()["money"](usd)
        assert fmt.millions(usd) == figure
        columns = (Column("m", "US$", "millions"), Column("v", "US$", "money"))
        assert [cell_text(fmt, c, usd) for c in columns] == [figure, prose]
        assert _html_cells(tmp_path, lang, columns, usd) == [figure, prose]
        assert _xlsx_cells(tmp_path, lang, columns, usd) == [figure, prose]
        (row,) = _chart_rows(charts.ranked_bars([{"label": "A", "value": usd}], fmt, "T", "S"))
        assert (row["value_label"], row["value_text"]) == (figure, prose)
        (feature,) = maps.join_features(SQUARE, [{"ubigeo": "15", "value": usd}], fmt, "value")
        assert feature["properties"]["text"] == prose and feature["properties"]["label_text"].endswith(
            f"\n{figure}"
        )


PCT_CASES = [  # (kind, fraction, es, en): 0,049 % is 0,0 %; no zero ever carries a sign
    ("growth", 0.00049, f"0,0{G}%", "0.0%"),
    ("growth", -0.0, f"0,0{G}%", "0.0%"),
    ("growth", -0.00004, f"0,0{G}%", "0.0%"),
    ("growth", -0.00051, f"{M}0,1{G}%", f"{M}0.1%"),
    ("growth", 0.1019, f"+10,2{G}%", "+10.2%"),
    ("share", 0.00049, f"0,0{G}%", "0.0%"),
    ("share", -0.0, f"0,0{G}%", "0.0%"),
    ("share", -0.00004, f"0,0{G}%", "0.0%"),
    ("share", 0.19850, f"19,9{G}%", "19.9%"),
]


@pytest.mark.parametrize(("kind", "fraction", "es", "en"), PCT_CASES)
def test_rates_read_the_same_on_every_surface(
    tmp_path: Path, kind: str, fraction: float, es: str, en: str
) -> None:
    for lang, text in (("es", es), ("en", en)):
        fmt = Formatter(lang)
        prose = fmt.filters()["spct" if kind == "growth" else "pct"](fraction)
        assert prose == text == fmt.figure(fraction, kind)
        column = Column("g", "%", "pct_signed" if kind == "growth" else "pct")
        assert cell_text(fmt, column, fraction) == text
        assert _html_cells(tmp_path, lang, (column,), fraction) == [text]
        assert _xlsx_cells(tmp_path, lang, (column,), fraction) == [
            text.replace(f"{G}%", "%")
        ]  # no % spacing
        if kind == "growth":
            chart = charts.growth_bars([{"label": "A", "growth": fraction}], fmt, "T", "S")
            label = _chart_rows(chart)[0]["growth_text"]
        else:
            chart = charts.share_over_years([{"year": 2024, "share": fraction}], fmt, "T", "S")
            label = _chart_rows(chart)[0]["share_text"]
        assert label == text
        (feature,) = maps.join_features(SQUARE, [{"ubigeo": "15", "value": fraction}], fmt, kind)  # type: ignore[arg-type]
        assert feature["properties"]["text"] == text and feature["properties"]["label_text"].endswith(
            f"\n{text}"
        )


def test_one_template_environment_for_pages_and_prose() -> None:
    prose = templating.environment("es")
    text = prose.from_string("{{ v|money }}, {{ g|spct }}, {{ t('common.source') }}").render(
        v=99_960_000, g=-0.00004
    )
    assert text == f"US${S}100{S}millones, 0,0{G}%, Fuente"
    assert prose.from_string("{{ x }}").render(x="<b>") == "<b>"  # prose is plain text
    assert templating.is_html("page.html.j2") and not templating.is_html("regional_es.j2")
    page = prose.get_template("page.html.j2").render(
        report=_report(), figures={}, css="", print=False, cell=lambda c, v: f"<{v}>"
    )
    assert "<h1>Título</h1>" in page and "&lt;Arequipa&gt;" in page  # the page is escaped
    extended = templating.environment("en", filters={"shout": str.upper})
    assert extended.from_string("{{ 'a'|shout }} {{ 0.2|pct }}").render() == "A 20.0%"
    assert "shout" not in templating.environment("en").filters  # the shared environment is left as it was


# -- issue 12, visuals and files ----------------------------------------------------------------------------
def _with_totals(report: Report) -> Report:
    """The test report with a long-titled table (sheet name), a note, a total row and a data table."""
    table = Table(
        "long",
        "Participación del interior en la exportación nacional por año",
        (Column("year", "Año"), Column("value", "US$ millones", "millions")),
        ({"year": 2021, "value": 1e9}, {"year": 2022, "value": 2e9}, {"_kind": "total", "year": "Total"}),
        note="2022: acumulado del año.",
    )
    data = Table("monthly", "Mensual", (Column("m", "ene 2022", "millions"),), ({"m": 5e6},))
    first = report.sections[0]
    sections = (first.__class__(first.id, first.title, first.paragraphs, (table,)), *report.sections[1:])
    return Report(**{**report.__dict__, "sections": sections, "data": (data,)})


def test_xlsx_sheets_are_named_noted_and_sourced(tmp_path: Path) -> None:
    (path,) = write_report(_with_totals(_report()), ["xlsx"], tmp_path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Informe", "Participación del interior", "Mensual por departamento"]
    assert all(len(name) <= 31 for name in wb.sheetnames)
    for ws in wb.worksheets[1:]:
        (table,) = ws.tables.values()
        last_data_row = int(re.sub(r"\D", "", table.ref.split(":")[1]))
        below = [ws.cell(row=r, column=1).value for r in range(last_data_row + 1, ws.max_row + 1)]
        assert below[0] is None and below[-1] == "Fuente: prueba."  # apart from the data, source last
        assert all(ws.cell(row=r, column=1).font.i for r in range(last_data_row + 2, ws.max_row + 1))
    ws = wb["Participación del interior"]
    assert ws.cell(row=3, column=1).value == 2021 and ws.cell(row=3, column=1).data_type == "n"
    assert ws.cell(row=5, column=1).font.b  # the total row in bold, inside the table
    assert "2022: acumulado del año." in [c.value for c in ws["A"]]
    about = [c.value for c in wb["Informe"]["A"]]
    assert "Dos. Falta un dato." in about  # the section without data, listed on the first sheet


def test_html_lists_sections_without_data_once(tmp_path: Path) -> None:
    from datetime import date

    from comercio.reports.writers.html import render_html

    report = _report()
    html = render_html(report, {}, print_mode=True, issued=date(2022, 12, 15))
    assert 'id="s2"' not in html and "<h2>Dos</h2>" not in html  # no empty section in the body
    assert html.count("Falta un dato.") == 1 and "Secciones no incluidas en este informe" in html
    assert "Publicado el 15 de diciembre de 2022" in html  # the issue date the running header repeats
    assert "@top-left" in html and "counter(page)" in html
    screen = render_html(report, {})
    assert "Publicado el" not in screen  # the screen page is the same on any day


def test_drawn_figures_are_built_once_and_only_for_formats_that_draw(tmp_path: Path) -> None:
    calls: list[str] = []

    def draw() -> Any:
        calls.append("drawn")
        return charts.growth_bars([{"label": "A", "growth": 0.1}], Formatter("es"), "T", "X")

    base = _report()
    fig = Figure.drawn("bars", "T", draw)
    report = base.with_sections([Section("s1", "Uno", ("Texto.",), figures=(fig,))])
    path, _ = write_report(report, "json,xlsx", tmp_path / "data")
    assert calls == [] and json.loads(path.read_text(encoding="utf-8"))["sections"][0]["figures"] == ["bars"]
    write_report(report, "html,md", tmp_path / "pages")
    assert calls == ["drawn"]
    assert fig.alt == charts.to_spec(draw())["description"] and fig.spec["description"] == fig.alt
    assert Figure.drawn("x", "T", draw, described=False).alt == ""


def test_figure_png_is_the_spec_rendered_to_png(tmp_path: Path) -> None:
    """PNGs are rasterised from the SVG (one chart evaluation): the bytes are those of a direct PNG render."""
    from comercio.reports import vega
    from comercio.reports.writers import render_figures

    report = _report()
    (done,) = render_figures(report, tmp_path).values()
    direct = vega.render(done.figure.spec, tmp_path / "direct.png", "png")
    assert done.png.read_bytes() == direct.read_bytes()
    assert done.svg == (tmp_path / "figure-bars.svg").read_text(encoding="utf-8")


def test_files_are_listed_in_the_order_asked_with_the_pdf_previews_after_the_pdf(tmp_path: Path) -> None:
    names = [p.name for p in write_report(_report(), "json,pdf,md", tmp_path)]
    assert names[:2] == ["report.json", "report.pdf"] and names[-1] == "report.md"
    assert all(re.fullmatch(r"report-page-\d+\.png", n) for n in names[2:-1])
    if shutil.which("pdftoppm"):
        assert len(names) > 3
