"""Reading a text as claims: subject, measure and period of every figure, by the rules of the press."""

from __future__ import annotations

from datetime import date

import pytest

from comercio.check.claims import Reading, read
from comercio.check.lexicon import find_subjects, fold

PUBLISHED = date(2026, 1, 20)


def _by_printed(text: str, lang: str = "es") -> dict[str, list[Reading]]:
    out: dict[str, list[Reading]] = {}
    for r in read(text, lang, PUBLISHED):
        out.setdefault(r.number.printed, []).append(r)
    return out


def _one(text: str, printed: str, lang: str = "es") -> Reading:
    found = _by_printed(text, lang)[printed]
    assert len(found) == 1, found
    return found[0]


def _about(r: Reading) -> tuple[str | None, str | None, str | None]:
    assert r.subject is not None, r
    return r.subject.kind, r.subject.code, r.measure


def test_fold_keeps_offsets() -> None:
    text = "Áncash y San Martín crecieron"
    assert len(fold(text)) == len(text)
    assert fold(text).startswith("ancash y san martin")


def test_longest_name_wins_and_proper_names_need_a_capital() -> None:
    text = "El puerto del Callao, Lima y Callao y el Callao; la sierra y Sierra Leona; lima."
    kinds = [(m.subject.kind, m.subject.code) for m in find_subjects(text)]
    assert kinds[:3] == [("customs_office", "118"), ("region_group", "lima_callao"), ("department", "07")]
    assert ("natural_region", "sierra") in kinds
    assert ("partner", "SL") in kinds
    assert ("department", "15") not in kinds  # "lima" in lower case is not the department


def test_a_name_left_out_is_no_subject() -> None:
    text = (
        "Entre enero y noviembre de 2025, las exportaciones de las regiones del interior —sin considerar "
        "Lima y el Callao— alcanzaron los US$ 68 120 millones, creciendo 19,8%."
    )
    assert _about(_one(text, "US$ 68 120 millones")) == ("region_group", "interior", "value")
    assert _about(_one(text, "19,8%")) == ("region_group", "interior", "growth")
    assert _one(text, "19,8%").window is not None and _one(text, "19,8%").window.end == "2025-11"


def test_brackets_each_and_respectively() -> None:
    text = (
        "En 2021, destacaron Cajamarca (+64%), Lambayeque (+30%) y La Libertad (+18%). Apurímac y Puno (+34% "
        "cada una) crecieron; Amazonas y Junín, ambas con 54%. Arequipa y Puno lideraron con participaciones "
        "de 9% y 8%, respectivamente."
    )
    got = _by_printed(text)
    assert _about(got["+64%"][0]) == ("department", "06", "growth")
    assert _about(got["+18%"][0]) == ("department", "13", "growth")
    assert {r.subject.code for r in got["+34%"] if r.subject} == {"03", "21"}
    assert {r.subject.code for r in got["54%"] if r.subject} == {"01", "12"}
    assert _about(got["9%"][0]) == ("department", "04", "share")
    assert _about(got["8%"][0]) == ("department", "21", "share")


def test_bracketed_share_beside_a_growth() -> None:
    text = (
        "En 2021, el Aeropuerto Internacional Jorge Chávez, que concentró el 22% del total, aumentó 36%, "
        "mientras que el puerto de Matarani (12,5%) registró un incremento de 15%."
    )
    got = _by_printed(text)
    assert _about(got["22%"][0]) == ("customs_office", "235", "share")
    assert _about(got["36%"][0]) == ("customs_office", "235", "growth")
    assert _about(got["12,5%"][0]) == ("customs_office", "145", "share")
    assert _about(got["15%"][0]) == ("customs_office", "145", "growth")


def test_levels_of_a_share_and_its_base() -> None:
    text = (
        "La participación de las regiones del interior en la exportación nacional pasó de 69,0 % en 2021 a "
        "66,0 % en 2022."
    )
    first, second = _one(text, "69,0 %"), _one(text, "66,0 %")
    assert _about(first) == _about(second) == ("region_group", "interior", "share")
    assert first.window is not None and (first.window.start, first.window.end) == ("2021-01", "2021-12")
    assert second.window is not None and second.window.end == "2022-12"


