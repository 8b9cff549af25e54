"""comercio: Peru's foreign-trade statistics, from official sources to published analysis.

The public facade is small on purpose::

    import comercio
    wh = comercio.connect()                                   # ./var or COMERCIO_HOME
    rf = comercio.regional_facts(wh, "2022-11")               # every figure of the regional report
    rf.facts.value("{region_group}.growth", region_group="interior")   # -0.0038…
    table = comercio.indicator(wh, window="ytd:2022-11", grouping="macroregion:mincetur")  # pandas

Facts are read by family and parts, never by parsing ids; ``comercio facts list`` prints the catalogue.
Everything else lives in sub-packages with their own ``__all__`` (``comercio.indicators``,
``comercio.reports``, ``comercio.sources``, ``comercio.synth``); their private ``_modules`` may change freely.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from comercio.config import Settings
from comercio.errors import ComercioError

__version__ = "0.1.0"

if TYPE_CHECKING:
    import pandas as pd

    from comercio.indicators.regional import RegionalFacts
    from comercio.warehouse import Warehouse


def connect(home: str | None = None, *, engine: str | None = None, read_only: bool = True) -> Warehouse:
    """Open the warehouse (read-only by default) in ``home`` or ``COMERCIO_HOME``."""
    from pathlib import Path

    from comercio.warehouse import Warehouse

    overrides: dict[str, Any] = {"engine": engine}
    if home is not None:
        overrides["home"] = Path(home)
    return Warehouse(Settings.from_env(**overrides), read_only=read_only)


def regional_facts(wh: Warehouse, through: str | None = None, **options: Any) -> RegionalFacts:
    """Every figure of the regional report (see :func:`comercio.indicators.regional.regional_facts`)."""
    from comercio.indicators.regional import regional_facts as _regional

    return _regional(wh, through, **options)


def indicator(
    wh: Warehouse,
    *,
    window: str,
    grouping: str = "national",
    flow: str = "X",
    basket: str | None = None,
    compare_years: int | None = 1,
    engine: str | None = None,
) -> pd.DataFrame:
    """Value, growth, share, contribution and rank by member, as a pandas DataFrame.

    ``window`` is ``KIND:YYYY-MM`` (``ytd:2022-11``, ``rolling12:2022-11``, ``month:2022-11``,
    ``year:2022``); ``grouping`` is a dimension with an optional scheme (``macroregion:mincetur``).
    """
    import pandas as pd

    from comercio.indicators import Comparison, Filters, Grouping, compare, parse_window, series

    dim, _, scheme = grouping.partition(":")
    s = series(wh, Grouping(dim, scheme or None), Filters(flow=flow, basket=basket), engine=engine)
    comparison = Comparison(compare_years) if compare_years else None
    result = compare(s, parse_window(window), comparison)
    df = pd.DataFrame([r.as_dict() for r in result.rows])
    df.attrs.update({"dataset": s.dataset, "vintages": list(s.vintages), "synthetic": s.synthetic})
    return df


__all__ = ["ComercioError", "Settings", "__version__", "connect", "indicator", "regional_facts"]
