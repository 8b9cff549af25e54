"""find_numbers: every number of a press text, in both decimal conventions, in digits and words, with its
span, value in canonical units, half unit, qualifier and sign."""

from __future__ import annotations

import os
import re
import time
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comercio.check.model import Number
from comercio.check.numbers import convention, find_numbers
from comercio.reports.fmt import Formatter, parse_number

REPO = Path(__file__).resolve().parents[2]


def _checked(text: str, lang: str = "es") -> list[Number]:
    """find_numbers with the invariants every answer must keep: spans in order, non-overlapping, printed."""
    found = find_numbers(text, lang)
    last = 0
    for n in found:
        start, end = n.span
        assert last <= start < end <= len(text), (n, last)
        assert text[start:end] == n.printed
        assert n.half_unit > 0
        last = end
    return found


def _one(text: str, printed: str, lang: str = "es") -> Number:
    hits = [n for n in _checked(text, lang) if n.printed == printed]
    assert len(hits) == 1, (printed, _checked(text, lang))
    return hits[0]


class Case(NamedTuple):
    """One printed figure in a sentence and how it must read."""

    text: str
    printed: str
    value: float
    unit: str
    half: float
    q: str = "exact"
    sign: int = 0
    lang: str = "es"


CASES = [
    # money, Spanish
    Case("Las exportaciones sumaron US$ 68 120 millones.", "US$ 68 120 millones", 6.812e10, "usd", 5e5),
    Case("Se exportó por US$ 3.530,1 millones en total.", "US$ 3.530,1 millones", 3.5301e9, "usd", 5e4),
    Case("Se vendió 12,818.6 millones de dólares.", "12,818.6 millones de dólares", 1.28186e10, "usd", 5e4),
    Case("La minería exportó 2 mil 723 millones.", "2 mil 723 millones", 2.723e9, "plain", 5e5),
    Case(
        "La minería exportó 2 mil 723 millones de dólares.",
        "2 mil 723 millones de dólares",
        2.723e9,
        "usd",
        5e5,
    ),
    Case(
        "Las compras sumaron USD 18 mil 203,5 millones.", "USD 18 mil 203,5 millones", 1.82035e10, "usd", 5e4
    ),
    Case("Las compras sumaron USD 18 mil 203 millones.", "USD 18 mil 203 millones", 1.8203e10, "usd", 5e5),
    Case(
        "El interior exportó 68,1 mil millones de dólares.",
        "68,1 mil millones de dólares",
        6.81e10,
        "usd",
        5e7,
    ),
    Case("En US$, el interior exportó 68,1 mil millones.", "68,1 mil millones", 6.81e10, "usd", 5e7),
    Case(
        "Las ventas superan los US$ 68 mil millones.",
        "US$ 68 mil millones",
        6.8e10,
        "usd",
        5e8,
        q="more_than",
    ),
    Case("El mundo exportó USD 9,0 billones.", "USD 9,0 billones", 9.0e12, "usd", 5e10),
    Case("superando los USD 2,5 billones del 2001", "USD 2,5 billones", 2.5e12, "usd", 5e10, q="more_than"),
    Case("Chancay sumó exportaciones por US$ 613 millones.", "US$ 613 millones", 6.13e8, "usd", 5e5),
    Case("de enero a noviembre (USD 727 millones)", "USD 727 millones", 7.27e8, "usd", 5e5),
    Case("Se proyecta cerrar con US$ 85 000 millones.", "US$ 85 000 millones", 8.5e10, "usd", 5e5),
    Case("Cerca de US$ 1 000 millones.", "US$ 1 000 millones", 1e9, "usd", 5e5, q="about"),
    Case("Un saldo de US$ −4,5 millones.", "US$ −4,5 millones", -4.5e6, "usd", 5e4, sign=-1),
    Case("con poco más de US$ 850 millones", "US$ 850 millones", 8.5e8, "usd", 5e5, q="more_than"),
    Case(
        "superaron los USD 19 548 millones a noviembre",
        "USD 19 548 millones",
        1.9548e10,
        "usd",
        5e5,
        q="more_than",
    ),
    Case("al superar los USD 750 millones", "USD 750 millones", 7.5e8, "usd", 5e5, q="more_than"),
    Case("alcanzaron los 500 millones de dólares", "500 millones de dólares", 5e8, "usd", 5e5),
    Case("Callao movió US$ 2 mil millones y Paita por 613 millones.", "613 millones", 6.13e8, "usd", 5e5),
    Case("La planta produjo por 613 millones.", "613 millones", 6.13e8, "plain", 5e5),
    Case("Por US$ 500 millones se movieron 20 millones de toneladas.", "20 millones", 2e7, "plain", 5e5),
    Case("Un presupuesto de S/ 1 200 millones.", "S/ 1 200 millones", 1.2e9, "plain", 5e5),
    Case("Se recaudó 300 millones de soles.", "300 millones de soles", 3e8, "plain", 5e5),
    Case("Un aumento de US$ 3 mil millones.", "US$ 3 mil millones", 3e9, "usd", 5e8, sign=1),
    # money, English
    Case("Exports reached US$ 68.1 billion.", "US$ 68.1 billion", 6.81e10, "usd", 5e7, lang="en"),
    Case("World exports were US$ 9.0 trillion.", "US$ 9.0 trillion", 9.0e12, "usd", 5e10, lang="en"),
    Case(
        "Sales topped over USD 750 million.", "USD 750 million", 7.5e8, "usd", 5e5, q="more_than", lang="en"
    ),
    Case("Exports of US$ 68,120 million.", "US$ 68,120 million", 6.812e10, "usd", 5e5, lang="en"),
    # percentages
    Case("Las exportaciones crecieron 19,8% en 2025.", "19,8%", 0.198, "fraction", 0.0005, sign=1),
    Case("con una participación de 19,8% del total", "19,8%", 0.198, "fraction", 0.0005),
    Case("Pasco (+35 %) lideró.", "+35 %", 0.35, "fraction", 0.005, sign=1),
    Case("concentra el 45 por ciento del total", "45 por ciento", 0.45, "fraction", 0.005),
    Case("Moquegua (−7 %) retrocedió.", "−7 %", -0.07, "fraction", 0.005, sign=-1),
    Case("Moquegua (-7 %) retrocedió.", "-7 %", -0.07, "fraction", 0.005, sign=-1),
    Case("Tacna aportó el 9% del total.", "9%", 0.09, "fraction", 0.005),
    Case(
        "ganó 0,5 puntos porcentuales de participación", "0,5 puntos porcentuales", 0.005, "fraction", 0.0005
    ),
    Case("la cuota subió 1,2 p.p. en el año", "1,2 p.p.", 0.012, "fraction", 0.0005, sign=1),
    Case("exports grew 19.8% in 2024", "19.8%", 0.198, "fraction", 0.0005, sign=1, lang="en"),
    Case("about 45 percent of the total", "45 percent", 0.45, "fraction", 0.005, q="about", lang="en"),
    Case(
        "the share rose 3.2 percentage points",
        "3.2 percentage points",
        0.032,
        "fraction",
        0.0005,
        sign=1,
        lang="en",
    ),
    Case("Formatter style: 19,8\u202f%.", "19,8\u202f%", 0.198, "fraction", 0.0005),
    # qualifiers
    Case("con más de 47 % del total", "47 %", 0.47, "fraction", 0.005, q="more_than"),
    Case("concentra cerca del 38% del comercio", "38%", 0.38, "fraction", 0.005, q="about"),
    Case("y alrededor del 60% de las manufacturas", "60%", 0.6, "fraction", 0.005, q="about"),
    Case("alrededor de 60 % del total", "60 %", 0.6, "fraction", 0.005, q="about"),
    Case("casi 40 % del total", "40 %", 0.4, "fraction", 0.005, q="about"),
    Case("aproximadamente 12 % del total", "12 %", 0.12, "fraction", 0.005, q="about"),
    Case("por unos US$ 500 millones", "US$ 500 millones", 5e8, "usd", 5e5, q="about"),
    Case("menos de 5 % del total", "5 %", 0.05, "fraction", 0.005, q="less_than"),
    Case("al menos 10 regiones", "10", 10, "count", 0.5, q="at_least"),
    Case("una cuota de hasta 15 %", "15 %", 0.15, "fraction", 0.005, q="at_most"),
    Case("quedó por encima de 30 %", "30 %", 0.3, "fraction", 0.005, q="more_than"),
    Case("un valor superior a US$ 2 mil millones", "US$ 2 mil millones", 2e9, "usd", 5e8, q="more_than"),
    Case("una cuota inferior al 5 %", "5 %", 0.05, "fraction", 0.005, q="less_than"),
    Case("exports exceeded US$ 5 billion", "US$ 5 billion", 5e9, "usd", 5e8, q="more_than", lang="en"),
    Case("no más de 3 %", "3 %", 0.03, "fraction", 0.005, q="at_most"),
    Case("over 20 regions", "20", 20, "count", 0.5, q="more_than", lang="en"),
    Case("more than 47% of the total", "47%", 0.47, "fraction", 0.005, q="more_than", lang="en"),
    Case("nearly 38% of trade", "38%", 0.38, "fraction", 0.005, q="about", lang="en"),
    Case("around 60% of manufactures", "60%", 0.6, "fraction", 0.005, q="about", lang="en"),
    Case("almost 40% of the total", "40%", 0.4, "fraction", 0.005, q="about", lang="en"),
    Case("less than 5% of the total", "5%", 0.05, "fraction", 0.005, q="less_than", lang="en"),
    Case("under 5% of the total", "5%", 0.05, "fraction", 0.005, q="less_than", lang="en"),
    Case("at least 10 regions", "10", 10, "count", 0.5, q="at_least", lang="en"),
    # sign words
    Case("el puerto del Callao creció 15 %", "15 %", 0.15, "fraction", 0.005, sign=1),
    Case("Cajamarca, con un aumento de 64 % por oro", "64 %", 0.64, "fraction", 0.005, sign=1),
    Case("registró un incremento de 15% en el año", "15%", 0.15, "fraction", 0.005, sign=1),
    Case("cuyas exportaciones crecieron 94% gracias al cacao", "94%", 0.94, "fraction", 0.005, sign=1),
    Case("las ventas aumentaron 36 % en el año", "36 %", 0.36, "fraction", 0.005, sign=1),
    Case("las ventas cayeron 9 % en el año", "9 %", 0.09, "fraction", 0.005, sign=-1),
    Case("tras un retroceso de 7 % en el año", "7 %", 0.07, "fraction", 0.005, sign=-1),
    Case("una caída de 3 % en el año", "3 %", 0.03, "fraction", 0.005, sign=-1),
    Case("el valor disminuyó 4,2 % en el año", "4,2 %", 0.042, "fraction", 0.0005, sign=-1),
    Case("el valor se redujo 5 % en el año", "5 %", 0.05, "fraction", 0.005, sign=-1),
    Case("el valor se contrajo 2,1 % en el año", "2,1 %", 0.021, "fraction", 0.0005, sign=-1),
    Case("los precios bajaron 8 % en el año", "8 %", 0.08, "fraction", 0.005, sign=-1),
    Case("hubo un descenso de 6 % en el año", "6 %", 0.06, "fraction", 0.005, sign=-1),
    Case("una contracción de 1,5 % en el año", "1,5 %", 0.015, "fraction", 0.0005, sign=-1),
    Case("exports rose 12% last year", "12%", 0.12, "fraction", 0.005, sign=1, lang="en"),
    Case("imports grew 8% last year", "8%", 0.08, "fraction", 0.005, sign=1, lang="en"),
    Case("an increase of 5% last year", "5%", 0.05, "fraction", 0.005, sign=1, lang="en"),
    Case("exports fell 9% last year", "9%", 0.09, "fraction", 0.005, sign=-1, lang="en"),
    Case("imports declined 3% last year", "3%", 0.03, "fraction", 0.005, sign=-1, lang="en"),
    Case("a drop of 7% last year", "7%", 0.07, "fraction", 0.005, sign=-1, lang="en"),
    Case("a decrease of 2% last year", "2%", 0.02, "fraction", 0.005, sign=-1, lang="en"),
    Case("las ventas se elevaron 11 % en el año", "11 %", 0.11, "fraction", 0.005, sign=1),
    Case("con el inicio de Las Bambas, un salto de 2.433 %", "2.433 %", 24.33, "fraction", 0.005, sign=1),
    Case("las exportaciones decrecieron 4 % en el año", "4 %", 0.04, "fraction", 0.005, sign=-1),
    Case("exports tumbled 14% last year", "14%", 0.14, "fraction", 0.005, sign=-1, lang="en"),
    Case("Las ventas crecieron; 9 % fueron mineras.", "9 %", 0.09, "fraction", 0.005),
    Case("Las ventas crecieron. El 15 % fue agrícola.", "15 %", 0.15, "fraction", 0.005),
    Case("crecieron en la mayor parte de las regiones del país un 15 %", "15 %", 0.15, "fraction", 0.005),
    Case("crecieron en 2024 un 15 %", "15 %", 0.15, "fraction", 0.005, sign=1),
    Case(
        "Veinte regiones habían crecido y el país exportó US$ 35 803 millones.",
        "US$ 35 803 millones",
        3.5803e10,
        "usd",
        5e5,
    ),
    # counts, digits and words
    Case("y catorce superaron sus récords", "catorce", 14, "count", 0.5),
    Case("cuarenta y cinco por ciento del total", "cuarenta y cinco por ciento", 0.45, "fraction", 0.005),
    Case("20 regiones incrementaron su exportación", "20", 20, "count", 0.5),
    Case("incrementaron su exportación y 14 de ellas superaron", "14", 14, "count", 0.5),
    Case("veinte regiones incrementaron su exportación", "veinte", 20, "count", 0.5),
    Case("Catorce de ellas superaron sus máximos.", "Catorce", 14, "count", 0.5),
    Case("en las últimas dos décadas", "dos", 2, "count", 0.5),
    Case("tres regiones cayeron", "tres", 3, "count", 0.5),
    Case("más de veintiún países", "veintiún", 21, "count", 0.5, q="more_than"),
    Case("twenty regions grew", "twenty", 20, "count", 0.5, lang="en"),
    Case("forty-five percent of exports", "forty-five percent", 0.45, "fraction", 0.005, lang="en"),
    Case("tres millones de dólares", "tres millones de dólares", 3e6, "usd", 5e5),
    Case("un millón de dólares", "un millón de dólares", 1e6, "usd", 5e5),
    Case("dos mil empresas exportaron", "dos mil", 2000, "count", 500),
    Case("solo una región cayó", "una", 1, "count", 0.5),
    # years and dates
    Case("Las ventas de 2025 crecieron.", "2025", 2025, "year", 0.5),
    Case("creció en 2024 de nuevo", "2024", 2024, "year", 0.5),
    Case("superando los del 2001", "2001", 2001, "year", 0.5),
    Case("Lima, 26 de enero de 2026.- La industria", "26", 26, "date", 0.5),
    Case("Lima, 26 de enero de 2026.- La industria", "2026", 2026, "year", 0.5),
    Case("Published on January 26, 2026.", "26", 26, "date", 0.5, lang="en"),
    Case("en el periodo 2005-2022 creció", "2005", 2005, "year", 0.5),
    Case("en el periodo 2005-2022 creció", "2022", 2022, "year", 0.5),
    Case("entre 2005 - 2022 creció", "2022", 2022, "year", 0.5),
    Case("Published on 26 January 2026.", "26", 26, "date", 0.5, lang="en"),
    Case("la campaña 2024-25 fue buena", "25", 2025, "year", 0.5),
    Case("la fecha 2026-01-26 del reporte", "2026-01-26", 20260126, "date", 0.5),
    Case("el corte 26/01/2026 del reporte", "26/01/2026", 20260126, "date", 0.5),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.lang}:{c.printed}" for c in CASES])
