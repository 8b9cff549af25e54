"""Key indexes ordered by declaration, so a week's correction check reads a few row groups per index.

SUNAT numbers declarations per customs office and year (``OOO-YYYY-NNNNNN``), so the lines of one weekly
file are a few runs of consecutive numbers per office. A *zone* packs flow, office, year and number into one
integer; an index sorted by zone, in row groups of at most ``ROW_GROUP`` lines that never mix two offices or
years, has one run of numbers per row group in its footer, and a new week's keys (their zones) fall into a
few of them: only those row groups are read and their key hashes compared. A vintage's index is zoned
only when every one of its rows has a zone, so a row of it is never missed for lack of one.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROW_GROUP = 4_096
NUMBERS = 100_000_000
"""Declaration numbers per office and year a zone leaves room for (the number is the zone's last part)."""


def zone_sql(keys: Sequence[str]) -> str | None:
    """SQL for the zone of a row (NULL when its declaration is not ``OOO-YYYY-NNNNNNNN``: an office of up to
    three digits, a year, a number of up to eight), or None when ``keys`` are not flow + declaration."""
    if "flow" not in keys or "declaration" not in keys:
        return None
    part = "CAST(split_part(declaration, '-', {}) AS BIGINT)"
    return (
        "CASE WHEN regexp_full_match(declaration, '[0-9]{1,3}-[0-9]{4}-[0-9]{1,8}') THEN "
        "(CASE flow WHEN 'X' THEN 0 WHEN 'M' THEN 1 ELSE 2 END) * 1000000000000000 + "
        f"{part.format(1)} * 1000000000000 + {part.format(2)} * {NUMBERS} + {part.format(3)} END"
    )


def fixed_zones(flow: pa.ChunkedArray, declaration: pa.ChunkedArray) -> np.ndarray | None:
    """The zones :func:`zone_sql` gives lines whose declarations all have one width and their two dashes at
    the same places (SUNAT's files: ``OOO-YYYY-NNNNNN``), read from the bytes; None for any other column
    (nulls, mixed widths or layouts, other characters): the SQL decides those."""
    decl = declaration.combine_chunks()
    if (
        len(decl) == 0
        or decl.null_count
        or flow.null_count
        or decl.type not in (pa.string(), pa.large_string())
    ):
        return None
    wide = np.int64 if decl.type == pa.large_string() else np.int32
    offsets = np.frombuffer(decl.buffers()[1], dtype=wide)[decl.offset : decl.offset + len(decl) + 1]
    width = int(offsets[1] - offsets[0])
    if not 8 <= width <= 17 or bool((np.diff(offsets) != width).any()):
        return None
    data = np.frombuffer(decl.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]].reshape(
        len(decl), width
    )
    dashes = np.flatnonzero(data[0] == ord("-"))
    if len(dashes) != 2:
        return None
    a, b = int(dashes[0]), int(dashes[1])
    if not (1 <= a <= 3 and b - a == 5 and 1 <= width - b - 1 <= 8):
        return None
    digits = np.delete(data, [a, b], axis=1) - np.uint8(ord("0"))  # a byte below "0" wraps above 9
    if not bool((data[:, [a, b]] == ord("-")).all()) or bool((digits > 9).any()):
        return None
    office, year, number = (_number(digits[:, lo:hi]) for lo, hi in ((0, a), (a, a + 4), (a + 4, width - 2)))
    f = flow.combine_chunks()
    code = np.where(pc.equal(f, "X").to_numpy(zero_copy_only=False), 0, 2).astype(np.int64)
    code[pc.equal(f, "M").to_numpy(zero_copy_only=False)] = 1
    return code * 1_000_000_000_000_000 + office * 1_000_000_000_000 + year * NUMBERS + number


def _number(digits: np.ndarray) -> np.ndarray:
    """The numbers whose decimal digits are the rows of ``digits`` (most significant first)."""
    weights = 10 ** np.arange(digits.shape[1] - 1, -1, -1, dtype=np.int64)
    return digits.astype(np.int64) @ weights


