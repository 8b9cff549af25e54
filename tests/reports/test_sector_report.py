"""The sector study written to files: formats, synthetic labelling, omitted sections, and every number in its
Spanish and English narrative matched to a fact formatted the same way."""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from comercio import reference
from comercio.indicators.facts import Fact, FactSet, make
from comercio.indicators.sector import SectorFacts
from comercio.indicators.specs import Comparison, Window
from comercio.reports import sector as sector_report
from comercio.reports.fmt import Formatter, ParsedNumber, find_numbers
from comercio.reports.sector import build_sector_report, write_sector
from comercio.reports.writers import Report
from comercio.warehouse import Warehouse

THROUGH = "2025-04"


@pytest.mark.parametrize("lang", ["es", "en"])
def test_written_files_exist_and_say_synthetic(report_wh: Warehouse, tmp_path: Path, lang: str) -> None:
    paths = write_sector(report_wh, through=THROUGH, lang=lang, formats="html,md,json", out=tmp_path)
    names = {p.name for p in paths}
    assert names == {"report.html", "report.md", "report.json"}
    assert (tmp_path / "figure-world-exports.png").stat().st_size > 1000
    marker = "datos sintéticos" if lang == "es" else "synthetic data"
    for p in paths:
        assert marker in p.read_text(encoding="utf-8").lower(), p.name
    doc = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert doc["synthetic"] is True
    published = FactSet(Fact.from_dict(d) for d in doc["facts"])  # ids rebuilt from family and parts
    ids = {f.id for f in published}
    assert {"world.exports.value.2001", "world.exports.share.asia.2024", "peers.PER.exports"} <= ids


def test_spanish_prose_takes_its_numbers_from_facts(sf: SectorFacts) -> None:
    report = build_sector_report(sf, "es")
    fmt = Formatter("es")
    summary = report.sections[0].paragraphs[0]
    assert fmt.money(sf.facts.value("peru.exports.value")) in summary
    assert fmt.money(sf.facts.value("world.exports.value")) in summary
    assert fmt.pct(sf.facts.value("peru.exports.growth"), signed=True) in summary
    assert fmt.pct(sf.facts.value("world.basket.share_of_manufactures")) in summary
    assert sf.world_years is not None
    first = str(sf.world_years[0])
    assert fmt.pct(sf.facts.value("world.basket.share_of_manufactures.{year}", year=first)) in summary
    assert "datos sintéticos" in summary
    english = build_sector_report(sf, "en").sections[0].paragraphs[0]
    assert Formatter("en").pct(sf.facts.value("world.basket.share_of_manufactures")) in english
    omitted = {s.id for s in report.sections if s.omitted}
    assert {"peru_imports", "destinations", "origins"} <= omitted
    # read as items of the list "Secciones no incluidas", not as "Esta sección se omite: …"
    assert all(s.paragraphs[0].startswith("Requiere ") for s in report.sections if s.omitted)


@pytest.mark.parametrize(("lang", "names"), [("es", ("Europa", "Chile", "Perú")), ("en", ("Europe", "Peru"))])
def test_names_come_from_the_reference_tables_in_the_language_asked(
    sf: SectorFacts, lang: str, names: tuple[str, ...]
) -> None:
    report = build_sector_report(sf, lang)
    text = _text(report)
    assert all(n in text for n in names), names
    table = next(s for s in report.sections if s.id == "world_exports").tables[0]
    assert table.columns[0].label == ("Año" if lang == "es" else "Year")
    methods = next(s for s in report.sections if s.id == "methods").paragraphs[0]
    assert "prefixes" not in methods and "prefijos" not in methods  # was "10 prefijos / prefixes (…)"


