"""A fixed, hand-built check report for the render and reading tests (plain data: every verdict and kind)."""

from __future__ import annotations

from comercio.check.model import CheckReport, Claim, Number, Period, Skipped, Subject

TEXT = (
    "Entre enero y noviembre de 2025, las exportaciones de las regiones del interior alcanzaron los "
    "US$ 68 120 millones, creciendo 19,8%.\n\n"
    "En 2022, Cajamarca exportó US$ 3.530,1 millones y su participación fue de 5,1 %; "
    "20 regiones incrementaron su exportación <script>alert('x')</script> y el Callao creció 15 %.\n"
    'Otra línea: & <b>más</b> de 2 mil "cosas" | con pipes.'
)


def _at(printed: str, context: str | None = None) -> tuple[int, int]:
    """The span of ``printed`` where it first appears inside ``context`` (default: itself)."""
    start = TEXT.index(context or printed) + (context or printed).index(printed)
    return (start, start + len(printed))


def number(
    printed: str, value: float, unit: str, half: float, context: str | None = None, **kw: object
) -> Number:
    return Number(_at(printed, context), printed, value, unit, half, **kw)  # type: ignore[arg-type]


INTERIOR = Subject("region_group", "interior", "las regiones del interior")
CAJAMARCA = Subject("department", "06", "Cajamarca")
WINDOW_2025 = Period("2025-01", "2025-11", "ytd", "entre enero y noviembre de 2025", _at("enero y noviembre"))
YEAR_2022 = Period("2022-01", "2022-12", "year", "en 2022", _at("En 2022"))


def sample_report(*, synthetic: bool = False) -> CheckReport:
    """Claims with each verdict, a variant, a code that must stay text, and both kinds of skipped numbers."""
    claims = (
        Claim(
            number("US$ 68 120 millones", 68_120e6, "usd", 5e5),
            INTERIOR,
            "value",
            WINDOW_2025,
            "not_checkable",
            reason="regional data end in 2022-12; the window ends in 2025-11",
        ),
        Claim(
            number("19,8%", 0.198, "fraction", 0.0005),
            INTERIOR,
            "growth",
            WINDOW_2025,
            "not_checkable",
            reason="regional data end in 2022-12; the window ends in 2025-11",
        ),
        Claim(
            number("US$ 3.530,1 millones", 3_530.1e6, "usd", 5e4),
            CAJAMARCA,
            "value",
            YEAR_2022,
            "consistent",
            computed=3_530_123_456.0,
            dataset="bcrp_departments",
            vintage="2024-05-01",
            synthetic=synthetic,
        ),
        Claim(
            number("5,1 %", 0.051, "fraction", 0.0005),
            CAJAMARCA,
            "share",
            YEAR_2022,
            "close",
            computed=0.05234,
            variant="share:attributed",
            reason="1,3 p.p. above; the share of the attributed total gives 5,1 %",
            dataset="bcrp_departments",
            vintage="2024-05-01",
        ),
        Claim(
            number("20", 20, "count", 0.5, "20 regiones"),
            Subject("national", None, "el país"),
            "count",
            YEAR_2022,
            "differs",
            computed=17,
            reason="17 regions grew in 2022, not 20",
            dataset="bcrp_departments",
            vintage="2024-05-01",
        ),
        Claim(
            number("15 %", 0.15, "fraction", 0.005, sign=1),
            Subject("customs_office", "118", "el Callao"),
            "growth",
            YEAR_2022,
            "differs",
            computed=-0.0423,
            reason="the data say a fall of 4,2 %",
            dataset="sunat_lines",
            vintage="2025-06-02",
        ),
    )
    skipped = (
        Skipped(
            number("2025", 2025, "year", 0.5, "noviembre de 2025"),
            "period",
            "sets the window of the sentence",
        ),
        Skipped(number("2022", 2022, "year", 0.5, "En 2022"), "period", "sets the window of the sentence"),
        Skipped(number("2 mil", 2000, "plain", 0.5), "not_understood", "no measure <nor> subject near it"),
    )
    return CheckReport(
        text=TEXT,
        lang="es",
        published="2025-12-28",
        claims=claims,
        skipped=skipped,
        source="nota_<prensa>.txt",
        seconds=1.25,
        datasets={"bcrp_departments": ["2024-05-01"], "sunat_lines": ["2025-06-02"]},
    )
