"""The downloader against a real HTTP server on loopback serving ../shared/data (see conftest.py).

Every test goes through real sockets: mirrors (base URL and directory), the cache, retries with backoff and
Retry-After, resumed transfers, and the errors a user sees when something is missing.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest

from comercio.config import Settings
from comercio.errors import ConfigError, DownloadError
from comercio.sources.download import HttpOptions, NotOffered, cached, fetch, fetch_resource
from comercio.sources.registry import BCRP_MAX_SERIES_PER_REQUEST, SOURCES, Resource, Source, get_source

FAST = HttpOptions(connect_timeout=2.0, read_timeout=5.0, backoff_base=0.001, backoff_max=0.01)
HS_PATH = "/hs/hs2022_en.csv"


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(cache: Path) -> list[Path]:
    """Partial or temporary files left in the cache."""
    return [p for p in cache.rglob("*") if p.name.endswith((".part", ".tmp"))]


def one_file_source(url: str) -> Source:
    """A source whose publisher is the loopback server: one resource at ``url``."""
    res = Resource("hs", url, "hs/hs2022_en.csv", "hs2022.csv", "HS 2022 served by the test server")
    return Source("test-hs", "HS over loopback", "test", (res,), None)


# --- registry ---


def test_every_required_resource_is_in_the_reference_mirror(download_shared_data: Path) -> None:
    missing = [
        f"{s.name}/{r.key}: {r.mirror_path}"
        for s in SOURCES.values()
        for r in s.resources
        if not r.optional and not (download_shared_data / r.mirror_path).is_file()
    ]
    assert missing == []


def test_bcrp_departmental_series_are_split_in_api_sized_requests() -> None:
    src = get_source("bcrp")
    dept = [r for r in src.resources if r.key.startswith("departments_")]
    codes = [c for r in dept for c in r.url.split("/api/")[1].split("/")[0].split("-")]
    assert codes == [f"RD{n}BM" for n in range(38085, 38112)]
    assert all(
        len(r.url.split("/api/")[1].split("/")[0].split("-")) <= BCRP_MAX_SERIES_PER_REQUEST for r in dept
    )
    assert {r.mirror_path for r in dept} == {"bcrp/exports_by_department_monthly_2005_2022.csv"}
    assert src.resource("national_trade").optional


def test_unknown_source_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as err:
        get_source("sunat-cuadro")
    assert "sunat-cuadros" in str(err.value) and "bcrp" in str(err.value)


# --- mirrors and cache ---


def test_mirror_base_url_fetches_every_file_and_records_both_urls(
    tmp_path: Path, loopback_server: Any, download_shared_data: Path
) -> None:
    settings = Settings(home=tmp_path, mirror=loopback_server.url + "/")
    files = fetch("sunat-cuadros", settings, progress=False, http=FAST)
    assert [f.key for f in files] == ["g1", "f1", "g6"]
    for f, name in zip(files, ["cdro_G1.xlsx", "cdro_F1.xlsx", "cdro_G6.xlsx"], strict=True):
        original = download_shared_data / "sunat/cuadros" / name
        assert f.via == "mirror-url" and not f.from_cache
        assert f.sha256 == sha256_of(original) == sha256_of(f.path)
        assert f.size == original.stat().st_size
        assert f.path.is_relative_to(settings.cache_dir)
        meta = json.loads((f.path.parent / "meta.json").read_text())
        assert meta["url"] == get_source("sunat-cuadros").resource(f.key).url
        assert meta["fetched_from"] == f"{loopback_server.url}/sunat/cuadros/{name}"
        assert meta["sha256"] == f.sha256 and meta["etag"]
    assert loopback_server.count() == 3
    assert leftovers(settings.cache_dir) == []


def test_mirror_directory_copies_shared_mirror_file_once(tmp_path: Path, download_shared_data: Path) -> None:
    settings = Settings(home=tmp_path, mirror=str(download_shared_data))
    files = fetch("bcrp", settings, progress=False)
    assert len(files) == 1  # three API requests at the publisher, one CSV in the mirror
    (f,) = files
    original = download_shared_data / "bcrp/exports_by_department_monthly_2005_2022.csv"
    assert f.via == "mirror-dir" and f.key == "departments_1"
    assert f.path.read_bytes() == original.read_bytes()
    assert f.path.name == original.name
    assert f.sha256 == sha256_of(original)
    assert leftovers(settings.cache_dir) == []


def test_second_fetch_comes_from_cache_without_any_request(tmp_path: Path, loopback_server: Any) -> None:
    settings = Settings(home=tmp_path, mirror=loopback_server.url)
    first = fetch("boundaries", settings, progress=False, include_optional=True, http=FAST)
    assert loopback_server.count() == 2
    second = fetch("boundaries", settings, progress=False, include_optional=True, http=FAST)
    assert loopback_server.count() == 2
    assert [f.from_cache for f in second] == [True, True]
    assert [(f.path, f.sha256, f.retrieved_at) for f in second] == [
        (f.path, f.sha256, f.retrieved_at) for f in first
    ]
    assert [f.path for f in cached("boundaries", settings, include_optional=True)] == [f.path for f in first]
    assert loopback_server.count() == 2


def test_force_refetches(tmp_path: Path, loopback_server: Any) -> None:
    settings = Settings(home=tmp_path, mirror=loopback_server.url)
    fetch("hs2022", settings, progress=False, http=FAST)
    again = fetch("hs2022", settings, progress=False, force=True, http=FAST)
    assert loopback_server.count(HS_PATH) == 2
    assert not again[0].from_cache


def test_cached_file_that_no_longer_matches_its_sha256_is_fetched_again(
    tmp_path: Path, loopback_server: Any, download_shared_data: Path
) -> None:
    settings = Settings(home=tmp_path, mirror=loopback_server.url)
    (f,) = fetch("hs2022", settings, progress=False, http=FAST)
    f.path.write_bytes(b"tampered")
    (again,) = fetch("hs2022", settings, progress=False, http=FAST)
    assert not again.from_cache and loopback_server.count(HS_PATH) == 2
    assert again.path.read_bytes() == (download_shared_data / "hs/hs2022_en.csv").read_bytes()


def test_cached_without_a_fetch_says_to_run_fetch(tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as err:
        cached("sunat-cuadros", Settings(home=tmp_path))
    assert "comercio fetch sunat-cuadros" in str(err.value)
    assert "g1" in str(err.value)


# --- HTTP behaviour ---


def test_retries_after_two_503_then_succeeds(
    tmp_path: Path, loopback_server: Any, download_shared_data: Path
) -> None:
    loopback_server.fail(HS_PATH, 503, times=2)
    (f,) = fetch(
        one_file_source(loopback_server.url + HS_PATH), Settings(home=tmp_path), progress=False, http=FAST
    )
    assert [r.status for r in loopback_server.requests] == [503, 503, 200]
    assert f.via == "publisher" and f.sha256 == sha256_of(download_shared_data / "hs/hs2022_en.csv")


def test_429_honours_retry_after_zero_instead_of_backing_off(tmp_path: Path, loopback_server: Any) -> None:
    loopback_server.fail(HS_PATH, 429, headers={"Retry-After": "0"})
    slow_backoff = HttpOptions(backoff_base=3.0, backoff_max=3.0)
    started = time.monotonic()
    fetch(
        one_file_source(loopback_server.url + HS_PATH),
        Settings(home=tmp_path),
        progress=False,
        http=slow_backoff,
    )
    assert time.monotonic() - started < 1.5
    assert [r.status for r in loopback_server.requests] == [429, 200]


def test_gives_up_after_max_tries_and_leaves_nothing_in_place(tmp_path: Path, loopback_server: Any) -> None:
    loopback_server.fail(HS_PATH, 503, times=10)
    settings = Settings(home=tmp_path)
    with pytest.raises(DownloadError) as err:
        fetch(one_file_source(loopback_server.url + HS_PATH), settings, progress=False, http=FAST)
    assert loopback_server.count() == FAST.max_tries
    assert "503" in str(err.value) and loopback_server.url + HS_PATH in str(err.value)
    assert not any(p.is_file() for p in settings.cache_dir.rglob("*"))


def test_dropped_connection_resumes_with_range(
    tmp_path: Path, loopback_server: Any, download_shared_data: Path
) -> None:
    loopback_server.drop(HS_PATH, after=100_000)
    res = one_file_source(loopback_server.url + HS_PATH).resources[0]
    f = fetch_resource(res, Settings(home=tmp_path), source="test-hs", progress=False, http=FAST)
    first, second = loopback_server.requests
    assert "range" not in first.headers
    assert second.headers["range"] == "bytes=100000-" and second.status == 206
    assert second.headers["if-range"].startswith('"')  # resumes only if the file has not changed
    assert f.sha256 == sha256_of(download_shared_data / "hs/hs2022_en.csv") == sha256_of(f.path)
    assert leftovers(tmp_path) == []


def test_resume_restarts_cleanly_when_server_ignores_range(
    tmp_path: Path, loopback_server: Any, download_shared_data: Path
) -> None:
    loopback_server.drop(HS_PATH, after=50_000)
    loopback_server.ignore_range(HS_PATH)
    (f,) = fetch(
        one_file_source(loopback_server.url + HS_PATH), Settings(home=tmp_path), progress=False, http=FAST
    )
    assert [r.status for r in loopback_server.requests] == [200, 200]
    assert f.size == (download_shared_data / "hs/hs2022_en.csv").stat().st_size
    assert f.sha256 == sha256_of(download_shared_data / "hs/hs2022_en.csv")


# --- errors a user sees ---


def test_404_names_the_url_and_is_not_retried(tmp_path: Path, loopback_server: Any) -> None:
    url = loopback_server.url + "/hs/no_such_file.csv"
    with pytest.raises(DownloadError) as err:
        fetch(one_file_source(url), Settings(home=tmp_path), progress=False, http=FAST)
    assert url in str(err.value) and "404" in str(err.value)
    assert err.value.url == url
    assert loopback_server.count() == 1


def test_a_file_the_server_or_the_mirror_does_not_have_is_not_offered(
    tmp_path: Path, loopback_server: Any
) -> None:
    """404 (and a mirror directory without the file) is NotOffered, which a fetch of many weekly files
    reports instead of failing; a server error is not."""
    with pytest.raises(NotOffered):
        fetch(
            one_file_source(loopback_server.url + "/gone.csv"),
            Settings(home=tmp_path),
            progress=False,
            http=FAST,
        )
    with pytest.raises(NotOffered):
        fetch("sunat-cuadros", Settings(home=tmp_path, mirror=str(tmp_path / "empty")), progress=False)
    loopback_server.fail(HS_PATH, 503, times=FAST.max_tries)
    with pytest.raises(DownloadError) as err:
        fetch(
            one_file_source(loopback_server.url + HS_PATH), Settings(home=tmp_path), progress=False, http=FAST
        )
    assert not isinstance(err.value, NotOffered)


def test_connection_refused_explains_what_to_do(tmp_path: Path, closed_port_url: str) -> None:
    with pytest.raises(DownloadError) as err:
        fetch(one_file_source(closed_port_url), Settings(home=tmp_path), progress=False, http=FAST)
    message = str(err.value)
    assert closed_port_url in message and "ConnectError" in message
    assert "COMERCIO_MIRROR" in message and "check the connection" in message


def test_missing_file_in_mirror_directory_names_the_expected_path(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "sunat/cuadros").mkdir(parents=True)
    (mirror / "sunat/cuadros/cdro_G1.xlsx").write_bytes(b"not really a workbook, but present")
    settings = Settings(home=tmp_path / "home", mirror=str(mirror))
    with pytest.raises(DownloadError) as err:
        fetch("sunat-cuadros", settings, progress=False)
    assert "sunat/cuadros/cdro_F1.xlsx" in str(err.value)
    assert err.value.file == str(mirror.resolve() / "sunat/cuadros/cdro_F1.xlsx")


def test_optional_resource_missing_from_mirror_url_names_the_mirror_path(
    tmp_path: Path, loopback_server: Any
) -> None:
    settings = Settings(home=tmp_path, mirror=loopback_server.url)
    assert len(fetch("bcrp", settings, progress=False, http=FAST)) == 1  # optional national series skipped
    with pytest.raises(DownloadError) as err:
        fetch("bcrp", settings, progress=False, include_optional=True, http=FAST)
    assert "bcrp/national_trade_monthly.json" in str(err.value) and "404" in str(err.value)


def test_retry_after_is_capped_and_backoff_grows() -> None:
    opts = HttpOptions(backoff_base=1.0, backoff_max=8.0, retry_after_max=5.0)
    assert opts.delay(1, 3600.0) == 5.0
    assert opts.delay(1, 0.0) == 0.0
    assert 1.0 <= opts.delay(1, None) <= 2.0
    assert 8.0 <= opts.delay(6, None) <= 9.0


def test_cached_finds_files_fetched_through_another_route(tmp_path: Path, download_shared_data: Path) -> None:
    """Boundaries fetched from the mirror are still found by `cached` once COMERCIO_MIRROR is unset."""
    from comercio.config import Settings
    from comercio.sources.download import cached, fetch

    shared = download_shared_data
    with_mirror = Settings(home=tmp_path, mirror=str(shared))
    fetched = fetch("boundaries", with_mirror, progress=False)
    found = cached("boundaries", Settings(home=tmp_path))
    assert [f.path for f in found] == [f.path for f in fetched]
    assert found[0].sha256 == fetched[0].sha256
