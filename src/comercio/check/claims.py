"""Read a text as claims: for each number, what it is about (subject), what it measures and over which months.

A figure's measure comes from its unit and the words around it (:mod:`comercio.check._cues`). Its subject is
the subject named closest before it, with the rules of the press: "Cajamarca (+64 %)" binds the number to the
name before the bracket, "Apurímac y Puno (+34 % cada una)" gives it to both names, "9 % y 8 %,
respectivamente" pairs figures and names in order, a name only left out ("sin considerar Lima y el Callao") is
no subject, and a count of regions ("20 regiones incrementaron") is about the interior regions. A basket named
with the subject ("las exportaciones mundiales de productos metalmecánicos") narrows it; "el sector" is the
basket the text is about. The period is the phrase :func:`comercio.check.periods.window_for` binds. Nothing
is dropped: a number that cannot be read is returned with the reason.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from comercio.check import _cues as cues
from comercio.check import _subjects as sj
from comercio.check import lexicon as lx
from comercio.check._sentences import paragraphs
from comercio.check.model import Measure, Number, Period, Subject
from comercio.check.numbers import find_numbers
from comercio.check.periods import find_periods, sentences, window_for
from comercio.indicators.specs import add_months, month_start

COUNTS = ("count", "count_declined", "record")


@dataclass(frozen=True)
class Reading:
    """What one number says, before it is computed (``why`` set when it is not a claim)."""

    number: Number
    subject: Subject | None = None
    measure: Measure | None = None
    window: Period | None = None
    sentence: tuple[int, int] | None = None
    why: str = ""  # not a claim: the key of the reason in the catalogue (check.reason.*)
    period: bool = False  # a year or a date: it sets the period of other figures
    definition: str | None = None  # a record definition the text names ("anuales" → annual)
    denominator: str | None = None  # a share's base the text names ("de la agroexportación")
    unsupported: bool = False  # a claim about the data comercio has no measure for (``why`` says which)
    ytd_months: tuple[int, ...] = ()  # months ending the year-to-date periods of its paragraph
    pair: tuple[int, int] | None = None  # "bajó de 68,0 % a 63,8 %": the span of the later level


def read(text: str, lang: str = "es", published: date | None = None) -> list[Reading]:
    """Every number of ``text`` as a :class:`Reading`, in order."""
    numbers = find_numbers(text, lang)
    periods = find_periods(text, lang, published)
    spans = sentences(text)
    paras = paragraphs(text)
    mentions = lx.find_subjects(text, lang)
    folded = lx.fold(text)
    phrases = sorted(p.span for p in periods if p.span)
    is_period = [n.unit in ("year", "date") or _in_any(n.span, phrases) for n in numbers]
    figures = [n for n, p in zip(numbers, is_period, strict=True) if not p and n.unit != "plain"]
    t = sj.Text(text, folded, lang, figures, sj.candidates(text, lang, mentions), [], sj.topic(mentions), {})
    t.baskets = [m for m in mentions if m.subject.kind == "basket"]
    t.ends = [m.span[1] for m in t.candidates]
    starts = [a for a, _ in spans]
    by_sentence: dict[tuple[int, int], list[Number]] = {}
    sentence_of = {}
    for n in numbers:
        i = bisect_right(starts, n.span[0]) - 1
        sentence_of[n.span] = spans[i] if i >= 0 and n.span[0] < spans[i][1] else (0, len(text))
    for n in figures:
        by_sentence.setdefault(sentence_of[n.span], []).append(n)
    first = next((p for p in periods if p.role == "window" and p.phrase != "date" and p.end and p.span), None)
    ytd = _ytd_by_paragraph(periods, paras)
    out: list[Reading] = []
    for n, period in zip(numbers, is_period, strict=True):
        s = sentence_of[n.span]
        if period:
            why = {"date": "period_date", "year": "period_year"}.get(n.unit, "period_phrase")
            out.append(Reading(n, sentence=s, period=True, why=why))
        elif n.unit == "plain":
            out.append(Reading(n, sentence=s, why="plain"))
        else:
            for r in _read_figure(t, n, s, by_sentence[s]):
                if not r.why:
                    r = replace(r, window=_window(periods, n, text, first), ytd_months=_ytd_of(ytd, paras, n))
                out.append(r)
    return _earlier_levels(out, periods, paras)


def _earlier_levels(
    readings: list[Reading], periods: list[Period], paras: list[tuple[int, int]]
) -> list[Reading]:
    """ "De 32 % a 51 %" with no period of its own: the first level is of the other year the paragraph named
    before it ("… los USD 2,5 billones del 2001. … se incrementó de 32 % a 51 % … en el último año"), else
    of the year before the second level ("en 2011 … bajó de 68,0 % a 63,8 %": 2010)."""
    later = {r.number.span: r for r in readings}
    starts = [a for a, _ in paras]
    out = []
    for r in readings:
        partner = later.get(r.pair) if r.pair else None
        w = r.window
        if partner is not None and w is not None and w.end and partner.window == w and w.kind == "year":
            i = bisect_right(starts, r.number.span[0]) - 1
            lo = paras[i][0] if i >= 0 else 0
            years = [
                p
                for p in periods
                if p.kind == "year"
                and p.span
                and lo <= p.span[0]
                and p.span[1] <= r.number.span[0]
                and p.end
                and p.end != w.end
                and p.role == "window"
                and p.phrase != "date"
            ]
            if years:
                y = years[-1]
                w = Period(y.start, y.end, "year", f"{y.phrase} (the other year of the paragraph)")
            else:
                w = Period(
                    _shift(w.start), _shift(w.end), w.kind, f"{w.phrase} (a year before the next level)"
                )
            r = replace(r, window=w)
        out.append(r)
    return out


def _window(periods: list[Period], n: Number, text: str, first: Period | None) -> Period | None:
    """The figure's period; a headline before any period takes the text's first one (it sums up the body)."""
    found = window_for(periods, n.span[0], n.span[1], text)
    if found is not None:
        return found
    if first is not None and first.span is not None and first.span[0] > n.span[1]:
        return replace(
            first, phrase=f"{first.phrase} (the text's first period: the headline sums up the body)"
        )
    return None


def _ytd_by_paragraph(periods: list[Period], paras: list[tuple[int, int]]) -> dict[int, set[int]]:
    """Paragraph index → the last months of its January-to-month periods ("entre enero y noviembre")."""
    starts = [a for a, _ in paras]
    out: dict[int, set[int]] = {}
    for p in periods:
        if p.kind == "ytd" and p.end and p.span and p.phrase != "date":
            out.setdefault(bisect_right(starts, p.span[0]) - 1, set()).add(int(p.end[5:7]))
    return out


def _ytd_of(ytd: dict[int, set[int]], paras: list[tuple[int, int]], n: Number) -> tuple[int, ...]:
    i = bisect_right([a for a, _ in paras], n.span[0]) - 1
    return tuple(sorted(ytd.get(i, ())))


def _in_any(span: tuple[int, int], phrases: list[tuple[int, int]]) -> bool:
    """Whether ``span`` lies inside one of the period phrases (sorted spans): its years are the period's."""
    i = bisect_right(phrases, (span[0], len(phrases) and 1 << 62)) - 1
    return any(_inside(span, phrases[j]) for j in range(max(0, i - 2), i + 1))


