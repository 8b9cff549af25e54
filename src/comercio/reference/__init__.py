"""Reference classifications as package data: departments, macroregions, customs offices, countries,
product groups, product baskets and tariff versions.

Each table is a CSV in ``data/`` whose first lines say what it is and which published source every row can be
traced to; ``info(name)`` returns that. Logic lives in the private modules; this facade is the contract.
"""

from __future__ import annotations

from comercio.reference._baskets import (
    BasketForm,
    basket_forms,
    basket_names,
    basket_studies,
    classify,
    group_form,
    normalize_codes,
    path_name,
    product_group,
)
from comercio.reference._loader import ReferenceInfo, info, load, names
from comercio.reference._tariff import hs6, tariff_version
from comercio.reference.boundaries import boundaries
from comercio.reference.labels import display_label, display_path

__all__ = [
    "BasketForm",
    "ReferenceInfo",
    "basket_forms",
    "basket_names",
    "basket_studies",
    "boundaries",
    "classify",
    "display_label",
    "display_path",
    "group_form",
    "hs6",
    "info",
    "load",
    "names",
    "normalize_codes",
    "path_name",
    "product_group",
    "tariff_version",
]
