"""What a figure measures, read from the words around it: growth, share, change of share, counts of regions.

The words nearest the figure decide ("cuya participación se incrementó de 32 % a 51 %": the figures are levels
of a share, from one to the other); a figure listed with others ("9 % y 8 %", "de 32 % a 51 %") measures what
the first of them measures.
"""

from __future__ import annotations

import re
from functools import cache

from comercio.check import lexicon as lx
from comercio.check.model import Measure, Number


def last_cue(folded: str, cues: tuple[str, ...]) -> int:
    """Position of the last cue word in ``folded`` (-1 when none)."""
    found = [m.start() for m in _cue_pattern(cues).finditer(folded)]
    return found[-1] if found else -1


@cache
def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(rf"(?<!\w){re.escape(c)}" for c in cues))


def fraction_measure(
    n: Number, before: str, after: str, sentence: str, lang: str, previous: Measure | None = None
) -> Measure | None:
    """The measure of a percentage; ``before`` runs from the previous figure (or the sentence start), whose
    measure is ``previous``: "pasó de 69,0 % … y bajó a 66,0 %" gives the second the first one's measure."""
    printed = lx.fold(n.printed)
    if any(p in printed for p in lx.POINTS):
        return "share_change"
    to_level = re.search(r"\b(a|al|hasta|to)\s*$", before) is not None
    if previous in ("share", "growth") and to_level and last_cue(before, lx.SHARE[lang]) < 0:
        return previous  # "pasó de 69,0 % … y bajó a 66,0 %": the same measure, a new level
    if re.match(r"\s*(mas|menos|more|less)\b(?!\s+de\b)", after):
        return "growth"  # "un 53,3 % más": a change, whatever came before
    growth_at, share_at = last_cue(before, lx.GROWTH[lang]), last_cue(before, lx.SHARE[lang])
    level_pair = re.search(r"\b(de|from)\s*$", before) and re.match(r"\s*(en \d{4}\s*)?(a|al|to)\b", after)
    if share_at >= 0 and (level_pair or share_at > growth_at):
        return "share"
    if re.search(r"\b(el|al|del|the)\s*$", before) and lx.has_cue(after[:22], lx.SHARE[lang]):
        return "share"  # "equivalentes al 28,1 % del total del país": a part of a whole
    if n.sign != 0 or growth_at >= 0:
        return "growth"
    if re.search(r"\b(con|with) (el|un|the|a)\s*$", before) or lx.has_cue(after[:25], lx.SHARE[lang]):
        return "share"
    if re.search(r"\b(el|del|al)\s*$", before) and re.match(r"\s*(de (la|las|los|el)|del)\b", after):
        return "share"  # "alrededor del 60 % de las …": a part of a whole
    bracket = re.search(r"\(\s*$", before) and re.match(r"\s*\)", after)
    shared = re.match(r"\s*(cada|ambas|ambos|each|both)", after) or re.search(
        r"(cada una|cada uno|ambas|ambos|each|both)(\s+con)?\s*$", before
    )
    if bracket or shared:
        # bracketed or shared by several names: what the sentence speaks of; a bare bracket is a share
        if lx.has_cue(sentence, lx.SHARE[lang]) or re.search(r"\bcon el\b", sentence):
            return "share"
        return "growth" if lx.has_cue(sentence, lx.GROWTH[lang]) else "share"
    if lx.has_cue(after[:30], lx.GROWTH[lang]):
        return "growth"
    return previous  # no word of its own: the sentence goes on about what its previous figure measured


REGION_NOUNS = {  # whole words: "regionales" is not "regiones"
    "es": re.compile(r"\b(regiones|region|departamentos|departamento|de ellas|de ellos)\b"),
    "en": re.compile(r"\b(regions|region|departments|department|of them)\b"),
}


def count_measure(
    before: str, after: str, lang: str, ahead: str | None = None
) -> tuple[Measure | None, str | None, str]:
    """(measure, record definition, catalogue key of why not) of a count of regions: grew, fell, a record.

    The counted noun is right after the figure ("14 regiones") or, elided, earlier in the sentence
    ("Catorce departamentos crecieron, frente a ocho que cayeron"; "otras ocho retrocedieron")."""
    near = (after if ahead is None else ahead)[:40]  # the noun may lie past another figure ("de las 23 …")
    if re.match(r"\s*(anos|meses|decadas|semanas|years|months|decades|weeks)\b", near):
        return None, None, "period_phrase"  # "once años de exportaciones": a duration
    if re.search(r"\b(los|las|the)\s*$", before) and lx.has_cue(near[:30], lx.STAT_NOUNS[lang]):
        return None, None, "count_other"  # "los tres mayores exportadores": a reference, not a count
    if lx.has_cue(near[:25], lx.STAT_NOUNS[lang]):
        return None, None, "count_stat"
    nouns = REGION_NOUNS[lang]
    elided = nouns.search(before[-90:]) is not None and not re.match(r"\s*[^\W\d]{4,}\s+(de|del)\b", near)
    if not (nouns.search(near) or elided):
        return None, None, "count_other"
    clause = after[:90]
    if lx.has_cue(clause, lx.RECORD[lang]):
        definition = "annual" if re.search(r"anual|annual|full.year", clause) else None
        return "record", definition, ""
    if lx.has_cue(clause, lx.DECLINE[lang]):
        return "count_declined", None, ""
    if lx.has_cue(clause, lx.GROWTH[lang]):
        return "count", None, ""
    return None, None, "count_no_verb"


def is_balance(before: str, lang: str) -> bool:
    """A trade balance named right before the figure ("un déficit comercial de US$ …")."""
    local = before[-45:]
    at = last_cue(local, lx.BALANCE[lang])
    return at >= 0 and last_cue(local[at:], lx.FLOWS[lang]) < 0


def falls(before: str, lang: str) -> bool:
    """Whether the nearest change word before a figure says a fall."""
    return last_cue(before, lx.DECLINE[lang]) > last_cue(
        before, tuple(c for c in lx.GROWTH[lang] if c not in lx.DECLINE[lang])
    )


def has_change_word(before: str, lang: str) -> bool:
    return lx.has_cue(before, lx.GROWTH[lang])


def is_projection(sentence: str, lang: str) -> bool:
    return lx.has_cue(sentence, lx.PROJECTION[lang])


def flow_of(folded_text: str, at: int, lang: str) -> str:
    """Imports when the nearest flow word before ``at`` in its paragraph speaks of imports."""
    window = folded_text[max(0, at - 600) : at]
    imports, exports = last_cue(window, lx.IMPORTS[lang]), last_cue(window, lx.EXPORTS[lang])
    return "M" if imports > exports else "X"


def denominator(after: str) -> str | None:
    """A share's base named right after it: "de la agroexportación", "de los productos manufactureros"."""
    head = after[:120]
    if re.search(r"manufactur", head):
        return "manufactures"
    if re.search(r"mundial|world", head):
        return "world"
    if re.match(r"\s*(de (la|las|los|el|del)?\s*)?(agroexport|exportaciones agr)", head):
        return "agro"
    return None
