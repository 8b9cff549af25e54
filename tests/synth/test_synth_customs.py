"""Synthetic customs twin: exact calibration to BCRP department × month marginals, determinism, labels."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import resource
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from comercio.errors import ConfigError
from comercio.sources.sunat_microdata import read_microdata
from comercio.synth import _profiles
from comercio.synth._calibration import allocate_counts, split_cents
from comercio.synth.customs import generate, marginals_from_tables

BCRP_CSV = "bcrp/exports_by_department_monthly_2005_2022.csv"
NANDINA = "nandina/nandina_d885_8digit_es.csv"
UBIGEO = {
    "Amazonas": "01", "Ancash": "02", "Apurimac": "03", "Arequipa": "04", "Ayacucho": "05", "Cajamarca": "06",
    "Callao": "07", "Cusco": "08", "Huancavelica": "09", "Huanuco": "10", "Ica": "11", "Junin": "12",
    "La Libertad": "13", "Lambayeque": "14", "Lima": "15", "Loreto": "16", "Madre De Dios": "17",
    "Moquegua": "18", "Pasco": "19", "Piura": "20", "Puno": "21", "San Martin": "22", "Tacna": "23",
    "Tumbes": "24", "Ucayali": "25", "No Registrado": "99",
}  # fmt: skip
Y2022 = (dt.date(2022, 1, 1), dt.date(2022, 12, 31))


@pytest.fixture(scope="module")
def bcrp_2022(shared_file: Callable[[str], Path]) -> pa.Table:
    """BCRP exports by department, 2022, in US$ (CSV: millions; rows = departments, columns = months)."""
    rows = []
    with shared_file(BCRP_CSV).open(encoding="utf-8") as f:
        reader = csv.reader(f)
        months = next(reader)[1:]
        for label, *values in reader:
            if label in UBIGEO:  # "Total" left out: it is the sum of the others
                for month, v in zip(months, values, strict=True):
                    if month.startswith("2022"):
                        rows.append({"period": dt.date.fromisoformat(month), "department": UBIGEO[label],
                                     "value_usd": float(v) * 1e6})  # fmt: skip
    return pa.Table.from_pylist(rows)


def _sha(paths: tuple[Path, ...]) -> list[str]:
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def test_department_month_sums_exact_to_the_cent(tmp_path: Path, bcrp_2022: pa.Table) -> None:
    marginals = marginals_from_tables(bcrp_2022)
    res = generate(20_000, 7, tmp_path, marginals=marginals, start=Y2022[0], end=Y2022[1])
    assert res.rows == 20_000 and len(res.files) == 12
    assert all(p.name.startswith("x2022") and p.suffix == ".zip" for p in res.files)
    assert "DATOS SINTÉTICOS" in (tmp_path / "LEEME_DATOS_SINTETICOS.txt").read_text(encoding="utf-8")
    table = pa.concat_tables([read_microdata(p) for p in res.files])
    assert table.num_rows == 20_000 and pc.all(table["synthetic"]).as_py()
    sums = table.group_by(["period", "department"]).aggregate([("value_usd", "sum")]).to_pylist()
    got = {(r["period"], r["department"]): round(r["value_usd_sum"] * 100) for r in sums}
    want = {k: v for k, v in marginals.departments.items() if v > 0}
    assert got == want
    assert res.total_cents == sum(want.values())
    assert round(res.total / 1e6, 1) == 66_167.1  # BCRP total 2022 (SOURCES.md)
    unattributed = table.filter(pc.equal(table["department"], "99"))
    assert set(unattributed["region_basis"].to_pylist()) == {"unattributed"}
    assert pc.min(table["value_usd"]).as_py() >= 0.01


def test_same_seed_same_bytes(tmp_path: Path, bcrp_2022: pa.Table) -> None:
    m = marginals_from_tables(bcrp_2022)
    a = generate(3_000, 11, tmp_path / "a", marginals=m, start=Y2022[0], end=Y2022[1], files="yearly")
    b = generate(3_000, 11, tmp_path / "b", marginals=m, start=Y2022[0], end=Y2022[1], files="yearly")
    c = generate(3_000, 12, tmp_path / "c", marginals=m, start=Y2022[0], end=Y2022[1], files="yearly")
    assert [p.name for p in a.files] == ["x2022.zip"]
    assert _sha(a.files) == _sha(b.files) != _sha(c.files)


def test_parquet_equals_dbf_read_back(tmp_path: Path, bcrp_2022: pa.Table) -> None:
    m = marginals_from_tables(bcrp_2022)
    kw = {"marginals": m, "start": dt.date(2022, 3, 1), "end": dt.date(2022, 4, 30)}
    dbf = generate(2_000, 5, tmp_path / "d", **kw)  # type: ignore[arg-type]
    par = generate(2_000, 5, tmp_path / "p", fmt="parquet", **kw)  # type: ignore[arg-type]
    from_dbf = pa.concat_tables([read_microdata(p) for p in dbf.files]).drop(["source"])
    from_parquet = pa.concat_tables([pq.read_table(p) for p in par.files]).drop(["source"])
    assert from_parquet.equals(from_dbf)


def test_structure_is_plausible(tmp_path: Path) -> None:
    periods = [dt.date(2024, m, 1) for m in (9, 10, 11)]
    rows = [{"period": p, "department": d, "value_usd": v} for p in periods
            for d, v in (("04", 4e8), ("20", 2e8), ("15", 5e8), ("22", 5e7), ("99", 1e7))]  # fmt: skip
    m = marginals_from_tables(pa.Table.from_pylist(rows))
    res = generate(6_000, 3, tmp_path, marginals=m, start=periods[0], end=dt.date(2024, 11, 30))
    t = pa.concat_tables([read_microdata(p) for p in res.files]).to_pylist()
    chancay = [r for r in t if r["customs_office"] == "370"]
    assert chancay and min(r["date"] for r in chancay) >= dt.date(2024, 10, 21)
    areq = [r for r in t if r["department"] == "04"]
    assert sum(r["value_usd"] for r in areq if r["product"].startswith("26")) > 0.5 * sum(
        r["value_usd"] for r in areq
    )
    piura = {r["customs_office"] for r in t if r["department"] == "20"}
    assert "046" in piura
    sanmartin = {r["hs6"][:4] for r in t if r["department"] == "22"}
    assert sanmartin <= {"0901", "1801", "1511"}
    assert {r["region_basis"] for r in t if r["department"] == "99"} == {"unattributed"}


def test_products_are_real_nandina_codes(shared_file: Callable[[str], Path]) -> None:
    with shared_file(NANDINA).open(encoding="utf-8") as f:
        codes = {row["codigo_nandina8"] for row in csv.DictReader(f)}
    missing = [p.code for p in _profiles.PRODUCTS if p.code[:8] not in codes]
    assert missing == []


def test_split_and_allocate_are_exact() -> None:
    rng = np.random.default_rng(0)
    for total in (1_000, 123_456_789_012, 7):
        w = rng.lognormal(0, 2, size=7)
        cents = split_cents(total, w)
        assert int(cents.sum()) == total and cents.min() >= 1
    counts = allocate_counts(1_000, np.array([1.0, 1e6, 5.0]), np.array([10**9, 10**9, 3]))
    assert counts.sum() == 1_000 and counts.min() >= 1 and counts[2] <= 3
    with pytest.raises(ConfigError):
        allocate_counts(2, np.ones(3), np.full(3, 100))


@pytest.mark.slow
def test_two_million_lines_in_bounded_memory(tmp_path: Path, bcrp_2022: pa.Table) -> None:
    m = marginals_from_tables(bcrp_2022)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux
    res = generate(2_000_000, 1, tmp_path, fmt="parquet", marginals=m, start=Y2022[0], end=Y2022[1])
    growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert res.rows == 2_000_000 and growth_mb < 1536, f"peak RSS grew {growth_mb:.0f} MB"
    assert sum(pq.ParquetFile(p).metadata.num_rows for p in res.files) == 2_000_000


def test_sector_marginals_tilt_the_mix_but_keep_departments_exact(tmp_path: Path) -> None:
    period = dt.date(2023, 1, 1)
    dept = pa.Table.from_pylist([{"period": period, "department": "11", "value_usd": 3e8}])
    plain = marginals_from_tables(dept)
    sectors = [
        {"period": period, "sector": "II. No tradicionales > Agropecuario", "value_usd": 9e8},
        {"period": period, "sector": "I. Tradicionales > Minero", "value_usd": 1e8},
    ]
    tilted = marginals_from_tables(dept, pa.Table.from_pylist(sectors))

    def agro_share(m: object, sub: str) -> float:
        res = generate(3_000, 2, tmp_path / sub, marginals=m, start=period, end=period)  # type: ignore[arg-type]
        t = read_microdata(res.files[0])
        assert round(pc.sum(t["value_usd"]).as_py() * 100) == 30_000_000_000
        agro = {p.code for p in _profiles.PRODUCTS if p.sector == "Agropecuario"}
        mask = pc.is_in(t["product"], pa.array(sorted(agro)))
        return float(pc.sum(pc.if_else(mask, t["value_usd"], 0.0)).as_py() / pc.sum(t["value_usd"]).as_py())

    assert agro_share(tilted, "t") > agro_share(plain, "p") + 0.1
