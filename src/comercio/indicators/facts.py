"""Facts: every number comercio publishes, with what it is — and the catalogue that declares them.

Each fact belongs to a *family* declared once in ``facts.toml``: an id template with typed parts
(``region.{department}.growth``), a kind (value, growth, share, contribution, count, list, rank, estimate,
error), a unit (``usd``, ``fraction``, ``count``, ``members``, ``code``, ``position``), the dimension of its
member, and a label and a definition in Spanish and English. Builders create facts only with
:func:`make` (an undeclared family or a part that is not a code of its type raises :class:`FactError`);
readers ask a :class:`FactSet` for a family and its parts (``facts.value("region.{department}.growth",
department="15")``) and never parse ids. Facts carry codes, not labels: names come from the reference tables
in the language asked for (:func:`comercio.reference.dimensions.label`).
"""

from __future__ import annotations

import json
import math
import re
import string
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

from comercio.errors import ComercioError
from comercio.reference import dimensions

Kind = Literal["value", "growth", "share", "contribution", "count", "list", "rank", "estimate", "error"]
Unit = Literal["usd", "fraction", "count", "members", "code", "position"]
KINDS: tuple[str, ...] = (
    "value",
    "growth",
    "share",
    "contribution",
    "count",
    "list",
    "rank",
    "estimate",
    "error",
)
UNITS: tuple[str, ...] = ("usd", "fraction", "count", "members", "code", "position")
LANGS = ("es", "en")


class FactError(ComercioError):
    """A fact outside the catalogue, or a part that is not a code of its declared type."""


@dataclass(frozen=True)
class Family:
    """One declared family of facts (a row of ``facts.toml``)."""

    template: str
    kind: str
    unit: str
    label: Mapping[str, str]
    definition: Mapping[str, str]
    member: str | None = None  # the dimension of the fact's member
    parts: tuple[str, ...] = ()
    patterns: Mapping[str, str] = field(default_factory=dict)

    def id(self, **parts: str) -> str:
        """The fact id for ``parts``; every part must be given and match its type."""
        if set(parts) != set(self.parts):
            raise FactError(
                f"fact family {self.template!r} takes parts {list(self.parts)}, got {sorted(parts)}",
                field="parts",
            )
        for name, value in parts.items():
            if not isinstance(value, str) or re.fullmatch(self.patterns[name], value) is None:
                raise FactError(
                    f"{value!r} is not a valid {name} for fact family {self.template!r} "
                    f"(expected {self.patterns[name]!r})",
                    field=name,
                )
        return self.template.format(**parts)


def _family(template: str, entry: Mapping[str, Any], part_types: Mapping[str, str]) -> Family:
    names = tuple(n for _, n, _, _ in string.Formatter().parse(template) if n)
    patterns: dict[str, str] = {}
    for n in names:
        if n in dimensions.BY_NAME:
            patterns[n] = dimensions.BY_NAME[n].pattern
        elif n in part_types:
            patterns[n] = part_types[n]
        else:
            raise FactError(
                f"fact family {template!r}: part {n!r} is not a dimension or a declared part type"
            )
    for key, allowed in (("kind", KINDS), ("unit", UNITS)):
        if entry.get(key) not in allowed:
            raise FactError(f"fact family {template!r}: {key} {entry.get(key)!r} is not one of {allowed}")
    member = entry.get("member")
    if member is not None and member not in dimensions.BY_NAME:
        raise FactError(f"fact family {template!r}: member {member!r} is not a dimension")
    return Family(
        template=template,
        kind=entry["kind"],
        unit=entry["unit"],
        label=dict(entry.get("label", {})),
        definition=dict(entry.get("definition", {})),
        member=member,
        parts=names,
        patterns=patterns,
    )


@cache
def catalogue() -> dict[str, Family]:
    """Every declared family, keyed by its template, in the order of ``facts.toml``."""
    raw = tomllib.loads(resources.files("comercio.indicators").joinpath("facts.toml").read_text("utf-8"))
    part_types: dict[str, str] = raw.pop("parts")
    return {template: _family(template, entry, part_types) for template, entry in raw.items()}


def family(template: str) -> Family:
    """The declared family ``template``; :class:`FactError` for anything not in the catalogue."""
    try:
        return catalogue()[template]
    except KeyError:
        raise FactError(
            f"{template!r} is not a declared fact family",
            hint="declare it in comercio/indicators/facts.toml (see `comercio facts list`)",
        ) from None


