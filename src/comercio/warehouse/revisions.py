"""Corrections across slices: the latest file wins (docs/decisions/0017-weekly-microdata-archive.md §4).

A dataset whose spec declares ``revision_key`` (customs lines: flow, declaration, series) may receive the same
key in several slices: a declaration line corrected in a later weekly file. When a slice is loaded, the loader
compares its keys with the current vintages of the *other* slices (:func:`find`): of two rows with one key,
the one with the older ``file_date`` is superseded (ties: the smaller ``source``; a null ``file_date`` is the
oldest). The superseded rows are written inside the new vintage, under ``revisions/`` (data globs,
``*.parquet`` at the vintage's top level, never see them), before the vintage is committed: lines and their
corrections arrive atomically. Each record holds the key, the superseded row's ``source``, ``file_date`` and
``value_usd``, the same three of the row replacing it (``by_*``), and ``late``: the new file's own row was
already superseded by a later file loaded before it.

The gateway leaves out every (key, source) listed by a current vintage (:func:`without_superseded`), and
gives lines without a producer UBIGEO the department of the user's ``exporter_regions`` table
(:func:`attribute`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from comercio.warehouse.contracts import scratch

DIRECTORY = "revisions"
"""The subfolder of a vintage holding the rows it supersedes."""

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
    return " AND ".join(f'{a}."{k}" IS NOT DISTINCT FROM {b}."{k}"' for k in keys)


def find(
    keys: Sequence[str],
    new: Sequence[Path],
    others: Sequence[tuple[Sequence[Path], date | None]],
    out: Path,
) -> Summary | None:
    """Compare the rows in ``new`` with ``others`` (each: its files, and the last day its file covers when
    known) on ``keys``; write the superseded rows to ``out/revisions/part-0.parquet`` and say what moved
    (None: no key of ``new`` is in ``others``).

    Only the key columns, ``source``, ``file_date`` and ``value_usd`` are read. When every key is a
    declaration with a year, files ending before the first of those years are not read at all, and row
    groups whose ``file_date`` ends before it are skipped.
    """
    if not new or not others:
        return None
    cols = ", ".join(f'"{k}"' for k in (*keys, "source", "file_date", "value_usd"))
    k = ", ".join(f'"{c}"' for c in keys)
    with scratch() as con:
        con.execute(f"CREATE TEMP TABLE n AS SELECT {cols} FROM read_parquet({[str(p) for p in new]!r})")
        since = _since(con, keys)
        paths = [str(p) for fs, end in others if since is None or end is None or end >= since for p in fs]
        if not paths:
            return None
        scan = f"read_parquet({paths!r}, union_by_name = true)"
        held = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()}
        dated = "file_date" in held  # vintages written before customs lines carried file_date: all null
        picked = cols if dated else cols.replace('"file_date"', 'NULL::DATE AS "file_date"')
        prune = f"WHERE file_date IS NULL OR file_date >= DATE '{since}'" if since and dated else ""
        con.execute(
            f"CREATE TEMP TABLE o AS SELECT {cols} FROM (SELECT {picked} FROM {scan} {prune}) o "
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


def _since(con: Any, keys: Sequence[str]) -> date | None:
    """The first day of the earliest declaration year among the new rows (None: no pruning possible)."""
    if "declaration" not in keys:
        return None
    first, unknown = con.execute(
        "SELECT min(TRY_CAST(split_part(declaration, '-', 2) AS INTEGER)), "
        "count(*) FILTER (WHERE NOT regexp_full_match(coalesce(declaration, ''), '[0-9]+-[0-9]{4}-[0-9]+')) "
        "FROM n"
    ).fetchall()[0]
    if unknown or first is None or not 1900 <= first <= 2199:
        return None
    return date(int(first), 1, 1)


def without_superseded(table: ir.Table, superseded: ir.Table, keys: Sequence[str]) -> ir.Table:
    """``table`` without the rows ``superseded`` lists (an anti-join on ``keys`` + ``source``)."""
    listed = superseded.select(*keys, "source").distinct()
    on = [table[c].identical_to(listed[c]) for c in (*keys, "source")]
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


__all__ = ["DIRECTORY", "Summary", "attribute", "count", "files", "find", "phrases", "without_superseded"]
