"""Monthly calibration targets of the weekly twin, from BCRP's departments and SUNAT's cuadros G1 and F1.

Exports, per month:
- where BCRP has the month (to 2022-12), department × month = BCRP's cells (``"99"`` = "No registrado"),
  exact in cents;
- after it, the month's national total = SUNAT G1 level 0, exact in cents, split across departments by the
  shares of the same calendar month of BCRP's last year ("No registrado" left out: the producer UBIGEO is
  filled from 2023, see :mod:`comercio.synth._quirks` for its coverage by year);
- across G1 sectors (level 2, plus level-1 rows without children), by raking department × sector with
  iterative proportional fitting, seeded with the product profiles' sectors of each department: department
  totals stay exact in cents; sector totals match G1's rescaled to the month's total (to the rounding of
  the cells' cents, measured below a millionth of the month). G1's rows without any product in the profiles
  ("III. Otros", ~0.3 %) are spread over the others by that rescaling, and in BCRP's months G1's sectors
  are rescaled to BCRP's total.
Imports, per month: F1 level 0 (CIF), exact in cents, split across the CUODE use groups (F1 level 1) in
proportion to their published values (matched to the cent up to that rounding).
A month after the last one a cuadro publishes takes the same calendar month of the latest year it has, so
the twin can run up to today; those months are substitutes, listed in :attr:`Targets.substitutes`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from comercio.errors import DataNotAvailable
from comercio.synth import _imports as imp
from comercio.synth import _profiles as prof
from comercio.synth._calibration import _key, marginals_from_tables

_TRADITIONAL_FISH = {"2301201100", "1504201000"}  # fishmeal and fish oil are G1's "Pesquero tradicional"
_LABEL = {"pesquero": "pesquero no tradicional", "maderas y papeles": "resto", "agricola": "agricola"}
MIN_CELL_SHARE = 1e-4  # department × sector cells below this share of the department are dropped


def g1_sector(product: prof.Product) -> str:
    """The G1 sector key (level 2) a product's value counts in."""
    if product.code in _TRADITIONAL_FISH:
        return "pesquero tradicional"
    key = _key(product.sector)
    return _LABEL.get(key, key)


SECTORS = sorted({g1_sector(p) for p in prof.PRODUCTS})
_PSECTOR = np.array([SECTORS.index(g1_sector(p)) for p in prof.PRODUCTS])
_INDEX = {p.code: i for i, p in enumerate(prof.PRODUCTS)}


@dataclass
class Targets:
    """Cells in cents: exports (period, department, sector), imports (period, use group)."""

    exports: list[tuple[dt.date, str, str, int]] = field(default_factory=list)
    imports: list[tuple[dt.date, str, int]] = field(default_factory=list)
    substitutes: dict[str, dt.date] = field(default_factory=dict)  # "G1 2025-06" → month used


