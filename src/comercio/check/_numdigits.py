"""The digits of one printed figure: which mark is decimal, and the text's decimal convention.

See :mod:`comercio.check.numbers` for the rules. Plain string work (no regular expressions per figure):
reading is on the hot path of every check.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

SPACES = " \u00a0\u202f\u2009"  # what may group digits: space, no-break, narrow no-break and thin spaces
MAX_DIGITS = 30  # a longer digit run is not a figure (it comes back as plain, value 0)
_NO_SPACES = str.maketrans("", "", SPACES)


@dataclass(frozen=True)
class Figure:
    """The digits of one figure: exact value and number of decimals; ``readable`` False when they are not a
    number ("1.2.34", or longer than :data:`MAX_DIGITS`)."""

    value: Decimal
    decimals: int
    readable: bool = True
    marks: bool = False  # printed with a thousands or decimal mark (or grouping spaces)


def vote(core: str) -> str | None:
    """The decimal mark a figure shows unambiguously, if any: "3.530,1" → ",", "19.8" → ".", "2.523" none."""
    marks = [c for c in core if c in ".,"]
    if not marks:
        return None
    if len(set(marks)) == 2:
        return marks[-1]
    if len(marks) > 1:
        return "," if marks[0] == "." else "."
    digits = core.translate(_NO_SPACES)
    head, _, tail = digits.partition(marks[0])
    return marks[0] if digits != core or len(tail) != 3 or len(head) > 3 else None


def decide(votes: list[str]) -> str | None:
    """The mark most votes name; None when there are none or a tie."""
    commas, dots = votes.count(","), votes.count(".")
    return None if commas == dots else ("," if commas > dots else ".")


def figure(core: str, decimal_mark: str | None) -> Figure:
    """Read the digits ``core`` (digits, "." / "," marks, grouping spaces) given the text's decimal mark."""
    digits = core.translate(_NO_SPACES)
    if len(digits) > MAX_DIGITS:
        return Figure(Decimal(0), 0, readable=False)
    spaced = digits != core
    marks = [c for c in digits if c in ".,"]
    if not marks:
        return Figure(Decimal(digits), 0, marks=spaced)
    groups = digits.replace(",", ".").split(".")
    unreadable = Figure(Decimal("".join(groups)), 0, readable=False, marks=True)
    kinds = len(set(marks))
    if kinds == 2 or len(marks) == 1:
        head, tail = "".join(groups[:-1]), groups[-1]
        if kinds == 2 and (
            marks.count(marks[-1]) != 1 or len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:-1])
        ):
            return unreadable
        if len(marks) == 1 and not spaced and len(tail) == 3 and len(head) <= 3 and decimal_mark != marks[0]:
            return Figure(Decimal(head + tail), 0, marks=True)  # a thousands mark: "2.523" in a "19,8" text
        return Figure(Decimal(f"{head}.{tail}"), len(tail), marks=True)
    if spaced or len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:]):
        return unreadable
    return Figure(Decimal("".join(groups)), 0, marks=True)
