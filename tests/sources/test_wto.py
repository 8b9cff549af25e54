"""WTO merchandise values from the mirror's Parquet copy: the check figures of SOURCES.md, the code mapping,
and the ingest (fetch from the mirror, load, no-op on the same file)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest

from comercio import reference
from comercio.config import Settings
from comercio.ingest import ingest
from comercio.sources import fetch
from comercio.sources.wto import WtoResult, economies, read_wto
from comercio.warehouse import Warehouse

MIRROR_FILE = "wto/merchandise_values_annual_dataset.parquet"


ROWS = 231_391  # SOURCES.md: the file's rows, every partner


@pytest.fixture(scope="module")
def wto_file(shared_file: Callable[[str], Path]) -> Path:
    return shared_file(MIRROR_FILE)


@pytest.fixture(scope="module")
def wto(wto_file: Path) -> WtoResult:
    return read_wto(wto_file)


def _other_partners(path: Path) -> dict[str, int]:
    """Rows per partner other than World (000), counted in the Parquet file itself."""
    import pyarrow.parquet as pq

    codes = Counter(pq.read_table(path, columns=["PartnerCode"]).column("PartnerCode").to_pylist())
    assert sum(codes.values()) == ROWS
    return {p: n for p, n in codes.items() if p != "000"}


@pytest.fixture(scope="module")
def values(wto: WtoResult) -> dict[tuple[str, int, str, str], float]:
    cols = [wto.table.column(c).to_pylist() for c in ("flow", "year", "reporter", "product_group")]
    return dict(zip(zip(*cols, strict=True), wto.table.column("value_usd").to_pylist(), strict=True))


@pytest.mark.parametrize(
    ("flow", "year", "reporter", "product", "millions"),
    [
        ("X", 2001, "WLD", "MAMT", 2_481_923),
        ("X", 2023, "WLD", "MAMT", 7_975_910),
        ("X", 2001, "WLD", "MA", 4_512_734),
        ("X", 2023, "WLD", "MA", 15_545_444),
        ("X", 2001, "WLD", "TO", 6_194_351),
        ("X", 2023, "WLD", "TO", 23_813_309),
        ("X", 2023, "WLD", "MAIS", 540_861),
        ("X", 2023, "PER", "MAMT", 608),
        ("M", 2023, "PER", "MAMT", 15_976),
        ("X", 2023, "CHL", "MAMT", 1_596),
        ("X", 2023, "COL", "MAMT", 1_923),
    ],
)
def test_check_figures_of_sources_md(
    values: dict[tuple[str, int, str, str], float],
    flow: str,
    year: int,
    reporter: str,
    product: str,
    millions: int,
) -> None:
    assert values[(flow, year, reporter, product)] == millions * 1e6


def test_asia_share_of_the_country_sum_with_chinese_taipei_in_asia(wto: WtoResult) -> None:
    continent = dict(
        zip(
            reference.load("countries").column("alpha3").to_pylist(),
            reference.load("countries").column("continent").to_pylist(),
            strict=True,
        )
    )
    sums: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in wto.table.to_pylist():
        if r["flow"] == "X" and r["product_group"] == "MAMT" and r["reporter_kind"] == "economy":
            sums[r["year"]][continent[r["reporter"]]] += r["value_usd"]
    for year, share in ((2001, 0.323), (2023, 0.497)):
        assert sums[year]["asia"] / sum(sums[year].values()) == pytest.approx(share, abs=0.0005)
    assert continent["TWN"] == "asia"


def test_wto_codes_map_to_iso_and_aggregates_stay_apart(wto: WtoResult, wto_file: Path) -> None:
    kinds = dict(
        zip(
            wto.table.column("reporter").to_pylist(),
            wto.table.column("reporter_kind").to_pylist(),
            strict=False,
        )
    )
    assert kinds["TWN"] == kinds["ROU"] == kinds["PER"] == "economy"
    assert "CHT" not in kinds and "ROM" not in kinds and "EEC" not in kinds
    assert kinds["WLD"] == "world"
    assert kinds["R970"] == kinds["EUN"] == kinds["R905"] == "region"
    assert kinds["BLX"] == kinds["SCG"] == "former"
    assert wto.former["SCG"] == (1992, 2005) and wto.former["BLX"] == (1948, 1998)
    assert wto.excluded_partners == _other_partners(wto_file)
    regions = {r for r, k in kinds.items() if k == "region"}
    assert {
        p
        for r, p in zip(
            wto.table.column("reporter").to_pylist(),
            wto.table.column("product_group").to_pylist(),
            strict=True,
        )
        if r in regions and r != "EUN"
    } == {"TO"}


def test_every_economy_of_the_mapping_has_a_continent() -> None:
    alpha3 = set(reference.load("countries").column("alpha3").to_pylist())
    table = economies()
    assert {e.reporter for e in table.values() if e.kind == "economy"} <= alpha3
    assert not {e.reporter for e in table.values() if e.kind != "economy"} & alpha3
    assert table["158"].reporter == "TWN" and table["642"].reporter == "ROU"
    assert table["918"].reporter == "EUN" and table["918"].kind == "region"
    assert table["000"].reporter == "WLD"
    assert reference.info("wto_economies").source.startswith("WTO Stats")


def test_fetch_and_ingest_from_the_mirror(tmp_path: Path, shared_data: Path) -> None:
    settings = Settings(home=tmp_path / "home", mirror=str(shared_data))
    (fetched,) = fetch("wto", settings, progress=False)
    assert fetched.path.name == "merchandise_values_annual_dataset.parquet"
    wh = Warehouse(settings)
    report = ingest(wh, "wto", settings=settings)
    (loaded,) = report.results
    other = _other_partners(fetched.path)
    assert (loaded.status, loaded.vintage.rows) == ("loaded", ROWS - sum(other.values()))
    listed = ", ".join(f"{p} ({n} rows)" for p, n in sorted(other.items()))
    assert other and any(f"partners {listed}" in n for n in report.notes)
    assert any("SCG 1992-2005" in n for n in report.notes)
    assert ingest(wh, "wto", settings=settings).results[0].status == "unchanged"