def test_pdf_and_xlsx_are_written(report_wh: Warehouse, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    paths = write_sector(report_wh, through=THROUGH, lang="es", formats="pdf,xlsx", out=tmp_path)
    pdf = tmp_path / "report.pdf"
    assert pdf in paths and pdf.read_bytes()[:5] == b"%PDF-"
    wb = load_workbook(tmp_path / "report.xlsx")
    numbers = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert any(isinstance(v, float | int) and not isinstance(v, bool) for v in numbers)


def test_the_report_module_only_reads_facts() -> None:
    """No synthetic data, no ingest, no SQL in the report: the demo and the CLI prepare the warehouse."""
    tree = ast.parse(Path(sector_report.__file__).read_text(encoding="utf-8"))
    imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    forbidden = ("comercio.ingest", "comercio.synth", "comercio.warehouse", "ibis", "duckdb")
    assert not [m for m in imported if m.startswith(forbidden)]


# -- every number in the text is a fact ------------------------------------------------------------------
def _years(facts: FactSet) -> set[str]:
    """Years of the facts' windows and of the windows they are compared with."""
    years: set[int] = set()
    for f in facts:
        ys = {int(f.window[k][:4]) for k in ("start", "end") if f.window.get(k)}
        back = int((f.comparison or {}).get("years", 0))
        years |= ys | {y - back for y in ys}
    return {str(y) for y in years}


def _candidates(facts: FactSet, lang: str, p: ParsedNumber, codes: frozenset[str]) -> set[str]:
    """How each fact of the parsed number's kind prints with the same decimals (and the codes allowed)."""
    fmt = Formatter(lang)
    out: set[str] = set()
    for f in facts:
        v = f.value
        if p.kind == "number" and f.unit == "members" and isinstance(v, list):
            out.add(fmt.number(len(v)))  # "the top 10": the length of a ranking
        if isinstance(v, bool) or not isinstance(v, int | float):
            continue
        if p.kind == "money" and f.unit == "usd":
            out.add(fmt.money(v))
        elif p.kind == "pct" and f.unit == "fraction":
            out |= {fmt.pct(v, decimals=p.decimals), fmt.pct(v, decimals=p.decimals, signed=True)}
        elif p.kind == "number" and f.unit == "count":
            out.add(fmt.number(v))
    if p.kind == "number":
        out |= _years(facts) | codes
    return out


def unmatched(text: str, facts: FactSet, lang: str, codes: frozenset[str] = frozenset()) -> list[str]:
    """The numbers in ``text`` that no fact explains (``codes``: identifiers printed as such, e.g. HS)."""
    return [p.text for p in find_numbers(text, lang) if p.text not in _candidates(facts, lang, p, codes)]


def _text(report: Report, *, methods: bool = True) -> str:
    paragraphs = [p for s in report.sections if methods or s.id != "methods" for p in s.paragraphs]
    return "\n".join([report.title, report.subtitle, *paragraphs])


def _prefixes(basket: str) -> frozenset[str]:
    return frozenset(str(r["prefix"]) for r in reference.load("baskets").to_pylist() if r["basket"] == basket)


def _check(sf: SectorFacts, lang: str) -> int:
    """Assert every number of the narrative is a fact; the basket's HS prefixes only in the methods."""
    report = build_sector_report(sf, lang)
    methods = next(s for s in report.sections if s.id == "methods").paragraphs[0]
    assert unmatched(_text(report, methods=False), sf.facts, lang) == []
    assert unmatched(methods, sf.facts, lang, _prefixes(sf.basket)) == []
    return len(find_numbers(_text(report), lang))


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_number_is_a_fact(sf: SectorFacts, lang: str) -> None:
    assert _check(sf, lang) >= 30  # the check is not vacuous


def _lines_fact(template: str, value: Any, **parts: str) -> Fact:
    w = Window.ytd(THROUGH)
    cmp = Comparison().as_dict() if template.endswith("growth") else None
    return make(template, value, parts=parts, window=w.as_dict(), comparison=cmp, dataset="customs_lines")


def enriched(sf: SectorFacts) -> SectorFacts:
    """The real facts plus invented customs-line facts, to render the sections the test warehouse omits."""
    facts = FactSet(sf.facts)
    for direction, partners in (
        (
            "destinations",
            {
                "US": (61.5e6, 0.412, 0.153),
                "CL": (20.2e6, 0.135, -0.021),
                "MX": (9.9e6, 0.066, None),
                "CO": (7.4e6, 0.049, 0.31),
                "EC": (5.8e6, 0.039, -0.12),
            },
        ),
        (
            "origins",
            {"CN": (812e6, 0.371, None), "US": (401e6, 0.183, -0.0004), "BR": (75.25e6, 0.034, 1.5)},
        ),
    ):
        d = {"direction": direction}
        facts.add(_lines_fact("{direction}.top", list(partners), **d))
        for m, (value, share, growth) in partners.items():
            facts.add(_lines_fact("{direction}.{partner}.value", value, **d, partner=m))
            facts.add(_lines_fact("{direction}.{partner}.share", share, **d, partner=m))
            facts.add(_lines_fact("{direction}.{partner}.growth", growth, **d, partner=m))
        latam = [m for m in partners if m in ("CL", "MX", "BR", "CO", "EC")]
        facts.add(_lines_fact("{direction}.latam_top10.count", len(latam), **d))
        facts.add(_lines_fact("{direction}.latam_top10.share", sum(partners[m][1] for m in latam), **d))
    facts.add(_lines_fact("peru.imports.value", 2_187_400_000.0))
    facts.add(_lines_fact("peru.balance.value", sf.facts.value("peru.exports.ytd.value") - 2_187_400_000.0))
    return dataclasses.replace(sf, facts=facts, omitted={})


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_number_is_a_fact_in_the_customs_line_sections(sf: SectorFacts, lang: str) -> None:
    rich = enriched(sf)
    report = build_sector_report(rich, lang)
    by_id = {s.id: s for s in report.sections}
    assert not any(s.omitted for s in report.sections)
    assert {"destinations", "origins", "peru_imports"} <= set(by_id)
    assert ("Estados Unidos" if lang == "es" else "United States") in by_id["destinations"].paragraphs[0]
    assert _check(rich, lang) >= 50


EXPECTED_PARTNERS = {
    "es": (
        "en enero-abril de 2025 el principal destino del sector fue Estados Unidos, con US$ 61,5 millones"
        " (+15,3 % respecto de enero-abril de 2024); le siguieron Chile, con US$ 20,2 millones (−2,1 %),"
        " y México, con US$ 9,9 millones (sin envíos un año antes)."
        " Más atrás se ubicaron Colombia y Ecuador.",
        "el principal proveedor del sector fue China, con US$ 812 millones"
        " (sin compras en enero-abril de 2024)",
    ),
    "en": (
        "the sector's leading destination in January-April 2025 was United States, with US$ 61.5 million"
        " (+15.3% on January-April 2024), followed by Chile, with US$ 20.2 million (−2.1%), and Mexico,"
        " with US$ 9.9 million (no shipments a year earlier). Next came Colombia and Ecuador.",
        "leading supplier in January-April 2025 was China, with US$ 812 million"
        " (no purchases in January-April 2024)",
    ),
}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_partners_read_as_sentences_with_the_comparison_named_once(sf: SectorFacts, lang: str) -> None:
    """The first three partners in a sentence, the rest by name; no "(variación respecto de …)" heading."""
    report = build_sector_report(enriched(sf), lang)
    by_id = {s.id: s.paragraphs[0].replace("\u202f", " ").replace("\xa0", " ") for s in report.sections}
    destinations, origins = EXPECTED_PARTNERS[lang]
    assert destinations in by_id["destinations"]
    assert origins in by_id["origins"]
    for text in (by_id["destinations"], by_id["origins"]):
        assert text.count("2024") == 1 and "variación respecto" not in text and "growth on" not in text


def test_matcher_catches_a_wrong_number(sf: SectorFacts) -> None:
    fmt = Formatter("es")
    good = fmt.money(sf.facts.value("world.exports.value"))
    bad = fmt.money(sf.facts.value("world.exports.value") * 1.05)
    assert unmatched(f"sumaron {good}.", sf.facts, "es") == []
    assert unmatched(f"sumaron {bad}.", sf.facts, "es") == [bad]
    assert unmatched("en 1987 y con 73 subpartidas", sf.facts, "es") == ["1987", "73"]
