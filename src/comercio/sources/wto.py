"""Read WTO merchandise values (exports and imports by SITC Rev. 3 product group) into ``wto_merchandise``.

WTO serves the same table four ways (bulk zipped CSV, the mirror's Parquet copy, the query tool's CSV and the
time-series API JSON); :mod:`comercio.sources._wto_layouts` finds the columns by name. This module turns the
records into canonical rows, one per (flow, year, reporter, product group), value in US$ (WTO publishes
millions):

* indicator ``ITS_MTV_AX`` → flow ``X``, ``ITS_MTV_AM`` → ``M``; any other indicator is an error;
* reporters through ``reference/data/wto_economies.csv``: WTO codes to alpha-3 (CHT → TWN, ROM → ROU), World
  ``000`` → ``WLD``, regions ``R<code>`` (EEC → EUN), former economies (BLX, SCG, …) kept with
  ``reporter_kind`` ``former`` and named in the ingest notes as outside continent sums; an unknown code is an
  error;
* product groups must be listed in ``reference/data/wto_products.csv``: an unknown code is an error (we chose
  an error over an exclusion: a new WTO group must be named before it is stored);
* only partner World (``000``) rows are stored (the grain has no partner); other partners (the EU's
  extra-EU rows) are excluded and reported with their count;
* a value that is empty, text (``"12 E"``: flags belong in the flag column), NaN, infinite or negative, a
  year outside 1948..this year, or a duplicated (indicator, reporter, product, year): an error naming file,
  row (or record) and column. Nothing is loaded then.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from comercio import reference
from comercio.errors import ReferenceDataError, ValidationError
from comercio.sources._wto_api import JOINED as API_FILE
from comercio.sources._wto_api import KEY_ENV as API_KEY_ENV
from comercio.sources._wto_api import fetch_api
from comercio.sources._wto_layouts import RawRows, read_raw
from comercio.sources.protocol import Part, Reader, ReadOptions, ReadResult, fixed
from comercio.warehouse.schema import WTO_MERCHANDISE

INDICATORS = {"ITS_MTV_AX": "X", "ITS_MTV_AM": "M"}
WORLD_PARTNER = "000"
FIRST_YEAR = 1948
MILLION = 1e6
MAX_MILLIONS = 1e8  # US$ 100 trillion: four times World total merchandise exports of 2023
SLICE = "merchandise_values"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_FLAG = re.compile(r"[A-Za-z]{1,4}")


@dataclass(frozen=True)
class Economy:
    """A WTO reporter as stored: code, kind and the ISO3A WTO prints for it (``None`` when none)."""

    reporter: str
    kind: str
    iso3a: str | None


@functools.cache
def economies() -> dict[str, Economy]:
    """WTO reporter code → :class:`Economy`, from ``wto_economies.csv`` (each stored code used once)."""
    table = reference.load("wto_economies")
    out: dict[str, Economy] = {}
    owners: dict[str, str] = {}
    for row in table.to_pylist():
        if row["reporter"] in owners:
            raise ReferenceDataError(
                f"reporter {row['reporter']!r} is given to WTO codes {owners[row['reporter']]} and "
                f"{row['wto_code']}",
                file=reference.info("wto_economies").path.name,
                column="reporter",
            )
        owners[row["reporter"]] = row["wto_code"]
        out[row["wto_code"]] = Economy(row["reporter"], row["kind"], row["wto_iso3a"])
    return out


@functools.cache
def product_codes() -> frozenset[str]:
    """The WTO product groups comercio knows (``wto_products.csv``)."""
    return frozenset(reference.load("wto_products").column("code").to_pylist())


def _code(value: str | None) -> str:
    """A WTO code as published, normalised: trimmed, upper case, numeric codes padded to 3 digits."""
    text = (value or "").strip().upper()
    return text.zfill(3) if text.isdigit() else text


@dataclass(frozen=True)
class WtoResult:
    """One WTO file read: canonical rows, the layout, and what was set aside or flagged."""

    table: pa.Table
    layout: str
    excluded_partners: dict[str, int]
    former: dict[str, tuple[int, int]]


def read_wto(path: Path) -> WtoResult:
    """Read a WTO merchandise-values file in any of its layouts into ``wto_merchandise`` rows."""
    path = Path(path)
    raw = read_raw(path)
    if raw.table.num_rows == 0:
        raise ValidationError("no records: the file has its columns but no rows", file=raw.file)
    years = _years(raw)
    values = _numbers(raw, "value")
    codes = {f: [_code(v) for v in raw.table.column(f).to_pylist()] for f in ("indicator", "partner")}
    flows = _flows(raw, codes["indicator"])
    products = _products(raw)
    reporters, kinds = _reporters(raw)
    flags = _flags(raw)
    keep = [p == WORLD_PARTNER for p in codes["partner"]]
    if "" in codes["partner"]:
        raise _fail(raw, "partner", codes["partner"].index(""), "empty partner code")
    excluded = Counter(p for p, k in zip(codes["partner"], keep, strict=True) if not k)
    _no_duplicates(raw, keep, flows, years, reporters, products)
    mask = pa.array(keep)
    kept = int(sum(keep))
    table = pa.table(
        {
            "flow": pa.array(flows, pa.string()).filter(mask),
            "year": pa.array(years, pa.int32()).filter(mask),
            "reporter": pa.array(reporters, pa.string()).filter(mask),
            "reporter_kind": pa.array(kinds, pa.string()).filter(mask),
            "product_group": pa.array(products, pa.string()).filter(mask),
            "value_usd": pc.round(pc.multiply(values, MILLION), 2).filter(mask),
            "flag": pa.array(flags, pa.string()).filter(mask),
            "synthetic": pa.array([False] * kept, pa.bool_()),
            "source": pa.array([path.name] * kept, pa.string()),
        }
    )
    if kept == 0:
        raise ValidationError(
            f"no partner World ({WORLD_PARTNER}) records; the file holds partners "
            f"{', '.join(sorted(excluded))}",
            file=raw.file,
            column=raw.column_name("partner"),
        )
    _whole_table(raw, flows, reporters, keep)
    former: dict[str, tuple[int, int]] = {}
    for rep, kind, year, k in zip(reporters, kinds, years, keep, strict=True):
        if k and kind == "former":
            lo, hi = former.get(rep, (year, year))
            former[rep] = (min(lo, year), max(hi, year))
    return WtoResult(WTO_MERCHANDISE.conform(table, file=raw.file), raw.layout.name, dict(excluded), former)


def _whole_table(raw: RawRows, flows: list[str], reporters: list[str], keep: list[bool]) -> None:
    """The file must be WTO's whole table: World rows of both flows (it replaces the stored table)."""
    world = {f for f, r, k in zip(flows, reporters, keep, strict=True) if k and r == "WLD"}
    missing = [name for flow, name in (("X", "exports"), ("M", "imports")) if flow not in world]
    if missing:
        raise ValidationError(
            f"no World (000) rows for {' and '.join(missing)}: an extract, not WTO's whole table, would "
            "replace the stored one",
            file=raw.file,
            column=raw.column_name("reporter"),
            hint="download every reporter and both indicators (ITS_MTV_AX and ITS_MTV_AM)",
        )