@dataclass(frozen=True)
class Fact:
    """One published number (or list of member codes) and its full description.

    ``value`` is in the family's unit: US$ (not millions), fractions (0.198) for growth and shares, plain
    counts, a list of member codes (``members``) or one code (``code``).
    """

    id: str
    family: str
    parts: Mapping[str, str]
    kind: str
    unit: str
    value: Any
    window: Mapping[str, Any]
    member: str | None = None
    comparison: Mapping[str, Any] | None = None
    grouping: str | None = None
    dataset: str | None = None
    vintages: tuple[str, ...] = ()
    synthetic: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        value = self.value
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            value = None
        return {
            "id": self.id,
            "family": self.family,
            "parts": dict(self.parts),
            "kind": self.kind,
            "unit": self.unit,
            "value": value,
            "window": dict(self.window),
            "comparison": None if self.comparison is None else dict(self.comparison),
            "member": self.member,
            "grouping": self.grouping,
            "dataset": self.dataset,
            "vintages": list(self.vintages),
            "synthetic": self.synthetic,
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Fact:
        fact = make(
            d["family"],
            d["value"],
            parts=d.get("parts") or {},
            window=d["window"],
            member=d.get("member"),
            comparison=d.get("comparison"),
            grouping=d.get("grouping"),
            dataset=d.get("dataset"),
            vintages=tuple(d.get("vintages") or ()),
            synthetic=bool(d.get("synthetic", False)),
            extra=d.get("extra") or {},
        )
        if fact.id != d.get("id", fact.id):
            raise FactError(f"fact id {d['id']!r} does not match its family {d['family']!r} and parts")
        return fact


def make(
    template: str,
    value: Any,
    *,
    parts: Mapping[str, str] | None = None,
    window: Mapping[str, Any],
    member: str | None = None,
    comparison: Mapping[str, Any] | None = None,
    grouping: str | None = None,
    dataset: str | None = None,
    vintages: Iterable[str] = (),
    synthetic: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> Fact:
    """A fact of the declared family ``template``; the member defaults to its dimension's part."""
    fam = family(template)
    p = dict(parts or {})
    fid = fam.id(**p)
    if member is None and fam.member is not None and fam.member in p:
        member = p[fam.member]
    return Fact(
        id=fid,
        family=template,
        parts=p,
        kind=fam.kind,
        unit=fam.unit,
        value=value,
        window=window,
        member=member,
        comparison=comparison,
        grouping=grouping,
        dataset=dataset,
        vintages=tuple(vintages),
        synthetic=synthetic,
        extra=dict(extra or {}),
    )


class FactSet:
    """An ordered collection of facts, read by family and parts."""

    def __init__(self, facts: Iterable[Fact] = ()) -> None:
        self._facts: dict[str, Fact] = {}
        self._by_family: dict[str, list[Fact]] = {}
        for f in facts:
            self.add(f)

    def add(self, fact: Fact) -> Fact:
        fam = family(fact.family)
        if fam.id(**fact.parts) != fact.id:
            raise FactError(f"fact id {fact.id!r} is not what family {fact.family!r} builds from its parts")
        old = self._facts.get(fact.id)
        if old is not None:
            self._by_family[old.family].remove(old)
        self._facts[fact.id] = fact
        self._by_family.setdefault(fact.family, []).append(fact)
        return fact

    def extend(self, facts: Iterable[Fact]) -> None:
        for f in facts:
            self.add(f)

    def __iter__(self) -> Iterator[Fact]:
        return iter(self._facts.values())

    def __len__(self) -> int:
        return len(self._facts)

    def get(self, template: str, **parts: str) -> Fact | None:
        """The fact of family ``template`` with ``parts``, or None when it was not computed."""
        return self._facts.get(family(template).id(**parts))

    def value(self, template: str, default: Any = None, **parts: str) -> Any:
        """The value of a fact (``default`` when it was not computed)."""
        f = self.get(template, **parts)
        return default if f is None else f.value

    def has(self, template: str, **parts: str) -> bool:
        return self.get(template, **parts) is not None

    def each(self, template: str) -> list[Fact]:
        """Every fact of one family, in the order they were added."""
        family(template)
        return list(self._by_family.get(template, ()))

    def by_id(self, fact_id: str) -> Fact | None:
        """A fact by its published id (for tools that read report.json; code reads by family)."""
        return self._facts.get(fact_id)

    @property
    def synthetic(self) -> bool:
        return any(f.synthetic for f in self._facts.values())

    def as_list(self) -> list[dict[str, Any]]:
        return [f.as_dict() for f in self._facts.values()]

    def to_json(self, **meta: Any) -> str:
        return json.dumps({**meta, "facts": self.as_list()}, ensure_ascii=False, indent=2, default=str)


def catalogue_markdown(lang: str = "en") -> str:
    """The catalogue as a Markdown table (``comercio facts list --format md``)."""
    head = {
        "es": "| familia | tipo | unidad | miembro | etiqueta | definición |",
        "en": "| family | kind | unit | member | label | definition |",
    }[lang]
    lines = [head, "|---|---|---|---|---|---|"]
    for fam in catalogue().values():
        cells = (fam.template, fam.kind, fam.unit, fam.member or "", fam.label[lang], fam.definition[lang])
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
