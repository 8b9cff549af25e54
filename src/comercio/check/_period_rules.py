"""The words of period phrases, per language: month names, number words and the patterns that find them.

Every pattern runs on the *folded* text (:func:`fold`: accents dropped, same length as the input, so a match's
offsets are offsets in the original text), case-insensitively; English month names must be capitalised
("May" is a month, "may" a verb). Each rule has a tag that says how :mod:`comercio.check.periods` reads it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from babel.dates import get_month_names

_NUMBER_WORDS = {
    "es": ("uno un dos tres cuatro cinco seis siete ocho nueve diez once doce", (1, 1, *range(2, 13))),
    "en": ("one two three four five six seven eight nine ten eleven twelve", tuple(range(1, 13))),
}
_ORDINALS = {
    "es": {"primer": 1, "primero": 1, "1er": 1, "i": 1, "segundo": 2, "2do": 2, "ii": 2, "tercer": 3,
           "tercero": 3, "3er": 3, "iii": 3, "cuarto": 4, "4to": 4, "iv": 4},
    "en": {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4},
}  # fmt: skip
# Words that place a year relative to something: the publication (past, this), the text (prev, latest, ctx).
_YEAR_REFS = {
    "es": (("past", r"ano\s+pasado"), ("prev", r"ano\s+(?:anterior|previo)"), ("latest", r"ultimo\s+ano"),
           ("this", r"(?:este|presente)\s+ano|ano\s+en\s+curso"), ("next", r"ano\s+(?:siguiente|posterior)")),
    "en": (("past", r"last\s+year"), ("prev", r"previous\s+year|year\s+before|prior\s+year|year\s+earlier"),
           ("latest", r"(?:latest|most\s+recent)\s+year"), ("this", r"this\s+year|current\s+year"),
           ("next", r"following\s+year|year\s+later")),
}  # fmt: skip
# A comparison: these words right before a period make it the basis a change is measured against.
_COMPARISON = {
    "es": r"(?:(?:con\s+)?respecto(?:\s+(?:a|al|de|del))?|frente(?:\s+(?:a|al))?"
    r"|en\s+comparacion(?:\s+(?:con|a|al))?|comparad[oa]s?(?:\s+(?:con|a|al))?"
    r"|(?:con|en)\s+relacion(?:\s+(?:a|al|con))?|versus|vs\.?"
    r"|(?:mas|menos|mayor|menor|superior|inferior)\s+(?:que|a|al)(?:\s+(?:en|lo\s+de|el|los\s+de))?"
    r"|por\s+(?:encima|debajo)(?:\s+(?:de|del))?|desde|(?<=%\s)sobre|(?<=por\sciento\s)sobre)"
    r"(?:\s+(?:a\s+)?lo\s+(?:registrado|alcanzado|exportado|importado|observado)(?:\s+(?:en|durante))?)?",
    "en": r"(?:compared\s+(?:with|to)|relative\s+to|against|versus|vs\.?|than(?:\s+in)?|since|from"
    r"|(?<=%\s)(?:on|over)|(?<=percent\s)(?:on|over))",
}
YEAR = r"(?<![\d.,])(?:19|20)\d\d(?![\d]|[.,]\d)"
# After a year, these words make it a quantity ("2025 millones", "2024 %"); before it, a currency or a
# number sign.
_NOT_YEAR_AFTER = re.compile(
    r"\s*(?:%|por\s*ciento|percent|millon|million|mil\b|billon|billion|tonelada|tons?\b|dolar|dollar|soles)",
    re.I,
)
_NOT_YEAR_BEFORE = re.compile(
    r"(?:\bus\$|\busd|\bs/\.?|\$|€|\bn\.?\s*[°º]|\bnro\.?|\bno\.|\bnum\.?)\s*$", re.I
)


def fold(text: str) -> str:
    """``text`` with accents dropped (``período`` → ``periodo``); same length, so offsets carry over."""
    return text.translate(_fold_table())


@cache
def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base != chr(code) and base.isascii():
            table[code] = base
    return table


@dataclass(frozen=True)
class Lang:
    """One language's period vocabulary and compiled rules."""

    months: dict[str, int]  # lower-case folded name → 1..12
    numbers: dict[str, int]  # number words → value ("once" → 11)
    ordinals: dict[str, int]
    year_refs: tuple[tuple[str, re.Pattern[str]], ...]
    rules: tuple[tuple[str, re.Pattern[str]], ...]  # (tag, pattern), tags as read by periods._read
    token: re.Pattern[str]  # a month name or a year, in order of appearance
    comparison: re.Pattern[str]  # a comparison introducer ending right before a period
    number: re.Pattern[str]  # "once meses" / "12 months": group 1 is the count

    def is_year_quantity(self, folded: str, start: int, end: int) -> bool:
        """True when the phrase at [start, end) ends in a number of money, percent or tonnes, or follows a
        currency sign: "2025 millones", "US$ 2024", "2.523 %" are not years."""
        after = folded[end - 1].isdigit() and _NOT_YEAR_AFTER.match(folded, end)
        before = folded[start].isdigit() and _NOT_YEAR_BEFORE.search(folded[max(0, start - 8) : start])
        return bool(after or before)