def _fail(raw: RawRows, field: str, index: int, reason: str) -> ValidationError:
    return ValidationError(reason, file=raw.file, column=raw.column_name(field), **raw.where(index))


def _numbers(raw: RawRows, field: str) -> pa.Array:
    """A numeric column as float64: empty, text, NaN, infinite or negative cells are errors."""
    col = raw.table.column(field).combine_chunks()
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        text = pc.utf8_trim_whitespace(col)
        bad = pc.invert(pc.fill_null(pc.match_substring_regex(text, _NUMBER), True))
        if pc.any(bad).as_py():
            i = pc.index(bad, True).as_py()
            cell = text[i].as_py()
            if not cell:
                raise _fail(raw, field, i, f"empty {field}")
            hint = " (flags belong in the flag column)" if field == "value" else ""
            raise _fail(raw, field, i, f"{field} {cell!r} is not a number{hint}")
        col = pc.cast(text, pa.float64())
    else:
        col = pc.cast(col, pa.float64())
    if col.null_count:
        raise _fail(raw, field, pc.index(pc.is_null(col), True).as_py(), f"empty {field}")
    finite = pc.is_finite(col)
    if not pc.all(finite).as_py():
        i = pc.index(finite, False).as_py()
        raise _fail(raw, field, i, f"{field} {col[i].as_py()!r} is not a finite number")
    negative = pc.less(col, 0)
    if pc.any(negative).as_py():
        i = pc.index(negative, True).as_py()
        raise _fail(raw, field, i, f"negative {field} {col[i].as_py()!r}")
    if field == "value":
        huge = pc.greater(col, MAX_MILLIONS)
        if pc.any(huge).as_py():
            i = pc.index(huge, True).as_py()
            raise _fail(
                raw,
                field,
                i,
                f"value {col[i].as_py():g} million US$ is implausible (more than {MAX_MILLIONS:g})",
            )
    return col


def _years(raw: RawRows) -> list[int]:
    years = _numbers(raw, "year")
    whole = pc.equal(years, pc.floor(years))
    if not pc.all(whole).as_py():
        i = pc.index(whole, False).as_py()
        raise _fail(raw, "year", i, f"year {years[i].as_py()!r} is not a whole year")
    last = date.today().year
    inside = pc.and_(pc.greater_equal(years, FIRST_YEAR), pc.less_equal(years, last))
    if not pc.all(inside).as_py():
        i = pc.index(inside, False).as_py()
        raise _fail(raw, "year", i, f"year {int(years[i].as_py())} is outside {FIRST_YEAR}..{last}")
    return [int(y) for y in years.to_pylist()]