def _inside(span: tuple[int, int], outer: tuple[int, int] | None) -> bool:
    return outer is not None and outer[0] <= span[0] and span[1] <= outer[1]


def _read_figure(t: sj.Text, n: Number, s: tuple[int, int], in_sentence: list[Number]) -> list[Reading]:
    run = sj.figures_run(t.text, n, in_sentence)
    prev_end = max([x.span[1] for x in in_sentence if x.span[1] <= run[0].span[0]] + [s[0]])
    before = t.folded[prev_end : run[0].span[0]]
    nxt = min([x.span[0] for x in in_sentence if x.span[0] >= n.span[1]] + [s[1]])
    after = t.folded[n.span[1] : nxt]
    sentence = t.folded[s[0] : s[1]]
    base = Reading(n, sentence=s)
    if n.unit == "count":
        ahead = t.folded[n.span[1] : min(s[1], n.span[1] + 90)]
        if re.match(r"\s*(regiones|departamentos|regions|departments)\b", ahead) and re.search(
            r"\b(de|of)\s+(las|los|the)\s*$", t.folded[max(s[0], n.span[0] - 12) : n.span[0]]
        ):
            return [replace(base, why="count_total")]  # "diecinueve de las veintitrés regiones": the whole
        clause = after
        if re.fullmatch(r"\s*(de|of)\s+(las|los|the)\s*", after):  # "diecinueve de las veintitrés regiones …"
            later = [x.span[0] for x in in_sentence if x.span[0] > n.span[1]][1:2]
            clause = t.folded[n.span[1] : later[0] if later else s[1]]
        counted, definition, why = cues.count_measure(t.folded[s[0] : n.span[0]], clause, t.lang, ahead)
        if counted is None:
            stat = why == "count_stat"  # a count of firms, markets …: a claim comercio has no measure for
            return [replace(base, why=why, unsupported=stat, period=why == "period_phrase")]
        label = "regiones" if t.lang == "es" else "regions"
        subject = Subject("region_group", "interior", label)
        return [replace(base, subject=subject, measure=counted, definition=definition)]
    if n.unit == "usd" and cues.is_balance(t.folded[max(s[0], n.span[0] - 60) : n.span[0]], t.lang):
        return [replace(base, why="balance", unsupported=True)]
    if n.qualifier == "exact" and re.search(r"\bsuper(o|aron|a|an|ar|ando)\b[^,;.\d]{0,30}$", before):
        base = replace(base, number=replace(n, qualifier="more_than"))  # "superaron por primera vez los …"
        n = base.number
    measure: Measure | None = "value" if n.unit == "usd" else None
    if measure is None and run[0] is not n:
        measure = t.measures.get(run[0].span[0])
    if measure is None:
        earlier = [x for x in in_sentence if x.span[1] <= run[0].span[0] and x.unit == "fraction"]
        previous = t.measures.get(earlier[-1].span[0]) if earlier else None
        measure = cues.fraction_measure(n, before, after, sentence, t.lang, previous)
    t.measures[n.span[0]] = measure
    pair = _level_pair(t, n, run, before)
    if measure is None:
        return [replace(base, why="no_measure")]
    if cues.is_projection(sentence, t.lang):
        return [replace(base, why="projection", unsupported=True)]
    subjects = sj.subjects(t, n, run, measure, s)
    if measure == "growth" and n.sign == 0 and _falls(t, n, before, after, in_sentence):
        base = replace(base, number=replace(n, sign=-1))  # a fall word the number reader does not know
    if base.number.sign < 0:
        t.falls.add(n.span)
    if not subjects:
        return [replace(base, why="no_subject")]
    if any(sj.peer(t, n, subj) for subj in subjects):
        return [replace(base, why="peer", unsupported=True)]
    flow: Literal["X", "M"] = "M" if cues.flow_of(t.folded, n.span[0], t.lang) == "M" else "X"
    denominator = cues.denominator(after)
    out = []
    for subj in subjects:
        subj = sj.narrow(t, n, subj, s, denominator)
        subject = replace(subj, flow=flow)
        out.append(replace(base, subject=subject, measure=measure, denominator=denominator, pair=pair))
    return out


