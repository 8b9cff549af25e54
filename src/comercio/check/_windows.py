"""Which period a number of a text refers to, answered in logarithmic time from an index built once per text.

:class:`Windows` indexes the periods :func:`comercio.check.periods.find_periods` found (in text order, not
overlapping) with the sentences and paragraphs of the text; :func:`window_for` keeps an index of the latest
texts, so calling it once per number costs O(log n) each.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict

from comercio.check._sentences import paragraphs, sentences
from comercio.check.model import Period

# A period right after a number binds to it when this close, with no other figure between them.
TIGHT = 40
_CLAUSE = frozenset(",;:()[]")
_CACHE: OrderedDict[int, Windows] = OrderedDict()
_CACHED = 4
_LOCK = threading.Lock()


def bound(text: str, span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    """Whether the period at ``span`` closely follows a figure in its clause ("84,3 % en 2024", "USD 2,5
    billones del 2001"): then it is that figure's own period, not the window the text carries on with.
    ``others``: the spans of the text's period phrases, sorted."""
    for i in range(span[0] - 1, max(-1, span[0] - TIGHT - 1), -1):
        c = text[i]
        if c in _CLAUSE or c in ".!?\n":
            return False
        if c.isdigit() or c == "%":  # a figure, unless it is a digit of another period phrase
            at = bisect_right(others, (i, len(text))) - 1
            return not (at >= 0 and others[at][0] <= i < others[at][1])
    return False


class Windows:
    """The periods of one text indexed for :meth:`window_for` (the periods must not change afterwards)."""

    def __init__(self, periods: list[Period], text: str) -> None:
        self.periods, self.text, self.size = periods, text, len(periods)
        self.last = periods[-1] if periods else None
        spans = sentences(text)
        self._sentences = spans
        self._sentence_starts = [a for a, _ in spans]
        self._paragraph_starts = [a for a, _ in paragraphs(text)]
        usable = [p for p in periods if p.span is not None and p.role == "window" and p.phrase != "date"]
        self._usable = sorted(usable, key=_start)
        self._starts = [_start(p) for p in self._usable]
        self._ends = [p.span[1] if p.span else 0 for p in self._usable]
        phrases = sorted(p.span for p in periods if p.span is not None)
        # index of the latest usable period up to i that is not bound to a figure (-1: none)
        self._carried: list[int] = []
        for i, p in enumerate(self._usable):
            free = p.span is not None and not bound(text, p.span, phrases)
            self._carried.append(i if free else (self._carried[-1] if i else -1))

    def indexes(self, periods: list[Period], text: str) -> bool:
        """Whether this index was built from this very list (unchanged in length and last item) and text."""
        last = periods[-1] if periods else None
        return (
            self.periods is periods and self.text is text and self.size == len(periods) and self.last is last
        )

    def window_for(self, start: int, end: int) -> Period | None:
        """The period of the number at [start, end): see :func:`window_for`."""
        at = bisect_right(self._sentence_starts, start) - 1
        s0, s1 = self._sentences[at] if at >= 0 else (0, len(self.text))
        lo, hi = bisect_left(self._starts, s0), bisect_right(self._ends, s1)  # inside the sentence: [lo, hi)
        n_before = bisect_right(self._ends, start, lo, max(lo, hi))  # [lo, n_before) end before the number
        first_after = bisect_left(self._starts, end, lo, max(lo, hi))
        has_before = n_before > lo
        if first_after < hi:
            after = self._usable[first_after]
            gap = self.text[end : _start(after)]
            if not (":" in gap or ";" in gap):  # the same clause
                tight = len(gap) <= TIGHT and not any(c.isdigit() for c in gap)
                if tight and (not has_before or not any(c in gap for c in ",;:()")):
                    return after
                if not has_before:
                    return after
        if has_before:
            return self._usable[n_before - 1]
        k = bisect_right(self._ends, s0)  # the periods of the text before the sentence: [0, k)
        if k == 0:
            return self._usable[first_after] if first_after < hi else None
        at = bisect_right(self._paragraph_starts, s0) - 1
        j = bisect_left(
            self._starts, self._paragraph_starts[at] if at >= 0 else 0, 0, k
        )  # [j, k) in paragraph
        carried = self._carried[k - 1]
        if carried >= j or j == k:
            return self._usable[carried if carried >= 0 else k - 1]
        return self._usable[k - 1]


def window_for(periods: list[Period], start: int, end: int, text: str) -> Period | None:
    """The period the number at [start, end) of ``text`` refers to.

    In its sentence: a period right after it (within a few words, no figure between) binds first
    ("84,3 % en 2024"), else the nearest one before it, else the nearest after it in the same clause (no
    ``:`` or ``;`` between). Otherwise the period the text carries on with: the last one of the previous
    sentences of its paragraph that is not some other figure's own ("pasó de 69,3 % en 2021 …" is not carried
    on), else the last one of the paragraph, else the same in the text before, else the first one after it in
    its sentence. Comparison periods and dates are skipped. ``periods`` are
    :func:`~comercio.check.periods.find_periods`'s for
    ``text``; the index built from them is kept for the next calls with the same list and text.
    """
    with _LOCK:
        windows = _CACHE.get(id(periods))
    if windows is None or not windows.indexes(periods, text):
        windows = Windows(periods, text)
        with _LOCK:
            _CACHE[id(periods)] = windows
            while len(_CACHE) > _CACHED:
                _CACHE.popitem(last=False)
    return windows.window_for(start, end)


def _start(p: Period) -> int:
    return p.span[0] if p.span else -1
