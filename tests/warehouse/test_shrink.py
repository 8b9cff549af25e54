"""The shrink guard: a new vintage that drops members, periods or value is refused unless accepted."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from comercio.errors import ValidationError
from comercio.warehouse import Provenance, Warehouse
from comercio.warehouse.shrink import Profile, compare, usd

Make = Callable[..., pa.Table]
MakeProv = Callable[..., Provenance]
BCRP_FILE = "bcrp/exports_by_department_monthly_2005_2022.csv"


def _cuadro(paths: dict[str, float], years: tuple[int, ...] = (2023, 2024)) -> pa.Table:
    """A small G1 tree: ``Total`` (level 0) and its children (level 1), every month of ``years``."""
    rows = []
    for year in years:
        for month in range(1, 13):
            for path, value in [
                ("Total", sum(paths.values())),
                *((f"Total > {p}", v) for p, v in paths.items()),
            ]:
                rows.append(
                    {
                        "table": "G1",
                        "flow": "X",
                        "path": path,
                        "level": 0 if path == "Total" else 1,
                        "sector": path,
                        "period": date(year, month, 1),
                        "value_usd": value,
                        "value_basis": "FOB",
                        "preliminary": False,
                        "source": "cdro_G1.xlsx",
                    }
                )
    return pa.Table.from_pylist(rows)


@pytest.fixture
def g1(fresh_wh: Warehouse, prov: MakeProv, snapshot: Any) -> Callable[[], Any]:
    fresh_wh.load("sunat_cuadros", "G1", _cuadro({"Cobre": 2e9, "Oro": 1e9}), prov("v1"))
    return lambda: snapshot(fresh_wh.settings.home)


def test_a_dropped_year_is_refused_with_its_months_and_value(
    fresh_wh: Warehouse, prov: MakeProv, g1: Callable[[], Any]
) -> None:
    before = g1()
    with pytest.raises(ValidationError) as err:
        fresh_wh.load("sunat_cuadros", "G1", _cuadro({"Cobre": 2e9, "Oro": 1e9}, (2023,)), prov("v2"))
    text = str(err.value)
    assert text.startswith("v2.csv: sunat_cuadros/G1: compared with the current vintage 1, the new one ")
    assert "drops 2024 (12 months, US$ 36 000.0 M)" in text
    assert "`comercio diff sunat_cuadros --file v2.csv`" in text and "--accept-shrink" in text
    assert g1() == before


def test_a_dropped_member_is_refused(fresh_wh: Warehouse, prov: MakeProv, g1: Callable[[], Any]) -> None:
    before = g1()
    with pytest.raises(ValidationError, match=r"drops member Cobre \(path, US\$ 48 000.0 M\)"):
        fresh_wh.load("sunat_cuadros", "G1", _cuadro({"Oro": 1e9, "Plata": 2e9}), prov("v2"))
    assert g1() == before


def test_a_fall_in_value_beyond_the_declared_share_is_refused(
    fresh_wh: Warehouse, prov: MakeProv, g1: Callable[[], Any]
) -> None:
    before = g1()
    with pytest.raises(ValidationError, match=r"value falls 3\.3% .* more than the 2% allowed"):
        fresh_wh.load("sunat_cuadros", "G1", _cuadro({"Cobre": 1.9e9, "Oro": 1e9}), prov("v2"))
    assert g1() == before
    # within the share (a 1 % revision) is an ordinary revision
    result = fresh_wh.load("sunat_cuadros", "G1", _cuadro({"Cobre": 1.97e9, "Oro": 1e9}), prov("v3"))
    assert result.status == "loaded" and result.shrank == ()


def test_growth_is_never_a_shrink(fresh_wh: Warehouse, prov: MakeProv, g1: Callable[[], Any]) -> None:
    grown = _cuadro({"Cobre": 2.5e9, "Oro": 1e9, "Zinc": 1e8}, (2023, 2024, 2025))
    assert fresh_wh.load("sunat_cuadros", "G1", grown, prov("v2")).vintage.number == 2


def test_accept_shrink_loads_it_and_says_what_shrank(
    fresh_wh: Warehouse, prov: MakeProv, g1: Callable[[], Any]
) -> None:
    result = fresh_wh.load(
        "sunat_cuadros", "G1", _cuadro({"Oro": 1e9}, (2024,)), prov("v2"), accept_shrink=True
    )
    assert result.vintage.number == 2 and result.vintage.current
    assert "drops 2023 (12 months, US$ 36 000.0 M)" in result.shrank
    assert any(s.startswith("drops member Cobre") for s in result.shrank)
    assert "shrink accepted: drops 2023" in result.summary()


def test_dropped_months_within_a_kept_year_are_named(
    fresh_wh: Warehouse, national: Make, prov: MakeProv
) -> None:
    fresh_wh.load("bcrp_national", "n", national(24), prov("a"))
    with pytest.raises(ValidationError, match=r"drops 2011-11, 2011-12 \(US\$ 0\.0 M\)"):
        fresh_wh.load("bcrp_national", "n", national(22), prov("b"))


def test_a_reference_table_that_loses_rows_is_refused(fresh_wh: Warehouse, prov: MakeProv) -> None:
    def hs(n: int) -> pa.Table:
        rows = [
            {"section": "I", "hscode": f"{i:06d}", "description": "x", "parent": "01", "level": "6"}
            for i in range(n)
        ]
        return pa.Table.from_pylist(rows)

    fresh_wh.load("ref_hs2022", "hs2022", hs(7000), prov("a"), conform=False)
    with pytest.raises(ValidationError, match=r"rows fall from 7,000 to 6,500 \(more than the 2% allowed\)"):
        fresh_wh.load("ref_hs2022", "hs2022", hs(6500), prov("b"), conform=False)


def test_compare_counts_value_only_over_the_periods_both_hold() -> None:
    old = Profile(3, {date(2020, 1, 1): 10.0, date(2020, 2, 1): 10.0}, {}, 20.0)
    new = Profile(3, {date(2020, 2, 1): 9.9, date(2020, 3, 1): 50.0}, {}, 59.9)
    c = compare(old, new)
    assert (c.old_common, c.new_common) == (10.0, 9.9)
    assert c.dropped_periods == [(date(2020, 1, 1), 10.0)] and c.added_periods == [date(2020, 3, 1)]
    assert c.value_change == pytest.approx(-0.01)
    assert usd(73_593_912_345.6) == "US$ 73 593.9 M"


def _cut_bcrp(shared_data: Path, out: Path, *, drop: str) -> Path:
    """The real BCRP file without the column of one month (departments and Total alike)."""
    rows = list(csv.reader((shared_data / BCRP_FILE).open(encoding="utf-8", newline="")))
    col = rows[0].index(drop)
    path = out / Path(BCRP_FILE).name
    path.parent.mkdir(exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([r[:col] + r[col + 1 :] for r in rows])
    return path


def test_cli_refuses_a_cut_bcrp_file_until_accepted(
    home_copy: Path, shared_data: Path, tmp_path: Path, cli: Callable[..., Any], snapshot: Any
) -> None:
    cut = _cut_bcrp(shared_data, tmp_path / "cut", drop="2022-12-01")
    before = snapshot(home_copy)
    proc = cli(home_copy, "ingest", "bcrp", str(cut))
    err = " ".join(proc.stderr.split())
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert (
        "bcrp_departments/departments: compared with the current vintage 1, the new one drops 2022-12" in err
    )
    assert "comercio diff bcrp_departments --file" in err and "--accept-shrink" in err
    assert snapshot(home_copy) == before

    proc = cli(home_copy, "ingest", "bcrp", str(cut), "--accept-shrink")
    assert proc.returncode == 0, proc.stderr
    assert "loaded as new vintage 2" in proc.stdout and "shrink accepted: drops 2022-12" in proc.stdout


def test_a_member_dropped_from_one_year_only_is_refused(
    fresh_wh: Warehouse, prov: MakeProv, g1: Callable[[], Any]
) -> None:
    """The Cobre row removed from the 2024 sheet: the path still exists (2023), but not in 2024."""
    before = g1()
    both = _cuadro({"Cobre": 2e9, "Oro": 1e9})
    cut = both.filter(
        pa.compute.invert(
            pa.compute.and_(
                pa.compute.equal(both["path"], "Total > Cobre"),
                pa.compute.equal(pa.compute.year(both["period"]), 2024),
            )
        )
    )
    with pytest.raises(ValidationError, match=r"drops member Cobre \(path\) in 2024 \(US\$ 24 000\.0 M\)"):
        fresh_wh.load("sunat_cuadros", "G1", cut, prov("v2"))
    assert g1() == before
