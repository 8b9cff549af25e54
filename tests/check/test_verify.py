"""Checking claims against the warehouse built from the mirror: verdicts, variants, coverage, reasons.

Ground truth: METHODOLOGY.md §6 (BCRP 2021: interior US$ 43 548 M, interior share 69,0 %, Ica 6 800; 2022:
interior share 66,0 %, 69,0 % without "no registrado").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from comercio.check import check_text
from comercio.check._verdicts import verdict
from comercio.check.model import Number
from comercio.config import Settings
from comercio.errors import ConfigError
from comercio.warehouse import Warehouse


@pytest.fixture(scope="module")
def wh(built_home: Path) -> Warehouse:
    return Warehouse(Settings(home=built_home), read_only=True)


def _claims(wh: Warehouse, text: str, lang: str = "es", **kw: object) -> dict[str, object]:
    report = check_text(wh, text, lang=lang, published=kw.pop("published", "2023-03-01"), **kw)  # type: ignore[arg-type]
    return {c.number.printed: c for c in report.claims}


def _num(value: float, unit: str, half: float, qualifier: str = "exact") -> Number:
    return Number((0, 1), "x", value, unit, half, qualifier)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("number", "computed", "expected"),
    [
        (_num(0.198, "fraction", 0.0005), 0.1984, "consistent"),
        (_num(0.198, "fraction", 0.0005), 0.1949, "close"),
        (_num(0.198, "fraction", 0.0005), 0.2099, "differs"),
        (_num(6.8e9, "usd", 5e7), 6.84e9, "consistent"),
        (_num(6.8e9, "usd", 5e7), 6.9e9, "close"),
        (_num(6.8e9, "usd", 5e7), 7.2e9, "differs"),
        (_num(14, "count", 0.5), 13, "close"),
        (_num(14, "count", 0.5), 11, "differs"),
        (_num(7.5e8, "usd", 5e6, "more_than"), 7.9e8, "consistent"),
        (_num(7.5e8, "usd", 5e6, "more_than"), 7.407e8, "close"),
        (_num(7.5e8, "usd", 5e6, "more_than"), 9.5e8, "close"),
        (_num(7.5e8, "usd", 5e6, "more_than"), 6.5e8, "differs"),
        (_num(0.38, "fraction", 0.005, "about"), 0.388, "consistent"),
        (_num(0.05, "fraction", 0.005, "less_than"), 0.03, "consistent"),
    ],
)
def test_verdict_rules(number: Number, computed: float, expected: str) -> None:
    assert verdict(number, number.value, computed, "es")[0] == expected


def test_figures_from_the_methodology_are_consistent(wh: Warehouse) -> None:
    text = (
        "En 2021, las regiones del interior exportaron US$ 43 548 millones y la participación del interior "
        "en la exportación nacional fue de 69,0 %. Ica sumó US$ 6 800 millones."
    )
    got = _claims(wh, text)
    for printed in ("US$ 43 548 millones", "69,0 %", "US$ 6 800 millones"):
        c = got[printed]
        assert c.verdict == "consistent", c  # type: ignore[attr-defined]
        assert c.dataset == "bcrp_departments" and c.vintage  # type: ignore[attr-defined]
    assert got["US$ 6 800 millones"].fact == "region.{department}.value"  # type: ignore[attr-defined]


def test_a_variant_reproduces_the_share_without_unregistered(wh: Warehouse) -> None:
    text = (
        "En 2022, la participación de las regiones del interior en la exportación nacional fue de 69,0 %, "
        "y en 2021 fue de 69,0 %."
    )
    report = check_text(wh, text, lang="es", published="2023-03-01")
    c2022, c2021 = report.claims
    assert c2022.verdict == "consistent" and c2022.variant == "share:attributed"
    assert "66,0" in c2022.reason  # comercio's own definition, said in the reason
    assert c2021.verdict == "consistent" and c2021.variant is None
    assert {t["variant"] for t in c2022.tried} >= {"default", "share:attributed"}


def test_wrong_and_slightly_wrong_figures(wh: Warehouse) -> None:
    got = _claims(wh, "En 2021, Ica exportó US$ 7 900 millones y Arequipa US$ 5 550 millones.")
    wrong, near = got["US$ 7 900 millones"], got["US$ 5 550 millones"]
    reason = wrong.reason.replace("\u202f", " ").replace("\xa0", " ")  # type: ignore[attr-defined]
    assert wrong.verdict == "differs" and "6 800" in reason  # type: ignore[attr-defined]
    assert near.verdict == "close"  # type: ignore[attr-defined]


def test_a_fall_word_gives_the_sign(wh: Warehouse) -> None:
    got = _claims(wh, "En 2020, las exportaciones nacionales cayeron 11,0 %.")
    c = got["11,0 %"]
    assert c.measure == "growth" and c.computed is not None and c.computed < 0  # type: ignore[attr-defined]


def test_periods_past_the_data_are_not_checkable_with_the_reason(wh: Warehouse) -> None:
    got = _claims(wh, "Entre enero y noviembre de 2025, Cajamarca creció 64 %.", published="2026-01-20")
    c = got["64 %"]
    assert c.verdict == "not_checkable" and c.computed is None  # type: ignore[attr-defined]
    assert "2022" in c.reason and "bcrp_departments" in c.reason  # type: ignore[attr-defined]


def test_reasons_in_the_language_of_the_text(wh: Warehouse) -> None:
    es = _claims(wh, "En 2021, Ica exportó US$ 7 900 millones.")["US$ 7 900 millones"]
    en = _claims(wh, "In 2021, Ica exported US$ 7.9 billion.", lang="en")["US$ 7.9 billion"]
    assert es.reason.startswith("los datos dan US$")  # type: ignore[attr-defined]
    assert en.reason.startswith("the data give US$")  # type: ignore[attr-defined]


def test_counts_and_records(wh: Warehouse) -> None:
    from comercio.indicators import measures
    from comercio.indicators.engine import series
    from comercio.indicators.specs import Comparison, Filters, Grouping, Window

    s = series(wh, Grouping("department"), Filters())
    r = measures.compare(s, Window.year(2021), Comparison())
    interior = {d for d in r.by_member() if d not in ("07", "15", "99")}
    grew = measures.count_changes(r, interior)["growing"]
    got = _claims(wh, f"En 2021, {grew} regiones incrementaron su exportación.")
    assert got[str(grew)].verdict == "consistent"  # type: ignore[attr-defined]
    wrong = _claims(wh, f"En 2021, {grew - 5} regiones incrementaron su exportación.")
    assert wrong[str(grew - 5)].verdict == "differs"  # type: ignore[attr-defined]


def test_every_number_is_a_claim_or_skipped(wh: Warehouse) -> None:
    from comercio.check.numbers import find_numbers

    text = "Lima, 26 de enero de 2023.- En 2022, Ica exportó US$ 6 500 millones (+5 %) y hubo 3 mil envíos."
    report = check_text(wh, text, published="2023-01-26")
    spans = sorted([c.number.span for c in report.claims] + [s.number.span for s in report.skipped])
    assert sorted({n.span for n in find_numbers(text)}) == sorted(set(spans))
    assert sum(report.counts.values()) == len(report.claims) + len(report.skipped)


@pytest.mark.parametrize(("option", "value"), [("lang", "fr"), ("published", "26/01/2026")])
def test_bad_options_are_refused_naming_the_field(wh: Warehouse, option: str, value: str) -> None:
    with pytest.raises(ConfigError) as err:
        check_text(wh, "En 2021, Ica exportó US$ 6 800 millones.", **{option: value})  # type: ignore[arg-type]
    assert err.value.field == option


def test_the_same_verdicts_on_every_engine(warehouse: Warehouse, engine: str) -> None:
    text = (
        "En 2021, las regiones del interior exportaron US$ 43 548 millones (+43,3 %); Ica sumó US$ 6 800 "
        "millones. En 2022, la participación del interior en la exportación nacional fue de 69,0 %."
    )
    report = check_text(warehouse, text, published="2023-03-01", engine=engine)
    assert [(c.verdict, c.variant) for c in report.claims] == [
        ("consistent", None),
        ("consistent", None),
        ("consistent", None),
        ("consistent", "share:attributed"),
    ]
