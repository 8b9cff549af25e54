"""Import side of the synthetic twin: products by CUODE use group, origins, and one chunk of import lines.

Shapes, not statistics: real 10-digit subpartidas (the metalworking basket's chapters 73 and 82–90, tyres
4011101000, vehicles, machinery, steel, fuels, cereals, consumer goods), each with the CUODE group of table
F1 it counts in, a typical CIF value per line and an origin mix (China, the United States, Brazil …). The
acquisition country (``PAIS_ADQUI``) is the origin four times out of five, otherwise a trading hub. Each
line's CIF is exact in cents and split into FOB + freight + insurance, also in cents, so FOB + freight +
insurance = CIF holds on every line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from comercio.synth._calibration import split_cents
from comercio.synth._lines import EPOCH, LineState, declarations
from comercio.synth._profiles import CHANCAY_FROM, CHANCAY_SHARE

# F1 level-1 rows (CUODE use groups), matched on the start of their normalised label
GROUPS: dict[str, str] = {
    "bienes de consumo": "consumo",
    "materias primas": "intermedios",
    "bienes de capital": "capital",
    "diversos": "diversos",
}


@dataclass(frozen=True)
class ImportProduct:
    code: str  # 10-digit subpartida
    group: str  # CUODE use group (GROUPS values)
    origin: str  # origin family
    line_usd: float  # typical CIF of one line
    usd_per_kg: float
    unit: str
    description: str


_I = ImportProduct
IMPORT_PRODUCTS: tuple[ImportProduct, ...] = (
    _I("8703221000", "consumo", "auto", 6e4, 12.0, "U", "AUTOMOVIL 4X4 CILINDRADA 1000-1500 CM3"),
    _I("8517130000", "consumo", "asia", 8e4, 200.0, "U", "TELEFONOS INTELIGENTES"),
    _I("8528720000", "consumo", "asia", 4e4, 30.0, "U", "TELEVISORES EN COLORES"),
    _I("8418102000", "consumo", "asia", 3e4, 8.0, "U", "REFRIGERADORAS COMBINADAS"),
    _I("8711200000", "consumo", "asia", 3e4, 10.0, "U", "MOTOCICLETAS 50-250 CM3"),
    _I("3004902100", "consumo", "pharma", 5e4, 80.0, "KG", "MEDICAMENTOS ANESTESICOS"),
    _I("6203421000", "consumo", "asia", 2e4, 20.0, "U", "PANTALONES DE MEZCLILLA"),
    _I("6403919000", "consumo", "asia", 2e4, 25.0, "U", "CALZADO DE CUERO"),
    _I("1701991000", "consumo", "cereal", 1e5, 0.6, "KG", "AZUCAR REFINADA"),
    _I("2710121300", "intermedios", "fuel", 8e6, 0.9, "KG", "GASOLINAS PARA MOTORES"),
    _I("1001991000", "intermedios", "cereal", 1.5e6, 0.3, "KG", "TRIGO"),
    _I("1005901100", "intermedios", "cereal", 1.5e6, 0.25, "KG", "MAIZ AMARILLO DURO"),
    _I("2304000000", "intermedios", "cereal", 1e6, 0.5, "KG", "TORTA DE SOYA"),
    _I("1507100000", "intermedios", "cereal", 8e5, 1.0, "KG", "ACEITE DE SOYA EN BRUTO"),
    _I("3102101000", "intermedios", "chem", 5e5, 0.4, "KG", "UREA"),
    _I("3901100000", "intermedios", "chem", 1e5, 1.3, "KG", "POLIETILENO DE BAJA DENSIDAD"),
    _I("2815120000", "intermedios", "chem", 1e5, 0.5, "KG", "SODA CAUSTICA EN SOLUCION"),
    _I("7208360000", "intermedios", "steel", 3e5, 0.8, "KG", "LAMINADOS EN CALIENTE > 10 MM"),
    _I("7214200000", "intermedios", "steel", 2e5, 0.7, "KG", "BARRAS DE HIERRO CORRUGADAS"),
    _I("4011101000", "capital", "asia", 4e4, 3.5, "U", "NEUMATICOS RADIALES PARA AUTOMOVILES"),
    _I("8429520000", "capital", "machine", 2.5e5, 12.0, "U", "EXCAVADORAS GIRO 360"),
    _I("8429110000", "capital", "machine", 3e5, 12.0, "U", "TOPADORAS DE ORUGAS"),
    _I("8431410000", "capital", "machine", 5e4, 5.0, "KG", "CUCHARAS Y PALAS PARA MAQUINAS"),
    _I("8471300000", "capital", "asia", 5e4, 80.0, "U", "COMPUTADORAS PORTATILES"),
    _I("8704219000", "capital", "auto", 1.5e5, 6.0, "U", "CAMIONES DIESEL <= 4,537 T"),
    _I("8708910000", "capital", "auto", 2e4, 8.0, "KG", "RADIADORES Y SUS PARTES"),
    _I("8482100000", "capital", "machine", 2e4, 10.0, "KG", "RODAMIENTOS DE BOLAS"),
    _I("8504401000", "capital", "asia", 2e4, 15.0, "U", "UNIDADES UPS"),
    _I("9018909000", "capital", "machine", 3e4, 100.0, "U", "APARATOS DE MEDICINA"),
    _I("8207900000", "capital", "machine", 1.5e4, 30.0, "KG", "UTILES INTERCAMBIABLES"),
    _I("7308400000", "capital", "steel", 4e4, 1.5, "KG", "MATERIAL DE ANDAMIAJE"),
    _I("7326909000", "capital", "asia", 2e4, 4.0, "KG", "MANUFACTURAS DE HIERRO O ACERO"),
    _I("8415900000", "capital", "asia", 1.5e4, 8.0, "KG", "PARTES DE AIRE ACONDICIONADO"),
    _I("4911100000", "diversos", "asia", 5e3, 5.0, "KG", "CATALOGOS COMERCIALES"),
)

ORIGINS: dict[str, dict[str, float]] = {
    "asia": {"CN": 60, "KR": 8, "JP": 6, "TW": 4, "TH": 4, "VN": 4, "IN": 4, "US": 5, "MX": 3, "BR": 2},
    "auto": {"CN": 25, "JP": 25, "KR": 20, "US": 10, "TH": 8, "IN": 5, "BR": 4, "DE": 3},
    "machine": {"US": 30, "CN": 25, "DE": 12, "JP": 10, "IT": 6, "BR": 5, "KR": 5, "SE": 4, "MX": 3},
    "fuel": {"US": 70, "EC": 10, "KR": 5, "IN": 5, "CO": 5, "BR": 5},
    "cereal": {"AR": 35, "US": 25, "CA": 15, "BR": 10, "PY": 8, "BO": 7},
    "chem": {"CN": 30, "US": 25, "CO": 8, "BR": 7, "DE": 6, "MX": 6, "IN": 6, "CL": 6},
    "steel": {"CN": 45, "BR": 15, "MX": 10, "TR": 8, "KR": 7, "JP": 5, "IN": 5, "US": 5},
    "pharma": {"US": 20, "DE": 15, "IN": 15, "CN": 10, "CH": 10, "CO": 8, "MX": 8, "AR": 7, "BR": 7},
}
HUBS = {"US": 35, "PA": 15, "CN": 15, "CL": 10, "HK": 8, "CH": 7, "NL": 5, "ES": 5}
ACQUIRED_AT_ORIGIN = 0.8
# (office, transport mode, weight): Callao sea and air dominate; Chancay takes part of Callao from 2024-10-21
IMPORT_OFFICES = (
    (118, 1, 58.0), (235, 4, 18.0), (145, 1, 6.0), (163, 1, 3.0), (46, 1, 4.0), (82, 1, 3.0),
    (172, 7, 4.0), (262, 7, 2.0), (226, 2, 2.0),
)  # fmt: skip

COUNTRIES = sorted({c for d in ORIGINS.values() for c in d} | set(HUBS))
_C = {c: i for i, c in enumerate(COUNTRIES)}
_FAM = sorted(ORIGINS)
_ORIGIN_P = np.array([[ORIGINS[f].get(c, 0.0) for c in COUNTRIES] for f in _FAM])
_ORIGIN_CUM = (_ORIGIN_P / _ORIGIN_P.sum(axis=1, keepdims=True)).cumsum(axis=1)
_HUB_P = np.array([HUBS.get(c, 0.0) for c in COUNTRIES])
_HUB_CUM = (_HUB_P / _HUB_P.sum()).cumsum()
_PFAM = np.array([_FAM.index(p.origin) for p in IMPORT_PRODUCTS])
_LINE_USD = np.array([p.line_usd for p in IMPORT_PRODUCTS])
_USD_PER_KG = np.array([p.usd_per_kg for p in IMPORT_PRODUCTS])
_UNIT = np.array([1 if p.unit == "U" else 0 for p in IMPORT_PRODUCTS])
_CHANCAY_DAY = (dt.date.fromisoformat(CHANCAY_FROM) - EPOCH).days


def group_of(label: str) -> str | None:
    """The use group of an F1 level-1 label (accents/case folded), or None when it is not one."""
    from comercio.synth._calibration import _key

    key = _key(label)
    return next((g for prefix, g in GROUPS.items() if key.startswith(prefix)), None)


def products_of(group: str) -> np.ndarray:
    return np.array([i for i, p in enumerate(IMPORT_PRODUCTS) if p.group == group])


def lines_per_usd(group: str) -> float:
    """Expected lines per dollar of a group (products equally weighted by value)."""
    idx = products_of(group)
    return float((1.0 / _LINE_USD[idx]).mean())


@dataclass
class ImportChunk:
    n: int
    days: np.ndarray  # numbering date (days since epoch), per line
    office: np.ndarray
    year: np.ndarray
    number: np.ndarray
    series: np.ndarray
    mode: np.ndarray
    trader: np.ndarray
    decl: np.ndarray  # declaration index of each line within the chunk
    product: np.ndarray  # index into IMPORT_PRODUCTS
    origin: np.ndarray  # index into COUNTRIES
    acquired: np.ndarray
    fob: np.ndarray  # cents
    freight: np.ndarray
    insurance: np.ndarray
    net_kg: np.ndarray
    quantity: np.ndarray
    unit: np.ndarray

    @property
    def cents(self) -> np.ndarray:
        """CIF in cents (the calibrated value)."""
        return self.fob + self.freight + self.insurance


def importers(state: LineState) -> np.ndarray:
    if "M" not in state.pools:
        rng = np.random.default_rng([state.seed, 11])
        state.pools["M"] = 20_000_000_000 + rng.choice(10**9, size=2_000, replace=False)
    return state.pools["M"]


def draw_imports(
    rng: np.random.Generator, period: dt.date, group: str, n: int, cents: int, state: LineState
) -> ImportChunk:
    """``n`` import lines of one use group and month whose CIF sums exactly to ``cents``."""
    idx = products_of(group)
    q = 1.0 / _LINE_USD[idx]
    q /= q.sum()
    m, decl, series = declarations(rng, n, 0.45)
    product = idx[rng.choice(idx.size, size=n, p=q)]
    month_days = ((period.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - period).days
    day = (period - EPOCH).days + rng.integers(0, month_days, size=m)
    w = np.array([o[2] for o in IMPORT_OFFICES])
    pick = rng.choice(len(IMPORT_OFFICES), size=m, p=w / w.sum())
    office = np.array([o[0] for o in IMPORT_OFFICES])[pick]
    mode = np.array([o[1] for o in IMPORT_OFFICES])[pick]
    chancay = (office == 118) & (day >= _CHANCAY_DAY) & (rng.random(m) < CHANCAY_SHARE)
    office = np.where(chancay, 370, office)
    first_product = product[series == 1]  # each declaration's first line
    origin_d = (rng.random(m)[:, None] > _ORIGIN_CUM[_PFAM[first_product]]).sum(axis=1)
    origin_d = origin_d.clip(0, len(COUNTRIES) - 1)
    hub = (rng.random(m)[:, None] > _HUB_CUM).sum(axis=1).clip(0, len(COUNTRIES) - 1)
    acquired_d = np.where(rng.random(m) < ACQUIRED_AT_ORIGIN, origin_d, hub)
    pool = importers(state)
    zipf = 1.0 / np.arange(1, pool.size + 1) ** 1.05
    trader = pool[rng.choice(pool.size, size=m, p=zipf / zipf.sum())]
    number = np.zeros(m, dtype=np.int64)
    for off in np.unique(office):
        sel = np.flatnonzero(office == off)
        key = (-int(off), period.year)  # import counters apart from the export ones
        start = state.counters.get(key, 0)
        number[sel] = start + np.arange(1, sel.size + 1)
        state.counters[key] = start + sel.size

    cif = split_cents(cents, _LINE_USD[product] * rng.lognormal(0.0, 1.1, size=n))
    freight_share = np.where(mode[decl] == 4, 0.03, 0.07) * rng.uniform(0.5, 1.5, size=n)
    freight = np.floor(cif * freight_share).astype(np.int64)
    insurance = np.floor(cif * 0.004).astype(np.int64)
    fob = cif - freight - insurance
    net_kg = np.round(cif / 100.0 / _USD_PER_KG[product] * rng.lognormal(0.0, 0.15, size=n), 3)
    unit = _UNIT[product]
    quantity = np.where(unit == 1, np.maximum(1.0, np.round(net_kg / 20)), net_kg)
    return ImportChunk(
        n=n, days=day[decl], office=office[decl], year=np.full(n, period.year, dtype=np.int64),
        number=number[decl], series=series, mode=mode[decl], trader=trader[decl], decl=decl,
        product=product, origin=origin_d[decl], acquired=acquired_d[decl], fob=fob, freight=freight,
        insurance=insurance, net_kg=net_kg, quantity=quantity, unit=unit,
    )  # fmt: skip
