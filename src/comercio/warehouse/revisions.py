"""Corrections across slices: the latest file wins (docs/decisions/0017-weekly-microdata-archive.md §4).

A dataset whose spec declares ``revision_key`` (customs lines: flow, declaration, series) may receive the same
key in several slices: a declaration line corrected in a later weekly file. When a slice is loaded, the loader
compares its keys with the current vintages of the *other* slices (:func:`find`): of two rows with one key,
the one with the older ``file_date`` is superseded (ties: the smaller ``source``; a null ``file_date`` is the
oldest). The superseded rows are written inside the new vintage, under ``revisions/`` (data globs,
``*.parquet`` at the vintage's top level, never see them), before the vintage is committed: lines and their
corrections arrive atomically. Each record holds the key, the superseded row's ``source``, ``file_date`` and
``value_usd``, the same three of the row replacing it (``by_*``), and ``late``: the new file's own row was
already superseded by a later file loaded before it. Beside them, ``keys/`` holds the vintage's key index
(:func:`revise`: one hash per line; its declaration years go in the provenance), so a later load reads only
the indexes of vintages of the same years, and the lines of those whose hashes match: its cost does not
grow with the archive.

The gateway leaves out every (key, source) listed by a current vintage (:func:`without_superseded`), and
gives lines without a producer UBIGEO the department of the user's ``exporter_regions`` table
(:func:`attribute`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import ibis
import ibis.expr.types as ir

from comercio.warehouse.contracts import scratch

DIRECTORY = "revisions"
"""The subfolder of a vintage holding the rows it supersedes."""
INDEX = "keys"
"""The subfolder of a vintage holding its key index (:func:`index`)."""

_OLDEST = "DATE '0001-01-01'"


@dataclass(frozen=True)
class Summary:
    """What one load's corrections did.

    revised: lines of the new file that replace a line of an earlier file.
    moved_usd: the value those lines add to totals (new value − the value of the line each replaces).
    moved_abs_usd: the same, in absolute value (a correction up and one down do not cancel).
    late: lines of the new file already superseded by a later file loaded before it.
    rows: records written (an earlier line replaced twice over is listed for each file holding it).
    """

    revised: int
    moved_usd: float
    moved_abs_usd: float
    late: int
    rows: int

    def as_extra(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "revised_lines": self.revised,
            "value_moved_usd": round(self.moved_usd, 2),
            "value_moved_abs_usd": round(self.moved_abs_usd, 2),
            "late_lines": self.late,
        }


def phrases(found: Summary | dict[str, Any] | None) -> list[str]:
    """What a load's corrections did, one phrase each (none when it revised nothing)."""
    if isinstance(found, Summary):
        found = found.as_extra()
    if not isinstance(found, dict) or not found.get("rows"):
        return []
    out = []
    if found.get("revised_lines"):
        moved = float(found.get("value_moved_usd", 0.0))
        out.append(f"{found['revised_lines']:,} lines correct earlier files (value moved {moved:+,.2f} US$)")
    if found.get("late_lines"):
        out.append(f"{found['late_lines']:,} lines already corrected by later files (left out)")
    return out


def count(extra: dict[str, Any]) -> int:
    """Records a vintage's provenance says it holds (0: none)."""
    found = extra.get("revisions")
    return int(found.get("rows", 0)) if isinstance(found, dict) else 0


def files(directory: Path) -> list[Path]:
    """The record files of a vintage directory."""
    return sorted((directory / DIRECTORY).glob("*.parquet"))


def _eq(a: str, b: str, keys: Sequence[str]) -> str:
    return " AND ".join(f'{a}."{k}" = {b}."{k}"' for k in keys)


def _hash(keys: Sequence[str]) -> str:
    return "hash(" + ", ".join(f'"{k}"' for k in keys) + ")"


def _probe(con: Any, keys: Sequence[str]) -> int:
    """DuckDB's hash of one fixed key of the new rows' types (table ``n``): an index written by a DuckDB
    whose ``hash()`` differs is not used."""
    types = {r[0]: r[1] for r in con.execute("DESCRIBE n").fetchall()}
    probe = ", ".join(f"CAST('1' AS {types[k]})" for k in keys)
    return int(con.execute(f"SELECT hash({probe})").fetchall()[0][0])


def _known(keys: Sequence[str]) -> str:
    return " AND ".join(f'"{k}" IS NOT NULL' for k in keys)


class Other(NamedTuple):
    """A current vintage of another slice: its data files (or directory), the last day its file covers
    (when known), and what its key index recorded (:func:`revise`; None: written before indexes): the index
    file, the declaration years it covers (None: unknown, always read) and the hash probe it was written
    with."""

    files: Sequence[Path] | Path  # a directory: its *.parquet, listed only when read
    end: date | None = None
    keyed: Path | None = None
    years: tuple[int, int] | None = None
    probe: int | None = None

    @classmethod
    def of(cls, directory: Path, extra: dict[str, Any], end: date | None) -> Other:
        """A vintage's ``directory`` with what its provenance ``extra`` says of its key index."""
        keyed = extra.get("keys")
        if not isinstance(keyed, dict):
            return cls(directory, end)
        years = keyed.get("years")
        span = (int(years[0]), int(years[1])) if years else None
        return cls(directory, end, index_file(directory), span, keyed.get("hash"))


