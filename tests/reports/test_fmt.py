"""The house-style formatter: a table of cases per language, half-up rounding, parsing round trips."""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comercio.errors import ConfigError, ParseError, ReportError
from comercio.reports.fmt import Formatter, axis_format, find_numbers, parse_number, rounded, stored

G = "\u202f"  # narrow no-break space: Spanish thousands and before "%"
S = "\u00a0"  # no-break space: around money figures
M = "\u2212"  # minus sign
ES, EN = Formatter("es"), Formatter("en")


@pytest.mark.parametrize(
    ("call", "es", "en"),
    [
        # money: millions between 1e6 and 1e12, integer from 100 up, one decimal below
        (lambda f: f.money(68_120e6), f"US${S}68{G}120{S}millones", f"US${S}68,120{S}million"),
        (lambda f: f.money(68_120_500_000), f"US${S}68{G}121{S}millones", f"US${S}68,121{S}million"),
        (lambda f: f.money(18_203e6), f"US${S}18{G}203{S}millones", f"US${S}18,203{S}million"),
        (lambda f: f.money(613e6), f"US${S}613{S}millones", f"US${S}613{S}million"),
        (lambda f: f.money(4.5e6), f"US${S}4,5{S}millones", f"US${S}4.5{S}million"),
        (lambda f: f.money(4_450_000), f"US${S}4,5{S}millones", f"US${S}4.5{S}million"),  # half up
        (lambda f: f.money(99_960_000), f"US${S}100{S}millones", f"US${S}100{S}million"),
        (lambda f: f.money(999_999), f"US${S}1,0{S}millones", f"US${S}1.0{S}million"),  # bumps a unit
        (lambda f: f.money(1e6, decimals=0), f"US${S}1{S}millón", f"US${S}1{S}million"),
        (lambda f: f.money(9e12), f"US${S}9,0{S}billones", f"US${S}9.0{S}trillion"),
        (lambda f: f.money(1.5e15), f"US${S}1{G}500{S}billones", f"US${S}1,500{S}trillion"),
        (lambda f: f.money(2.5e9, scale="billions"), f"US${S}2,5{S}mil millones", f"US${S}2.5{S}billion"),
        (
            lambda f: f.money(68_120e6, decimals=2),
            f"US${S}68{G}120,00{S}millones",
            f"US${S}68,120.00{S}million",
        ),
        (lambda f: f.money(-4.5e6), f"US${S}{M}4,5{S}millones", f"US${S}{M}4.5{S}million"),
        (lambda f: f.money(1234), f"US${S}1,2{S}mil", f"US${S}1.2{S}thousand"),
        (lambda f: f.money(450), f"US${S}450", f"US${S}450"),
        (lambda f: f.money(0.4), f"US${S}0,4", f"US${S}0.4"),
        (lambda f: f.money(0), f"US${S}0", f"US${S}0"),
        (lambda f: f.money(float("nan")), "n.d.", "n.a."),
        (lambda f: f.money(None), "n.d.", "n.a."),
        # percentages: fractions in, half up from the repr
        (lambda f: f.pct(0.198), f"19,8{G}%", "19.8%"),
        (lambda f: f.pct(0.19850), f"19,9{G}%", "19.9%"),
        (lambda f: f.pct(0.0005), f"0,1{G}%", "0.1%"),
        (lambda f: f.pct(0.35, signed=True), f"+35,0{G}%", "+35.0%"),
        (lambda f: f.pct(-0.042, signed=True), f"{M}4,2{G}%", f"{M}4.2%"),
        (lambda f: f.pct(-0.042), f"{M}4,2{G}%", f"{M}4.2%"),
        (lambda f: f.pct(0.0, signed=True), f"0,0{G}%", "0.0%"),
        (lambda f: f.pct(-0.0004, signed=True), f"0,0{G}%", "0.0%"),  # rounds to zero: no sign
        (lambda f: f.pct(0.185, decimals=0), f"19{G}%", "19%"),
        (lambda f: f.pct(12.5), f"1{G}250,0{G}%", "1,250.0%"),
        (lambda f: f.pct(float("inf")), "n.d.", "n.a."),
        (lambda f: f.pp(0.012), f"1,2{S}p.p.", f"1.2{S}pp"),
        (lambda f: f.pp(-0.0125, signed=True), f"{M}1,3{S}p.p.", f"{M}1.3{S}pp"),
        # plain numbers
        (lambda f: f.number(68_120), f"68{G}120", "68,120"),
        (lambda f: f.number(2.5), "3", "3"),
        (lambda f: f.number(-2.5), f"{M}3", f"{M}3"),
        (lambda f: f.number(0.125, 2), "0,13", "0.13"),
        (lambda f: f.number(1_234_567.125, 2), f"1{G}234{G}567,13", "1,234,567.13"),
        (lambda f: f.number(1e-9, 2), "0,00", "0.00"),
        (lambda f: f.number(0), "0", "0"),
        (lambda f: f.number(1e15), f"1{G}000{G}000{G}000{G}000{G}000", "1,000,000,000,000,000"),
        (lambda f: f.number(7, signed=True), "+7", "+7"),
        (lambda f: f.number(float("nan")), "n.d.", "n.a."),
        # dates
        (lambda f: f.month(9), "setiembre", "September"),
        (
            lambda f: f.period(date(2025, 1, 1), date(2025, 11, 30)),
            "enero-noviembre de 2025",
            "January-November 2025",
        ),
        (lambda f: f.period(date(2025, 11, 1), date(2025, 11, 1)), "noviembre de 2025", "November 2025"),
        (lambda f: f.period(date(2022, 1, 1), date(2022, 12, 1)), "2022", "2022"),  # a whole year is the year
        (
            lambda f: f.period(date(2024, 12, 1), date(2025, 11, 1)),
            "diciembre 2024-noviembre 2025",
            "December 2024-November 2025",
        ),
        (lambda f: f.date_long(date(2025, 9, 3)), "3 de setiembre de 2025", "September 3, 2025"),
    ],
)
def test_house_style_cases(call, es: str, en: str) -> None:
    assert call(ES) == es
    assert call(EN) == en


