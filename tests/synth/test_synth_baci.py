"""Synthetic BACI: deterministic, readable by the real reader, calibrated to the article's structure."""

from __future__ import annotations

import hashlib
import zipfile
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pytest

from comercio.errors import ConfigError
from comercio.sources.baci import iter_baci, open_release, write_baci_partitioned
from comercio.synth.baci import BASKET_CHAPTERS, basket_targets, continent_of, generate_baci

YEARS = (2001, 2012, 2024)
ARTICLE_EXPORTER_SHARES = {
    2001: {"Asia": 32, "Europe": 44, "America": 24},
    2024: {"Asia": 51, "Europe": 34, "America": 14},
}
ARTICLE_IMPORTER_SHARES_2024 = {"Asia": 37, "Europe": 33, "America": 26}


@pytest.fixture(scope="module")
def synth_zip(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    out = tmp_path_factory.mktemp("synth")
    return generate_baci(
        out, years=YEARS, rows_per_year=20_000, seed=11, hs_table=shared_data / "hs/hs2022_en.csv"
    )


@pytest.fixture(scope="module")
def synth_table(synth_zip: Path) -> pa.Table:
    return pa.Table.from_batches(list(iter_baci(synth_zip)))


def test_layout(synth_zip: Path) -> None:
    names = zipfile.ZipFile(synth_zip).namelist()
    assert synth_zip.name == "BACI_HS17_V202501_SYNTH.zip"
    assert sorted(names) == sorted(
        ["SYNTHETIC.txt", "country_codes_V202501.csv", "product_codes_HS17_V202501.csv"]
        + [f"BACI_HS17_Y{y}_V202501.csv" for y in YEARS]
    )
    with zipfile.ZipFile(synth_zip) as zf:
        assert "datos sintéticos / synthetic data" in zf.read("SYNTHETIC.txt").decode()
        assert zf.read("BACI_HS17_Y2001_V202501.csv").startswith(b"t,i,j,k,v,q\n2001,")
        assert zf.read("country_codes_V202501.csv").startswith(
            b"country_code,country_name,country_iso2,country_iso3\n"
        )
    rel = open_release(synth_zip)
    assert rel.synthetic and rel.hs_version == "HS17"
    assert rel.countries[842] == "USA" and rel.countries[604] == "PER"  # CEPII's non-ISO code for the USA
    assert "854140" in rel.products and "854141" not in rel.products  # HS17, not HS22, codes


def test_rows_unique_and_read_back(synth_table: pa.Table) -> None:
    assert synth_table.num_rows == 20_000 * len(YEARS)
    assert set(synth_table.column("synthetic").to_pylist()) == {True}
    keys = {(r["year"], r["exporter"], r["importer"], r["hs6"]) for r in synth_table.select(
        ["year", "exporter", "importer", "hs6"]).to_pylist()}  # fmt: skip
    assert len(keys) == synth_table.num_rows
    assert all(r[1] != r[2] for r in keys)
    chapters = {h[:2] for h in synth_table.column("hs6").to_pylist()}
    assert len(chapters) > 80  # drawn from across the whole HS


def _shares(table: pa.Table, year: int, role: str) -> tuple[float, dict[str, float], float]:
    cont = continent_of()
    by: dict[str, float] = defaultdict(float)
    basket = total = 0.0
    for r in table.filter(pa.compute.equal(table["year"], year)).to_pylist():
        total += r["value_usd"]
        if r["hs6"][:2] in BASKET_CHAPTERS:
            basket += r["value_usd"]
            by[cont[r[role]]] += r["value_usd"]
    return basket, {c: 100 * v / basket for c, v in by.items()}, basket / total


@pytest.mark.parametrize("year", [2001, 2024])
def test_exporter_continent_shares(synth_table: pa.Table, year: int) -> None:
    basket, shares, of_world = _shares(synth_table, year, "exporter")
    for cont, target in ARTICLE_EXPORTER_SHARES[year].items():
        assert shares[cont] == pytest.approx(target, abs=2.0), cont
    assert basket == pytest.approx(basket_targets(year)[0], rel=1e-3)
    assert of_world == pytest.approx(0.38, abs=0.005)


def test_basket_totals_and_importers(synth_table: pa.Table) -> None:
    b2001, _, _ = _shares(synth_table, 2001, "exporter")
    b2024, imp, _ = _shares(synth_table, 2024, "importer")
    assert b2001 / 1e12 == pytest.approx(2.5, abs=0.05)
    assert b2024 / 1e12 == pytest.approx(9.0, abs=0.1)
    for cont, target in ARTICLE_IMPORTER_SHARES_2024.items():
        assert imp[cont] == pytest.approx(target, abs=2.0), cont


def test_andean_exporters_2024(synth_table: pa.Table) -> None:
    t = synth_table.filter(pa.compute.equal(synth_table["year"], 2024)).to_pylist()
    by: dict[str, float] = defaultdict(float)
    for r in t:
        if r["hs6"][:2] in BASKET_CHAPTERS:
            by[r["exporter"]] += r["value_usd"]
    assert by["CHL"] > 4e9 and by["COL"] > 3e9
    assert by["PER"] == pytest.approx(0.75e9, rel=0.05)


def test_heavy_tailed(synth_table: pa.Table) -> None:
    values = sorted(synth_table.column("value_usd").to_pylist(), reverse=True)
    top_percent = sum(values[: len(values) // 100])
    assert top_percent / sum(values) > 0.3  # the top 1 % of flows carry a large part of the value


def test_deterministic(tmp_path: Path) -> None:
    def digest(d: Path, seed: int) -> str:
        path = generate_baci(d, years=(2010, 2011), rows_per_year=3000, seed=seed)
        with zipfile.ZipFile(path) as zf:
            return hashlib.sha256(b"".join(zf.read(n) for n in sorted(zf.namelist()))).hexdigest()

    assert digest(tmp_path / "a", 5) == digest(tmp_path / "b", 5)
    assert digest(tmp_path / "c", 5) != digest(tmp_path / "d", 6)


def test_fallback_codes_and_partitions(tmp_path: Path) -> None:
    path = generate_baci(tmp_path, years=(2019, 2020), rows_per_year=2000, seed=3, chunk_rows=700)
    result = write_baci_partitioned(path, tmp_path / "pq")
    assert result.rows == {2019: 2000, 2020: 2000}
    assert sorted(p.name for p in (tmp_path / "pq").iterdir()) == ["year=2019", "year=2020"]


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        generate_baci(tmp_path, years=(2020,), rows_per_year=0, seed=1)
    with pytest.raises(ConfigError, match="HS27"):
        generate_baci(tmp_path, years=(2020,), rows_per_year=10, seed=1, hs_version="HS27")
    with pytest.raises(ConfigError, match="distinct flows"):
        generate_baci(tmp_path, years=(2020,), rows_per_year=10**8, seed=1)
