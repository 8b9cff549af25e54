"""What every output of a check says about a figure, in words of the catalogue (``check.toml``).

Markdown, HTML and XLSX print the same rows: :func:`rows` numbers every figure of the text in reading order
(claims and figures not checked alike, so a mark in the text and its table row share a number) and describes
each one once: what it is about, the computed value in the house style, the verdict and its symbol.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from babel.dates import get_month_names

from comercio.check._reasons import variant_label
from comercio.check.model import CheckReport, Claim, Skipped
from comercio.i18n import has, t
from comercio.reports.fmt import Formatter

# A verdict is never told by colour alone: each has a symbol too (periods are plain text).
SYMBOLS: dict[str, str] = {
    "consistent": "✓",
    "close": "≈",
    "differs": "✗",
    "not_checkable": "?",
    "not_understood": "…",
    "period": "",
}
OUTCOMES: tuple[str, ...] = tuple(SYMBOLS)  # the four verdicts, then the two kinds of figures not checked
_BABEL = {"es": "es_PE", "en": "en"}


@dataclass(frozen=True)
class Row:
    """One figure of the text as the tables print it."""

    n: int
    item: Claim | Skipped
    printed: str
    outcome: str  # a verdict, or the kind of a figure not checked ("period", "not_understood")
    label: str  # the outcome in words
    symbol: str
    about: str = ""
    computed: str = ""
    variant: str = ""
    reason: str = ""

    @property
    def span(self) -> tuple[int, int]:
        return self.item.number.span

    @property
    def is_claim(self) -> bool:
        return isinstance(self.item, Claim)


def outcome_label(outcome: str, lang: str) -> str:
    return t(f"check.verdict.{outcome}", lang)


def month_short(m: int, lang: str) -> str:
    """``ene``, ``set``, ``nov`` / ``Jan``, ``Sep``: Babel's abbreviated month without its full stop."""
    return str(get_month_names("abbreviated", locale=_BABEL[lang])[m]).rstrip(".")


def window_text(start: str, end: str, lang: str) -> str:
    """A window of months, compact: ``ene–nov 2025``, ``2022`` (a calendar year), ``dic 2024–nov 2025``."""
    (y0, m0), (y1, m1) = (tuple(int(p) for p in s.split("-")[:2]) for s in (start, end))
    if y0 == y1 and (m0, m1) == (1, 12):
        return str(y1)
    if y0 == y1:
        months = month_short(m0, lang) if m0 == m1 else f"{month_short(m0, lang)}–{month_short(m1, lang)}"
        return f"{months} {y1}"
    return f"{month_short(m0, lang)} {y0}–{month_short(m1, lang)} {y1}"


def figure_kind(claim: Claim) -> str:
    """The figure kind of :mod:`comercio.reports.figures` the computed value is written as."""
    unit = claim.number.unit
    if unit == "usd":
        return "value"
    if unit == "fraction":
        return {"growth": "growth", "share_change": "contribution"}.get(claim.measure or "", "share")
    return "count" if unit == "count" else "number"


def printed_decimals(claim: Claim) -> int | None:
    """Decimals that show the computed value at the printed figure's precision (at least one for percentages),
    or None for the house rule (money printed without decimals, counts)."""
    number, kind = claim.number, figure_kind(claim)
    if number.half_unit <= 0 or kind not in ("value", "growth", "share", "contribution"):
        return None
    step = 2 * number.half_unit * (1e-6 if kind == "value" else 100)  # last digit, in millions or points
    places = max(0, min(3, round(-math.log10(step)))) if step < 1 else 0
    return (places or None) if kind == "value" else max(places, 1)


def computed_text(claim: Claim, fmt: Formatter) -> str:
    """The computed value in the house style of the claim's unit, at the printed precision (empty when
    nothing was computed)."""
    if claim.computed is None:
        return ""
    kind = figure_kind(claim)
    decimals: int | None
    if kind == "number":
        decimals = 0 if float(claim.computed).is_integer() else 1
    else:
        decimals = printed_decimals(claim)
    return fmt.figure(claim.computed, kind, decimals=decimals)


def about_text(claim: Claim, lang: str) -> str:
    """What a claim is about, in words: ``Cajamarca (departamento) · variación (exportaciones) · 2022``."""
    parts: list[str] = []
    s = claim.subject
    if s is not None:
        kind = t(f"check.kind.{s.kind}", lang)
        subject = (s.label or kind) if s.kind in ("national", "world") else f"{s.label} ({kind})"
        parts.append(subject + (f", {basket_text(s.basket, lang)}" if s.basket else ""))
    if claim.measure is not None:
        flow = t(f"check.flow.{s.flow if s is not None else 'X'}", lang)
        parts.append(f"{t(f'check.measure.{claim.measure}', lang)} ({flow})")
    if claim.window is not None:
        parts.append(window_text(claim.window.start, claim.window.end, lang))
    return " · ".join(parts)


def basket_text(basket: str, lang: str) -> str:
    """A product basket by its name in the sector study's catalogue (``sector.basket.<id>``), else its id."""
    key = f"sector.basket.{basket}"
    return t(key, lang) if has(key) else basket


def variant_text(variant: str | None, lang: str) -> str:
    """A definitional variant in words (:func:`comercio.check._reasons.variant_label`), else its code."""
    return variant_label(variant, lang) if variant else ""


def rows(report: CheckReport, lang: str) -> list[Row]:
    """Every figure of the text in reading order, numbered from 1."""
    fmt = Formatter(lang)
    items: list[Claim | Skipped] = sorted(
        (*report.claims, *report.skipped), key=lambda i: (i.number.span, isinstance(i, Skipped))
    )
    out: list[Row] = []
    for n, item in enumerate(items, start=1):
        if isinstance(item, Claim):
            out.append(
                Row(
                    n,
                    item,
                    item.number.printed,
                    item.verdict,
                    outcome_label(item.verdict, lang),
                    SYMBOLS[item.verdict],
                    about_text(item, lang),
                    computed_text(item, fmt),
                    variant_text(item.variant, lang),
                    item.reason,
                )
            )
        else:
            label = outcome_label(item.kind, lang)
            out.append(
                Row(n, item, item.number.printed, item.kind, label, SYMBOLS[item.kind], reason=item.reason)
            )
    return out


def datasets_text(report: CheckReport, lang: str) -> list[str]:
    """Each dataset read with its vintages: ``sunat_g1 (versión 2025-06-02)``."""
    return [
        t("check.meta.vintages", lang, dataset=name, vintages=", ".join(v)) if v else name
        for name, v in sorted(report.datasets.items())
    ]


def published_text(report: CheckReport, lang: str) -> str:
    if report.published is None:
        return t("check.meta.unpublished", lang)
    return Formatter(lang).date_long(date.fromisoformat(report.published))


def source_text(report: CheckReport, lang: str) -> str:
    return t("check.stdin", lang) if report.source in ("-", "stdin") else report.source