Q = '"'  # quotes literal text in XLSX number formats


@pytest.mark.parametrize(
    ("value", "kind", "options", "es", "en", "number_format"),
    [
        # decimals are decided after rounding: 99.96 millions is 100, an integer, on every surface
        (99_960_000, "value", {}, f"US${S}100{S}millones", f"US${S}100{S}million",
         f"{Q}US${S}{Q}#,##0,,{Q}{S}millones{Q};{Q}US${S}{Q}-#,##0,,{Q}{S}millones{Q}"),
        (99_960_000, "value", {"bare": True}, "100", "100", "#,##0;-#,##0"),
        (99_950_000, "value", {"bare": True}, "100", "100", "#,##0;-#,##0"),
        (99_949_999, "value", {"bare": True}, "99,9", "99.9", "#,##0.0;-#,##0.0"),
        (-4_450_000, "value", {"bare": True}, f"{M}4,5", f"{M}4.5", "#,##0.0;-#,##0.0"),
        (9e12, "estimate", {}, f"US${S}9,0{S}billones", f"US${S}9.0{S}trillion",
         f"{Q}US${S}{Q}#,##0.0,,,,{Q}{S}billones{Q};{Q}US${S}{Q}-#,##0.0,,,,{Q}{S}billones{Q}"),
        # rates: one decimal; a figure that rounds to zero has no sign, in text or in a spreadsheet
        (0.00049, "growth", {}, f"0,0{G}%", "0.0%", "#,##0.0%;#,##0.0%"),
        (-0.00004, "growth", {}, f"0,0{G}%", "0.0%", "#,##0.0%;#,##0.0%"),
        (-0.0, "share", {}, f"0,0{G}%", "0.0%", "#,##0.0%;#,##0.0%"),
        (0.1019, "growth", {}, f"+10,2{G}%", "+10.2%", "+#,##0.0%;-#,##0.0%;#,##0.0%"),
        (0.0523, "error", {}, f"5,2{G}%", "5.2%", "#,##0.0%;-#,##0.0%"),
        (0.185, "share", {"decimals": 0}, f"19{G}%", "19%", "#,##0%;-#,##0%"),
        (-0.0125, "contribution", {}, f"{M}1,3{S}p.p.", f"{M}1.3{S}pp",
         f"+#,##0.0{Q}{S}p.p.{Q};-#,##0.0{Q}{S}p.p.{Q};#,##0.0{Q}{S}p.p.{Q}"),
        (68_120, "count", {}, f"68{G}120", "68,120", "#,##0;-#,##0"),
        (None, "growth", {}, "n.d.", "n.a.", "General"),
    ],
)  # fmt: skip
def test_figure_by_kind_and_its_number_format(
    value: float | None, kind: str, options: dict, es: str, en: str, number_format: str
) -> None:
    assert ES.figure(value, kind, **options) == es
    assert EN.figure(value, kind, **options) == en
    assert ES.number_format(value, kind, **options) == number_format


def test_rounded_is_never_a_signed_zero() -> None:
    for value in (-0.0, -0.00004, -1e-12):
        for kind in ("growth", "share", "contribution", "number", "value"):
            r = rounded(value, kind)
            assert r is not None and r.figure.is_zero() and not r.figure.is_signed()
    assert rounded(None, "share") is None
    assert ES.millions(99_960_000) == "100" == ES.figure(99_960_000, "value", bare=True)


def test_stored_is_what_the_number_format_scales() -> None:
    assert stored(99_960_000, "value", bare=True) == 99.96
    assert stored(99_960_000, "value") == 99_960_000
    assert stored(0.012, "contribution") == 1.2 and stored(0.198, "share") == 0.198
    assert stored(float("nan"), "share") is None


def test_non_numeric_kinds_and_chart_formats() -> None:
    with pytest.raises(ReportError, match="not a numeric figure kind"):
        ES.figure(["15", "04"], "list")
    assert (axis_format("growth"), axis_format("share"), axis_format("value")) == (".0%", ".0%", ",.0f")
    filters = ES.filters()
    assert {"money", "pct", "spct", "pp", "num", "millions", "figure"} <= set(filters)
    assert filters["spct"](0.35) == f"+35,0{G}%" and filters["num"](68_120) == f"68{G}120"


