"""Synthetic twin of SUNAT's export microdata, calibrated exactly to department × month marginals.

``generate`` writes SUNAT-format export files (``x<YYYYMM>.zip`` / ``x<YYYY>.zip`` holding a latin-1
dBase III file, the layout :mod:`comercio.sources.sunat_microdata` reads) or Parquet with the canonical
``customs_lines`` columns, from a thousand to a hundred million lines, one chunk at a time (memory stays
bounded), deterministically for a seed.

Calibration: lines are allocated to department × month cells in proportion to the number of declaration
lines each cell's value implies (mining departments move millions per line, fruit tens of thousands), line
values are drawn heavy-tailed (lognormal around each product's typical line value), scaled to the cell's
target and the rounding residue put on the largest line: each cell sums *exactly* to its marginal in cents.
Lines of the ``"99"`` (BCRP "No registrado") marginal are the ones written with an empty UBIGEO, so after
reading them back (empty UBIGEO → department 99) the department × month sums reproduce the marginals.

Everything written is labelled synthetic: a ``SYNTH`` field (``S``) in each DBF record, ``synthetic=True``
in Parquet, and a ``LEEME_DATOS_SINTETICOS.txt`` (README) in ``out`` saying "datos sintéticos".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from comercio.errors import ConfigError
from comercio.sources import Parsed, build_batch, const, weekly
from comercio.synth import _profiles as prof
from comercio.synth._calibration import Marginals, allocate_counts, marginals_from_tables, split_cents
from comercio.synth._dbfwrite import digits, layout, write_dbf_zip
from comercio.synth._lines import Chunk, LineState, draw_chunk, lines_per_usd

__all__ = ["EXPORT_FIELDS", "Marginals", "SynthResult", "generate", "marginals_from_tables"]

EXPORT_FIELDS = layout(
    [("CADU", "C", 3, 0), ("FANO", "C", 4, 0), ("NDCL", "C", 8, 0), ("NSER", "N", 4, 0), ("FNUM", "D", 8, 0),
     ("FEMB", "D", 8, 0), ("NDOC", "C", 11, 0), ("UBIGEO", "C", 6, 0), ("PART_NANDI", "C", 10, 0),
     ("CPAIDES", "C", 2, 0), ("CPUEDES", "C", 5, 0), ("CVIATRA", "C", 2, 0), ("VFOBSERDOL", "N", 15, 2),
     ("VPESNET", "N", 15, 3), ("VPESBRU", "N", 15, 3), ("QUNIFIS", "N", 15, 3), ("TUNIFIS", "C", 3, 0),
     ("DCOM", "C", 40, 0), ("SYNTH", "C", 1, 0)]
)  # fmt: skip
README = (
    "DATOS SINTÉTICOS — synthetic data.\n"
    "Estos archivos fueron generados por comercio.synth.customs (semilla {seed}). No son declaraciones\n"
    "reales de SUNAT: imitan su formato y están calibrados a totales publicados\n"
    "(departamento × mes, exactos al centavo).\n"
    "Cada registro lleva el campo SYNTH='S' (Parquet: synthetic=True).\n"
)


@dataclass(frozen=True)
class SynthResult:
    """What ``generate`` wrote: the files, the number of lines and their total value (US$, exact cents)."""

    files: tuple[Path, ...]
    rows: int
    total: float
    total_cents: int
    seed: int
    fmt: str


def _cat(labels: list[str], width: int) -> np.ndarray:
    """Latin-1 byte matrix of category labels, to be indexed by category codes."""
    return (
        np.array([s.encode("latin-1")[:width].ljust(width) for s in labels], dtype=f"S{width}")
        .view(np.uint8)
        .reshape(len(labels), width)
    )


_PRODUCT_CODES = [p.code for p in prof.PRODUCTS]
_PRODUCT_INT = np.array([int(c) for c in _PRODUCT_CODES], dtype=np.int64)
_DESC = _cat([p.description for p in prof.PRODUCTS], 40)
_PCODE = _cat(_PRODUCT_CODES, 10)
_UNITS = ["KG", "U"]


def _dbf_columns(c: Chunk) -> dict[str, Any]:
    n = c.n
    blank6 = np.full((n, 6), 0x20, dtype=np.uint8)
    ubigeo = np.where(c.ubigeo[:, None] > 0, digits(c.ubigeo, 6), blank6)
    mode2 = np.full((n, 2), ord("0"), dtype=np.uint8)
    mode2[:, 1] = c.mode + 48
    return {
        "CADU": digits(c.office, 3),
        "FANO": digits(c.year, 4),
        "NDCL": digits(c.number, 8),
        "NSER": c.series,
        "FNUM": c.days,
        "FEMB": c.days + 2,
        "NDOC": digits(c.trader, 11),
        "UBIGEO": ubigeo.astype(np.uint8),
        "PART_NANDI": _PCODE[c.product],
        "CPAIDES": _cat(c.partner_labels, 2)[c.partner],
        "CVIATRA": mode2,
        "VFOBSERDOL": c.cents / 100.0,
        "VPESNET": c.net_kg,
        "VPESBRU": np.round(c.net_kg * 1.04, 3),
        "QUNIFIS": c.quantity,
        "TUNIFIS": _cat(_UNITS, 3)[c.unit],
        "DCOM": _DESC[c.product],
        "SYNTH": np.full((n, 1), ord("S"), dtype=np.uint8),
    }


def _canonical(c: Chunk, source: str, file_date: dt.date | None) -> pa.RecordBatch:
    """The same lines as the reader would return them from the DBF (shared builder, identical output)."""
    p = Parsed(n=c.n)
    p.num = {
        "date": c.days, "office": c.office, "year": c.year, "number": c.number, "series": c.series,
        "product": _PRODUCT_INT[c.product], "dept": np.where(c.ubigeo > 0, c.ubigeo // 10**4, 99),
        "unattributed": c.ubigeo == 0, "fob": c.cents / 100.0, "net_kg": c.net_kg, "quantity": c.quantity,
    }  # fmt: skip
    p.txt = {
        "partner": pa.array(c.partner_labels).take(pa.array(c.partner)),
        "mode": pa.array([str(i) for i in range(10)]).take(pa.array(c.mode)),
        "trader": pa.array(digits(c.trader, 11).view("S11").ravel().astype(str)),
        "unit": pa.array(_UNITS).take(pa.array(c.unit)),
        "synth": const("S", c.n),
    }
    return build_batch(p, "X", source, file_date=file_date)


def _plan(
    rows: int, marginals: Marginals, start: dt.date, end: dt.date
) -> list[tuple[dt.date, str, int, int]]:
    """(period, department, cents, lines) for every non-zero cell in the window."""
    cells = [(p, d, cents) for p in marginals.periods(start, end) for d, cents in marginals.cells(p)]
    if not cells:
        raise ConfigError(f"no non-zero marginals between {start} and {end}")
    weights = np.array([cents * lines_per_usd(d) for _, d, cents in cells], dtype=np.float64)
    caps = np.array([cents for _, _, cents in cells], dtype=np.int64)
    counts = allocate_counts(rows, weights, caps)
    return [(p, d, cents, int(k)) for (p, d, cents), k in zip(cells, counts, strict=True)]


def _chunks(
    plan: list[tuple[dt.date, str, int, int]],
    seed: int,
    chunk_rows: int,
    state: LineState,
    marginals: Marginals,
) -> Iterator[Chunk]:
    for period, dept, cents, lines in plan:
        parts = -(-lines // chunk_rows)
        sizes = np.full(parts, lines // parts, dtype=np.int64)
        sizes[: lines % parts] += 1
        part_cents = split_cents(cents, sizes.astype(np.float64)) if parts > 1 else np.array([cents])
        for i in range(parts):
            rng = np.random.default_rng([seed, period.year * 100 + period.month, int(dept), i])
            yield draw_chunk(rng, period, dept, int(sizes[i]), int(part_cents[i]), state, marginals)


def generate(
    rows: int,
    seed: int,
    out: Path,
    *,
    fmt: Literal["dbf", "parquet"] = "dbf",
    marginals: Marginals,
    start: dt.date,
    end: dt.date,
    files: Literal["monthly", "yearly"] = "monthly",
    chunk_rows: int = 250_000,
) -> SynthResult:
    """Write ``rows`` synthetic export lines for ``start``..``end``, calibrated to ``marginals``.

    Deterministic for ``seed``; memory is bounded by ``chunk_rows`` lines at a time.
    """
    if fmt not in ("dbf", "parquet") or files not in ("monthly", "yearly"):
        raise ConfigError(f"fmt must be dbf|parquet and files monthly|yearly, got {fmt!r}, {files!r}")
    if not 1 <= rows <= 10**9:
        raise ConfigError(f"rows must be between 1 and 1e9, got {rows}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "LEEME_DATOS_SINTETICOS.txt").write_text(README.format(seed=seed), encoding="utf-8")
    plan = _plan(rows, marginals, start, end)
    groups: dict[str, list[tuple[dt.date, str, int, int]]] = {}
    for cell in plan:
        stem = f"x{cell[0]:%Y%m}" if files == "monthly" else f"x{cell[0]:%Y}"
        groups.setdefault(stem, []).append(cell)
    state = LineState(seed)
    written: list[Path] = []
    total_cents = 0
    for stem, cells in groups.items():
        n = sum(c[3] for c in cells)
        total_cents += sum(c[2] for c in cells)
        last = max(c[0] for c in cells)
        if fmt == "dbf":
            path = out / f"{stem}.zip"
            blocks = (_dbf_columns(c) for c in _chunks(cells, seed, chunk_rows, state, marginals))
            write_dbf_zip(
                path, f"{stem}.dbf", EXPORT_FIELDS, n, blocks, last_update=(last.year, last.month, 1)
            )
        else:
            path = out / f"{stem}.parquet"
            named = weekly.parse(stem)  # the period the DBF's name would give (file_date)
            with pq.ParquetWriter(path, _schema(), compression="zstd") as writer:
                for c in _chunks(cells, seed, chunk_rows, state, marginals):
                    writer.write_batch(_canonical(c, path.name, named.last if named else None))
        written.append(path)
    return SynthResult(tuple(written), sum(c[3] for c in plan), total_cents / 100, total_cents, seed, fmt)


def _schema() -> pa.Schema:
    from comercio.warehouse.schema import CUSTOMS_LINES

    return CUSTOMS_LINES.schema
