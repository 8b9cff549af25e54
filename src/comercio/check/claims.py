"""Read a text as claims: for each number, what it is about (subject), what it measures and over which months.

Reading is sentence by sentence. A number's measure comes from its unit and the words around it (a
percentage after "crecieron" is a growth, after "participación" a share); its subject is the subject named
closest before it in the same sentence, with the rules of the press: "Cajamarca (+64 %)" binds the number
to the name before the parenthesis, "Apurímac y Puno (+34 % cada una)" gives the number to both names, "9 % y
8 %, respectivamente" pairs numbers and names in order; a count of regions ("20 regiones incrementaron") is
about the interior regions. The period is the phrase of :func:`comercio.check.periods.window_for`. Nothing is
dropped: a number that cannot be read is returned with the reason.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from comercio import reference
from comercio.check import lexicon as lx
from comercio.check.model import Measure, Number, Period, Subject
from comercio.check.numbers import find_numbers
from comercio.check.periods import find_periods, sentences, window_for

BEFORE = 70  # characters of a number's own clause read for its cue words
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


@dataclass(frozen=True)
class Reading:
    """What one number says, before it is computed (``why`` set when it is not a claim)."""

    number: Number
    subject: Subject | None = None
    measure: Measure | None = None
    window: Period | None = None
    sentence: tuple[int, int] | None = None
    why: str = ""  # not a claim: the reason
    period: bool = False  # a year or a date: it sets the period of other figures
    definition: str | None = None  # a record definition the text names ("anuales" → annual)
    denominator: str | None = None  # a share's base the text names ("de la agroexportación")


def read(text: str, lang: str = "es", published: date | None = None) -> list[Reading]:
    """Every number of ``text`` as a :class:`Reading`, in order."""
    numbers = find_numbers(text, lang)
    periods = find_periods(text, lang, published)
    mentions = lx.find_subjects(text, lang)
    spans = sentences(text)
    topic = _topic(mentions)
    out: list[Reading] = []
    last_subject: Subject | None = None
    for n in numbers:
        s = next((sp for sp in spans if sp[0] <= n.span[0] < sp[1]), (0, len(text)))
        if n.unit in ("year", "date") or any(_inside(n.span, p.span) for p in periods):
            out.append(Reading(n, sentence=s, period=True, why=_period_reason(n)))
            continue
        if n.unit == "plain":
            out.append(Reading(n, sentence=s, why=_plain_reason(n)))
            continue
        same = [m for m in mentions if s[0] <= m.span[0] < s[1]]
        others = [x for x in numbers if s[0] <= x.span[0] < s[1] and x.unit not in ("year", "date")]
        readings = _read_number(text, lang, n, s, same, others, topic, last_subject)
        for r in readings:
            if r.why:
                out.append(r)
                continue
            window = window_for(periods, n.span[0], n.span[1], text)
            out.append(replace(r, window=window))
            if r.subject is not None and r.measure not in ("count", "count_declined", "record"):
                last_subject = r.subject
    return out


def _inside(span: tuple[int, int], outer: tuple[int, int] | None) -> bool:
    return outer is not None and outer[0] <= span[0] and span[1] <= outer[1]


def _period_reason(n: Number) -> str:
    what = "a date" if n.unit == "date" else "a year"
    return f"{what}: it sets the period of the figures around it, it is not a figure itself"


def _plain_reason(n: Number) -> str:
    return (
        "a number without a unit comercio checks (money in US$, a percentage, or a count of regions): "
        f"{n.printed!r} is none of them"
    )


def _topic(mentions: list[lx.Mention]) -> str | None:
    """The text's basket when it names one more than any other (what "el sector" refers to)."""
    baskets = Counter(m.subject.basket for m in mentions if m.subject.kind == "basket" and m.subject.basket)
    return baskets.most_common(1)[0][0] if baskets else None


