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

The gateway leaves out every (key, source) listed by a current vintage (:func:`without_superseded`); a late
record (one per later row) only while that row, its key with ``by_source`` and ``by_file_date``, is still
current (:func:`applying`: a reload of the later slice without it shows the line again), and
gives lines without a producer UBIGEO the department of the user's ``exporter_regions`` table
(:func:`attribute`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from comercio.warehouse import _keyindex
from comercio.warehouse._applied import applying, attribute, late_by, without_superseded
from comercio.warehouse._keyindex import INDEX, Index
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
    return " AND ".join(f'{a}."{k}" = {b}."{k}"' for k in keys)


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
    zoned: bool = False  # the index is ordered by declaration (:mod:`comercio.warehouse._zones`)

    @classmethod
    def of(cls, directory: Path, extra: dict[str, Any], end: date | None) -> Other:
        """A vintage's ``directory`` with what its provenance ``extra`` says of its key index."""
        keyed = extra.get("keys")
        if not isinstance(keyed, dict):
            return cls(directory, end)
        years = keyed.get("years")
        span = (int(years[0]), int(years[1])) if years else None
        zoned = bool(keyed.get("zoned"))
        index = _keyindex.index_path(directory)  # checked only when its years make it worth reading
        return cls(directory, end, index, span, keyed.get("hash"), zoned)


@dataclass(frozen=True)
class Revision:
    """What :func:`revise` did: the corrections found (None: none) and the key index written (None: the new
    rows hold no complete key), as the vintage's provenance keeps it."""

    found: Summary | None
    keyed: dict[str, Any] | None


def index_file(directory: Path) -> Path | None:
    """A vintage directory's key index, if it has one."""
    path = _keyindex.index_path(directory)
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
    return revise_many(keys, [(new, out)], others)[0]


def revise_many(
    keys: Sequence[str],
    batch: Sequence[tuple[Sequence[Path], Path]],
    others: Sequence[Other | tuple[Sequence[Path], date | None]],
    indexes: Sequence[Index | None] = (),
) -> list[Revision]:
    """:func:`revise` for several new vintages at once, in one DuckDB pass: each ``(files, out)`` of
    ``batch`` is compared with ``others`` and with the vintages before it in ``batch``, exactly as if they
    were loaded one after the other in that order. ``indexes``: the key index each one's staging already
    wrote (:func:`comercio.warehouse._keyindex.write_index`; None or missing: written here).

    Only the new lines whose key hash is held by another file of the batch or by a matched index are read
    again for the exact comparison (when every other vintage compared is indexed)."""
    cols = ", ".join(f'"{k}"' for k in (*keys, "source", "file_date", "value_usd"))
    k = ", ".join(f'"{c}"' for c in keys)
    listed: list[tuple[int, str]] = [(i, str(p)) for i, (files, _) in enumerate(batch) for p in files]
    if not listed:
        return [Revision(None, None)] * len(batch)
    with scratch() as con:
        try:
            probe = _keyindex.probe(con, f"SELECT * FROM read_parquet({[listed[0][1]]!r})", keys)
            given = [*indexes, *([None] * len(batch))][: len(batch)]
            keyed = [
                g.keyed
                if g is not None and (g.keyed is None or g.keyed.get("hash") == probe)
                else _keyindex.write_index(con, keys, files, out).keyed
                for g, (files, out) in zip(given, batch, strict=True)
            ]
            done = [Revision(None, kd) for kd in keyed]
            counts = {o: int(kd["rows"]) for o, kd in enumerate(keyed) if kd}
            if not counts:
                return done
            zoned = {o for o in counts if keyed[o].get("zoned")}  # type: ignore[union-attr]
            years: dict[int, tuple[int, int] | None] = {
                o: (int(y[0]), int(y[1])) if (y := keyed[o].get("years")) else None  # type: ignore[union-attr]
                for o in counts
            }
            _keyindex.new_hashes(con, [(o, _keyindex.index_path(batch[o][1])) for o in counts], bool(zoned))
            con.execute("CREATE TEMP TABLE since(ord INTEGER, since DATE)")
            con.executemany(
                "INSERT INTO since VALUES (?, ?)",
                [[o, date(y[0], 1, 1) if y else None] for o, y in years.items()],
            )
            spans = [y for y in years.values() if y is not None]
            span = (min(y[0] for y in spans), max(y[1] for y in spans)) if len(spans) == len(years) else None
            first = date(span[0], 1, 1) if span else None
            others_ = [Other(*o) for o in others]
            usable = [
                o.keyed is not None and o.probe == probe and (not _overlaps(o, span) or o.keyed.exists())
                for o in others_
            ]
            matched, held = _matched(
                con, [o for o, u in zip(others_, usable, strict=True) if u], span, zoned == set(counts)
            )
            paths: dict[str, date | None] = dict.fromkeys(matched)
            for other, u in zip(others_, usable, strict=True):
                if not u and (first is None or other.end is None or other.end >= first):
                    paths.update({str(p): other.end for p in _data(other)})
            restrict = len(paths) == len(matched)  # every line compared with is behind an index
            if restrict:
                con.execute(
                    "CREATE TEMP TABLE cand AS SELECT h FROM nh GROUP BY h HAVING count(DISTINCT ord) > 1"
                )
                if len(held):
                    con.register("held", pa.table({"h": held}))
                    con.execute("INSERT INTO cand SELECT h FROM held")
                    con.unregister("held")
                if not con.execute("SELECT count(*) FROM cand").fetchall()[0][0]:
                    return done  # no new line shares a key hash with another line
            con.execute("CREATE TEMP TABLE ords(ord INTEGER, filename VARCHAR)")
            con.executemany("INSERT INTO ords VALUES (?, ?)", listed)
            only = f"AND {_keyindex.hash_sql(keys)} IN (SELECT h FROM cand)" if restrict else ""
            con.execute(
                f"CREATE TEMP TABLE n AS SELECT {cols}, ords.ord "
                f"FROM read_parquet({[f for _, f in listed]!r}, filename = true) r "
                f"JOIN ords USING (filename) WHERE {_keyindex.known_sql(keys)} {only}"
            )
            found = _compare(con, keys, cols, k, paths, first, len(batch) > 1)
            if found:
                listed_ = con.sql(f"SELECT * FROM records ORDER BY n_ord, {k}, source").to_arrow_table()
                at = 0
                for o, summary in sorted(found.items()):
                    rows = summary.rows
                    out = batch[o][1]
                    (out / DIRECTORY).mkdir()
                    mine = listed_.slice(at, rows).drop_columns(["n_ord"])
                    pq.write_table(mine, out / DIRECTORY / "part-0.parquet")
                    at += rows
                    done[o] = Revision(summary, done[o].keyed)
            return done
        finally:
            for table in ("ords", "nh", "cand", "n", "since", "ends", "o", "pairs", "records"):
                con.execute(f"DROP TABLE IF EXISTS {table}")


def _matched(
    con: Any, indexed: Sequence[Other], years: tuple[int, int] | None, zones: bool = False
) -> tuple[list[str], np.ndarray]:
    """The data files of the ``indexed`` vintages whose index holds a hash of the new lines (table ``nh``),
    and the hashes held: of a zoned index only the row groups holding a zone of the new lines (when
    ``zones``: every new line has one)."""
    read = [o for o in indexed if _overlaps(o, years)]
    by_index = {str(o.keyed): o for o in read}
    zoned = [Path(i) for i, o in by_index.items() if o.zoned] if zones else []
    hit, held = _keyindex.held(con, zoned, [i for i in by_index if Path(i) not in set(zoned)])
    return [str(p) for name in sorted(hit) for p in _data(by_index[name])], held


def _overlaps(other: Other, years: tuple[int, int] | None) -> bool:
    """Whether ``other`` may hold a declaration of ``years`` (None: unknown, so it may)."""
    return years is None or other.years is None or (other.years[0] <= years[1] and years[0] <= other.years[1])


def _data(other: Other) -> Sequence[Path]:
    files = other.files
    return sorted(files.glob("*.parquet")) if isinstance(files, Path) else files


def _compare(
    con: Any,
    keys: Sequence[str],
    cols: str,
    k: str,
    paths: dict[str, date | None],
    first: date | None,
    within: bool,
) -> dict[int, Summary]:
    """The exact comparison of the new rows (table ``n``, file order ``ord``) with the rows of ``paths``
    (each with the end of its file when it was not found through an index) and, when ``within``, with the
    rows of the batch's earlier files; the records go to table ``records`` (``n_ord``: the file listing
    them), and each file's summary is returned."""
    o_cols = ", ".join(f"o.{c}" for c in (*[f'"{x}"' for x in keys], "source", "file_date", "value_usd"))
    parts = []
    if paths:
        scan = f"read_parquet({list(paths)!r}, union_by_name = true, filename = true)"
        held = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()}
        dated = "file_date" in held  # vintages written before customs lines carried file_date: all null
        picked = cols if dated else cols.replace('"file_date"', 'NULL::DATE AS "file_date"')
        prune = f"AND (file_date IS NULL OR file_date >= DATE '{first}')" if first and dated else ""
        con.execute("CREATE TEMP TABLE ends(filename VARCHAR, o_end DATE)")
        con.executemany("INSERT INTO ends VALUES (?, ?)", [[p, e] for p, e in paths.items()])
        con.execute(
            f"CREATE TEMP TABLE o AS SELECT {o_cols}, ends.o_end, -1 AS o_ord "
            f"FROM (SELECT {picked}, filename FROM {scan} WHERE {_keyindex.known_sql(keys)} {prune}) o "
            f"JOIN ends USING (filename) SEMI JOIN n ON {_eq('o', 'n', keys)}"
        )
        parts.append("SELECT * FROM o")
    if within:
        parts.append(f"SELECT {cols}, NULL::DATE AS o_end, ord AS o_ord FROM n")
    if not parts:
        return {}
    newer = (
        f"coalesce(n.file_date, {_OLDEST}) > coalesce(o.file_date, {_OLDEST}) OR "
        f"(n.file_date IS NOT DISTINCT FROM o.file_date AND n.source > o.source)"
    )
    con.execute(
        f"CREATE TEMP TABLE pairs AS SELECT n.ord AS n_ord, {', '.join(f'n.{c} AS {c}' for c in keys)}, "
        "o.source AS o_source, o.file_date AS o_date, o.value_usd AS o_value, "
        "n.source AS n_source, n.file_date AS n_date, n.value_usd AS n_value, "
        f"({newer}) AS n_wins FROM n JOIN since USING (ord) JOIN ({' UNION ALL '.join(parts)}) o "
        f"ON {_eq('o', 'n', keys)} AND o.o_ord < n.ord "
        "WHERE n.source IS DISTINCT FROM o.source "  # one file in two slices: nothing to decide
        "AND (since.since IS NULL OR ((o.file_date IS NULL OR o.file_date >= since.since) "
        "AND (o.o_end IS NULL OR o.o_end >= since.since)))"  # what a load of this file alone reads
    )
    newest = f"row_number() OVER (PARTITION BY n_ord, {k} ORDER BY o_date DESC NULLS LAST, o_source DESC) = 1"
    records = (
        f"SELECT n_ord, {k}, o_source AS source, o_date AS file_date, o_value AS value_usd, "
        "n_source AS by_source, n_date AS by_file_date, n_value AS by_value_usd, false AS late "
        "FROM pairs WHERE n_wins "
        "UNION ALL "
        f"SELECT n_ord, {k}, n_source, n_date, n_value, o_source, o_date, o_value, true "
        "FROM pairs WHERE NOT n_wins"  # one per later row: each applies only while its row is current
    )
    con.execute(f"CREATE TEMP TABLE records AS {records}")
    rows = dict(con.execute("SELECT n_ord, count(*) FROM records GROUP BY n_ord").fetchall())
    late = dict(
        con.execute(
            f"SELECT n_ord, count(*) FROM (SELECT DISTINCT n_ord, {k} FROM records WHERE late) GROUP BY n_ord"
        ).fetchall()
    )
    moved = {
        o: (r, m, a)
        for o, r, m, a in con.execute(
            "SELECT n_ord, count(*), coalesce(sum(n_value - o_value), 0), "
            "coalesce(sum(abs(n_value - o_value)), 0) "
            f"FROM (SELECT * FROM pairs WHERE n_wins QUALIFY {newest}) GROUP BY n_ord"
        ).fetchall()
    }
    return {
        o: Summary(
            int(moved.get(o, (0, 0, 0))[0]),
            float(moved.get(o, (0, 0.0, 0.0))[1]),
            float(moved.get(o, (0, 0.0, 0.0))[2]),
            int(late.get(o, 0)),
            int(n),
        )
        for o, n in rows.items()
        if n
    }


__all__ = [
    "DIRECTORY",
    "INDEX",
    "Other",
    "Revision",
    "Summary",
    "applying",
    "attribute",
    "count",
    "files",
    "find",
    "index_file",
    "late_by",
    "phrases",
    "revise",
    "revise_many",
    "without_superseded",
]
