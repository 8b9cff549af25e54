"""World-trade aggregation (``indicators.world``) and sector facts: built warehouse + synthetic BACI."""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from comercio import reference
from comercio.config import Settings
from comercio.errors import ConfigError
from comercio.indicators import world
from comercio.indicators.sector import normalise_label, sector_facts
from comercio.ingest import ingest
from comercio.reference import classify
from comercio.sources.baci import iter_baci
from comercio.synth.baci import generate_baci
from comercio.warehouse import Warehouse
from comercio.warehouse.loads import FileRef, Provenance

YEARS = range(2001, 2025)


@pytest.fixture(scope="module")
def sector_wh(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Warehouse, Path]:
    """A copy of the built warehouse with a small synthetic BACI release ingested."""
    home = tmp_path_factory.mktemp("sector_home") / "home"
    shutil.copytree(built_home, home)
    zip_path = generate_baci(home.parent / "baci", years=YEARS, rows_per_year=3_000, seed=11)
    wh = Warehouse(Settings(home=home))
    report = ingest(wh, "baci", [zip_path])
    assert [r.status for r in report.results] == ["loaded"]
    return wh, zip_path


def test_reingest_is_a_noop_and_vintage_is_synthetic(sector_wh: tuple[Warehouse, Path]) -> None:
    wh, zip_path = sector_wh
    again = ingest(wh, "baci", [zip_path])
    assert [r.status for r in again.results] == ["unchanged"]
    assert all(v.synthetic for v in wh.vintages("world_trade"))


@pytest.mark.parametrize("side", ["exporter", "importer"])
def test_continent_shares_sum_to_one_each_year(sector_wh: tuple[Warehouse, Path], side: str) -> None:
    wh, _ = sector_wh
    wt = world.by_continent(wh, "metalmecanica", side)  # type: ignore[arg-type]
    sums: dict[int, float] = defaultdict(float)
    for row in wt.table.to_pylist():
        sums[row["year"]] += row["share"]
    assert sorted(sums) == list(YEARS)
    assert all(abs(s - 1.0) < 1e-9 for s in sums.values())
    assert wt.synthetic
    assert "unknown" not in set(wt.table["continent"].to_pylist())  # every BACI country has a continent


def test_exporter_values_match_an_independent_arrow_sum(sector_wh: tuple[Warehouse, Path]) -> None:
    """The Ibis basket join equals a plain Arrow filter over the zip for Peru, Chile and Colombia in 2024."""
    wh, zip_path = sector_wh
    expected: dict[str, float] = defaultdict(float)
    for batch in iter_baci(zip_path, years={2024}):
        keep = pc.is_valid(classify(batch.column("hs6"), "metalmecanica"))
        b = batch.filter(keep)
        for e, v in zip(b.column("exporter").to_pylist(), b.column("value_usd").to_pylist(), strict=True):
            expected[e] += v
    got = world.by_exporter(wh, "metalmecanica", ("PER", "CHL", "COL"), 2024).table.to_pylist()
    assert {r["exporter"] for r in got} == {"PER", "CHL", "COL"}
    for r in got:
        assert r["value"] == pytest.approx(expected[r["exporter"]], rel=1e-9)


def test_normalised_label_matches_both_g1_spellings() -> None:
    assert normalise_label("Metal-Mecánica").startswith("metalmecan")
    assert normalise_label("Metal-mecanico").startswith("metalmecan")
    assert not normalise_label("Sidero-Metalúrgico").startswith("metalmecan")


