"""Facts: every number comercio publishes, with what it is.

A fact carries the indicator, its value and unit, the window and comparison it was computed over, the
grouping member it belongs to, and the dataset and vintages it came from. Facts are the only way numbers
reach reports, the API and the dashboard.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Fact:
    """One published number (or list of members) and its full description.

    ``id`` is stable and dotted (``interior.growth``, ``macroregion.norte.growth``); ``value`` is in ``unit``:
    US$ (not millions) for money, fractions (0.198) for growth and shares, fractions for percentage points
    (0.012 = 1.2 pp), plain counts, or a list of member codes when ``unit == "members"``.
    """

    id: str
    indicator: str
    value: Any
    unit: str
    window: dict[str, Any]
    member: str | None = None
    member_label: str | None = None
    comparison: dict[str, Any] | None = None
    grouping: str | None = None
    dataset: str | None = None
    vintages: tuple[str, ...] = ()
    synthetic: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def with_id(self, new_id: str) -> Fact:
        return replace(self, id=new_id)

    def as_dict(self) -> dict[str, Any]:
        value = self.value
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            value = None
        return {
            "id": self.id,
            "indicator": self.indicator,
            "value": value,
            "unit": self.unit,
            "window": self.window,
            "comparison": self.comparison,
            "member": self.member,
            "member_label": self.member_label,
            "grouping": self.grouping,
            "dataset": self.dataset,
            "vintages": list(self.vintages),
            "synthetic": self.synthetic,
            "extra": self.extra,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Fact:
        return cls(
            id=d["id"],
            indicator=d["indicator"],
            value=d["value"],
            unit=d["unit"],
            window=d["window"],
            member=d.get("member"),
            member_label=d.get("member_label"),
            comparison=d.get("comparison"),
            grouping=d.get("grouping"),
            dataset=d.get("dataset"),
            vintages=tuple(d.get("vintages") or ()),
            synthetic=bool(d.get("synthetic", False)),
            extra=d.get("extra") or {},
        )


class FactSet:
    """An ordered, id-indexed collection of facts."""

    def __init__(self, facts: Iterable[Fact] = ()) -> None:
        self._facts: dict[str, Fact] = {}
        for f in facts:
            self.add(f)

    def add(self, fact: Fact) -> Fact:
        self._facts[fact.id] = fact
        return fact

    def extend(self, facts: Iterable[Fact]) -> None:
        for f in facts:
            self.add(f)

    def __iter__(self) -> Iterator[Fact]:
        return iter(self._facts.values())

    def __len__(self) -> int:
        return len(self._facts)

    def __contains__(self, fact_id: object) -> bool:
        return fact_id in self._facts

    def __getitem__(self, fact_id: str) -> Fact:
        return self._facts[fact_id]

    def get(self, fact_id: str) -> Fact | None:
        return self._facts.get(fact_id)

    def value(self, fact_id: str, default: Any = None) -> Any:
        f = self._facts.get(fact_id)
        return default if f is None else f.value

    def prefixed(self, prefix: str) -> list[Fact]:
        return [f for f in self._facts.values() if f.id.startswith(prefix)]

    @property
    def synthetic(self) -> bool:
        return any(f.synthetic for f in self._facts.values())

    def as_list(self) -> list[dict[str, Any]]:
        return [f.as_dict() for f in self._facts.values()]

    def to_json(self, **meta: Any) -> str:
        return json.dumps({**meta, "facts": self.as_list()}, ensure_ascii=False, indent=2, default=str)