def test_a_figure_is_read_whole(case: Case) -> None:
    n = _one(case.text, case.printed, case.lang)
    assert (n.value, n.unit, n.qualifier, n.sign) == (
        pytest.approx(case.value, rel=1e-12),
        case.unit,
        case.q,
        case.sign,
    )
    assert n.half_unit == pytest.approx(case.half, rel=1e-12)
    assert n.words == (not any(c.isdigit() for c in case.printed))


def test_the_decimal_convention_of_the_text_decides_a_lone_mark_before_three_digits() -> None:
    comma = "Chancay creció 2.523% y Paita 19,8%."
    dot = "Chancay creció 2.523% y Paita 19.8%."
    assert convention(comma) == "," and convention(dot) == "."
    assert _one(comma, "2.523%").value == pytest.approx(25.23)
    assert _one(comma, "2.523%").half_unit == pytest.approx(0.005)
    assert _one(dot, "2.523%").value == pytest.approx(0.02523)
    assert _one(dot, "2.523%").half_unit == pytest.approx(0.000005)
    assert convention("Chancay creció 2.523%.") is None
    assert _one("Chancay creció 2.523%.", "2.523%").value == pytest.approx(25.23)  # no convention: thousands
    mixed = "Pasó de 12,818.6 millones de dólares a US$ 3.530,1 millones; 68,120 más."
    assert [n.value for n in _checked(mixed)][:2] == pytest.approx([1.28186e10, 3.5301e9])