def test_sector_facts_full_year_and_world(sector_wh: tuple[Warehouse, Path]) -> None:
    wh, _ = sector_wh
    sf = sector_facts(wh, "metalmecanica", "2025-04", world_form="hs")
    f = sf.facts
    peru = f.get("peru.exports.value")
    assert peru is not None and peru.window["start"] == "2024-01-01"
    assert peru.value / 1e6 == pytest.approx(740.7, abs=0.05)  # SOURCES.md, G1 2024
    assert len(sf.g1_paths) == 2  # the node is renamed between 2019 and 2020
    assert not peru.synthetic
    y0 = {"year": "2001"}
    ex = {"side": "exports"}
    world_facts = [
        f.get("world.{side}.value", **ex),
        f.get("world.{side}.value.{year}", **ex, **y0),
        f.get("world.share_of_trade"),
        f.get("world.share_of_manufactures"),
        f.get("world.share_of_manufactures.{year}", **y0),
        f.get("world.{side}.share.{continent}", side="exports", continent="asia"),
        f.get("world.{side}.share.{continent}.{year}", side="exports", continent="asia", **y0),
        f.get("world.{side}.share.{continent}", side="imports", continent="asia"),
        f.get("peers.{partner}.{side}.value", partner="CHL", **ex),
        f.get("peers.{partner}.{side}.value", partner="COL", **ex),
    ]
    assert all(x is not None and x.synthetic for x in world_facts), world_facts
    # every world figure names the HS basket it was computed on
    forms = {(x.extra["basket_form"], x.extra["basket_code"]) for x in world_facts if x is not None}
    assert forms == {("hs", "metalmecanica")}
    assert sf.world_synthetic and sf.world_form == "hs"
    manuf_2001 = f.get("world.share_of_manufactures.{year}", **y0)
    assert manuf_2001 is not None and manuf_2001.window["start"] == "2001-01-01"
    assert 0 < f.value("world.share_of_manufactures") <= 1
    latest = f.each("world.{side}.share.{continent}")
    assert {x.member for x in latest} == {x.parts["continent"] for x in latest}
    assert sum(x.value for x in latest if x.parts["side"] == "exports") == pytest.approx(1.0)
    assert f.get("peers.{partner}.{side}.value", partner="PER", **ex) is not None
    assert sf.world_years == (2001, 2024)
    # customs lines in the built warehouse are a two-week tyre sample: no basket partners; BACI gives no
    # imports of Peru by the WTO group, hence no balance either
    assert {"peru_imports", "basket_destinations", "basket_origins"} <= set(sf.omitted)
    assert not f.has("peru.balance.value") and not f.has("{direction}.top", direction="basket_destinations")


def test_sector_facts_year_to_date(sector_wh: tuple[Warehouse, Path]) -> None:
    wh, _ = sector_wh
    f = sector_facts(wh, "metalmecanica", "2024-11", world_form="hs").facts
    assert f.value("peru.exports.ytd.value") / 1e6 == pytest.approx(
        668.9, abs=0.05
    )  # SOURCES.md Jan–Nov 2024
    prev = f.value("peru.exports.ytd.previous")
    assert f.value("peru.exports.growth") == pytest.approx(f.value("peru.exports.ytd.value") / prev - 1)
    year = f.get("peru.exports.value")
    assert year is not None and year.window["end"] == "2023-12-01"  # 2024 is not complete in November


def test_share_of_manufactures_matches_an_independent_arrow_sum(sector_wh: tuple[Warehouse, Path]) -> None:
    wh, zip_path = sector_wh
    sums = {"metalmecanica": 0.0, "manufacturas": 0.0}
    for batch in iter_baci(zip_path, years={2024}):
        for basket in sums:
            keep = pc.is_valid(classify(batch.column("hs6"), basket))
            sums[basket] += pc.sum(batch.filter(keep).column("value_usd")).as_py() or 0.0
    row = next(
        r for r in world.share_of(wh, "metalmecanica", "manufacturas").table.to_pylist() if r["year"] == 2024
    )
    assert row["whole"] == pytest.approx(sums["manufacturas"], rel=1e-9)
    assert row["share"] == pytest.approx(sums["metalmecanica"] / sums["manufacturas"], rel=1e-9)
    f = sector_facts(wh, "metalmecanica", "2025-04", world_form="hs").facts
    assert f.value("world.share_of_manufactures") == pytest.approx(row["share"], rel=1e-9)


@pytest.mark.parametrize(
    ("hs6", "inside"),
    [
        ("847490", True),  # machinery (SITC 7)
        ("300490", True),  # medicaments (SITC 5)
        ("610910", True),  # T-shirts (SITC 8)
        ("721420", True),  # iron bars (SITC 6)
        ("761699", True),  # articles of aluminium (SITC 69)
        ("711319", True),  # jewellery (SITC 897)
        ("740311", False),  # refined copper (SITC 68)
        ("760110", False),  # unwrought aluminium (SITC 68)
        ("710812", False),  # gold (SITC 97)
        ("930190", False),  # arms (SITC 891)
        ("270900", False),  # crude petroleum (SITC 3)
        ("080610", False),  # grapes (SITC 0)
        ("520100", False),  # raw cotton (SITC 26)
        ("440729", False),  # sawn wood (SITC 24)
        ("720449", False),  # ferrous scrap (SITC 28)
        ("470329", False),  # wood pulp (SITC 25)
    ],
)
def test_manufactures_basket_follows_the_sitc_definition(hs6: str, inside: bool) -> None:
    assert (classify([hs6], "manufacturas")[0].as_py() is not None) is inside