def _read_number(
    text: str,
    lang: str,
    n: Number,
    s: tuple[int, int],
    mentions: list[lx.Mention],
    numbers: list[Number],
    topic: str | None,
    last_subject: Subject | None,
) -> list[Reading]:
    prev_end = max([x.span[1] for x in numbers if x.span[1] <= n.span[0]] + [s[0], n.span[0] - BEFORE])
    before = lx.fold(text[prev_end : n.span[0]])
    nxt = min([x.span[0] for x in numbers if x.span[0] >= n.span[1]] + [s[1], n.span[1] + BEFORE])
    after = lx.fold(text[n.span[1] : nxt])
    sentence = lx.fold(text[s[0] : s[1]])
    flow: Literal["X", "M"] = "M" if lx.has_cue(sentence, lx.IMPORTS[lang]) else "X"
    base = Reading(n, sentence=s)
    if lx.has_cue(before, lx.BALANCE[lang]):
        return [replace(base, why="a trade balance: comercio does not check balance figures in a text yet")]
    if n.unit == "count":
        return [_count(base, before, after, sentence, lang)]
    measure = _measure(n, before, after, sentence, lang)
    if measure is None:
        return [
            replace(
                base,
                why="a percentage with no word saying whether it is a growth rate or a share "
                "(crecimiento, participación …)",
            )
        ]
    subjects = _subjects(text, lang, n, mentions, numbers, after)
    if not subjects:
        if last_subject is None:
            return [replace(base, why="no subject: the sentence names no region, group, product or country")]
        subjects = [last_subject]
    denominator = _denominator(after, lang)
    basket = _basket(text, n, mentions, after, sentence, topic)
    out = []
    for subj in subjects:
        if basket and subj.kind in PRIMARY and subj.basket is None:
            subj = replace(subj, basket=basket)
        out.append(replace(base, subject=replace(subj, flow=flow), measure=measure, denominator=denominator))
    return out


def _measure(n: Number, before: str, after: str, sentence: str, lang: str) -> Measure | None:
    printed = lx.fold(n.printed)
    if n.unit == "usd":
        return "value"
    if any(p in printed for p in lx.POINTS):
        return "share_change"
    if n.sign != 0 or lx.has_cue(before, lx.GROWTH[lang]):
        return "growth"
    if lx.has_cue(before, lx.SHARE[lang]) or lx.has_cue(after[:25], lx.SHARE[lang]):
        return "share"
    if re.match(r"\s*\)", after) or re.match(r"\s*(cada|ambas|ambos|each)", after):
        # an unsigned figure in brackets is a share when the sentence speaks of shares ("Matarani (12,5 %)")
        return "share" if lx.has_cue(sentence, lx.SHARE[lang]) else "growth"
    if lx.has_cue(after[:30], lx.GROWTH[lang]):
        return "growth"
    return None


def _count(base: Reading, before: str, after: str, sentence: str, lang: str) -> Reading:
    near = after[:40]
    if not (lx.has_cue(near, lx.REGION_NOUNS[lang]) or lx.has_cue(before[-25:], lx.REGION_NOUNS[lang])):
        return replace(
            base,
            why="a count of something other than regions (comercio checks counts of regions that grew, "
            "fell or beat a record)",
        )
    label = "regiones" if lang == "es" else "regions"
    subject = Subject("region_group", "interior", label)
    clause = after[:90]
    measure: Measure
    definition = None
    if lx.has_cue(clause, lx.RECORD[lang]):
        measure = "record"
        definition = "annual" if re.search(r"anual|annual|full.year", clause) else None
    elif lx.has_cue(clause, lx.DECLINE[lang]):
        measure = "count_declined"
    elif lx.has_cue(clause, lx.GROWTH[lang]):
        measure = "count"
    else:
        return replace(base, why="a number of regions without saying what they did (grew, fell, a record)")
    return replace(base, subject=subject, measure=measure, definition=definition)


def _candidates(text: str, mentions: list[lx.Mention]) -> list[lx.Mention]:
    """Mentions that can be a number's subject: named places, groups and countries, and a basket named on its
    own ("la agroexportación creció", read as the national total of the basket); not a basket right after a
    number, which qualifies that number ("el 81 % de la agroexportación")."""
    out = []
    for m in mentions:
        if m.subject.kind in PRIMARY:
            out.append(m)
        elif m.subject.kind == "basket" and not re.search(
            r"[\d%]\s*(?:de|del|of)\s+(?:la|las|los|el|the)?\s*$", text[max(0, m.span[0] - 30) : m.span[0]]
        ):
            out.append(lx.Mention(m.span, _basket_subject(m.subject)))
    return out


