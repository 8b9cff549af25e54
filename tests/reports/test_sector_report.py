"""The sector study written to files from official data (WTO, SUNAT G1/F1/G6): formats, the figures the issue
asks for in report.json, basket naming, no synthetic banner, sections listed as not included, and every number
in its Spanish and English narrative matched to a fact formatted the same way. The synthetic BACI world side
(an HS basket) is still labelled synthetic wherever it appears."""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from comercio.indicators.facts import Fact, FactSet, make
from comercio.indicators.sector import SectorFacts, sector_facts
from comercio.indicators.specs import Comparison, Window
from comercio.reports import sector as sector_report
from comercio.reports.fmt import Formatter, ParsedNumber, find_numbers
from comercio.reports.sector import build_sector_report, write_sector
from comercio.reports.writers import Report
from comercio.warehouse import Warehouse

THROUGH = "2025-04"
MILLION = 1e6


@pytest.fixture(scope="module")
def sf2024(report_wh: Warehouse) -> SectorFacts:
    """The issue's run: ``--basket metalmecanica --through 2024-12`` on official data."""
    return sector_facts(report_wh, "metalmecanica", "2024-12")


def synthetic_world(sf: SectorFacts) -> SectorFacts:
    """The study as if its world side came from a synthetic BACI twin (the HS form): world and peer facts
    marked synthetic, from dataset ``world_trade``."""
    facts = FactSet(
        dataclasses.replace(f, dataset="world_trade", synthetic=True)
        if f.id.startswith(("world.", "peers.", "subsector."))
        else f
        for f in sf.facts
    )
    return dataclasses.replace(sf, facts=facts, world_form="hs")


def test_the_issue_figures_are_in_report_json(report_wh: Warehouse, tmp_path: Path) -> None:
    paths = write_sector(report_wh, through="2024-12", lang="es", formats="html,md,json", out=tmp_path)
    assert {p.name for p in paths} >= {"report.html", "report.md", "report.json"}
    doc = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert doc["synthetic"] is False
    facts = {f["id"]: f for f in doc["facts"]}
    world = facts["world.exports.value"]
    assert world["value"] == pytest.approx(7_975_910 * MILLION)  # WTO World MAMT 2023
    assert world["window"]["end"].startswith("2023") and world["extra"]["basket_code"] == "MAMT"
    assert facts["world.exports.value.2001"]["value"] == pytest.approx(2_481_923 * MILLION)
    assert facts["world.exports.share.asia.2001"]["value"] == pytest.approx(0.323, abs=5e-4)
    assert facts["world.exports.share.asia.2023"]["value"] == pytest.approx(0.497, abs=5e-4)
    assert facts["world.share_of_trade"]["value"] == pytest.approx(7_975_910 / 23_813_309)
    assert facts["world.share_of_manufactures"]["value"] == pytest.approx(7_975_910 / 15_545_444)
    assert facts["peers.CHL.exports.value"]["value"] == pytest.approx(1_596 * MILLION)
    assert facts["peers.COL.exports.value"]["value"] == pytest.approx(1_923 * MILLION)
    assert facts["peru.exports.value"]["value"] == pytest.approx(740_671_458, abs=1)  # G1 2024
    assert facts["peru.exports.value"]["extra"]["basket_form"] == "g1"
    assert facts["peru.imports.value"]["value"] == pytest.approx(15_976 * MILLION)
    assert facts["peru.balance.value"]["value"] == pytest.approx((608 - 15_976) * MILLION)
    top = facts["destinations.top"]
    assert top["value"][:2] == ["CN", "US"] and top["extra"]["basket_form"] == "all"
    assert facts["destinations.US.value"]["value"] == pytest.approx(9_501.9 * MILLION, abs=0.05 * MILLION)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "DATOS SINTÉTICOS" not in html and "datos sintéticos" not in html.lower()
    assert "Fuente: OMC (WTO Stats); SUNAT, cuadros G1/F1/G6." in html


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_figure_names_its_basket(sf2024: SectorFacts, lang: str) -> None:
    report = build_sector_report(sf2024, lang)
    forms = {f.form: f.name(lang) for f in sf2024.forms if f.role == "group"}
    by_id = {s.id: s for s in report.sections if not s.omitted}
    wto, g1 = forms["wto"], forms["g1"]
    for sid in ("world_exports", "world_weight", "peers", "peru_imports", "subsectors"):
        assert wto in " ".join(by_id[sid].paragraphs), sid
    for t in report.tables():
        if t.id.startswith(("world-", "peers", "balance", "subsectors")):
            assert wto in t.title, t.id
    g1_table = next(t for t in report.tables() if t.id == "g1-annual")
    assert g1 in by_id["peru_exports"].paragraphs[0] and g1 in g1_table.title
    all_products = "todos los productos" if lang == "es" else "all products"
    assert all_products in by_id["destinations"].paragraphs[0]
    assert all(all_products in t.title for t in report.tables() if t.id == "destinations-top")
    assert "CUODE" in by_id["imports_context"].paragraphs[0]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_different_baskets_side_by_side_say_why(sf2024: SectorFacts, lang: str) -> None:
    """The G1 figure beside the WTO one comes with the sentence on why they differ, and both values of the
    same year; F1's use groups say why they are not netted against the group's exports."""
    fmt = Formatter(lang)
    report = build_sector_report(sf2024, lang)
    summary = " ".join(report.sections[0].paragraphs)
    why = "no se compara directamente" if lang == "es" else "does not compare directly"
    assert why in summary and ("CUCI 7" if lang == "es" else "SITC 7") in summary
    assert fmt.money(sf2024.facts.value("peru.exports.value.{year}", year="2023")) in summary
    assert fmt.money(608 * MILLION) in summary
    context = next(s for s in report.sections if s.id == "imports_context").paragraphs[0]
    assert ("por su uso y no por producto" if lang == "es" else "by their use, not by product") in context
    balance = next(s for s in report.sections if s.id == "peru_imports").paragraphs[0]
    assert "FOB" in balance and "CIF" in balance


