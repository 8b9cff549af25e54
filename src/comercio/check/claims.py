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
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from comercio import reference
from comercio.check import _cues as cues
from comercio.check import lexicon as lx
from comercio.check._sentences import paragraphs
from comercio.check.model import Measure, Number, Period, Subject
from comercio.check.numbers import find_numbers
from comercio.check.periods import find_periods, sentences, window_for

PRIMARY: tuple[str, ...] = (
    "department",
    "region_group",
    "national",
    "macroregion",
    "natural_region",
    "customs_office",
    "partner",
    "continent",
    "world",
)
COUNTS = ("count", "count_declined", "record")
RUN = 16  # names looked at before a figure: the longest list of names a figure can refer to


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


@dataclass
class _Text:
    """One text being read: its figures, subjects and the measures read so far."""

    text: str
    folded: str
    lang: str
    figures: list[Number]
    candidates: list[lx.Mention]
    baskets: list[lx.Mention]
    topic: str | None
    measures: dict[int, Measure | None]  # figure start → measure read
    ends: list[int] = field(default_factory=list)  # end of each candidate, for bisection
    falls: set[tuple[int, int]] = field(default_factory=set)  # figures read as falls (by span)


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
    t = _Text(text, folded, lang, figures, _candidates(text, lang, mentions), [], _topic(mentions), {})
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
    return _earlier_levels(out)


def _earlier_levels(readings: list[Reading]) -> list[Reading]:
    """ "Su participación bajó de 68,0 % a 63,8 %" in a text about 2011: with no period of its own, the first
    level is the year before the second (the same months a year earlier)."""
    later = {r.number.span: r for r in readings}
    out = []
    for r in readings:
        partner = later.get(r.pair) if r.pair else None
        w = r.window
        if partner is not None and w is not None and w.end and partner.window == w:
            w = Period(_shift(w.start), _shift(w.end), w.kind, f"{w.phrase} (a year before the next level)")
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


def _topic(mentions: list[lx.Mention]) -> str | None:
    """The sector study a text is about, when it names one (the one named most: what "el sector" refers to,
    and the basket of its world figures, destinations and origins)."""
    studies = set(reference.basket_studies())
    named = [m.subject.basket for m in mentions if m.subject.kind == "basket" and m.subject.basket in studies]
    baskets = Counter(named)
    return baskets.most_common(1)[0][0] if baskets else None


def _candidates(text: str, lang: str, mentions: list[lx.Mention]) -> list[lx.Mention]:
    """Mentions that can be a figure's subject: places, groups and countries, and a basket named on its own
    ("la agroexportación creció": the national total of the basket). Not a basket right after a figure,
    which qualifies it ("el 81 % de la agroexportación"), nor a name left out ("sin considerar Lima")."""
    out: list[lx.Mention] = []
    excluded: lx.Mention | None = None
    for m in mentions:
        lead = lx.fold(text[max(0, m.span[0] - 30) : m.span[0]])
        chained = excluded is not None and re.fullmatch(
            r"\s*(,|y|e|ni|o|and|or|nor)\s+(el|la|los|las|the)?\s*",
            lx.fold(text[excluded.span[1] : m.span[0]]),
        )
        if any(lead.rstrip().endswith(c) for c in lx.EXCLUDED[lang]) or chained:
            excluded = m  # "sin contar Lima ni el Callao": every name of the list is left out
            continue
        excluded = None
        base_of_share = re.search(r"%\s*(?:de|del|of)\s+(?:la|las|los|el|the)?\s*$", lead) is not None
        if m.subject.kind in ("national", "world") and base_of_share:
            continue  # "el 32,9 % de las exportaciones del país": the base of a share, not a subject
        if m.subject.kind in PRIMARY:
            out.append(m)
        elif m.subject.kind == "basket" and not re.search(
            r"[\d%]\s*(?:de|del|of)\s+(?:la|las|los|el|the)?\s*$", lead
        ):
            out.append(lx.Mention(m.span, _basket_subject(m.subject)))
    return out


def _basket_subject(s: Subject) -> Subject:
    """A basket named on its own: Peru's exports of it, from its cuadro G1 group when it has one."""
    if s.code is not None:  # already a G1 node
        return s
    studies = reference.basket_studies()
    forms = reference.basket_forms(s.basket or "", "group") if s.basket in studies else []
    g1 = next((f for f in forms if f.form == "g1"), None)
    if g1 is not None:
        return Subject("basket", f"g1:{g1.code}", s.label, s.basket)
    return Subject("national", None, s.label, s.basket)