def test_grouping_spaces_join_a_figure_but_years_and_figures_stay_apart() -> None:
    text = "US$\u00a068\u202f120\u00a0millones y 1\u2009234 toneladas; en 2024 a 85,3%; en 2025 25 regiones."
    found = _checked(text)
    assert [(n.printed, n.unit) for n in found] == [
        ("US$\u00a068\u202f120\u00a0millones", "usd"),
        ("1\u2009234", "count"),
        ("2024", "year"),
        ("85,3%", "fraction"),
        ("2025", "year"),
        ("25", "count"),
    ]
    assert found[1].value == 1234


def test_articles_and_a_lone_un_are_not_numbers() -> None:
    text = "Hubo una caída de 3 % y un aumento de 5 %; cada una de ellas creció."
    assert [n.printed for n in _checked(text)] == ["3 %", "5 %"]
    assert [n.printed for n in _checked("No one region fell; one region grew.", "en")] == ["one"]
    compounds = _checked("Two-thirds of a three-year plan; twenty-one grew.", "en")
    assert [n.printed for n in compounds] == ["twenty-one"]


def test_from_one_level_to_another_carries_no_sign() -> None:
    found = _checked(
        "La participación pasó de 84,3% en 2024 a 85,3% en 2025. Europa redujo su cuota de 44% a 34%."
    )
    assert [(n.printed, n.sign) for n in found if n.unit == "fraction"] == [
        ("84,3%", 0),
        ("85,3%", 0),
        ("44%", 0),
        ("34%", 0),
    ]


