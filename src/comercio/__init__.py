"""comercio: Peru's foreign-trade statistics, from official sources to published analysis.

The public facade is small on purpose::

    import comercio
    wh = comercio.connect()                 # the warehouse in ./var (or COMERCIO_HOME)
    facts = comercio.indicators.regional(wh, through="2022-11")

Everything else lives in sub-packages whose private ``_modules`` may change freely.
"""

from __future__ import annotations

__version__ = "0.1.0"

from comercio.config import Settings
from comercio.errors import ComercioError

__all__ = ["ComercioError", "Settings", "__version__"]
