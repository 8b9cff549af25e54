"""Synthetic twin of SUNAT's *weekly* customs files: exports and imports as they really are published.

``generate_weekly`` writes, for every Monday–Sunday week of a range, one export file ``x<DDddMMYY>.zip``
and one import file ``ma<DDddMMYY>.zip`` (names from :mod:`comercio.sources.weekly`), each a zip holding
one latin-1 dBase III file with SUNAT's field counts (44 / 58, see :mod:`comercio.synth._weekly_layout`)
and its quirks (:mod:`comercio.synth._quirks`: regularisation lag, UBIGEO coverage by year, masked natural
persons, corrections in later weeks, deleted records). It also writes ``exporter_regions_sintetico.csv``
(every non-masked exporter's department as a "tax address", agreeing with its producer UBIGEO about half
the time) and ``LEEME_DATOS_SINTETICOS.txt``.

Calibration (:mod:`comercio.synth._targets`): every line generated carries its calibrated value in its
latest version, so summed over *all* lines the targets hold exactly — exports by department × month (BCRP
to 2022-12, else the G1 month total split by BCRP's shares), imports' CIF by month (F1). Lines whose
regularisation (or whose correction) falls after the range are not yet published: they are not written,
and :attr:`FlowSummary.unpublished_cents` says how much value each month is still missing — what makes the
last month preliminary. The twin writes month after month and flushes each week's file once no later month
can add to it, so memory holds about two months of encoded records. Same seed, same bytes.

Rows are split 40 % exports, 60 % imports when both flows are written (import files are the larger ones).
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from comercio.errors import ConfigError, DataNotAvailable
from comercio.sources import weekly
from comercio.synth import _imports as imp
from comercio.synth import _quirks as q
from comercio.synth._calibration import Marginals, allocate_counts, split_cents
from comercio.synth._dbfwrite import encode, encode_block, write_dbf_zip
from comercio.synth._lines import _LINE_USD, EPOCH, Chunk, LineState, draw_chunk
from comercio.synth._targets import Targets, build_targets, cell_mix
from comercio.synth._weekly_layout import EXPORT_WEEKLY, IMPORT_WEEKLY, export_columns, import_columns

if TYPE_CHECKING:
    from comercio.warehouse import Warehouse

__all__ = ["FlowSummary", "WeeklyResult", "generate_weekly", "months_of", "targets_from_warehouse"]

EXPORT_SHARE = 0.4
_Cell = TypeVar("_Cell", bound=tuple)
REGIONS_FILE = "exporter_regions_sintetico.csv"
REGIONS_BASIS = "synthetic_register"
README = (
    "DATOS SINTÉTICOS — synthetic data.\n"
    "Archivos semanales generados por comercio.synth.weekly (semilla {seed}), semanas {first} a {last}.\n"
    "No son declaraciones reales de SUNAT: imitan sus archivos semanales (x*.zip exportaciones, 44 campos;\n"
    "ma*.zip importaciones, 58 campos) y están calibrados a totales publicados: exportaciones por\n"
    "departamento × mes (BCRP hasta 2022-12; después el total mensual del cuadro G1 repartido con las\n"
    "proporciones de BCRP) e importaciones CIF por mes (cuadro F1), exactos al centavo sobre todas las\n"
    "líneas generadas, en su última versión. Las líneas regularizadas después de la última semana aún no\n"
    "están publicadas. Cada registro lleva el campo SYNTH='S'.\n"
    "Exportaciones: los 36 campos documentados, SYNTH y RESERV1…RESERV7 (marcadores de posición de campos\n"
    "que la documentación no nombra). Importaciones: los 58 campos documentados sin COMM, más SYNTH.\n"
    "exporter_regions_sintetico.csv: departamento de cada exportador (domicilio fiscal sintético).\n"
    "{substitutes}"
)


@dataclass
class FlowSummary:
    """One flow's lines: generated (calibrated), written, and the value each month still lacks."""

    lines: int = 0
    records: int = 0  # live records written, first versions of corrected lines included
    corrections: int = 0
    deleted: int = 0
    masked: int = 0
    target_cents: dict[dt.date, int] = field(default_factory=dict)
    unpublished_cents: dict[dt.date, int] = field(default_factory=dict)