def test_metalworking_lies_inside_manufactures() -> None:
    rows = [r for r in reference.load("baskets").to_pylist() if r["basket"] == "metalmecanica" and r["path"]]
    codes = [r["prefix"].ljust(6, "0") for r in rows] + [r["prefix"].ljust(6, "9") for r in rows]
    assert classify(codes, "manufacturas").null_count == 0


@pytest.mark.slow
@pytest.mark.spark
def test_world_by_continent_is_the_same_on_spark(sector_wh: tuple[Warehouse, Path]) -> None:
    """One code path, two engines: the world aggregation on Spark equals DuckDB's."""
    pytest.importorskip("pyspark")
    wh, _ = sector_wh

    def cells(engine: str) -> dict[tuple[int, str], float]:
        t = world.by_continent(wh, "metalmecanica", "exporter", engine=engine).table
        return {(r["year"], r["continent"]): r["value"] for r in t.to_pylist()}

    duck, spark = cells("duckdb"), cells("spark")
    assert set(duck) == set(spark)
    assert all(spark[k] == pytest.approx(v, rel=1e-9) for k, v in duck.items())


@pytest.fixture(scope="module")
def small_baci(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """A copy of the built warehouse (with WTO when the mirror has it) and a hand-made world_trade load."""
    home = tmp_path_factory.mktemp("small_baci") / "home"
    shutil.copytree(built_home, home)
    wh = Warehouse(Settings(home=home))
    rows = [
        {"year": y, "exporter": e, "importer": i, "hs6": h, "value_usd": v * (1 + 0.1 * (y - 2022))}
        for y in (2022, 2023, 2024)
        for e, i, h, v in (
            ("PER", "CHL", "847490", 1e8),  # machinery: in the metalworking basket
            ("CHL", "PER", "847490", 2e8),
            ("CHN", "USA", "851712", 5e10),
            ("DEU", "FRA", "870323", 3e10),
            ("CHN", "USA", "100199", 9e9),  # wheat: outside it and outside manufactures
        )
    ]
    table = pa.Table.from_pylist(rows).append_column("hs_version", pa.array(["HS17"] * len(rows)))
    table = table.append_column("quantity_t", pa.array([1.0] * len(rows)))
    table = table.append_column("synthetic", pa.array([True] * len(rows)))
    table = table.append_column("source", pa.array(["test"] * len(rows)))
    prov = Provenance(source="baci", files=(FileRef("small.zip", "0" * 64),), parser="test", synthetic=True)
    wh.load("world_trade", "small", table, prov)
    return wh


def test_hs_world_form_reads_baci_and_names_the_hs_basket(small_baci: Warehouse) -> None:
    sf = sector_facts(small_baci, "metalmecanica", "2024-12", world_form="hs")
    f = sf.facts
    assert sf.world_form == "hs" and sf.world_years == (2022, 2024)
    value = f.get("world.{side}.value", side="exports")
    assert value is not None and value.dataset == "world_trade" and value.synthetic
    assert value.value == pytest.approx((1e8 + 2e8 + 5e10 + 3e10) * 1.2)
    assert (value.extra["basket_form"], value.extra["basket_code"]) == ("hs", "metalmecanica")
    assert f.value("world.share_of_trade") == pytest.approx(value.value / (value.value + 9e9 * 1.2))
    asia = f.get("world.{side}.share.{continent}", side="exports", continent="asia")
    assert asia is not None and asia.extra["denominator"] == "sum_of_countries"
    assert asia.value == pytest.approx(5e10 / (1e8 + 2e8 + 5e10 + 3e10))
    assert f.value("peers.{partner}.{side}.value", partner="CHL", side="exports") == pytest.approx(2.4e8)
    assert "peru_imports" in sf.omitted  # BACI gives no WTO-group imports of Peru here


def test_the_world_side_prefers_wto_when_both_are_loaded(small_baci: Warehouse) -> None:
    if not small_baci.has("wto_merchandise"):
        pytest.skip("the built warehouse has no WTO merchandise values")
    sf = sector_facts(small_baci, "metalmecanica", "2024-12")
    assert sf.world_form == "wto" and sf.facts.has("peru.balance.value")
    with pytest.raises(ConfigError, match="world form 'baci'"):
        sector_facts(small_baci, "metalmecanica", "2024-12", world_form="baci")
