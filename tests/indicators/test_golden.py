"""Ground truth: the engine against figures computed independently, in plain Python, from the BCRP file.

The expected values below are not copied from the engine: ``_golden`` re-reads the published CSV with the
standard library and sums it by hand. Tolerances are documented in tests/fixtures/README.md.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from comercio.indicators import engine as eng
from comercio.indicators import measures
from comercio.indicators.regional import regional_facts
from comercio.indicators.specs import Filters, Grouping, Window

USD_TOL = 0.01  # US$ (sums of published values in millions × 1e6)
FRACTION_TOL = 1e-9
LIMA_CALLAO = {"Lima", "Callao"}
NOT_A_REGION = {"Total", "No Registrado"}
INTERIOR = {"region_group": "interior"}


def _golden(shared: Path) -> dict[str, dict[str, float]]:
    """Department → month (YYYY-MM) → US$, from the published wide CSV."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    with (shared / "bcrp" / "exports_by_department_monthly_2005_2022.csv").open(encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        for row in reader:
            for month, cell in zip(header[1:], row[1:], strict=True):
                out[row[0]][month[:7]] = float(cell) * 1e6
    return out


def _sum(series: dict[str, float], year: int, last_month: int, first_month: int = 1) -> float:
    return sum(series[f"{year}-{m:02d}"] for m in range(first_month, last_month + 1))


_FACTS: dict[tuple[str, str], object] = {}


def _facts(warehouse, definition: str = "annual"):  # type: ignore[no-untyped-def]
    """regional_facts once per engine and record definition (Spark queries cost seconds each)."""
    key = (warehouse.settings.engine, definition)
    if key not in _FACTS:
        _FACTS[key] = regional_facts(
            warehouse, "2022-11", engine=warehouse.settings.engine, record_definition=definition
        ).facts
    return _FACTS[key]


@pytest.fixture(scope="module")
def golden(shared_data: Path) -> dict[str, dict[str, float]]:
    return _golden(shared_data)


def test_interior_and_lima_callao_jan_nov_2022(warehouse, golden) -> None:  # type: ignore[no-untyped-def]
    interior = [d for d in golden if d not in LIMA_CALLAO | NOT_A_REGION]
    assert len(interior) == 23
    cur = sum(_sum(golden[d], 2022, 11) for d in interior)
    prev = sum(_sum(golden[d], 2021, 11) for d in interior)
    lc_cur = sum(_sum(golden[d], 2022, 11) for d in LIMA_CALLAO)
    lc_prev = sum(_sum(golden[d], 2021, 11) for d in LIMA_CALLAO)
    national = _sum(golden["Total"], 2022, 11)
    national_prev = _sum(golden["Total"], 2021, 11)

    f = _facts(warehouse)
    assert f.value("{region_group}.value", **INTERIOR) == pytest.approx(cur, abs=USD_TOL * 23 * 11)
    assert f.value("{region_group}.growth", **INTERIOR) == pytest.approx(cur / prev - 1, abs=FRACTION_TOL)
    assert f.value("{region_group}.growth", region_group="lima_callao") == pytest.approx(
        lc_cur / lc_prev - 1, abs=FRACTION_TOL
    )
    assert f.value("national.value") == pytest.approx(national, rel=1e-9)
    assert f.value("{region_group}.share", **INTERIOR) == pytest.approx(cur / national, abs=1e-8)
    assert f.value("{region_group}.share_previous", **INTERIOR) == pytest.approx(
        prev / national_prev, abs=1e-8
    )
    # the issue's own example: US$ 39 068 millones, −0,4 %
    assert round(f.value("{region_group}.value", **INTERIOR) / 1e6) == 39068
    assert round(f.value("{region_group}.growth", **INTERIOR) * 1000) == -4


def test_counts_records_and_rolling_leaders(warehouse, golden) -> None:  # type: ignore[no-untyped-def]
    from comercio.sources import resolve_department

    interior = [d for d in golden if d not in LIMA_CALLAO | NOT_A_REGION]
    growing = {d for d in interior if _sum(golden[d], 2022, 11) > _sum(golden[d], 2021, 11)}
    annual_records = {
        d
        for d in interior
        if _sum(golden[d], 2022, 11) > max(_sum(golden[d], y, 12) for y in range(2005, 2022))
    }
    same_window = {
        d
        for d in interior
        if _sum(golden[d], 2022, 11) > max(_sum(golden[d], y, 11) for y in range(2005, 2022))
    }
    r12 = {d: _sum(golden[d], 2021, 12, 12) + _sum(golden[d], 2022, 11) for d in interior}
    r12_total = _sum(golden["Total"], 2021, 12, 12) + _sum(golden["Total"], 2022, 11)
    leader = max(r12, key=lambda d: r12[d])

    f = _facts(warehouse)
    codes = lambda names: {resolve_department(n) for n in names}  # noqa: E731
    assert f.value("regions.growing.count") == len(growing)
    assert set(f.value("regions.growing.members")) == codes(growing)
    assert set(f.value("regions.record.members")) == codes(annual_records)
    assert f.value("regions.record.count") == len(annual_records)
    same = _facts(warehouse, "same-window")
    assert set(same.value("regions.record.members")) == codes(same_window)
    assert f.value("rolling12.{position}.member", position="leader") == resolve_department(leader)
    assert f.value("rolling12.{position}.share", position="leader") == pytest.approx(
        r12[leader] / r12_total, abs=1e-8
    )


def test_macroregions_mincetur(warehouse, golden) -> None:  # type: ignore[no-untyped-def]
    from comercio import reference

    names = {r["ubigeo"]: r["bcrp_name"] for r in reference.load("departments").to_pylist()}
    groups: dict[str, list[str]] = defaultdict(list)
    for r in reference.load("macroregions").to_pylist():
        if r["grouping"] == "mincetur":
            groups[r["macroregion"]].append(names[r["department"]])
    s = eng.series(
        warehouse, Grouping("macroregion", "mincetur"), Filters(), engine=warehouse.settings.engine
    )
    result = measures.compare(s, Window.ytd("2022-11")).by_member()
    assert set(result) == {"norte", "centro", "sur", "oriente"}
    for name, members in groups.items():
        cur = sum(_sum(golden[d], 2022, 11) for d in members)
        prev = sum(_sum(golden[d], 2021, 11) for d in members)
        assert result[name].growth == pytest.approx(cur / prev - 1, abs=FRACTION_TOL)


def test_g1_sector_totals_match_sources_md(warehouse) -> None:  # type: ignore[no-untyped-def]
    """SOURCES.md check figures through the engine (sector grouping on SUNAT G1)."""
    s = eng.series(
        warehouse, Grouping("national"), Filters(), engine=warehouse.settings.engine, dataset="sunat_cuadros"
    )
    total = measures.compare(s, Window.year(2024), None).total
    assert total / 1e6 == pytest.approx(73_593.9, abs=0.05)
    jan_nov = measures.compare(s, Window.ytd("2024-11"), None).total
    assert jan_nov / 1e6 == pytest.approx(67_249.7, abs=0.05)
