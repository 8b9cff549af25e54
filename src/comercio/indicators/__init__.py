"""Indicators: frozen specs compiled to Ibis expressions, and the facts they publish.

The public names are the imports below (``__all__``); each loads its module on first use, so importing the
package does not import Ibis. Private ``_modules`` and module internals may change freely.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comercio._lazy import facade

if TYPE_CHECKING:
    from comercio.indicators.engine import Series as Series
    from comercio.indicators.engine import series as series
    from comercio.indicators.facts import Fact as Fact
    from comercio.indicators.facts import FactError as FactError
    from comercio.indicators.facts import FactSet as FactSet
    from comercio.indicators.facts import Family as Family
    from comercio.indicators.facts import catalogue as catalogue
    from comercio.indicators.facts import catalogue_markdown as catalogue_markdown
    from comercio.indicators.facts import family as family
    from comercio.indicators.facts import make as make
    from comercio.indicators.measures import WindowResult as WindowResult
    from comercio.indicators.measures import compare as compare
    from comercio.indicators.regional import regional_facts as regional_facts
    from comercio.indicators.regional_result import RegionalFacts as RegionalFacts
    from comercio.indicators.sector import SectorFacts as SectorFacts
    from comercio.indicators.sector import sector_facts as sector_facts
    from comercio.indicators.specs import Comparison as Comparison
    from comercio.indicators.specs import Filters as Filters
    from comercio.indicators.specs import Grouping as Grouping
    from comercio.indicators.specs import Spec as Spec
    from comercio.indicators.specs import Window as Window
    from comercio.indicators.specs import parse_window as parse_window

__getattr__, __dir__, __all__ = facade(__name__, __file__)
