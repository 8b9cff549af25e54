"""The one number formatter of comercio: Peruvian house style for prose, tables and chart axes.

Why one formatter: a figure must read the same in a sentence, in a table cell and on a chart axis
(great-tables' ``vals.fmt_number`` idea). Babel's ``es_PE`` number patterns print ``68,120``, ``19.8%`` and
``USD``, and Babel rounds half to even, so only Babel's *month names* are used; numbers are built here with
:class:`decimal.Decimal` and ``ROUND_HALF_UP`` from the float's ``repr`` (``pct(0.19850)`` → ``19,9 %``).

House style (documented choices):

* Spanish groups thousands with a NARROW NO-BREAK SPACE (U+202F, :data:`GROUP_ES`) and uses a decimal comma;
  the percent sign follows a U+202F too (``19,8 %``) unless ``percent_space=False`` (``19,8%``).
  English uses ``68,120`` and ``19.8%`` (no space; ``percent_space`` only changes Spanish by default).
* Money is ``US$`` + NO-BREAK SPACE (U+00A0) + number + U+00A0 + scale word: ``US$ 68 120 millones`` /
  ``US$ 68,120 million``. ``scale="auto"`` keeps millions from US$ 1 million up to 10^12 (the releases write
  ``US$ 18 203 millones``, never ``mil millones``) and then uses ``billones``/``trillion`` (1 billón = 10^12).
  Below one million it uses ``mil``/``thousand``, below one thousand plain dollars. The figure is an integer
  when it is 100 or more in its unit, otherwise it has one decimal (``US$ 613 millones``,
  ``US$ 4,5 millones``).
* Negative numbers use the true minus sign U+2212; signed output adds ``+`` to positives; a value that rounds
  to zero never carries a sign. Money puts the sign after the currency: ``US$ −4,5 millones``.
* Missing values (None, NaN, ±inf) print ``n.d.`` (es) / ``n.a.`` (en).
* Periods: ``enero-noviembre de 2025``, ``noviembre de 2025``, ``diciembre 2024-noviembre 2025``;
  English ``January-November 2025``.

:func:`parse_number` and :func:`find_numbers` invert the formatter so tests can check that every number
printed in a narrative matches a computed fact.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Any, Literal, NamedTuple

from babel.dates import get_month_names

from comercio.errors import ConfigError, ParseError, ReportError

GROUP_ES = "\u202f"  # narrow no-break space: thousands separator and space before "%" in Spanish
NBSP = "\u00a0"  # no-break space: between "US$", the number and the scale word
MINUS = "\u2212"  # true minus sign
CURRENCY = "US$"
NOT_AVAILABLE = {"es": "n.d.", "en": "n.a."}
LANGS = ("es", "en")

Number = float | int | Decimal | None
Scale = Literal["auto", "units", "thousands", "millions", "billions", "trillions"]

# name -> (power of ten, Spanish word, Spanish singular, English word)
_SCALES: dict[str, tuple[int, str, str, str]] = {
    "units": (0, "", "", ""),
    "thousands": (3, "mil", "mil", "thousand"),
    "millions": (6, "millones", "millón", "million"),
    "billions": (9, "mil millones", "mil millones", "billion"),
    "trillions": (12, "billones", "billón", "trillion"),
}
_AUTO_LADDER = ("units", "thousands", "millions", "trillions")
_CTX = Context(prec=400, rounding=ROUND_HALF_UP)  # wide enough for any finite float at any sane precision


def _to_decimal(x: Number) -> Decimal | None:
    """Exact decimal of what the user sees in ``repr(x)``; None for missing or non-finite values."""
    if x is None:
        return None
    if isinstance(x, Decimal):
        return x if x.is_finite() else None
    xf = float(x)
    if math.isnan(xf) or math.isinf(xf):
        return None
    return Decimal(repr(x)) if isinstance(x, int) else Decimal(repr(xf))


def round_half_up(x: Decimal, decimals: int) -> Decimal:
    """Round ``x`` to ``decimals`` places, halves away from zero (never banker's rounding)."""
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    with localcontext(_CTX):
        return x.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Formatter:
    """Formats numbers, money, shares, periods and dates in the house style of one language.

    ``lang`` is ``"es"`` or ``"en"``. ``percent_space`` puts a narrow no-break space before ``%``; None means
    the language default (Spanish yes, English no).
    """

    lang: str = "es"
    percent_space: bool | None = None

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ConfigError(f"unsupported language {self.lang!r}; use one of {LANGS}", field="lang")

    # -- numbers ---------------------------------------------------------------------------------
    @property
    def na(self) -> str:
        """The text printed for a missing value."""
        return NOT_AVAILABLE[self.lang]

    @property
    def _seps(self) -> tuple[str, str]:
        return (GROUP_ES, ",") if self.lang == "es" else (",", ".")

    @property
    def _percent(self) -> str:
        space = self.percent_space if self.percent_space is not None else self.lang == "es"
        return (GROUP_ES if space else "") + "%"

    def _digits(self, q: Decimal, decimals: int, signed: bool) -> str:
        group, dec = self._seps
        text = f"{abs(q):f}"
        int_part, _, frac = text.partition(".")
        chunks: list[str] = []
        while len(int_part) > 3:
            chunks.insert(0, int_part[-3:])
            int_part = int_part[:-3]
        chunks.insert(0, int_part)
        body = group.join(chunks) + (dec + frac if decimals > 0 else "")
        if q.is_zero():
            return body
        if q < 0:
            return MINUS + body
        return ("+" + body) if signed else body

    def number(self, x: Number, decimals: int = 0, *, signed: bool = False) -> str:
        """A plain number: ``68 120``, ``4,5``, ``−0,3`` (Spanish) / ``68,120`` (English)."""
        d = _to_decimal(x)
        if d is None:
            return self.na
        return self._digits(round_half_up(d, decimals), decimals, signed)

    def pct(self, fraction: Number, *, decimals: int = 1, signed: bool = False) -> str:
        """A share or growth rate given as a fraction: 0.198 → ``19,8 %``; signed: ``+35,0 %``, ``−4,2 %``."""
        d = _to_decimal(fraction)
        if d is None:
            return self.na
        q = round_half_up(d.scaleb(2), decimals)
        return self._digits(q, decimals, signed) + self._percent

    def pp(self, points_fraction: Number, decimals: int = 1, *, signed: bool = False) -> str:
        """A difference of shares in percentage points, as a fraction: 0.012 → ``1,2 p.p.``/``1.2 pp``."""
        d = _to_decimal(points_fraction)
        if d is None:
            return self.na
        q = round_half_up(d.scaleb(2), decimals)
        unit = "p.p." if self.lang == "es" else "pp"
        return f"{self._digits(q, decimals, signed)}{NBSP}{unit}"

    def money(self, usd: Number, *, scale: Scale = "auto", decimals: int | None = None) -> str:
        """US dollars in house style: ``US$ 68 120 millones``, ``US$ 9,0 billones``, ``US$ 613 millones``."""
        d = _to_decimal(usd)
        if d is None:
            return self.na
        if scale != "auto" and scale not in _SCALES:
            raise ConfigError(
                f"unknown money scale {scale!r}; use auto or one of {list(_SCALES)}", field="scale"
            )
        name = scale if scale != "auto" else _auto_scale(abs(d))
        while True:
            power = _SCALES[name][0]
            v = d.scaleb(-power)
            places = decimals if decimals is not None else _auto_decimals(v)
            q = round_half_up(v, places)
            if scale != "auto" or name == _AUTO_LADDER[-1]:
                break
            nxt = _AUTO_LADDER[_AUTO_LADDER.index(name) + 1]
            if abs(q) < Decimal(1).scaleb(_SCALES[nxt][0] - power):  # rounding did not reach the next unit
                break
            name = nxt
        _, plural, singular, english = _SCALES[name]
        word = english if self.lang == "en" else (singular if abs(q) == 1 and places == 0 else plural)
        text = f"{CURRENCY}{NBSP}{self._digits(q, places, False)}"
        return f"{text}{NBSP}{word}" if word else text

    # -- dates -----------------------------------------------------------------------------------
    def month(self, m: int) -> str:
        """Month name: ``setiembre`` (Peruvian spelling, lower case) / ``September``."""
        if not 1 <= m <= 12:
            raise ReportError(f"month must be 1-12, got {m}", field="month")
        if self.lang == "en":
            return str(get_month_names("wide", locale="en")[m])
        name = str(get_month_names("wide", locale="es_PE")[m]).lower()
        return "setiembre" if name == "septiembre" else name

    def period(self, start: date, end: date) -> str:
        """A span of months: ``enero-noviembre de 2025`` / ``January-November 2025``; days are ignored."""
        if (start.year, start.month) > (end.year, end.month):
            raise ReportError(f"period starts {start} after it ends {end}", field="period")
        m0, m1 = self.month(start.month), self.month(end.month)
        joiner = " de " if self.lang == "es" else " "
        if start.year == end.year:
            months = m0 if start.month == end.month else f"{m0}-{m1}"
            return f"{months}{joiner}{end.year}"
        return f"{m0} {start.year}-{m1} {end.year}"

    def date_long(self, d: date) -> str:
        """A full date: ``3 de setiembre de 2025`` / ``September 3, 2025``."""
        if self.lang == "es":
            return f"{d.day} de {self.month(d.month)} de {d.year}"
        return f"{self.month(d.month)} {d.day}, {d.year}"

    # -- chart locales ---------------------------------------------------------------------------
    def d3_locale(self) -> dict[str, Any]:
        """A d3-format locale (Vega ``config.locale.number``, vl-convert ``format_locale``) for this style."""
        group, dec = self._seps
        return {
            "decimal": dec,
            "thousands": group,
            "grouping": [3],
            "currency": [CURRENCY + NBSP, ""],
            "minus": MINUS,
            "percent": self._percent,
            "nan": self.na,
        }

    def d3_time_locale(self) -> dict[str, Any]:
        """A d3-time-format locale with the same month names, for time axes."""
        loc = "es_PE" if self.lang == "es" else "en"
        months = [self.month(m) for m in range(1, 13)]
        short = [str(get_month_names("abbreviated", locale=loc)[m]).rstrip(".") for m in range(1, 13)]
        if self.lang == "es":
            days = ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"]
            fmt_date, fmt_dt = "%d/%m/%Y", "%A, %e de %B de %Y, %X"
        else:
            days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
            fmt_date, fmt_dt = "%m/%d/%Y", "%x, %X"
        return {
            "dateTime": fmt_dt,
            "date": fmt_date,
            "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "days": days,
            "shortDays": [x[:3] for x in days],
            "months": months,
            "shortMonths": short,
        }


def _auto_scale(a: Decimal) -> str:
    for name in reversed(_AUTO_LADDER):
        if a >= Decimal(1).scaleb(_SCALES[name][0]):
            return name
    return "units"


def _auto_decimals(v: Decimal) -> int:
    """Integer when the figure is 100 or more in its unit (or zero), else one decimal."""
    return 0 if v.is_zero() or abs(round_half_up(v, 1)) >= 100 else 1


# -- parsing (the inverse, for tests) ------------------------------------------------------------------
class ParsedNumber(NamedTuple):
    """A number found in text: its exact text, value in base units, kind and printed decimals."""

    text: str
    value: float
    kind: str  # "money", "pct", "pp" or "number"
    decimals: int
    start: int


_UNITS = {  # unit text -> (power of ten applied to the printed figure, kind)
    "%": (-2, "pct"),
    "p.p.": (-2, "pp"),
    "pp": (-2, "pp"),
    "mil millones": (9, "money"),
    "millones": (6, "money"),
    "millón": (6, "money"),
    "billones": (12, "money"),
    "billón": (12, "money"),
    "mil": (3, "money"),
    "thousand": (3, "money"),
    "million": (6, "money"),
    "billion": (9, "money"),
    "trillion": (12, "money"),
}
_UNIT_RE = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))


