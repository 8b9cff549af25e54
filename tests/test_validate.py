"""`comercio validate`: hard checks of our loads, informative comparisons, the publisher's own subtotals."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from comercio.cli import main
from comercio.config import Settings
from comercio.sources.sunat_cuadros import read_cuadro
from comercio.validate import validate
from comercio.warehouse import Warehouse


def _run(home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    monkeypatch.setenv("COMERCIO_HOME", str(home))
    code = 0
    try:
        main(["validate", "--format", "json"])
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, json.loads(capsys.readouterr().out)


def _by_name(report: Any) -> dict[str, dict[str, Any]]:
    return {c["check"]: c for c in report["checks"]}


def test_validate_on_the_mirror_passes_and_shows_the_publishers_differences(
    built_home: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = _run(built_home, monkeypatch, capsys)
    assert code == 0 and report["ok"] is True
    checks = _by_name(report)

    bcrp = checks["bcrp: departments + No registrado = Total"]
    assert (bcrp["kind"], bcrp["ok"], bcrp["compared"], bcrp["failures"]) == ("hard", True, 216, 0)

    versus = checks["bcrp total vs sunat G1 total exports"]
    assert versus["kind"] == "info"
    years = [r["year"] for r in versus["rows"]]
    assert years == list(range(2005, 2023))  # every year BCRP (2005-2022) and G1 (2005-2025) share
    row_2021 = next(r for r in versus["rows"] if r["year"] == 2021)
    assert round(row_2021["bcrp_usd"] / 1e6, 1) == 63_114.1  # SOURCES.md
    assert row_2021["difference_usd"] == pytest.approx(
        row_2021["bcrp_usd"] - row_2021["sunat_g1_usd"], abs=0.02
    )

    for table in ("G1", "F1"):
        hard = checks[f"sunat {table}: stored rows reproduce the file"]
        assert (hard["kind"], hard["ok"], hard["failures"]) == ("hard", True, 0)
        assert hard["compared"] > 1000

    # The publisher's differences are exactly the ones the reader finds in the file, with their size.
    publisher = checks["sunat G1: publisher's subtotals (parent vs sum of children in SUNAT's table)"]
    in_file = {
        (c.path, c.period.isoformat()): c.difference
        for c in read_cuadro(shared_data / "sunat/cuadros/cdro_G1.xlsx").checks
        if not c.ok and c.kind == "children"
    }
    assert in_file, "G1 as published has subtotals that differ from their children"
    assert publisher["kind"] == "info" and publisher["ok"] is False
    assert publisher["failures"] == len(in_file)
    shown = {(r["path"], str(r["period"])): r["difference_usd"] for r in publisher["rows"]}
    assert shown.keys() == in_file.keys()
    for key, size in in_file.items():
        assert shown[key] == pytest.approx(size, abs=0.01)
    f1 = checks["sunat F1: publisher's subtotals (parent vs sum of children in SUNAT's table)"]
    assert (f1["ok"], f1["failures"], f1["rows"]) == (True, 0, [])


@pytest.fixture
def home(built_home: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(built_home, copy)
    return copy


def _rewrite(home: Path, dataset: str, slice_: str, change: Any) -> None:
    """Tamper with the stored Parquet of a current vintage, behind the loader's back."""
    wh = Warehouse(Settings(home=home), read_only=True)
    [v] = [v for v in wh.vintages(dataset) if v.slice == slice_]
    [part] = sorted(wh.vintage_dir(v).glob("*.parquet"))
    pq.write_table(change(pq.read_table(part)), part)


def _where(t: pa.Table, path: str, period: date) -> pa.Array:
    return pc.and_(pc.equal(t["path"], path), pc.equal(t["period"], pa.scalar(period, pa.date32())))


