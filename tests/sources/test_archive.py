"""The weekly microdata archive: names a range calls for, fetch from a mirror, files kept for good, the same
week fetched twice, damaged and missing files, and progress shown only to a person at a terminal."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.progress import Progress

from _weekly_files import MICRODATA, SUNDAYS, write_week
from comercio.config import Settings
from comercio.errors import ConfigError, DownloadError, ValidationError
from comercio.sources import archive
from comercio.sources.archive import Archive, fetch_weeks, names
from comercio.sources.download import HttpOptions, counting, session
from comercio.sources.registry import get_source
from comercio.update import ingest_archive
from comercio.warehouse import Warehouse

FAST = HttpOptions(connect_timeout=2.0, read_timeout=5.0, backoff_base=0.001, backoff_max=0.01)
TODAY = dt.date(2025, 4, 10)
X = ("X",)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    root = tmp_path / "mirror"
    for i, sunday in enumerate(SUNDAYS[:3]):
        write_week(root, sunday, first_number=100 * i + 1)
    return root


@pytest.fixture
def settings(tmp_path: Path, mirror: Path) -> Settings:
    return Settings(home=tmp_path / "home", mirror=str(mirror))


def fetch(settings: Settings, start: dt.date, end: dt.date, **kw: Any) -> archive.FetchReport:
    return fetch_weeks(settings, start, end, X, progress=False, today=TODAY, **kw)


# --- names ---


def test_a_range_calls_for_every_week_ending_in_it_exports_then_imports() -> None:
    got = names(dt.date(2026, 6, 17), dt.date(2026, 8, 2), ("X", "M"))
    assert got[:4] == ["x15210626.zip", "ma15210626.zip", "x22280626.zip", "ma22280626.zip"]
    assert got[-2:] == ["x27020826.zip", "ma27020826.zip"]  # the week crossing a month end
    assert len(got) == 2 * 7
    assert names(dt.date(2026, 6, 15), dt.date(2026, 6, 21), ("M",)) == ["ma15210626.zip"]


def test_flow_options() -> None:
    assert archive.flows("x") == ("X",) and archive.flows("M") == ("M",)
    assert archive.flows("both") == ("X", "M")
    with pytest.raises(ConfigError, match="--flow must be one of x, m, both"):
        archive.flows("mb")


def test_the_publisher_address_and_mirror_path_of_a_weekly_file() -> None:
    res = get_source("sunat-microdata").weekly_resource("x15210626.zip")
    assert res.url == "http://www.aduanet.gob.pe/aduanas/informae/x15210626.zip"
    assert res.mirror_path == f"{MICRODATA}/x15210626.zip" and res.filename == "x15210626.zip"


# --- fetch into the archive ---


def test_mirror_fetch_archives_every_week_with_its_origin(settings: Settings, mirror: Path) -> None:
    report = fetch(settings, SUNDAYS[0], SUNDAYS[2])
    assert [k.name for k in report.archived] == ["x24020325.zip", "x03090325.zip", "x10160325.zip"]
    kept = Archive(settings).current()
    assert [k.path.parent for k in kept] == [settings.archive_dir / "sunat-microdata"] * 3
    assert [sha(k.path) for k in kept] == [sha(mirror / MICRODATA / k.name) for k in kept]
    index = json.loads((settings.archive_dir / "sunat-microdata" / "index.json").read_text())
    first = index["files"][0]
    assert first["url"] == "http://www.aduanet.gob.pe/aduanas/informae/x24020325.zip"
    assert first["fetched_from"] == str(mirror.resolve() / MICRODATA / "x24020325.zip")
    assert first["sha256"] == sha(mirror / MICRODATA / "x24020325.zip")
    assert report.lines()[0].startswith("x24020325.zip: archived — ")


def test_the_archive_keeps_a_week_after_the_mirror_and_the_cache_lose_it(
    settings: Settings, mirror: Path
) -> None:
    fetch(settings, SUNDAYS[0], SUNDAYS[2])
    shutil.rmtree(mirror)
    shutil.rmtree(settings.cache_dir)
    again = fetch(settings, SUNDAYS[0], SUNDAYS[2])
    assert again.already == ["x24020325.zip", "x03090325.zip", "x10160325.zip"]
    assert not again.archived and not again.missing
    report = ingest_archive(Warehouse(settings), settings)
    assert [r.slice for r in report.results] == [
        "microdata-x24020325",
        "microdata-x03090325",
        "microdata-x10160325",
    ]
    assert {r.status for r in report.results} == {"loaded"}


def test_a_week_fetched_again_with_the_same_bytes_changes_nothing(settings: Settings) -> None:
    fetch(settings, SUNDAYS[0], SUNDAYS[0])
    before = sorted(p.name for p in (settings.archive_dir / "sunat-microdata").iterdir())
    report = fetch(settings, SUNDAYS[0], SUNDAYS[0], force=True)
    assert report.same == ["x24020325.zip"] and not report.new
    assert sorted(p.name for p in (settings.archive_dir / "sunat-microdata").iterdir()) == before


def test_a_week_whose_bytes_changed_is_kept_beside_the_first_and_the_newer_is_ingested(
    settings: Settings, mirror: Path
) -> None:
    fetch(settings, SUNDAYS[0], SUNDAYS[0])
    first = settings.archive_dir / "sunat-microdata" / "x24020325.zip"
    original = sha(first)
    write_week(mirror, SUNDAYS[0], lines=4)  # SUNAT published the week again, with one more line
    report = fetch(settings, SUNDAYS[0], SUNDAYS[0], force=True)
    [(name, variant)] = report.variants
    assert name == "x24020325.zip" and variant.name == f"x24020325.{sha(variant)[:12]}.zip"
    assert sha(first) == original  # never overwritten
    assert "differs from the archived copy; the new bytes are kept beside it as" in report.lines()[0]
    [current] = Archive(settings).current()
    assert current.name == "x24020325.zip" and current.path == variant
    assert fetch(settings, SUNDAYS[0], SUNDAYS[0], force=True).same == ["x24020325.zip"]  # no third copy
    wh = Warehouse(settings)
    [loaded] = ingest_archive(wh, settings).results
    assert (loaded.slice, loaded.status, loaded.vintage.rows) == ("microdata-x24020325", "loaded", 4)
    write_week(mirror, SUNDAYS[0])  # and back to the first bytes: those are the newest again
    assert fetch(settings, SUNDAYS[0], SUNDAYS[0], force=True).same == ["x24020325.zip"]
    assert Archive(settings).current()[0].path == first
    with pytest.raises(ValidationError, match=r"value falls 25\.0%"):  # a week that shrinks: only if asked
        ingest_archive(wh, settings)
    [loaded] = ingest_archive(wh, settings, accept_shrink=True).results
    assert (loaded.status, loaded.vintage.number, loaded.vintage.rows) == ("loaded", 2, 3)


def test_weeks_not_offered_are_reported_and_only_all_missing_is_an_error(settings: Settings) -> None:
    report = fetch(settings, SUNDAYS[1], SUNDAYS[4])
    assert [k.name for k in report.archived] == ["x03090325.zip", "x10160325.zip"]
    assert [m[0] for m in report.missing] == ["x17230325.zip", "x24300325.zip"]
    assert "x17230325.zip: not offered by the mirror (no sunat/microdata/x17230325.zip)" in report.lines()
    with pytest.raises(DownloadError, match=r"none of the 2 weekly files x17230325.zip … x24300325.zip"):
        fetch(settings, SUNDAYS[3], SUNDAYS[4])
    assert fetch(settings, SUNDAYS[3], SUNDAYS[4], strict=False).missing  # update: not an error


def test_bad_ranges_are_refused(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="--to 2025-03-01 is before --from 2025-03-10"):
        fetch(settings, dt.date(2025, 3, 10), dt.date(2025, 3, 1))
    with pytest.raises(ConfigError, match=r"no week .* ends between 2025-03-04 and 2025-03-07"):
        fetch(settings, dt.date(2025, 3, 4), dt.date(2025, 3, 7))
    with pytest.raises(ConfigError, match="--from 2025-04-11 is after today"):
        fetch(settings, dt.date(2025, 4, 11), dt.date(2025, 5, 1))
    # weeks that end after today do not exist yet: never asked for
    report = fetch(settings, SUNDAYS[2], dt.date(2025, 5, 31))
    assert [k.name for k in report.archived] == ["x10160325.zip"]
    assert [m[0] for m in report.missing] == ["x17230325.zip", "x24300325.zip", "x31060425.zip"]


def test_a_truncated_zip_is_refused_and_not_archived(settings: Settings, mirror: Path) -> None:
    damaged = mirror / MICRODATA / "x03090325.zip"
    damaged.write_bytes(damaged.read_bytes()[:150])
    report = fetch(settings, SUNDAYS[0], SUNDAYS[2])
    assert [k.name for k in report.archived] == ["x24020325.zip", "x10160325.zip"]
    assert not Archive(settings).has("x03090325.zip")
    assert not list(settings.cache_dir.rglob("x03090325.zip"))  # not served from the cache next time
    with pytest.raises(DownloadError) as err:
        report.raise_refused()
    assert err.value.file == "x03090325.zip" and "not a complete zip" in err.value.reason
    write_week(mirror, SUNDAYS[1], first_number=101)  # repaired: the next fetch takes it
    assert [k.name for k in fetch(settings, SUNDAYS[0], SUNDAYS[2]).archived] == ["x03090325.zip"]


def test_a_web_page_instead_of_a_zip_is_a_week_not_offered(settings: Settings, mirror: Path) -> None:
    (mirror / MICRODATA / "x03090325.zip").write_text("<html><body>Archivo no encontrado</body></html>")
    report = fetch(settings, SUNDAYS[1], SUNDAYS[2])
    assert report.missing == [("x03090325.zip", "mirror", "the server answered with a web page, not a zip")]
    assert not report.refused and [k.name for k in report.archived] == ["x10160325.zip"]


def test_a_week_a_server_answers_404_for_is_reported_not_retried(
    tmp_path: Path, loopback_server: Any
) -> None:
    settings = Settings(home=tmp_path, mirror=loopback_server.url)
    report = fetch_weeks(
        settings, SUNDAYS[0], SUNDAYS[0], X, progress=False, strict=False, http=FAST, today=TODAY
    )
    [(name, where, why)] = report.missing
    assert (name, where, why) == ("x24020325.zip", "mirror", "no sunat/microdata/x24020325.zip")
    assert loopback_server.count() == 1  # a 404 is not retried


def test_a_second_writer_is_refused(settings: Settings) -> None:
    store = Archive(settings)
    with store.writing(), pytest.raises(ConfigError, match="another comercio process is writing the archive"):
        fetch(settings, SUNDAYS[0], SUNDAYS[0])


# --- progress ---


def test_progress_is_hidden_when_not_on_a_terminal(settings: Settings) -> None:
    with session(settings, progress=True) as s, counting(s.bar, "weeks", 3) as step:
        assert s.bar is None  # pytest captures stdout and stderr: no terminal
        step()


def test_progress_counts_files_with_rate_and_time_left_on_a_terminal(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with session(settings, progress=True) as s:
        assert isinstance(s.bar, Progress)
        with counting(s.bar, "weeks", 3) as step:
            step()
            [task] = s.bar.tasks
            assert (task.completed, task.total, task.fields["unit"]) == (1, 3, "files")
            columns = [type(c).__name__ for c in s.bar.columns]
            assert "TimeRemainingColumn" in columns and "_Rate" in columns
        assert s.bar.tasks == []
    with session(settings, progress=False) as s:
        assert s.bar is None
