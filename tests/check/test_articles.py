"""The two articles of ../shared/reference/articles on the warehouse `make demo` builds (issue 17, item 6).

Article 000 (Mincetur, regional exports January–November 2025): the regional data loaded end in 2022, so
every figure of 2024–2025 is ``not_checkable`` and says so. Article 003 (SNI, metalworking): the figures
the loaded data cover are checked and name the basket they were computed on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from comercio.check import CheckReport, check_text
from comercio.config import Settings
from comercio.warehouse import Warehouse


@pytest.fixture(scope="module")
def wh(built_home: Path) -> Warehouse:
    return Warehouse(Settings(home=built_home), read_only=True)


def _article(shared_data: Path, prefix: str) -> str:
    found = sorted((shared_data.parent / "reference" / "articles").glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip(f"article {prefix} not in ../shared/reference/articles")
    return found[0].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def regional(wh: Warehouse, shared_data: Path) -> CheckReport:
    return check_text(wh, _article(shared_data, "000"), lang="es", published="2026-01-20", source="000")


@pytest.fixture(scope="module")
def sector(wh: Warehouse, shared_data: Path) -> CheckReport:
    return check_text(wh, _article(shared_data, "003"), lang="es", published="2026-01-26", source="003")


def test_regional_figures_of_2025_are_not_checkable_and_say_why(regional: CheckReport) -> None:
    recent = [c for c in regional.claims if c.window is not None and c.window.end >= "2024-01"]
    assert len(recent) >= 30  # the release's figures: values, growth, shares, counts, customs offices
    assert all(c.verdict == "not_checkable" and c.computed is None for c in recent)
    kinds = ("department", "region_group", "macroregion")
    regions = [c for c in recent if c.subject and c.subject.kind in kinds and not c.subject.basket]
    assert len(regions) >= 20
    for c in regions:
        assert "bcrp_departments" in c.reason and "2022" in c.reason, c.reason
    # customs offices and agro by region or natural region need SUNAT's declarations, which are not loaded
    detail = [c for c in recent if c.subject and c.subject.kind != "national" and c.subject.basket]
    detail += [c for c in recent if c.subject and c.subject.kind == "customs_office"]
    assert len(detail) >= 10 and all("SUNAT" in c.reason for c in detail)


def test_every_number_of_the_regional_release_is_accounted_for(regional: CheckReport) -> None:
    from comercio.check.numbers import find_numbers

    seen = {c.number.span for c in regional.claims} | {s.number.span for s in regional.skipped}
    assert seen == {n.span for n in find_numbers(regional.text)}
    assert all(s.reason for s in regional.skipped)
    assert regional.counts["consistent"] == regional.counts["differs"] == 0


def test_sector_export_figure_checked_on_g1_with_the_basket_named(sector: CheckReport) -> None:
    c = next(c for c in sector.claims if c.number.printed == "USD 750 millones")
    assert c.subject is not None and c.subject.code == "g1:metalmecan" and c.window is not None
    assert (c.window.start, c.window.end) == ("2024-01", "2024-12")
    assert c.number.qualifier == "more_than"
    assert c.computed == pytest.approx(740.67e6, rel=1e-3)  # SUNAT G1 metal-mecánico, 2024
    assert c.verdict == "close"  # "superar los USD 750 millones": G1 gives a little less
    assert "grupo metal-mecánico del cuadro G1" in c.reason and c.dataset == "sunat_cuadros"


def test_world_figures_checked_on_wto_with_the_basket_named(sector: CheckReport) -> None:
    c2001 = next(c for c in sector.claims if c.number.printed == "USD 2,5 billones")
    assert c2001.subject is not None and c2001.subject.kind == "world"
    assert c2001.verdict == "consistent" and c2001.dataset == "wto_merchandise"
    assert "maquinaria y equipo de transporte" in c2001.reason
    c2024 = next(c for c in sector.claims if c.number.printed == "USD 9,0 billones")
    assert c2024.verdict == "not_checkable" and "2024" in c2024.reason


def test_sector_figures_beyond_the_data_are_not_checkable(sector: CheckReport) -> None:
    late = [c for c in sector.claims if c.window is not None and c.window.end >= "2025-01"]
    assert late and all(c.verdict == "not_checkable" for c in late)
    assert sector.counts["consistent"] + sector.counts["close"] >= 2