def write(index: pa.Table, path: Path) -> None:
    """Write a key index; a zoned one (column ``z``, sorted) in row groups that never mix two offices or
    years (nor flows), so each row group's zone range is one run of declaration numbers."""
    with pq.ParquetWriter(path, index.schema, use_dictionary=False) as writer:  # hashes: all distinct
        if "z" not in index.column_names or index.num_rows == 0:
            writer.write_table(index, row_group_size=ROW_GROUP)
            return
        prefix = index.column("z").to_numpy() // NUMBERS
        starts = [0, *(np.flatnonzero(np.diff(prefix)) + 1).tolist(), index.num_rows]
        for a, b in itertools.pairwise(starts):
            writer.write_table(index.slice(a, b - a), row_group_size=ROW_GROUP)


def matched(indexes: Sequence[Path], zones: np.ndarray, hashes: np.ndarray) -> list[tuple[Path, np.ndarray]]:
    """The zoned ``indexes`` holding one of ``hashes`` (sorted), each with the hashes it holds, reading only
    the row groups whose zone range holds one of ``zones`` (sorted, distinct)."""
    hit = []
    for path in indexes:
        f = pq.ParquetFile(path)
        meta = f.metadata
        column = f.schema_arrow.get_field_index("z")
        stats = [meta.row_group(g).column(column).statistics for g in range(meta.num_row_groups)]
        known = [g for g, st in enumerate(stats) if st is not None and st.has_min_max]
        lows = np.array([stats[g].min for g in known], dtype=zones.dtype)
        highs = np.array([stats[g].max for g in known], dtype=zones.dtype)
        at = np.minimum(np.searchsorted(zones, lows), len(zones) - 1)
        inside = (zones[at] >= lows) & (zones[at] <= highs)
        groups = sorted(
            {g for g, ok in zip(known, inside.tolist(), strict=True) if ok}
            | (set(range(len(stats))) - set(known))
        )
        if not groups:
            continue
        h = f.read_row_groups(groups, columns=["h"]).column("h").to_numpy()
        at = np.minimum(np.searchsorted(hashes, h), len(hashes) - 1)
        held = hashes[at] == h
        if bool(held.any()):
            hit.append((path, h[held]))
    return hit


def years(con: Any, table: str, keys: Sequence[str]) -> dict[int, tuple[int, int] | None]:
    """Per file (``ord`` of ``table``), the first and last declaration year among its rows (None: not every
    key is a declaration with a plausible year)."""
    found = con.execute(
        "SELECT ord, min(TRY_CAST(split_part(declaration, '-', 2) AS INTEGER)), "
        "max(TRY_CAST(split_part(declaration, '-', 2) AS INTEGER)), "
        "count(*) FILTER (WHERE NOT regexp_full_match(coalesce(declaration, ''), '[0-9]+-[0-9]{4}-[0-9]+')) "
        f"FROM {table} GROUP BY ord"
        if "declaration" in keys
        else f"SELECT DISTINCT ord, NULL, NULL, 1 FROM {table}"
    ).fetchall()
    return {int(o): None if unknown else plausible(first, last) for o, first, last, unknown in found}


def plausible(first: int | None, last: int | None) -> tuple[int, int] | None:
    """``(first, last)`` declaration years when both are known and plausible (1900–2199), else None."""
    return None if first is None or last is None or not 1900 <= first <= last <= 2199 else (first, last)


def zoned_years(con: Any, table: str) -> tuple[int, int] | None:
    """The first and last declaration year of ``table``'s rows when every row has a zone (``z``): the
    year is a part of the zone, so no declaration is parsed again."""
    first, last = con.execute(
        f"SELECT min(z // {NUMBERS} % 10000), max(z // {NUMBERS} % 10000) FROM {table}"
    ).fetchall()[0]
    return plausible(None if first is None else int(first), None if last is None else int(last))


__all__ = [
    "NUMBERS",
    "ROW_GROUP",
    "fixed_zones",
    "matched",
    "plausible",
    "write",
    "years",
    "zone_sql",
    "zoned_years",
]