def _pattern(lang: str, strict: bool) -> re.Pattern[str]:
    if lang not in LANGS:
        raise ConfigError(f"unsupported language {lang!r}; use one of {LANGS}", field="lang")
    if lang == "es":
        grp = "[\u202f\u2009\u00a0]" if strict else "[ \u202f\u2009\u00a0]"
        num = rf"\d{{1,3}}(?:{grp}\d{{3}})+(?:,\d+)?|\d+(?:,\d+)?"
    else:
        num = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    sp = r"[ \u00a0\u202f\u2009]?"
    return re.compile(
        rf"(?<![\w.,])(?P<cur>US\${sp})?(?P<sign>[+\-\u2212])?(?P<num>{num})"
        rf"(?:{sp}(?P<unit>{_UNIT_RE})(?![^\W\d_]))?"
    )


def _value(m: re.Match[str], lang: str) -> ParsedNumber:
    raw = m.group("num")
    digits = re.sub(r"[ \u202f\u2009\u00a0]", "", raw) if lang == "es" else raw.replace(",", "")
    if lang == "es":
        digits = digits.replace(",", ".")
    decimals = len(digits.partition(".")[2])
    value = Decimal(digits)
    if m.group("sign") in ("-", MINUS):
        value = -value
    unit = m.group("unit")
    kind = "money" if m.group("cur") else "number"
    if unit:
        power, unit_kind = _UNITS[unit]
        value = value.scaleb(power)
        if unit_kind != "money":
            kind = unit_kind
    return ParsedNumber(m.group(0), float(value), kind, decimals, m.start())


def parse_number(text: str, lang: str = "es") -> float:
    """Invert the formatter: ``"US$ 68 120 millones"`` → 6.812e10, ``"19,8 %"`` → 0.198, ``"n.d."`` → nan.

    Plain spaces are accepted as thousands separators here (a whole string is one number).
    """
    stripped = text.strip()
    if stripped in NOT_AVAILABLE.values():
        return math.nan
    m = _pattern(lang, strict=False).fullmatch(stripped)
    if m is None:
        raise ParseError(
            f"{text!r} is not a number in the {lang!r} house style",
            field="text",
            hint="expected e.g. 68 120, 19,8 %, US$ 4,5 millones",
        )
    return _value(m, lang).value


def find_numbers(text: str, lang: str = "es") -> list[ParsedNumber]:
    """Every number in a text written by the formatter, in order (years and counts included).

    Only the formatter's separators (U+202F, thin or no-break space) group digits, so ``en 2025 25 regiones``
    gives two numbers.
    """
    return [_value(m, lang) for m in _pattern(lang, strict=True).finditer(text)]