def test_ocho_de_los_diez_are_two_counts() -> None:
    found = _checked("El IEES destacó que ocho de los diez principales destinos fueron latinoamericanos.")
    assert [(n.printed, n.value, n.unit, n.words) for n in found] == [
        ("ocho", 8, "count", True),
        ("diez", 10, "count", True),
    ]


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("uno", 1), ("dos", 2), ("nueve", 9), ("diez", 10), ("once", 11), ("quince", 15), ("dieciséis", 16),
        ("diecinueve", 19), ("veinte", 20), ("veintiuno", 21), ("veintidós", 22), ("veintitrés", 23),
        ("veintinueve", 29), ("treinta", 30), ("treinta y dos", 32), ("cuarenta y cinco", 45),
        ("sesenta", 60), ("noventa y nueve", 99), ("cien", 100), ("ciento uno", 101), ("doscientas", 200),
        ("quinientos", 500), ("mil", 1000), ("dos mil trescientos", 2300),
    ],
)  # fmt: skip
def test_spanish_number_words(words: str, value: int) -> None:
    n = _one(f"Hay {words} regiones.", words)
    assert (n.value, n.unit, n.words) == (value, "count", True)


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("one", 1), ("two", 2), ("nine", 9), ("ten", 10), ("eleven", 11), ("nineteen", 19), ("twenty", 20),
        ("twenty-one", 21), ("thirty two", 32), ("ninety-nine", 99), ("one hundred", 100), ("a hundred", 100),
        ("two hundred and five", 205), ("three thousand", 3000),
    ],
)  # fmt: skip
def test_english_number_words(words: str, value: int) -> None:
    n = _one(f"There are {words} regions.", words, "en")
    assert (n.value, n.unit, n.words) == (value, "count", True)


