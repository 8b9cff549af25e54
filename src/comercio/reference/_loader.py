"""Load reference tables from the package's CSV data, check them, and describe them.

Tables are read once per process and cached (Arrow tables are immutable, so sharing them is safe). Besides the
per-cell checks of ``_csv.py`` this module checks what needs several rows: unique keys, HS prefixes no longer
than six digits, and ISO codes that pycountry knows. The public ``countries`` table is ``countries_es.csv``
joined with pycountry for alpha-3, numeric code and English name, so those never drift from ISO 3166.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pycountry

from comercio.errors import ReferenceDataError
from comercio.reference._csv import ParsedFile, read_reference_csv
from comercio.reference._schemas import TABLES

__all__ = ["DATA_DIR", "ReferenceInfo", "info", "load", "names", "parsed"]

DATA_DIR = Path(__file__).resolve().parent / "data"

# Columns whose combination must be unique in each table.
_KEYS: dict[str, tuple[str, ...]] = {
    "departments": ("ubigeo",),
    "macroregions": ("grouping", "department"),
    "customs_offices": ("code",),
    "countries": ("alpha2",),
    "product_groups": ("prefix",),
    "baskets": ("basket", "version", "prefix"),
    "basket_definitions": ("basket", "form", "code"),
    "tariff_versions": ("version",),
    "dimension_members": ("dimension", "code"),
    "wto_economies": ("wto_code",),
    "wto_products": ("code",),
    "sunat_countries": ("spelling",),
}


@dataclass(frozen=True)
class ReferenceInfo:
    """What a reference table is and where it comes from (shown in reports' notes and by the CLI)."""

    name: str
    title: str
    source: str
    notes: str | None
    rows: int
    path: Path


def names() -> list[str]:
    """Names of every reference table, in a stable order."""
    return list(TABLES)


def _spec_or_raise(name: str) -> str:
    if name not in TABLES:
        raise ReferenceDataError(
            f"unknown reference table {name!r}; known tables: {', '.join(TABLES)}", field="name"
        )
    return name


@functools.cache
def parsed(name: str) -> ParsedFile:
    """The checked file behind table ``name`` (metadata, typed table, line numbers)."""
    spec = TABLES[_spec_or_raise(name)]
    result = read_reference_csv(DATA_DIR / spec.file, spec)
    _check_unique(result, _KEYS[name])
    if name == "baskets":
        _check_hs_prefixes(result)
    return result


def _check_unique(result: ParsedFile, key: tuple[str, ...]) -> None:
    seen: dict[tuple[object, ...], int] = {}
    columns = [result.table.column(k).to_pylist() for k in key]
    for i, values in enumerate(zip(*columns, strict=True)):
        line = result.lines[i]
        if values in seen:
            raise ReferenceDataError(
                f"duplicate {'/'.join(key)} {values!r} (first on row {seen[values]})",
                file=result.path,
                row=line,
                column=key[-1],
            )
        seen[values] = line


def _check_hs_prefixes(result: ParsedFile) -> None:
    kinds = result.table.column("classification").to_pylist()
    prefixes = result.table.column("prefix").to_pylist()
    for i, (kind, prefix) in enumerate(zip(kinds, prefixes, strict=True)):
        if kind == "hs" and len(prefix) > 6:
            raise ReferenceDataError(
                f"HS prefix {prefix!r} is longer than 6 digits",
                file=result.path,
                row=result.lines[i],
                column="prefix",
            )


@functools.cache
def load(name: str) -> pa.Table:
    """Reference table ``name`` as typed Arrow (bools as bool, dates as date32, codes as strings)."""
    result = parsed(name)
    if name == "countries":
        return _with_iso(result)
    return result.table


def _with_iso(result: ParsedFile) -> pa.Table:
    """Add alpha3, numeric and name_en from pycountry (unless the row gives its own English name); every ISO
    country must have a row and vice versa."""
    alpha2 = result.table.column("alpha2").to_pylist()
    alpha3: list[str] = []
    numeric: list[str] = []
    name_en: list[str] = []
    given = result.table.column("name_en").to_pylist()
    for i, code in enumerate(alpha2):
        country = pycountry.countries.get(alpha_2=code)
        if country is None:
            raise ReferenceDataError(
                f"{code!r} is not an ISO 3166-1 alpha-2 code known to pycountry",
                file=result.path,
                row=result.lines[i],
                column="alpha2",
            )
        alpha3.append(country.alpha_3)
        numeric.append(country.numeric)
        name_en.append(given[i] or getattr(country, "common_name", None) or country.name)
    missing = sorted({c.alpha_2 for c in pycountry.countries} - set(alpha2))
    if missing:
        raise ReferenceDataError(f"ISO countries without a row: {', '.join(missing)}", file=result.path)
    t = result.table
    return pa.table(
        {
            "alpha2": t.column("alpha2"),
            "alpha3": pa.array(alpha3, pa.string()),
            "numeric": pa.array(numeric, pa.string()),
            "name_en": pa.array(name_en, pa.string()),
            "name_es": t.column("name_es"),
            "continent": t.column("continent"),
            "subcontinent": t.column("subcontinent"),
            "latin_america": t.column("latin_america"),
            "article_en": t.column("article_en"),
        }
    )


def info(name: str) -> ReferenceInfo:
    """Title, source, notes, row count and file of the reference table ``name``."""
    result = parsed(name)
    return ReferenceInfo(
        name=name,
        title=result.meta["title"],
        source=result.meta["source"],
        notes=result.meta.get("notes"),
        rows=result.table.num_rows,
        path=result.path,
    )
