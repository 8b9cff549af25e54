"""The one rule deciding how a figure reads: scale, decimals and sign from the figure's kind.

Every surface (prose, table cell, chart label, map legend, dashboard, XLSX number format) asks
:func:`rounded` and writes what it returns, so US$ 99 960 000 is ``100`` millions everywhere: decimals are
decided *after* rounding (integer from 100 up in the figure's unit, one decimal below), and a figure that
rounds to zero is an unsigned zero. Kinds are the fact kinds of ``comercio/indicators/facts.toml`` (value,
estimate, growth, share, contribution, error, count) plus ``number``; list and rank are not numbers.
:class:`comercio.reports.fmt.Formatter` turns a :class:`Rounded` into text or an XLSX number format.
Numbers are exact decimals of the float's ``repr``, rounded half up (never banker's rounding).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Literal, NamedTuple

from comercio.errors import ConfigError, ReportError

Number = float | int | Decimal | None
Scale = Literal["auto", "units", "thousands", "millions", "billions", "trillions"]
FigureKind = Literal["value", "estimate", "growth", "share", "contribution", "error", "count", "number"]

SCALES: dict[str, int] = {"units": 0, "thousands": 3, "millions": 6, "billions": 9, "trillions": 12}
_AUTO_LADDER = ("units", "thousands", "millions", "trillions")
_CTX = Context(prec=400, rounding=ROUND_HALF_UP)  # wide enough for any finite float at any sane precision


@dataclass(frozen=True)
class Style:
    """How the figures of one kind read: money (scaled), percent or points (x100) or a plain number."""

    unit: Literal["money", "percent", "points", "number"]
    signed: bool = False
    decimals: int | None = 1  # None: decided from the rounded figure (money)


STYLES: dict[str, Style] = {
    "value": Style("money", decimals=None),
    "estimate": Style("money", decimals=None),
    "growth": Style("percent", signed=True),
    "share": Style("percent"),
    "error": Style("percent"),
    "contribution": Style("points", signed=True),
    "count": Style("number", decimals=0),
    "number": Style("number"),
}


class Rounded(NamedTuple):
    """A figure as every surface prints it: in its scale, rounded half up, never a signed zero."""

    figure: Decimal
    decimals: int
    scale: str  # the money scale (``units`` for everything else)
    style: Style
    signed: bool


def to_decimal(x: Number) -> Decimal | None:
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


def style(kind: str) -> Style:
    """The style of a figure kind; :class:`ReportError` for kinds that are not numbers (list, rank)."""
    try:
        return STYLES[kind]
    except KeyError:
        raise ReportError(f"{kind!r} is not a numeric figure kind; use one of {list(STYLES)}") from None


def _auto_scale(a: Decimal) -> str:
    for name in reversed(_AUTO_LADDER):
        if a >= Decimal(1).scaleb(SCALES[name]):
            return name
    return "units"


def _auto_decimals(v: Decimal) -> int:
    """Integer when the figure is 100 or more in its unit after rounding (or zero), else one decimal."""
    return 0 if v.is_zero() or abs(round_half_up(v, 1)) >= 100 else 1


def _money(d: Decimal, scale: str, decimals: int | None) -> tuple[Decimal, int, str]:
    if scale != "auto" and scale not in SCALES:
        raise ConfigError(f"unknown money scale {scale!r}; use auto or one of {list(SCALES)}", field="scale")
    name = scale if scale != "auto" else _auto_scale(abs(d))
    while True:
        power = SCALES[name]
        v = d.scaleb(-power)
        places = decimals if decimals is not None else _auto_decimals(v)
        q = round_half_up(v, places)
        if scale != "auto" or name == _AUTO_LADDER[-1]:
            return q, places, name
        nxt = _AUTO_LADDER[_AUTO_LADDER.index(name) + 1]
        if abs(q) < Decimal(1).scaleb(SCALES[nxt] - power):  # rounding did not reach the next unit
            return q, places, name
        name = nxt


def rounded(
    value: Number,
    kind: str,
    *,
    scale: Scale = "auto",
    decimals: int | None = None,
    signed: bool | None = None,
) -> Rounded | None:
    """The one decision of scale, decimals and sign for a figure of ``kind``; None for a missing value.

    ``scale`` applies to money kinds only; ``decimals`` and ``signed`` override the kind's defaults.
    """
    st = style(kind)
    d = to_decimal(value)
    if d is None:
        return None
    if st.unit == "money":
        q, places, name = _money(d, scale, decimals if decimals is not None else st.decimals)
    else:
        places = decimals if decimals is not None else (st.decimals or 0)
        q, name = round_half_up(d.scaleb(2 if st.unit in ("percent", "points") else 0), places), "units"
    if q.is_zero():
        q = abs(q)
    return Rounded(q, places, name, st, st.signed if signed is None else signed)


def stored(value: Number, kind: str, *, scale: Scale = "auto", bare: bool = False) -> float | None:
    """The number a spreadsheet cell keeps for a figure: US$ (bare money: in its scale), points x100,
    fractions as fractions, so that :meth:`Formatter.number_format` displays the printed figure."""
    st, d = style(kind), to_decimal(value)
    if d is None:
        return None
    if st.unit == "money" and bare:
        d = d.scaleb(-SCALES["millions" if scale == "auto" else scale])
    elif st.unit == "points":
        d = d.scaleb(2)
    return float(d)


def axis_format(kind: str) -> str:
    """The d3 format of chart axes and map legends for a kind (whole ticks; money in a fixed scale)."""
    return ".0%" if style(kind).unit == "percent" else ",.0f"
