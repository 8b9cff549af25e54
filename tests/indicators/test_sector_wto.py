"""The sector study on official data: WTO world side, G1 exports, F1 imports context, every fact naming its
basket. Data: the warehouse built from the mirror (WTO merchandise values, SUNAT G1/F1/G6); the figures are
the mirror's check figures (``SOURCES.md``); the tests skip when the mirror lacks a file.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from comercio import reference
from comercio.config import Settings
from comercio.errors import ConfigError, ReferenceDataError
from comercio.indicators import wto
from comercio.indicators.sector import SectorFacts, growth_driver, sector_facts
from comercio.warehouse import Warehouse

M = 1e6


@pytest.fixture(scope="module")
def wh(built_home: Path) -> Warehouse:
    w = Warehouse(Settings(home=built_home), read_only=True)
    if not w.has(wto.DATASET):
        pytest.skip("the built warehouse has no WTO merchandise values")
    return w


@pytest.fixture(scope="module")
def sf(wh: Warehouse) -> SectorFacts:
    return sector_facts(wh, "metalmecanica", "2024-12")


@pytest.fixture(scope="module")
def frame(wh: Warehouse) -> wto.WtoFrame:
    return wto.frame(wh, ["MAMT", "MA", "TO", "MAIS"], first=2001, last=2023)


@pytest.mark.parametrize(
    ("code", "year", "millions"),
    [
        ("MAMT", 2001, 2_481_923),
        ("MAMT", 2023, 7_975_910),
        ("MA", 2001, 4_512_734),
        ("MA", 2023, 15_545_444),
        ("TO", 2001, 6_194_351),
        ("TO", 2023, 23_813_309),
        ("MAIS", 2023, 540_861),
    ],
)
def test_world_rows_are_the_check_figures(frame: wto.WtoFrame, code: str, year: int, millions: int) -> None:
    assert frame.values("X", code, "WLD")[year] == pytest.approx(millions * M)


@pytest.mark.parametrize(
    ("reporter", "flow", "millions"),
    [("PER", "X", 608), ("PER", "M", 15_976), ("CHL", "X", 1_596), ("COL", "X", 1_923)],
)
def test_economies_are_the_check_figures(
    frame: wto.WtoFrame, reporter: str, flow: str, millions: int
) -> None:
    assert frame.values(flow, "MAMT", reporter)[2023] == pytest.approx(millions * M)


def test_asia_share_of_the_country_sum_first_and_last_year(sf: SectorFacts) -> None:
    """SOURCES.md: the country reporters summed by continent (TWN in Asia) give Asia 32.3 % and 49.7 %."""
    f = sf.facts
    first = f.get("world.{side}.share.{continent}.{year}", side="exports", continent="asia", year="2001")
    last = f.get("world.{side}.share.{continent}", side="exports", continent="asia")
    assert first is not None and last is not None
    assert first.id == "world.exports.share.asia.2001" and last.id == "world.exports.share.asia"
    assert round(first.value * 100, 1) == 32.3 and round(last.value * 100, 1) == 49.7
    assert last.extra["denominator"] == "sum_of_countries"
    # the country sum runs above the World row (re-exports): 2–5 %
    assert 1.02 <= last.extra["denominator_value"] / last.extra["world_row_value"] <= 1.05
    change = f.value("world.{side}.share_change.{continent}", side="exports", continent="asia")
    assert change == pytest.approx(last.value - first.value)


@pytest.mark.parametrize("side", ["exports", "imports"])
def test_continent_shares_sum_to_one_and_former_economies_are_listed(sf: SectorFacts, side: str) -> None:
    sums: dict[str, float] = defaultdict(float)
    excluded: dict[str, dict[str, float]] = {}
    for x in sf.facts.each("world.{side}.share.{continent}.{year}"):
        if x.parts["side"] == side:
            sums[x.parts["year"]] += x.value
            excluded[x.parts["year"]] = x.extra["excluded"]
    assert sorted(sums) == [str(y) for y in range(2001, 2024)]
    assert all(s == pytest.approx(1.0) for s in sums.values())
    assert "SCG" in excluded["2001"] and not excluded["2023"]  # Serbia and Montenegro until 2005


def test_world_value_weights_and_the_basket_they_name(sf: SectorFacts) -> None:
    f = sf.facts
    value = f.by_id("world.exports.value")
    assert value is not None and value.window["start"] == "2023-01-01"
    assert value.value == pytest.approx(7_975_910 * M)
    assert value.extra["basket_form"] == "wto" and value.extra["basket_code"] == "MAMT"
    assert f.by_id("world.exports.value.2001").value == pytest.approx(2_481_923 * M)  # type: ignore[union-attr]
    trade, manuf = f.get("world.share_of_trade"), f.get("world.share_of_manufactures")
    assert trade is not None and manuf is not None
    assert trade.value == pytest.approx(7_975_910 / 23_813_309)
    assert manuf.value == pytest.approx(7_975_910 / 15_545_444)
    assert (trade.extra["denominator"], trade.extra["denominator_code"]) == ("world_row", "TO")
    assert manuf.extra["denominator_code"] == "MA"
    growth = f.value("world.{side}.growth", side="exports")
    assert growth == pytest.approx(7_975_910 / 2_481_923 - 1)
    assert sf.world_years == (2001, 2023) and sf.world_form == "wto" and not sf.synthetic


def test_every_fact_names_its_basket(sf: SectorFacts) -> None:
    forms = {(f.form, f.code) for f in reference.basket_forms("metalmecanica")} | {("all", "all_products")}
    forms |= {("f1", "total"), ("f1", "selected")}
    for x in sf.facts:
        assert x.extra["basket"] == "metalmecanica", x.id
        assert (x.extra["basket_form"], x.extra["basket_code"]) in forms, x.id


def test_peers_and_peru_balance(sf: SectorFacts) -> None:
    f = sf.facts
    chl = f.by_id("peers.CHL.exports.value")
    assert chl is not None and chl.value == pytest.approx(1_596 * M) and chl.member == "CHL"
    assert f.value("peers.{partner}.{side}.share", partner="COL", side="exports") == pytest.approx(
        1_923 / 7_975_910
    )
    assert f.has("peers.{partner}.{side}.growth", partner="CHL", side="exports")
    assert f.value("peru.imports.value") == pytest.approx(15_976 * M)
    balance = f.get("peru.balance.value")
    assert balance is not None and balance.value == pytest.approx((608 - 15_976) * M)
    assert balance.extra["basket_code"] == "MAMT" and "CIF" in balance.extra["caveat"]
    series = {x.parts["year"]: x.value for x in f.each("peru.balance.value.{year}")}
    assert series["2023"] == balance.value and len(series) == 23


def test_subsectors_are_wto_parts_of_the_group(sf: SectorFacts) -> None:
    f = sf.facts
    p = {"side": "exports"}
    office = f.value("subsector.{subsector}.world.{side}.share", subsector="MAMTOF", **p)
    transport = f.value("subsector.{subsector}.world.{side}.share", subsector="MAMTTE", **p)
    auto = f.value("subsector.{subsector}.world.{side}.share", subsector="MAMTAU", **p)
    assert 0 < auto < transport < 1 and office + transport < 1  # automotive is part of transport equipment
    peru = f.value("subsector.{subsector}.peru.{side}.value", subsector="MAMTTE", **p)
    assert 0 < peru < 608 * M
    assert "g1_subgroups" in sf.omitted


def test_peru_g1_exports_annual_and_year_to_date(sf: SectorFacts, wh: Warehouse) -> None:
    f = sf.facts
    peru = f.get("peru.exports.value")
    assert peru is not None and round(peru.value) == 740_671_458  # SOURCES.md, G1 2024
    assert peru.extra["basket_form"] == "g1" and peru.window["start"] == "2024-01-01"
    assert f.value("peru.exports.value.{year}", year="2024") == peru.value
    assert f.value("peru.exports.annual_growth") == pytest.approx(
        peru.value / f.value("peru.exports.value.{year}", year="2023") - 1
    )
    ytd = sector_facts(wh, "metalmecanica", "2024-11").facts
    assert ytd.value("peru.exports.ytd.value") / M == pytest.approx(668.9, abs=0.05)  # Jan–Nov 2024
    assert ytd.get("peru.exports.value").window["end"] == "2023-12-01"  # type: ignore[union-attr]


def test_one_month_drives_the_growth_of_early_2025(wh: Warehouse) -> None:
    """January 2025 (112 M against 49 M) explains most of the January–April growth."""
    f = sector_facts(wh, "metalmecanica", "2025-04").facts
    driver = f.get("peru.exports.growth_driver")
    assert driver is not None and driver.extra["month"] == "2025-01"
    assert round(driver.extra["value"] / M) == 112 and round(driver.extra["previous"] / M) == 49
    assert driver.value > 0.5
    assert driver.extra["growth_without"] < f.value("peru.exports.growth")


def test_growth_driver_needs_a_dominant_month() -> None:
    months = [(date(2025, m, 1), v, p) for m, v, p in ((1, 112.0, 49.0), (2, 50.0, 48.0), (3, 51.0, 50.0))]
    found = growth_driver(months)
    assert found is not None and found[0] == date(2025, 1, 1)
    even = [(date(2025, m, 1), 10.0, 9.0) for m in (1, 2, 3)]
    assert growth_driver(even) is None
    assert growth_driver(months[:1]) is None  # one month is the whole window, not a driver


def test_f1_imports_context_with_its_caveat(sf: SectorFacts) -> None:
    f = sf.facts
    total = f.get("imports.cuode.{cuode}.value", cuode="total")
    assert total is not None and total.value / M == pytest.approx(55_026.6, abs=0.05)  # SOURCES.md, F1 2024
    capital = f.get("imports.cuode.{cuode}.ytd.value", cuode="capital")
    assert (
        capital is not None
        and capital.extra["value_basis"] == "CIF"
        and "not the same basket" in capital.extra["caveat"]
    )
    parts = sum(f.value("imports.cuode.{cuode}.ytd.value", cuode=c) for c in ("8", "9"))
    assert 0 < parts < capital.value
    share = f.value("imports.cuode.{cuode}.share", cuode="capital")
    assert share == pytest.approx(capital.value / f.value("imports.cuode.{cuode}.ytd.value", cuode="total"))
    selected = f.get("imports.cuode.{cuode}.value", cuode="selected")
    assert selected is not None and selected.extra["members"] == ["7", "8", "9", "24", "25"]
    groups = ("7", "8", "9", "24", "25")
    assert selected.value == pytest.approx(
        sum(f.value("imports.cuode.{cuode}.value", cuode=c) for c in groups)
    )


def test_unknown_basket_and_a_month_past_the_data_are_clear_errors(wh: Warehouse) -> None:
    with pytest.raises(ReferenceDataError, match="unknown basket 'acero'; known baskets: metalmecanica"):
        sector_facts(wh, "acero", "2024-12")
    with pytest.raises(ConfigError, match=r"2099-01 is after the last month .*G1: 2025-04"):
        sector_facts(wh, "metalmecanica", "2099-01")


def test_other_studies_use_their_own_forms(wh: Warehouse) -> None:
    sf = sector_facts(wh, "siderometalurgico", "2024-12")
    assert sf.facts.value("peru.exports.value") / M == pytest.approx(1_799.9, abs=0.05)  # SOURCES.md
    assert sf.facts.by_id("world.exports.value").value == pytest.approx(540_861 * M)  # type: ignore[union-attr]
    assert "imports_context" in sf.omitted and "subsectors" in sf.omitted


def test_any_list_of_peers_and_a_bad_code(wh: Warehouse) -> None:
    f = sector_facts(wh, "metalmecanica", "2024-12", peers=("mex", "BRA")).facts
    peers = {x.parts["partner"] for x in f.each("peers.{partner}.{side}.value")}
    assert peers == {"MEX", "BRA", "PER"}  # Peru is always among them
    with pytest.raises(ConfigError, match="XXX: not an ISO 3166 alpha-3 country code"):
        sector_facts(wh, "metalmecanica", "2024-12", peers=("CHL", "XXX"))


@pytest.mark.slow
@pytest.mark.spark
def test_wto_frame_is_the_same_on_spark(wh: Warehouse) -> None:
    """One code path, two engines: the WTO rows the world side reads are the same on Spark."""
    pytest.importorskip("pyspark")

    def cells(engine: str) -> dict[tuple[str, int, str, str], float]:
        fr = wto.frame(wh, ["MAMT", "TO"], first=2020, last=2023, engine=engine)
        return {(r["flow"], r["year"], r["reporter"], r["product_group"]): r["value_usd"] for r in fr.rows}

    duck, spark = cells("duckdb"), cells("spark")
    assert duck and duck == spark