def test_headline_is_the_deficit_and_the_methods_list_what_line_detail_would_add(sf2024: SectorFacts) -> None:
    report = build_sector_report(sf2024, "es")
    fmt = Formatter("es")
    first = report.sections[0].paragraphs[0]
    assert (
        first.startswith("En 2023, el Perú exportó")
        and "déficit comercial de " + fmt.money(15_368e6) in first
    )
    left_out = {s.id: s.paragraphs[0] for s in report.omitted_sections()}
    assert {"basket_destinations", "basket_origins"} <= set(left_out)
    assert "declaraciones de exportación" in left_out["basket_destinations"]
    assert "país de origen" in left_out["basket_origins"]
    assert all(p.startswith("Requiere ") for p in left_out.values())
    assert not report.synthetic and report.synthetic_notice is None


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_growth_note_names_the_month_that_drives_it(sf2024: SectorFacts, lang: str) -> None:
    driver = sf2024.facts.get("peru.exports.growth_driver")
    assert driver is not None
    text = next(s for s in build_sector_report(sf2024, lang).sections if s.id == "peru_exports").paragraphs[0]
    fmt = Formatter(lang)
    assert fmt.money(driver.extra["value"]) in text and fmt.money(driver.extra["previous"]) in text
    assert fmt.pct(driver.extra["growth_without"], signed=True) in text


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_synthetic_world_side_is_labelled(sf: SectorFacts, lang: str) -> None:
    report = build_sector_report(synthetic_world(sf), lang)
    assert report.synthetic and report.synthetic_notice
    marker = "datos sintéticos" if lang == "es" else "synthetic data"
    assert "CEPII BACI" in report.source and marker in report.source
    world = next(s for s in report.sections if s.id == "world_exports")
    assert marker in world.tables[0].note
    methods = " ".join(next(s for s in report.sections if s.id == "methods").paragraphs)
    hs = next(f for f in sf.forms if f.form == "hs" and f.role == "group").name(lang)
    assert f"{hs}, {'con datos de' if lang == 'es' else 'with'} CEPII BACI" in methods
    assert "ITS_MTV_AX" not in methods  # the WTO group is not described: the world side did not use it
    assert not build_sector_report(sf, lang).synthetic