def test_ranks_are_plain_numbers() -> None:
    found = _checked("Quedó en el 2.º puesto, tras el 1er lugar y antes del 3° lugar.")
    assert [(n.printed, n.unit) for n in found] == [("2.º", "plain"), ("1", "plain"), ("3°", "plain")]


def test_an_unreadable_digit_sequence_still_comes_back() -> None:
    found = _checked("El código 1.2.34 y el G1 siguen.")
    assert [(n.printed, n.unit) for n in found] == [("1.2.34", "plain"), ("1", "plain")]


def _articles() -> list[Path]:
    shared = os.environ.get("COMERCIO_SHARED_DATA")
    root = Path(shared) if shared else REPO.parent / "shared" / "data"
    folder = root.resolve().parent / "reference" / "articles"
    if not folder.is_dir():
        pytest.skip(f"../shared/reference/articles not found (looked in {folder})")
    return sorted(folder.glob("*.txt"))


def test_every_digit_of_the_two_articles_is_in_a_number() -> None:
    paths = _articles()
    assert len(paths) == 2
    for path in paths:
        text = path.read_text(encoding="utf-8")
        found = _checked(text)
        for m in re.finditer(r"\d+", text):
            assert any(s <= m.start() and m.end() <= e for s, e in (n.span for n in found)), (path.name, m)


