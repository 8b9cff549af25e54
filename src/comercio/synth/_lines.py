"""Draw one chunk of synthetic declaration lines for a department × month cell (vectorised).

Lines are grouped into declarations (geometric number of series); a declaration shares its date, customs
office, transport mode, exporter, destination and ubigeo. Values are heavy-tailed around the product's
typical line value and then calibrated exactly to the cell's cents (:func:`split_cents`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from comercio.synth import _profiles as prof
from comercio.synth._calibration import Marginals, _key, split_cents

EPOCH = dt.date(1970, 1, 1)
_INDEX = {p.code: i for i, p in enumerate(prof.PRODUCTS)}
_LINE_USD = np.array([p.line_usd for p in prof.PRODUCTS])
_USD_PER_KG = np.array([p.usd_per_kg for p in prof.PRODUCTS])
_UNIT = np.array([1 if p.unit == "U" else 0 for p in prof.PRODUCTS])
_FAMILIES = sorted(prof.DESTINATIONS)
_FAMILY = np.array([_FAMILIES.index(p.family) for p in prof.PRODUCTS])
_SECTOR_KEY = [_key(p.sector) for p in prof.PRODUCTS]
PARTNERS = sorted({c for d in prof.DESTINATIONS.values() for c in d})
_DEST_P = np.array([[prof.DESTINATIONS[f].get(c, 0.0) for c in PARTNERS] for f in _FAMILIES])
_DEST_P /= _DEST_P.sum(axis=1, keepdims=True)
_AIR = np.array([prof.AIR_SHARE.get(f, 0.0) for f in _FAMILIES])
_CHANCAY_DAY = (dt.date.fromisoformat(prof.CHANCAY_FROM) - EPOCH).days


def _mix(dept: str) -> tuple[np.ndarray, np.ndarray]:
    mix = prof.DEPARTMENT_MIX.get(dept, prof.DEPARTMENT_MIX["99"])
    idx = np.array([_INDEX[c] for c in mix])
    share = np.array(list(mix.values()), dtype=np.float64)
    return idx, share / share.sum()


def lines_per_usd(dept: str) -> float:
    """Expected declaration lines per dollar of the department's mix (value share / typical line value)."""
    idx, share = _mix(dept)
    return float((share / _LINE_USD[idx]).sum())


@dataclass
class LineState:
    """What persists across chunks: declaration counters per office and year, exporter pools."""

    seed: int
    counters: dict[tuple[int, int], int] = field(default_factory=dict)
    pools: dict[str, np.ndarray] = field(default_factory=dict)

    def traders(self, dept: str) -> np.ndarray:
        if dept not in self.pools:
            rng = np.random.default_rng([self.seed, 7, int(dept)])
            self.pools[dept] = 20_000_000_000 + rng.choice(10**9, size=300, replace=False)
        return self.pools[dept]


@dataclass
class Chunk:
    n: int
    days: np.ndarray
    office: np.ndarray
    year: np.ndarray
    number: np.ndarray
    series: np.ndarray
    mode: np.ndarray
    trader: np.ndarray
    ubigeo: np.ndarray  # 0 = empty
    product: np.ndarray  # index into PRODUCTS
    partner: np.ndarray  # index into partner_labels
    cents: np.ndarray
    net_kg: np.ndarray
    quantity: np.ndarray
    unit: np.ndarray
    partner_labels: list[str] = field(default_factory=lambda: PARTNERS)


def _tilted(dept: str, period: dt.date, marginals: Marginals) -> tuple[np.ndarray, np.ndarray]:
    """Department mix, reweighted toward the month's sector shares when sector marginals are given."""
    idx, share = _mix(dept)
    target = marginals.sector_shares(period)
    if target:
        factor = np.array([target.get(_SECTOR_KEY[i], 0.0) for i in idx])
        if factor.sum() > 0:
            share = share * np.where(factor > 0, factor, factor[factor > 0].min()) / factor.max()
            share /= share.sum()
    return idx, share