def _flows(raw: RawRows, indicators: list[str]) -> list[str]:
    flows: list[str] = []
    for i, code in enumerate(indicators):
        flow = INDICATORS.get(code)
        if flow is None:
            raise _fail(
                raw,
                "indicator",
                i,
                f"indicator {code!r} is not merchandise values by product group "
                f"(expected {' or '.join(INDICATORS)})",
            )
        flows.append(flow)
    return flows


def _products(raw: RawRows) -> list[str]:
    known = product_codes()
    products = [(p or "").strip().upper() for p in raw.table.column("product").to_pylist()]
    for i, p in enumerate(products):
        if p not in known:
            raise _fail(
                raw,
                "product",
                i,
                f"unknown WTO product code {p!r} (known: {', '.join(sorted(known))}; a new WTO group must be "
                "added to reference/data/wto_products.csv before it is loaded)",
            )
    return products


def _reporters(raw: RawRows) -> tuple[list[str], list[str]]:
    known = economies()
    reporters: list[str] = []
    kinds: list[str] = []
    iso = raw.table.column("reporter_iso3a").to_pylist()
    for i, value in enumerate(raw.table.column("reporter").to_pylist()):
        economy = known.get(_code(value))
        if economy is None:
            raise _fail(
                raw,
                "reporter",
                i,
                f"unknown WTO reporter code {_code(value)!r} (add it to reference/data/wto_economies.csv)",
            )
        given = (iso[i] or "").strip().upper()
        if given and economy.iso3a and given != economy.iso3a:
            raise _fail(
                raw,
                "reporter_iso3a",
                i,
                f"ISO3A {given!r} does not match WTO reporter {_code(value)!r} ({economy.iso3a})",
            )
        reporters.append(economy.reporter)
        kinds.append(economy.kind)
    return reporters, kinds


def _flags(raw: RawRows) -> list[str | None]:
    flags: list[str | None] = []
    for i, value in enumerate(raw.table.column("flag").to_pylist()):
        text = (value or "").strip()
        if text and not _FLAG.fullmatch(text):
            raise _fail(raw, "flag", i, f"value flag {text!r} is not a WTO flag code (such as E or B)")
        flags.append(text.upper() or None)
    return flags


def _no_duplicates(
    raw: RawRows,
    keep: list[bool],
    flows: list[str],
    years: list[int],
    reporters: list[str],
    products: list[str],
) -> None:
    seen: dict[tuple[str, int, str, str], int] = {}
    for i, key in enumerate(zip(flows, years, reporters, products, strict=True)):
        if not keep[i]:
            continue
        first = seen.setdefault(key, i)
        if first != i:
            where = raw.where(first)
            raise _fail(
                raw,
                "reporter",
                i,
                f"duplicated reporter-year-product-indicator: {reporters[i]} {years[i]} {products[i]} "
                f"flow {flows[i]} is also on {raw.unit} {next(iter(where.values()))}",
            )


def read(path: Path, options: ReadOptions) -> ReadResult:
    """The ingest protocol: ``wto_merchandise`` rows, with exclusions and former economies noted."""
    result = read_wto(path)
    notes: list[str] = []
    if result.excluded_partners:
        parts = ", ".join(f"{p} ({n} rows)" for p, n in sorted(result.excluded_partners.items()))
        notes.append(f"{Path(path).name}: not stored (the dataset is partner World only): partners {parts}")
    if result.former:
        spans = ", ".join(f"{r} {a}-{b}" for r, (a, b) in sorted(result.former.items()))
        notes.append(
            f"{Path(path).name}: former economies stored with reporter_kind 'former', outside continent "
            f"sums: {spans}"
        )
    years = result.table.column("year")
    extra: dict[str, Any] = {
        "layout": result.layout,
        "rows": result.table.num_rows,
        "years": [pc.min(years).as_py(), pc.max(years).as_py()],
        "excluded_partners": result.excluded_partners,
        "former_economies": {r: list(span) for r, span in result.former.items()},
    }
    return ReadResult((Part(WTO_MERCHANDISE.name, SLICE, result.table),), extra=extra, notes=tuple(notes))


READER = Reader(
    read=read,
    targets=fixed((WTO_MERCHANDISE.name, SLICE)),
    files=(
        "a WTO merchandise-values file: the bulk download (zipped CSV), its Parquet copy, the WTO Stats "
        "query tool's CSV or a time-series API JSON"
    ),
)

__all__ = [
    "API_FILE",
    "API_KEY_ENV",
    "INDICATORS",
    "READER",
    "SLICE",
    "WtoResult",
    "economies",
    "fetch_api",
    "product_codes",
    "read",
    "read_wto",
]