def test_counts_of_regions_and_what_they_did() -> None:
    text = (
        "En 2022, 15 regiones incrementaron su exportación y 10 de ellas superaron sus máximos históricos "
        "anuales; otras ocho retrocedieron. Ica cuenta con 1 250 empresas exportadoras en dos décadas."
    )
    got = _by_printed(text)
    assert _about(got["15"][0]) == ("region_group", "interior", "count")
    assert _about(got["10"][0]) == ("region_group", "interior", "record")
    assert got["10"][0].definition == "annual"
    assert _about(got["ocho"][0]) == ("region_group", "interior", "count_declined")
    assert got["1 250"][0].unsupported and got["1 250"][0].why == "count_stat"
    assert got["dos"][0].why == "period_phrase" and got["dos"][0].period  # "dos décadas": a duration


@pytest.mark.parametrize(
    ("text", "printed", "why"),
    [
        (
            "En 2024, el Perú registró un déficit comercial de USD 18 mil 821 millones.",
            "USD 18 mil 821 millones",
            "balance",
        ),
        (
            "Se proyecta cerrar este 2025 con exportaciones por US$ 85 000 millones.",
            "US$ 85 000 millones",
            "projection",
        ),
        (
            "En 2024, Chile, cuyas exportaciones del sector superan los USD 4 mil millones.",
            "USD 4 mil millones",
            "peer",
        ),
    ],
)
def test_claims_comercio_cannot_compute_are_said_so(text: str, printed: str, why: str) -> None:
    r = _one(text, printed)
    assert r.unsupported and r.why == why


def test_years_dates_and_bare_numbers_are_not_claims() -> None:
    text = "Lima, 26 de enero de 2026.- En 2024 se embarcaron 20 millones de toneladas y el índice fue 19,8%."
    got = _by_printed(text)
    assert got["26"][0].period and got["2026"][0].period and got["2024"][0].period
    assert got["20 millones"][0].why == "plain"
    assert got["19,8%"][0].why == "no_measure"


def test_world_figures_with_the_text_basket() -> None:
    text = (
        "Las exportaciones mundiales de productos metalmecánicos alcanzaron los USD 2,5 billones en 2001. "
        "Asia lidera las compras globales del sector con el 37% en 2001, seguida por Europa (33%)."
    )
    got = _by_printed(text)
    world = got["USD 2,5 billones"][0]
    assert world.subject is not None and (world.subject.kind, world.subject.basket) == (
        "world",
        "metalmecanica",
    )
    asia = got["37%"][0]
    assert asia.subject is not None and (asia.subject.kind, asia.subject.code) == ("continent", "asia")
    assert asia.subject.flow == "M" and asia.measure == "share"
    europe = got["33%"][0]
    assert europe.subject is not None and europe.subject.code == "europe" and europe.measure == "share"


def test_a_basket_alone_is_peru_exports_of_its_g1_group() -> None:
    text = "En 2024, las exportaciones peruanas del sector metalmecánico superaron los USD 750 millones."
    r = _one(text, "USD 750 millones")
    assert r.subject is not None and (r.subject.kind, r.subject.code) == ("basket", "g1:metalmecan")
    assert r.number.qualifier == "more_than"


def test_english_text() -> None:
    text = (
        "In 2021, exports from the interior reached US$ 43.5 billion, 43.3% more than a year earlier, while "
        "Lima and Callao grew 53.3%. The interior's share of national exports was 69.0% in 2021."
    )
    got = _by_printed(text, "en")
    assert _about(got["US$ 43.5 billion"][0]) == ("region_group", "interior", "value")
    assert _about(got["43.3%"][0]) == ("region_group", "interior", "growth")
    assert _about(got["53.3%"][0]) == ("region_group", "lima_callao", "growth")
    assert _about(got["69.0%"][0]) == ("region_group", "interior", "share")


def test_every_number_is_read() -> None:
    text = "En 2021, Ica exportó US$ 6 800 millones (+81,5 %), 14 regiones crecieron y hubo 3 mil envíos."
    from comercio.check.numbers import find_numbers

    assert [r.number.span for r in read(text, "es", PUBLISHED)] == [n.span for n in find_numbers(text, "es")]
