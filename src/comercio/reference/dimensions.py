"""The dimensions comercio can group and filter by, declared once.

Every place that names a dimension — the indicator specs, the dataset chooser, the engine's cube, the API's
parameters, the dashboard's explorer, the fact catalogue's typed id parts and the member labels of every
surface — reads this table. Adding a dimension is one :class:`Dimension` row here (plus, when its members
come from a new reference table, that table's CSV).

A dimension is either a column of the canonical datasets (``department``, ``customs_office``, ``partner``,
``product``) or derived from one through a reference table (``macroregion`` from ``department``, ``continent``
from ``partner``, ``product_group`` from ``product`` …). ``derive`` says how; the engine compiles each kind
with one function (:data:`comercio.indicators.engine.DERIVE`):

- ``total``: one member, the national total;
- ``column``: the ``needs`` column itself;
- ``prefix``: its first ``attribute`` characters (``hs6`` from ``product``);
- ``attribute``: the ``attribute`` column of the ``needs`` dimension's reference table (``region_group`` of a
  department);
- ``continent``: the same, where the grouping's scheme may name another column (``subcontinent``);
- ``macroregion``: this dimension's own table, rows of the grouping's scheme, keyed by the ``needs`` column;
- ``classifier``: the product-group classifier (longest matching prefix);
- ``sector``: the basket path (of classified lines, or of a published tree), cut at the grouping's level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from comercio.errors import ConfigError
from comercio.reference._loader import load

Derive = Literal["total", "column", "prefix", "attribute", "macroregion", "continent", "classifier", "sector"]
LANGS = ("es", "en")


@dataclass(frozen=True)
class Labels:
    """Where a dimension's member names live: a reference table, its code column, a column per language."""

    table: str
    code: str
    es: str
    en: str
    where: tuple[tuple[str, str], ...] = ()  # (column, value) filters, e.g. one macroregion grouping


@dataclass(frozen=True)
class Dimension:
    """One dimension: its name, what raw column it needs, how members are derived, and how they read."""

    name: str
    label_es: str
    label_en: str
    needs: str | None  # the raw dataset column it is computed from (None: the national total)
    derive: Derive
    pattern: str  # regular expression a member code must match (typed parts of fact ids, API filters)
    labels: Labels | None = None
    attribute: str | None = None  # "attribute"/"continent": a column of the ``needs`` dimension's reference
    # table (a grouping's scheme names another one for "continent"); "prefix": the code length
    scheme: str | None = None  # the scheme used when a grouping names none (macroregion: mincetur)
    on_demand: bool = False  # its column multiplies a cube's size: kept only when a question needs it
    explorer: bool = False  # offered as a grouping in the dashboard's explorer
    api: bool = True  # accepted as ``grouping`` by the API

    def label(self, lang: str) -> str:
        return self.label_es if lang == "es" else self.label_en

    def matches(self, code: str) -> bool:
        return re.fullmatch(self.pattern, code) is not None


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("national", "Total nacional", "National total", None, "total", r"__total__|national|peru"),
    Dimension(
        "department",
        "Departamento",
        "Department",
        "department",
        "column",
        r"\d{2}",
        Labels("departments", "ubigeo", "name", "name_en"),
        explorer=True,
    ),
    Dimension(
        "region_group",
        "Interior / Lima y Callao",
        "Interior / Lima and Callao",
        "department",
        "attribute",
        r"interior|lima_callao|no_registrado",
        Labels("dimension_members", "code", "name_es", "name_en", (("dimension", "region_group"),)),
        attribute="region_group",
        explorer=True,
    ),
    Dimension(
        "macroregion",
        "Macrorregión",
        "Macroregion",
        "department",
        "macroregion",
        r"[a-z_]+",
        Labels("macroregions", "macroregion", "label_es", "label_en"),
        scheme="mincetur",
        explorer=True,
    ),
    Dimension(
        "natural_region",
        "Región natural",
        "Natural region",
        "department",
        "attribute",
        r"costa|sierra|selva",
        Labels("dimension_members", "code", "name_es", "name_en", (("dimension", "natural_region"),)),
        attribute="natural_region",
        explorer=True,
    ),
    Dimension(
        "customs_office",
        "Aduana",
        "Customs office",
        "customs_office",
        "column",
        r"\d{3}",
        Labels("customs_offices", "code", "name", "name"),
    ),
    Dimension(
        "partner",
        "País",
        "Country",
        "partner",
        "column",
        r"[A-Z]{2}|[A-Z]{3}",
        Labels("countries", "alpha2", "name_es", "name_en"),
        on_demand=True,
    ),
    Dimension(
        "continent",
        "Continente",
        "Continent",
        "partner",
        "continent",
        r"[a-z_]+",
        Labels("dimension_members", "code", "name_es", "name_en", (("dimension", "continent"),)),
        attribute="continent",
    ),
    Dimension("sector", "Sector", "Sector", "sector", "sector", r".+"),
    Dimension("product", "Subpartida nacional", "National tariff line", "product", "column", r"\d{10}"),
    Dimension(
        "product_group",
        "Grupo de productos",
        "Product group",
        "product",
        "classifier",
        r"[a-z0-9_]+",
        Labels("product_groups", "group", "name_es", "name_en"),
    ),
    Dimension("hs6", "Subpartida SA", "HS subheading", "product", "prefix", r"\d{6}", attribute="6"),
)
BY_NAME: dict[str, Dimension] = {d.name: d for d in DIMENSIONS}
NAMES: tuple[str, ...] = tuple(BY_NAME)


def dimension(name: str) -> Dimension:
    """The declared dimension ``name``; a clear error listing the known ones otherwise."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ConfigError(
            f"unknown dimension {name!r}; choose one of {', '.join(NAMES)}", field="dimension"
        ) from None


@cache
def member_names(name: str, lang: str) -> dict[str, str]:
    """Code → member name in ``lang`` for a dimension with a reference table (empty dict otherwise)."""
    if lang not in LANGS:
        raise ConfigError(f"unsupported language {lang!r}; use one of {LANGS}", field="lang")
    d = dimension(name)
    if d.labels is None:
        return {}
    spec = d.labels
    column = spec.es if lang == "es" else spec.en
    out: dict[str, str] = {}
    for row in load(spec.table).to_pylist():
        if any(str(row.get(k)) != v for k, v in spec.where):
            continue
        code = str(row[spec.code])
        out.setdefault(code, str(row.get(column) or row.get(spec.es) or code))
    return out


def label(name: str, code: str | None, lang: str = "es") -> str:
    """The name of one member in ``lang`` (``15`` → ``Lima``; ``costa`` → ``coast``), else the code itself."""
    if code is None:
        return ""
    if name == "national":
        return "Perú" if lang == "es" else "Peru"
    if name == "sector":
        return code.split(" > ")[-1].strip()
    return member_names(name, lang).get(code, code)
