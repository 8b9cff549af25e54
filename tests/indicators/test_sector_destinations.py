"""Sector study from customs lines: destinations ranked with shares and growth, the Latin American count of
the top ten, and the report section they feed. Data: the built warehouse plus a synthetic BACI release and
the synthetic customs twin (export lines only, so imports, origins and the balance stay omitted)."""

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
from comercio.ingest import ingest
from comercio.reports.fmt import Formatter
from comercio.reports.sector import build_sector_report
from comercio.reports.writers import write_report
from comercio.synth.baci import generate_baci
from comercio.synth.customs import generate, marginals_from_tables
from comercio.warehouse import Warehouse

THROUGH = "2024-11"
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
    """A copy of the built warehouse with a small synthetic BACI and the customs twin (Parquet) ingested."""
    root = tmp_path_factory.mktemp("sector_lines")
    home = root / "home"
    shutil.copytree(built_home, home)
    wh = Warehouse(Settings(home=home))
    baci = generate_baci(root / "baci", years=range(2021, 2025), rows_per_year=2_000, seed=3)
    ingest(wh, "baci", [baci])
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


def test_destinations_match_a_direct_sum_of_the_lines(
    sf: SectorFacts, lines_wh: tuple[Warehouse, list[Path]]
) -> None:
    current = _direct(lines_wh[1], date(2024, 1, 1), date(2024, 11, 1))
    previous = _direct(lines_wh[1], date(2023, 1, 1), date(2023, 11, 1))
    assert current, "the twin wrote no metalworking export line"
    values = _partner_values(sf, "destinations", "value")
    assert {m for m, v in values.items() if v} == set(current)
    for m, v in current.items():
        assert values[m] == pytest.approx(v, rel=1e-9)
        growth = sf.facts.value("{direction}.{partner}.growth", direction="destinations", partner=m)
        assert growth == pytest.approx(v / previous[m] - 1, rel=1e-9) if previous.get(m) else growth is None
    top = sf.facts.get("{direction}.top", direction="destinations")
    assert top is not None and top.synthetic
    assert {x.member for x in sf.facts.each("{direction}.{partner}.value")} == set(values)


def test_shares_sum_to_one_and_top_ten_is_ranked(sf: SectorFacts) -> None:
    shares = _partner_values(sf, "destinations", "share")
    assert sum(shares.values()) == pytest.approx(1.0, rel=1e-9)
    top = sf.facts.value("{direction}.top", direction="destinations")
    values = _partner_values(sf, "destinations", "value")
    assert len(top) == min(10, len(values))
    ranked = [values[m] for m in top]
    assert ranked == sorted(ranked, reverse=True)
    assert all(values[m] <= ranked[-1] for m in values if m not in top)


def test_latin_american_count_is_a_recount_from_the_countries_table(sf: SectorFacts) -> None:
    latam = {r["alpha2"] for r in reference.load("countries").to_pylist() if r["latin_america"]}
    d = {"direction": "destinations"}
    top = sf.facts.value("{direction}.top", **d)
    expected = [m for m in top if m in latam]
    assert sf.facts.value("{direction}.latam_top10.count", **d) == len(expected)
    assert 0 < len(expected) < len(top)  # the twin sells machinery parts to the US and to neighbours alike
    share = sum(sf.facts.value("{direction}.{partner}.share", **d, partner=m) for m in expected)
    assert sf.facts.value("{direction}.latam_top10.share", **d) == pytest.approx(share)


def test_imports_stay_omitted_because_the_twin_writes_exports_only(sf: SectorFacts) -> None:
    assert {"peru_imports", "origins"} <= set(sf.omitted)
    assert "destinations" not in sf.omitted
    assert not sf.facts.has("peru.imports.value") and not sf.facts.has("peru.balance.value")
    assert not sf.facts.has("{direction}.top", direction="origins")


@pytest.mark.parametrize("lang", ["es", "en"])
def test_report_shows_destinations(sf: SectorFacts, lang: str) -> None:
    report = build_sector_report(sf, lang)
    section = next(s for s in report.sections if s.id == "destinations")
    assert not section.omitted
    assert section.figures and section.tables
    d = {"direction": "destinations"}
    top = sf.facts.value("{direction}.top", **d)
    assert [r["code"] for r in section.tables[0].rows] == top
    fmt = Formatter(lang)
    prose = section.paragraphs[0]
    names = {
        r["alpha2"]: r["name_es" if lang == "es" else "name_en"]
        for r in reference.load("countries").to_pylist()
    }
    lead = top[0]
    assert names[lead] in prose
    assert fmt.money(sf.facts.value("{direction}.{partner}.value", **d, partner=lead)) in prose
    growth = sf.facts.value("{direction}.{partner}.growth", **d, partner=lead)
    if growth is not None:
        assert fmt.pct(growth, signed=True) in prose
    assert fmt.pct(sf.facts.value("{direction}.latam_top10.share", **d)) in prose
    omitted = {s.id for s in report.sections if s.omitted}
    assert "destinations" not in omitted and {"origins", "peru_imports"} <= omitted


def test_destinations_are_written_to_files(sf: SectorFacts, tmp_path: Path) -> None:
    paths = write_report(build_sector_report(sf, "es"), "html,md,xlsx", tmp_path)
    assert {p.name for p in paths} == {"report.html", "report.md", "report.xlsx"}
    assert (tmp_path / "figure-destinations.png").stat().st_size > 1000
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    lead = sf.facts.value("{direction}.top", direction="destinations")[0]
    name = next(r["name_es"] for r in reference.load("countries").to_pylist() if r["alpha2"] == lead)
    assert md.count(name) >= 2  # in the prose and in the table