@dataclass
class WeeklyResult:
    files: tuple[Path, ...]
    flows: dict[str, FlowSummary]
    regions: Path | None
    seconds: float
    substitutes: dict[str, dt.date]

    @property
    def rows(self) -> int:
        return sum(s.lines for s in self.flows.values())


class _Weeks:
    """Pending encoded records by week; a week's file is written once no later month can add to it."""

    def __init__(self, out: Path, flow: str, weeks: list[tuple[dt.date, dt.date]], fields: tuple) -> None:
        self.out, self.flow, self.weeks, self.fields = out, flow, weeks, fields
        self.monday0 = (weeks[0][0] - EPOCH).days
        self.last = len(weeks) - 1
        self.pending: dict[int, list[np.ndarray]] = {}
        self.done = 0
        self.files: list[Path] = []

    def index(self, days: np.ndarray) -> np.ndarray:
        return np.maximum(0, (days - self.monday0) // 7)

    def add(self, rows: np.ndarray, week: np.ndarray) -> None:
        if rows.shape[0] == 0:
            return
        order = np.argsort(week, kind="stable")
        rows, week = rows[order], week[order]
        bounds = np.flatnonzero(np.diff(week)) + 1
        for part, w in zip(np.split(rows, bounds), week[np.r_[0, bounds]], strict=True):
            self.pending.setdefault(int(w), []).append(part)

    def flush(self, until: dt.date | None) -> None:
        """Write every week ending on or before ``until`` (all remaining weeks when None)."""
        while self.done <= self.last and (until is None or self.weeks[self.done][1] <= until):
            first, last = self.weeks[self.done]
            blocks = self.pending.pop(self.done, [])
            path = self.out / weekly.file_name(self.flow, first, last)
            records = sum(b.shape[0] for b in blocks)
            member = path.stem + ".dbf"
            write_dbf_zip(
                path, member, self.fields, records, blocks, last_update=(last.year, last.month, last.day)
            )
            self.files.append(path)
            self.done += 1


def _route(
    files: _Weeks,
    summary: FlowSummary,
    rng: np.random.Generator,
    block: np.ndarray,
    regularised: np.ndarray,
    cents: np.ndarray,
    money: tuple[str, np.ndarray],
    period: dt.date,
) -> None:
    """Send a chunk's records to their weeks, with first versions of corrected lines and deleted copies."""
    week = files.index(regularised)
    fixed = q.corrections(rng, week, files.last)
    has = fixed >= 0
    dest = np.where(has, fixed, week)
    published = dest <= files.last
    summary.unpublished_cents[period] = summary.unpublished_cents.get(period, 0) + int(
        cents[~published].sum()
    )
    if has.any():
        f = next(f for f in files.fields if f.name == money[0])
        old = block[has].copy()
        old[:, f.offset : f.offset + f.length] = encode(f, q.first_values(rng, money[1][has]) / 100.0)
        files.add(old, week[has])
        summary.corrections += int(has.sum())
    gone = q.deleted(rng, block.shape[0]) & (week <= files.last)
    if gone.any():
        copy = block[gone].copy()
        copy[:, 0] = ord("*")
        files.add(copy, week[gone])
        summary.deleted += int(gone.sum())
    files.add(block[published], dest[published])
    summary.records += int(published.sum() + has.sum())


def _export_month(
    sink: _Weeks,
    summary: FlowSummary,
    period: dt.date,
    cells: list[tuple[int, tuple[dt.date, str, str, int, int]]],
    uncovered: float,
    state: LineState,
    seed: int,
    chunk_rows: int,
    step: Callable[[int], None],
) -> None:
    """Draw a month's cells (each calibrated on its own) and write them in batches of ``chunk_rows`` lines,
    so that a month of many small cells costs as little as one of a few large ones.

    ``uncovered``: the share of each cell's value written without UBIGEO (in BCRP's months its
    "No registrado" marginal, department 99, is what has none)."""
    pending: list[tuple[Chunk, bool]] = []
    batches = 0

    def emit() -> None:
        nonlocal batches
        rng = np.random.default_rng([seed, 3, period.year * 100 + period.month, batches])
        blank = np.concatenate([np.full(c.n, b) for c, b in pending])
        chunk = _concat([c for c, _ in pending])
        _emit_export(sink, summary, rng, chunk, period, blank)
        summary.lines += chunk.n
        step(chunk.n)
        pending.clear()
        batches += 1

    for n_cell, (p, dept, sector, cents, lines) in cells:
        summary.target_cents[p] = summary.target_cents.get(p, 0) + cents
        rng = np.random.default_rng([seed, 1, p.year * 100 + p.month, n_cell])
        parts = q.coverage_parts(rng, cents, lines, uncovered)
        chunks = [(b, *part) for k, v, b in parts for part in _parts(k, v, chunk_rows)]
        mix = cell_mix(dept, sector)
        for i, (blank, size, part) in enumerate(chunks):
            rng = np.random.default_rng([seed, 1, p.year * 100 + p.month, n_cell, i])
            pending.append((draw_chunk(rng, p, dept, size, part, state, Marginals({}), mix=mix), blank))
            if sum(c.n for c, _ in pending) >= chunk_rows:
                emit()
    if pending:
        emit()


def _concat(chunks: list[Chunk]) -> Chunk:
    """One chunk of several (same month; each starts a declaration with series 1)."""
    if len(chunks) == 1:
        return chunks[0]
    arrays: dict[str, Any] = {
        f.name: np.concatenate([getattr(c, f.name) for c in chunks])
        for f in fields(Chunk)
        if f.name not in ("n", "partner_labels")
    }
    return Chunk(n=sum(c.n for c in chunks), partner_labels=chunks[0].partner_labels, **arrays)


def _emit_export(
    files: _Weeks,
    summary: FlowSummary,
    rng: np.random.Generator,
    c: Chunk,
    period: dt.date,
    blank: np.ndarray,
) -> None:
    decl = np.cumsum(c.series == 1) - 1
    m = int(decl[-1]) + 1
    value = np.bincount(decl, weights=c.cents, minlength=m)
    c.ubigeo = np.where(blank, 0, c.ubigeo)
    masked = q.masked_declarations(rng, value, np.bincount(decl, minlength=m))
    c.trader = np.where(masked[decl], q.natural_persons(rng, m)[decl], c.trader)
    regularised = c.days + q.lag_days(rng, m)[decl]
    block = encode_block(EXPORT_WEEKLY, export_columns(c, regularised, masked[decl]))
    summary.masked += int(masked[decl].sum())
    _route(files, summary, rng, block, regularised, c.cents, ("VFOBSERDOL", c.cents), period)


def _emit_import(
    files: _Weeks, summary: FlowSummary, rng: np.random.Generator, c: imp.ImportChunk, period: dt.date
) -> None:
    m = int(c.decl[-1]) + 1
    regularised = c.days + q.lag_days(rng, m)[c.decl]
    block = encode_block(IMPORT_WEEKLY, import_columns(c, regularised))
    _route(files, summary, rng, block, regularised, c.cents, ("FOB_DOLPOL", c.fob), period)


def _parts(lines: int, cents: int, chunk_rows: int) -> list[tuple[int, int]]:
    parts = -(-lines // chunk_rows)
    sizes = np.full(parts, lines // parts, dtype=np.int64)
    sizes[: lines % parts] += 1
    money = split_cents(cents, sizes.astype(np.float64)) if parts > 1 else np.array([cents])
    return [(int(s), int(v)) for s, v in zip(sizes, money, strict=True)]


def _enough(rows: int, cells: int, what: str) -> None:
    if rows < cells:
        raise ConfigError(
            f"{rows:,} {what} lines cannot cover the range's {cells:,} calibration cells (a line each)",
            field="rows",
            hint="ask for more --rows (40 % of them are exports when both flows are written)",
        )


def _export_plan(targets: Targets, rows: int) -> list[tuple[dt.date, str, str, int, int]]:
    cells = targets.exports
    _enough(rows, len(cells), "export")
    weights = []
    for _, d, s, cents in cells:
        idx, share = cell_mix(d, s)
        weights.append(cents * float((share / _LINE_USD[idx]).sum()))
    counts = allocate_counts(rows, np.array(weights), np.array([c[3] for c in cells], dtype=np.int64))
    return [(*cell, int(k)) for cell, k in zip(cells, counts, strict=True)]


def _import_plan(targets: Targets, rows: int) -> list[tuple[dt.date, str, int, int]]:
    cells = targets.imports
    _enough(rows, len(cells), "import")
    weights = np.array([cents * imp.lines_per_usd(g) for _, g, cents in cells])
    counts = allocate_counts(rows, weights, np.array([c[2] for c in cells], dtype=np.int64))
    return [(*cell, int(k)) for cell, k in zip(cells, counts, strict=True)]


def _by_month(plan: list[_Cell]) -> dict[dt.date, list[tuple[int, _Cell]]]:
    """Cells (numbered in plan order, which seeds their random draws) grouped by month, oldest first."""
    out: dict[dt.date, list[tuple[int, _Cell]]] = {}
    for i, cell in enumerate(plan):
        out.setdefault(cell[0], []).append((i, cell))
    return dict(sorted(out.items()))


def _next_month(period: dt.date) -> dt.date:
    return (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months_of(first: dt.date, last: dt.date) -> list[dt.date]:
    """The months whose lines the weeks ``first`` … ``last`` publish: from the month of the first week's
    Sunday to that of the last one's (lines of the first month regularised before the first week, a few
    days' worth at most, go into the first file)."""
    weeks = weekly.weeks(first, last)
    if not weeks:
        raise ConfigError(f"no Monday–Sunday week ends between {first} and {last}", field="weeks")
    out, period = [], weeks[0][1].replace(day=1)
    while period <= weeks[-1][1]:
        out.append(period)
        period = _next_month(period)
    return out


def targets_from_warehouse(
    wh: Warehouse, first: dt.date, last: dt.date, flows: str = "XM"
) -> tuple[Targets, frozenset[dt.date]]:
    """Targets of the range's months from the warehouse (``comercio build``: BCRP, SUNAT G1 and F1), and
    the months BCRP's department marginals cover."""
    for name in ("bcrp_departments", "sunat_cuadros"):
        if not wh.has(name):
            raise DataNotAvailable(
                f"the weekly twin is calibrated on {name}, which the warehouse lacks",
                hint="run `comercio build`",
            )
    b = wh.table("bcrp_departments", "duckdb")
    bcrp = wh.execute(b.select("period", "department", "value_usd"), engine="duckdb")
    t = wh.table("sunat_cuadros", "duckdb")
    t = t.filter(t.table.isin(["G1", "F1"]) & (t.level <= 2))
    cuadros = wh.execute(t.select("table", "level", "path", "period", "value_usd"), engine="duckdb")
    months = months_of(first, last)
    covered = frozenset(
        p.replace(day=1)
        for p, v in zip(bcrp.column("period").to_pylist(), bcrp.column("value_usd").to_pylist(), strict=True)
        if v is not None
    )
    return build_targets(months, bcrp, cuadros, flows), covered


def generate_weekly(
    rows: int,
    seed: int,
    out: Path,
    *,
    first: dt.date,
    last: dt.date,
    targets: Targets,
    flows: str = "XM",
    bcrp_months: frozenset[dt.date] = frozenset(),
    chunk_rows: int = 200_000,
    advance: Callable[[int], None] | None = None,
) -> WeeklyResult:
    """Write the weekly files of every week whose Sunday falls in ``first`` … ``last``.

    ``targets`` come from :func:`comercio.synth._targets.build_targets` for the range's months;
    ``bcrp_months``: the months whose department marginals are BCRP's (their "99" lines go blank);
    ``advance(n)`` is called as lines are generated (a progress bar).
    """
    if not flows or set(flows) - {"X", "M"}:
        raise ConfigError(f"flows must be X, M or XM, got {flows!r}", field="flow")
    weeks = weekly.weeks(first, last)
    if not weeks:
        raise ConfigError(f"no Monday–Sunday week ends between {first} and {last}", field="weeks")
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    state = LineState(seed)
    step = advance or (lambda n: None)
    x_rows = rows if flows == "X" else (0 if flows == "M" else round(rows * EXPORT_SHARE))
    summaries: dict[str, FlowSummary] = {}
    files: list[Path] = []
    if "X" in flows:
        summary, sink = FlowSummary(), _Weeks(out, "X", weeks, EXPORT_WEEKLY)
        plan = _export_plan(targets, x_rows)
        for period, cells in _by_month(plan).items():
            uncovered = 0.0 if period in bcrp_months else 1.0 - q.coverage(period.year)
            _export_month(sink, summary, period, cells, uncovered, state, seed, chunk_rows, step)
            sink.flush(_next_month(period))
        sink.flush(None)
        summaries["X"], files = summary, files + sink.files
    if "M" in flows:
        summary, sink = FlowSummary(), _Weeks(out, "M", weeks, IMPORT_WEEKLY)
        mplan = _import_plan(targets, rows - x_rows)
        for period, mcells in _by_month(mplan).items():
            for n_cell, (p, group, cents, lines) in mcells:
                summary.target_cents[p] = summary.target_cents.get(p, 0) + cents
                for i, (size, part) in enumerate(_parts(lines, cents, chunk_rows)):
                    rng = np.random.default_rng([seed, 2, p.year * 100 + p.month, n_cell, i])
                    _emit_import(sink, summary, rng, imp.draw_imports(rng, p, group, size, part, state), p)
                    summary.lines += size
                    step(size)
            sink.flush(_next_month(period))
        sink.flush(None)
        summaries["M"], files = summary, files + sink.files
    regions = _write_regions(out / REGIONS_FILE, state, seed) if "X" in flows else None
    subs = "".join(
        f"Meses sin cuadro publicado, calibrados con el mismo mes de otro año: {k} ← {v:%Y-%m}\n"
        for k, v in sorted(targets.substitutes.items())
    )
    text = README.format(seed=seed, first=weeks[0][0], last=weeks[-1][1], substitutes=subs)
    (out / "LEEME_DATOS_SINTETICOS.txt").write_text(text, encoding="utf-8")
    return WeeklyResult(
        tuple(files), summaries, regions, time.perf_counter() - started, dict(targets.substitutes)
    )


def _write_regions(path: Path, state: LineState, seed: int) -> Path:
    """Each exporter's "tax address": its producer department half the time, else mostly Lima."""
    rows: dict[int, str] = {}
    for dept in sorted(k for k in state.pools if k.isdigit()):
        pool = state.pools[dept]
        rng = np.random.default_rng([seed, 13, int(dept)])
        u = rng.random(pool.size)
        other = rng.integers(1, 26, size=pool.size)
        own = dept if dept != "99" else "15"
        tax = np.where(u < 0.5, own, np.where(u < 0.9, "15", np.char.zfill(other.astype(str), 2)))
        for trader, d in zip(pool.tolist(), tax.tolist(), strict=True):
            rows.setdefault(trader, d)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["trader_id", "department", "basis"])
        for trader in sorted(rows):
            w.writerow([f"{trader:011d}", rows[trader], REGIONS_BASIS])
    return path