@dataclass(frozen=True)
class Revision:
    """What :func:`revise` did: the corrections found (None: none) and the key index written (None: the new
    rows hold no complete key), as the vintage's provenance keeps it."""

    found: Summary | None
    keyed: dict[str, Any] | None


def index_file(directory: Path) -> Path | None:
    """A vintage directory's key index, if it has one."""
    path = directory / INDEX / "part-0.parquet"
    return path if path.exists() else None


def find(
    keys: Sequence[str],
    new: Sequence[Path],
    others: Sequence[Other | tuple[Sequence[Path], date | None]],
    out: Path,
) -> Summary | None:
    """The corrections :func:`revise` finds."""
    return revise(keys, new, others, out).found


def revise(
    keys: Sequence[str],
    new: Sequence[Path],
    others: Sequence[Other | tuple[Sequence[Path], date | None]],
    out: Path,
) -> Revision:
    """Compare the rows in ``new`` with ``others`` on ``keys``; write the superseded rows to
    ``out/revisions/part-0.parquet``, and the new rows' key index to ``out/keys/part-0.parquet`` (one
    ``hash()`` of the key per row, sorted).

    A row whose key has a null part identifies no line: it neither corrects nor is corrected. The cost does
    not grow with the archive: of an indexed vintage whose declaration years overlap the new rows', only
    the index is read, and its data files only when a hash matches (then the key itself decides). A vintage
    without a usable index is read as before indexes: its key columns, ``source``, ``file_date`` and
    ``value_usd``, skipped when its file ends before the first year of the new declarations.
    """
    if not new:
        return Revision(None, None)
    cols = ", ".join(f'"{k}"' for k in (*keys, "source", "file_date", "value_usd"))
    k = ", ".join(f'"{c}"' for c in keys)
    with scratch() as con:
        try:
            con.execute(
                f"CREATE TEMP TABLE n AS SELECT {cols}, {_hash(keys)} AS h "
                f"FROM read_parquet({[str(p) for p in new]!r}) WHERE {_known(keys)}"
            )
            rows = con.execute("SELECT count(*) FROM n").fetchall()[0][0]
            if not rows:
                return Revision(None, None)
            years, probe = _years(con, "n", keys), _probe(con, keys)
            (out / INDEX).mkdir(exist_ok=True)
            con.execute(
                f"COPY (SELECT h FROM n ORDER BY h) TO '{out / INDEX / 'part-0.parquet'}' (FORMAT parquet)"
            )
            keyed = {"rows": int(rows), "hash": probe} | ({"years": list(years)} if years else {})
            listed = [Other(*o) for o in others]
            usable = [o.keyed is not None and o.probe == probe for o in listed]
            since = date(years[0], 1, 1) if years else None
            paths = _matched(con, [o for o, u in zip(listed, usable, strict=True) if u], years)
            paths += [
                str(p)
                for o, u in zip(listed, usable, strict=True)
                if not u and (since is None or o.end is None or o.end >= since)
                for p in _data(o)
            ]
            return Revision(_compare(con, keys, cols, k, paths, since, out) if paths else None, keyed)
        finally:
            for table in ("n", "o", "pairs", "records"):
                con.execute(f"DROP TABLE IF EXISTS {table}")


def _matched(con: Any, indexed: Sequence[Other], years: tuple[int, int] | None) -> list[str]:
    """The data files of the ``indexed`` vintages whose index holds a hash of the new rows (table ``n``)."""
    read = [
        o
        for o in indexed
        if years is None or o.years is None or (o.years[0] <= years[1] and years[0] <= o.years[1])
    ]
    if not read:
        return []
    by_index = {str(o.keyed): o for o in read}
    hit = con.execute(
        f"SELECT DISTINCT filename FROM read_parquet({list(by_index)!r}, filename = true) i "
        "SEMI JOIN n ON i.h = n.h"
    ).fetchall()
    return [str(p) for (name,) in sorted(hit) for p in _data(by_index[name])]


def _data(other: Other) -> Sequence[Path]:
    files = other.files
    return sorted(files.glob("*.parquet")) if isinstance(files, Path) else files


