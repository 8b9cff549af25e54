"""Ingest SUNAT microdata files (``x*.zip`` exports, ``ma*.zip`` imports, or Parquet written by the synthetic
twin) into ``customs_lines``, one vintage per file, streamed in bounded memory.

Registered as source ``sunat-microdata`` in :data:`comercio.ingest.EXTRA_INGESTERS`. With ``quarantine``, bad
lines are set aside and their count and value reported instead of failing the whole load.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from comercio.errors import ConfigError
from comercio.ingest import EXTRA_INGESTERS, PARSER_VERSION, IngestReport
from comercio.warehouse import LoadResult, Provenance, Warehouse, file_ref

SOURCE = "sunat-microdata"
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


def _ingest_all(wh: Warehouse, paths: list[Path], quarantine: bool) -> IngestReport:
    from comercio.sources.sunat_microdata import iter_microdata

    report = IngestReport(SOURCE)
    for path in paths:
        synthetic = _is_synthetic(path)
        prov = Provenance(SOURCE, (file_ref(path),), f"{SOURCE}/{PARSER_VERSION}", synthetic=synthetic)
        slice_ = f"microdata-{path.stem}"
        same = wh.loader.unchanged(DATASET, slice_, prov)
        if same is not None:
            report.results.append(LoadResult(DATASET, slice_, "unchanged", same))
            continue
        if path.suffix == ".parquet":
            report.results.append(wh.load(DATASET, slice_, _parquet_batches(path), prov))
            continue
        stream = iter_microdata(path, quarantine=quarantine)
        report.results.append(wh.load(DATASET, slice_, stream, prov))
        q = stream.quarantine
        if q is not None and q.count:
            report.notes.append(f"{path.name}: {q.count} lines quarantined, US$ {q.value_usd:,.2f}")
        if synthetic:
            report.notes.append(f"{path.name}: datos sintéticos / synthetic data")
    return report


EXTRA_INGESTERS[SOURCE] = ingest_microdata

__all__ = ["ingest_microdata"]
