"""Indicators: frozen specs compiled to Ibis expressions, and the facts they publish.

The public names are listed in ``__all__``; each loads its module on first use (Ibis is not imported until
something is computed). Private ``_modules`` and module internals may change freely.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comercio._lazy import attach

if TYPE_CHECKING:
    from comercio.indicators.engine import Series, series
    from comercio.indicators.facts import (
        Fact,
        FactError,
        FactSet,
        Family,
        catalogue,
        catalogue_markdown,
        family,
        make,
    )
    from comercio.indicators.measures import WindowResult, compare
    from comercio.indicators.regional import RegionalFacts, regional_facts
    from comercio.indicators.sector import SectorFacts, sector_facts
    from comercio.indicators.specs import Comparison, Filters, Grouping, Spec, Window, parse_window

__getattr__, __dir__ = attach(
    __name__,
    {
        "engine": ("Series", "series"),
        "facts": (
            "Fact",
            "FactError",
            "FactSet",
            "Family",
            "catalogue",
            "catalogue_markdown",
            "family",
            "make",
        ),
        "measures": ("WindowResult", "compare"),
        "regional": ("RegionalFacts", "regional_facts"),
        "sector": ("SectorFacts", "sector_facts"),
        "specs": ("Comparison", "Filters", "Grouping", "Spec", "Window", "parse_window"),
    },
)

__all__ = [
    "Comparison",
    "Fact",
    "FactError",
    "FactSet",
    "Family",
    "Filters",
    "Grouping",
    "RegionalFacts",
    "SectorFacts",
    "Series",
    "Spec",
    "Window",
    "WindowResult",
    "catalogue",
    "catalogue_markdown",
    "compare",
    "family",
    "make",
    "parse_window",
    "regional_facts",
    "sector_facts",
    "series",
]