def _read_figure(t: _Text, n: Number, s: tuple[int, int], in_sentence: list[Number]) -> list[Reading]:
    run = _figures_run(t.text, n, in_sentence)
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
            stat = lx.has_cue(after[:40], lx.STAT_NOUNS[t.lang])
            if stat:
                why = "count_stat"
            return [replace(base, why=why, unsupported=stat)]
        label = "regiones" if t.lang == "es" else "regions"
        subject = Subject("region_group", "interior", label)
        return [replace(base, subject=subject, measure=counted, definition=definition)]
    if n.unit == "usd" and cues.is_balance(t.folded[max(s[0], n.span[0] - 60) : n.span[0]], t.lang):
        return [replace(base, why="balance", unsupported=True)]
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
    subjects = _subjects(t, n, run, measure, s)
    if measure == "growth" and n.sign == 0 and _falls(t, n, before, after, in_sentence):
        base = replace(base, number=replace(n, sign=-1))  # a fall word the number reader does not know
    if base.number.sign < 0:
        t.falls.add(n.span)
    if not subjects:
        return [replace(base, why="no_subject")]
    if any(_peer(t, n, subj) for subj in subjects):
        return [replace(base, why="peer", unsupported=True)]
    flow: Literal["X", "M"] = "M" if cues.flow_of(t.folded, n.span[0], t.lang) == "M" else "X"
    denominator = cues.denominator(after)
    out = []
    for subj in subjects:
        subj = _narrow(t, n, subj, s, denominator)
        subject = replace(subj, flow=flow)
        out.append(replace(base, subject=subject, measure=measure, denominator=denominator, pair=pair))
    return out


def _level_pair(t: _Text, n: Number, run: list[Number], before: str) -> tuple[int, int] | None:
    """The later figure of "de X a Y" when ``n`` is X, with no period between them."""
    if len(run) != 2 or run[0] is not n or not re.search(r"\b(de|from)\s*$", before):
        return None
    gap = t.folded[n.span[1] : run[1].span[0]]
    return run[1].span if re.fullmatch(r"\s*(a|al|to)\s*", gap) else None


def _shift(month: str) -> str:
    return f"{int(month[:4]) - 1:04d}{month[4:]}"


def _falls(t: _Text, n: Number, before: str, after: str, in_sentence: list[Number]) -> bool:
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


def _narrow(t: _Text, n: Number, subj: Subject, s: tuple[int, int], denominator: str | None) -> Subject:
    """The subject with its basket: named before the figure in its sentence, right after it, or the text's."""
    if subj.basket is None:
        named = [m for m in t.baskets if s[0] <= m.span[1] <= n.span[0]]
        basket = named[-1].subject.basket if named else None
        if basket is None and denominator == "agro":
            basket = "agro"
        if basket is None and t.topic and (_sector(t, s) or subj.kind in ("world", "continent")):
            basket = t.topic
        if basket is not None:
            subj = replace(subj, basket=basket)
    if subj.kind == "basket" and denominator in ("world", "manufactures"):
        return Subject("world", None, subj.label, subj.basket)
    if subj.kind == "national" and subj.basket is not None:
        return _basket_subject(replace(subj, code=None))
    return subj


def _base_of_share(t: _Text, last: lx.Mention, prior: lx.Mention) -> bool:
    """ "La participación de X en la exportación nacional", "Asia lidera las compras globales con el 37 %": a
    total (the country, the world) named after a place in the same clause is the base of the share."""
    if last.subject.kind not in ("national", "world"):
        return False
    if prior.subject.kind in ("national", "world") and prior.subject.basket is None:
        return False
    gap = t.folded[prior.span[1] : last.span[0]]
    return not re.search(r"[.;]\s", gap) and len(gap) < 80


def _sector(t: _Text, s: tuple[int, int]) -> bool:
    """Whether the sentence speaks of "el sector" or continues one that does ("Le siguieron")."""
    if re.search(r"\b(sector|industry)\b", t.folded[s[0] : s[1]]):
        return True
    if not re.match(r"\s*(les? sigui|seguid|followed|next came)", t.folded[s[0] : s[1]]):
        return False
    prior = t.folded.rfind(".", 0, max(s[0] - 1, 0))
    return re.search(r"\b(sector|industry)\b", t.folded[max(prior, 0) : s[0]]) is not None


def _peer(t: _Text, n: Number, subj: Subject) -> bool:
    if subj.kind != "partner":
        return False
    around = t.folded[max(0, n.span[0] - 120) : n.span[0]]
    return lx.has_cue(around, lx.PEER[t.lang])


