"""Which dataset can answer an indicator: grain, coverage and a clear refusal when none can.

An indicator needs some raw columns (``department`` for macroregions, ``customs_office`` for ports,
``product`` for drivers): the ``needs`` of its grouping's dimension (:mod:`comercio.reference.dimensions`) and
of its filters. The engine picks the first loaded dataset, in the order of their declared ``rank``, whose
grain carries them and that answers the flow; official aggregate tables come first because they are what the
publishers themselves print, and item-level data answer what the aggregates cannot
(docs/decisions/0004-dataset-choice.md).
"""

from __future__ import annotations

from comercio.errors import DataNotAvailable
from comercio.indicators.specs import Filters, Grouping
from comercio.reference.dimensions import dimension
from comercio.warehouse import schema

BASKET_COLUMN = "sector"  # the column a basket filter or a sector grouping reads


def preference() -> tuple[str, ...]:
    """The datasets able to answer indicators, best first (their declared ``rank``)."""
    ranked = [s for s in schema.DATASETS.values() if s.rank is not None]
    return tuple(s.name for s in sorted(ranked, key=lambda s: (s.rank, s.name)))


def needed_dimensions(grouping: Grouping, filters: Filters) -> set[str]:
    """The raw columns a grouping and its filters read."""
    needs = {c for c in (dimension(grouping.dimension).needs,) if c is not None}
    if filters.basket is not None:
        needs.add(BASKET_COLUMN)
    if filters.departments or filters.region_groups:
        needs.add("department")
    if filters.partners:
        needs.add("partner")
    if filters.customs_offices:
        needs.add("customs_office")
    return needs


def provides(dataset: str, column: str, flow: str) -> bool:
    """Whether ``dataset`` answers ``flow`` with ``column`` (baskets classify a line dataset's products)."""
    spec = schema.DATASETS[dataset]
    if flow not in spec.flows:
        return False
    return column in spec.dimensions or (column == BASKET_COLUMN and spec.lines)


def candidates(
    loaded: list[str], grouping: Grouping, filters: Filters, *, requested: str | None = None
) -> list[str]:
    """Every loaded dataset able to answer, best first; :class:`DataNotAvailable` when there is none."""
    needs = needed_dimensions(grouping, filters)
    if requested is not None:
        if requested not in loaded:
            raise DataNotAvailable(f"dataset {requested!r} is not loaded", hint="run `comercio build`")
        missing = [d for d in sorted(needs) if not provides(requested, d, filters.flow)]
        if missing:
            raise DataNotAvailable(
                f"dataset {requested!r} has no {', '.join(missing)} dimension "
                f"(its grain is {', '.join(schema.DATASETS[requested].grain)})"
            )
        return [requested]
    found = [
        name
        for name in preference()
        if name in loaded and all(provides(name, d, filters.flow) for d in needs)
    ]
    if found:
        return found
    have = ", ".join(loaded) or "none"
    raise DataNotAvailable(
        f"no loaded dataset carries {', '.join(sorted(needs)) or 'the national total'} for flow "
        f"{filters.flow} (loaded: {have})",
        hint="customs offices, partners and products need item-level data: "
        "`comercio ingest sunat-microdata` or `infotrade`",
    )
