"""Which dataset can answer an indicator: grain, coverage and a clear refusal when none can.

An indicator needs some dimensions (``department`` for macroregions, ``customs_office`` for ports, ``product``
for drivers). The engine picks the first loaded dataset, in :data:`PREFERENCE` order, whose grain carries
them; official aggregate tables come first because they are what the publishers themselves print, and
item-level data answer what the aggregates cannot (docs/decisions/0004-dataset-choice.md).
"""

from __future__ import annotations

from comercio.errors import DataNotAvailable
from comercio.indicators.specs import Filters, Grouping
from comercio.warehouse import schema

PREFERENCE: tuple[str, ...] = ("bcrp_departments", "sunat_cuadros", "infotrade", "customs_lines")

# The raw dimension each grouping needs.
GROUP_NEEDS: dict[str, tuple[str, ...]] = {
    "national": (),
    "department": ("department",),
    "region_group": ("department",),
    "macroregion": ("department",),
    "natural_region": ("department",),
    "customs_office": ("customs_office",),
    "partner": ("partner",),
    "continent": ("partner",),
    "sector": ("sector",),
    "product": ("product",),
    "product_group": ("product",),
    "hs6": ("hs6",),
}


def needed_dimensions(grouping: Grouping, filters: Filters) -> set[str]:
    needs = set(GROUP_NEEDS[grouping.dimension])
    if filters.basket is not None:
        needs.add("sector")
    if filters.departments or filters.region_groups:
        needs.add("department")
    if filters.partners:
        needs.add("partner")
    if filters.customs_offices:
        needs.add("customs_office")
    return needs


def provides(dataset: str, dimension: str, flow: str) -> bool:
    """Whether ``dataset`` carries ``dimension`` (sector is derivable from the product code)."""
    spec = schema.DATASETS[dataset]
    if dataset == "bcrp_departments" and flow != "X":
        return False
    if dimension in spec.dimensions:
        return True
    return dimension == "sector" and "product" in spec.dimensions


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
        name for name in PREFERENCE if name in loaded and all(provides(name, d, filters.flow) for d in needs)
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
