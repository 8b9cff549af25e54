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


# -- corrections across weekly files (customs lines) and a table without a value column --------------------


def _weekly(tmp_path: Path) -> Warehouse:
    """Three weekly files: week 2 corrects a line of week 1 (+20) and week 3 corrects it again (-30) and
    another line (+5); week 0, loaded last, holds a line week 1 had already corrected."""
    from test_revisions import WEEK_1, WEEK_2, WEEK_3, decl, load

    wh = Warehouse(Settings(home=tmp_path / "home"))
    load(
        wh,
        "x1.zip",
        WEEK_1,
        [{"declaration": decl(1), "value_usd": 100.0}, {"declaration": decl(2), "value_usd": 10.0}],
    )
    load(wh, "x2.zip", WEEK_2, [{"declaration": decl(1), "value_usd": 120.0}])
    load(
        wh,
        "x3.zip",
        WEEK_3,
        [{"declaration": decl(1), "value_usd": 90.0}, {"declaration": decl(2), "value_usd": 15.0}],
    )
    load(wh, "x0.zip", date(2025, 3, 2), [{"declaration": decl(2), "value_usd": 1.0}])
    return wh


def test_corrections_per_file_and_the_largest(tmp_path: Path) -> None:
    from comercio.warehouse.diff import corrections

    wh = _weekly(tmp_path)
    found = corrections(wh, "customs_lines")
    assert [(f.file, f.revised, f.moved_usd, f.late) for f in found.files] == [
        ("x0.zip", 0, 0.0, 1),
        ("x2.zip", 1, 20.0, 0),
        ("x3.zip", 2, -25.0, 0),
    ]
    assert [
        (r["declaration"], r["old_file"], r["new_file"], r["old_value"], r["new_value"], r["change"])
        for r in found.largest
    ] == [
        ("118-2025-000001", "x2.zip", "x3.zip", 120.0, 90.0, -30.0),
        ("118-2025-000001", "x1.zip", "x2.zip", 100.0, 120.0, 20.0),
        ("118-2025-000002", "x1.zip", "x3.zip", 10.0, 15.0, 5.0),
    ]
    assert (found.revised, found.moved_usd, found.late, found.superseded) == (3, -5.0, 1, 4)
    # the value moved is exactly what totals moved: 110 before the corrections, 105 after
    t = wh.table("customs_lines")
    assert wh.execute(t.aggregate(v=t.value_usd.sum())).to_pylist() == [{"v": 105.0}]
    assert corrections(wh, "bcrp_national").files == []


def test_cli_diff_customs_lines_shows_the_corrections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = _weekly(tmp_path).home
    monkeypatch.setenv("COMERCIO_HOME", str(home))
    monkeypatch.setenv("COLUMNS", "200")
    main(["diff", "customs_lines"])
    out = capsys.readouterr().out
    assert (
        "customs_lines: corrections in 3 files: 3 lines revised, value moved -5.00 US$; "
        "1 lines of older files loaded after their correction; 4 superseded lines left out of every total"
    ) in out
    assert "only one vintage" not in out
    main(["diff", "customs_lines", "--limit", "1"])
    out = capsys.readouterr().out
    assert "│ x3.zip │ microdata-x3 │" in out  # |value moved| 25 > 20 > 0
    assert "microdata-x2" not in out and "microdata-x0" not in out
    assert "… and 2 more files (--limit)" in out
    main(["diff", "customs_lines", "--format", "json", "--limit", "1"])
    got = json.loads(capsys.readouterr().out)
    assert [f["lines_revised"] for f in got["files"]] == [0, 1, 2]
    assert [(r["old_file"], r["new_file"], r["change"]) for r in got["largest"]] == [
        ("x2.zip", "x3.zip", -30.0)
    ]
    assert got["vintages"] == []


def test_diff_of_a_table_without_a_value_column(tmp_path: Path) -> None:
    from test_revisions import regions

    wh = Warehouse(Settings(home=tmp_path / "home"))
    regions(wh, [("20100000001", "13", "ruc_register"), ("20100000002", "15", "ruc_register")])
    regions(wh, [("20100000001", "20", "ruc_register"), ("20100000003", "15", "ruc_register")])
    [d] = diff(wh, "exporter_regions")
    assert (d.changed, d.added, d.removed) == (3, 1, 1)
    assert d.changes == [
        {"trader_id": "20100000001", "old": "13 ruc_register", "new": "20 ruc_register"},
        {"trader_id": "20100000002", "old": "15 ruc_register", "new": None},
        {"trader_id": "20100000003", "old": None, "new": "15 ruc_register"},
    ]
