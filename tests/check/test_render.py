"""The outputs of a check (Markdown, HTML, JSON, XLSX) from a fixed hand-built report.

After a deliberate change of wording or layout: ``pytest --snapshot-update tests/check/test_render.py``, then
read the diff of ``__snapshots__/test_render.ambr``.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from _render_sample import TEXT, sample_report
from openpyxl import load_workbook

import comercio
from comercio.check._describe import computed_text, window_text
from comercio.check.model import CheckReport, Claim, Number, Period, Skipped, Subject
from comercio.check.render import FORMATS, html_fragment, parse_formats, render, write
from comercio.errors import ConfigError
from comercio.reports.fmt import Formatter


@pytest.fixture(scope="module")
def report() -> CheckReport:
    return sample_report()


def test_json_is_exactly_the_report_as_dict(report: CheckReport) -> None:
    text = render(report, "json")
    assert isinstance(text, str)
    assert json.loads(text) == report.as_dict()
    assert "Cajamarca" in text and "línea" not in text  # the text itself is not repeated
    assert "exportó" not in text and "ene–nov" not in text
    assert '"verdict": "not_checkable"' in text and "\\u" not in text  # UTF-8 kept, English codes


@pytest.mark.parametrize("lang", ["es", "en"])
def test_markdown(report: CheckReport, lang: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    assert render(report, "md", lang) == snapshot


@pytest.mark.parametrize("lang", ["es", "en"])
def test_html_fragment(report: CheckReport, lang: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    assert html_fragment(report, lang) == snapshot


def test_every_word_of_the_markdown_is_in_the_language_asked(report: CheckReport) -> None:
    es, en = render(report, "md", "es"), render(report, "md", "en")
    assert isinstance(es, str) and isinstance(en, str)
    for spanish, english in [
        ("coherente", "consistent"),
        ("cercana", "close"),
        ("difiere", "differs"),
        ("no verificable", "not checkable"),
        ("no interpretada", "not understood"),
        ("Cifras verificadas", "Checked figures"),
    ]:
        assert spanish in es and spanish not in en
        assert english in en
    assert (
        "| 6 | 5,1 % | Cajamarca (departamento) · participación (exportaciones) · 2022 | 5,2\u202f% |" in es
    )
    assert "ene–nov 2025" in es and "Jan–Nov 2025" in en
    assert "&lt;nor&gt;" in es and "<nor>" not in es  # no raw HTML out of a reason


class _Page(HTMLParser):
    """Collects what the tests look at: marks (id, class, text), table rows, links, tags and attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.marks: dict[str, dict[str, str]] = {}
        self.rows: set[str] = set()
        self.hrefs: list[str] = []
        self.tags: set[str] = set()
        self.attrs: set[str] = set()
        self._mark: str | None = None
        self._depth = 0
        self.prose: list[str] = []
        self._in_prose = False
        self._skip = 0  # inside a mark's <sup> or tooltip: not text of the input

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        self.attrs.update(a)
        if a.get("class") == "ck-prose":
            self._in_prose = True
        if tag == "mark":
            self._mark = a["id"]
            self.marks[a["id"]] = {"class": a["class"], "title": a["title"], "text": ""}
        elif (self._mark and (tag == "sup" or a.get("class") == "ck-tip")) or self._skip:
            self._skip += 1
        if tag == "tr" and a.get("id"):
            self.rows.add(a["id"])
        if tag == "a":
            self.hrefs.append(a["href"])
        if self._in_prose and tag == "p" and self.prose:
            self.prose.append("\n")  # with the line break between </p> and <p>: a blank line

    def handle_endtag(self, tag: str) -> None:
        if self._skip and tag in ("sup", "span"):
            self._skip -= 1
        elif tag == "mark":
            self._mark = None
        elif tag == "div" and self._in_prose:
            self._in_prose = False

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._mark:
            self.marks[self._mark]["text"] += data
        if self._in_prose:
            self.prose.append(data)


