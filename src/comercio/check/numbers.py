"""Every number of a published text, as the press prints it, parsed into canonical units.

:func:`find_numbers` returns each figure once, in order, with its span in the text (currency mark, sign, scale
and unit words included: the whole "US$ 68 120 millones"), its value in the units of
:mod:`comercio.check.model` (US$, fractions, counts), the half of its last printed digit, the qualifier
written before it ("más de") and the direction of change the words around it say ("cayeron 9 %"). Nothing
is dropped: a digit sequence that cannot be read comes back as a ``plain`` number.

Decimal marks. Press copy mixes conventions, so each figure is read on its own where it can be:

* a figure with both "." and "," uses the last one as the decimal mark ("US$ 3.530,1", "12,818.6");
* a mark repeated ("1.234.567") groups thousands; a mark followed by one, two, or four or more digits
  ("19,8", "68.1") is a decimal mark; digits grouped by spaces (U+0020, U+00A0, U+202F, U+2009) take the
  other mark as decimal ("68 120,5");
* a lone mark followed by exactly three digits ("2.523 %", "68,120") is ambiguous and follows the text's
  convention: the mark the unambiguous figures of the same text use as decimal (a majority vote). When that
  mark is the text's decimal mark, it is one ("2.523 %" in a text that writes "19.8 %" is 0.02523); when the
  text uses the other mark, or shows no convention, it groups thousands ("2.523 %" is 25.23 in a text that
  writes "19,8 %").

Money is ``usd`` when "US$", "USD" or "$" stands before it or "dólares"/"dollars" after it, or when it has a
scale word ("millones", "billion") and its clause names dollars elsewhere ("por 613 millones" after
"US$ 68 120 millones"); soles ("S/", "soles") and scaled amounts of anything else ("20 millones de
toneladas") are ``plain``. "billón"/"billones" is 10^12, "billion" 10^9.

Other units: "%", "por ciento", "percent" and percentage points ("0,5 puntos porcentuales", "p.p.") are
fractions; a bare integer is a ``count`` ("20 regiones", "veinte", "ocho de los diez"; "un"/"una" only when
they count: "solo una región", "un millón"), a bare decimal ``plain``; a bare 1900–2100 is a ``year`` (also
the end of "2005-2022", "2024-25"), a day before its month ("26 de enero") or a numeric date a ``date``.

Context: the qualifier is the phrase right before the figure ("más de", "superaron los", "cerca del",
"hasta", "at least"); the sign is +1/-1 for a printed "+"/minus, else for a rise or fall word at most six
words back in the same clause (never across a sentence end, a semicolon or another figure), for amounts and
rates only. A level is unsigned: "pasó de 84,3 % a 85,3 %", "fell to 66.0%", "crecieron y el país exportó
US$ …".
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache

from comercio.check._numcontext import clause_bounds, clause_of, qualifier, word_sign
from comercio.check._numdigits import SPACES, decide, figure, vote
from comercio.check._numwords import THOUSAND, VALUES, is_article, word_pattern, word_value
from comercio.check.model import Number, Unit
from comercio.i18n import LANGS, t
from comercio.reports.figures import SCALES
from comercio.reports.fmt import MINUS, Formatter

_SP = f"[{SPACES}]"
_CORE = rf"(?<!\d)(?:\d{{1,3}}(?:{_SP}\d{{3}}(?!\d))+(?:[.,]\d+)?|\d+(?:[.,]\d+)*)"
_DATE = r"(?<![\d.,/-])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/(?:\d{4}|\d{2}))(?![\d/])"
_MASTER = re.compile(rf"(?P<date>{_DATE})|(?P<core>{_CORE})")
_SIGNS = r"+\-" + MINUS  # for a character class
_DOLLARS = r"US\$|U\$S|USD|\$"
_PREFIX = re.compile(
    rf"(?:(?P<s1>[{_SIGNS}])\s?)?(?:(?P<cur>{_DOLLARS}|S/\.?|€|EUR)\s?)?(?:(?P<s2>[{_SIGNS}])\s?)?\Z"
)
_DOLLAR_WORDS = r"d[oó]lar(?:es)?|dollars?|US\$|USD"
_DOLLAR_MARKS = frozenset({"US$", "U$S", "USD", "$"})
_DOLLAR_WORD = re.compile(_DOLLAR_WORDS, re.I)
_DOLLAR_MENTION = re.compile(rf"(?<!\w)(?:{_DOLLAR_WORDS})", re.I)
_TOKEN = re.compile(r"[^\W\d_]+")
_ORDINAL = re.compile(r"\.?[º°ª]")
_COMPOUND = re.compile(r"-[^\W\d_]")
_OTHER_CUR = r"(?:nuevos\s+)?soles|euros?"
_CUR_AFTER = rf"(?:(?:de|of)\s+)?(?:los\s+)?(?:US\s+)?(?P<curword>{_DOLLAR_WORDS}|{_OTHER_CUR})(?!\w)"
_PERCENT = r"%|por\s+ciento(?!\w)|per\s*cent(?!\w)"
# Percentage points as the press writes them (the catalogue's "p.p."/"pp" are added in _suffix).
_POINTS = r"puntos?\s+porcentual(?:es)?(?!\w)|percentage\s+points?(?!\w)|p\.\s?p\.|pp\.?(?!\w)"
_EXTRA_SCALES = {"millon": 6, "millones": 6, "millions": 6, "billions": 9, "trillions": 12, "thousands": 3}
_ABBREV_SCALES = {"bn": 9, "mn": 6, "mill.": 6}
_NOUN_AFTER = re.compile(rf"\s+(?:de|of)\s+(?!{_DOLLAR_WORDS}|los\s+d|US\b|{_OTHER_CUR})[^\W\d_]", re.I)
_DAY_MONTH_ES = r"\s+de\s+"
_SIGN_REACH = 200  # characters before a number read for its sign words (they are at most six words back)
_MAX_DIGITS = 30  # a longer digit run is not a figure (it comes back as plain, value 0)


@cache
def _scales() -> dict[str, int]:
    """Scale word → power of ten: the message catalogue's words in every language, plus press variants."""
    out = dict(_EXTRA_SCALES)
    for lang in LANGS:
        for name in ("thousands", "millions", "billions", "trillions"):
            for key in (name, f"{name}_one"):
                out[t(f"presentation.scale.{key}", lang).lower()] = SCALES[name]
    return out


