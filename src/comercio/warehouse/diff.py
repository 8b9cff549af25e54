"""Explain what moved between two vintages of a dataset: which periods and members, by how much.

Besides the rows that moved (on the grain), each pair is summarised as in the shrink guard
(:mod:`comercio.warehouse.shrink`): years, months and members dropped or added, and the value change over
the periods both vintages hold. A dataset with corrections across slices (customs lines: the same
declaration line in a later weekly file) also lists them (:func:`corrections`): per file, the lines it revised
and the value they moved, and the largest changes. A dataset without a value column (``exporter_regions``)
compares its other columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis

from comercio.errors import WarehouseError
from comercio.warehouse import revisions, schema
from comercio.warehouse.catalog import Vintage
from comercio.warehouse.contracts import scratch
from comercio.warehouse.gateway import Warehouse
from comercio.warehouse.shrink import Comparison, compare_files


@dataclass(frozen=True)
class VintageDiff:
    dataset: str
    slice: str
    old: Vintage
    new: Vintage
    changes: list[dict[str, Any]]  # key columns + old, new, change
    added: int
    removed: int
    comparison: Comparison

    @property
    def changed(self) -> int:
        return len(self.changes)


def explain(wh: Warehouse, old: Vintage, new: Vintage) -> Comparison:
    """Years, months and members ``new`` drops or adds compared with ``old``, and the value change."""
    files = [sorted(wh.vintage_dir(v).glob("*.parquet")) for v in (old, new)]
    return compare_files(old.dataset, *files)


def diff(wh: Warehouse, dataset: str, *, slice_: str | None = None, limit: int = 1000) -> list[VintageDiff]:
    """Compare the current vintage of each slice with the one before it, row by row on the grain."""
    if limit < 0:
        raise WarehouseError(f"limit must be 0 or more, not {limit}")
    spec = schema.get(dataset)
    all_v = wh.catalog.vintages(dataset, slice_=slice_)
    if not all_v:
        raise WarehouseError(f"dataset {dataset!r} has no vintages", hint="run `comercio ingest` first")
    out = []
    for s in sorted({v.slice for v in all_v}):
        vs = sorted((v for v in all_v if v.slice == s), key=lambda v: v.number)
        if len(vs) < 2:
            continue
        out.append(_diff_pair(wh, spec, vs[-2], vs[-1], limit))
    return out


def _diff_pair(
    wh: Warehouse, spec: schema.DatasetSpec, old: Vintage, new: Vintage, limit: int
) -> VintageDiff:
    con = wh.backend("duckdb")
    keys = list(spec.grain)
    a = con.read_parquet(str(wh.vintage_dir(old) / "*.parquet"))
    b = con.read_parquet(str(wh.vintage_dir(new) / "*.parquet"))
    if not spec.value_column:
        return _diff_values(wh, spec, old, new, a, b, limit)
    a = a.group_by(keys).aggregate(old=a[spec.value_column].sum())
    b = b.group_by(keys).aggregate(new=b[spec.value_column].sum())
    j = a.outer_join(b, [a[k] == b[k] for k in keys])
    merged = j.select(
        *[ibis.coalesce(j[k], j[f"{k}_right"]).name(k) for k in keys],
        old=j.old,
        new=j.new,
    )
    moved = merged.filter(
        merged.old.isnull() | merged.new.isnull() | ((merged.new - merged.old).abs() > 0.005)
    )
    counts = wh.execute(
        moved.aggregate(
            n=moved.count(),
            added=moved.old.isnull().sum(),
            removed=moved.new.isnull().sum(),
        ),
        engine="duckdb",
    ).to_pylist()[0]
    ordered = moved.mutate(change=moved.new.fill_null(0) - moved.old.fill_null(0))
    ordered = ordered.order_by(ibis.desc(ordered.change.abs()))
    rows = wh.execute(ordered, engine="duckdb", limit=limit).to_pylist()
    added, removed = int(counts["added"] or 0), int(counts["removed"] or 0)
    return VintageDiff(spec.name, old.slice, old, new, rows, added, removed, explain(wh, old, new))


def _diff_values(
    wh: Warehouse, spec: schema.DatasetSpec, old: Vintage, new: Vintage, a: Any, b: Any, limit: int
) -> VintageDiff:
    """A table without a value column: rows whose other columns (``source`` aside) differ, as text."""
    keys = list(spec.grain)
    shown = [c for c in spec.columns if c not in keys and c != "source"]

    def text(t: Any, name: str) -> Any:
        return t.select(
            *keys, ibis.literal(" ").join([t[c].cast("string").fill_null("") for c in shown]).name(name)
        )

    a, b = text(a, "old"), text(b, "new")
    j = a.outer_join(b, [a[k] == b[k] for k in keys])
    merged = j.select(*[ibis.coalesce(j[k], j[f"{k}_right"]).name(k) for k in keys], old=j.old, new=j.new)
    moved = merged.filter(merged.old.isnull() | merged.new.isnull() | (merged.old != merged.new))
    rows = wh.execute(moved.order_by(keys), engine="duckdb").to_pylist()
    added = sum(r["old"] is None for r in rows)
    removed = sum(r["new"] is None for r in rows)
    return VintageDiff(spec.name, old.slice, old, new, rows[:limit], added, removed, explain(wh, old, new))


@dataclass(frozen=True)
class FileCorrections:
    """What loading one file corrected: lines of earlier files it revised (and the value they moved), and
    its own lines a later file, loaded before it, had already corrected."""

    file: str
    slice: str
    vintage: int
    revised: int
    moved_usd: float
    late: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "slice": self.slice,
            "vintage": self.vintage,
            "lines_revised": self.revised,
            "value_moved_usd": round(self.moved_usd, 2),
            "late_lines": self.late,
        }


@dataclass(frozen=True)
class Corrections:
    """A dataset's corrections across slices: per file, the largest changes, and the lines left out."""

    dataset: str
    files: list[FileCorrections]
    largest: list[dict[str, Any]]  # key columns, old_file, new_file, old_value, new_value, change
    superseded: int

    @property
    def revised(self) -> int:
        return sum(f.revised for f in self.files)

    @property
    def moved_usd(self) -> float:
        return sum(f.moved_usd for f in self.files)

    @property
    def late(self) -> int:
        return sum(f.late for f in self.files)

    def top(self, limit: int) -> list[FileCorrections]:
        """At most ``limit`` files, those that moved the most value first (then the most lines revised)."""
        ranked = sorted(self.files, key=lambda f: (-abs(f.moved_usd), -f.revised, -f.late, f.file))
        return ranked[:limit]

    def summary(self) -> str:
        if not self.files:
            return f"{self.dataset}: no corrections across files"
        text = (
            f"{self.dataset}: corrections in {len(self.files)} files: {self.revised:,} lines revised, "
            f"value moved {self.moved_usd:+,.2f} US$"
        )
        if self.late:
            text += f"; {self.late:,} lines of older files loaded after their correction"
        return text + f"; {self.superseded:,} superseded lines left out of every total"