def test_a_lost_row_fails_the_hard_check(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    t = pq.read_table(next((home / "data" / "sunat_cuadros").rglob("*.parquet")))
    leaf = t.filter(pc.equal(t["level"], 3))
    path, period = leaf["path"][0].as_py(), leaf["period"][0].as_py()
    _rewrite(
        home, "sunat_cuadros", t["table"][0].as_py(), lambda t: t.filter(pc.invert(_where(t, path, period)))
    )

    code, report = _run(home, monkeypatch, capsys)
    assert code == 1 and report["ok"] is False
    [hard] = [c for c in report["checks"] if c["kind"] == "hard" and not c["ok"]]
    problems = [r["problem"] for r in hard["rows"]]
    assert "stored rows differ from the load record" in problems
    moved = [r for r in hard["rows"] if r["problem"] == "subtotal differs, the file does not"]
    assert [(r["path"], str(r["period"])) for r in moved] == [(path.rsplit(" > ", 1)[0], period.isoformat())]


def test_a_publisher_difference_that_disappears_fails_the_hard_check(home: Path) -> None:
    """Our Total for a month no longer shows SUNAT's known difference: our rows no longer equal the file."""
    wh = Warehouse(Settings(home=home), read_only=True)
    [g1] = [v for v in wh.vintages("sunat_cuadros") if v.slice == "G1"]
    known = g1.extra["publisher_differences"][0]
    period = date.fromisoformat(known["period"])

    def fix_total(t: pa.Table) -> pa.Table:
        mask = _where(t, known["path"], period)
        values = pc.if_else(mask, pc.subtract(t["value_usd"], known["difference_usd"]), t["value_usd"])
        return t.set_column(t.column_names.index("value_usd"), "value_usd", values)

    _rewrite(home, "sunat_cuadros", "G1", fix_total)
    checks = {c.name: c for c in validate(Warehouse(Settings(home=home), read_only=True))}
    hard = checks["sunat G1: stored rows reproduce the file"]
    assert not hard.ok
    gone = [r for r in hard.rows if r["problem"] == "the file's subtotal difference is gone"]
    assert [(r["path"], r["period"]) for r in gone] == [(known["path"], period)]
    publisher = checks["sunat G1: publisher's subtotals (parent vs sum of children in SUNAT's table)"]
    assert publisher.failures == len(g1.extra["publisher_differences"]) - 1


def test_a_changed_department_fails_the_bcrp_check(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def bump(t: pa.Table) -> pa.Table:
        first = pc.equal(pa.array(range(t.num_rows)), 0)
        values = pc.if_else(first, pc.add(t["value_usd"], 5_000.0), t["value_usd"])
        return t.set_column(t.column_names.index("value_usd"), "value_usd", values)

    _rewrite(home, "bcrp_departments", "departments", bump)
    code, report = _run(home, monkeypatch, capsys)
    assert code == 1
    bcrp = _by_name(report)["bcrp: departments + No registrado = Total"]
    assert (bcrp["ok"], bcrp["failures"]) == (False, 1)
    assert bcrp["rows"][0]["difference_usd"] == pytest.approx(5_000.0)

    with pytest.raises(SystemExit) as exited:  # the table format exits non-zero too
        main(["validate"])
    assert exited.value.code == 1


def test_an_accepted_shrink_is_listed_by_validate(
    home: Path,
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import csv

    from comercio.ingest import ingest

    _, report = _run(home, monkeypatch, capsys)
    none = _by_name(report)["accepted shrinks (--accept-shrink)"]
    assert (none["kind"], none["ok"], none["failures"]) == ("info", True, 0)

    source = shared_data / "bcrp/exports_by_department_monthly_2005_2022.csv"
    rows = list(csv.reader(source.open(encoding="utf-8", newline="")))
    col = rows[0].index("2022-12-01")
    cut = tmp_path / source.name
    with cut.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([r[:col] + r[col + 1 :] for r in rows])
    ingest(Warehouse(Settings(home=home)), "bcrp", [cut], accept_shrink=True)

    code, report = _run(home, monkeypatch, capsys)
    shrinks = _by_name(report)["accepted shrinks (--accept-shrink)"]
    assert code == 0 and (shrinks["ok"], shrinks["failures"]) == (False, 2)
    assert [(r["dataset"], r["vintage"]) for r in shrinks["rows"]] == [
        ("bcrp_department_totals", 2),
        ("bcrp_departments", 2),
    ]
    assert all(r["dropped"].startswith("drops 2022-12 (US$ ") for r in shrinks["rows"])
