"""Ingest SUNAT microdata files (``x*.zip`` exports, ``ma*.zip`` imports, or Parquet written by the synthetic
twin) into ``customs_lines``, one vintage per file, streamed in bounded memory.

Registered as source ``sunat-microdata`` in :data:`comercio.ingest.EXTRA_INGESTERS`. With ``quarantine``, bad
lines are set aside and their count and value reported instead of failing the whole load.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from comercio.errors import ConfigError
from comercio.ingest import EXTRA_INGESTERS, PARSER_VERSION, IngestReport, skip_unchanged
from comercio.warehouse import Provenance, Warehouse, file_ref

SOURCE = "sunat-microdata"
DECODERS = 2  # files decoded at once
DATASET = "customs_lines"


def _parquet_batches(path: Path) -> Iterator[pa.RecordBatch]:
    yield from pq.ParquetFile(path).iter_batches(batch_size=500_000)


def _is_synthetic(path: Path) -> bool:
    if path.suffix == ".parquet":
        col = pq.read_table(path, columns=["synthetic"]).column("synthetic")
        return bool(col.to_pylist()[:1] == [True])
    return (path.parent / "LEEME_DATOS_SINTETICOS.txt").exists()


def ingest_microdata(wh: Warehouse, paths: list[Path], *, quarantine: bool = False) -> IngestReport:
    """Load each file in ``paths`` as one vintage of ``customs_lines`` (slice = file stem)."""
    if not paths:
        raise ConfigError("sunat-microdata needs file paths (x*.zip, ma*.zip or synthetic *.parquet)")
    with wh.catalog.session():
        return _ingest_all(wh, sorted(Path(p) for p in paths), quarantine)


@dataclass(frozen=True)
class _Pending:
    path: Path
    slice_: str
    provenance: Provenance


def _decode(path: Path, quarantine: bool) -> tuple[list[pa.RecordBatch], Any]:
    """Read a whole DBF zip into Arrow batches (in a worker thread: decompression and numpy decoding
    release the GIL, so two files decode at once on two cores)."""
    from comercio.sources.sunat_microdata import iter_microdata

    stream = iter_microdata(path, quarantine=quarantine)
    return list(stream), stream.quarantine


def _ingest_all(wh: Warehouse, paths: list[Path], quarantine: bool) -> IngestReport:
    report = IngestReport(SOURCE)
    pending: list[_Pending] = []
    for path in paths:
        prov = Provenance(
            SOURCE, (file_ref(path),), f"{SOURCE}/{PARSER_VERSION}", synthetic=_is_synthetic(path)
        )
        slice_ = f"microdata-{path.stem}"
        same = skip_unchanged(wh, DATASET, slice_, prov)
        if same is not None:
            report.results.append(same)
        elif path.suffix == ".parquet":
            report.results.append(wh.load(DATASET, slice_, _parquet_batches(path), prov))
        else:
            pending.append(_Pending(path, slice_, prov))
    # Decode up to DECODERS files ahead while the main thread writes the previous one; each file is still
    # its own atomic vintage, loaded in order. Memory: at most DECODERS + 1 decoded files at a time.
    with ThreadPoolExecutor(max_workers=DECODERS) as pool:
        window: deque[tuple[_Pending, Future[tuple[list[pa.RecordBatch], Any]]]] = deque()
        queue = iter(pending)
        for item in islice(queue, DECODERS):
            window.append((item, pool.submit(_decode, item.path, quarantine)))
        while window:
            item, future = window.popleft()
            batches, q = future.result()
            nxt = next(queue, None)
            if nxt is not None:
                window.append((nxt, pool.submit(_decode, nxt.path, quarantine)))
            report.results.append(wh.load(DATASET, item.slice_, batches, item.provenance))
            if q is not None and q.count:
                report.notes.append(f"{item.path.name}: {q.count} lines quarantined, US$ {q.value_usd:,.2f}")
            if item.provenance.synthetic:
                report.notes.append(f"{item.path.name}: datos sintéticos / synthetic data")
    return report


EXTRA_INGESTERS[SOURCE] = ingest_microdata

__all__ = ["ingest_microdata"]