def _subjects(t: _Text, n: Number, run: list[Number], measure: Measure, s: tuple[int, int]) -> list[Subject]:
    """The subjects of ``n`` (several for "cada una", "respectivamente" or a list of figures beside a list of
    names); names in the figure's own sentence first, then the text before it."""
    k = bisect_right(t.ends, n.span[0])
    before = t.candidates[max(0, k - RUN) : k]  # the nearest names (a run of names is never longer)
    if measure == "share" and len(before) > 1 and _base_of_share(t, before[-1], before[-2]):
        before = before[:-1]
    if len(before) > 1 and before[-1].span[0] >= s[0] and _locative(t, before[-1]):
        before = before[:-1]  # "la región que más creció en el sur (+84,7 %)": the place is not the subject
    own = [m for m in before if m.span[0] >= s[0]]
    if not own:
        fronted = _fronted(t, n, s)
        if fronted is not None:
            return [fronted]
        if not before or _generic(t, n, s):
            return (
                [Subject("national", None, "exportaciones" if t.lang == "es" else "exports")]
                if _generic(t, n, s)
                else []
            )
    lang = t.lang
    near_after = t.folded[n.span[1] : n.span[1] + 40]
    gap = t.folded[before[-1].span[1] : n.span[0]]
    if lx.has_cue(near_after, lx.EACH[lang]) or lx.has_cue(gap, lx.EACH[lang]):
        return [m.subject for m in _run(t.text, before)]
    if len(run) > 1:  # "9 % y 8 %, respectivamente", "(up 121.9% and 120.6%)" after two names
        firsts = [m for m in before if m.span[1] <= run[0].span[0]]
        for end in range(len(firsts), 0, -1):
            names = _run(t.text, firsts[:end])
            if len(names) == len(run):
                return [names[[x.span for x in run].index(n.span)].subject]
            if len(names) > 1:
                break
    return [_with_place(t, before)]


def _locative(t: _Text, m: lx.Mention) -> bool:
    """A name introduced as a place where something happened ("creció en el sur"), not as what is measured."""
    lead = t.folded[max(0, m.span[0] - 10) : m.span[0]]
    return m.subject.kind == "macroregion" and re.search(r"\b(en|in)\s*$", lead) is not None


def _fronted(t: _Text, n: Number, s: tuple[int, int]) -> Subject | None:
    """ "Con envíos por US$ 4 409 millones, Ica se consolidó …": a figure in a phrase opening the sentence
    belongs to the name right after that phrase."""
    comma = t.text.find(",", n.span[1], s[1])
    if comma < 0 or "," in t.text[s[0] : n.span[0]]:
        return None
    k = bisect_right(t.ends, comma + 40)
    after = [m for m in t.candidates[max(0, k - RUN) : k] if comma < m.span[0] <= comma + 3]
    return after[0].subject if after else None


def _generic(t: _Text, n: Number, s: tuple[int, int]) -> bool:
    """The clause speaks of exports with no place ("las exportaciones crecieron 47,4 %"): the national one."""
    clause = t.folded[s[0] : n.span[0]]
    said = re.search(r"\b(?<!sus )(?<!su )(?<!its )(?<!their )(exportaciones|exports|envios)\b", clause)
    return said is not None and not re.search(r"\b(de|from|of)\s+(las?|los|the)?\s*$", clause)


def _with_place(t: _Text, before: list[lx.Mention]) -> Subject:
    """The nearest subject; a basket right after a place or the world ("exportaciones mundiales de productos
    metalmecánicos") narrows that place rather than replacing it."""
    last = before[-1]
    if last.subject.kind in ("basket", "national") and last.subject.basket and len(before) > 1:
        prior = before[-2]
        gap = t.text[prior.span[1] : last.span[0]]
        if (
            prior.subject.kind in PRIMARY
            and prior.subject.basket is None
            and len(gap) < 40
            and not re.search(r"[\d.;]", gap)
        ):
            return replace(prior.subject, basket=last.subject.basket)
    return last.subject


def _figures_run(text: str, n: Number, figures: list[Number]) -> list[Number]:
    """The figures listed together with ``n`` ("9 % y 8 %", "de 32 % a 51 %", "84,3 % en 2024 a 85,3 %")."""
    ordered = sorted(figures, key=lambda x: x.span[0])
    i = next(k for k, x in enumerate(ordered) if x is n)

    def joined(a: Number, b: Number) -> bool:
        if a.unit != b.unit:
            return False
        gap = text[a.span[1] : b.span[0]]
        return re.fullmatch(r"[\s,]*(?:(?:en|in) \d{4}\s*)?(?:y|e|and|a|al|to)?[\s,]*", gap) is not None

    lo = i
    while lo > 0 and joined(ordered[lo - 1], ordered[lo]):
        lo -= 1
    hi = i
    while hi + 1 < len(ordered) and joined(ordered[hi], ordered[hi + 1]):
        hi += 1
    return ordered[lo : hi + 1]


def _run(text: str, before: list[lx.Mention]) -> list[lx.Mention]:
    """The last names before a figure joined by "," or "y" ("Apurímac y Puno", "Amazonas, Junín y Pasco")."""
    if not before:
        return []
    run = [before[-1]]
    for m in reversed(before[:-1]):
        gap = text[m.span[1] : run[0].span[0]]
        if re.fullmatch(r"\s*(?:,|y|e|and|,\s*y)\s*", gap):
            run.insert(0, m)
        else:
            break
    return run
