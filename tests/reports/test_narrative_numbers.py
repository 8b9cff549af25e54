"""Every number printed in the regional narrative is a fact, formatted by the house formatter."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from _cells import is_numeric, unmatched_cells

from comercio.indicators.facts import Fact, FactSet, make
from comercio.indicators.regional import RegionalFacts
from comercio.reports.fmt import Formatter, ParsedNumber, find_numbers, parse_number
from comercio.reports.regional import build_regional


@pytest.fixture(scope="module")
def rf_2022(built_home: Path, shared_data: Path) -> RegionalFacts:
    from comercio.config import Settings
    from comercio.indicators.regional import regional_facts
    from comercio.warehouse import Warehouse

    wh = Warehouse(Settings(home=built_home, mirror=str(shared_data)), read_only=True)
    return regional_facts(wh, "2022-11")


def _years(facts: FactSet) -> set[int]:
    years: set[int] = set()
    for f in facts:
        years |= {int(f.window[k][:4]) for k in ("start", "end") if f.window.get(k)}
        years |= {int(y) for key in ("years_used", "years") for y in f.extra.get(key, [])}
    return years


def _candidates(facts: FactSet, lang: str, p: ParsedNumber) -> set[str]:
    """How each fact of the parsed number's kind prints with the same decimals."""
    fmt = Formatter(lang)
    out: set[str] = set()
    for f in facts:
        v = f.value
        if isinstance(v, bool) or not isinstance(v, int | float):
            continue
        if p.kind == "money" and f.unit == "usd":
            out.add(fmt.money(v))
        elif p.kind == "pct" and f.unit == "fraction":
            # a change told with a verb prints its magnitude ("cayó 7,0 %")
            out |= {fmt.pct(v, decimals=p.decimals, signed=s) for s in (False, True)}
            out.add(fmt.pct(abs(v), decimals=p.decimals))
        elif p.kind == "number" and f.unit == "count":
            out.add(fmt.number(v))
    if p.kind == "number":
        out |= {str(y) for y in _years(facts)}
    return out


def _dates(facts: FactSet, lang: str) -> set[str]:
    """How the formatter prints the dates that code facts hold (a vintage's retrieval date)."""
    out: set[str] = set()
    for f in facts:
        if f.unit == "code" and isinstance(f.value, str):
            try:
                out.add(Formatter(lang).date_long(date.fromisoformat(f.value)))
            except ValueError:
                continue
    return out


def unmatched(text: str, facts: FactSet, lang: str) -> list[str]:
    """The numbers in ``text`` that no fact explains (a date counts when a fact holds it)."""
    for printed in _dates(facts, lang):
        text = text.replace(printed, "")
    return [p.text for p in find_numbers(text, lang) if p.text not in _candidates(facts, lang, p)]


def _narrative(rf: RegionalFacts, lang: str) -> str:
    report = build_regional(rf, lang)
    return "\n".join(p for s in report.sections for p in s.paragraphs)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_number_is_a_fact(rf_2022: RegionalFacts, lang: str) -> None:
    text = _narrative(rf_2022, lang)
    assert len(find_numbers(text, lang)) >= 40  # the check is not vacuous
    assert unmatched(text, rf_2022.facts, lang) == []


@pytest.mark.parametrize("month", ["2015-06", "2016-06", "2020-06", "2022-12"])
def test_every_number_is_a_fact_in_every_branch(built_home: Path, shared_data: Path, month: str) -> None:
    """Falls, mixed directions, a flat region, a tiny "No registrado" share, December: still only facts."""
    from comercio.config import Settings
    from comercio.indicators.regional import regional_facts
    from comercio.warehouse import Warehouse

    rf = regional_facts(Warehouse(Settings(home=built_home, mirror=str(shared_data)), read_only=True), month)
    for lang in ("es", "en"):
        assert unmatched(_narrative(rf, lang), rf.facts, lang) == []


def test_matcher_catches_a_wrong_number(rf_2022: RegionalFacts) -> None:
    fmt = Formatter("es")
    interior = rf_2022.facts.value("{region_group}.value", region_group="interior")
    good, bad = fmt.money(interior), fmt.money(interior * 1.01)
    assert unmatched(f"sumaron {good}.", rf_2022.facts, "es") == []
    assert unmatched(f"sumaron {bad}.", rf_2022.facts, "es") == [bad]
    assert parse_number(good, "es") == pytest.approx(interior, rel=1e-4)
    growth = rf_2022.facts.get("{region_group}.growth", region_group="interior")  # −0,4 %
    assert growth is not None
    only = FactSet([growth])
    fall = only.value("{region_group}.growth", region_group="interior")
    assert unmatched(f"retrocedieron {fmt.pct(abs(fall))}.", only, "es") == []
    flipped = fmt.pct(abs(fall), signed=True)  # a fall printed as a rise
    assert unmatched(f"variaron {flipped}.", only, "es") == [flipped]
    vintage = rf_2022.facts.value("source.{dataset}.vintage", dataset="bcrp_departments")
    retrieved = date.fromisoformat(vintage)
    assert unmatched(f"obtenida el {fmt.date_long(retrieved)}.", rf_2022.facts, "es") == []
    other = fmt.date_long(date(2019, 2, 17))
    assert unmatched(f"obtenida el {other}.", rf_2022.facts, "es") == ["17"]


