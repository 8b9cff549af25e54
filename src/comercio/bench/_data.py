"""Benchmark inputs: synthetic SUNAT export lines calibrated to the real BCRP department × month totals.

Inputs are generated once per size and seed into the bench work directory and reused by later runs (a
``ready.json`` marker says a directory is complete), because generating 10⁸ lines takes far longer than
computing on them. Generation time is recorded but never counted in a system's wall time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from comercio.config import Settings
from comercio.errors import SourceError
from comercio.sources.bcrp import read_bcrp
from comercio.synth.customs import Marginals, generate, marginals_from_tables
from comercio.warehouse import Provenance, Warehouse
from comercio.warehouse.loads import FileRef

BCRP_CSV = Path("bcrp/exports_by_department_monthly_2005_2022.csv")
START = dt.date(2019, 1, 1)  # three complete years before the report year, for records and comparisons
THROUGH = dt.date(2022, 6, 1)  # the report month: YTD Jan–Jun 2022 against Jan–Jun 2021


def shared_data() -> Path:
    """The read-only official data folder (``COMERCIO_SHARED_DATA`` or ``../shared/data``)."""
    env = os.environ.get("COMERCIO_SHARED_DATA")
    return Path(env) if env else Path.cwd().parent / "shared" / "data"


def bcrp_marginals(shared: Path | None = None) -> Marginals:
    """Department × month targets from BCRP's real exports-by-department CSV (months START..THROUGH)."""
    path = (shared or shared_data()) / BCRP_CSV
    if not path.exists():
        raise SourceError(
            "the BCRP department CSV is needed to calibrate the synthetic lines",
            file=path,
            hint="set COMERCIO_SHARED_DATA to the shared data folder",
        )
    records = read_bcrp(path).records
    return marginals_from_tables(records)


def cached(directory: Path) -> dict[str, Any] | None:
    """What :func:`mark_ready` recorded for ``directory``, or None when its inputs are not (all) there."""
    marker = directory / "ready.json"
    if marker.exists():
        data: dict[str, Any] = json.loads(marker.read_text(encoding="utf-8"))
        return data
    return None


def mark_ready(directory: Path, info: dict[str, Any]) -> None:
    """Say ``directory``'s inputs are complete (written last, so an interrupted preparation is redone)."""
    (directory / "ready.json").write_text(json.dumps(info), encoding="utf-8")


def _batches(files: list[Path]) -> Iterator[pa.RecordBatch]:
    for f in files:
        yield from pq.ParquetFile(f).iter_batches(batch_size=250_000)


def prepare_regional(rows: int, seed: int, work: Path, marginals: Marginals) -> dict[str, Any]:
    """A warehouse whose only export dataset is ``rows`` synthetic ``customs_lines`` (no BCRP loaded).

    Returns ``home`` (the warehouse directory), ``files`` (its Parquet files, read by the hand-written
    systems), ``through`` and the generation and load times.
    """
    base = work / f"regional-{rows}-s{seed}"
    done = cached(base)
    if done is not None:
        return done
    shutil.rmtree(base, ignore_errors=True)
    synth_dir, home = base / "synth", base / "home"
    t0 = time.perf_counter()
    result = generate(rows, seed, synth_dir, fmt="parquet", marginals=marginals, start=START, end=THROUGH)
    t1 = time.perf_counter()
    wh = Warehouse(Settings(home=home))
    tag = hashlib.sha256(f"synth customs {rows} {seed} {START} {THROUGH}".encode()).hexdigest()
    prov = Provenance(
        source="synthetic",
        files=(FileRef(name=f"synthetic-{rows}-s{seed}", sha256=tag),),
        parser="comercio.synth.customs",
        synthetic=True,
    )
    wh.load("customs_lines", "synthetic", _batches(sorted(result.files)), prov)
    t2 = time.perf_counter()
    shutil.rmtree(synth_dir, ignore_errors=True)  # the warehouse holds its own copy
    info = {
        "rows": result.rows,
        "seed": seed,
        "home": str(home.resolve()),
        "files": [str(p.resolve()) for p in wh.files("customs_lines")],
        "through": THROUGH.isoformat(),
        "start": START.isoformat(),
        "total_usd": result.total,
        "generate_s": round(t1 - t0, 2),
        "load_s": round(t2 - t1, 2),
        "bytes": sum(p.stat().st_size for p in wh.files("customs_lines")),
    }
    mark_ready(base, info)
    return info
