"""What the warehouse holds: datasets with grain, vintages, rows, totals and months covered; and notes on
its state (a load in progress, orphaned temporaries of interrupted runs, lines superseded by corrections).

Rows and value of a dataset with corrections across slices (customs lines) count each line once: the rows a
later file superseded are left out, as in every query (:mod:`comercio.warehouse.revisions`)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import ibis

from comercio.warehouse import orphans, revisions, schema
from comercio.warehouse.catalog import Vintage
from comercio.warehouse.gateway import Warehouse

LISTED = 5
"""Up to this many slices, ``current`` lists each slice@vintage; beyond, it summarises them."""


def status(wh: Warehouse, *, slices: bool = False) -> list[dict[str, Any]]:
    """One row per dataset: grain, current vintages, rows, value total, first and last month, synthetic.

    ``current`` lists every slice@vintage when ``slices`` or when there are at most :data:`LISTED`; a
    dataset of many slices (a weekly archive) says how many, the first and last, and their vintages."""
    current = wh.vintages(current_only=True)
    every = wh.vintages(current_only=False)
    history: dict[str, int] = defaultdict(int)
    for v in every:
        history[v.dataset] += 1
    by_dataset: dict[str, list[Vintage]] = defaultdict(list)
    for v in current:
        by_dataset[v.dataset].append(v)
    rows = []
    for name in sorted(by_dataset):
        vs = by_dataset[name]
        spec = schema.DATASETS.get(name)
        totals = [v.value_total for v in vs if v.value_total is not None]
        count = sum(v.rows for v in vs)
        superseded = _superseded(wh, name, vs)
        if superseded is not None:
            count -= superseded[0]
            totals.append(-superseded[1])
        first, last = _span(wh, name, spec)
        rows.append(
            {
                "dataset": name,
                "grain": " × ".join(spec.grain) if spec else "reference table",
                "slices": len(vs),
                "vintages": history[name],
                "current": _current(vs, every=slices),
                "rows": count,
                "value_total_usd": round(sum(totals), 2) if totals else None,
                "first_month": first,
                "last_month": last,
                "loaded_at": max(v.loaded_at for v in vs),
                "synthetic": any(v.synthetic for v in vs),
            }
        )
    return rows


def notes(wh: Warehouse) -> list[str]:
    """What else the user should know: a load in progress (the rows above are the last committed state)
    and the orphaned temporaries of interrupted runs (count and size; the next ingest removes them)."""
    out = []
    since = wh.catalog.writer_since()
    if since is not None:
        out.append(f"another comercio process is loading (since {since}); shown is the last committed state")
    found = orphans.measure(wh.home)
    if found.count:
        out.append(
            f"orphaned temporaries of interrupted runs: {found.count} ({_size(found.bytes)}); "
            "the next ingest or build removes them"
            + (" (some may belong to the load in progress)" if since is not None else "")
        )
    by_dataset: dict[str, list[Vintage]] = defaultdict(list)
    for v in wh.vintages(current_only=True):
        by_dataset[v.dataset].append(v)
    for name, vs in sorted(by_dataset.items()):
        superseded = _superseded(wh, name, vs)
        if superseded is not None and superseded[0]:
            lines = f"{superseded[0]:,} lines"
            out.append(f"{name}: {lines} superseded by corrections in later files (not counted above)")
    return out


def _current(vs: list[Vintage], *, every: bool) -> str:
    """The current vintages: each slice@vintage, or (many slices) their count, first, last and numbers."""
    if every or len(vs) <= LISTED:
        return ", ".join(f"{v.slice}@v{v.number}" for v in vs)
    names = sorted(v.slice for v in vs)
    numbers = sorted({v.number for v in vs})
    which = f"all v{numbers[0]}" if len(numbers) == 1 else f"v{numbers[0]} to v{numbers[-1]}"
    return f"{len(vs)} slices ({names[0]} … {names[-1]}), {which}"


def _superseded(wh: Warehouse, name: str, vs: list[Vintage]) -> tuple[int, float] | None:
    """Rows and value that corrections in other slices left out of ``name`` (None: it has no corrections)."""
    spec = schema.DATASETS.get(name)
    if spec is None or not spec.revision_key or not any(revisions.count(v.extra) for v in vs):
        return None

    def compute() -> tuple[int, float]:
        t = wh.table(name, "duckdb")
        value = t[spec.value_column].sum() if spec.value_column else ibis.literal(0.0)
        [row] = wh.execute(t.aggregate(n=t.count(), v=value), engine="duckdb").to_pylist()
        total = sum(v.value_total or 0.0 for v in vs)
        return sum(v.rows for v in vs) - int(row["n"]), total - float(row["v"] or 0.0)

    return wh.memo(("superseded", name, wh.version()), compute)


def _size(n: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def _span(wh: Warehouse, name: str, spec: schema.DatasetSpec | None) -> tuple[str | None, str | None]:
    """First and last month (``YYYY-MM``) of a monthly dataset, first and last year of a yearly one."""
    column = next((c for c in ("period", "year") if spec is not None and c in spec.columns), None)
    if column is None:
        return None, None
    t = wh.table(name, "duckdb")
    query = t.aggregate(first=t[column].min(), last=t[column].max())
    result = wh.execute(query, engine="duckdb").to_pylist()
    if not result or result[0]["first"] is None:
        return None, None
    if column == "year":
        return str(result[0]["first"]), str(result[0]["last"])
    return result[0]["first"].strftime("%Y-%m"), result[0]["last"].strftime("%Y-%m")