def _basket_subject(s: Subject) -> Subject:
    """A basket named on its own: Peru's exports of it, read from its cuadro G1 group when it has one."""
    if s.code is not None:  # already a G1 node
        return s
    studies = reference.basket_studies()
    forms = reference.basket_forms(s.basket, "group") if s.basket in studies else []
    g1 = next((f for f in forms if f.form == "g1"), None)
    if g1 is not None:
        return Subject("basket", f"g1:{g1.code}", s.label, s.basket)
    return Subject("national", None, s.label, s.basket)


def _subjects(
    text: str,
    lang: str,
    n: Number,
    mentions: list[lx.Mention],
    numbers: list[Number],
    after: str,
) -> list[Subject]:
    """The subjects of ``n`` (several for "cada una" or "respectivamente")."""
    candidates = _candidates(text, mentions)
    before = [m for m in candidates if m.span[1] <= n.span[0]]
    if not before:
        later = [m for m in candidates if m.span[0] >= n.span[1]]
        return [later[0].subject] if later else []
    near_after = lx.fold(text[n.span[1] : n.span[1] + 40])
    gap = lx.fold(text[before[-1].span[1] : n.span[0]])
    if lx.has_cue(near_after, lx.EACH[lang]) or lx.has_cue(gap, lx.EACH[lang]):
        return [m.subject for m in _run(text, before)]
    group = _figures_run(text, n, numbers)
    tail = lx.fold(text[group[-1].span[1] : group[-1].span[1] + 40])
    if len(group) > 1 and lx.has_cue(tail, lx.RESPECTIVELY[lang]):
        firsts = [m for m in before if m.span[1] <= group[0].span[0]]
        for end in range(len(firsts), 0, -1):
            run = _run(text, firsts[:end])
            if len(run) == len(group):
                return [run[group.index(n)].subject]
    return [before[-1].subject]


def _figures_run(text: str, n: Number, numbers: list[Number]) -> list[Number]:
    """The figures listed together with ``n`` ("9 % y 8 %"), in order."""
    ordered = sorted(numbers, key=lambda x: x.span[0])
    i = next(k for k, x in enumerate(ordered) if x is n)

    def joined(a: Number, b: Number) -> bool:
        return re.fullmatch(r"[\s,]*(?:y|e|and)?[\s,]*", text[a.span[1] : b.span[0]]) is not None

    lo = i
    while lo > 0 and joined(ordered[lo - 1], ordered[lo]):
        lo -= 1
    hi = i
    while hi + 1 < len(ordered) and joined(ordered[hi], ordered[hi + 1]):
        hi += 1
    return ordered[lo : hi + 1]


def _run(text: str, before: list[lx.Mention]) -> list[lx.Mention]:
    """The last names before a number joined by "," or "y" ("Apurímac y Puno", "Amazonas, Junín y Pasco")."""
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


def _denominator(after: str, lang: str) -> str | None:
    head = after[:60]
    if re.search(r"manufactur", after[:120]):
        return "manufactures"
    if re.match(r"\s*de (la|las|los|el|del)?\s*(agroexportacion|exportaciones agr)", head):
        return "agro"
    if re.match(r"\s*(del|de la) (exportacion|exportaciones) (del interior|regional)", head):
        return "interior"
    return None


def _basket(
    text: str, n: Number, mentions: list[lx.Mention], after: str, sentence: str, topic: str | None
) -> str | None:
    """The product basket a number is about: named before it in its sentence, right after it ("el 81 % de la
    agroexportación"), or the text's topic when the sentence says "el sector"."""
    named = [m for m in mentions if m.subject.kind == "basket" and m.span[1] <= n.span[0]]
    if named:
        return named[-1].subject.basket
    if re.match(r"\s*de (la|las|los)?\s*agroexport", after):
        return "agro"
    if topic and re.search(r"\bsector\b", sentence):
        return topic
    return None
