"""Period phrases of a text: finding them, resolving them to months, binding numbers to them, sentences."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comercio.check.model import Period
from comercio.check.periods import Windows, find_periods, sentences, window_for

PUBLISHED = date(2026, 1, 26)


def only(text: str, lang: str = "es", published: date | None = None) -> Period:
    """The one period of ``text`` that is not the context sentence before it."""
    found = find_periods(text, lang, published)
    assert found, f"no period in {text!r}"
    return found[-1]


def summary(p: Period) -> tuple[str, str, str, str]:
    return p.start, p.end, p.kind, p.role


# (text, the phrase expected, start, end, kind). "En 2025 creció. " / "En 2022 …" give the context year.
SPANISH = [
    ("entre enero y noviembre de 2025", "entre enero y noviembre de 2025", "2025-01", "2025-11", "ytd"),
    ("de enero a noviembre de 2025", "de enero a noviembre de 2025", "2025-01", "2025-11", "ytd"),
    ("enero-noviembre 2025", "enero-noviembre 2025", "2025-01", "2025-11", "ytd"),
    ("Enero–Noviembre de 2025", "Enero–Noviembre de 2025", "2025-01", "2025-11", "ytd"),
    ("En 2025 creció. En el período enero-noviembre", "En el período enero-noviembre", "2025-01", "2025-11",
     "ytd"),
    ("a noviembre de 2025", "a noviembre de 2025", "2025-01", "2025-11", "ytd"),
    ("En 2025 creció. Récords a noviembre.", "a noviembre", "2025-01", "2025-11", "ytd"),
    ("En 2025 creció. Subió hasta noviembre.", "hasta noviembre", "2025-01", "2025-11", "ytd"),
    ("En 2025 creció. En los primeros once meses del año", "En los primeros once meses del año", "2025-01",
     "2025-11", "ytd"),
    ("en los primeros 5 meses de 2024", "en los primeros 5 meses de 2024", "2024-01", "2024-05", "ytd"),
    ("En 2022 creció. En el primer semestre", "En el primer semestre", "2022-01", "2022-06", "range"),
    ("En 2022 creció. En el segundo semestre", "En el segundo semestre", "2022-07", "2022-12", "range"),
    ("En 2022 creció. En el primer trimestre", "En el primer trimestre", "2022-01", "2022-03", "range"),
    ("el tercer trimestre de 2021", "el tercer trimestre de 2021", "2021-07", "2021-09", "range"),
    ("En 2022 creció. En el cuarto trimestre", "En el cuarto trimestre", "2022-10", "2022-12", "range"),
    ("este 2025", "este 2025", "2025-01", "2025-12", "year"),
    ("en el 2024", "en el 2024", "2024-01", "2024-12", "year"),
    ("en 2021", "en 2021", "2021-01", "2021-12", "year"),
    ("durante el 2024", "durante el 2024", "2024-01", "2024-12", "year"),
    ("superando los USD 2,5 billones del 2001", "del 2001", "2001-01", "2001-12", "year"),
    ("los envíos de 2001", "de 2001", "2001-01", "2001-12", "year"),
    ("Durante el 2024 crecieron; del 2001 al alza. En el último año analizado", "En el último año analizado",
     "2024-01", "2024-12", "year"),
    ("En 2019 y en 2023 subió. En el último año", "En el último año", "2023-01", "2023-12", "year"),
    ("En 2025 creció. En noviembre", "En noviembre", "2025-11", "2025-11", "month"),
    ("en noviembre de 2025", "en noviembre de 2025", "2025-11", "2025-11", "month"),
    ("Con noviembre de 2025 cerró", "noviembre de 2025", "2025-11", "2025-11", "month"),
    ("en setiembre de 2023", "en setiembre de 2023", "2023-09", "2023-09", "month"),
    ("de diciembre de 2024 a noviembre de 2025", "de diciembre de 2024 a noviembre de 2025", "2024-12",
     "2025-11", "rolling12"),
    ("De enero a noviembre de 2025 subió. En los últimos doce meses", "En los últimos doce meses", "2024-12",
     "2025-11", "rolling12"),
    ("en el periodo que va de diciembre de 2024 a noviembre de 2025",
     "en el periodo que va de diciembre de 2024 a noviembre de 2025", "2024-12", "2025-11", "rolling12"),
    ("en los 12 meses a octubre de 2025", "en los 12 meses a octubre de 2025", "2024-11", "2025-10",
     "rolling12"),
    ("entre marzo y agosto de 2023", "entre marzo y agosto de 2023", "2023-03", "2023-08", "range"),
    ("entre enero y diciembre de 2023", "entre enero y diciembre de 2023", "2023-01", "2023-12", "year"),
    ("entre 2010 y 2022", "entre 2010 y 2022", "2010-01", "2022-12", "range"),
    ("de 2010 a 2022", "de 2010 a 2022", "2010-01", "2022-12", "range"),
    ("en el periodo 2010-2022", "2010-2022", "2010-01", "2022-12", "range"),
    ("entre los años 2010 y 2022", "entre los años 2010 y 2022", "2010-01", "2022-12", "range"),
    ("del 1 de enero al 30 de noviembre de 2025", "del 1 de enero al 30 de noviembre de 2025", "2025-01",
     "2025-11", "ytd"),
    ("en el periodo desde 2010 hasta 2022", "en el periodo desde 2010 hasta 2022", "2010-01", "2022-12",
     "range"),
    ("en el año 2024", "en el año 2024", "2024-01", "2024-12", "year"),
    ("a diciembre de 2024", "a diciembre de 2024", "2024-01", "2024-12", "year"),
    ("en enero-noviembre del 2025", "en enero-noviembre del 2025", "2025-01", "2025-11", "ytd"),
    ("En 2025 creció. En los once primeros meses del año", "En los once primeros meses del año", "2025-01",
     "2025-11", "ytd"),
    ("Entre enero y noviembre de 2025 subió. En lo que va del año", "En lo que va del año", "2025-01",
     "2025-11", "ytd"),
    ("En 2025 creció. En noviembre pasado", "En noviembre pasado", "2025-11", "2025-11", "month"),
    ("En 2025 creció. El pasado mes de octubre", "El pasado mes de octubre", "2025-10", "2025-10", "month"),
]  # fmt: skip

ENGLISH = [
    ("between January and November 2025", "between January and November 2025", "2025-01", "2025-11", "ytd"),
    ("January–November 2025", "January–November 2025", "2025-01", "2025-11", "ytd"),
    ("Jan-Nov 2025", "Jan-Nov 2025", "2025-01", "2025-11", "ytd"),
    ("in the first half of 2022", "in the first half of 2022", "2022-01", "2022-06", "range"),
    ("in the third quarter of 2022", "in the third quarter of 2022", "2022-07", "2022-09", "range"),
    ("Q4 2021", "Q4 2021", "2021-10", "2021-12", "range"),
    ("In 2025 it grew. Last year", "Last year", "2024-01", "2024-12", "year"),
    ("In 2025 it grew. This year", "This year", "2025-01", "2025-12", "year"),
    ("in 2021", "in 2021", "2021-01", "2021-12", "year"),
    ("through November 2025", "through November 2025", "2025-01", "2025-11", "ytd"),
    ("in November 2025", "in November 2025", "2025-11", "2025-11", "month"),
    ("in the twelve months to November 2025", "in the twelve months to November 2025", "2024-12", "2025-11",
     "rolling12"),
    ("from December 2024 to November 2025", "from December 2024 to November 2025", "2024-12", "2025-11",
     "rolling12"),
    ("in the first eleven months of 2025", "in the first eleven months of 2025", "2025-01", "2025-11", "ytd"),
    ("between 2010 and 2022", "between 2010 and 2022", "2010-01", "2022-12", "range"),
    ("in the year to November 2025", "in the year to November 2025", "2024-12", "2025-11", "rolling12"),
    ("as of November 2025", "as of November 2025", "2025-01", "2025-11", "ytd"),
    ("by November 2025", "by November 2025", "2025-01", "2025-11", "ytd"),
    ("from January 1 to November 30, 2025", "from January 1 to November 30, 2025", "2025-01", "2025-11",
     "ytd"),
    ("Through November 2025 sales rose. Year-to-date", "Year-to-date", "2025-01", "2025-11", "ytd"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "phrase", "start", "end", "kind"), SPANISH)
def test_spanish_phrases(text: str, phrase: str, start: str, end: str, kind: str) -> None:
    p = only(text)
    assert (p.phrase, p.start, p.end, p.kind, p.role) == (phrase, start, end, kind, "window")
    assert p.span is not None and text[p.span[0] : p.span[1]] == phrase


@pytest.mark.parametrize(("text", "phrase", "start", "end", "kind"), ENGLISH)
def test_english_phrases(text: str, phrase: str, start: str, end: str, kind: str) -> None:
    p = only(text, "en")
    assert (p.phrase, p.start, p.end, p.kind, p.role) == (phrase, start, end, kind, "window")


def test_accents_and_case_do_not_matter() -> None:
    for text in ("EN EL PERÍODO ENERO-NOVIEMBRE DE 2025", "en el periodo enero-noviembre de 2025"):
        assert summary(only(text)) == ("2025-01", "2025-11", "ytd", "window")
    assert summary(only("en el ultimo ano", published=PUBLISHED)) == ("2025-01", "2025-12", "year", "window")


def test_two_years_in_one_sentence_are_two_periods() -> None:
    text = "la participación de las regiones pasó de 84,3% en 2024 a 85,3% en 2025"
    found = find_periods(text)
    assert [(p.phrase, p.start, p.end, p.kind) for p in found] == [
        ("en 2024", "2024-01", "2024-12", "year"),
        ("en 2025", "2025-01", "2025-12", "year"),
    ]


def test_a_period_bound_to_a_figure_is_not_carried_on() -> None:
    text = (
        "Entre enero y noviembre de 2022 subieron 5 %.\n\n"
        "En este periodo, 15 regiones crecieron. Concentraron más de 65 % de la exportación nacional: "
        "su participación pasó de 69,3 % en 2021 a 65,3 % en 2022. "
        "A noviembre, Ica sumó US$ 500 millones.\n\n"
        "Por macrorregiones, el oriente creció 66,2 %. En el mismo periodo, el sur cayó 6,7 %."
    )
    found = find_periods(text)
    assert [(p.phrase, *summary(p)) for p in found] == [
        ("Entre enero y noviembre de 2022", "2022-01", "2022-11", "ytd", "window"),
        ("En este periodo", "2022-01", "2022-11", "ytd", "window"),
        ("en 2021", "2021-01", "2021-12", "year", "window"),  # a bare year stays the calendar year
        ("en 2022", "2022-01", "2022-12", "year", "window"),
        ("A noviembre", "2022-01", "2022-11", "ytd", "window"),
        ("En el mismo periodo", "2022-01", "2022-11", "ytd", "window"),
    ]
    assert window_of(text, "65 %") == "En este periodo"
    assert window_of(text, "69,3 %") == "en 2021"
    assert window_of(text, "65,3 %") == "en 2022"
    assert window_of(text, "66,2 %") == "A noviembre"
    text = (
        "Durante el 2024 llegaron a USD 9,0 billones, más que los USD 2,5 billones del 2001. Asia creció 5 %."
    )
    assert window_of(text, "5 %") == "Durante el 2024"
    # with nothing carried in the paragraph, the figure's own period of the sentence before goes on
    text = "Exports in 2021 and 2022\n\nExports reached US$ 63.1 billion in 2021. The interior grew 4 %."
    assert window_of(text, "4 %", lang="en") == "in 2021"


@pytest.mark.parametrize(
    ("text", "lang", "phrase", "start", "end", "kind"),
    [
        ("Entre enero y noviembre de 2025, aumentó 18,5% respecto a igual periodo del 2024", "es",
         "respecto a igual periodo del 2024", "2024-01", "2024-11", "ytd"),
        ("frente al mismo periodo de 2024", "es", "frente al mismo periodo de 2024", "2024-01", "2024-12",
         "year"),
        ("creció 5 % en comparación con 2024", "es", "en comparación con 2024", "2024-01", "2024-12", "year"),
        ("Creció 200 % desde 2010", "es", "desde 2010", "2010-01", "2010-12", "year"),
        ("Up 3% since 2019", "en", "since 2019", "2019-01", "2019-12", "year"),
        ("En octubre de 2025 subió 3 % respecto al mismo mes del año anterior", "es",
         "respecto al mismo mes del año anterior", "2024-10", "2024-10", "month"),
        ("En 2023 creció 5 % respecto al año anterior", "es", "respecto al año anterior", "2022-01",
         "2022-12", "year"),
        ("Between January and November 2025 exports rose 5% compared with the same period of 2024", "en",
         "compared with the same period of 2024", "2024-01", "2024-11", "ytd"),
        ("In Jan-Nov 2025 they rose 5% compared with the same period last year", "en",
         "compared with the same period last year", "2024-01", "2024-11", "ytd"),
    ],
)  # fmt: skip
def test_comparisons(text: str, lang: str, phrase: str, start: str, end: str, kind: str) -> None:
    p = only(text, lang)
    assert (p.phrase, p.start, p.end, p.kind, p.role) == (phrase, start, end, kind, "comparison")


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("El año pasado sumaron US$ 66 167 millones, un 4,8 % más que en 2021.", "es",
         [("el año pasado", "2022-01", "2022-12", "window"),
          ("más que en 2021", "2021-01", "2021-12", "comparison")]),
        ("En 2021 creció 8 % respecto de 2020 y 6 % sobre 2019; el sobre 2019 no.", "es",
         [("En 2021", "2021-01", "2021-12", "window"),
          ("respecto de 2020", "2020-01", "2020-12", "comparison"),
          ("sobre 2019", "2019-01", "2019-12", "comparison"), ("2019", "2019-01", "2019-12", "window")]),
        ("In 2021 exports rose, a 47.4% jump from the previous year, and an increase from 2019.", "en",
         [("In 2021", "2021-01", "2021-12", "window"),
          ("from the previous year", "2020-01", "2020-12", "comparison"),
          ("from 2019", "2019-01", "2019-12", "comparison")]),
        ("In 2022 exports grew 5% more than in 2021.", "en",
         [("In 2022", "2022-01", "2022-12", "window"), ("than in 2021", "2021-01", "2021-12", "comparison")]),
        ("En 2022 el interior subió 0,3 % por encima del año anterior.", "es",
         [("En 2022", "2022-01", "2022-12", "window"),
          ("por encima del año anterior", "2021-01", "2021-12", "comparison")]),
        ("Exports reached US$ 63.1 billion in 2021, up 47.4% on 2020, 43.3% more than a year earlier.", "en",
         [("in 2021", "2021-01", "2021-12", "window"), ("on 2020", "2020-01", "2020-12", "comparison"),
          ("than a year earlier", "2020-01", "2020-12", "comparison")]),
    ],
)  # fmt: skip
def test_comparisons_made_with_more_than_and_on(
    text: str, lang: str, expected: list[tuple[str, str, str, str]]
) -> None:
    found = find_periods(text, lang, date(2023, 2, 15))
    assert [(p.phrase.lower(), p.start, p.end, p.role) for p in found] == [
        (e[0].lower(), *e[1:]) for e in expected
    ]


def test_that_year_and_that_period_repeat_the_one_before() -> None:
    text = (
        "El año 2021 fue excepcional. La participación llegó a 71,6 % ese año. "
        "Entre enero y noviembre de 2021, 13 de ellas alcanzaron récords para ese periodo."
    )
    found = find_periods(text)
    assert [(p.phrase, *summary(p)) for p in found] == [
        ("El año 2021", "2021-01", "2021-12", "year", "window"),
        ("ese año", "2021-01", "2021-12", "year", "window"),
        ("Entre enero y noviembre de 2021", "2021-01", "2021-11", "ytd", "window"),
        ("para ese periodo", "2021-01", "2021-11", "ytd", "window"),
    ]
    assert summary(only("In that year", "en")) == ("", "", "year", "window")


def test_the_year_after_and_a_year_before() -> None:
    text = (
        "En 2017 el interior exportó US$ 29 698 millones, 18,9 % más que un año antes. "
        "En 2013 cayó. Al año siguiente, el interior volvió a caer (−7,7 %)."
    )
    found = find_periods(text)
    assert [(p.phrase, *summary(p)) for p in found] == [
        ("En 2017", "2017-01", "2017-12", "year", "window"),
        ("más que un año antes", "2016-01", "2016-12", "year", "comparison"),
        ("En 2013", "2013-01", "2013-12", "year", "window"),
        ("Al año siguiente", "2014-01", "2014-12", "year", "window"),
    ]
    found = find_periods("In 2013 it fell. The following year, it rose 5 %.", "en")
    assert summary(found[-1]) == ("2014-01", "2014-12", "year", "window")
    assert summary(only("el año siguiente")) == ("", "", "year", "window")


def test_a_comparison_does_not_move_the_current_year() -> None:
    found = find_periods("En 2025 creció 5 % frente a 2024. En noviembre cayó.")
    assert [summary(p) for p in found] == [
        ("2025-01", "2025-12", "year", "window"),
        ("2024-01", "2024-12", "year", "comparison"),
        ("2025-11", "2025-11", "month", "window"),
    ]


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("a noviembre", PUBLISHED, ("2025-01", "2025-11", "ytd")),
        ("a noviembre", date(2025, 12, 15), ("2025-01", "2025-11", "ytd")),
        ("a noviembre", date(2025, 11, 15), ("2024-01", "2024-11", "ytd")),  # November not over yet
        ("en el primer semestre", date(2025, 8, 1), ("2025-01", "2025-06", "range")),
        ("en el primer semestre", date(2025, 3, 1), ("2024-01", "2024-06", "range")),
        ("el año pasado", PUBLISHED, ("2025-01", "2025-12", "year")),
        ("durante el año pasado", PUBLISHED, ("2025-01", "2025-12", "year")),
        ("este año", PUBLISHED, ("2026-01", "2026-12", "year")),
        ("last year", PUBLISHED, ("2025-01", "2025-12", "year")),
        ("el mes pasado", PUBLISHED, ("2025-12", "2025-12", "month")),
        ("en lo que va del año", date(2019, 10, 25), ("2019-01", "2019-09", "ytd")),
        ("en lo que va del año", date(2019, 2, 25), ("2019-01", "2019-01", "ytd")),
        ("el mes pasado", date(2025, 6, 3), ("2025-05", "2025-05", "month")),
        ("en el último año", PUBLISHED, ("2025-01", "2025-12", "year")),
    ],
)
def test_resolution_by_publication_date(text: str, published: date, expected: tuple[str, str, str]) -> None:
    lang = "en" if text.startswith("last") else "es"
    assert summary(only(text, lang, published))[:3] == expected


def test_the_text_before_wins_over_the_publication_date() -> None:
    text = "Entre enero y noviembre de 2023 creció 5 %. A noviembre, 14 regiones batieron récords."
    assert summary(only(text, published=PUBLISHED)) == ("2023-01", "2023-11", "ytd", "window")


@pytest.mark.parametrize(
    ("text", "lang", "kind"),
    [
        ("a noviembre", "es", "ytd"),
        ("en noviembre", "es", "month"),
        ("en el primer semestre", "es", "range"),
        ("en los primeros once meses del año", "es", "ytd"),
        ("el año pasado", "es", "year"),
        ("en el último año analizado", "es", "year"),
        ("en los últimos doce meses", "es", "rolling12"),
        ("en lo que va del año", "es", "ytd"),
        ("en este periodo", "es", "range"),
        ("entre diciembre y noviembre", "es", "rolling12"),
        ("last year", "en", "year"),
        ("through November", "en", "ytd"),
        ("el mes pasado", "es", "month"),
    ],
)
def test_unresolved_without_context_nor_publication(text: str, lang: str, kind: str) -> None:
    p = only(text, lang)
    assert (p.start, p.end, p.kind, p.phrase) == ("", "", kind, text)


def test_the_last_twelve_months_need_a_month_to_end_at() -> None:
    # A publication date alone does not say which month the data end in: no guess.
    assert summary(only("en los últimos doce meses", published=PUBLISHED))[:2] == ("", "")
    text = "A noviembre de 2025 subió. En los últimos doce meses"
    assert summary(only(text)) == ("2024-12", "2025-11", "rolling12", "window")


def test_this_period_repeats_the_window_before() -> None:
    text = "Entre enero y noviembre de 2025 crecieron. En este periodo, 20 regiones crecieron."
    p = find_periods(text)[1]
    assert (p.phrase, *summary(p)) == ("En este periodo", "2025-01", "2025-11", "ytd", "window")


def test_the_last_year_prefers_the_paragraph() -> None:
    text = (
        "Importaciones a noviembre de 2025.\n"
        "En 2024 alcanzó 9,0 billones, frente a 2,5 del 2001. Luego subió en el último año."
    )
    assert summary(only(text))[:2] == ("2024-01", "2024-12")
    assert summary(only(text.replace("\n", " ")))[:2] == ("2025-01", "2025-12")


@pytest.mark.parametrize(
    "text",
    ["creció 2.523%", "US$ 2025 millones", "USD 2024", "un alza de 2024 %", "2,2025 dólares", "N.° 2024",
     "9,2021 mil toneladas", "crecieron 20,21 %"],
)  # fmt: skip
def test_a_number_is_not_a_year(text: str) -> None:
    assert find_periods(text) == []


def test_a_currency_after_a_year_leaves_it_a_year() -> None:
    assert summary(only("En 2024 US$ 750 millones"))[:3] == ("2024-01", "2024-12", "year")
    assert find_periods("pagaron 2024 dólares y 2023 toneladas") == []


def test_a_full_date_is_a_date_not_a_window() -> None:
    text = "Lima, 26 de enero de 2026.- En 2024 las exportaciones superaron los USD 750 millones."
    found = find_periods(text)
    assert [(p.phrase, p.start, p.end, p.kind, p.role, p.span) for p in found] == [
        ("date", "2026-01", "2026-01", "month", "window", (6, 25)),
        ("En 2024", "2024-01", "2024-12", "year", "window", (28, 35)),
    ]
    after = text.index("750")
    assert window_for(found, after, after + 12, text) == found[1]
    # a date is not the text's current year
    assert summary(only("Lima, 26 de enero de 2026. Subió a noviembre."))[:2] == ("", "")
    assert [p.phrase for p in find_periods("On January 26, 2026 and 26 January 2026", "en")] == [
        "date",
        "date",
    ]


def test_may_the_verb_is_not_may_the_month() -> None:
    assert [p.phrase for p in find_periods("exports may rise in May 2025", "en")] == ["in May 2025"]


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="lang"):
        find_periods("en 2024", "fr")


def span_of(text: str, printed: str, nth: int = 0) -> tuple[int, int]:
    at = -1
    for _ in range(nth + 1):
        at = text.index(printed, at + 1)
    return at, at + len(printed)


def window_of(text: str, printed: str, nth: int = 0, lang: str = "es") -> str | None:
    found = find_periods(text, lang)
    p = window_for(found, *span_of(text, printed, nth), text)
    return None if p is None else p.phrase


def test_a_period_right_after_the_number_binds_tighter() -> None:
    text = "La participación pasó de 84,3% en 2024 a 85,3% en 2025."
    assert window_of(text, "84,3%") == "en 2024"
    assert window_of(text, "85,3%") == "en 2025"
    text = "Durante el 2024, alcanzaron los USD 9,0 billones superando los USD 2,5 billones del 2001."
    assert window_of(text, "USD 9,0 billones") == "Durante el 2024"
    assert window_of(text, "USD 2,5 billones") == "del 2001"


def test_a_period_before_the_number_wins_over_one_far_after() -> None:
    text = "En 2023, Cajamarca exportó US$ 3 000 millones, y Puno, que creció 20 % en 2024, lideró."
    assert window_of(text, "US$ 3 000 millones") == "En 2023"
    assert window_of(text, "20 %") == "en 2024"
    text = "En 2023, Cajamarca exportó US$ 3 000 millones, récord histórico, en 2024 subió."
    assert window_of(text, "US$ 3 000 millones") == "En 2023"


def test_a_period_after_the_number_when_none_before() -> None:
    text = "Los envíos crecieron 30,6% y 15,9%, respectivamente, entre enero y noviembre de 2025."
    assert window_of(text, "30,6%") == "entre enero y noviembre de 2025"
    assert window_of(text, "15,9%") == "entre enero y noviembre de 2025"


def test_a_period_after_a_colon_belongs_to_its_own_clause() -> None:
    text = (
        "Entre enero y noviembre de 2022 subió. Concentraron más de 65 % de la exportación nacional: "
        "su participación pasó de 69,3 % en 2021 a 65,3 % en 2022."
    )
    assert window_of(text, "65 %") == "Entre enero y noviembre de 2022"
    assert window_of(text, "69,3 %") == "en 2021"
    assert window_of("Subió 65 %: fue en 2022.", "65 %") == "en 2022"  # nothing before: the clause after


def test_comparisons_are_never_the_window() -> None:
    text = "Entre enero y noviembre de 2025, aumentó 18,5% respecto a igual periodo del 2024."
    assert window_of(text, "18,5%") == "Entre enero y noviembre de 2025"


def test_previous_sentences_of_the_paragraph_then_of_the_text() -> None:
    text = (
        "Entre enero y noviembre de 2025, crecieron 19,8%. En el sur subieron 21%.\n\n"
        "En 2024 se exportó más. Arequipa subió 21%.\n\n"
        "Puno subió 8%."
    )
    assert window_of(text, "21%") == "Entre enero y noviembre de 2025"
    assert window_of(text, "21%", nth=1) == "En 2024"
    assert window_of(text, "8%", nth=1) == "En 2024"
    assert window_for([], *span_of(text, "8%", nth=1), text) is None
    assert window_for(find_periods("Subió 8 %. En 2024 bajó."), 6, 10, "Subió 8 %. En 2024 bajó.") is None


def test_window_in_english() -> None:
    text = "Exports rose 5% in 2024. Imports fell 3% in the first half of 2025."
    assert window_of(text, "5%", lang="en") == "in 2024"
    assert window_of(text, "3%", lang="en") == "in the first half of 2025"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Subió 3.5 %. Luego bajó.", ["Subió 3.5 %.", "Luego bajó."]),
        ("El Sr. Pérez habló. Dijo que sí.", ["El Sr. Pérez habló.", "Dijo que sí."]),
        ("Envíos a EE. UU. y Chile. A EE. UU. Subió.", ["Envíos a EE. UU. y Chile.", "A EE. UU.", "Subió."]),
        ("Según la Resolución N.° 5 subió. Ya.", ["Según la Resolución N.° 5 subió.", "Ya."]),
        ("Alcanzó US$ 68 120 millones. Creció 19,8%.", ["Alcanzó US$ 68 120 millones.", "Creció 19,8%."]),
        ("Pagó S/. 100 por kilo. Otro.", ["Pagó S/. 100 por kilo.", "Otro."]),
        ("Lo dijo J. Mera. “Crecemos”, afirmó.", ["Lo dijo J. Mera.", "“Crecemos”, afirmó."]),
        ("¿Subió? ¡Sí! 20 regiones crecieron.", ["¿Subió?", "¡Sí!", "20 regiones crecieron."]),
        ("Título sin punto\nPrimer párrafo. Segundo.", ["Título sin punto", "Primer párrafo.", "Segundo."]),
        ("Una línea cortada\nen dos. Otra.", ["Una línea cortada\nen dos.", "Otra."]),
        ("Lima, 26 de enero de 2026.- La industria.", ["Lima, 26 de enero de 2026.-", "La industria."]),
        ("Made by Acme S.A. in Lima. Next one.", ["Made by Acme S.A. in Lima.", "Next one."]),
        ("Regiones:\n1. Ica creció. Bien.\n2. Puno", ["Regiones:", "1. Ica creció.", "Bien.", "2. Puno"]),
        ("Una línea\r\ncortada. Otra\r\n\r\nY otra.", ["Una línea\r\ncortada.", "Otra", "Y otra."]),
    ],
)  # fmt: skip
def test_sentences(text: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b in sentences(text)] == expected


@pytest.fixture(scope="module")
def article(shared_data: Path) -> Callable[[str], str]:
    """``article("000")``: the text of a reference article next to the data mirror (skips when absent)."""
    folder = shared_data.parent / "reference" / "articles"

    def read(prefix: str) -> str:
        found = sorted(folder.glob(f"{prefix}_*.txt")) if folder.is_dir() else []
        if not found:
            pytest.skip(f"article {prefix} not found in {folder}")
        return found[0].read_text(encoding="utf-8")

    return read


def test_sentences_of_article_000(article: Callable[[str], str]) -> None:
    text = article("000")
    spans = sentences(text)
    got = [text[a:b] for a, b in spans]
    assert len(got) == 26
    assert got[3].startswith("Entre enero y noviembre de 2025, las exportaciones")
    assert got[3].endswith("Turismo (Mincetur).")
    assert "US$ 68 120 millones, creciendo 19,8%" in got[3]
    assert got[-3] == "IMPORTANTE"
    # spans are trimmed, ordered and do not overlap
    assert all(a < b <= c for (a, b), (c, _) in pairwise(spans))
    assert all(not text[a].isspace() and not text[b - 1].isspace() for a, b in spans)


def test_sentences_of_article_003(article: Callable[[str], str]) -> None:
    text = article("003")
    got = [text[a:b] for a, b in sentences(text)]
    assert len(got) == 27
    assert got[1] == "Lima, 26 de enero de 2026.-"
    assert "Destino de las exportaciones: EE. UU. y países de la región son clave" in got
    assert any(s.startswith("Durante el 2024,") and s.endswith("del 2001.") for s in got)


def test_periods_of_article_000(article: Callable[[str], str]) -> None:
    text = article("000")
    found = find_periods(text)
    assert [(p.phrase, *summary(p)) for p in found] == [
        ("Entre enero y noviembre de 2025", "2025-01", "2025-11", "ytd", "window"),
        ("En este periodo", "2025-01", "2025-11", "ytd", "window"),
        ("en 2024", "2024-01", "2024-12", "year", "window"),
        ("en 2025", "2025-01", "2025-12", "year", "window"),
        ("a noviembre", "2025-01", "2025-11", "ytd", "window"),
        ("Entre enero y noviembre de 2025", "2025-01", "2025-11", "ytd", "window"),
        ("respecto a igual periodo del 2024", "2024-01", "2024-11", "ytd", "comparison"),
        ("este 2025", "2025-01", "2025-12", "year", "window"),
        ("Entre enero y noviembre de 2025", "2025-01", "2025-11", "ytd", "window"),
        (
            "En el periodo que va de diciembre de 2024 a noviembre de 2025",
            "2024-12",
            "2025-11",
            "rolling12",
            "window",
        ),
    ]
    assert window_of(text, "US$ 68 120 millones") == "Entre enero y noviembre de 2025"
    assert window_of(text, "20 regiones") == "En este periodo"
    assert window_of(text, "(+64%)") == "a noviembre"  # the previous sentence's period
    assert window_of(text, "9% y 8%") == "En el periodo que va de diciembre de 2024 a noviembre de 2025"


def test_periods_of_article_003(article: Callable[[str], str]) -> None:
    text = article("003")
    found = find_periods(text, published=PUBLISHED)
    by_phrase = {p.phrase: summary(p) for p in found}
    assert by_phrase["date"] == ("2026-01", "2026-01", "month", "window")
    assert by_phrase["en el último año analizado"] == ("2024-01", "2024-12", "year", "window")
    assert by_phrase["durante el año pasado"] == ("2025-01", "2025-12", "year", "window")
    assert by_phrase["entre enero y noviembre del último año"] == ("2025-01", "2025-11", "ytd", "window")
    assert by_phrase["de enero a noviembre de 2025"] == ("2025-01", "2025-11", "ytd", "window")
    assert window_of(text, "USD 750 millones") == "En 2024"
    assert window_of(text, "51%") == "en el último año analizado"
    assert window_of(text, "37%") == "en 2024"
    assert window_of(text, "42,6%") == "entre enero y noviembre de 2025"


_VOCABULARY = (
    "en entre de del a y hasta el año pasado último este 2024 2025 1999 enero noviembre diciembre setiembre "
    "primer semestre trimestre los primeros últimos once doce meses periodo respecto frente igual mismo "
    "26 US$ 2.523 % , . : ; — - – \n \n\n EE. UU. Sr. N.° 19,8 In May last year between and the of to "
    "January November first half quarter months compared with"
)
_WORDS = st.sampled_from(_VOCABULARY.split(" "))


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, max_size=40), st.sampled_from(["es", "en"]), st.sampled_from([None, PUBLISHED]))
def test_any_text_gives_well_formed_periods(words: list[str], lang: str, published: date | None) -> None:
    text = " ".join(words)
    found = find_periods(text, lang, published)
    spans = [p.span for p in found]
    assert all(s is not None and 0 <= s[0] < s[1] <= len(text) for s in spans)
    assert all(a[1] <= b[0] for a, b in pairwise(s for s in spans if s is not None))
    for p in found:
        assert (p.start == "") == (p.end == "")
        assert p.start <= p.end
        assert p.phrase == "date" or (p.span is not None and text[p.span[0] : p.span[1]] == p.phrase)
    cuts = sentences(text)
    assert all(a < b <= c for (a, b), (c, _) in pairwise(cuts))
    assert "".join("".join(text[a:b].split()) for a, b in cuts) == "".join(text.split())
    for at in range(0, len(text), 7):
        got = window_for(found, at, at + 1, text)
        assert got is None or (got in found and got.role == "window" and got.phrase != "date")


def test_a_backward_span_is_not_a_period() -> None:
    assert [p.phrase for p in find_periods("de diciembre de 2025 a enero de 2024")] == [
        "diciembre de 2025",
        "a enero de 2024",
    ]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("H2 2024", "2024-07", "2024-12"),
        ("in Q1 2025", "2025-01", "2025-03"),
        ("the second half of 2023", "2023-07", "2023-12"),
        ("H3 2024", "2024-01", "2024-12"),  # no third half: the year alone
    ],
)
def test_halves_and_quarters_in_short(text: str, start: str, end: str) -> None:
    assert summary(only(text, "en"))[:2] == (start, end)


def test_the_index_answers_like_the_function_and_follows_a_changed_list() -> None:
    text = "Entre enero y noviembre de 2025 subió 5 %. En 2024 cayó 3 %. Luego subió 2 %."
    found = find_periods(text)
    index = Windows(found, text)
    for printed in ("5 %", "3 %", "2 %"):
        assert index.window_for(*span_of(text, printed)) == window_for(found, *span_of(text, printed), text)
    assert window_for(found, *span_of(text, "2 %"), text) == found[1]
    found.pop()  # the cached index must not answer for a list that changed
    assert window_for(found, *span_of(text, "2 %"), text) == found[0]


def test_an_empty_text() -> None:
    assert find_periods("") == []
    assert sentences("") == []
    assert window_for([], 0, 0, "") is None
