"""The data of a check: numbers found in a text, the claims they make, and the verdict on each.

Everything here is plain frozen data, JSON-able through :meth:`as_dict`; extraction
(:mod:`comercio.check.numbers`, :mod:`comercio.check.periods`), reading claims
(:mod:`comercio.check.claims`), computing (:mod:`comercio.check.verify`) and rendering
(:mod:`comercio.check.render`) exchange only these types.

Canonical units: money in US$ (``usd``), percentages as fractions (``fraction``: 19,8 % is 0.198), counts
as plain numbers (``count``). A number's ``half_unit`` is half of its last printed digit in the same unit
(19,8 % → 0.0005; US$ 68 120 millones → 500 000; "US$ 9,0 billones" → 5e10): a computed value within it
is ``consistent``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Unit = Literal["usd", "fraction", "count", "year", "date", "plain"]
Qualifier = Literal["exact", "more_than", "less_than", "about", "at_least", "at_most"]
Verdict = Literal["consistent", "close", "differs", "not_checkable"]
VERDICTS: tuple[str, ...] = ("consistent", "close", "differs", "not_checkable")
# count: regions that grew; count_declined: regions that fell; record: regions above their earlier high
Measure = Literal[
    "value", "growth", "share", "share_change", "count", "count_declined", "members", "record", "rank"
]
# What a subject is: the dimension of comercio.reference.dimensions it is a member of, or a fixed kind.
SubjectKind = Literal[
    "national",
    "region_group",
    "department",
    "macroregion",
    "natural_region",
    "customs_office",
    "basket",
    "partner",
    "continent",
    "world",
]


@dataclass(frozen=True)
class Number:
    """One number as printed in the text, parsed."""

    span: tuple[int, int]  # [start, end) character offsets of the number (its unit words included)
    printed: str  # text[start:end]
    value: float  # in canonical units (see the module docstring); a negative sign only when printed (−5 %)
    unit: Unit
    half_unit: float  # half of the last printed digit, in the same unit
    qualifier: Qualifier = "exact"  # "más de", "cerca de", "superar los" …
    sign: int = (
        0  # -1 when words around it say a fall ("cayeron 9 %"), +1 a rise or an explicit "+", 0 unsaid
    )
    words: bool = False  # written in words ("veinte regiones")

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["span"] = list(self.span)
        return d


@dataclass(frozen=True)
class Subject:
    """What a claim is about: a member of a dimension (``code`` from the reference tables)."""

    kind: SubjectKind
    code: str | None  # None for national / world
    label: str  # as the text names it
    basket: str | None = None  # a product basket narrowing the subject ("agroexportación", "metalmecánico")
    flow: Literal["X", "M"] = "X"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Period:
    """A span of whole months a claim refers to (``start``/``end`` as YYYY-MM)."""

    start: str
    end: str
    kind: Literal["year", "ytd", "range", "month", "rolling12"]
    phrase: str  # the words it was read from ("entre enero y noviembre de 2025"), or how it was inferred
    span: tuple[int, int] | None = None  # of the phrase in the text; None when inferred
    role: Literal["window", "comparison"] = "window"  # "respecto a igual periodo de 2024" is a comparison

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "kind": self.kind, "phrase": self.phrase}


@dataclass(frozen=True)
class Claim:
    """A number read as a statement about the data, and what the data say."""

    number: Number
    subject: Subject | None
    measure: Measure | None
    window: Period | None
    verdict: Verdict
    computed: float | None = None
    variant: str | None = None  # the definition that reproduces the printed figure, when not the default
    reason: str = ""  # why this verdict (for not_checkable: what is missing; for differs: by how much)
    dataset: str | None = None
    vintage: str | None = None
    sentence: tuple[int, int] | None = None  # the sentence it was read from
    tried: tuple[dict[str, Any], ...] = ()  # variants tried: {"variant", "computed"}
    synthetic: bool = False  # computed from a synthetic dataset (every output must say so)
    fact: str | None = None  # the fact family of the catalogue the claim was checked against

    def as_dict(self) -> dict[str, Any]:
        return {
            "span": list(self.number.span),
            "printed": self.number.printed,
            "value": self.number.value,
            "unit": self.number.unit,
            "qualifier": self.number.qualifier,
            "subject": None if self.subject is None else self.subject.as_dict(),
            "measure": self.measure,
            "window": None if self.window is None else self.window.as_dict(),
            "computed": self.computed,
            "verdict": self.verdict,
            "variant": self.variant,
            "reason": self.reason,
            "dataset": self.dataset,
            "vintage": self.vintage,
            "tried": list(self.tried),
            "synthetic": self.synthetic,
            "fact": self.fact,
        }


@dataclass(frozen=True)
class Skipped:
    """A number that is not a checked claim, and why: a date or year that sets a period, or not understood."""

    number: Number
    kind: Literal["period", "not_understood"]
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "span": list(self.number.span),
            "printed": self.number.printed,
            "kind": self.kind,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class CheckReport:
    """The whole result: every number of ``text`` is in ``claims`` or in ``skipped``."""

    text: str
    lang: str
    published: str | None  # YYYY-MM-DD the text was published (resolves "a noviembre", "el año pasado")
    claims: tuple[Claim, ...]
    skipped: tuple[Skipped, ...]
    source: str = "-"  # the file name the text came from (never a full path)
    seconds: float = 0.0
    datasets: dict[str, list[str]] = field(default_factory=dict)  # dataset → vintages read

    @property
    def synthetic(self) -> bool:
        """Whether any figure was computed from synthetic data."""
        return any(c.synthetic for c in self.claims)

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys((*VERDICTS, "not_understood", "period"), 0)
        for c in self.claims:
            out[c.verdict] += 1
        for s in self.skipped:
            out[s.kind] += 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "lang": self.lang,
            "published": self.published,
            "counts": self.counts,
            "claims": [c.as_dict() for c in self.claims],
            "skipped": [s.as_dict() for s in self.skipped],
            "datasets": self.datasets,
            "synthetic": self.synthetic,
            "seconds": round(self.seconds, 3),
        }