def _alt(words: list[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


def _spanish() -> Lang:
    months = {name.lower(): m for m, name in get_month_names("wide", locale="es").items()}
    months["setiembre"] = 9
    words, values = _NUMBER_WORDS["es"]
    numbers = dict(zip(words.split(), values, strict=True))
    ordinals = _ORDINALS["es"]
    mon = rf"\b(?:{_alt(list(months))})\b"
    num = rf"(?:{_alt(list(numbers))}|\d{{1,2}})"
    # A year after a month or a count of months: "de 2025", " 2025", "del año", "del último año".
    ys = (
        rf"(?:\s*,?\s*(?:(?:de|del)\s+)?(?:(?:el\s+)?ano\s+)?{YEAR}|\s+(?:de|del)\s+"
        r"(?:este\s+|presente\s+|ultimo\s+|el\s+|mismo\s+)?ano(?:\s+(?:pasado|anterior|en\s+curso|analizado))?)"
    )
    yw = (
        r"(?:ano\s+(?:pasado|anterior|previo|en\s+curso|siguiente|posterior)|(?:ultimo|presente)\s+ano"
        r"(?:\s+analizado)?|este\s+ano)"
    )
    ordw = rf"(?:{_alt(list(ordinals))})"
    en = r"(?:(?:en|durante)\s+)?"
    month_of = r"(?:el\s+mes\s+de\s+)?"
    opening = (
        r"(?:(?:en|durante)\s+el\s+periodo\s+(?:que\s+va\s+)?(?:de\s+|desde\s+|entre\s+)?"
        r"|entre\s+|de\s+|desde\s+|del\s+periodo\s+|en\s+|durante\s+)?"
    )
    to = r"(?:a|hasta)\s+(?:fines\s+de\s+|finales\s+de\s+|el\s+mes\s+de\s+)?|al\s+(?:cierre\s+de|mes\s+de)\s+"
    ending = r"(?:a|hasta|al\s+mes\s+de|terminados\s+en)"
    day = r"[0-3]?\d"
    year_of = (
        r"(?:en|durante|de|del|para|a\s+lo\s+largo\s+del?)\s+(?:el\s+)?(?:ano\s+)?|este\s+|el\s+(?:ano\s+)?"
    )
    rules = [
        ("range", rf"{opening}{month_of}{mon}(?:{ys})?\s*(?:y|a|al|hasta|-|–|—)\s*{month_of}{mon}(?:{ys})?"),
        ("to", rf"(?:{to}){mon}(?:{ys})?"),
        ("range", rf"(?:del?|desde\s+el)\s+{day}\s+de\s+{mon}(?:{ys})?\s+(?:al|hasta\s+el|a)\s+{day}\s+de\s+"
                  rf"{mon}(?:{ys})?"),
        ("lastmonth", r"(?:(?:en|durante)\s+)?el\s+mes\s+pasado"),
        ("month", rf"(?:en|durante)\s+{month_of}{mon}(?:{ys})?"),
        ("month", rf"{mon}{ys}"),
        ("month", rf"{en}(?:el\s+)?pasado\s+(?:mes\s+de\s+)?{mon}|{en}{mon}\s+(?:pasado|ultimo)"),
        ("sofar", r"(?:en\s+)?lo\s+que\s+va\s+del\s+ano"),
        ("date", rf"(?<![\d.,])(?:[0-3]?\d|1\.?\s?[°º]|primero)\s+de\s+{mon}"
                 rf"(?:\s*(?:de|del|,)?\s*{YEAR})?"),
        ("part", rf"{en}(?:el\s+)?\b{ordw}\s+(?:semestre|trimestre)(?:{ys})?"),
        ("first", rf"{en}los\s+(?:primeros\s+{num}|{num}\s+primeros)\s+meses(?:{ys})?"),
        ("last", rf"{en}(?:los\s+)?ultimos\s+{num}\s+meses(?:\s+{ending}\s+{mon}(?:{ys})?)?"),
        ("last", rf"{en}(?:los\s+)?{num}\s+meses\s+{ending}\s+{mon}(?:{ys})?"),
        ("years", rf"(?:(?:en|durante)\s+el\s+periodo\s+)?(?:entre|de|del|desde)\s+(?:el\s+|los\s+anos\s+)?"
                  rf"(?:ano\s+)?{YEAR}\s+(?:y|a|al|hasta)\s+(?:el\s+)?{YEAR}"),
        ("years", rf"{YEAR}\s*[-–—]\s*{YEAR}"),
        ("year", rf"(?:{year_of})?{YEAR}"),
        ("yword", rf"(?:(?:en|durante|de|del|al|a\s+lo\s+largo\s+del?)\s+)?(?:(?:el|este)\s+)?{yw}"),
        ("same", r"(?:en|durante|para|de)\s+(?:este|ese|dicho|el\s+mismo|aquel)\s+(?:periodo|lapso)"),
        ("thatyear", r"(?:(?:en|durante|para|de)\s+)?(?:ese|dicho|aquel|ese\s+mismo|el\s+mismo)\s+ano"),
        ("shift", rf"(?:(?:el|un)\s+)?(?:igual|mismo)\s+(?:periodo|mes|lapso)"
                  rf"(?:\s+(?:de|del)\s+(?:el\s+)?(?:ano\s+)?(?:{YEAR}|ano\s+(?:pasado|anterior)))?"),
        ("shift", r"un\s+ano\s+(?:antes|atras)"),
    ]  # fmt: skip
    return _lang("es", months, numbers, rules, mon, num)


def _english() -> Lang:
    months = {name.lower(): m for m, name in get_month_names("wide", locale="en").items()}
    abbreviated = {name.lower(): m for m, name in get_month_names("abbreviated", locale="en").items()}
    names = [*(n.capitalize() for n in months), *(n.capitalize() for n in abbreviated), "Sept"]
    months |= abbreviated | {"sept": 9}
    words, values = _NUMBER_WORDS["en"]
    numbers = dict(zip(words.split(), values, strict=True))
    mon = rf"\b(?-i:{_alt(names)})\b\.?"
    num = rf"(?:{_alt(list(numbers))}|\d{{1,2}})"
    ys = (
        rf"(?:\s*,?\s*(?:of\s+)?{YEAR}|\s+of\s+(?:the\s+)?(?:this|last|same|previous|latest|current)?\s*year)"
    )
    ordw = rf"(?:{_alt(list(_ORDINALS['en']))})"
    in_ = r"(?:(?:in|during|over)\s+)?"
    ending = r"(?:to|through|up\s+to|ending(?:\s+in)?)"
    day = r"[0-3]?\d(?:st|nd|rd|th)?"
    rules = [
        ("range", rf"(?:(?:in\s+the\s+period\s+)?(?:between|from)\s+)?{mon}(?:{ys})?"
                  rf"\s*(?:and|to|through|until|-|–|—)\s*{mon}(?:{ys})?"),
        ("to", rf"(?:through|to|until|up\s+to|by(?:\s+the\s+end\s+of)?|as\s+of)\s+{mon}(?:{ys})?"),
        ("range", rf"(?:from\s+)?{mon}\s+{day}(?:,?\s*{YEAR})?\s+(?:to|through|until|-|–)\s+"
                  rf"{mon}\s+{day},?\s+{YEAR}"),
        ("lastmonth", r"(?:(?:in|during)\s+)?last\s+month"),
        ("month", rf"(?:in|during)\s+(?:the\s+month\s+of\s+)?{mon}(?:{ys})?"),
        ("month", rf"{mon}{ys}"),
        ("date", rf"{mon}\s+[0-3]?\d(?:st|nd|rd|th)?,?\s+{YEAR}"),
        ("date", rf"(?<![\d.,])[0-3]?\d(?:st|nd|rd|th)?\s+(?:of\s+)?{mon},?\s+{YEAR}"),
        ("part", rf"{in_}(?:the\s+)?\b{ordw}\s+(?:half|quarter)(?:{ys})?"),
        ("part", rf"{in_}\b(?-i:[HQ])[1-4]\s*{YEAR}"),
        ("first", rf"{in_}the\s+first\s+{num}\s+months(?:{ys})?"),
        ("sofar", r"(?:so\s+far\s+this\s+year|(?:in\s+the\s+)?year[-\s]to[-\s]date)"),
        ("last", rf"{in_}the\s+year\s+(?:to|ending(?:\s+in)?)\s+{mon}(?:{ys})?"),
        ("last", rf"{in_}the\s+(?:last|past)\s+{num}\s+months(?:\s+{ending}\s+{mon}(?:{ys})?)?"),
        ("last", rf"{in_}the\s+{num}\s+months\s+{ending}\s+{mon}(?:{ys})?"),
        ("years", rf"(?:(?:in|during)\s+the\s+period\s+)?(?:between|from)\s+{YEAR}"
                  rf"\s+(?:and|to|through)\s+{YEAR}"),
        ("years", rf"{YEAR}\s*[-–—]\s*{YEAR}"),
        ("year", rf"(?:(?:in|during|for|of|throughout)\s+(?:the\s+year\s+)?)?{YEAR}"),
        ("yword", rf"{in_}(?:last\s+year|this\s+year|the\s+(?:previous|latest|current|following)\s+year"
                  r"|the\s+year\s+before|a\s+year\s+later)"),
        ("same", r"(?:in|during|over|for)\s+(?:this|that|the\s+same)\s+period"),
        ("thatyear", r"(?:(?:in|during|for)\s+)?(?:that|the\s+same)\s+year"),
        ("shift", rf"the\s+same\s+period(?:\s+(?:(?:of|in)\s+)?(?:{YEAR}|last\s+year"
                  r"|the\s+previous\s+year))?"),
        ("shift", r"a\s+year\s+(?:earlier|before|ago)"),
    ]  # fmt: skip
    return _lang("en", months, numbers, rules, mon, num)


def _lang(code: str, months: dict[str, int], numbers: dict[str, int], rules: list[tuple[str, str]], mon: str,
          num: str) -> Lang:  # fmt: skip
    return Lang(
        months=months,
        numbers=numbers,
        ordinals=_ORDINALS[code],
        year_refs=tuple((ref, re.compile(rf"\b(?:{p})\b", re.I)) for ref, p in _YEAR_REFS[code]),
        rules=tuple((tag, re.compile(rf"\b(?:{p})", re.I)) for tag, p in rules),
        token=re.compile(rf"{mon}|{YEAR}", re.I),
        comparison=re.compile(rf"\b{_COMPARISON[code]}\s*$", re.I),
        number=re.compile(rf"\b({num})\s+(?:primeros\s+)?(?:meses|months)", re.I),
    )


@cache
def language(lang: str) -> Lang:
    """The rules of ``lang`` (``es`` or ``en``)."""
    if lang == "es":
        return _spanish()
    if lang == "en":
        return _english()
    raise ValueError(f"lang must be 'es' or 'en', got {lang!r}")
