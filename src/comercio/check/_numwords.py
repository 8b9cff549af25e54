"""Numbers written in words, in Spanish and English: the tables, a pattern for a run of them, and its value.

Spanish covers 0–999 999 ("veintiún", "treinta y dos", "ciento cuarenta", "dos mil trescientas"), English
0–999 999 ("twenty-one", "one hundred and five", "two thousand"). Larger amounts are a word number followed by
a scale word ("tres millones"), read by :mod:`comercio.check.numbers` like a digit figure.
"""

from __future__ import annotations

import re
from functools import cache

_ES_UNITS = {
    "cero": 0,
    "uno": 1,
    "una": 1,
    "un": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
}
_ES_TEENS = {
    "diez": 10,
    "once": 11,
    "doce": 12,
    "trece": 13,
    "catorce": 14,
    "quince": 15,
    "dieciséis": 16,
    "dieciseis": 16,
    "diecisiete": 17,
    "dieciocho": 18,
    "diecinueve": 19,
    "veinte": 20,
    "veintiuno": 21,
    "veintiuna": 21,
    "veintiún": 21,
    "veintidós": 22,
    "veintidos": 22,
    "veintitrés": 23,
    "veintitres": 23,
    "veinticuatro": 24,
    "veinticinco": 25,
    "veintiséis": 26,
    "veintiseis": 26,
    "veintisiete": 27,
    "veintiocho": 28,
    "veintinueve": 29,
}
_ES_TENS = {
    "treinta": 30,
    "cuarenta": 40,
    "cincuenta": 50,
    "sesenta": 60,
    "setenta": 70,
    "ochenta": 80,
    "noventa": 90,
}
_ES_HUNDREDS = {"cien": 100, "ciento": 100, "quinientos": 500, "quinientas": 500}
for _stem, _n in (
    ("dosc", 2),
    ("tresc", 3),
    ("cuatroc", 4),
    ("seisc", 6),
    ("setec", 7),
    ("ochoc", 8),
    ("novec", 9),
):
    _ES_HUNDREDS[_stem + "ientos"] = _ES_HUNDREDS[_stem + "ientas"] = _n * 100

_EN_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
_EN_TEENS = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_EN_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
THOUSAND = {"es": "mil", "en": "thousand"}
_HUNDRED_EN = "hundred"

VALUES: dict[str, dict[str, int]] = {
    "es": {**_ES_UNITS, **_ES_TEENS, **_ES_TENS, **_ES_HUNDREDS, "mil": 1000},
    "en": {**_EN_UNITS, **_EN_TEENS, **_EN_TENS, _HUNDRED_EN: 100, "thousand": 1000},
}
# "un"/"una"/"one" are articles or pronouns far more often than quantities: see :func:`is_article`.
ARTICLES = {"es": frozenset({"un", "una", "uno"}), "en": frozenset({"one"})}
_QUANTITY_BEFORE = {
    "es": re.compile(r"\b(?:solo|sólo|solamente|únicamente|apenas)\s*$", re.I),
    "en": re.compile(r"\b(?:only|just|exactly)\s*$", re.I),
}
_QUANTITY_AFTER = {
    "es": re.compile(r"\s+(?:sol[oa]s?\b|de\s+cada\b|o\s+(?:dos|tres)\b)", re.I),
    "en": re.compile(r"\s+(?:of\s+(?:every|each)\b|or\s+(?:two|three)\b|single\b)", re.I),
}
_NOT_QUANTITY_BEFORE = {
    "es": re.compile(r"\b(?:cada|el|al|del)\s*$", re.I),
    "en": re.compile(r"\b(?:no|any|every|each|this|that|the|which)\s*$", re.I),
}


def _alt(words: dict[str, int] | set[str]) -> str:
    return "(?:" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")(?!\w)"


@cache
def word_pattern(lang: str) -> re.Pattern[str]:
    """A run of number words making one number ("treinta y dos", "dos mil trescientos", "twenty-one")."""
    if lang == "en":
        small = rf"(?:{_alt(_EN_TENS)}(?:[-\s]{_alt(_EN_UNITS)})?|{_alt(_EN_TEENS)}|{_alt(_EN_UNITS)})"
        group = rf"(?:(?:{small}\s+|a\s+)?hundred(?!\w)(?:\s+(?:and\s+)?{small})?|{small})"
        full = rf"(?:(?:{group}\s+|a\s+)?thousand(?!\w)(?:\s+(?:and\s+)?{group})?|{group})"
    else:
        small = rf"(?:{_alt(_ES_TENS)}(?:\s+y\s+{_alt(_ES_UNITS)})?|{_alt(_ES_TEENS)}|{_alt(_ES_UNITS)})"
        group = rf"(?:{_alt(_ES_HUNDREDS)}(?:\s+{small})?|{small})"
        full = rf"(?:(?:{group}\s+)?mil(?!\w)(?:\s+{group})?|{group})"
    return re.compile(rf"(?<![\w-]){full}", re.I)


def word_value(words: str, lang: str) -> int:
    """The value of a run matched by :func:`word_pattern`: "treinta y dos" → 32, "dos mil cien" → 2100."""
    values = VALUES["en" if lang == "en" else "es"]
    total = current = 0
    for w in re.split(r"[-\s]+", words.lower()):
        if w in ("y", "and", "a"):
            current = current or (1 if w == "a" else 0)
        elif w in ("mil", "thousand"):
            total += (current or 1) * 1000
            current = 0
        elif w == _HUNDRED_EN:
            current = (current or 1) * 100
        else:
            current += values[w]
    return total + current


def is_article(text: str, start: int, end: int, lang: str) -> bool:
    """True when a lone "un"/"una"/"one" at ``text[start:end]`` is an article or pronoun, not a quantity.

    It is a quantity after "solo"/"only" or before "sola"/"de cada"/"o dos"; it never is after "cada"/"each",
    "the", "no" and the like; otherwise "un"/"una" are articles ("una caída", "un aumento"), while "uno" and
    "one" count.
    """
    key = "en" if lang == "en" else "es"
    word = text[start:end].lower()
    if word not in ARTICLES[key]:
        return False
    before = text[max(0, start - 20) : start]
    if _NOT_QUANTITY_BEFORE[key].search(before):
        return True
    if _QUANTITY_AFTER[key].match(text, end) or _QUANTITY_BEFORE[key].search(before):
        return False
    return key == "es" and word != "uno"