def test_percent_space_option() -> None:
    assert Formatter("es", percent_space=False).pct(0.198) == "19,8%"
    assert Formatter("en", percent_space=True).pct(0.198) == f"19.8{G}%"


def test_d3_locale_matches_the_formatter() -> None:
    es = ES.d3_locale()
    assert (es["decimal"], es["thousands"], es["minus"], es["percent"]) == (",", G, M, f"{G}%")
    assert es["currency"] == [f"US${S}", ""]
    en = EN.d3_locale()
    assert (en["decimal"], en["thousands"], en["percent"], en["nan"]) == (".", ",", "%", "n.a.")
    assert ES.d3_time_locale()["months"][8] == "setiembre"


def test_invalid_inputs_raise_with_context() -> None:
    with pytest.raises(ConfigError, match="lang"):
        Formatter("fr")
    with pytest.raises(ConfigError, match="scale"):
        ES.money(1.0, scale="lakhs")  # type: ignore[arg-type]
    with pytest.raises(ReportError, match="month"):
        ES.month(13)
    with pytest.raises(ReportError, match="after it ends"):
        ES.period(date(2025, 5, 1), date(2025, 4, 1))
    with pytest.raises(ParseError, match="not a number"):
        parse_number("diecinueve", "es")


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        ("US$ 68 120 millones", "es", 68_120e6),
        (f"US${S}68{G}120{S}millones", "es", 68_120e6),
        ("US$ 2,5 mil millones", "es", 2.5e9),
        (f"US${S}9,0{S}billones", "es", 9e12),
        (f"US${S}{M}4,5{S}millones", "es", -4.5e6),
        ("19,8 %", "es", 0.198),
        (f"{M}4,2%", "es", -0.042),
        ("+35 %", "es", 0.35),
        ("1,2 p.p.", "es", 0.012),
        ("1 234 567,13", "es", 1_234_567.13),
        ("US$ 68,120 million", "en", 68_120e6),
        ("US$ 9.0 trillion", "en", 9e12),
        ("19.8%", "en", 0.198),
        ("-1,234.5", "en", -1234.5),
    ],
)
def test_parse_number_inverts_the_formatter(text: str, lang: str, value: float) -> None:
    assert parse_number(text, lang) == pytest.approx(value, rel=1e-12)


def test_parse_missing_is_nan() -> None:
    assert math.isnan(parse_number("n.d.", "es"))
    assert math.isnan(parse_number("n.a.", "en"))


def test_find_numbers_in_a_narrative() -> None:
    f = ES
    text = (
        f"En {f.period(date(2025, 1, 1), date(2025, 11, 30))}, 20 regiones exportaron {f.money(68_120e6)} "
        f"({f.pct(0.198, signed=True)}); Lima y Callao perdió {f.pp(0.012)} de participación."
    )
    found = [(n.kind, n.value, n.decimals) for n in find_numbers(text, "es")]
    assert found == [
        ("number", 2025.0, 0),
        ("number", 20.0, 0),
        ("money", 68_120e6, 0),
        ("pct", 0.198, 1),
        ("pp", 0.012, 1),
    ]
    # a year followed by a count is two numbers, not one grouped number
    assert [n.value for n in find_numbers("en 2025 25 regiones", "es")] == [2025.0, 25.0]


def _half_up(x: float, decimals: int, scale: int = 0) -> float:
    q = Decimal(repr(x)).scaleb(scale).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return float(q.scaleb(-scale))


finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(x=finite, d=st.integers(min_value=0, max_value=4), lang=st.sampled_from(["es", "en"]))
def test_number_round_trips_half_up(x: float, d: int, lang: str) -> None:
    text = Formatter(lang).number(x, d)
    parsed = parse_number(text, lang)
    assert parsed == _half_up(x, d)
    assert abs(parsed - x) <= 0.5 * 10**-d * (1 + 1e-9) + abs(x) * 1e-15


@given(x=st.floats(min_value=-50, max_value=50, allow_nan=False), d=st.integers(min_value=0, max_value=3))
def test_pct_round_trips_half_up(x: float, d: int) -> None:
    for f in (ES, EN):
        assert parse_number(f.pct(x, decimals=d, signed=True), f.lang) == pytest.approx(
            _half_up(x, d, scale=2), rel=1e-12, abs=1e-15
        )


@given(x=st.floats(min_value=1e3, max_value=1e14, allow_nan=False))
def test_money_round_trips_within_printed_precision(x: float) -> None:
    for f in (ES, EN):
        text = f.money(x)
        parsed = parse_number(text, f.lang)
        printed = find_numbers(text, f.lang)[0]
        unit = {"mil": 3, "thousand": 3, "millones": 6, "million": 6, "billones": 12, "trillion": 12}
        power = next(p for w, p in unit.items() if text.endswith(w))
        assert abs(parsed - x) <= 0.5 * 10 ** (power - printed.decimals) * (1 + 1e-9)