def _page(html: str) -> _Page:
    parser = _Page()
    parser.feed(html)
    return parser


def test_html_marks_every_figure_with_its_verdict_and_links_it_to_its_row(report: CheckReport) -> None:
    html = render(report, "html", "es")
    assert isinstance(html, str)
    page = _page(html)
    items: list[Claim | Skipped] = sorted((*report.claims, *report.skipped), key=lambda i: i.number.span)
    assert len(page.marks) == len(items) == 9
    for n, item in enumerate(items, start=1):
        mark = page.marks[f"ck-fig-{n}"]
        outcome = item.verdict if isinstance(item, Claim) else item.kind
        assert mark["class"] == f"ck-mark v-{outcome}"
        assert mark["text"] == item.number.printed == TEXT[slice(*item.number.span)]
        assert f"#ck-row-{n}" in page.hrefs and f"ck-row-{n}" in page.rows and f"#ck-fig-{n}" in page.hrefs
    assert (
        page.marks["ck-fig-8"]["title"] == "difiere — Calculado: −4,2\u202f% — the data say a fall of 4,2 %"
    )
    # The prose is the input text, paragraph for paragraph (marks' numbers and tooltips aside).
    prose = "".join(page.prose).strip()
    assert prose == TEXT


def test_html_is_inert_self_contained_and_says_each_verdict_in_words(report: CheckReport) -> None:
    html = render(report, "html", "en")
    assert isinstance(html, str)
    page = _page(html)
    assert "script" not in page.tags and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "b" not in page.tags and "&lt;b&gt;más&lt;/b&gt;" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html) and "@import" not in html and "url(" not in html
    assert "<style>" in html and '<meta name="viewport"' in html
    fragment = html_fragment(report, "en")
    assert "style=" not in fragment and "<style" not in fragment  # a strict CSP page can show it
    for words in ("(consistent)", "(close)", "(differs)", "(not checkable)", "(not understood)"):
        assert words in html  # colour is not the only cue


def test_synthetic_data_are_said_in_every_format() -> None:
    plain, synthetic = sample_report(), sample_report(synthetic=True)
    for lang, words in (("es", "Datos sintéticos"), ("en", "Synthetic data")):
        for fmt in ("md", "html"):
            assert words not in str(render(plain, fmt, lang))
            assert words in str(render(synthetic, fmt, lang))
        book = load_workbook(io.BytesIO(render(synthetic, "xlsx", lang)))  # type: ignore[arg-type]
        about = [c.value for c in book.worksheets[2]["A"] if c.value]
        assert any(str(v).startswith(words) for v in about)
    assert json.loads(str(render(synthetic, "json")))["synthetic"] is True


def test_xlsx_keeps_numbers_as_numbers_and_codes_as_text(report: CheckReport) -> None:
    data = render(report, "xlsx", "en")
    assert isinstance(data, bytes)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Claims", "Not checked", "About"]
    claims = book["Claims"]
    head = [c.value for c in claims[1]]
    assert head[:3] == ["No.", "Printed figure", "Value read"] and "Computed value" in head
    rows = {r[0]: dict(zip(head, r, strict=True)) for r in claims.iter_rows(min_row=2, values_only=True)}
    assert sorted(rows) == [2, 3, 5, 6, 7, 8]
    cajamarca = rows[5]
    assert cajamarca["Value read"] == pytest.approx(3_530.1e6) and cajamarca["Code"] == "06"
    assert cajamarca["Computed value"] == pytest.approx(3_530_123_456.0) and cajamarca["Period"] == "2022"
    assert cajamarca["Verdict"] == "consistent" and cajamarca["Dataset"] == "bcrp_departments"
    computed = claims.cell(row=4, column=head.index("Computed value") + 1)  # row of figure 5
    assert "US$" in computed.number_format and "million" in computed.number_format
    share = claims.cell(row=5, column=head.index("Value read") + 1)  # figure 6, 5,1 %
    assert share.value == pytest.approx(0.051) and share.number_format.endswith("%")
    assert rows[3]["Computed value"] is None and rows[3]["Period"] == "Jan–Nov 2025"
    skipped = list(book["Not checked"].iter_rows(min_row=2, values_only=True))
    assert skipped == [
        (1, "2025", "date or period", "sets the window of the sentence"),
        (4, "2022", "date or period", "sets the window of the sentence"),
        (9, "2 mil", "not understood", "no measure <nor> subject near it"),
    ]
    about = {r[0]: r[1:] for r in book["About"].iter_rows(values_only=True) if r[0]}
    assert about["comercio version"][0] == comercio.__version__
    assert about["Text"][0] == "nota_<prensa>.txt" and about["Published"][0] == "December 28, 2025"
    assert about["differs"][0] == 2 and about["date or period"][0] == 2


