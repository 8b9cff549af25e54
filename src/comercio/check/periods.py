"""The periods a text talks about, resolved to whole months, and the period each number refers to.

:func:`find_periods` returns every period phrase of a text in order ("entre enero y noviembre de 2025",
"a noviembre", "en el primer semestre", "el año pasado", "de diciembre de 2024 a noviembre de 2025",
"between January and November 2025", …) as :class:`~comercio.check.model.Period` values. A phrase without
its year takes it from the text before it (the year of the window the text carries on with: the latest
window period that is not some figure's own, as "en 2021" is in "pasó de 69,3 % en 2021"), else from the
publication date (the latest such month before it: "a noviembre" published on
2026-01-26 is November 2025). "El año pasado" is the year before publication; "el último año (analizado)"
the greatest year mentioned before it (in its paragraph, else in the text). "En lo que va del año" /
"so far this year" runs from January to the month of the window the text carries on with, else to the month
before publication (published 2019-10-25: January–September 2019). A phrase that cannot be resolved keeps
start/end ``""`` and the kind it would have.

Kinds: a single month is ``month``; January to December of one year ``year``; a span of whole years or any
other multi-month span ``range``; a span from January inside one year ``ytd``; twelve months not starting in
January ``rolling12``. Semesters and quarters are ``range``. A period right after "respecto a", "frente a",
"en comparación con", "compared with" … has ``role="comparison"`` ("respecto a igual periodo del 2024" is the
window's months one year back).

A full date ("26 de enero de 2026", "January 26, 2026") is returned with ``phrase="date"``, kind ``month`` and
role ``window``: its numbers are a date, not figures, and it never sets the text's current year nor is it the
window of a number (:func:`window_for` skips it).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from comercio.check._period_rules import Lang, fold, language
from comercio.check._sentences import paragraphs, sentences
from comercio.check._windows import Windows, bound, window_for
from comercio.check.model import Period

__all__ = ["Windows", "find_periods", "sentences", "window_for"]

Kind = Literal["year", "ytd", "range", "month", "rolling12"]


@dataclass(frozen=True)
class _Raw:
    """A period phrase as read, before its years are resolved (``y0``/``y1`` None: from context)."""

    span: tuple[int, int]
    tag: str
    m0: int = 1
    m1: int = 12  # 0: no month named ("en los últimos doce meses")
    y0: int | None = None
    y1: int | None = None
    ref: str = "ctx"  # how to find a missing year: ctx, past, prev, next, this, latest
    kind: Kind | None = None  # fixed by the phrase (semesters, quarters, dates); else from the months
    months: int = 0  # for "last": how many months back
    role: Literal["window", "comparison"] = "window"


@dataclass
class _Context:
    """What the text has said so far."""

    published: date | None = None
    current: int | None = None  # year of the carried window (see carried)
    anchor: int | None = None  # year of the latest carried window with its year in digits
    last: Period | None = None  # the carried window: the latest window period not bound to a figure
    nearby: Period | None = None  # the latest window period, bound or not (what a comparison is against)
    years: list[tuple[int, int]] = field(default_factory=list)  # (offset, year) of every period so far
    paragraph: int = 0  # offset where the paragraph being read starts

    def latest(self) -> int | None:
        """The greatest year mentioned so far in this paragraph, else in the text."""
        here = [y for at, y in self.years if at >= self.paragraph]
        return max(here or [y for _, y in self.years], default=None)

    def add(self, p: Period, explicit: bool, carried: bool) -> None:
        if not p.start or p.phrase == "date" or p.span is None:
            return
        year = int(p.end[:4])
        self.years.append((p.span[0], year))
        self.nearby = p if p.role == "window" else self.nearby
        if p.role == "window" and carried:
            self.current, self.last = year, p
            self.anchor = year if explicit else self.anchor


def find_periods(text: str, lang: str = "es", published: date | None = None) -> list[Period]:
    """Every period phrase of ``text`` in order, resolved against the text before it and ``published``."""
    spec = language(lang)
    folded = fold(text)
    raws: list[_Raw] = []
    for tag, pattern in spec.rules:
        for m in pattern.finditer(folded):
            s, e = m.span()
            if spec.is_year_quantity(folded, s, e):
                continue
            if (raw := _read(tag, (s, e), folded[s:e], spec)) is not None:
                raws.append(raw)
    ctx = _Context(published=published)
    starts = [a for a, _ in paragraphs(text)]
    out: list[Period] = []
    out_raws: list[_Raw] = []
    for raw in _longest_first(raws):
        ctx.paragraph = (
            starts[bisect_right(starts, raw.span[0]) - 1] if starts and starts[0] <= raw.span[0] else 0
        )
        raw = _comparison(raw, folded, spec)
        period = _resolve(raw, text, ctx)
        explicit = raw.y0 is not None or raw.y1 is not None
        ctx.add(period, explicit, not bound(text, raw.span, [r.span for r in out_raws[-8:]]))
        out_raws.append(raw)
        out.append(period)
    return out


def _longest_first(raws: list[_Raw]) -> list[_Raw]:
    """The longest phrases that do not overlap, in text order."""
    starts: list[int] = []  # of the phrases taken, sorted; they never overlap, so their ends sort alike
    ends: list[int] = []
    taken: dict[int, _Raw] = {}
    for raw in sorted(raws, key=lambda r: (r.span[0] - r.span[1], r.span[0])):
        at = bisect_right(starts, raw.span[0])
        if (at and ends[at - 1] > raw.span[0]) or (at < len(starts) and starts[at] < raw.span[1]):
            continue
        starts.insert(at, raw.span[0])
        ends.insert(at, raw.span[1])
        taken[raw.span[0]] = raw
    return [taken[s] for s in starts]


def _read(tag: str, span: tuple[int, int], words: str, spec: Lang) -> _Raw | None:
    """What a matched phrase says, before resolution; None when it is not a period after all."""
    pairs: list[list[int | None]] = []  # [month, year]
    years: list[int] = []
    for tok in spec.token.finditer(words):
        if tok.group().isdigit():
            if pairs and pairs[-1][1] is None:
                pairs[-1][1] = int(tok.group())
            else:
                years.append(int(tok.group()))
        else:
            pairs.append([spec.months[tok.group().lower().rstrip(".")], None])
    ref = next((name for name, p in spec.year_refs if p.search(words)), "ctx")
    year = years[-1] if years else None
    if tag == "range" and len(pairs) == 2:
        (m0, y0), (m1, y1) = pairs
        if y0 is not None and y1 is not None and (y0, m0 or 1) > (y1, m1 or 12):
            return None  # "de diciembre de 2025 a enero de 2024" says no span
        return _Raw(span, tag, m0 or 1, m1 or 12, y0, y1, ref)
    if tag in ("to", "month", "date") and len(pairs) == 1:
        m1, y1 = pairs[0]
        m0 = 1 if tag == "to" else m1
        return _Raw(span, tag, m0 or 1, m1 or 12, None, y1, ref, "month" if tag == "date" else None)
    if tag == "part":
        return _part(span, words, spec, year, ref)
    if tag in ("first", "last"):
        count = spec.number.search(words)
        said = "" if count is None else count.group(1).lower()
        n = int(said) if said.isdigit() else spec.numbers.get(said, 12 if count is None else 0)
        if not 1 <= n <= (12 if tag == "first" else 120):
            return None
        if tag == "first":
            return _Raw(span, tag, 1, n, None, year, ref)
        m1, y1 = pairs[-1] if pairs else (0, None)
        return _Raw(span, tag, 1, m1 or 0, None, y1, ref, months=n)
    if tag == "years" and len(years) == 2 and years[0] <= years[1]:
        return _Raw(span, tag, 1, 12, years[0], years[1])
    if tag == "year" and year is not None:
        return _Raw(span, tag, 1, 12, year, year)
    if tag == "yword" and ref != "ctx":
        return _Raw(span, tag, 1, 12, None, None, ref)
    if tag in ("same", "shift", "thatyear", "sofar", "lastmonth"):
        return _Raw(span, tag, 1, 12, None, year, ref)
    return None


def _part(span: tuple[int, int], words: str, spec: Lang, year: int | None, ref: str) -> _Raw | None:
    """A semester or quarter: "primer semestre", "third quarter", "Q1 2025", "H2 2024"."""
    low = words.lower()
    short = re.search(r"\b([hq])([1-4])", low)
    if short:
        size, n = (6 if short.group(1) == "h" else 3), int(short.group(2))
    else:
        size = 6 if re.search(r"semestre|half", low) else 3
        n = next((v for w, v in spec.ordinals.items() if re.search(rf"\b{w}\b", low)), 0)
    if not 1 <= n <= 12 // size:
        return None
    return _Raw(span, "part", (n - 1) * size + 1, n * size, None, year, ref, "range")


def _comparison(raw: _Raw, folded: str, spec: Lang) -> _Raw:
    """``raw`` with the comparison words before it ("respecto a", "compared with") and role comparison."""
    if raw.tag == "date":
        return raw
    lo = max(0, raw.span[0] - 60)
    m = spec.comparison.search(folded[lo : raw.span[0]])
    if m is None:
        return raw
    return replace(raw, span=(lo + m.start(), raw.span[1]), role="comparison")


def _resolve(raw: _Raw, text: str, ctx: _Context) -> Period:
    phrase = "date" if raw.tag == "date" else text[raw.span[0] : raw.span[1]]

    def period(i0: int, i1: int, kind: Kind | None = None) -> Period:
        kind = kind or raw.kind or _kind(i0, i1)
        return Period(_ym(i0), _ym(i1), kind, phrase, raw.span, raw.role)

    def unresolved(kind: Kind) -> Period:
        return Period("", "", kind, phrase, raw.span, raw.role)

    last = ctx.last if ctx.last is not None and ctx.last.start else None
    if raw.tag == "same":
        return period(_index(last.start), _index(last.end), last.kind) if last else unresolved("range")
    if raw.tag == "sofar":  # "en lo que va del año": January to the month the text is at, else published
        pub = ctx.published
        if last is not None and _index(last.start) // 12 == _index(last.end) // 12:
            stop = _index(last.end)
        elif pub is not None and pub.month > 1:  # the months of the year before the publication month
            stop = pub.year * 12 + pub.month - 2
        else:
            return unresolved("ytd")
        return period(stop - stop % 12, stop, "ytd" if stop % 12 < 11 else "year")
    if raw.tag == "lastmonth":  # "el mes pasado": the month before publication
        pub = ctx.published
        return (
            unresolved("month")
            if pub is None
            else period(pub.year * 12 + pub.month - 2, pub.year * 12 + pub.month - 2)
        )
    if raw.tag == "thatyear":
        year = ctx.current
        return unresolved("year") if year is None else period(year * 12, year * 12 + 11, "year")
    if raw.tag == "shift":
        return _shift(raw, ctx, ctx.nearby or last, period, unresolved)
    if raw.tag == "last":
        if raw.m1:
            y = raw.y1 if raw.y1 is not None else _year(raw.ref, raw.m1, ctx, raw.role)
            end = None if y is None else y * 12 + raw.m1 - 1
        else:
            end = _index(last.end) if last else None
        if end is None:
            return unresolved("rolling12" if raw.months == 12 else "month" if raw.months == 1 else "range")
        return period(end - raw.months + 1, end)
    y0, y1 = raw.y0, raw.y1
    if y1 is None and y0 is not None:
        y1 = y0 if raw.m1 >= raw.m0 else y0 + 1
    if y1 is None:
        y1 = _year(raw.ref, raw.m1, ctx, raw.role)
    if y1 is None:
        return unresolved(raw.kind or _kind(raw.m0 - 1, raw.m1 - 1 + (12 if raw.m1 < raw.m0 else 0)))
    if y0 is None:
        y0 = y1 if raw.m0 <= raw.m1 else y1 - 1
    return period(y0 * 12 + raw.m0 - 1, y1 * 12 + raw.m1 - 1)


def _shift(
    raw: _Raw,
    ctx: _Context,
    last: Period | None,
    period: Callable[[int, int, Kind | None], Period],
    unresolved: Callable[[Kind], Period],
) -> Period:
    """A phrase like "igual periodo del 2024": the latest window's months moved to 2024 (one year back when
    no year is said)."""
    if last is not None:
        end = _index(last.end)
        back = 12 * (raw.y1 - end // 12) if raw.y1 is not None else -12
        return period(_index(last.start) + back, end + back, last.kind)
    year = raw.y1 if raw.y1 is not None else _year(raw.ref, 12, ctx, raw.role) if raw.ref != "ctx" else None
    return unresolved("year") if year is None else period(year * 12, year * 12 + 11, "year")


def _year(ref: str, month: int, ctx: _Context, role: str) -> int | None:
    """The year a phrase without one means (None: nothing to resolve it from)."""
    pub = ctx.published
    if ref == "ctx":
        if ctx.current is not None:
            return ctx.current
        if ctx.nearby is not None:
            return int(ctx.nearby.end[:4])
        return None if pub is None else pub.year if month < pub.month else pub.year - 1
    if ref == "latest":
        latest = ctx.latest()
        return latest if latest is not None else None if pub is None else pub.year - 1
    anchor = ctx.anchor if ctx.anchor is not None else ctx.current
    if ref == "next":  # "al año siguiente": the year after the text's
        if ctx.current is not None:
            return ctx.current + 1
        return None if ctx.nearby is None else int(ctx.nearby.end[:4]) + 1
    if ref == "this":
        return pub.year if pub is not None else anchor
    against = int(ctx.nearby.end[:4]) if ctx.nearby is not None else None
    if ref == "past" and pub is not None and not (role == "comparison" and against is not None):
        return pub.year - 1
    if role == "comparison" and against is not None:
        return against - 1
    if anchor is not None:  # "el año anterior", or "el año pasado" without a publication date
        return anchor - 1
    return None if pub is None else pub.year - 1


def _kind(i0: int, i1: int) -> Kind:
    """The kind of the months [i0, i1] (month indices: year * 12 + month - 1)."""
    if i0 == i1:
        return "month"
    if i0 % 12 == 0 and i1 % 12 == 11:
        return "year" if i0 // 12 == i1 // 12 else "range"
    if i0 % 12 == 0 and i0 // 12 == i1 // 12:
        return "ytd"
    return "rolling12" if i1 - i0 == 11 else "range"


def _index(ym: str) -> int:
    return int(ym[:4]) * 12 + int(ym[5:7]) - 1


def _ym(i: int) -> str:
    return f"{i // 12:04d}-{i % 12 + 1:02d}"