@cache
def _suffix() -> re.Pattern[str]:
    words = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(_scales(), key=len, reverse=True))
    abbrev = "|".join(re.escape(w) for w in _ABBREV_SCALES)
    points = "|".join(re.escape(t("presentation.points", lang)) for lang in LANGS)
    return re.compile(
        rf"(?:\s+{THOUSAND['es']}\s+(?P<num2>\d{{3}}(?:[.,]\d{{1,2}})?)(?![\d.,]?\d))?"
        rf"(?:(?P<pct>\s?(?:{_PERCENT}))|(?P<pts>\s?(?:{_POINTS}|(?:{points})(?!\w)))"
        rf"|(?P<scale>\s+(?:{words})(?!\w)|\s?(?:{abbrev})(?!\w))?(?:\s+{_CUR_AFTER})?)",
        re.I,
    )


@cache
def _months(lang: str) -> str:
    """Month names as printed: Spanish in lower case or capitalised, English capitalised ("may" is a verb)."""
    names = {Formatter(lang).month(m) for m in range(1, 13)}
    if lang == "es":
        names |= {"septiembre"}
        names |= {n.capitalize() for n in names}
    return "(?:" + "|".join(sorted(names, key=len, reverse=True)) + r")(?!\w)"


@cache
def _date_after() -> re.Pattern[str]:
    """A day followed by its month: "26 de enero", "26 January"."""
    return re.compile(rf"{_DAY_MONTH_ES}{_months('es')}|\s+{_months('en')}")


@cache
def _date_before() -> re.Pattern[str]:
    """A month followed by its day, the English way: "January 26"."""
    return re.compile(rf"(?<!\w){_months('en')}\.?\s+$")


def _convention(matches: list[re.Match[str]]) -> str | None:
    return decide([v for m in matches if m.group("core") and (v := vote(m.group("core")))])


def convention(text: str) -> str | None:
    """The decimal mark ("," or ".") most unambiguous figures of ``text`` use; None when none or a tie."""
    return _convention(list(_MASTER.finditer(text)))


