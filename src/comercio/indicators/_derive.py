"""How each ``derive`` kind of :mod:`comercio.reference.dimensions` computes a member per cube row
(:data:`DERIVE`), and the vectorised code lookups it uses; :mod:`comercio.indicators.engine` re-aggregates a
cube by them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc

from comercio import reference
from comercio.errors import DataNotAvailable
from comercio.indicators.specs import Filters, Grouping
from comercio.reference.dimensions import Dimension, dimension
from comercio.warehouse.schema import DatasetSpec

TOTAL = "__total__"


@dataclass(frozen=True)
class Derivation:
    """What a derive function reads: the filtered cube rows, the dimension, the question and the dataset."""

    table: pa.Table
    dimension: Dimension
    grouping: Grouping
    filters: Filters
    spec: DatasetSpec

    @property
    def raw(self) -> pa.ChunkedArray:
        """The column the dimension is computed from."""
        return self.table.column(self.dimension.needs or "")


Derived = tuple[pa.Table, pa.Array]


def _total(x: Derivation) -> Derived:
    t = x.table
    if x.spec.tree:  # the tree's total row (level 0, or the root of the basket path asked for)
        top = 0 if x.filters.basket_path is None else x.filters.basket_path.count(" > ") + 1
        t = t.filter(pc.equal(t.column("level"), top))
    return t, pa.array([TOTAL] * t.num_rows, pa.string())


def _column(x: Derivation) -> Derived:
    return x.table, x.raw.combine_chunks()


def _prefix(x: Derivation) -> Derived:
    return x.table, pc.utf8_slice_codeunits(x.raw, 0, int(x.dimension.attribute or 0)).combine_chunks()


def _attribute_of(x: Derivation) -> Derived:
    return x.table, _lookup(x.raw, _attribute(x.dimension, x.dimension.attribute or ""))


def _continent(x: Derivation) -> Derived:
    return x.table, _lookup(x.raw, _attribute(x.dimension, x.grouping.scheme or x.dimension.attribute or ""))


def _macroregion(x: Derivation) -> Derived:
    scheme = x.grouping.scheme or x.dimension.scheme or ""
    return x.table, _lookup(x.raw, _scheme_members(x.dimension, scheme))


def _classifier(x: Derivation) -> Derived:
    return x.table, map_codes(x.raw, reference.product_group)


def _sector(x: Derivation) -> Derived:
    t, level = x.table, x.grouping.level
    if x.spec.tree:  # the published tree: the nodes at that level (1 unless asked)
        t = t.filter(pc.equal(t.column("level"), 1 if level is None else level))
        return t, t.column("path").combine_chunks()
    paths = t.column("basket_path" if "basket_path" in t.column_names else x.dimension.needs or "")
    if level is None:
        return t, paths.combine_chunks()
    return t, _map_values(paths, lambda p: " > ".join(p.split(" > ")[:level]))


# How each ``derive`` kind of :mod:`comercio.reference.dimensions` computes a member per cube row.
DERIVE: dict[str, Callable[[Derivation], Derived]] = {
    "total": _total,
    "column": _column,
    "prefix": _prefix,
    "attribute": _attribute_of,
    "continent": _continent,
    "macroregion": _macroregion,
    "classifier": _classifier,
    "sector": _sector,
}


def _lookup(column: pa.ChunkedArray | pa.Array, mapping: dict[str, str]) -> pa.Array:
    """Map each key to its attribute (None when the key has none), vectorised."""
    keys = pa.array(list(mapping), pa.string())
    return _lookup_arrays(column, keys, pa.array(list(mapping.values()), pa.string()))


def map_codes(column: pa.ChunkedArray | pa.Array, classify: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """Apply a code classifier to the distinct codes only, then spread the result to every row."""
    codes = pc.unique(column)
    mapped = classify(codes)
    return _lookup_arrays(column, codes, mapped)


def _map_values(column: pa.ChunkedArray | pa.Array, fn: Callable[[str], str]) -> pa.Array:
    distinct = pc.unique(column)
    mapped = pa.array([None if v is None else fn(v) for v in distinct.to_pylist()], pa.string())
    return _lookup_arrays(column, distinct, mapped)


def _lookup_arrays(column: pa.ChunkedArray | pa.Array, keys: pa.Array, values: pa.Array) -> pa.Array:
    index = pc.index_in(column, value_set=keys)
    out = pc.take(values, index)
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


@lru_cache(maxsize=16)
def _attribute(d: Dimension, column: str) -> dict[str, str]:
    """Code of ``d.needs`` → its ``column`` in that dimension's reference table (codes with none left out)."""
    source = dimension(d.needs or "").labels
    if source is None:
        raise DataNotAvailable(f"dimension {d.needs!r} has no reference table to derive {d.name!r} from")
    rows = reference.load(source.table).to_pylist()
    if rows and column not in rows[0]:
        raise DataNotAvailable(f"reference table {source.table!r} has no column {column!r} for {d.name!r}")
    return {r[source.code]: r[column] for r in rows if r[column]}


@lru_cache(maxsize=16)
def _scheme_members(d: Dimension, scheme: str) -> dict[str, str]:
    """Code of ``d.needs`` → member of ``d``, from the rows of its table whose ``grouping`` is ``scheme``."""
    assert d.labels is not None and d.needs is not None
    table = reference.load(d.labels.table).to_pylist()
    rows = [r for r in table if r["grouping"] == scheme]
    if not rows:
        known = sorted({r["grouping"] for r in table})
        raise DataNotAvailable(f"unknown {d.name} grouping {scheme!r}; known: {', '.join(known)}")
    return {r[d.needs]: r[d.labels.code] for r in rows}