def _level_pair(t: sj.Text, n: Number, run: list[Number], before: str) -> tuple[int, int] | None:
    """The later figure of "de X a Y" when ``n`` is X, with no period between them."""
    if (
        len(run) != 2
        or run[0] is not n
        or not re.search(r"\b(de|from)\s+(?:[^\W\d]+\s+){0,2}$|\b(de|from)\s*$", before)
    ):
        return None
    gap = t.folded[n.span[1] : run[1].span[0]]
    return run[1].span if re.fullmatch(r"\s*(a|al|to)\s*", gap) else None


def _shift(month: str) -> str:
    """The same month a year earlier (YYYY-MM)."""
    return f"{add_months(month_start(month), -12):%Y-%m}"


def _falls(t: sj.Text, n: Number, before: str, after: str, in_sentence: list[Number]) -> bool:
    """Whether words say the figure is a fall: before it ("Piura perdió 14,3 %"), right after it ("15,1 %
    menos que"), or, with no word of its own, the figure before it in the sentence fell ("las ventas de
    Apurímac se desplomaron 81 % y las de Tacna, 27,3 %")."""
    if cues.falls(before[-45:], t.lang):
        return True
    if re.match(r"\s*(menos|por debajo|less|lower|below|down)\b", after):
        return True
    earlier = [x for x in in_sentence if x.span[1] <= n.span[0] and x.unit == n.unit]
    if earlier and not cues.has_change_word(before, t.lang):
        prior = earlier[-1]
        return prior.span in t.falls
    return False
