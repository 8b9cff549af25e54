"""Member names of a result's label columns, in the query's language.

Dimensions with a reference table name their members through :func:`comercio.reference.dimensions.label`;
product codes (HS chapters, headings, subheadings and national lines) through the product entries search
reads (``ref_hs2022`` and ``ref_nandina`` of the warehouse, and the product groups): a national 10-digit line
takes the name of its NANDINA 8-digit code, else of its subheading. A code with no name keeps the code.
"""

from __future__ import annotations

from collections.abc import Callable

from comercio.i18n import t
from comercio.reference.dimensions import label
from comercio.warehouse import Warehouse

PRODUCT_LEVELS = ("hs2", "hs4", "hs6", "product")


def labeller(wh: Warehouse, dim: str, lang: str) -> Callable[[str | None], str]:
    """code → name in ``lang`` for members of ``dim`` (cached per code); None (unattributed) is named too."""
    names = _product_names(wh, lang) if dim in PRODUCT_LEVELS else None
    seen: dict[str | None, str] = {}

    def name(code: str | None) -> str:
        if code not in seen:
            if code is None:
                seen[code] = t("query_run.unattributed", lang)
            elif names is not None:
                found = (names.get(code[:n]) for n in (len(code), 8, 6) if len(code) >= n)
                seen[code] = next((f for f in found if f), code)
            else:
                seen[code] = label(dim, code, lang)
        return seen[code]

    return name


def _product_names(wh: Warehouse, lang: str) -> dict[str, str]:
    from comercio.query.search import names

    return names("product", lang, wh)
