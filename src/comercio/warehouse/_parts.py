"""The Parquet files of one vintage being written (rolled by size, one series per partition value)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from comercio.warehouse import schema

ROWS_PER_FILE = 5_000_000
PLAIN = frozenset({"declaration"})
"""Text columns nearly unique within a file (a customs declaration per few lines): no dictionary."""


def dictionary_columns(schema_: pa.Schema) -> list[str]:
    """The columns written with a dictionary: not floating-point amounts (nearly all distinct, so a
    dictionary costs time and bytes) nor :data:`PLAIN`. Statistics stay on every column."""
    return [f.name for f in schema_ if not pa.types.is_floating(f.type) and f.name not in PLAIN]


class PartFiles:
    """Parquet files of one vintage: rolled every ``ROWS_PER_FILE`` rows, one series per partition value
    (e.g. ``part-year=2024-00000.parquet``) when the dataset is partitioned."""

    def __init__(self, directory: Path, schema_: pa.Schema | None, partition: str | None) -> None:
        self.directory, self.schema, self.partition = directory, schema_, partition
        self.writers: dict[Any, tuple[pq.ParquetWriter, int, int]] = {}  # key → (writer, part, rows)
        self.empty = True

    def write(self, table: pa.Table) -> None:
        if self.schema is None:
            self.schema = table.schema
        if table.num_rows == 0:
            return
        self.empty = False
        if self.partition is None:
            self._write(None, table)
            return
        column = table.column(self.partition)
        for key in pc.unique(column).to_pylist():
            self._write(key, table.filter(pc.equal(column, key)))

    def _write(self, key: Any, table: pa.Table) -> None:
        writer, part, rows = self.writers.get(key, (None, -1, ROWS_PER_FILE))
        if writer is None or rows >= ROWS_PER_FILE:
            if writer is not None:
                writer.close()
            part += 1
            label = "" if key is None else f"{self.partition}={key}-"
            assert self.schema is not None
            writer, rows = (
                pq.ParquetWriter(
                    self.directory / f"part-{label}{part:05d}.parquet",
                    self.schema,
                    use_dictionary=dictionary_columns(self.schema),
                ),
                0,
            )
        writer.write_table(table)
        self.writers[key] = (writer, part, rows + table.num_rows)

    def close(self) -> None:
        for writer, _, _ in self.writers.values():
            writer.close()
        self.writers.clear()


def safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "_"


def value_total(table: pa.Table, spec: schema.DatasetSpec | None) -> float:
    """The batch's part of the vintage's value total: a tree table's top level, and only the rows the
    dataset's ``total`` selects (so aggregates are not added to their parts)."""
    keep = [pc.equal(table["level"], 0)] if "level" in table.column_names else []
    keep += [pc.equal(table[c], v) for c, v in (spec.total.items() if spec is not None else ())]
    values = table["value_usd"]
    if keep:
        values = values.filter(functools.reduce(pc.and_, keep))
    return float(pc.sum(values).as_py() or 0.0)