def pick(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    """``size`` indices drawn with probabilities ∝ ``weights`` (inverse CDF; cheaper than ``rng.choice``)."""
    cdf = np.cumsum(weights)
    return np.minimum(np.searchsorted(cdf, rng.random(size) * cdf[-1], side="right"), weights.size - 1)


@lru_cache(maxsize=8)
def _zipf_cdf(size: int) -> np.ndarray:
    """Normalised CDF of a Zipf law (exponent 1.1) over ``size`` ranks: few exporters carry most lines."""
    cdf = np.cumsum(1.0 / np.arange(1, size + 1) ** 1.1)
    return cdf / cdf[-1]


def declarations(rng: np.random.Generator, n: int, p: float) -> tuple[int, np.ndarray, np.ndarray]:
    """``n`` lines grouped into declarations of geometric size (parameter ``p``): how many declarations,
    each line's declaration index and its series number (1, 2, … within the declaration)."""
    sizes = rng.geometric(p, size=n)
    m = int(np.searchsorted(np.cumsum(sizes), n) + 1)
    sizes = sizes[:m]
    sizes[-1] -= int(sizes.sum()) - n
    decl = np.repeat(np.arange(m), sizes)
    series = (np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes) + 1).astype(np.int64)
    return m, decl, series


def draw_chunk(
    rng: np.random.Generator,
    period: dt.date,
    dept: str,
    n: int,
    cents: int,
    state: LineState,
    marginals: Marginals,
    mix: tuple[np.ndarray, np.ndarray] | None = None,
) -> Chunk:
    """``n`` lines of one department and month summing exactly to ``cents``; ``mix`` (product indices,
    value shares) replaces the department's own mix when given."""
    idx, share = _tilted(dept, period, marginals) if mix is None else mix
    q = share / _LINE_USD[idx]
    q /= q.sum()
    m, decl, series = declarations(rng, n, 0.55)
    primary = idx[pick(rng, q, m)]
    other = idx[pick(rng, q, n)]
    product = np.where(rng.random(n) < 0.7, primary[decl], other)

    month_days = ((period.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - period).days
    first = (period - EPOCH).days
    day = first + rng.integers(0, month_days, size=m)
    opts = prof.offices_for(dept)
    w = np.array([o[2] for o in opts])
    chosen = pick(rng, w, m)
    office = np.array([int(o[0]) for o in opts])[chosen]
    mode = np.array([int(o[1]) for o in opts])[chosen]
    fam = _FAMILY[primary]
    air = rng.random(m) < _AIR[fam]
    office, mode = np.where(air, 235, office), np.where(air, 4, mode)
    chancay = (office == 118) & (day >= _CHANCAY_DAY) & (rng.random(m) < prof.CHANCAY_SHARE)
    office = np.where(chancay, 370, office)
    cum = _DEST_P[fam].cumsum(axis=1)
    partner = (rng.random(m)[:, None] > cum).sum(axis=1).clip(0, len(PARTNERS) - 1)
    pool = state.traders(dept)
    trader = pool[np.searchsorted(_zipf_cdf(pool.size), rng.random(m), side="right")]
    if dept == "99":
        ubigeo = np.zeros(m, dtype=np.int64)
    else:
        ubigeo = int(dept) * 10**4 + rng.integers(1, 6, size=m) * 100 + 1

    number = np.zeros(m, dtype=np.int64)
    year = period.year
    for off in np.unique(office):
        sel = np.flatnonzero(office == off)
        start = state.counters.get((int(off), year), 0)
        number[sel] = start + np.arange(1, sel.size + 1)
        state.counters[(int(off), year)] = start + sel.size

    weights = _LINE_USD[product] * rng.lognormal(0.0, 1.2, size=n)
    line_cents = split_cents(cents, weights)
    net_kg = np.round(line_cents / 100.0 / _USD_PER_KG[product] * rng.lognormal(0.0, 0.15, size=n), 3)
    unit = _UNIT[product]
    quantity = np.where(unit == 1, np.maximum(1.0, np.round(net_kg * 5)), net_kg)
    return Chunk(
        n=n, days=day[decl], office=office[decl], year=np.full(n, year, dtype=np.int64), number=number[decl],
        series=series, mode=mode[decl], trader=trader[decl], ubigeo=ubigeo[decl], product=product,
        partner=partner[decl], cents=line_cents, net_kg=net_kg, quantity=quantity, unit=unit,
    )  # fmt: skip
