"""Synthetic world trade in the exact CEPII BACI release layout, calibrated to the SNI metalworking article.

Why: real BACI releases are large, licensed files that tests and benchmarks cannot ship. This writes a zip
that :func:`comercio.sources.baci.iter_baci` reads like a real one: yearly
``BACI_<rev>_Y<year>_V<release>.csv`` with header ``t,i,j,k,v,q``, ``country_codes_V<release>.csv`` and
``product_codes_<rev>_V<release>.csv``, plus a ``SYNTHETIC.txt`` member ("datos sintéticos / synthetic
data") and ``_SYNTH`` in the zip name, so every row read from it carries ``synthetic = True``.

Calibration targets (METHODOLOGY.md §3; "basket" = HS chapters 73 and 82–90, exporter/importer continents with
America as one continent):

- basket world exports US$ 2.5 trillion in 2001 → 9.0 trillion in 2024, geometric trend with dips in 2009
  and 2020; the basket is 38 % of all world trade every year (the rest is spread over all other chapters);
- exporter continent shares of the basket: Asia 32 % → 51 %, Europe 44 % → 34 %, America 24 % → 14 %,
  linearly interpolated; Africa + Oceania take 1 % (the article's shares leave 0–1 %), the three named shares
  are scaled by 0.99 in 2001 to make room;
- importer shares of the basket: 2024 Asia 37 %, Europe 33 %, America 26 %, other 4 %; 2001 (not in the
  article, an assumption) Asia 27 %, Europe 40 %, America 29 %, other 4 %; interpolated in between;
- basket exports of three Andean countries (US$ bn, 2001 → 2024, geometric): Chile 1.2 → 4.3,
  Colombia 0.7 → 3.2, Peru 0.25 → 0.75.

Shares are hit exactly (up to rounding to the BACI 0.001 thousand US$) by iterative proportional fitting of
the exporter-group × importer-continent cell totals; within a cell, flows stay heavy-tailed (Zipf country and
product sizes times a log-normal draw). Rows are unique per (i, j, k), without self-trade, sorted like BACI.
Country codes follow CEPII's numeric codes where they differ from ISO (USA 842, France 251, Norway 579,
Switzerland 757, India 699, Taiwan as 490 "Other Asia, nes" with alpha-3 ``S19``).

Memory is bounded by one year (about 40 bytes a row while sampling), and each year's CSV is written in
chunks straight into the zip member; output is deterministic for a given seed.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pycountry

from comercio.errors import ConfigError
from comercio.sources import convert_basket_prefixes

BASKET_CHAPTERS = ("73", "82", "83", "84", "85", "86", "87", "88", "89", "90")
BASKET_SHARE_OF_WORLD = 0.38
MAX_FLOW_USD = 2.5e11  # no synthetic flow above this: well below the warehouse ceiling of US$ 1e12 a flow
CONTINENTS = ("Asia", "Europe", "America", "Other")

# Alpha-3 codes per continent, roughly by size of manufactured exports (rank drives the Zipf size).
_COUNTRIES: dict[str, str] = {
    "Asia": "CHN JPN KOR S19 SGP MYS IND THA VNM PHL IDN ISR ARE HKG SAU TUR KAZ PAK BGD LKA QAT KWT OMN IRN "
    "IRQ JOR LBN UZB MNG KHM MMR NPL BHR AZE GEO ARM BRN LAO KGZ TJK TKM YEM AFG BTN MDV MAC",
    "Europe": "DEU FRA ITA GBR NLD BEL CHE CZE AUT POL SWE ESP HUN IRL DNK FIN SVK NOR ROU PRT SVN RUS UKR "
    "BGR LTU EST LVA HRV GRC LUX SRB BLR BIH MKD ALB MDA MLT ISL MNE AND",
    "America": "USA MEX CAN BRA CHL COL ARG PER CRI DOM URY ECU PAN GTM SLV HND PRY BOL JAM TTO NIC VEN CUB "
    "HTI BHS BRB GUY SUR BLZ",
    "Other": "ZAF AUS MAR EGY TUN NGA DZA NZL KEN ETH GHA CIV AGO TZA SEN CMR UGA ZMB MOZ NAM BWA MUS MDG "
    "ZWE COD SDN LBY PNG FJI NCL PYF",
}
# CEPII numeric codes that differ from ISO 3166 numeric (BACI country_codes file).
_BACI_NUMERIC = {"USA": 842, "FRA": 251, "NOR": 579, "CHE": 757, "IND": 699, "S19": 490}
_PINNED_BN = {"CHL": (1.2, 4.3), "COL": (0.7, 3.2), "PER": (0.25, 0.75)}  # basket exports, US$ bn 2001 → 2024
_EXPORTER_SHARES = {"Asia": (32.0, 51.0), "Europe": (44.0, 34.0), "America": (24.0, 14.0)}  # % 2001 → 2024
_IMPORTER_SHARES = {
    "Asia": (27.0, 37.0),
    "Europe": (40.0, 33.0),
    "America": (29.0, 26.0),
    "Other": (4.0, 4.0),
}
_BASKET_TRILLION = (2.5, 9.0)
_SHOCKS = {2009: 0.82, 2010: 0.93, 2015: 0.94, 2016: 0.93, 2020: 0.91}  # multiplicative deviation from trend
# Headings created in HS 2022 with no HS 2017 counterpart code: dropped when writing an older revision.
_HS22_NEW_HEADINGS = ("2404", "3827", "8485", "8524", "8549", "8806", "8807")
# Real HS6 codes valid in HS 2017 and HS 2022, used when no HS table is given (chapters across the HS).
_FALLBACK_TEXT = (
    "010121 020130 030617 040210 070200 080450 080610 080810 090111 100630 120190 150710 170114 180100 "
    "220421 230120 260111 260300 261690 270900 271012 271111 300490 310210 390110 390210 401110 440710 "
    "470321 520100 610910 611020 620342 640399 710812 711319 720839 721391 740311 740400 760110 790111 "
    "800110 940360 950300 730419 730630 730890 731815 732111 732393 732690 820559 820730 821193 830140 "
    "830241 841112 841191 841370 841430 841510 841810 842139 842952 843149 844331 845011 847130 847150 "
    "847330 847989 848180 848210 848340 850440 850760 851762 852351 852872 853710 854231 854239 854442 "
    "870323 870332 870840 870899 871120 871200 880240 890110 901819 902610 903180"
)
_FALLBACK_HS6: tuple[str, ...] = tuple(_FALLBACK_TEXT.split())


@dataclass(frozen=True)
class _World:
    iso3: np.ndarray  # sorted by BACI numeric code
    numeric: np.ndarray
    continent: np.ndarray  # index into CONTINENTS
    exp_group: np.ndarray  # 0..3 continents, 4.. pinned countries
    size: np.ndarray
    names: list[str]


def _world() -> _World:
    rows: list[tuple[int, str, int, float, str]] = []
    for ci, cont in enumerate(CONTINENTS):
        for rank, a3 in enumerate(_COUNTRIES[cont].split()):
            rec = pycountry.countries.get(alpha_3=a3)
            name = "Other Asia, nes" if rec is None else getattr(rec, "common_name", rec.name)
            num = _BACI_NUMERIC.get(a3) or int(rec.numeric)  # type: ignore[union-attr]
            rows.append((num, a3, ci, 1.0 / (rank + 1) ** 1.3, name))
    rows.sort()
    iso3 = np.array([r[1] for r in rows])
    pinned = list(_PINNED_BN)
    group = np.array([len(CONTINENTS) + pinned.index(r[1]) if r[1] in pinned else r[2] for r in rows])
    return _World(
        iso3=iso3,
        numeric=np.array([r[0] for r in rows], dtype=np.int32),
        continent=np.array([r[2] for r in rows]),
        exp_group=group,
        size=np.array([r[3] for r in rows]),
        names=[r[4] for r in rows],
    )


def _interp(pair: tuple[float, float], year: int, *, geometric: bool = False) -> float:
    a, b = pair
    f = (year - 2001) / (2024 - 2001)
    return float(a * (b / a) ** f) if geometric else a + (b - a) * f


def basket_targets(year: int) -> tuple[float, dict[str, float], dict[str, float], dict[str, float]]:
    """Basket total (US$), exporter and importer continent shares (sum 1) and pinned countries (US$)."""
    total = _interp(_BASKET_TRILLION, year, geometric=True) * 1e12 * _SHOCKS.get(year, 1.0)
    named = {c: _interp(p, year) for c, p in _EXPORTER_SHARES.items()}
    scale = min(1.0, 99.0 / sum(named.values()))
    exp = {c: v * scale / 100 for c, v in named.items()}
    exp["Other"] = 1.0 - sum(exp.values())
    imp = {c: _interp(p, year) / 100 for c, p in _IMPORTER_SHARES.items()}
    imp = {c: v / sum(imp.values()) for c, v in imp.items()}
    pinned = {c: _interp(p, year, geometric=True) * 1e9 for c, p in _PINNED_BN.items()}
    return total, exp, imp, pinned


def _load_products(hs_table: Path | None, hs_version: str) -> tuple[np.ndarray, list[str]]:
    """Real HS6 codes (sorted) and descriptions, from an HS CSV (hscode, description) or the fallback."""
    found: dict[str, str] = {}
    if hs_table is None:
        found = {c: f"HS {c} (descripción no cargada / description not loaded)" for c in _FALLBACK_HS6}
    else:
        with open(hs_table, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                code = (row.get("hscode") or "").strip()
                if len(code) == 6 and code.isdigit():
                    found[code] = (row.get("description") or "").strip()
        if not found:
            raise ConfigError("no 6-digit codes in the HS table", file=hs_table, field="hscode")
    if hs_version != "HS22" and hs_table is not None:
        older: dict[str, str] = {}
        for code, desc in found.items():
            for back in convert_basket_prefixes([code], "HS22", hs_version).prefixes:
                if len(back) == 6 and not back.startswith(_HS22_NEW_HEADINGS):
                    older.setdefault(back, desc)
        found = older
    codes = np.array(sorted(found))
    return codes, [found[c] for c in codes]


def _ipf(raw: np.ndarray, rows: np.ndarray, cols: np.ndarray, iterations: int = 200) -> np.ndarray:
    """Scale matrix ``raw`` so its row and column sums approach ``rows`` and ``cols``."""
    m = raw.astype(float).copy()
    for _ in range(iterations):
        rs = m.sum(1)
        m *= np.divide(rows, rs, out=np.zeros_like(rs), where=rs > 0)[:, None]
        cs = m.sum(0)
        m *= np.divide(cols, cs, out=np.zeros_like(cs), where=cs > 0)[None, :]
    return m


def _sample_keys(
    rng: np.random.Generator, n: int, p: list[np.ndarray], dims: tuple[int, int, int]
) -> np.ndarray:
    """``n`` distinct (i, j, k) keys encoded as int64, drawn with probabilities ``p``; no i == j; sorted."""
    n_c, _, n_k = dims
    if n > n_c * (n_c - 1) * n_k // 4:  # beyond a quarter of the space, weighted draws stop finding new flows
        raise ConfigError(
            f"cannot draw {n} distinct flows from {n_c} countries × {n_k} products",
            field="rows_per_year",
            hint="pass hs_table= (an HS CSV with hscode, description) to draw from all HS6 codes",
        )
    keys = np.empty(0, dtype=np.int64)
    for _ in range(50):
        m = int((n - len(keys)) * 1.3) + 1000
        i = rng.choice(n_c, size=m, p=p[0])
        j = rng.choice(n_c, size=m, p=p[1])
        k = rng.choice(n_k, size=m, p=p[2])
        new = (i.astype(np.int64) * n_c + j) * n_k + k
        keys = np.sort(np.concatenate([keys, new[i != j]]))
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]  # sorted unique, faster than np.unique
        if len(keys) >= n:
            keep = np.ones(len(keys), dtype=bool)
            keep[rng.choice(len(keys), size=len(keys) - n, replace=False)] = False
            return keys[keep]
    raise ConfigError(
        f"cannot draw {n} distinct flows from this country × product space", field="rows_per_year"
    )


_Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _year_table(
    world: _World, codes: np.ndarray, basket: np.ndarray, psize: np.ndarray, year: int, n: int, seed: int
) -> _Arrays:
    """Indices (i, j, k), value in thousand US$ and quantity in tonnes (NaN = NA) for one year."""
    rng = np.random.default_rng([seed, year])
    n_c, n_k = len(world.iso3), len(codes)
    pe = world.size**0.5 / (world.size**0.5).sum()
    pk = psize**0.5 / (psize**0.5).sum()
    key = _sample_keys(rng, n, [pe, pe, pk], (n_c, n_c, n_k))
    k = key % n_k
    j = (key // n_k) % n_c
    i = key // (n_k * n_c)
    raw = world.size[i] * world.size[j] * psize[k] * rng.lognormal(0.0, 1.2, size=n)
    total, exp_sh, imp_sh, pinned = basket_targets(year)
    value = np.empty(n)
    inb = basket[k]
    n_groups = len(CONTINENTS) + len(pinned)
    cell = world.exp_group[i[inb]] * len(CONTINENTS) + world.continent[j[inb]]
    sums = np.bincount(cell, weights=raw[inb], minlength=n_groups * len(CONTINENTS)).reshape(n_groups, -1)
    row_t = np.array([exp_sh[c] * total for c in CONTINENTS] + [pinned[c] for c in _PINNED_BN])
    row_t[CONTINENTS.index("America")] -= sum(pinned.values())
    col_t = np.array([imp_sh[c] * total for c in CONTINENTS])
    fitted = _ipf(sums, row_t, col_t)
    factor = np.divide(fitted, sums, out=np.zeros_like(fitted), where=sums > 0).ravel()
    value[inb] = raw[inb] * factor[cell]
    rest = raw[~inb]
    value[~inb] = rest * (
        total * (1 - BASKET_SHARE_OF_WORLD) / BASKET_SHARE_OF_WORLD / max(rest.sum(), 1e-300)
    )
    cells = np.zeros(n, dtype=np.int64)
    cells[inb] = cell + 1  # group 0: outside the basket
    value = _cap(value, cells, MAX_FLOW_USD)
    v = np.maximum(np.round(value / 1000.0, 3), 0.001)
    unit_price = np.exp(np.random.default_rng([seed, 1]).normal(8.5, 1.5, size=n_k))  # US$ per tonne
    q = np.maximum(np.round(value / unit_price[k] * rng.lognormal(0.0, 0.3, size=n), 3), 0.001)
    q[rng.random(n) < 0.03] = np.nan
    return i, j, k, v, q


def _cap(value: np.ndarray, group: np.ndarray, cap: float, rounds: int = 50) -> np.ndarray:
    """``value`` with no flow above ``cap``, each group's sum kept: the excess of capped flows is spread over
    the group's other flows in proportion to their size (a few rows a year cannot otherwise carry world
    totals without single flows larger than any real one)."""
    out = value.copy()
    target = np.bincount(group, weights=value)
    for _ in range(rounds):
        over = out > cap
        if not over.any():
            break
        out[over] = cap
        free = ~over & (out < cap)
        fixed = np.bincount(group, weights=np.where(free, 0.0, out), minlength=len(target))
        room = np.bincount(group, weights=np.where(free, out, 0.0), minlength=len(target))
        scale = np.divide(target - fixed, room, out=np.ones_like(room), where=room > 0)
        out[free] *= scale[group[free]]
    if (out > cap * (1 + 1e-9)).any():
        raise ConfigError(
            f"too few rows a year to spread world trade without flows above US$ {cap:,.0f}",
            field="rows_per_year",
        )
    return out


def generate_baci(
    out_dir: str | Path,
    *,
    years: Iterable[int] = range(2001, 2025),
    rows_per_year: int,
    seed: int,
    hs_version: str = "HS17",
    release: str = "202501",
    hs_table: str | Path | None = None,
    chunk_rows: int = 1_000_000,
) -> Path:
    """Write ``BACI_<hs_version>_V<release>_SYNTH.zip`` into ``out_dir`` and return its path.

    ``hs_table`` is an HS nomenclature CSV (columns ``hscode``, ``description``; e.g. the HS 2022 table in
    the shared data folder) from which the real HS6 codes are drawn; without it a built-in list of about a
    hundred real codes is used. Deterministic for a given ``seed``.
    """
    year_list: Sequence[int] = sorted(set(years))
    if rows_per_year < 1 or not year_list:
        raise ConfigError("need at least one year and one row per year", field="rows_per_year")
    if hs_version not in ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22"):
        raise ConfigError(f"unknown HS revision {hs_version!r}", field="hs_version")
    world = _world()
    codes, descriptions = _load_products(Path(hs_table) if hs_table else None, hs_version)
    basket = np.array([c[:2] in BASKET_CHAPTERS for c in codes])
    perm = np.random.default_rng([seed, 0]).permutation(len(codes))
    psize = 1.0 / (perm + 1.0) ** 0.9
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"BACI_{hs_version}_V{release}_SYNTH.zip"
    tmp = path.with_suffix(".zip.part")
    schema = pa.schema([("t", pa.int32()), ("i", pa.int32()), ("j", pa.int32()), ("k", pa.string()),
                        ("v", pa.float64()), ("q", pa.float64())])  # fmt: skip
    opts = pacsv.WriteOptions(null_string="NA", quoting_style="none", quoting_header="none")
    k_arr = pa.array(codes.tolist(), pa.string())
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1, allowZip64=True) as zf:
        zf.writestr("SYNTHETIC.txt", _marker(seed, rows_per_year, year_list, hs_version))
        for year in year_list:
            i, j, k, v, q = _year_table(world, codes, basket, psize, year, rows_per_year, seed)
            member = f"BACI_{hs_version}_Y{year}_V{release}.csv"
            with (
                zf.open(member, "w", force_zip64=True) as sink,
                pacsv.CSVWriter(sink, schema, write_options=opts) as w,
            ):
                for s in range(0, rows_per_year, chunk_rows):
                    e = min(s + chunk_rows, rows_per_year)
                    cols = [
                        pa.array(np.full(e - s, year, dtype=np.int32)),
                        pa.array(world.numeric[i[s:e]]),
                        pa.array(world.numeric[j[s:e]]),
                        k_arr.take(pa.array(k[s:e])),
                        pa.array(v[s:e]),
                        pa.array(q[s:e], from_pandas=True),
                    ]
                    w.write_batch(pa.RecordBatch.from_arrays(cols, schema=schema))
            del i, j, k, v, q
        zf.writestr(f"country_codes_V{release}.csv", _country_csv(world))
        buf = io.StringIO()
        wr = csv.writer(buf, lineterminator="\n")
        wr.writerow(["code", "description"])
        wr.writerows(zip(codes.tolist(), descriptions, strict=True))
        zf.writestr(f"product_codes_{hs_version}_V{release}.csv", buf.getvalue())
    tmp.replace(path)
    return path


def _country_csv(world: _World) -> str:
    buf = io.StringIO()
    wr = csv.writer(buf, lineterminator="\n")
    wr.writerow(["country_code", "country_name", "country_iso2", "country_iso3"])
    for num, a3, name in zip(world.numeric.tolist(), world.iso3.tolist(), world.names, strict=True):
        rec = pycountry.countries.get(alpha_3=a3)
        wr.writerow([num, name, rec.alpha_2 if rec else "", a3])
    return buf.getvalue()


def _marker(seed: int, rows: int, years: Sequence[int], hs_version: str) -> str:
    return (
        "datos sintéticos / synthetic data\n"
        "Generado por comercio.synth.baci.generate_baci: no son cifras de CEPII ni de ningún país.\n"
        "Generated by comercio.synth.baci.generate_baci: not CEPII figures.\n"
        f"seed={seed} rows_per_year={rows} years={years[0]}-{years[-1]} hs_version={hs_version}\n"
    )


def continent_of() -> dict[str, str]:
    """Alpha-3 → continent (Asia, Europe, America, Other) of the generator's countries, for checks."""
    w = _world()
    return {a3: CONTINENTS[c] for a3, c in zip(w.iso3.tolist(), w.continent.tolist(), strict=True)}