def corrections(wh: Warehouse, dataset: str, *, limit: int = 1000) -> Corrections:
    """The corrections the current vintages of ``dataset`` hold (a dataset without ``revision_key``: none).

    A line revised twice over (weeks 1 → 2 → 3) counts once per file that revised it, each against the line
    it replaced then; a file's lines that a later file had already corrected move no value.
    """
    if limit < 0:
        raise WarehouseError(f"limit must be 0 or more, not {limit}")
    spec = schema.get(dataset)
    held = [
        (v, revisions.files(wh.vintage_dir(v)))
        for v in wh.vintages(dataset)
        if spec.revision_key and revisions.count(v.extra)
    ]
    held = [(v, fs) for v, fs in held if fs]
    if not held:
        return Corrections(dataset, [], [], 0)
    by_file = {str(f): v for v, fs in held for f in fs}
    keys = ", ".join(f'"{k}"' for k in spec.revision_key)
    scan = f"read_parquet({list(by_file)!r}, filename = true, union_by_name = true)"
    newest = (
        f"row_number() OVER (PARTITION BY filename, {keys} ORDER BY file_date DESC NULLS LAST, source DESC)"
    )
    with scratch() as con:
        con.execute(
            "CREATE TEMP TABLE revised AS SELECT *, round(by_value_usd - value_usd, 2) AS change "
            f"FROM {scan} WHERE NOT late QUALIFY {newest} = 1"
        )
        per_file = con.execute(
            "SELECT filename, sum(n), sum(moved), sum(late) FROM ("
            "SELECT filename, count(*) AS n, sum(change) AS moved, 0 AS late FROM revised GROUP BY ALL "
            f"UNION ALL SELECT filename, 0, 0, count(DISTINCT row({keys})) FROM {scan} WHERE late "
            "GROUP BY ALL) GROUP BY ALL"
        ).fetchall()
        largest = con.execute(
            f"SELECT {keys}, source AS old_file, by_source AS new_file, value_usd AS old_value, "
            f"by_value_usd AS new_value, change FROM revised ORDER BY abs(change) DESC, {keys} LIMIT {limit}"
        ).fetchall()
        names = [d[0] for d in con.description or ()]
        superseded = con.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT {keys}, source FROM {scan})"
        ).fetchall()
    files = []
    for filename, n, moved, late in per_file:
        v = by_file[filename]
        name = str(v.files[0].get("name")) if v.files else v.slice
        files.append(FileCorrections(name, v.slice, v.number, int(n), float(moved or 0.0), int(late)))
    files.sort(key=lambda f: f.file)
    rows = [dict(zip(names, r, strict=True)) for r in largest]
    return Corrections(dataset, files, rows, int(superseded[0][0]))