def test_write_puts_each_format_in_the_directory(report: CheckReport, tmp_path: Path) -> None:
    out = tmp_path / "new" / "dir"
    paths = write(report, ["json", "md", "html", "xlsx"], out, "es")
    assert [p.name for p in paths] == ["check.json", "check.md", "check.html", "check.xlsx"]
    assert paths[1].read_text("utf-8") == render(report, "md", "es")
    assert paths[3].read_bytes()[:2] == b"PK"


def test_formats_are_checked_and_named() -> None:
    assert parse_formats("md, HTML,md") == ["md", "html"] and parse_formats(FORMATS) == list(FORMATS)
    with pytest.raises(ConfigError, match="unknown format 'pdf'"):
        parse_formats("md,pdf")
    with pytest.raises(ConfigError, match="no format given"):
        parse_formats(" ")
    with pytest.raises(ConfigError, match="unsupported language 'fr'"):
        render(sample_report(), "md", "fr")


def test_an_empty_text_and_overlapping_spans_still_render() -> None:
    empty = CheckReport("", "es", None, (), ())
    md = render(empty, "md")
    assert "sin fecha" in str(md) and "El texto no contiene cifras" in str(md)
    assert "El texto está vacío." in html_fragment(empty)
    base = sample_report()
    first = base.claims[2]
    inside = replace(
        first, number=replace(first.number, span=(first.number.span[0] + 4, first.number.span[1]))
    )
    outside = replace(first, number=replace(first.number, span=(len(TEXT) + 5, len(TEXT) + 9)))
    page = _page(html_fragment(replace(base, claims=(*base.claims, inside, outside))))
    assert len(page.marks) == 9  # the overlapping and the out-of-text spans are only in the table
    assert {"ck-row-10", "ck-row-11"} <= page.rows


@pytest.mark.parametrize(
    ("start", "end", "es", "en"),
    [
        ("2025-01", "2025-11", "ene–nov 2025", "Jan–Nov 2025"),
        ("2022-01", "2022-12", "2022", "2022"),
        ("2024-12", "2025-11", "dic 2024–nov 2025", "Dec 2024–Nov 2025"),
        ("2025-09", "2025-09", "set 2025", "Sep 2025"),
    ],
)
def test_windows_read_compactly(start: str, end: str, es: str, en: str) -> None:
    assert window_text(start, end, "es") == es and window_text(start, end, "en") == en


@pytest.mark.parametrize(
    ("printed", "value", "unit", "half", "measure", "computed", "expected"),
    [
        ("US$ 3.530,1 millones", 3_530.1e6, "usd", 5e4, "value", 3_530_149_999.0, "US$ 3 530,1 millones"),
        ("US$ 68 120 millones", 68_120e6, "usd", 5e5, "value", 68_119_600_000.0, "US$ 68 120 millones"),
        ("64 %", 0.64, "fraction", 0.005, "growth", 0.64123, "+64,1 %"),
        ("84,32 %", 0.8432, "fraction", 0.00005, "share", 0.84318, "84,32 %"),
        ("20", 20, "count", 0.5, "count", 17.0, "17"),
    ],
)
def test_the_computed_value_is_shown_at_the_printed_precision(
    printed: str, value: float, unit: str, half: float, measure: str, computed: float, expected: str
) -> None:
    number = Number((0, len(printed)), printed, value, unit, half)  # type: ignore[arg-type]
    claim = Claim(
        number,
        Subject("national", None, "el país"),
        measure,  # type: ignore[arg-type]
        Period("2022-01", "2022-12", "year", "en 2022"),
        "consistent",
        computed=computed,
    )
    assert computed_text(claim, Formatter("es")).replace("\u202f", " ").replace("\u00a0", " ") == expected


