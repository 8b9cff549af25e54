"""Parquet files of customs lines (what the synthetic twin writes), checked before they are streamed.

A corrupt file, a Parquet file of another table or one whose columns have other types is refused with the
file's name and the columns at fault, never with the Arrow library's own traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from comercio.errors import ParseError
from comercio.sources._text import check_file
from comercio.warehouse.schema import CUSTOMS_LINES

_ARROW_ERRORS = (pa.ArrowException, OSError, ValueError)
_CORRUPT = "not a readable Parquet file (corrupt, cut short or not Parquet)"


def _same_type(got: pa.DataType, want: pa.DataType) -> bool:
    texts = (pa.string(), pa.large_string())
    return got == want or (got in texts and want in texts)


def open_lines(path: Path) -> pq.ParquetFile:
    """Open a Parquet file of ``customs_lines`` and check its schema (columns and types)."""
    check_file(path)
    try:
        parquet = pq.ParquetFile(path)
        schema = parquet.schema_arrow
    except _ARROW_ERRORS:
        raise ParseError(_CORRUPT, file=path.name) from None
    missing = [c for c in CUSTOMS_LINES.columns if c not in schema.names]
    extra = [c for c in schema.names if c not in CUSTOMS_LINES.columns]
    if missing or extra:
        said = [
            f"missing {', '.join(missing)}" if missing else "",
            f"unexpected {', '.join(extra)}" if extra else "",
        ]
        raise ParseError(
            f"not a file of customs lines: columns {'; '.join(s for s in said if s)}",
            file=path.name,
            column=(missing or extra)[0],
        )
    for want in CUSTOMS_LINES.schema:
        got = schema.field(want.name).type
        if not _same_type(got, want.type):
            raise ParseError(f"column has type {got}, expected {want.type}", file=path.name, column=want.name)
    return parquet


def is_synthetic(parquet: pq.ParquetFile, file: str) -> bool:
    """Whether the file's first line is labelled synthetic."""
    if parquet.metadata.num_rows == 0:
        return False
    try:
        first = parquet.read_row_group(0, columns=["synthetic"]).column("synthetic")
    except _ARROW_ERRORS:
        raise ParseError(_CORRUPT, file=file, column="synthetic") from None
    return bool(first.to_pylist()[:1] == [True])


def iter_lines(parquet: pq.ParquetFile, file: str, batch_rows: int = 500_000) -> Iterator[pa.RecordBatch]:
    """The file's record batches; damaged data met while streaming is a ParseError naming the file."""
    try:
        yield from parquet.iter_batches(batch_size=batch_rows)
    except _ARROW_ERRORS:
        raise ParseError(_CORRUPT, file=file) from None
