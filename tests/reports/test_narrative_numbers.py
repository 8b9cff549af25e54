"""Every number printed in the regional narrative is a fact, formatted by the house formatter."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from comercio.indicators.facts import Fact, FactSet
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
        years |= {int(y) for y in f.extra.get("years_used", [])}
    return years


def _candidates(facts: FactSet, lang: str, p: ParsedNumber) -> set[str]:
    """How each fact of the parsed number's kind prints with the same decimals."""
    fmt = Formatter(lang)
    out: set[str] = set()
    for f in facts:
        v = f.value
        if isinstance(v, bool) or not isinstance(v, int | float):
            continue
        if p.kind == "money" and f.unit == "USD":
            out.add(fmt.money(v))
        elif p.kind == "pct" and f.unit == "fraction":
            out |= {fmt.pct(v, decimals=p.decimals), fmt.pct(v, decimals=p.decimals, signed=True)}
        elif p.kind == "number" and f.unit == "count":
            out.add(fmt.number(v))
    if p.kind == "number":
        out |= {str(y) for y in _years(facts)}
    return out


def unmatched(text: str, facts: FactSet, lang: str) -> list[str]:
    """The numbers in ``text`` that no fact explains."""
    return [p.text for p in find_numbers(text, lang) if p.text not in _candidates(facts, lang, p)]


def _narrative(rf: RegionalFacts, lang: str) -> str:
    report = build_regional(rf, lang)
    return "\n".join(p for s in report.sections for p in s.paragraphs)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_number_is_a_fact(rf_2022: RegionalFacts, lang: str) -> None:
    text = _narrative(rf_2022, lang)
    assert len(find_numbers(text, lang)) >= 40  # the check is not vacuous
    assert unmatched(text, rf_2022.facts, lang) == []


def test_matcher_catches_a_wrong_number(rf_2022: RegionalFacts) -> None:
    fmt = Formatter("es")
    good = fmt.money(rf_2022.facts.value("interior.value"))
    bad = fmt.money(rf_2022.facts.value("interior.value") * 1.01)
    assert unmatched(f"sumaron {good}.", rf_2022.facts, "es") == []
    assert unmatched(f"sumaron {bad}.", rf_2022.facts, "es") == [bad]
    assert parse_number(good, "es") == pytest.approx(rf_2022.facts.value("interior.value"), rel=1e-4)


def _fact(fid: str, value: Any, unit: str, **extra: Any) -> Fact:
    window = {"kind": "ytd", "start": "2022-01-01", "end": "2022-11-01"}
    return Fact(fid, fid.rsplit(".", 1)[-1], value, unit, window, dataset="customs_lines", extra=extra)


def enriched(rf: RegionalFacts) -> RegionalFacts:
    """The real facts plus invented line-level facts, to exercise the sections the mirror cannot support."""
    facts = FactSet(rf.facts)
    first = rf.facts.value("regions.fastest.members")[0]
    facts.extend(
        [
            _fact(f"region.{first}.drivers", ["petroleo", "cacao"], "members"),
            _fact("agro.value", 9_876_543_210.0, "USD"),
            _fact("agro.growth", 0.123, "fraction"),
            _fact("agro.costa.growth", 0.111, "fraction"),
            _fact("agro.costa.share", 0.8, "fraction"),
            _fact("agro.selva.growth", 0.35, "fraction"),
            _fact("agro.selva.share", 0.05, "fraction"),
            _fact("agro.interior.share", 0.81, "fraction"),
            _fact("agro.interior.growth", 0.182, "fraction"),
            _fact("customs_office.118.value", 20_000_000_000.0, "USD"),
            _fact("customs_office.118.share", 0.346, "fraction"),
            _fact("customs_office.118.growth", 0.15, "fraction"),
            _fact("customs_office.145.value", 7_000_000_000.0, "USD"),
            _fact("customs_office.145.share", 0.125, "fraction"),
            _fact("customs_office.145.growth", -0.02, "fraction"),
            _fact("leaders.non_traditional.members", ["20"], "members"),
            _fact("leaders.mining.members", ["04", "21"], "members"),
            _fact("leaders.agro.members", ["13", "11", "20"], "members"),
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
    assert "+35,0" in text or "+35.0" in text
    assert unmatched(text, rf.facts, lang) == []