def _fact(template: str, value: Any, **parts: str) -> Fact:
    window = {"kind": "ytd", "start": "2022-01-01", "end": "2022-11-01"}
    return make(template, value, parts=parts, window=window, dataset="customs_lines")


def enriched(rf: RegionalFacts) -> RegionalFacts:
    """The real facts plus invented line-level facts, to exercise the sections the mirror cannot support."""
    facts = FactSet(rf.facts)
    first = rf.facts.value("regions.fastest.members")[0]
    facts.extend(
        [
            _fact("region.{department}.drivers", ["petroleo", "cacao"], department=first),
            _fact("agro.value", 9_876_543_210.0),
            _fact("agro.growth", 0.123),
            _fact("agro.{natural_region}.growth", 0.111, natural_region="costa"),
            _fact("agro.{natural_region}.share", 0.8, natural_region="costa"),
            _fact("agro.{natural_region}.growth", 0.35, natural_region="selva"),
            _fact("agro.{natural_region}.share", 0.05, natural_region="selva"),
            _fact("agro.interior.share", 0.81),
            _fact("agro.interior.growth", 0.182),
            _fact("customs_office.{customs_office}.value", 20_000_000_000.0, customs_office="118"),
            _fact("customs_office.{customs_office}.share", 0.346, customs_office="118"),
            _fact("customs_office.{customs_office}.growth", 0.15, customs_office="118"),
            _fact("customs_office.{customs_office}.value", 7_000_000_000.0, customs_office="145"),
            _fact("customs_office.{customs_office}.share", 0.125, customs_office="145"),
            _fact("customs_office.{customs_office}.growth", -0.02, customs_office="145"),
            _fact("leaders.{category}.members", ["20"], category="non_traditional"),
            _fact("leaders.{category}.members", ["04", "21"], category="mining"),
            _fact("leaders.{category}.members", ["13", "11", "20"], category="agro"),
        ]
    )
    return dataclasses.replace(rf, facts=facts, omitted={})


@pytest.mark.parametrize("lang", ["es", "en"])
def test_line_level_sections_when_supported(rf_2022: RegionalFacts, lang: str) -> None:
    rf = enriched(rf_2022)
    report = build_regional(rf, lang)
    by_id = {s.id: s for s in report.sections}
    assert not any(s.omitted for s in report.sections)
    assert ("petróleo crudo" if lang == "es" else "crude oil") in by_id["fastest"].paragraphs[0]
    assert ("puerto del Callao" if lang == "es" else "Marítima del Callao") in by_id["customs"].paragraphs[0]
    assert "Piura" in by_id["leaders"].paragraphs[0] and "Puno" in by_id["leaders"].paragraphs[0]
    text = "\n".join(p for s in report.sections for p in s.paragraphs)
    agro = by_id["agro"].paragraphs[0]  # a change told with a verb of its sign and size
    assert ("la selva creció 35,0" if lang == "es" else "the Amazon grew 35.0%") in agro
    assert ("aumentó apenas" if lang == "es" else "edged up") not in agro  # 11,1 % is no slight rise
    assert unmatched(text, rf.facts, lang) == []


# -- table cells (the shared matcher of tests/reports/_cells.py) -----------------------------------------
@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_table_cell_is_a_fact(rf_2022: RegionalFacts, lang: str) -> None:
    for rf in (rf_2022, enriched(rf_2022)):
        report = build_regional(rf, lang)
        cells = [(t.id, c.key) for t in report.tables() for c in t.columns if is_numeric(c) for _ in t.rows]
        assert len(cells) >= 100  # the check is not vacuous
        assert unmatched_cells(report) == []


def test_cell_matcher_catches_a_wrong_cell(rf_2022: RegionalFacts) -> None:
    report = build_regional(rf_2022, "es")
    first = report.tables()[0]
    row = dict(first.rows[0])
    row["value"] = row["value"] * 1.01
    wrong = dataclasses.replace(first, rows=(row, *first.rows[1:]))
    sections = [
        dataclasses.replace(s, tables=tuple(wrong if t is first else t for t in s.tables))
        for s in report.sections
    ]
    assert len(unmatched_cells(report.with_sections(sections))) == 1
