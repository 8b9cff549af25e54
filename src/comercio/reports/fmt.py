"""The one number formatter of comercio: Peruvian house style for every surface a figure appears on.

Why one formatter: a figure must read the same in a sentence, a table cell, a chart label, a map legend, the
dashboard and a spreadsheet (great-tables' ``vals.fmt_number`` idea). The *kind* of a figure (the fact
kinds of ``comercio/indicators/facts.toml``) decides its scale, decimals and sign once, in
:func:`comercio.reports.figures.rounded`; :meth:`Formatter.figure` writes it as text and
:meth:`Formatter.number_format` as an XLSX number format that displays the same figure. Babel's
``es_PE`` number patterns print ``68,120``, ``19.8%`` and ``USD``, and Babel rounds half to even, so only
Babel's *month and day names* are used; numbers are exact decimals rounded half up (``pct(0.19850)`` →
``19,9 %``).

House style (documented choices):

* Spanish groups thousands with a NARROW NO-BREAK SPACE (U+202F, :data:`GROUP_ES`) and uses a decimal comma;
  the percent sign follows a U+202F too (``19,8 %``) unless ``percent_space=False`` (``19,8%``).
  English uses ``68,120`` and ``19.8%`` (no space; ``percent_space`` only changes Spanish by default).
* Money is ``US$`` + NO-BREAK SPACE (U+00A0) + number + U+00A0 + scale word: ``US$ 68 120 millones`` /
  ``US$ 68,120 million``. ``scale="auto"`` keeps millions from US$ 1 million up to 10^12 (the releases write
  ``US$ 18 203 millones``, never ``mil millones``) and then uses ``billones``/``trillion`` (1 billón = 10^12).
  Below one million it uses ``mil``/``thousand``, below one thousand plain dollars. The figure is an integer
  when it is 100 or more in its unit *after rounding*, otherwise it has one decimal (``US$ 613 millones``,
  ``US$ 4,5 millones``, US$ 99 960 000 → ``US$ 100 millones``). Tables and charts whose header says
  "US$ millones" print the bare figure by the same rule (:meth:`Formatter.millions`).
* Growth and shares are percentages with one decimal; contributions are percentage points; counts integers.
* Negative numbers use the true minus sign U+2212; signed kinds (growth, contribution) add ``+`` to
  positives; a figure that rounds to zero never carries a sign (``0,0 %``, never ``−0,0 %`` or ``+0,0 %``).
  Money puts the sign after the currency: ``US$ −4,5 millones``.
* Missing values (None, NaN, ±inf) print ``n.d.`` (es) / ``n.a.`` (en).
* Periods: ``enero-noviembre de 2025``, ``noviembre de 2025``, ``diciembre 2024-noviembre 2025``;
  English ``January-November 2025``.

Words (scale words, ``p.p.``, ``n.d.``, date patterns) come from the message catalogue
(``comercio/i18n/presentation.toml``). :func:`parse_number` and :func:`find_numbers` invert the formatter so
tests can check that every number printed in a narrative matches a computed fact.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple

from babel.dates import get_day_names, get_month_names

from comercio.errors import ConfigError, ParseError, ReportError
from comercio.i18n import LANGS, t
from comercio.reports.figures import (
    SCALES,
    STYLES,
    FigureKind,
    Number,
    Rounded,
    Scale,
    Style,
    axis_format,
    round_half_up,
    rounded,
    stored,
)

GROUP_ES = "\u202f"  # narrow no-break space: thousands separator and space before "%" in Spanish
NBSP = "\u00a0"  # no-break space: between "US$", the number and the scale word
MINUS = "\u2212"  # true minus sign
CURRENCY = "US$"


@dataclass(frozen=True)
class _Locale:
    """Number and calendar conventions of one language (locale data, not messages)."""

    group: str
    decimal: str
    percent_space: bool
    babel: str
    lower_months: bool
    date: str
    date_time: str
    group_re: str  # what groups digits in formatter output (strict) and in hand-typed text (loose)
    loose_group_re: str


_LOCALES = {
    "es": _Locale(
        group=GROUP_ES,
        decimal=",",
        percent_space=True,
        babel="es_PE",
        lower_months=True,
        date="%d/%m/%Y",
        date_time="%A, %e de %B de %Y, %X",
        group_re="[\u202f\u2009\u00a0]",
        loose_group_re="[ \u202f\u2009\u00a0]",
    ),
    "en": _Locale(
        group=",",
        decimal=".",
        percent_space=False,
        babel="en",
        lower_months=False,
        date="%m/%d/%Y",
        date_time="%x, %X",
        group_re=",",
        loose_group_re=",",
    ),
}
_PERUVIAN = {"septiembre": "setiembre"}


@dataclass(frozen=True)
class Formatter:
    """Formats figures, money, shares, periods and dates in the house style of one language.

    ``lang`` is ``"es"`` or ``"en"``. ``percent_space`` puts a narrow no-break space before ``%``; None means
    the language default (Spanish yes, English no).
    """

    lang: str = "es"
    percent_space: bool | None = None

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ConfigError(f"unsupported language {self.lang!r}; use one of {LANGS}", field="lang")

    @property
    def _loc(self) -> _Locale:
        return _LOCALES[self.lang]

    @property
    def na(self) -> str:
        """The text printed for a missing value."""
        return t("presentation.not_available", self.lang)

    @property
    def _percent(self) -> str:
        space = self.percent_space if self.percent_space is not None else self._loc.percent_space
        return (GROUP_ES if space else "") + "%"

    def _digits(self, q: Decimal, decimals: int, signed: bool) -> str:
        text = f"{abs(q):f}"
        int_part, _, frac = text.partition(".")
        chunks: list[str] = []
        while len(int_part) > 3:
            chunks.insert(0, int_part[-3:])
            int_part = int_part[:-3]
        chunks.insert(0, int_part)
        body = self._loc.group.join(chunks) + (self._loc.decimal + frac if decimals > 0 else "")
        if q.is_zero():
            return body
        if q < 0:
            return MINUS + body
        return ("+" + body) if signed else body

    def _word(self, r: Rounded) -> str:
        if r.scale == "units":
            return ""
        one = abs(r.figure) == 1 and r.decimals == 0
        return t(f"presentation.scale.{r.scale}{'_one' if one else ''}", self.lang)

    # -- figures -----------------------------------------------------------------------------------
    def figure(
        self,
        value: Number,
        kind: str,
        *,
        scale: Scale = "auto",
        decimals: int | None = None,
        signed: bool | None = None,
        bare: bool = False,
    ) -> str:
        """A figure of ``kind`` (value, growth, share, contribution, count, ...) as text.

        ``bare`` money is the figure alone in ``scale`` (millions unless given), for cells, bar labels and
        maps whose header or legend already says "US$ millones".
        """
        if bare and scale == "auto":
            scale = "millions"
        r = rounded(value, kind, scale=scale, decimals=decimals, signed=signed)
        if r is None:
            return self.na
        body = self._digits(r.figure, r.decimals, r.signed)
        unit = r.style.unit
        if unit == "percent":
            return body + self._percent
        if unit == "points":
            return f"{body}{NBSP}{t('presentation.points', self.lang)}"
        if unit == "money" and not bare:
            word = self._word(r)
            return f"{CURRENCY}{NBSP}{body}{NBSP}{word}" if word else f"{CURRENCY}{NBSP}{body}"
        return body

    def number(self, x: Number, decimals: int = 0, *, signed: bool = False) -> str:
        """A plain number: ``68 120``, ``4,5``, ``−0,3`` (Spanish) / ``68,120`` (English)."""
        return self.figure(x, "number", decimals=decimals, signed=signed)

    def pct(self, fraction: Number, *, decimals: int = 1, signed: bool = False) -> str:
        """A share or growth rate given as a fraction: 0.198 → ``19,8 %``; signed: ``+35,0 %``, ``−4,2 %``."""
        return self.figure(fraction, "share", decimals=decimals, signed=signed)

    def pp(self, points_fraction: Number, decimals: int = 1, *, signed: bool = False) -> str:
        """A difference of shares in percentage points, as a fraction: 0.012 → ``1,2 p.p.``/``1.2 pp``."""
        return self.figure(points_fraction, "contribution", decimals=decimals, signed=signed)

    def money(self, usd: Number, *, scale: Scale = "auto", decimals: int | None = None) -> str:
        """US dollars in house style: ``US$ 68 120 millones``, ``US$ 9,0 billones``, ``US$ 613 millones``."""
        return self.figure(usd, "value", scale=scale, decimals=decimals)

    def millions(self, usd: Number) -> str:
        """US dollars as the bare figure in millions (``23 500``, ``4,5``, ``100``), same rule as money."""
        return self.figure(usd, "value", scale="millions", bare=True)

    def number_format(
        self,
        value: Number,
        kind: str,
        *,
        scale: Scale = "auto",
        decimals: int | None = None,
        signed: bool | None = None,
        bare: bool = False,
    ) -> str:
        """The XLSX number format under which the cell :func:`stored` keeps shows :meth:`figure`'s figure.

        Decimals and scale are chosen for this value (``#,##0`` for 99.96 millions); full money scales by
        trailing commas (``"US$ "#,##0,," millones"``); a figure that rounds to zero shows no sign.
        """
        if bare and scale == "auto":
            scale = "millions"
        r = rounded(value, kind, scale=scale, decimals=decimals, signed=signed)
        if r is None:
            return "General"
        digits = "#,##0" + ("." + "0" * r.decimals if r.decimals else "")
        prefix = suffix = ""
        unit = r.style.unit
        if unit == "percent":
            suffix = "%"
        elif unit == "points":
            suffix = f'"{NBSP}{t("presentation.points", self.lang)}"'
        elif unit == "money" and not bare:
            digits += "," * (SCALES[r.scale] // 3)
            word = self._word(r)
            prefix, suffix = f'"{CURRENCY}{NBSP}"', (f'"{NBSP}{word}"' if word else "")
        plain = prefix + digits + suffix
        if r.figure.is_zero():
            return f"{plain};{plain}"
        negative = f"{prefix}-{digits}{suffix}"  # the sign sits where the formatter puts it (after US$)
        return f"{prefix}+{digits}{suffix};{negative};{plain}" if r.signed else f"{plain};{negative}"

    def filters(self) -> dict[str, Callable[..., str]]:
        """Jinja filters writing figures in this style (``money``, ``pct``, ``spct``, ``pp``, ``num``,
        ``millions``, ``figure``), for every template that prints numbers."""
        return {
            "money": self.money,
            "pct": lambda x, decimals=1: self.pct(x, decimals=decimals),
            "spct": lambda x, decimals=1: self.pct(x, decimals=decimals, signed=True),
            "pp": lambda x: self.pp(x, signed=True),
            "num": self.number,
            "millions": self.millions,
            "figure": self.figure,
        }

    # -- dates -----------------------------------------------------------------------------------
    def month(self, m: int) -> str:
        """Month name: ``setiembre`` (Peruvian spelling, lower case) / ``September``."""
        if not 1 <= m <= 12:
            raise ReportError(f"month must be 1-12, got {m}", field="month")
        name = str(get_month_names("wide", locale=self._loc.babel)[m])
        name = name.lower() if self._loc.lower_months else name
        return _PERUVIAN.get(name, name)

    def period(self, start: date, end: date) -> str:
        """A span of months: ``enero-noviembre de 2025`` / ``January-November 2025``; a whole calendar year is
        the year itself (``2022``, never ``enero-diciembre de 2022``); days are ignored."""
        if (start.year, start.month) > (end.year, end.month):
            raise ReportError(f"period starts {start} after it ends {end}", field="period")
        if start.year == end.year and (start.month, end.month) == (1, 12):
            return str(end.year)
        m0, m1 = self.month(start.month), self.month(end.month)
        if start.year == end.year:
            months = m0 if start.month == end.month else f"{m0}-{m1}"
            return t("presentation.date.period_one_year", self.lang, months=months, year=end.year)
        return t(
            "presentation.date.period_two_years",
            self.lang,
            first=m0,
            first_year=start.year,
            last=m1,
            last_year=end.year,
        )

    def date_long(self, d: date) -> str:
        """A full date: ``3 de setiembre de 2025`` / ``September 3, 2025``."""
        return t("presentation.date.long", self.lang, day=d.day, month=self.month(d.month), year=d.year)

    # -- chart locales ---------------------------------------------------------------------------
    def d3_locale(self) -> dict[str, Any]:
        """A d3-format locale (Vega ``config.locale.number``, vl-convert ``format_locale``) for this style."""
        return {
            "decimal": self._loc.decimal,
            "thousands": self._loc.group,
            "grouping": [3],
            "currency": [CURRENCY + NBSP, ""],
            "minus": MINUS,
            "percent": self._percent,
            "nan": self.na,
        }

    def d3_time_locale(self) -> dict[str, Any]:
        """A d3-time-format locale with the same month names, for time axes."""
        loc = self._loc.babel
        months = [self.month(m) for m in range(1, 13)]
        short = [str(get_month_names("abbreviated", locale=loc)[m]).rstrip(".") for m in range(1, 13)]
        names = get_day_names("wide", locale=loc)
        days = [str(names[i]) for i in (6, 0, 1, 2, 3, 4, 5)]  # d3 weeks start on Sunday, Babel's on Monday
        return {
            "dateTime": self._loc.date_time,
            "date": self._loc.date,
            "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "days": days,
            "shortDays": [x[:3] for x in days],
            "months": months,
            "shortMonths": short,
        }


# -- parsing (the inverse, for tests) ------------------------------------------------------------------
class ParsedNumber(NamedTuple):
    """A number found in text: its exact text, value in base units, kind and printed decimals."""

    text: str
    value: float
    kind: str  # "money", "pct", "pp" or "number"
    decimals: int
    start: int


@cache
def _units() -> dict[str, tuple[int, str]]:
    """Unit text -> (power of ten applied to the printed figure, kind), in both languages."""
    out = {"%": (-2, "pct")}
    for lang in LANGS:
        out[t("presentation.points", lang)] = (-2, "pp")
        for name in ("thousands", "millions", "billions", "trillions"):
            for key in (name, f"{name}_one"):
                out[t(f"presentation.scale.{key}", lang)] = (SCALES[name], "money")
    return out


@cache
def _pattern(lang: str, strict: bool) -> re.Pattern[str]:
    if lang not in LANGS:
        raise ConfigError(f"unsupported language {lang!r}; use one of {LANGS}", field="lang")
    loc = _LOCALES[lang]
    grp = loc.group_re if strict else loc.loose_group_re
    dec = re.escape(loc.decimal)
    num = rf"\d{{1,3}}(?:{grp}\d{{3}})+(?:{dec}\d+)?|\d+(?:{dec}\d+)?"
    sp = r"[ \u00a0\u202f\u2009]?"
    units = "|".join(re.escape(u) for u in sorted(_units(), key=len, reverse=True))
    return re.compile(
        rf"(?<![\w.,])(?P<cur>US\${sp})?(?P<sign>[+\-\u2212])?(?P<num>{num})"
        rf"(?:{sp}(?P<unit>{units})(?![^\W\d_]))?"
    )


def _value(m: re.Match[str], lang: str) -> ParsedNumber:
    loc = _LOCALES[lang]
    digits = re.sub(loc.loose_group_re, "", m.group("num")).replace(loc.decimal, ".")
    decimals = len(digits.partition(".")[2])
    value = Decimal(digits)
    if m.group("sign") in ("-", MINUS):
        value = -value
    unit = m.group("unit")
    kind = "money" if m.group("cur") else "number"
    if unit:
        power, unit_kind = _units()[unit]
        value = value.scaleb(power)
        if unit_kind != "money":
            kind = unit_kind
    return ParsedNumber(m.group(0), float(value), kind, decimals, m.start())


def parse_number(text: str, lang: str = "es") -> float:
    """Invert the formatter: ``"US$ 68 120 millones"`` → 6.812e10, ``"19,8 %"`` → 0.198, ``"n.d."`` → nan.

    Plain spaces are accepted as thousands separators here (a whole string is one number).
    """
    stripped = text.strip()
    if stripped in {t("presentation.not_available", lang) for lang in LANGS}:
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


__all__ = [
    "CURRENCY",
    "GROUP_ES",
    "MINUS",
    "NBSP",
    "STYLES",
    "FigureKind",
    "Formatter",
    "Number",
    "ParsedNumber",
    "Rounded",
    "Scale",
    "Style",
    "axis_format",
    "find_numbers",
    "parse_number",
    "round_half_up",
    "rounded",
    "stored",
]
