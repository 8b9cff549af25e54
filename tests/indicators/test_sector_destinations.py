"""Sector study destinations. Of ALL exports from SUNAT cuadro G6 (the mirror's check figures), and of the
basket itself from customs lines: ranked with shares and growth, the Latin American count of the top ten.
Data: the built warehouse, plus the synthetic customs twin for the basket's lines (export lines only, so the
basket's origins stay omitted)."""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from comercio import reference
from comercio.config import Settings
from comercio.indicators.sector import SectorFacts, sector_facts
from comercio.indicators.sector_partners import G6
from comercio.ingest import ingest
from comercio.synth.customs import generate, marginals_from_tables
from comercio.warehouse import Warehouse

THROUGH = "2024-11"
BASKET = "basket_destinations"
START, END = date(2023, 1, 1), date(2024, 12, 1)


def _marginals() -> pa.Table:
    """Hand-made department × month export totals (Callao, Lima, not registered) growing 10 % a year."""
    rows = []
    for year in (2023, 2024):
        for month in range(1, 13):
            scale = 1.0 + 0.1 * (year - 2023) + 0.01 * month
            for dept, base in (("07", 60e6), ("15", 40e6), ("99", 10e6)):
                rows.append({"period": date(year, month, 1), "department": dept, "value_usd": base * scale})
    return pa.Table.from_pylist(rows)


@pytest.fixture(scope="module")
def lines_wh(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Warehouse, list[Path]]:
    """A copy of the built warehouse with the customs twin (Parquet) ingested."""
    root = tmp_path_factory.mktemp("sector_lines")
    home = root / "home"
    shutil.copytree(built_home, home)
    wh = Warehouse(Settings(home=home))
    twin = generate(
        rows=20_000,
        seed=1,
        out=root / "twin",
        fmt="parquet",
        marginals=marginals_from_tables(_marginals()),
        start=START,
        end=END,
    )
    files = list(twin.files)
    report = ingest(wh, "sunat-microdata", files)
    assert {r.status for r in report.results} == {"loaded"}
    return wh, files


@pytest.fixture(scope="module")
def sf(lines_wh: tuple[Warehouse, list[Path]]) -> SectorFacts:
    return sector_facts(lines_wh[0], "metalmecanica", THROUGH)


def _direct(files: list[Path], start: date, end: date) -> dict[str, float]:
    """Export value by partner of the metalmecanica_g1 basket, summed straight from the twin's files."""
    out: dict[str, float] = defaultdict(float)
    for path in files:
        t = pq.read_table(path, columns=["flow", "period", "partner", "product", "value_usd"])
        t = t.filter(pc.equal(t["flow"], "X"))
        t = t.filter(pc.is_valid(reference.classify(t["product"], "metalmecanica_g1")))
        for p, partner, v in zip(
            *(t[c].to_pylist() for c in ("period", "partner", "value_usd")), strict=True
        ):
            if start <= p <= end:
                out[partner] += v
    return dict(out)


def _partner_values(sf: SectorFacts, direction: str, what: str) -> dict[str, float]:
    """Partner code → value of the family ``{direction}.{partner}.<what>`` for one direction."""
    return {
        x.parts["partner"]: x.value
        for x in sf.facts.each(f"{{direction}}.{{partner}}.{what}")
        if x.parts["direction"] == direction
    }


def test_basket_destinations_match_a_direct_sum_of_the_lines(
    sf: SectorFacts, lines_wh: tuple[Warehouse, list[Path]]
) -> None:
    current = _direct(lines_wh[1], date(2024, 1, 1), date(2024, 11, 1))
    previous = _direct(lines_wh[1], date(2023, 1, 1), date(2023, 11, 1))
    assert current, "the twin wrote no metalworking export line"
    values = _partner_values(sf, BASKET, "value")
    assert {m for m, v in values.items() if v} == set(current)
    for m, v in current.items():
        assert values[m] == pytest.approx(v, rel=1e-9)
        growth = sf.facts.value("{direction}.{partner}.growth", direction=BASKET, partner=m)
        assert growth == pytest.approx(v / previous[m] - 1, rel=1e-9) if previous.get(m) else growth is None
    top = sf.facts.get("{direction}.top", direction=BASKET)
    assert top is not None and top.synthetic
    assert (top.extra["basket_form"], top.extra["basket_code"]) == ("hs", "metalmecanica_g1")


