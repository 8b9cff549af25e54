"""Map HS product-code prefixes (sector baskets) between Harmonized System revisions.

A sector basket such as SNI's metalworking definition ("HS 73 and 82–90") is a list of code prefixes of 2
to 6 digits. World trade files come in one HS revision each (BACI ``HS92`` … ``HS22``), so a basket written
in one revision must be restated in another before it filters a file.

The concordance is data, not code: ``data/hs_concordance.csv`` lists HS6 pairs ``from_hs6 → to_hs6`` taken
from the WCO correlation tables, one row per pair (a split has one row per target). Like the WCO tables it
lists *changed* subheadings (plus a few confirmed unchanged ones); **a code absent from the file is assumed
unchanged**. Consequences, by prefix length:

- **6 digits**: mapped to its targets (several when the subheading was split), or to itself when absent.
- **2–5 digits** (chapters, headings): the prefix maps to itself — chapters 73 and 82–90 keep their scope
  across revisions — plus every target code that *leaves* the prefix (e.g. HS17 ``8548`` → HS22 ``8548`` and
  the new ``8549xx`` codes that took its battery waste). Codes that *enter* the prefix from elsewhere
  cannot be excluded with prefixes; they are reported in :attr:`BasketConversion.notes` instead of silently
  widening the basket.

Conversions chain along consecutive revisions present in the file (``HS17 → HS22``) and run backwards by
inverting the rows. A step with no rows at all is refused: an empty table would silently claim "no changes".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from comercio.errors import ConfigError, ReferenceDataError

REVISIONS: tuple[str, ...] = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")
_RESOURCE = "data/hs_concordance.csv"


@dataclass(frozen=True)
class BasketConversion:
    """The restated basket: prefixes in the target revision and notes on what prefixes could not express."""

    from_rev: str
    to_rev: str
    prefixes: tuple[str, ...]
    notes: tuple[str, ...] = ()


@cache
def _pairs() -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
    """All (from_hs6, to_hs6) pairs per (from_rev, to_rev), read once from the package CSV."""
    text = resources.files("comercio.sources").joinpath(_RESOURCE).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for n, row in enumerate(csv.DictReader(io.StringIO("\n".join(lines))), start=2):
        for col in ("from_hs6", "to_hs6"):
            code = row.get(col) or ""
            if len(code) != 6 or not code.isdigit():
                raise ReferenceDataError(
                    f"not a 6-digit HS code: {code!r}", file=_RESOURCE, row=n, column=col
                )
        for col in ("from_rev", "to_rev"):
            if row.get(col) not in REVISIONS:
                raise ReferenceDataError(
                    f"unknown HS revision {row.get(col)!r}", file=_RESOURCE, row=n, column=col
                )
        out.setdefault((row["from_rev"], row["to_rev"]), []).append((row["from_hs6"], row["to_hs6"]))
    return {k: tuple(v) for k, v in out.items()}


def _step_pairs(a: str, b: str) -> tuple[tuple[str, str], ...]:
    """Pairs for one consecutive step ``a → b`` (inverted when only ``b → a`` is stored)."""
    pairs = _pairs()
    if (a, b) in pairs:
        return pairs[(a, b)]
    if (b, a) in pairs:
        return tuple((t, f) for f, t in pairs[(b, a)])
    raise ReferenceDataError(
        f"no HS concordance rows for {a} → {b}; cannot restate a basket across that step",
        file=_RESOURCE,
        hint="add the WCO correlation rows for that revision pair",
    )


def _convert_step(prefixes: Iterable[str], a: str, b: str) -> tuple[list[str], list[str]]:
    pairs = _step_pairs(a, b)
    result: list[str] = []
    notes: list[str] = []
    for p in prefixes:
        targets = sorted({t for f, t in pairs if f.startswith(p)})
        if len(p) == 6:
            mapped = targets or [p]
            result.extend(mapped)
            if mapped != [p]:
                notes.append(f"{a} {p} → {b} {', '.join(mapped)}")
        else:
            result.append(p)
            leaving = [t for t in targets if not t.startswith(p)]
            result.extend(leaving)
            if leaving:
                notes.append(f"{a} {p}: part moved to {b} {', '.join(leaving)}")
        entering = sorted({f"{f}→{t}" for f, t in pairs if t.startswith(p) and not f.startswith(p)})
        if entering:
            notes.append(f"{b} {p} also receives codes from outside the prefix: {', '.join(entering)}")
    return result, notes


def convert_basket_prefixes(prefixes: Iterable[str], from_rev: str, to_rev: str) -> BasketConversion:
    """Restate HS prefixes (2–6 digits) written in ``from_rev`` in ``to_rev`` (e.g. HS17 → HS22)."""
    for rev, name in ((from_rev, "from_rev"), (to_rev, "to_rev")):
        if rev not in REVISIONS:
            raise ConfigError(f"unknown HS revision {rev!r}; known: {', '.join(REVISIONS)}", field=name)
    current = list(prefixes)
    for p in current:
        if not (2 <= len(p) <= 6 and p.isdigit()):
            raise ConfigError(f"an HS prefix has 2 to 6 digits, got {p!r}", field="prefixes")
    i, j = REVISIONS.index(from_rev), REVISIONS.index(to_rev)
    step = 1 if j >= i else -1
    notes: list[str] = []
    for k in range(i, j, step):
        current, step_notes = _convert_step(current, REVISIONS[k], REVISIONS[k + step])
        notes.extend(step_notes)
    unique = tuple(dict.fromkeys(current))
    # Drop codes already covered by a shorter prefix in the result.
    covered = tuple(p for p in unique if not any(q != p and p.startswith(q) for q in unique))
    return BasketConversion(from_rev=from_rev, to_rev=to_rev, prefixes=covered, notes=tuple(notes))