def test_pdf_and_xlsx_are_written(report_wh: Warehouse, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    paths = write_sector(report_wh, through=THROUGH, lang="es", formats="pdf,xlsx", out=tmp_path)
    pdf = tmp_path / "report.pdf"
    assert pdf in paths and pdf.read_bytes()[:5] == b"%PDF-"
    wb = load_workbook(tmp_path / "report.xlsx")
    numbers = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert any(isinstance(v, float | int) and not isinstance(v, bool) for v in numbers)


def test_the_world_side_can_be_asked_on_the_hs_basket(report_wh: Warehouse, tmp_path: Path) -> None:
    """``world_form="hs"`` uses the HS basket: without CEPII BACI loaded, the world side is left out and the
    methods box says what it would need (never WTO figures under the HS basket's name)."""
    write_sector(report_wh, through="2024-12", formats="json", out=tmp_path, world_form="hs")
    doc = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    ids = {f["id"] for f in doc["facts"]}
    assert "peru.exports.value" in ids
    assert not any(i.startswith("world.") for i in ids)
    assert "BACI" in json.dumps(doc, ensure_ascii=False)


def test_the_report_module_only_reads_facts() -> None:
    """No synthetic data, no ingest, no SQL in the report: the demo and the CLI prepare the warehouse."""
    for module in (sector_report, __import__("comercio.reports.sector_context", fromlist=["x"])):
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        forbidden = ("comercio.ingest", "comercio.synth", "comercio.warehouse", "ibis", "duckdb")
        assert not [m for m in imported if m.startswith(forbidden)]


def test_the_demo_writes_the_study_without_synthetic_data() -> None:
    from comercio import demo

    tree = ast.parse(Path(demo.__file__).read_text(encoding="utf-8"))
    imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not [m for m in imported if m.startswith("comercio.synth")]


# -- every number in the text is a fact ------------------------------------------------------------------
def _years(facts: FactSet) -> set[str]:
    """Years of the facts' windows and of the windows they are compared with."""
    years: set[int] = set()
    for f in facts:
        ys = {int(f.window[k][:4]) for k in ("start", "end") if f.window.get(k)}
        back = int((f.comparison or {}).get("years", 0))
        years |= ys | {y - back for y in ys}
    return {str(y) for y in years}


def _numbers(f: Fact) -> list[tuple[str, float]]:
    """(unit, value) a fact prints: its value, and the figures its ``extra`` records (a driver month's value,
    previous value and growth without it)."""
    out: list[tuple[str, float]] = []
    if isinstance(f.value, int | float) and not isinstance(f.value, bool):
        out.append((f.unit, float(f.value)))
    for key, unit in (("value", "usd"), ("previous", "usd"), ("growth_without", "fraction")):
        v = (f.extra or {}).get(key)
        if isinstance(v, int | float) and not isinstance(v, bool):
            out.append((unit, float(v)))
    return out


def _candidates(facts: FactSet, lang: str, p: ParsedNumber, codes: frozenset[str]) -> set[str]:
    """How each fact of the parsed number's kind prints with the same decimals (and the codes allowed).

    A balance prints as its size ("un déficit de US$ …"), a share change in points."""
    fmt = Formatter(lang)
    out: set[str] = set()
    for f in facts:
        if p.kind == "number" and f.unit == "members" and isinstance(f.value, list):
            out.add(fmt.number(len(f.value)))  # "the top 10": the length of a ranking
        for unit, v in _numbers(f):
            if p.kind == "money" and unit == "usd":
                out |= {fmt.money(v), fmt.money(abs(v))}
            elif p.kind == "pct" and unit == "fraction":
                out |= {fmt.pct(v, decimals=p.decimals), fmt.pct(v, decimals=p.decimals, signed=True)}
            elif p.kind == "pp" and unit == "fraction":
                out.add(fmt.pp(v, signed=True))
            elif p.kind == "number" and unit == "count":
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


def _codes(sf: SectorFacts, lang: str) -> frozenset[str]:
    """Numbers that are codes in the baskets' names and definitions (CUCI 7, CUODE 8, SA 73, 82–90 …)."""
    text = " ".join(f"{f.name(lang)} {f.definition(lang)}" for f in sf.forms)
    return frozenset(p.text for p in find_numbers(text, lang))


def _check(sf: SectorFacts, lang: str) -> int:
    """Assert every number of the narrative is a fact or a code of a basket's name."""
    report = build_sector_report(sf, lang)
    assert unmatched(_text(report), sf.facts, lang, _codes(sf, lang)) == []
    return len(find_numbers(_text(report, methods=False), lang))


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_number_is_a_fact(sf: SectorFacts, sf2024: SectorFacts, lang: str) -> None:
    assert _check(sf, lang) >= 60  # the check is not vacuous
    assert _check(sf2024, lang) >= 60


def _lines_fact(template: str, value: Any, **parts: str) -> Fact:
    w = Window.ytd(THROUGH)
    cmp = Comparison().as_dict() if template.endswith("growth") else None
    return make(template, value, parts=parts, window=w.as_dict(), comparison=cmp, dataset="customs_lines")


def enriched(sf: SectorFacts) -> SectorFacts:
    """The real facts plus invented customs-line facts, to render the basket's destinations and origins."""
    facts = FactSet(sf.facts)
    for direction, partners in (
        (
            "basket_destinations",
            {
                "US": (61.5e6, 0.412, 0.153),
                "CL": (20.2e6, 0.135, -0.021),
                "MX": (9.9e6, 0.066, None),
                "CO": (7.4e6, 0.049, 0.31),
                "EC": (5.8e6, 0.039, -0.12),
            },
        ),
        (
            "basket_origins",
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
    return dataclasses.replace(sf, facts=facts, omitted={})


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_number_is_a_fact_in_the_customs_line_sections(sf: SectorFacts, lang: str) -> None:
    rich = enriched(sf)
    report = build_sector_report(rich, lang)
    by_id = {s.id: s for s in report.sections}
    assert not any(s.omitted for s in report.sections)
    assert {"basket_destinations", "basket_origins"} <= set(by_id)
    assert ("Estados Unidos" if lang == "es" else "United States") in by_id["basket_destinations"].paragraphs[
        0
    ]
    assert _check(rich, lang) >= 80


EXPECTED_PARTNERS = {
    "es": (
        "en enero-abril de 2025 el principal destino del grupo fue Estados Unidos, con US$ 61,5 millones"
        " (+15,3 % respecto de enero-abril de 2024); le siguieron Chile, con US$ 20,2 millones (−2,1 %),"
        " y México, con US$ 9,9 millones (sin envíos un año antes)."
        " Más atrás se ubicaron Colombia y Ecuador.",
        "el principal proveedor del grupo fue China, con US$ 812 millones"
        " (sin compras en enero-abril de 2024)",
    ),
    "en": (
        "the group's leading destination in January-April 2025 was the United States, with US$ 61.5 million"
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
    assert destinations in by_id["basket_destinations"]
    assert origins in by_id["basket_origins"]
    for text in (by_id["basket_destinations"], by_id["basket_origins"]):
        assert text.count("2024") == 1 and "variación respecto" not in text and "growth on" not in text


def test_matcher_catches_a_wrong_number(sf: SectorFacts) -> None:
    fmt = Formatter("es")
    good = fmt.money(sf.facts.value("world.{side}.value", side="exports"))
    bad = fmt.money(sf.facts.value("world.{side}.value", side="exports") * 1.05)
    assert unmatched(f"sumaron {good}.", sf.facts, "es") == []
    assert unmatched(f"sumaron {bad}.", sf.facts, "es") == [bad]
    assert unmatched("en 1987 y con 73 subpartidas", sf.facts, "es") == ["1987", "73"]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_without_wto_or_g1_the_study_says_what_is_missing(sf: SectorFacts, lang: str) -> None:
    """No world data: the world sections go, the notice says which data they need; no G1: likewise."""
    no_world = FactSet(f for f in sf.facts if f.dataset != "wto_merchandise")
    reason = "WTO merchandise values not loaded"
    omitted = {"world": reason, "peers": reason, "peru_imports": reason, "subsectors": reason}
    report = build_sector_report(
        dataclasses.replace(sf, facts=no_world, omitted=omitted, world_years=None, world_form=None), lang
    )
    ids = {s.id for s in report.sections if not s.omitted}
    assert not ids & {"world_exports", "world_imports", "world_weight", "peers", "peru_imports", "subsectors"}
    assert {"summary", "peru_exports", "imports_context", "destinations", "methods"} <= ids
    left_out = {s.id for s in report.omitted_sections()}
    assert {"world", "peru_imports", "subsectors"} <= left_out
    assert "OMC" not in report.source and "WTO" not in report.source and "SUNAT" in report.source
    methods = " ".join(next(s for s in report.sections if s.id == "methods").paragraphs)
    assert not any(w in methods for w in ("OMC", "WTO", "BACI", "CUCI 7)", "SITC 7)")), methods
    assert "G1" in methods and "F1" in methods and "G6" in methods
    no_g1 = FactSet(f for f in sf.facts if not f.id.startswith("peru.exports"))
    g1_missing = dataclasses.replace(sf, facts=no_g1, omitted={"peru_exports": "no G1 group"})
    report = build_sector_report(g1_missing, lang)
    assert "peru_exports" in {s.id for s in report.omitted_sections()}
    assert unmatched(_text(report), g1_missing.facts, lang, _codes(sf, lang)) == []
