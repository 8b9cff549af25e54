"""Column specifications of the reference CSV files.

Each table is described once here: the CSV file it lives in, its exact header, and for every column the Arrow
type it loads as plus what a valid cell looks like. The reader (``_csv.py``) checks every cell against these
specs, so a typo in package data fails loudly with file, row and column instead of leaking into a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyarrow as pa

__all__ = ["TABLES", "ColumnSpec", "TableSpec"]


@dataclass(frozen=True)
class ColumnSpec:
    """One CSV column: Arrow type, optional full-match pattern or closed set, and whether it may be empty."""

    name: str
    type: pa.DataType = field(default_factory=pa.string)
    pattern: str | None = None
    choices: frozenset[str] | None = None
    required: bool = True

    def check(self, value: str) -> str | None:
        """Return the reason the (non-empty) cell is invalid, or None when it is valid."""
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            return f"value {value!r} does not match {self.pattern!r}"
        if self.choices is not None and value not in self.choices:
            return f"value {value!r} is not one of {sorted(self.choices)}"
        return None


@dataclass(frozen=True)
class TableSpec:
    """A reference table: its public name, the CSV file that holds it and its columns in header order."""

    name: str
    file: str
    columns: tuple[ColumnSpec, ...]

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]


_c = ColumnSpec


_BOOL = pa.bool_()
_DATE = pa.date32()
_SLUG = r"[a-z][a-z0-9_]*"
_DEPT = r"\d{2}"

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "departments",
            "departments.csv",
            (
                _c("ubigeo", pattern=_DEPT),
                _c("name"),
                _c("name_en"),
                _c("key", pattern=_SLUG),
                _c("geo_name", pattern=r"[A-Z ]+", required=False),
                _c("bcrp_name"),
                _c("interior", type=_BOOL),
                _c("lima_callao", type=_BOOL),
                _c("natural_region", choices=frozenset({"costa", "sierra", "selva"}), required=False),
                _c("region_group", choices=frozenset({"interior", "lima_callao", "no_registrado"})),
            ),
        ),
        TableSpec(
            "macroregions",
            "macroregions.csv",
            (
                _c("grouping", pattern=_SLUG),
                _c("macroregion", pattern=_SLUG),
                _c("label_es"),
                _c("label_en"),
                _c("department", pattern=_DEPT),
            ),
        ),
        TableSpec(
            "customs_offices",
            "customs_offices.csv",
            (
                _c("code", pattern=r"\d{3}"),
                _c("name"),
                _c("name_prose_es"),
                _c(
                    "kind",
                    choices=frozenset({"maritime", "air", "land", "river", "lake", "postal", "inland"}),
                ),
                _c("department", pattern=_DEPT),
                _c("valid_from", type=_DATE, required=False),
                _c("valid_to", type=_DATE, required=False),
            ),
        ),
        TableSpec(
            "countries",
            "countries_es.csv",
            (
                _c("alpha2", pattern=r"[A-Z]{2}"),
                _c("name_es"),
                _c(
                    "continent",
                    choices=frozenset({"africa", "america", "asia", "europe", "oceania", "antarctica"}),
                ),
                _c("subcontinent", pattern=_SLUG),
                _c("latin_america", type=_BOOL),
                _c("name_en", required=False),
                _c("article_en", choices=frozenset({"the"}), required=False),
            ),
        ),
        TableSpec(
            "product_groups",
            "product_groups.csv",
            (
                _c("group", pattern=_SLUG),
                _c("name_es"),
                _c("name_en"),
                _c("prefix", pattern=r"\d{2,10}"),
                _c("category", choices=frozenset({"mining", "agro", "fishing", "oil_gas", "other"})),
            ),
        ),
        TableSpec(
            "baskets",
            "baskets.csv",
            (
                _c("basket", pattern=_SLUG),
                _c("version", pattern=r"[0-9A-Za-z._-]+"),
                _c("path", required=False),
                _c("prefix", pattern=r"\d{2,10}"),
                _c("classification", choices=frozenset({"nandina", "hs"})),
                _c("path_en", required=False),  # the path in English (empty with an empty path)
            ),
        ),
        TableSpec(
            "basket_definitions",
            "basket_definitions.csv",
            (
                _c("basket", pattern=_SLUG),
                _c("form", choices=frozenset({"g1", "wto", "hs", "f1"})),
                _c("role", choices=frozenset({"group", "subsector", "export_lines", "context"})),
                _c("code", pattern=r"[A-Za-z0-9_]+"),
                _c("name_es"),
                _c("name_en"),
                _c("definition_es"),
                _c("definition_en"),
                _c("source_es"),
                _c("source_en"),
            ),
        ),
        TableSpec(
            "dimension_members",
            "dimension_members.csv",
            (
                _c("dimension", pattern=_SLUG),
                _c("code", pattern=rf"{_SLUG}|[A-Z]{{2}}|\d"),  # partners: ISO-style codes; transport modes
                _c("name_es"),
                _c("name_en"),
            ),
        ),
        TableSpec(
            "tariff_versions",
            "tariff_versions.csv",
            (
                _c("version", pattern=r"\d{4}"),
                _c("legal_basis"),
                _c("in_force_from", type=_DATE),
                _c("subpartidas", type=pa.int32(), pattern=r"\d+"),
            ),
        ),
        TableSpec(
            "wto_economies",
            "wto_economies.csv",
            (
                _c("wto_code", pattern=r"\d{3}|[A-Z]{3}"),
                _c("wto_iso3a", pattern=r"[A-Z]{3}", required=False),
                _c("reporter", pattern=r"[A-Z]{3}|R(\d{3}|[A-Z]{3})|F\d{3}"),
                _c("kind", choices=frozenset({"world", "region", "economy", "former"})),
                _c("name_en"),
                _c("note", required=False),
            ),
        ),
        TableSpec(
            "wto_products",
            "wto_products.csv",
            (
                _c("code", pattern=r"[A-Z]{2,8}"),
                _c("parent", pattern=r"[A-Z]{2,8}", required=False),
                _c("name_en"),
                _c("name_es"),
                _c("sitc", required=False),
            ),
        ),
        TableSpec(
            "sunat_countries",
            "sunat_countries.csv",
            (
                _c("spelling"),
                _c("alpha2", pattern=r"[A-Z]{2}"),
                _c("kind", choices=frozenset({"country", "former", "other"})),
                _c("seen_in", required=False),
                _c("note", required=False),
            ),
        ),
    )
}
