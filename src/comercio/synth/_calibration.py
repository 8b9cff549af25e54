"""Calibration targets for the synthetic twin and exact-to-the-cent allocation.

Targets are integer cents per ``(period, department)`` (BCRP's exports by department, "99" = not
registered) and, optionally, per ``(period, sector)`` (SUNAT G1). Lines are drawn heavy-tailed, scaled to
the target and the rounding residue is put on the largest line, so every department × month sums exactly
to its marginal in cents. Working in integer cents (not floats) is what makes "exact" testable.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from comercio.errors import ConfigError

Cell = tuple[dt.date, str]


def _key(label: str) -> str:
    text = unicodedata.normalize("NFKD", label.split(">")[-1]).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("-", " ").split())


@dataclass(frozen=True)
class Marginals:
    """Department × month targets in cents (``"99"`` = not registered) and optional sector × month ones."""

    departments: dict[Cell, int]
    sectors: dict[Cell, int] = field(default_factory=dict)

    def periods(self, start: dt.date, end: dt.date) -> list[dt.date]:
        first = start.replace(day=1)
        return sorted({p for p, _ in self.departments if first <= p <= end})

    def cells(self, period: dt.date) -> list[tuple[str, int]]:
        """(department, cents) of one month, departments in code order, zero targets left out."""
        return sorted((d, c) for (p, d), c in self.departments.items() if p == period and c > 0)

    def sector_shares(self, period: dt.date) -> dict[str, float]:
        """Normalised sector keys (accents and case folded, last path component) → share of the month."""
        items = {_key(s): c for (p, s), c in self.sectors.items() if p == period and c > 0}
        total = sum(items.values())
        return {k: v / total for k, v in items.items()} if total else {}


def _first_of_month(value: object, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        value = dt.date.fromisoformat(str(value)[:10])
    return value.replace(day=1)


def marginals_from_tables(dept: pa.Table, sector: pa.Table | None = None) -> Marginals:
    """Build :class:`Marginals` from tables with ``period, department, value_usd`` (and ``period, sector,
    value_usd``), e.g. the ``bcrp_departments`` and ``sunat_cuadros`` datasets. Values are rounded to cents;
    rows with the same cell are added up."""
    need = {"period", "department", "value_usd"}
    if not need <= set(dept.column_names):
        raise ConfigError(f"department marginals need columns {sorted(need)}, got {dept.column_names}")
    cells: dict[Cell, int] = {}
    for p, d, v in zip(
        *(dept.column(c).to_pylist() for c in ("period", "department", "value_usd")), strict=True
    ):
        if v is None:
            continue
        if v < 0:
            raise ConfigError(f"negative marginal {v} for department {d} in {p}", column="value_usd")
        key = (_first_of_month(p, "period"), str(d).zfill(2))
        cells[key] = cells.get(key, 0) + round(v * 100)
    sectors: dict[Cell, int] = {}
    if sector is not None:
        for p, s, v in zip(
            *(sector.column(c).to_pylist() for c in ("period", "sector", "value_usd")), strict=True
        ):
            if v is not None and v > 0:
                key = (_first_of_month(p, "period"), str(s))
                sectors[key] = sectors.get(key, 0) + round(v * 100)
    return Marginals(cells, sectors)


def allocate_counts(total: int, weights: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Split ``total`` lines over cells ∝ ``weights``: at least 1 each, at most ``caps`` (cents) each."""
    k = weights.shape[0]
    if total < k:
        raise ConfigError(
            f"{total} rows cannot cover {k} non-zero department × month cells", hint="ask for more rows"
        )
    share = weights / weights.sum()
    counts = np.maximum(1, np.floor(share * total)).astype(np.int64)
    counts = np.minimum(counts, caps)
    for _ in range(50):  # largest-remainder top-up / trim, respecting caps
        gap = total - int(counts.sum())
        if gap == 0:
            break
        room = (caps - counts) if gap > 0 else (counts - 1)
        order = np.argsort(-(share * total - counts) * np.sign(gap), kind="stable")
        order = order[room[order] > 0]
        if order.size == 0:
            break
        step = np.zeros(k, dtype=np.int64)
        take = order[: abs(gap)]
        step[take] = np.minimum(room[take], max(1, abs(gap) // max(1, take.size)))
        counts += step if gap > 0 else -step
    return counts


def split_cents(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer cents ∝ ``weights`` summing exactly to ``total``; each ≥ 1 cent; residue on the largest."""
    n = weights.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if total < n:
        raise ConfigError(f"cannot give {n} lines at least one cent out of {total} cents")
    free = total - n
    w = weights / weights.sum()
    cents = 1 + np.floor(w * free).astype(np.int64)
    cents[int(np.argmax(cents))] += total - int(cents.sum())
    return cents
