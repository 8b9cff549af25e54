"""The words of a verdict's reason, from the message catalogue (``check.reason.*``), in the report's language.

Figures inside a reason go through the house formatter, so a Spanish report says "los datos dan 19,83 %" and
an English one "the data give 19.83%".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from comercio.i18n import has, t
from comercio.indicators.specs import Window
from comercio.reports.fmt import Formatter


class Why(Exception):
    """A claim cannot be computed: the catalogue key of the reason and its values (already in words)."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key, self.values = key, values

    def say(self, lang: str) -> str:
        return say(lang, self.key, **self.values)


def say(lang: str, key: str, **values: Any) -> str:
    return t(f"check.reason.{key}", lang, **values)


def show(value: float | None, unit: str, lang: str) -> str:
    """A computed figure in the house style: two decimals of a percentage, one of millions of dollars."""
    f = Formatter(lang)
    if value is None:
        return f.na
    if unit == "fraction":
        return f.pct(value, decimals=2)
    if unit == "usd":  # four significant digits or more: US$ 740,7 millones, US$ 2,482 billones
        return f.money(value, decimals=3 if abs(value) >= 1e12 else 1)
    return f.number(value, decimals=0 if float(value).is_integer() else 1)


def period(w: Window, lang: str) -> str:
    return Formatter(lang).period(w.start, w.end)


def month(d: date, lang: str) -> str:
    return Formatter(lang).period(d, d)


def variant_label(code: str, lang: str) -> str:
    """A variant's name for a reader: ``same-window:ytd-11`` → "los mismos meses (enero-noviembre)"."""
    name, _, rest = code.partition(":ytd-")
    if rest:
        f = Formatter(lang)
        months = (
            f.period(date(2000, 1, 1), date(2000, int(rest), 1))
            .removesuffix(" de 2000")
            .removesuffix(" 2000")
        )
        return t(f"check.variant.{name}", lang, months=months) if has(f"check.variant.{name}") else code
    return t(f"check.variant.{code}", lang) if has(f"check.variant.{code}") else code
