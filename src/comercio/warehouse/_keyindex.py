"""A new vintage's key index (:mod:`comercio.warehouse.revisions`), written where its rows are staged.

The index is one ``hash()`` of the key per line (``h``), with its zone (``z``,
:mod:`comercio.warehouse._zones`) when every line has one, sorted; its provenance entry says how many lines
it holds, the hash probe it was written with and the declaration years it covers. It depends on the
vintage's own rows only, so a worker process writes it while it stages the file (:func:`write_index`) and
the commit only compares.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from comercio.warehouse import _zones

INDEX = "keys"
"""The subfolder of a vintage holding its key index."""


class Index(NamedTuple):
    """A vintage's key index, already written under ``keys/``: its provenance entry (None: no line has a
    complete key, and no index was written)."""

    keyed: dict[str, Any] | None


def hash_sql(keys: Sequence[str]) -> str:
    return "hash(" + ", ".join(f'"{k}"' for k in keys) + ")"


def known_sql(keys: Sequence[str]) -> str:
    return " AND ".join(f'"{k}" IS NOT NULL' for k in keys)


def probe(con: Any, relation: str, keys: Sequence[str]) -> int:
    """DuckDB's hash of one fixed key of the key types of ``relation`` (a table or a query): an index
    written by a DuckDB whose ``hash()`` differs is not used."""
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE {relation}").fetchall()}
    fixed = ", ".join(f"CAST('1' AS {types[k]})" for k in keys)
    return int(con.execute(f"SELECT hash({fixed})").fetchall()[0][0])


def index_path(directory: Path) -> Path:
    return directory / INDEX / "part-0.parquet"


def write_index(con: Any, keys: Sequence[str], files: Sequence[Path], out: Path) -> Index:
    """Write the key index of the lines in ``files`` (one vintage) to ``out/keys/part-0.parquet``; lines
    whose key has a null part are left out (they identify no line)."""
    if not files:
        return Index(None)
    fast = _fixed(con, keys, files, out)
    if fast is not None:
        return fast
    zone = _zones.zone_sql(keys)
    paths = [str(p) for p in files]
    columns = ", ".join(f'"{k}"' for k in keys)
    try:
        con.execute(
            f"CREATE TEMP TABLE kx AS SELECT {columns}, {hash_sql(keys)} AS h, "
            f"{zone or 'NULL::BIGINT'} AS z, 0 AS ord FROM read_parquet({paths!r}) WHERE {known_sql(keys)}"
        )
        rows, zoned_rows = con.execute("SELECT count(*), count(z) FROM kx").fetchall()[0]
        if not rows:
            return Index(None)
        hashed = probe(con, "kx", keys)
        zoned = zoned_rows == rows  # every line has a zone
        years = _zones.zoned_years(con, "kx") if zoned else _zones.years(con, "kx", keys).get(0)
        index = con.sql("SELECT h, z FROM kx ORDER BY z, h").to_arrow_table()
        (out / INDEX).mkdir(exist_ok=True)
        _zones.write(index.select(["h", "z"] if zoned else ["h"]), index_path(out))
        keyed = {"rows": int(rows), "hash": hashed} | ({"years": list(years)} if years else {})
        return Index(keyed | ({"zoned": True} if zoned else {}))
    finally:
        con.execute("DROP TABLE IF EXISTS kx")


_PROBES: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = {}


def _fixed(con: Any, keys: Sequence[str], files: Sequence[Path], out: Path) -> Index | None:
    """:func:`write_index` when every line has a complete key and SUNAT's fixed-width declaration: zones and
    years from the bytes (:func:`comercio.warehouse._zones.fixed_zones`), hashes by DuckDB; the same index.
    None: not that case."""
    if _zones.zone_sql(keys) is None:
        return None
    table = pa.concat_tables([pq.ParquetFile(p).read(columns=list(keys)) for p in files])
    if table.num_rows == 0 or any(table[k].null_count for k in keys):
        return None
    zones = _zones.fixed_zones(table["flow"], table["declaration"])
    if zones is None:
        return None
    scan = f"read_parquet({[str(p) for p in files]!r})"  # DuckDB keeps the files' row order
    hashes = np.asarray(con.execute(f"SELECT {hash_sql(keys)} AS h FROM {scan}").fetchnumpy()["h"])
    kinds = (tuple(keys), tuple(str(table.schema.field(k).type) for k in keys))
    hashed = _PROBES.get(kinds)
    if hashed is None:  # once per process and key types
        hashed = _PROBES[kinds] = probe(con, f"SELECT * FROM {scan}", keys)
    order = np.lexsort((hashes, zones))
    (out / INDEX).mkdir(exist_ok=True)
    _zones.write(pa.table({"h": hashes[order], "z": zones[order]}), index_path(out))
    year = zones // _zones.NUMBERS % 10000
    years = _zones.plausible(int(year.min()), int(year.max()))
    keyed = {"rows": table.num_rows, "hash": hashed} | ({"years": list(years)} if years else {})
    return Index(keyed | {"zoned": True})


def new_hashes(con: Any, indexes: Sequence[tuple[int, Path]], zones: bool) -> None:
    """Table ``nh`` (``h``, ``z``, ``ord``): the key hashes (and zones, when ``zones``) of the new vintages'
    lines, read from their key indexes (``ord``: the vintage's place in its batch)."""
    con.execute("CREATE TEMP TABLE iords(ord INTEGER, filename VARCHAR)")
    try:
        con.executemany("INSERT INTO iords VALUES (?, ?)", [(o, str(p)) for o, p in indexes])
        z = "z" if zones else "NULL::BIGINT AS z"
        con.execute(
            f"CREATE TEMP TABLE nh AS SELECT h, {z}, ord FROM read_parquet({[str(p) for _, p in indexes]!r}, "
            "filename = true, union_by_name = true) JOIN iords USING (filename)"
        )
    finally:
        con.execute("DROP TABLE IF EXISTS iords")


def held(con: Any, zoned: Sequence[Path], plain: Sequence[str]) -> tuple[set[str], np.ndarray]:
    """The indexes (``zoned`` ones: only the row groups holding a zone of the new lines) that hold a hash
    of table ``nh``, and the hashes they hold (sorted, distinct)."""
    hit: set[str] = set()
    found = [np.empty(0, dtype=np.uint64)]
    if zoned:
        zs = con.sql("SELECT DISTINCT z FROM nh ORDER BY z").fetchnumpy()["z"]
        hashes = con.sql("SELECT DISTINCT h FROM nh ORDER BY h").fetchnumpy()["h"]
        for path, h in _zones.matched(zoned, np.asarray(zs), np.asarray(hashes)):
            hit.add(str(path))
            found.append(h.astype(np.uint64))
    if plain:
        rows = con.execute(
            f"SELECT DISTINCT filename, h FROM read_parquet({list(plain)!r}, filename = true) i "
            "SEMI JOIN nh ON i.h = nh.h"
        ).fetchnumpy()
        hit |= set(rows["filename"].tolist())
        found.append(np.asarray(rows["h"]).astype(np.uint64))
    return hit, np.unique(np.concatenate(found))


__all__ = [
    "INDEX",
    "Index",
    "hash_sql",
    "held",
    "index_path",
    "known_sql",
    "new_hashes",
    "probe",
    "write_index",
]
