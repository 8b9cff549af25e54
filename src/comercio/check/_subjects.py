"""Who or what a figure is about: the names of a text that can be subjects, and the press's rules binding a
figure to them (:func:`subjects`), with the basket that narrows a subject (:func:`narrow`).

The reading state of one text is :class:`Text` (built once by :func:`comercio.check.claims.read`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field, replace

from comercio import reference
from comercio.check import lexicon as lx
from comercio.check.model import Measure, Number, Subject

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
RUN = 16  # names looked at before a figure: the longest list of names a figure can refer to


@dataclass
class Text:
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


def topic(mentions: list[lx.Mention]) -> str | None:
    """The sector study a text is about, when it names one (the one named most: what "el sector" refers to,
    and the basket of its world figures, destinations and origins)."""
    studies = set(reference.basket_studies())
    named = [m.subject.basket for m in mentions if m.subject.kind == "basket" and m.subject.basket in studies]
    baskets = Counter(named)
    return baskets.most_common(1)[0][0] if baskets else None


def candidates(text: str, lang: str, mentions: list[lx.Mention]) -> list[lx.Mention]:
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
            out.append(lx.Mention(m.span, basket_subject(m.subject)))
    return out


def basket_subject(s: Subject) -> Subject:
    """A basket named on its own: Peru's exports of it, from its cuadro G1 group when it has one."""
    if s.code is not None:  # already a G1 node
        return s
    g1 = reference.group_form(s.basket or "", "g1") if s.basket in reference.basket_studies() else None
    if g1 is not None:
        return Subject("basket", f"g1:{g1.code}", s.label, s.basket)
    return Subject("national", None, s.label, s.basket)


def narrow(t: Text, n: Number, subj: Subject, s: tuple[int, int], denominator: str | None) -> Subject:
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
        return basket_subject(replace(subj, code=None))
    return subj


def _base_of_share(t: Text, last: lx.Mention, prior: lx.Mention) -> bool:
    """ "La participación de X en la exportación nacional", "Asia lidera las compras globales con el 37 %": a
    total (the country, the world) named after a place in the same clause is the base of the share."""
    if last.subject.kind not in ("national", "world"):
        return False
    if prior.subject.kind in ("national", "world") and prior.subject.basket is None:
        return False
    gap = t.folded[prior.span[1] : last.span[0]]
    return not re.search(r"[.;]\s", gap) and len(gap) < 80


def _sector(t: Text, s: tuple[int, int]) -> bool:
    """Whether the sentence speaks of "el sector" or continues one that does ("Le siguieron")."""
    if re.search(r"\b(sector|industry)\b", t.folded[s[0] : s[1]]):
        return True
    if not re.match(r"\s*(les? sigui|seguid|followed|next came)", t.folded[s[0] : s[1]]):
        return False
    prior = t.folded.rfind(".", 0, max(s[0] - 1, 0))
    return re.search(r"\b(sector|industry)\b", t.folded[max(prior, 0) : s[0]]) is not None


def peer(t: Text, n: Number, subj: Subject) -> bool:
    if subj.kind != "partner":
        return False
    around = t.folded[max(0, n.span[0] - 120) : n.span[0]]
    return lx.has_cue(around, lx.PEER[t.lang])


def subjects(t: Text, n: Number, run: list[Number], measure: Measure, s: tuple[int, int]) -> list[Subject]:
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


def _locative(t: Text, m: lx.Mention) -> bool:
    """A name introduced as a place where something happened ("creció en el sur"), not as what is measured."""
    lead = t.folded[max(0, m.span[0] - 10) : m.span[0]]
    return m.subject.kind == "macroregion" and re.search(r"\b(en|in)\s*$", lead) is not None


def _fronted(t: Text, n: Number, s: tuple[int, int]) -> Subject | None:
    """ "Con envíos por US$ 4 409 millones, Ica se consolidó …": a figure in a phrase opening the sentence
    belongs to the name right after that phrase."""
    comma = t.text.find(",", n.span[1], s[1])
    if comma < 0 or "," in t.text[s[0] : n.span[0]]:
        return None
    k = bisect_right(t.ends, comma + 40)
    after = [m for m in t.candidates[max(0, k - RUN) : k] if comma < m.span[0] <= comma + 3]
    return after[0].subject if after else None


def _generic(t: Text, n: Number, s: tuple[int, int]) -> bool:
    """The clause speaks of exports with no place ("las exportaciones crecieron 47,4 %"): the national one."""
    clause = t.folded[s[0] : n.span[0]]
    said = re.search(
        r"\b(?<!sus )(?<!su )(?<!its )(?<!their )(exportaciones|exports|envios|despachos)\b", clause
    )
    return said is not None and not re.search(r"\b(de|from|of)\s+(las?|los|the)?\s*$", clause)


def _with_place(t: Text, before: list[lx.Mention]) -> Subject:
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


def figures_run(text: str, n: Number, figures: list[Number]) -> list[Number]:
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
