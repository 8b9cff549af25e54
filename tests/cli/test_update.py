"""`comercio fetch sunat-microdata`, `comercio ingest sunat-microdata` (the archive) and `comercio update`
against a temporary mirror of small weekly files: quiet when nothing is new, only the new week loaded,
re-runs change nothing, errors exit 2, and no progress bar under `update` even on a terminal."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import comercio.cli as cli
from _weekly_files import MICRODATA, SUNDAYS, write_week
from comercio.config import Settings
from comercio.warehouse import Warehouse


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``comercio ARGV``."""
    try:
        cli.main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "mirror"
    for i, sunday in enumerate(SUNDAYS[:2]):
        write_week(root, sunday, first_number=100 * i + 1)
    monkeypatch.setenv("COMERCIO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COMERCIO_MIRROR", str(root))
    return root


def slices(home: Path) -> dict[str, int]:
    wh = Warehouse(Settings(home=home), read_only=True)
    return {v.slice: v.rows for v in wh.catalog.vintages(current_only=True) if v.dataset == "customs_lines"}


def fetch_first_two(capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = run(["fetch", "sunat-microdata", "--from", "2025-02-24", "--to", "2025-03-09"], capsys)
    assert (code, err) == (0, "")
    return out


def test_fetch_then_ingest_loads_the_archive_oldest_week_first(
    mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = fetch_first_two(capsys)
    assert "sunat-microdata: x24020325.zip: archived — " in out
    assert (
        "sunat-microdata: ma24020325.zip: not offered by the mirror (no sunat/microdata/ma24020325.zip)"
        in out
    )
    code, out, _ = run(["ingest", "sunat-microdata"], capsys)
    assert code == 0
    assert out.index("microdata-x24020325: loaded") < out.index("microdata-x03090325: loaded")
    assert slices(tmp_path / "home") == {"microdata-x24020325": 3, "microdata-x03090325": 3}


def test_update_is_quiet_when_nothing_is_new(mirror: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fetch_first_two(capsys)
    run(["ingest", "sunat-microdata"], capsys)
    assert run(["update"], capsys) == (0, "", "")


def test_update_fetches_and_ingests_the_new_week_and_only_it_then_does_nothing(
    mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fetch_first_two(capsys)
    run(["ingest", "sunat-microdata"], capsys)
    write_week(mirror, SUNDAYS[2], lines=5, first_number=201)
    code, out, err = run(["update"], capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("x10160325.zip: archived — ")
    assert "customs_lines/microdata-x10160325: loaded as new vintage 1 — 5 rows" in lines
    assert not [line for line in lines if "x24020325" in line or "x03090325" in line]
    assert slices(tmp_path / "home")["microdata-x10160325"] == 5
    assert run(["update"], capsys) == (0, "", "")


def test_update_ingests_an_archived_week_not_yet_loaded(
    mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fetch_first_two(capsys)  # fetched, never ingested
    code, out, _ = run(["update"], capsys)
    assert code == 0 and "microdata-x24020325: loaded" in out and "microdata-x03090325: loaded" in out
    assert "archived" not in out
    assert run(["update"], capsys) == (0, "", "")


def test_update_keeps_the_archive_when_the_mirror_loses_a_week(
    mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fetch_first_two(capsys)
    (mirror / MICRODATA / "x24020325.zip").unlink()  # the publisher removed it: the archive has it
    code, out, _ = run(["update"], capsys)
    assert code == 0 and "microdata-x24020325: loaded" in out


def test_update_on_an_empty_archive_says_to_fetch_first(
    mirror: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["update"], capsys)
    assert code == 2 and out == ""
    assert "the archive holds no sunat-microdata weekly files yet" in err
    assert "comercio fetch sunat-microdata --from YYYY-MM-DD" in err
    code, _, err = run(["fetch", "sunat-microdata"], capsys)
    assert code == 2 and "--from is required the first time" in err
    code, _, err = run(["ingest", "sunat-microdata"], capsys)
    assert code == 2 and "the archive holds no sunat-microdata file" in err


def test_update_reports_a_damaged_week_with_exit_2_after_loading_the_rest(
    mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fetch_first_two(capsys)
    damaged = write_week(mirror, SUNDAYS[2], first_number=201)
    damaged.write_bytes(damaged.read_bytes()[:100])
    write_week(mirror, SUNDAYS[3], first_number=301)
    code, out, err = run(["update"], capsys)
    assert code == 2
    assert "x17230325.zip: archived" in out and "microdata-x17230325: loaded" in out
    assert "x10160325.zip: refused — not a complete zip" in out
    assert "error: x10160325.zip" in err and "not archived" in err and "Traceback" not in err
    write_week(mirror, SUNDAYS[2], first_number=201)  # the publisher fixed it: the next run takes it
    code, out, _ = run(["update"], capsys)
    assert code == 0 and "x10160325.zip: archived" in out and "microdata-x10160325: loaded" in out


def test_fetch_refuses_a_range_that_ends_before_it_starts(
    mirror: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["fetch", "sunat-microdata", "--from", "2025-03-09", "--to", "2025-03-01"], capsys)
    assert (code, out) == (2, "") and "--to 2025-03-01 is before --from 2025-03-09" in err
    code, _, err = run(["fetch", "bcrp", "--from", "2025-03-09"], capsys)
    assert code == 2 and "--from and --to apply to sunat-microdata only" in err


def test_no_progress_bar_under_update_even_on_a_terminal(
    mirror: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fetch_first_two(capsys)
    write_week(mirror, SUNDAYS[2], first_number=201)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out, err = run(["update"], capsys)
    assert (code, err) == (0, "") and "x10160325.zip: archived" in out
    code, out, err = run(["fetch", "sunat-microdata", "--from", "2025-03-10"], capsys)  # a person: a bar
    assert code == 0 and "x17230325.zip: not offered" in out and err != ""


def test_ingesting_many_files_shows_a_bar_on_a_terminal_only(
    mirror: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fetch_first_two(capsys)
    assert run(["ingest", "sunat-microdata"], capsys)[2] == ""  # captured: not a terminal
    write_week(mirror, SUNDAYS[2], first_number=201)
    write_week(mirror, SUNDAYS[3], first_number=301)
    run(["fetch", "sunat-microdata", "--flow", "x"], capsys)  # from the newest archived week on
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out, err = run(["ingest", "sunat-microdata"], capsys)
    assert code == 0 and "microdata-x17230325: loaded" in out and err != ""