def _compare(
    con: Any, keys: Sequence[str], cols: str, k: str, paths: list[str], since: date | None, out: Path
) -> Summary | None:
    """The exact comparison of the new rows (table ``n``) with the rows of ``paths``."""
    scan = f"read_parquet({paths!r}, union_by_name = true)"
    held = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()}
    dated = "file_date" in held  # vintages written before customs lines carried file_date: all null
    picked = cols if dated else cols.replace('"file_date"', 'NULL::DATE AS "file_date"')
    prune = f"AND (file_date IS NULL OR file_date >= DATE '{since}')" if since and dated else ""
    known = f"WHERE {_known(keys)} {prune}"
    con.execute(
        f"CREATE TEMP TABLE o AS SELECT {cols} FROM (SELECT {picked} FROM {scan} {known}) o "
        f"SEMI JOIN n ON {_eq('o', 'n', keys)}"
    )
    newer = (
        f"coalesce(n.file_date, {_OLDEST}) > coalesce(o.file_date, {_OLDEST}) OR "
        f"(n.file_date IS NOT DISTINCT FROM o.file_date AND n.source > o.source)"
    )
    con.execute(
        f"CREATE TEMP TABLE pairs AS SELECT {', '.join(f'n.{c} AS {c}' for c in keys)}, "
        "o.source AS o_source, o.file_date AS o_date, o.value_usd AS o_value, "
        "n.source AS n_source, n.file_date AS n_date, n.value_usd AS n_value, "
        f"({newer}) AS n_wins FROM n JOIN o ON {_eq('o', 'n', keys)} "
        "WHERE n.source IS DISTINCT FROM o.source"  # one file in two slices: nothing to decide
    )
    newest = f"row_number() OVER (PARTITION BY {k} ORDER BY o_date DESC NULLS LAST, o_source DESC) = 1"
    records = (
        f"SELECT {k}, o_source AS source, o_date AS file_date, o_value AS value_usd, "
        "n_source AS by_source, n_date AS by_file_date, n_value AS by_value_usd, false AS late "
        "FROM pairs WHERE n_wins "
        "UNION ALL "
        f"SELECT {k}, n_source, n_date, n_value, o_source, o_date, o_value, true "
        f"FROM pairs WHERE NOT n_wins QUALIFY {newest}"
    )
    con.execute(f"CREATE TEMP TABLE records AS {records}")
    rows = con.execute("SELECT count(*) FROM records").fetchall()[0][0]
    if not rows:
        return None
    (out / DIRECTORY).mkdir()
    con.execute(
        f"COPY (SELECT * FROM records ORDER BY {k}, source) "
        f"TO '{out / DIRECTORY / 'part-0.parquet'}' (FORMAT parquet)"
    )
    revised, moved, moved_abs = con.execute(
        "SELECT count(*), coalesce(sum(n_value - o_value), 0), coalesce(sum(abs(n_value - o_value)), 0) "
        f"FROM (SELECT * FROM pairs WHERE n_wins QUALIFY {newest})"
    ).fetchall()[0]
    late = con.execute("SELECT count(*) FROM records WHERE late").fetchall()[0][0]
    return Summary(int(revised), float(moved), float(moved_abs), int(late), int(rows))


def _years(con: Any, scan: str, keys: Sequence[str]) -> tuple[int, int] | None:
    """The first and last declaration year among the rows of ``scan`` (None: not every key is a
    declaration with a plausible year)."""
    if "declaration" not in keys:
        return None
    first, last, unknown = con.execute(
        "SELECT min(TRY_CAST(split_part(declaration, '-', 2) AS INTEGER)), "
        "max(TRY_CAST(split_part(declaration, '-', 2) AS INTEGER)), "
        "count(*) FILTER (WHERE NOT regexp_full_match(coalesce(declaration, ''), '[0-9]+-[0-9]{4}-[0-9]+')) "
        f"FROM {scan}"
    ).fetchall()[0]
    if unknown or first is None or not 1900 <= first <= last <= 2199:
        return None
    return int(first), int(last)


def without_superseded(table: ir.Table, superseded: ir.Table, keys: Sequence[str]) -> ir.Table:
    """``table`` without the rows ``superseded`` lists (an anti-join on ``keys`` + ``source``)."""
    listed = superseded.select(*keys, "source").distinct()
    on = [table[c] == listed[c] for c in (*keys, "source")]  # key parts and source are never null there
    return table.anti_join(listed, on).select(*table.columns)


def attribute(lines: ir.Table, regions: ir.Table) -> ir.Table:
    """Customs lines with the user's exporter → department basis applied: only export lines without a
    producer UBIGEO (``region_basis = 'unattributed'``) whose trader is in ``regions`` and not masked get
    the table's department, and ``region_basis`` = the table's ``basis``. Rows and values are unchanged."""
    basis = regions.select(_trader=regions.trader_id, _department=regions.department, _basis=regions.basis)
    joined = lines.left_join(basis, lines.trader_id == basis._trader)
    take = (
        (joined.flow == "X")
        & (joined.region_basis == "unattributed")
        & joined._department.notnull()
        & ~joined.trader_masked.fill_null(False)
    )
    replaced = {
        "department": ibis.ifelse(take, joined._department, joined.department),
        "region_basis": ibis.ifelse(take, joined._basis, joined.region_basis),
    }
    return joined.select(*[replaced[c].name(c) if c in replaced else joined[c] for c in lines.columns])


__all__ = [
    "DIRECTORY",
    "INDEX",
    "Other",
    "Revision",
    "Summary",
    "attribute",
    "count",
    "files",
    "find",
    "index_file",
    "phrases",
    "without_superseded",
]
