"""The verdict on a printed figure against the computed one (docs/decisions/0022-checking-published-text.md).

*consistent* within half a unit of the printed precision (or, for "cerca de", within the close tolerance);
*close* within 2 % of a value, one percentage point of a rate or share, one region of a count; *differs*
beyond. "Más de X" is consistent from X to 10 % (values), 2 points (rates) or 2 (counts) above it.
"""

from __future__ import annotations

from comercio.check._reasons import say, show
from comercio.check.model import Number, Verdict
from comercio.reports.fmt import Formatter

CLOSE = {"usd": 0.02, "fraction": 0.01, "count": 1.0}  # usd: relative; the others absolute
ABOVE = {"usd": 0.10, "fraction": 0.02, "count": 2.0}  # how far above "más de X" is still consistent


def printed_value(n: Number, measure: str) -> float:
    """The printed figure in canonical units, with the sign words give it ("cayeron 9 %" is −0.09)."""
    value = n.value
    if measure in ("growth", "share_change") and n.sign < 0 and value > 0:
        value = -value
    return value


def _close(n: Number, printed: float) -> float:
    if n.unit == "usd":
        return abs(printed) * CLOSE["usd"]
    return CLOSE.get(n.unit, 0.0)


def verdict(n: Number, printed: float, computed: float, lang: str) -> tuple[Verdict, str]:
    """The verdict on ``printed`` against ``computed``, and why, in ``lang``."""
    half, close = n.half_unit * (1 + 1e-9), _close(n, printed)
    diff = computed - printed
    values = {"computed": show(computed, n.unit, lang), "printed": show(printed, n.unit, lang)}
    if n.qualifier in ("more_than", "at_least"):
        above = abs(printed) * ABOVE["usd"] if n.unit == "usd" else ABOVE.get(n.unit, 0.0)
        if -half <= diff <= above + half:
            return "consistent", say(lang, "above_floor" if diff >= 0 else "within", **values)
        if diff > above:
            return "close", say(lang, "far_above", **values)
        return ("close" if -diff <= close else "differs"), say(lang, "below_floor", **values)
    if n.qualifier in ("less_than", "at_most"):
        if diff <= half:
            return "consistent", say(lang, "below_ceiling", **values)
        return ("close" if diff <= close else "differs"), say(lang, "above_ceiling", **values)
    if abs(diff) <= half or (n.qualifier == "about" and abs(diff) <= close):
        return "consistent", say(lang, "gives", computed=values["computed"])
    if n.unit == "fraction" and printed * computed < 0 and abs(diff) > close:
        return "differs", say(lang, "sign_differs", **values)
    gap = Formatter(lang).pp(abs(diff), 2) if n.unit == "fraction" else show(abs(diff), n.unit, lang)
    off = say(lang, "off_by", computed=values["computed"], diff=gap)
    return ("close" if abs(diff) <= close else "differs"), off


def distance(n: Number, printed: float, computed: float) -> float:
    """How far a computed value is from the printed one (relative for money), to rank variants."""
    scale = abs(printed) if n.unit == "usd" and printed else 1.0
    return abs(computed - printed) / scale
