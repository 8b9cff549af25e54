"""Paragraphs and sentences of a text as character spans (the last few texts' are kept: a check asks often).

A line break ends a paragraph unless the next line continues the sentence (it starts in lower case after a
line that does not end in punctuation: hard-wrapped text). Inside a paragraph a sentence ends at ``.``,
``!``, ``?`` or ``…`` (closing quotes and a dateline dash ``.-`` included) followed by a space and a capital,
a digit or an opening quote, unless the word before the stop is an abbreviation: ``Sr.``, ``EE. UU.``,
``N.°``, ``S/.``, ``p. ej.``, ``S.A.``, a single initial. Decimal points never end a sentence (no space
follows them).
"""

from __future__ import annotations

import re
from functools import lru_cache

# Words (lower case, without their final stop) after which a stop does not end a sentence.
_ABBREVIATION_WORDS = """
sr sra srta sres srs dr dra dres ing lic arq abog prof gral cnel av jr ca no nro num nº núm art inc
ltd co corp cia cía mr mrs ms st vs cf aprox approx ee p pp pag pág fig vol ed dpto depto ej s/ jan feb
apr jun jul aug sep sept oct nov dec ene abr ago dic
"""
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
_STOP = re.compile(r"[.!?…]+[”\"’»)\]]*(?:[-–—](?=\s))?(?=\s+[\"“«¿¡(\[\w])")
_MARKER = re.compile(r"\d{1,2}|[a-z]")
_INITIALS = re.compile(r"[^\W\d]{1,3}(?:\.[^\W\d]{1,3})+")
_PARAGRAPH_BREAK = re.compile(r"\n")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """The paragraphs of ``text`` as [start, end) spans, blank ones left out, ends trimmed."""
    return list(_paragraphs(text))


def sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of ``text`` as [start, end) spans in order, whitespace trimmed."""
    return list(_sentences(text))


@lru_cache(maxsize=8)
def _paragraphs(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _PARAGRAPH_BREAK.finditer(text):
        if _continues(text, m.start()):
            continue
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return tuple(t for s, e in spans if (t := _trim(text, s, e))[0] < t[1])


@lru_cache(maxsize=8)
def _sentences(text: str) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for p0, p1 in _paragraphs(text):
        start = p0
        for m in _STOP.finditer(text, p0, p1):
            following = text[m.end() :].lstrip()[:1]
            if following.islower() or _abbreviation(text, start, m.start()):
                continue
            out.append(_trim(text, start, m.end()))
            start = m.end()
        out.append(_trim(text, start, p1))
    return tuple(s for s in out if s[0] < s[1])


def _continues(text: str, newline: int) -> bool:
    """Whether the line after ``newline`` continues the sentence of the line before it."""
    i = newline - 1
    while i >= 0 and text[i] in " \t\r":
        i -= 1
    j = newline + 1
    while j < len(text) and text[j] in " \t":
        j += 1
    if i < 0 or j >= len(text) or text[i] == "\n" or text[j] in "\r\n":
        return False
    return text[j].islower() and text[i] not in '.!?:…”"»'


def _abbreviation(text: str, start: int, stop: int) -> bool:
    """Whether the word ending at ``stop`` (the first stop character) is an abbreviation."""
    so_far = text[start:stop].strip()
    if _MARKER.fullmatch(so_far):  # "1. Arequipa …", "b. Puno …": a list marker, not a sentence
        return True
    word = so_far.rsplit(maxsplit=1)[-1].lstrip('([¿¡"“«') if so_far else ""
    if not word:
        return False
    low = word.lower()
    return (
        low in _ABBREVIATIONS
        or (len(word) == 1 and word.isalpha())
        or bool(_INITIALS.fullmatch(word))
        or (low.endswith(".") and low[:-1] in _ABBREVIATIONS)
    )


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