def test_shares_sum_to_one_and_top_ten_is_ranked(sf: SectorFacts) -> None:
    shares = _partner_values(sf, BASKET, "share")
    assert sum(shares.values()) == pytest.approx(1.0, rel=1e-9)
    top = sf.facts.value("{direction}.top", direction=BASKET)
    values = _partner_values(sf, BASKET, "value")
    assert len(top) == min(10, len(values))
    ranked = [values[m] for m in top]
    assert ranked == sorted(ranked, reverse=True)
    assert all(values[m] <= ranked[-1] for m in values if m not in top)


def test_latin_american_count_is_a_recount_from_the_countries_table(sf: SectorFacts) -> None:
    latam = {r["alpha2"] for r in reference.load("countries").to_pylist() if r["latin_america"]}
    d = {"direction": BASKET}
    top = sf.facts.value("{direction}.top", **d)
    expected = [m for m in top if m in latam]
    assert sf.facts.value("{direction}.latam_top10.count", **d) == len(expected)
    assert 0 < len(expected) < len(top)  # the twin sells machinery parts to the US and to neighbours alike
    share = sum(sf.facts.value("{direction}.{partner}.share", **d, partner=m) for m in expected)
    assert sf.facts.value("{direction}.latam_top10.share", **d) == pytest.approx(share)


def test_basket_origins_stay_omitted_because_the_twin_writes_exports_only(sf: SectorFacts) -> None:
    assert "basket_origins" in sf.omitted and BASKET not in sf.omitted
    assert not sf.facts.has("{direction}.top", direction="basket_origins")


# --- destinations of all exports, cuadro G6 ----------------------------------------------------------------


@pytest.fixture(scope="module")
def g6(built_home: Path) -> Warehouse:
    wh = Warehouse(Settings(home=built_home), read_only=True)
    if not wh.has(G6):
        pytest.skip("the built warehouse has no SUNAT cuadro G6")
    return wh


@pytest.mark.parametrize(
    ("partner", "millions"), [("US", 9_501.9), ("CN", 24_565.0), ("CL", 2_096.9), ("CO", 933.2)]
)
def test_g6_destinations_2024_are_the_check_figures(g6: Warehouse, partner: str, millions: float) -> None:
    f = sector_facts(g6, "metalmecanica", "2024-12").facts
    value = f.get("{direction}.{partner}.value", direction="destinations", partner=partner)
    assert value is not None and value.value / 1e6 == pytest.approx(millions, abs=0.05)
    assert (
        value.dataset == G6 and value.extra["scope"] == "all_products" and value.extra["basket_form"] == "all"
    )


def test_g6_total_equals_g1_and_shares_sum_to_one(g6: Warehouse) -> None:
    f = sector_facts(g6, "metalmecanica", "2024-12").facts
    total = f.value("{direction}.total.value", direction="destinations")
    assert total / 1e6 == pytest.approx(73_593.9, abs=0.05)  # SOURCES.md: G6 Total general 2024 = G1 total
    shares = [
        x.value for x in f.each("{direction}.{partner}.share") if x.parts["direction"] == "destinations"
    ]
    assert sum(shares) == pytest.approx(1.0)
    top = f.value("{direction}.top", direction="destinations")
    assert top[:2] == ["CN", "US"] and len(top) == 10
    latam = [
        m
        for m in top
        if m in {r["alpha2"] for r in reference.load("countries").to_pylist() if r["latin_america"]}
    ]
    assert f.value("{direction}.latam_top10.count", direction="destinations") == len(latam)
    growth = f.value("{direction}.{partner}.growth", direction="destinations", partner="US")
    top_fact = f.get("{direction}.top", direction="destinations")
    assert top_fact is not None
    row = next(r for r in top_fact.extra["rows"] if r["member"] == "US")
    assert growth == pytest.approx(row["value"] / row["previous"] - 1)


def test_g6_year_to_date_2025(g6: Warehouse) -> None:
    f = sector_facts(g6, "metalmecanica", "2025-04").facts
    total = f.get("{direction}.total.value", direction="destinations")
    assert total is not None and total.value / 1e6 == pytest.approx(22_486.1, abs=0.05)  # Jan–Apr 2025
    assert total.window == {"kind": "ytd", "start": "2025-01-01", "end": "2025-04-01"}