def _second_year(text: str, prev: Number | None, start: int, core: str) -> float | None:
    """The end of a range of years ("2005-2022", "2024-25") whose first year ``prev`` is."""
    if prev is None or prev.unit != "year" or text[prev.span[1] : start].strip() not in ("-", "–", "—", "/"):
        return None
    if len(core) == 2:
        return float(int(prev.value) // 100 * 100 + int(core))
    return float(core) if len(core) == 4 else None


@dataclass(frozen=True)
class _Reader:
    text: str
    lang: str
    decimal_mark: str | None
    bounds: list[int]  # where clauses start
    dollars: list[int]  # where "US$", "USD", "dólares", "dollars" stand

    @classmethod
    def of(cls, text: str, lang: str, decimal_mark: str | None) -> _Reader:
        marks = [m.start() for m in _DOLLAR_MENTION.finditer(text)]
        return cls(text, lang, decimal_mark, clause_bounds(text), marks)

    def dollars_in_clause(self, pos: int) -> bool:
        start, end = clause_of(self.bounds, pos, len(self.text))
        i = bisect_left(self.dollars, start)
        return i < len(self.dollars) and self.dollars[i] < end

    def prefix(self, start: int, lo: int) -> tuple[int, str | None, int]:
        """(new start, currency mark, explicit sign) of what stands right before ``start``."""
        m = _PREFIX.search(self.text, max(lo, start - 8), start)
        if m is None or m.start() == start:
            return start, None, 0
        begin, sign_mark = m.start(), m.group("s1") or m.group("s2")
        if m.group("s1") and not m.group("cur") and begin > 0 and self.text[begin - 1].isalnum():
            return start, None, 0  # "2024-25", "COVID-19": a hyphen, not a minus
        if begin > 0 and (self.text[begin - 1].isalnum() or self.text[begin - 1] in ".,"):
            if not m.group("s2"):
                return start, None, 0
            begin, sign_mark = m.start("s2"), m.group("s2")
        sign = 0 if sign_mark is None else (1 if sign_mark == "+" else -1)
        return begin, m.group("cur"), sign

    def tail(
        self, start: int, end: int, value: Decimal, decimals: int, cur: str | None, sign: int, words: bool
    ) -> Number:
        """The number at ``text[start:end]`` with what follows it read: percent, points, scale, currency."""
        text = self.text
        m = _suffix().match(text, end)
        assert m is not None  # every part is optional
        if m.group("num2") and not words:  # "2 mil 723 millones", "18 mil 203,5 millones"
            low = m.group("num2").replace(",", ".")
            value, decimals = value * 1000 + Decimal(low), len(low.partition(".")[2])
        power, unit = 0, self._unit(m, start, cur)
        if m.group("pct") or m.group("pts"):
            power = -2
        elif m.group("scale"):
            word = " ".join(m.group("scale").lower().split())
            power = _scales().get(word, _ABBREV_SCALES.get(word, 0))
        if sign < 0:
            value = -value
        end = m.end() if m.end() > end else end
        return Number(
            span=(start, end),
            printed=text[start:end],
            value=float(value.scaleb(power)),
            unit=unit,
            half_unit=float(Decimal(5).scaleb(power - decimals - 1)),
            sign=sign,
            words=words,
        )

    def _unit(self, m: re.Match[str], start: int, cur: str | None) -> Unit:
        if m.group("pct") or m.group("pts"):
            return "fraction"
        named = m.group("curword")
        if cur is not None or named is not None:
            dollars = cur in _DOLLAR_MARKS or (named is not None and _DOLLAR_WORD.fullmatch(named))
            return "usd" if dollars else "plain"
        if m.group("scale"):
            noun = _NOUN_AFTER.match(self.text, m.end())
            return "usd" if noun is None and self.dollars_in_clause(start) else "plain"
        return "count"

    def digits(self, m: re.Match[str], prev: Number | None) -> Number:
        """The figure whose digits ``m`` matched, with its prefix and suffix."""
        text, lo = self.text, (prev.span[1] if prev else 0)
        start, end = m.span()
        if m.group("date"):
            a, mo, b = (int(p) for p in m.group("date").replace("/", "-").split("-"))
            y, d = (a, b) if a > 31 else (b + (2000 if b < 100 else 0), a)
            return Number((start, end), m.group(0), float(y * 10000 + mo * 100 + d), "date", 0.5)
        core = m.group("core")
        fig = figure(core, self.decimal_mark)
        glued = start > 0 and (text[start - 1].isalpha() or text[start - 1] == "_")
        after = text[end : end + 1]
        if glued or not fig.readable or (after.isalpha() and not _suffix().match(text, end)[0]):  # type: ignore[index]
            return Number((start, end), core, float(fig.value), "plain", 0.5)
        if (mark := _ORDINAL.match(text, end)) is not None:  # "1.º", "3°": a rank, not a quantity
            return Number((start, mark.end()), text[start : mark.end()], float(fig.value), "plain", 0.5)
        plain_int = not fig.marks and fig.decimals == 0
        if plain_int and (second := _second_year(text, prev, start, core)) is not None:
            return Number((start, end), core, second, "year", 0.5)
        begin, cur, sign = self.prefix(start, lo)
        n = self.tail(begin, end, fig.value, fig.decimals, cur, sign, words=False)
        if n.unit == "count" and plain_int and n.span == (start, end):
            if len(core) == 4 and 1900 <= int(core) <= 2100:
                return replace(n, unit="year")
            if 1 <= int(core) <= 31 and (
                _date_after().match(text, end) or _date_before().search(text, max(0, start - 15), start)
            ):
                return replace(n, unit="date")
        if n.unit == "count" and fig.decimals:
            return replace(n, unit="plain")
        return n

    def words(self, taken: list[tuple[int, int]]) -> list[Number]:
        """Numbers written in words, outside the spans ``taken`` by digit figures (sorted)."""
        text, values, pattern = self.text, VALUES[self.lang], word_pattern(self.lang)
        starts = [s for s, _ in taken]
        out: list[Number] = []
        for tok in _TOKEN.finditer(text):
            low = tok.group(0).lower()
            if (out and tok.start() < out[-1].span[1]) or (low not in values and low != "a"):
                continue  # not a number word, or inside the previous one's unit words ("cinco por ciento")
            m = pattern.match(text, tok.start())
            if m is None:
                continue
            start, end = m.span()
            if _COMPOUND.match(text, end):
                continue  # "two-thirds", "three-year": part of another word
            i = bisect_right(starts, start) - 1
            if (i >= 0 and taken[i][1] > start) or (i + 1 < len(taken) and taken[i + 1][0] < end):
                continue  # a scale word of a digit figure ("2 mil 723 millones")
            scaled = _suffix().match(text, end)
            if is_article(text, start, end, self.lang) and not (scaled and scaled.group("scale")):
                continue
            begin, cur, sign = self.prefix(start, out[-1].span[1] if out else 0)
            last = m.group(0).lower().split()[-1]
            decimals = -3 if last in THOUSAND.values() else (-2 if last == "hundred" else 0)
            value = Decimal(word_value(m.group(0), self.lang))
            out.append(self.tail(begin, end, value, decimals, cur, sign, words=True))
        return out


def _context(r: _Reader, numbers: list[Number]) -> list[Number]:
    """Set each number's qualifier and, for amounts and rates, the sign its words say."""
    out: list[Number] = []
    prev_end = block = 0
    for n in numbers:
        start, end = n.span
        if n.unit not in ("year", "date"):
            q, q_start = qualifier(r.text, prev_end, start)
            if q != "exact":
                n = replace(n, qualifier=q)
            if n.sign == 0 and n.unit in ("fraction", "usd", "plain"):
                lo = max(block, clause_of(r.bounds, start, len(r.text))[0], start - _SIGN_REACH)
                n = replace(n, sign=word_sign(r.text, lo, q_start, end))
            block = end
        prev_end = end
        out.append(n)
    return out


def find_numbers(text: str, lang: str = "es") -> list[Number]:
    """Every number of ``text`` in order, non-overlapping, parsed (see the module docstring).

    ``lang`` ("es" or "en") chooses the number words read ("veinte", "twenty"); digits, currency marks, scale
    words, qualifiers and sign words of both languages are read in either.
    """
    matches = list(_MASTER.finditer(text))
    r = _Reader.of(text, lang, _convention(matches))
    found: list[Number] = []
    pos = 0
    for match in matches:
        m: re.Match[str] | None = match
        if match.start() < pos:
            if match.end() <= pos:
                continue  # read as part of the previous figure ("2 mil 723 millones")
            m = _MASTER.search(text, pos)  # a figure cut short by the previous one's words
        if m is None:
            break
        n = r.digits(m, found[-1] if found else None)
        found.append(n)
        pos = n.span[1]
    found += r.words([n.span for n in found])
    found.sort(key=lambda n: n.span[0])
    return _context(r, found)


__all__ = ["convention", "find_numbers"]
