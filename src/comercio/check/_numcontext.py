"""What the words just before a number say about it: a qualifier ("más de", "cerca del") and a direction of
change ("cayeron 9 %", "un aumento de 64 %"), in Spanish and English (both are read in every text: press copy
quotes either)."""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import get_args

from comercio.check.model import Qualifier

_ARTICLE = r"(?:\s+(?:el|la|los|las|the))?"
# The leftmost match before the number wins ("no más de" over "más de", "poco más de" likewise).
_QUALIFIERS: dict[str, str] = {
    "at_most": r"no\s+más\s+del?|no\s+more\s+than|hasta|como\s+máximo|a\s+lo\s+sumo|up\s+to|at\s+most",
    "at_least": r"al\s+menos|por\s+lo\s+menos|como\s+mínimo|no\s+menos\s+del?|at\s+least|no\s+less\s+than",
    "more_than": (
        r"(?:poco\s+)?más\s+del?|super(?:ar|an|aron|ando|a|ó|aría|arían|ará|arán)|por\s+encima\s+del?"
        r"|superior(?:es)?\s+al?|(?:slightly\s+|just\s+)?more\s+than|over|above|exceed(?:ing|ed|s)?|surpass\w*"
        r"|in\s+excess\s+of|upwards\s+of"
    ),
    "about": (
        r"cerca\s+del?|alrededor\s+del?|casi|aproximadamente|aprox\.|unos|unas|en\s+torno\s+al?"
        r"|del\s+orden\s+del?|about|around|nearly|almost|approximately|roughly|some|close\s+to"
    ),
    "less_than": (
        r"(?:poco\s+)?menos\s+del?|por\s+debajo\s+del?|inferior(?:es)?\s+al?|less\s+than|fewer\s+than|under"
        r"|below"
    ),
}
assert set(_QUALIFIERS) <= set(get_args(Qualifier))
_QUALIFIER_RE = re.compile(
    r"(?<!\w)(?:" + "|".join(f"(?P<{k}>{v})" for k, v in _QUALIFIERS.items()) + rf"){_ARTICLE}\s*$", re.I
)

_RISE = re.compile(
    r"crec\w*|aument\w*|increment\w*|sub(?:ió|ieron|e|en|ida)|alzas?|avanz(?:ó|aron|a|an)|expan\w*|repunt\w*"
    r"|elev(?:ó|aron|ando|ación)|salt(?:o|ó|aron)|trep(?:ó|aron)|dispar(?:ó|aron)"
    r"|rise|rises|rising|risen|rose|gr[eo]w\w*|increas\w*|up|gain\w*|climb\w*|jump\w*|surg\w*|expand\w*"
    r"|soar\w*|advanc\w*",
    re.I,
)
_FALL = re.compile(
    r"ca(?:yó|yeron|e|en|ída|ídas|ida)|retroce\w*|disminu\w*|reduj\w*|reduc\w*|contraj\w*|contrac\w*"
    r"|baj(?:ó|aron|a|an)|descen\w*|declin\w*|merm\w*|desplom\w*|retraj\w*|decrec\w*|hund(?:ió|ieron)"
    r"|fell|fall|falls|falling|fallen|drop\w*|decreas\w*|down|contract\w*|shr[iau]nk\w*|dip|dipped|slump\w*"
    r"|slid|sank|tumbl\w*|plung\w*",
    re.I,
)
# A verb of level between a rise word and the number makes the number a level: "crecieron y el país exportó
# US$ 35 803 millones".
_LEVEL_VERB = re.compile(
    r"(?:export|sum|alcanz|lleg|acumul|totaliz|vend)(?:ó|aron|aba|aban|ando|ar|ieron|ió)"
    r"|reached|exported|totall?ed|amounted|shipped|sold|stood",
    re.I,
)
_LEVEL_BEFORE = frozenset({"a", "al", "to", "hasta"})  # "a 85,3 %", "to 51%": a level reached, not a change
_FROM = frozenset({"de", "del", "from"})
_TO_AFTER = re.compile(r"\s+(?:en\s+\S+\s+|in\s+\S+\s+)?(?:a|al|to)\s+(?:el\s+|la\s+)?[+\-\u2212]?\d", re.I)
_WORD = re.compile(r"[^\W\d_]+")
SIGN_WORDS = 6  # how many words back a rise or fall word may stand
_CLAUSE_END = re.compile(r"[;!?\n]|\.(?=[\s\-–—]|$)")


def clause_bounds(text: str) -> list[int]:
    """Offsets where a clause starts: after a sentence end (". ", "!", "?", a line break) or a semicolon."""
    return [0, *(m.end() for m in _CLAUSE_END.finditer(text))]


def clause_of(bounds: list[int], pos: int, length: int) -> tuple[int, int]:
    """The [start, end) of the clause holding ``pos``, given :func:`clause_bounds`."""
    i = bisect_right(bounds, pos) - 1
    return bounds[i], (bounds[i + 1] if i + 1 < len(bounds) else length)


def qualifier(text: str, lo: int, start: int) -> tuple[Qualifier, int]:
    """The qualifier written right before ``text[start]`` (not before ``lo``), and where its words start."""
    m = _QUALIFIER_RE.search(text, max(lo, start - 40), start)
    if m is None or m.lastgroup is None:
        return "exact", start
    kind: Qualifier = m.lastgroup  # type: ignore[assignment]
    return kind, m.start()


def word_sign(text: str, lo: int, start: int, end: int) -> int:
    """+1 / -1 when a rise or fall word stands at most :data:`SIGN_WORDS` words before ``text[start:end]``
    (never before ``lo``), 0 when none does or when the number is a level: "pasó de 84,3 % a 85,3 %",
    "a 85,3 %", or a verb of level nearer than the rise word ("crecieron y el país exportó US$ 35 803
    millones").
    """
    words = _WORD.findall(text, lo, start)[-SIGN_WORDS:]
    if not words:
        return 0
    last = words[-1].lower()
    if last in _LEVEL_BEFORE or (last in _FROM and _TO_AFTER.match(text, end)):
        return 0
    for w in reversed(words):
        if _LEVEL_VERB.fullmatch(w):
            return 0
        if _RISE.fullmatch(w):
            return 1
        if _FALL.fullmatch(w):
            return -1
    return 0
