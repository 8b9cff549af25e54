"""Ingest from the mirror: the warehouse reproduces SOURCES.md's check figures; bad files change nothing."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from comercio import reference
from comercio.config import Settings
from comercio.ingest import build, ingest
from comercio.sources import normalize_label as normalize
from comercio.validate import validate
from comercio.warehouse import Warehouse

M = 1e6


@pytest.fixture(scope="module")
def wh(built_home: Path) -> Warehouse:
    return Warehouse(Settings(home=built_home), read_only=True)


def _sum(wh: Warehouse, dataset: str, column: str = "value_usd", **where: Any) -> float:
    t = wh.table(dataset, "duckdb")
    preds = []
    for key, value in where.items():
        if key == "year":
            preds.append(t.period.year() == value)
        elif key == "months":
            preds.append(t.period.month().isin(value))
        else:
            preds.append(t[key] == value)
    if preds:
        t = t.filter(preds)
    return float(wh.execute(t.aggregate(v=t[column].sum()), engine="duckdb").to_pylist()[0]["v"])


def _sector(wh: Warehouse, table: str, label: str, year: int) -> str:
    """The path of the level-2 sector of ``year`` whose label starts with ``label`` (accents, case ignored).

    Labels are the ones of each year's sheet (2015 says "Metal-Mecánica", 2024 "Metal-mecánico").
    """
    t = wh.table("sunat_cuadros", "duckdb")
    t = t.filter([t.table == table, t.level == 2, t.period.year() == year])
    paths = wh.execute(t.select("path").distinct(), engine="duckdb")
    found = [
        p for p in paths["path"].to_pylist() if normalize(p.split(" > ")[-1]).startswith(normalize(label))
    ]
    assert len(found) == 1, f"{label!r} matches {found}"
    return str(found[0])


def test_sunat_g1_figures(wh: Warehouse) -> None:
    g1 = {"table": "G1"}
    assert round(_sum(wh, "sunat_cuadros", **g1, level=0, year=2024) / M, 1) == 73_593.9
    assert (
        round(_sum(wh, "sunat_cuadros", **g1, level=0, year=2024, months=list(range(1, 12))) / M, 1)
        == 67_249.7
    )
    metal = _sector(wh, "G1", "Metal-mec", 2024)
    assert metal.startswith("II.")  # a non-traditional sector
    assert round(_sum(wh, "sunat_cuadros", **g1, path=metal, year=2024) / M, 1) == 740.7
    assert (
        round(_sum(wh, "sunat_cuadros", **g1, path=metal, year=2024, months=list(range(1, 12))) / M, 1)
        == 668.9
    )
    sidero = _sector(wh, "G1", "Sidero", 2024)
    assert round(_sum(wh, "sunat_cuadros", **g1, path=sidero, year=2024) / M, 1) == 1_799.9
    agro = _sector(wh, "G1", "Agropecuario", 2024)
    assert round(_sum(wh, "sunat_cuadros", **g1, path=agro, year=2024) / M, 1) == 11_120.6


def test_sunat_f1_figure(wh: Warehouse) -> None:
    assert round(_sum(wh, "sunat_cuadros", table="F1", level=0, year=2024) / M, 1) == 55_026.6


def test_bcrp_figures(wh: Warehouse) -> None:
    assert round(_sum(wh, "bcrp_department_totals", year=2021) / M, 1) == 63_114.1
    assert round(_sum(wh, "bcrp_department_totals", year=2022) / M, 1) == 66_167.1
    lima = next(r["ubigeo"] for r in reference.load("departments").to_pylist() if r["bcrp_name"] == "Lima")
    assert round(_sum(wh, "bcrp_departments", department=lima, year=2022) / M, 1) == 15_031.0
    # departments + No registrado add up to the published Total over the whole series
    assert _sum(wh, "bcrp_departments") == pytest.approx(_sum(wh, "bcrp_department_totals"), abs=1.0)


def test_declarations_figures(wh: Warehouse) -> None:
    [v] = wh.vintages("customs_lines")
    assert v.slice.startswith("declarations-") and v.rows == 111
    assert round(_sum(wh, "customs_lines", "fob_usd"), 2) == 8_533_433.77
    assert round(_sum(wh, "customs_lines", "cif_usd"), 2) == 9_189_810.77


def test_every_load_records_provenance(wh: Warehouse) -> None:
    for v in wh.vintages():
        assert v.number == 1 and v.current
        assert len(v.sha256) == 64 and v.files and all(len(f["sha256"]) == 64 for f in v.files)
        assert v.loaded_at.endswith("Z") and v.rows > 0
    [g1] = [v for v in wh.vintages("sunat_cuadros") if v.slice == "G1"]
    assert g1.files[0]["name"] == "cdro_G1.xlsx" and g1.retrieved_at is not None


# -- re-running, and bad input --------------------------------------------------------------------------


def _snapshot(home: Path) -> dict[str, str]:
    return {
        str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def home(built_home: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(built_home, copy)
    return copy


def test_build_again_is_a_noop(home: Path, shared_data: Path) -> None:
    before = _snapshot(home)
    settings = Settings(home=home, mirror=str(shared_data))
    reports = build(Warehouse(settings), settings)
    statuses = {(r.dataset, r.slice): r.status for rep in reports for r in rep.results}
    assert len(statuses) >= 12
    assert set(statuses.values()) == {"unchanged"}, statuses
    assert _snapshot(home) == before


def _ingest_cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COMERCIO_HOME": str(home), "COLUMNS": "80"}
    code = "from comercio.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, "ingest", *args], env=env, capture_output=True, text=True, timeout=120
    )


def _bad_cuadro_text(shared_data: Path, out: Path) -> Path:
    """The real G1 reduced to two years, with text in one number cell (sheet 2015, row 11, column F)."""
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(shared_data / "sunat/cuadros/cdro_G1.xlsx")
    for name in wb.sheetnames:
        if name not in ("2015", "2016"):
            wb.remove(wb[name])
    wb["2015"]["F11"] = "s/d"
    path = out / "cdro_G1.xlsx"
    wb.save(path)
    return path


def _bad_cuadro_truncated(shared_data: Path, out: Path) -> Path:
    data = (shared_data / "sunat/cuadros/cdro_G1.xlsx").read_bytes()
    path = out / "truncated" / "cdro_G1.xlsx"
    path.parent.mkdir()
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


def _bad_bcrp(shared_data: Path, out: Path) -> Path:
    rows = list(
        csv.reader((shared_data / "bcrp/exports_by_department_monthly_2005_2022.csv").open(newline=""))
    )
    col = rows[0].index("2010-03-01")
    line = next(i for i, r in enumerate(rows) if r[0] == "Cusco")
    rows[line][col] = "12,5 aprox"
    path = out / "bcrp_exports.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return path


@pytest.mark.parametrize(
    ("source", "make", "expected"),
    [
        ("sunat-cuadros", _bad_cuadro_text, ["sheet '2015'", "row 11", "column 'F'", "'s/d'", "number"]),
        ("sunat-cuadros", _bad_cuadro_truncated, ["truncated or corrupt"]),
        ("bcrp", _bad_bcrp, ["row ", "column '2010-03-01'", "'12,5 aprox'", "not a number"]),
    ],
    ids=["cuadro-text-in-number-cell", "cuadro-truncated", "bcrp-text-value"],
)
def test_bad_file_fails_plainly_and_changes_nothing(
    home: Path, shared_data: Path, tmp_path: Path, source: str, make: Any, expected: list[str]
) -> None:
    bad = make(shared_data, tmp_path)
    before = _snapshot(home)
    proc = _ingest_cli(home, source, str(bad))
    assert proc.returncode != 0
    err = " ".join(proc.stderr.split())  # the message is one line; join in case a terminal wrapped it
    assert err.startswith("error: ") and bad.name in err
    for fragment in expected:
        assert fragment in err, (fragment, err)
    assert "Traceback" not in proc.stderr
    assert _snapshot(home) == before


def test_an_ingest_interrupted_between_its_two_loads_is_completed_by_the_next(
    home: Path, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BCRP's file feeds two datasets; if only the first load got in, re-ingesting must load the second."""
    rows = list(
        csv.reader((shared_data / "bcrp/exports_by_department_monthly_2005_2022.csv").open(newline=""))
    )
    col = rows[0].index("2022-06-01")
    for row in rows[1:]:
        if row[0] in ("Cusco", "Total"):
            row[col] = str(Decimal(row[col]) + Decimal("2"))
    revised = tmp_path / "revised.csv"
    with revised.open("w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)

    wh = Warehouse(Settings(home=home))
    real_load = Warehouse.load

    def load_then_die(self: Warehouse, dataset: str, *args: Any, **kwargs: Any) -> Any:
        if dataset == "bcrp_department_totals":
            raise KeyboardInterrupt  # the process stops between the two loads
        return real_load(self, dataset, *args, **kwargs)

    monkeypatch.setattr(Warehouse, "load", load_then_die)
    with pytest.raises(KeyboardInterrupt):
        ingest(wh, "bcrp", [revised])
    monkeypatch.setattr(Warehouse, "load", real_load)
    assert [v.number for v in wh.vintages("bcrp_departments")] == [2]
    assert [v.number for v in wh.vintages("bcrp_department_totals")] == [1]

    report = ingest(wh, "bcrp", [revised])
    assert [(r.dataset, r.status) for r in report.results] == [
        ("bcrp_departments", "unchanged"),
        ("bcrp_department_totals", "loaded"),
    ]
    [bcrp] = [c for c in validate(wh) if c.name.startswith("bcrp: departments")]
    assert bcrp.ok and bcrp.compared == 216


# -- the same content under another name ----------------------------------------------------------------

DECLARATIONS = "sunat/declarations/imports_4011101000_callao_2026-05.csv"


def test_the_same_content_under_another_name_is_not_loaded_twice(
    home: Path, shared_data: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "imports_4011101000_callao_2026-05 (1).csv"
    shutil.copyfile(shared_data / DECLARATIONS, copy)
    before = _snapshot(home)
    report = ingest(Warehouse(Settings(home=home)), "sunat-declarations", [copy])
    assert report.results == []
    assert report.notes == [
        f"{copy.name}: same content as imports_4011101000_callao_2026-05.csv already loaded in "
        "customs_lines/declarations-imports_4011101000_callao_2026-05; not loaded again"
    ]
    assert _snapshot(home) == before


def test_a_file_given_twice_under_two_names_is_loaded_once(shared_data: Path, tmp_path: Path) -> None:
    original = shared_data / DECLARATIONS
    copy = tmp_path / "x202101 (1).csv"
    shutil.copyfile(original, copy)
    wh = Warehouse(Settings(home=tmp_path / "home"))
    report = ingest(wh, "sunat-declarations", [original, copy])
    assert [(r.dataset, r.status) for r in report.results] == [("customs_lines", "loaded")]
    assert f"{copy.name}: same content as {original.name} (given twice); not loaded" in report.notes
    [v] = wh.vintages("customs_lines")
    assert v.rows == 111


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_a_path_that_is_not_a_file_is_refused_before_anything_loads(tmp_path: Path, kind: str) -> None:
    from comercio.errors import SourceError

    path = tmp_path / "x202101.zip"
    if kind == "directory":
        path.mkdir()
    wh = Warehouse(Settings(home=tmp_path / "home"))
    with pytest.raises(SourceError) as err:
        ingest(wh, "sunat-microdata", [path])
    assert err.value.reason == ("a directory, not a file" if kind == "directory" else "no such file")
    assert wh.vintages(current_only=False) == []


def test_the_same_note_about_many_files_is_said_once_with_counts_summed() -> None:
    from comercio.ingest import group_notes

    notes = [
        "x1.zip: 7 fields comercio does not know, ignored: R1",
        "x1.zip: deleted records (*) skipped: 2",
        "x2.zip: 7 fields comercio does not know, ignored: R1",
        "x2.zip: deleted records (*) skipped: 1",
        "x3.zip: 7 fields comercio does not know, ignored: R1",
        "x3.zip: deleted records (*) skipped: 4",
        "x3.zip: datos sintéticos / synthetic data",
        "a note about no file",
    ]
    assert group_notes(notes) == [
        "7 fields comercio does not know, ignored: R1 — 3 files (x1.zip … x3.zip)",
        "deleted records (*) skipped: 7 — 3 files (x1.zip … x3.zip)",
        "x3.zip: datos sintéticos / synthetic data",
        "a note about no file",
    ]
    assert group_notes(notes[:2]) == notes[:2]  # below three files nothing changes


def test_a_bad_file_among_many_fails_as_alone_after_loading_the_files_before_it(tmp_path: Path) -> None:
    """Many new weekly files are staged in worker processes and committed in batches; a bad one fails with
    the message it has when ingested alone, the files before it are loaded, none after it."""
    from _weekly_files import SUNDAYS, write_week
    from comercio.errors import ComercioError

    weeks = [
        write_week(tmp_path / "mirror", s, lines=3, first_number=10 * i + 1) for i, s in enumerate(SUNDAYS)
    ]
    weeks[3].write_bytes(weeks[3].read_bytes()[:200])  # a truncated download
    with pytest.raises(ComercioError) as alone:
        ingest(Warehouse(Settings(home=tmp_path / "alone")), "sunat-microdata", [weeks[3]])
    wh = Warehouse(Settings(home=tmp_path / "home"))
    with pytest.raises(ComercioError) as many:
        ingest(wh, "sunat-microdata", weeks)
    assert str(many.value) == str(alone.value) and type(many.value) is type(alone.value)
    loaded = sorted(v.slice for v in wh.vintages("customs_lines"))
    assert loaded == sorted(f"microdata-{w.stem}" for w in weeks[:3])
    assert not list((wh.settings.data_dir / "customs_lines").glob(".tmp-*"))


def test_a_script_without_a_main_guard_ingests_many_files(tmp_path: Path) -> None:
    """Worker processes do not run the caller's script again: a script that calls ``ingest`` at its top
    level (no ``if __name__ == "__main__"``) loads many weekly files and ends, instead of starting ingests
    inside the workers."""
    import subprocess
    import sys

    from _weekly_files import SUNDAYS, write_week

    weeks = [
        write_week(tmp_path / "mirror", s, lines=3, first_number=10 * i + 1) for i, s in enumerate(SUNDAYS)
    ]
    script = tmp_path / "load_weeks.py"
    script.write_text(
        "from pathlib import Path\n"
        "from comercio._ingest_workers import WORKERS_FROM\n"
        "from comercio.config import Settings\n"
        "from comercio.ingest import ingest\n"
        "from comercio.warehouse import Warehouse\n"
        f"files = [Path(p) for p in {[str(w) for w in weeks]!r}]\n"
        "assert len(files) >= WORKERS_FROM  # the workers are used\n"
        f"home = Path({str(tmp_path / 'home')!r})\n"
        "report = ingest(Warehouse(Settings(home=home)), 'sunat-microdata', files)\n"
        "print('lines', sum(r.vintage.rows for r in report.results))\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["lines", str(3 * len(weeks))]


def test_a_load_into_an_existing_slice_leaves_what_workers_stage_alone(tmp_path: Path) -> None:
    """Within an ingest, a revised file loaded in the main process (its slice already has a vintage) does not
    sweep the dataset again: the directories worker processes are staging other files into stay."""
    from _weekly_files import SUNDAYS, write_week
    from comercio._ingest_workers import Batch
    from comercio.ingest import _provenance, _ref
    from comercio.sources.protocol import ReadOptions
    from comercio.sources.registry import get_source

    week = write_week(tmp_path / "mirror", SUNDAYS[0], lines=3)
    wh = Warehouse(Settings(home=tmp_path / "home"))
    ingest(wh, "sunat-microdata", [week])
    week = write_week(tmp_path / "mirror", SUNDAYS[0], lines=3, fob=2000.5)  # the same week, revised
    reader = get_source("sunat-microdata").reader
    assert reader is not None
    result = reader.read(week, ReadOptions(wh.settings, False))
    prov = _provenance("sunat-microdata", _ref(week, {}))
    batch = Batch(wh, [], [])
    with wh.catalog.session():  # an ingest holds the writer lock throughout
        batch.sweep("customs_lines")  # what the ingest does before its workers start
        in_flight = wh.settings.data_dir / "customs_lines" / ".tmp-a-worker-is-writing-here"
        in_flight.mkdir()
        for part in result.parts:
            batch.load(part, prov, accept_shrink=False)
        assert in_flight.is_dir()
    assert [r.vintage.number for r in batch.results] == [2]