def test_the_articles_figures_read_as_printed() -> None:
    by_name = {p.name[:3]: p.read_text(encoding="utf-8") for p in _articles()}
    regional = {n.printed: n for n in _checked(by_name["000"])}
    assert regional["US$ 68 120 millones"].value == 6.812e10
    assert regional["US$ 68 mil millones"].qualifier == "more_than"
    assert regional["19,8%"].sign == 1 and regional["+64%"].sign == 1
    assert regional["US$ 85 000 millones"].value == 8.5e10
    metal = _checked(by_name["003"])
    printed = {n.printed: n for n in metal}
    assert printed["USD 750 millones"].qualifier == "more_than"
    assert printed["USD 8 mil 325 millones"].value == 8.325e9
    assert printed["USD 9,0 billones"].half_unit == 5e10
    assert [(n.printed, n.unit) for n in metal if n.unit in ("date", "year")][1:3] == [
        ("26", "date"),
        ("2026", "year"),
    ]
    assert [n.printed for n in metal if n.words] == ["dos", "ocho", "diez"]


def test_a_ten_kilobyte_text_is_read_in_well_under_50_ms() -> None:
    sentence = (
        "Entre enero y noviembre de 2025, las exportaciones del interior alcanzaron los US$ 68 120 millones, "
        "creciendo 19,8%; 20 regiones incrementaron su exportación y catorce superaron sus récords (+35 %). "
    )
    text = sentence * (10_000 // len(sentence) + 1)
    find_numbers(text)
    best = min(_timed(text) for _ in range(3))
    assert best < 0.05, best


def _timed(text: str) -> float:
    t0 = time.perf_counter()
    find_numbers(text)
    return time.perf_counter() - t0


@settings(max_examples=150, deadline=None)
@given(
    usd=st.floats(min_value=1, max_value=5e13, allow_nan=False),
    negative=st.booleans(),
    lang=st.sampled_from(["es", "en"]),
)
def test_house_style_money_round_trips(usd: float, negative: bool, lang: str) -> None:
    printed = Formatter(lang).money(-usd if negative else usd)
    text = (
        f"Las exportaciones sumaron {printed} en el año."
        if lang == "es"
        else f"Exports were {printed} that year."
    )
    (n,) = _checked(text, lang)
    assert (n.printed, n.unit) == (printed, "usd")
    assert n.value == parse_number(printed, lang)
    assert abs(n.value - (-usd if negative else usd)) <= n.half_unit * (1 + 1e-9)


@settings(max_examples=150, deadline=None)
@given(
    fraction=st.floats(min_value=-0.999, max_value=30, allow_nan=False), lang=st.sampled_from(["es", "en"])
)
def test_house_style_percentages_round_trip(fraction: float, lang: str) -> None:
    printed = Formatter(lang).pct(fraction, signed=True)
    (n,) = _checked(f"La cuota fue {printed} del total.", lang)
    assert (n.printed, n.unit) == (printed, "fraction")
    assert n.value == pytest.approx(parse_number(printed, lang), abs=1e-12)
    assert abs(n.value - fraction) <= n.half_unit * (1 + 1e-9)


_PRESS_STYLES = {"es": (".", ","), "en": (",", "."), "spaced": (" ", ",")}


@settings(max_examples=200, deadline=None)
@given(
    whole=st.integers(min_value=0, max_value=10**9),
    fraction=st.text(alphabet="0123456789", max_size=2),
    style=st.sampled_from(sorted(_PRESS_STYLES)),
    scale=st.sampled_from(
        [("millones", 6), ("mil millones", 9), ("billones", 12), ("million", 6), ("billion", 9)]
    ),
)
def test_press_money_in_either_convention_round_trips(
    whole: int, fraction: str, style: str, scale: tuple[str, int]
) -> None:
    group, mark = _PRESS_STYLES[style]
    digits = f"{whole:,}".replace(",", group) + (mark + fraction if fraction else "")
    printed = f"US$ {digits} {scale[0]}"
    (n,) = _checked(f"El Perú exportó {printed} en total.")
    expected = Decimal(f"{whole}.{fraction}" if fraction else str(whole)).scaleb(scale[1])
    assert (n.printed, n.unit, n.value) == (printed, "usd", float(expected))
    assert n.half_unit == float(Decimal(5).scaleb(scale[1] - len(fraction) - 1))


_PIECES = st.sampled_from(
    [
        *"0123456789.,-+−%/ \u00a0\u202f\nabxyz()$;º",
        *("US$", "USD", "S/", " mil ", " millones", " de ", "dólares", "por ciento", "dos", "un", "una"),
        *("veinte", " y ", "2024", "enero", "cayó", "más de", "p.p.", "bn", "one"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(_PIECES, max_size=30), lang=st.sampled_from(["es", "en"]))
def test_any_text_reads_without_error_and_every_digit_comes_back(parts: list[str], lang: str) -> None:
    text = "".join(parts)
    found = _checked(text, lang)
    for m in re.finditer(r"\d", text):
        assert any(s <= m.start() < e for s, e in (n.span for n in found)), (text, m.start())