def round_split(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer parts ∝ ``weights`` summing exactly to ``total`` (largest remainder; zeros allowed)."""
    w = np.asarray(weights, dtype=np.float64)
    if total == 0 or w.sum() <= 0:
        return np.zeros(w.shape[0], dtype=np.int64)
    raw = w / w.sum() * total
    out = np.floor(raw).astype(np.int64)
    rest = total - int(out.sum())
    out[np.argsort(-(raw - out), kind="stable")[:rest]] += 1
    return out


def rake(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, iterations: int = 100) -> np.ndarray:
    """Iterative proportional fitting of ``seed`` to row and column sums (zeros stay zero)."""
    m = seed.astype(np.float64).copy()
    for _ in range(iterations):
        r = m.sum(axis=1)
        m *= np.divide(rows, r, out=np.zeros_like(r), where=r > 0)[:, None]
        c = m.sum(axis=0)
        m *= np.divide(cols, c, out=np.zeros_like(c), where=c > 0)[None, :]
    r = m.sum(axis=1)
    return m * np.divide(rows, r, out=np.zeros_like(r), where=r > 0)[:, None]


def cell_mix(dept: str, sector: str) -> tuple[np.ndarray, np.ndarray]:
    """Products (indices into PRODUCTS) and value shares of a department × sector cell."""
    mix = prof.DEPARTMENT_MIX.get(dept, prof.DEPARTMENT_MIX["99"])
    s = SECTORS.index(sector)
    own = [(_INDEX[c], v) for c, v in mix.items() if _PSECTOR[_INDEX[c]] == s]
    if not own:
        own = [(int(i), 1.0) for i in np.flatnonzero(s == _PSECTOR)]
    idx = np.array([i for i, _ in own])
    share = np.array([v for _, v in own], dtype=np.float64)
    return idx, share / share.sum()


def _seed(depts: list[str]) -> np.ndarray:
    seed = np.full((len(depts), len(SECTORS)), 1e-6)
    for i, d in enumerate(depts):
        for code, v in prof.DEPARTMENT_MIX.get(d, prof.DEPARTMENT_MIX["99"]).items():
            seed[i, _PSECTOR[_INDEX[code]]] += v
    return seed


class _Cuadro:
    """One cuadro's rows by month: level-0 total and the leaf rows used for the split."""

    def __init__(self, rows: pa.Table, table: str, leaf_level: int) -> None:
        t = rows.filter(pc.equal(rows["table"], table)).to_pylist()
        self.name = table
        self.total: dict[dt.date, float] = {}
        self.parts: dict[dt.date, dict[str, float]] = {}
        paths = {r["path"] for r in t}
        for r in t:
            if r["value_usd"] is None:
                continue
            period = r["period"].replace(day=1)
            if r["level"] == 0:
                self.total[period] = r["value_usd"]
            leaf = r["level"] == leaf_level or (
                0 < r["level"] < leaf_level and not any(p.startswith(r["path"] + " >") for p in paths)
            )
            if leaf:
                label = r["path"].split(" > ")[-1] if leaf_level > 1 else r["path"]
                self.parts.setdefault(period, {})[label] = r["value_usd"]

    def month(self, period: dt.date, targets: Targets) -> dt.date:
        """``period`` if published, else the same calendar month of the latest year that is."""
        if period in self.total:
            return period
        same = [p for p in self.total if p.month == period.month and p < period]
        if not same:
            raise DataNotAvailable(
                f"SUNAT cuadro {self.name} has no {period:%Y-%m} nor any earlier {period:%B}",
                hint="run `comercio build`",
            )
        targets.substitutes[f"{self.name} {period:%Y-%m}"] = max(same)
        return max(same)


def build_targets(months: list[dt.date], bcrp: pa.Table, cuadros: pa.Table, flows: str = "XM") -> Targets:
    """Targets for ``months`` from ``bcrp_departments`` and ``sunat_cuadros`` (tables G1 and F1) rows."""
    targets = Targets()
    if "X" in flows:
        _exports(months, bcrp, cuadros, targets)
    if "M" in flows:
        f1 = _Cuadro(cuadros, "F1", 1)
        for period in months:
            src = f1.month(period, targets)
            total = round(f1.total[src] * 100)
            parts = {imp.group_of(k): v for k, v in f1.parts.get(src, {}).items()}
            groups = sorted(g for g in parts if g is not None)
            for g, c in zip(groups, round_split(total, np.array([parts[g] for g in groups])), strict=True):
                if c > 0:
                    targets.imports.append((period, g, int(c)))
    return targets


def _exports(months: list[dt.date], bcrp: pa.Table, cuadros: pa.Table, targets: Targets) -> None:
    cells = marginals_from_tables(bcrp).departments
    published = sorted({p for p, _ in cells})
    last_year = max(p.year for p in published)
    g1 = _Cuadro(cuadros, "G1", 2)
    for period in months:
        if period in published:
            depts = sorted(d for (p, d), c in cells.items() if p == period and c > 0)
            rows = np.array([cells[(period, d)] for d in depts], dtype=np.int64)
            g1_month = period if period in g1.total else None
        else:
            g1_month = g1.month(period, targets)
            base = period.replace(year=last_year)
            depts = sorted(d for (p, d), c in cells.items() if p == base and c > 0 and d != "99")
            total = round(g1.total[g1_month] * 100)
            rows = round_split(total, np.array([cells[(base, d)] for d in depts], dtype=np.float64))
        seed = _seed(depts)
        parts = {_key(k): v for k, v in g1.parts.get(g1_month, {}).items()} if g1_month else {}
        cols = np.array([parts.get(s, 0.0) for s in SECTORS])
        if cols.sum() > 0:
            cols *= rows.sum() / cols.sum()
            fitted = rake(seed, rows.astype(np.float64), cols)
            fitted[fitted < MIN_CELL_SHARE * fitted.sum(axis=1, keepdims=True)] = 0.0
            fitted = rake(fitted, rows.astype(np.float64), cols)
        else:
            fitted = seed * (rows / seed.sum(axis=1))[:, None]
        for d, total_d, weights in zip(depts, rows, fitted, strict=True):
            for s, c in zip(SECTORS, round_split(int(total_d), weights), strict=True):
                if c > 0:
                    targets.exports.append((period, d, s, int(c)))