def test_a_skipped_number_is_never_in_the_claims_table() -> None:
    skipped = Skipped(Number((5, 10), "2 mil", 2000, "plain", 0.5), "not_understood", "sin sujeto")
    only = CheckReport("Dijo 2 mil.", "es", None, (), (skipped,))
    md = str(render(only, "md"))
    assert "| 1 | 2 mil | … no interpretada | sin sujeto |" in md


def test_the_page_has_one_h1_and_the_fragment_fits_under_a_page_h1(report: CheckReport) -> None:
    page = str(render(report, "html"))
    assert page.count("<h1") == 1 and "<h3" not in page and page.count("<h2") == 4
    fragment = html_fragment(report)
    assert "<h1" not in fragment and fragment.count("<h2") == 1 and fragment.count("<h3") == 4
    with pytest.raises(ValueError, match="heading level"):
        html_fragment(report, level=6)


def test_xlsx_shows_each_figure_at_its_printed_precision() -> None:
    text = "Puno exportó US$ 912,5 millones; Ica, US$ 2 362 millones."
    claims = tuple(
        Claim(
            Number(_span(text, printed), printed, value, "usd", half),
            Subject("department", code, name),
            "value",
            Period("2022-01", "2022-12", "year", "en 2022"),
            "consistent",
            computed=computed,
        )
        for printed, value, half, code, name, computed in [
            ("US$ 912,5 millones", 912.5e6, 5e4, "21", "Puno", 912_480_000.0),
            ("US$ 2 362 millones", 2_362e6, 5e5, "11", "Ica", 2_362_300_000.0),
        ]
    )
    book = load_workbook(io.BytesIO(render(CheckReport(text, "es", None, claims, ()), "xlsx")))  # type: ignore[arg-type]
    sheet = book["Cifras"]
    head = [c.value for c in sheet[1]]
    value, computed = head.index("Valor leído") + 1, head.index("Valor calculado") + 1
    assert ".0,," in sheet.cell(row=2, column=value).number_format  # one decimal, in millions
    assert ".0,," in sheet.cell(row=2, column=computed).number_format
    assert "#,##0,," in sheet.cell(row=3, column=value).number_format  # printed without decimals
    assert ".0,," not in sheet.cell(row=3, column=computed).number_format


def _span(text: str, printed: str) -> tuple[int, int]:
    start = text.index(printed)
    return (start, start + len(printed))


def test_a_claim_without_window_or_subject_renders_everywhere() -> None:
    text = "Subieron 12 % sin decir cuándo."
    bare = Claim(
        Number(_span(text, "12 %"), "12 %", 0.12, "fraction", 0.005, sign=1),
        None,
        "growth",
        None,
        "not_checkable",
        reason="sin periodo",
    )
    report = CheckReport(text, "es", None, (bare,), ())
    assert "| 1 | 12 % | variación (exportaciones) |  | ? no verificable |" in str(render(report, "md"))
    assert 'id="ck-fig-1"' in html_fragment(report)
    book = load_workbook(io.BytesIO(render(report, "xlsx", "en")))  # type: ignore[arg-type]
    row = [c.value for c in book["Claims"][2]]
    assert row[:3] == [1, "12 %", 0.12] and "not checkable" in row
    assert json.loads(str(render(report, "json")))["claims"][0]["window"] is None
