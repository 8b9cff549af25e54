"""`comercio diff`: a revised file becomes a new vintage, and the diff names exactly what moved."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from comercio import reference
from comercio.cli import main
from comercio.config import Settings
from comercio.errors import WarehouseError
from comercio.ingest import ingest
from comercio.warehouse import Provenance, Warehouse
from comercio.warehouse.diff import diff

BCRP_FILE = "bcrp/exports_by_department_monthly_2005_2022.csv"


def _ubigeo(name: str) -> str:
    rows = reference.load("departments").to_pylist()
    return next(r["ubigeo"] for r in rows if r["bcrp_name"] == name)


@pytest.fixture
def revised(home_copy: Path, modified_bcrp: Callable[..., Any]) -> tuple[Path, float, float]:
    """The built warehouse plus a revision of BCRP's file: Lima, December 2022, +1.5 M US$."""
    path, old, new = modified_bcrp(department="Lima", month="2022-12-01", delta="1.5")
    ingest(Warehouse(Settings(home=home_copy)), "bcrp", [path])
    return home_copy, float(old * 10**6), float(new * 10**6)


def test_diff_reports_exactly_the_revised_month_and_department(revised: tuple[Path, float, float]) -> None:
    home, old, new = revised
    wh = Warehouse(Settings(home=home), read_only=True)
    [d] = diff(wh, "bcrp_departments")
    assert (d.dataset, d.slice, d.old.number, d.new.number) == ("bcrp_departments", "departments", 1, 2)
    assert (d.changed, d.added, d.removed) == (1, 0, 0)
    [row] = d.changes
    assert row["period"] == date(2022, 12, 1)
    assert row["department"] == _ubigeo("Lima")
    assert row["flow"] == "X"
    assert row["old"] == pytest.approx(old, abs=0.01)
    assert row["new"] == pytest.approx(new, abs=0.01)
    assert row["change"] == pytest.approx(1_500_000.0, abs=0.01)

    [t] = diff(wh, "bcrp_department_totals")
    assert [(r["period"], round(r["change"], 2)) for r in t.changes] == [(date(2022, 12, 1), 1_500_000.0)]


def test_cli_diff_names_the_change(
    revised: tuple[Path, float, float], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home, _, _ = revised
    monkeypatch.setenv("COMERCIO_HOME", str(home))
    monkeypatch.setenv("COLUMNS", "200")
    main(["diff", "bcrp_departments"])
    out = capsys.readouterr().out
    assert "bcrp_departments/departments: v1 → v2: 1 rows moved (0 added, 0 removed)" in out
    assert "2022-12-01" in out and _ubigeo("Lima") in out and "1500000" in out.replace(",", "")

    main(["diff", "bcrp_departments", "--format", "json"])

    rows = json.loads(capsys.readouterr().out)
    assert [(r["period"], r["department"]) for r in rows] == [("2022-12-01", _ubigeo("Lima"))]


def test_diff_with_one_vintage_is_empty_and_unknown_dataset_fails(built_home: Path) -> None:
    wh = Warehouse(Settings(home=built_home), read_only=True)
    assert diff(wh, "bcrp_departments") == []
    with pytest.raises(WarehouseError, match="no vintages"):
        diff(wh, "bcrp_national")


def test_diff_counts_added_and_removed_rows(
    fresh_wh: Warehouse, national: Callable[..., pa.Table], prov: Callable[..., Provenance]
) -> None:
    fresh_wh.load("bcrp_national", "national", national(3, start=date(2020, 1, 1)), prov("a"))
    # v2: drops January, adds April, revises February by +10 US$ and leaves March alone.
    v2 = national(3, start=date(2020, 2, 1))
    v2 = v2.set_column(2, "value_usd", pa.array([1011.0, 1002.0, 9.0]))
    fresh_wh.load("bcrp_national", "national", v2, prov("b"), accept_shrink=True)  # January dropped
    [d] = diff(fresh_wh, "bcrp_national")
    assert (d.added, d.removed, d.changed) == (1, 1, 3)
    moved = {r["period"]: (r["old"], r["new"], r["change"]) for r in d.changes}
    assert moved == {
        date(2020, 1, 1): (1000.0, None, -1000.0),
        date(2020, 2, 1): (1001.0, 1011.0, 10.0),
        date(2020, 4, 1): (None, 9.0, 9.0),
    }
    assert d.changes[0]["period"] == date(2020, 1, 1)  # largest change first


def test_diff_explains_dropped_and_added_periods_and_members(
    fresh_wh: Warehouse, national: Callable[..., pa.Table], prov: Callable[..., Provenance]
) -> None:
    fresh_wh.load("bcrp_national", "national", national(24, start=date(2020, 1, 1)), prov("a"))
    fresh_wh.load(
        "bcrp_national", "national", national(12, start=date(2021, 1, 1)), prov("b"), accept_shrink=True
    )
    [d] = diff(fresh_wh, "bcrp_national", limit=0)
    assert d.changes == [] and d.removed == 12
    lines = d.comparison.lines()
    assert lines[0] == "drops 2020 (12 months, US$ 0.0 M)"
    assert "value over the periods both hold: US$ 0.0 M → US$ 0.0 M (-1.18%)" in lines
    assert lines[-1] == "rows: 24 → 12"


def test_cli_diff_file_previews_a_revision_without_loading_it(
    home_copy: Path, shared_data: Path, tmp_path: Path, cli: Callable[..., Any], snapshot: Any
) -> None:
    import csv

    rows = list(csv.reader((shared_data / BCRP_FILE).open(encoding="utf-8", newline="")))
    col = rows[0].index("2022-12-01")
    cut = tmp_path / "cut.csv"
    with cut.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([r[:col] + r[col + 1 :] for r in rows])
    before = snapshot(home_copy)
    proc = cli(home_copy, "diff", "bcrp_departments", "--file", str(cut))
    assert proc.returncode == 0, proc.stderr
    assert "bcrp_departments/departments: current vintage → cut.csv" in proc.stdout
    assert "drops 2022-12 (US$ " in proc.stdout and "rows: 5,616 → 5,590" in proc.stdout
    assert snapshot(home_copy) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("diff", "bcrp_departments", "--limit", "-1"), "greater than or equal to 0"),
        (("diff", "customs_lines", "--file", "x.csv"), "--source sunat-declarations or sunat-microdata"),
    ],
    ids=["negative-limit", "ambiguous-source"],
)
def test_cli_diff_refuses_bad_options_plainly(
    built_home: Path, cli: Callable[..., Any], args: tuple[str, ...], message: str
) -> None:
    proc = cli(built_home, *args)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert message in " ".join(proc.stderr.split())
